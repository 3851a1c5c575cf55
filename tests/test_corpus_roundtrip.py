"""What kb stores, kb can dump and build: every shared corpus imports (default mode, no
--skip-invalid), dumps, builds and dumps again, byte for byte the same.

The corpora are real bibliographies nobody on the team wrote (shared/corpora/ beside
the repository; never copied into it). They are found through KB_CORPORA, else
`<repo>/../shared/corpora` (a fresh clone with shared/ beside it, as CI has it), else
/work/shared/corpora. Each corpus is imported and built once for the module.

Cost: about 85 CPU seconds for the four (jgrey_main_all.bib, 16,579 entries, is 60% of
it), twice the rest of the suite. `-m "not corpus"` leaves these tests out.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import cli

REPO = Path(__file__).resolve().parent.parent
CORPUS_FILES = ["biodiversity_scopus.ris", "cdl.bib", "muccigrosso_zotero_library.csl.json", "jgrey_main_all.bib"]


def corpora_dir() -> Path | None:
    candidates = [os.environ.get("KB_CORPORA"), REPO.parent / "shared" / "corpora", "/work/shared/corpora"]
    for candidate in candidates:
        if candidate and all((Path(candidate) / name).is_file() for name in CORPUS_FILES):
            return Path(candidate)
    return None


CORPORA = corpora_dir()
pytestmark = [
    pytest.mark.corpus,  # the slowest tests of the suite: `-m "not corpus"` leaves them out
    pytest.mark.skipif(
        CORPORA is None,
        reason="the shared corpora are not here: set KB_CORPORA, or put shared/corpora/ beside the repository "
        f"({', '.join(CORPUS_FILES)})",
    ),
]


@dataclass
class RoundTrip:
    import_output: str
    first: Path
    second: Path
    build_exit: int
    build_output: str


def _kb(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Iterator[Path]:
    """Where the corpora's databases and dumps go: memory (/dev/shm) when there is one,
    as writing ~60,000 small files to disk costs more system time than all the rest."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path_factory.mktemp("corpora")
        return
    folder = Path(tempfile.mkdtemp(prefix="kb-corpora-", dir=shm))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module", params=CORPUS_FILES)
def round_trip(request, scratch) -> Iterator[RoundTrip]:
    name = request.param
    assert CORPORA is not None
    folder = scratch / name.replace(".", "_")
    folder.mkdir()
    imported, built = folder / "imported.db", folder / "built.db"
    first, second = folder / "first", folder / "second"
    assert _kb("init", "--db", str(imported))[0] == 0
    code, import_output = _kb("import", str(CORPORA / name), "--db", str(imported))
    assert code == 0, import_output
    assert _kb("dump", str(first), "--db", str(imported))[0] == 0
    build_exit, build_output = _kb("build", str(first), "--db", str(built))
    if build_exit == 0:
        assert _kb("dump", str(second), "--db", str(built))[0] == 0
    yield RoundTrip(import_output, first, second, build_exit, build_output)
    shutil.rmtree(folder, ignore_errors=True)  # memory, when in /dev/shm


def test_the_corpus_imports_whole(round_trip):
    summary = [
        line
        for line in round_trip.import_output.splitlines()
        if "(bibtex)" in line or "(ris)" in line or "(csl-json)" in line
    ]
    assert len(summary) == 1 and " 0 skipped" in summary[0], round_trip.import_output[-2000:]


def test_kb_builds_what_it_dumped(round_trip):
    assert round_trip.build_exit == 0, round_trip.build_output


def test_dump_build_dump_is_identical(round_trip):
    if round_trip.build_exit != 0:
        pytest.fail("kb build refused the dump (see test_kb_builds_what_it_dumped)")
    first = sorted(p.relative_to(round_trip.first) for p in round_trip.first.rglob("*") if p.is_file())
    second = sorted(p.relative_to(round_trip.second) for p in round_trip.second.rglob("*") if p.is_file())
    assert first == second
    differing = [str(p) for p in first if (round_trip.first / p).read_bytes() != (round_trip.second / p).read_bytes()]
    assert differing == [], f"{len(differing)} files differ, such as {differing[:5]}"
