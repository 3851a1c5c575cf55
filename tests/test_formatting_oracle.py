"""kb's references against citeproc-js, the reference CSL processor, on our own small set of
works (tests/fixtures/formatting/oracle_works.json) in the five styles of issue 12, plain text
and HTML. citeproc-js (npm `citeproc`) is installed once into bench/.cache by the session
fixture; without node and npm the test skips, except on CI (CI=true), where it fails."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess

import pytest

from kb.formatting import format_references

from .conftest import REPO

FIXTURE = REPO / "tests" / "fixtures" / "formatting" / "oracle_works.json"


def _bench_formatting():
    spec = importlib.util.spec_from_file_location("bench_formatting", REPO / "bench" / "formatting.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {reason}: the citeproc-js comparison must run on CI")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def citeproc_js():
    """The bench module with citeproc-js installed into its cache folder."""
    if not (shutil.which("node") and shutil.which("npm")):
        _unavailable("node or npm is not installed (apt-get install nodejs npm)")
    bench = _bench_formatting()
    try:
        bench.install_citeproc_js()
    except (subprocess.CalledProcessError, OSError) as error:
        _unavailable(f"npm could not install citeproc: {error}")
    return bench


@pytest.fixture(scope="session")
def oracle(citeproc_js):
    works = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return works, citeproc_js.run_citeproc_js(works, citeproc_js.STYLES)


@pytest.mark.parametrize("output", ["text", "html"])
@pytest.mark.parametrize(
    "style", ["apa", "chicago-author-date", "modern-language-association", "ieee", "harvard-cite-them-right"]
)
def test_kb_references_match_citeproc_js(oracle, citeproc_js, style, output):
    works, answers = oracle
    made = format_references(works, style, output)
    differing = []
    for work, reference in zip(works, made):
        expected = citeproc_js.normalise(answers[style][output][work["id"]], output)
        if citeproc_js.normalise(reference, output) != expected:
            differing.append(f"{work['id']}:\n  citeproc-js: {expected}\n  kb:          {reference}")
    assert not differing, "\n".join(differing)
