"""Running pandoc's citeproc: the pandoc binary of the pypandoc-binary wheel, one `pandoc lua`
process (kb/pandoc_references.lua) for all the works of a call.

pandoc's citeproc agrees with citeproc-js, the reference CSL processor, far more often than
citeproc-py does (bench/formatting.py, bench/RESULTS.md), so kb formats with it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import subprocess
import tempfile
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

from .errors import KbError

LUA_DRIVER = Path(__file__).with_name("pandoc_references.lua")
_CSL = "http://purl.org/net/xbiblio/csl"
# What makes one work's reference depend on the others in its bibliography; a work alone
# never triggers them, so a style without them formats a bibliography of many works as
# each would be formatted alone.
_BETWEEN_WORKS = (
    "disambiguate-add-year-suffix",
    "disambiguate-add-names",
    "disambiguate-add-givenname",
    "givenname-disambiguation-rule",
    "subsequent-author-substitute",
    "subsequent-author-substitute-rule",
)
_TIMEOUT_PER_WORK = 0.5  # seconds; pandoc takes a few milliseconds a work


@functools.lru_cache(maxsize=1)
def pandoc_path() -> str:
    """The pandoc binary: pypandoc-binary's, else KB_PANDOC; a one-line error without either."""
    configured = os.environ.get("KB_PANDOC")
    if configured:
        return configured
    try:
        import pypandoc
    except ImportError:
        raise KbError("formatted references need pandoc: pip install pypandoc-binary (or set KB_PANDOC)") from None
    try:
        return pypandoc.get_pandoc_path()
    except OSError as error:
        raise KbError(f"formatted references need pandoc, which was not found: {error}") from None


@functools.lru_cache(maxsize=32)
def style_alone_path(style_path: str) -> str:
    """A copy of the CSL style without the rules between works, in a folder of kb's in the
    temporary folder, named by its content (so processes share it and none piles up)."""
    ElementTree.register_namespace("", _CSL)
    tree = ElementTree.parse(style_path)
    for element in tree.getroot().iter():
        for attribute in _BETWEEN_WORKS:
            element.attrib.pop(attribute, None)
    text = ElementTree.tostring(tree.getroot(), encoding="unicode")
    digest = hashlib.sha1(text.encode()).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / f"kb-styles-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    target = folder / f"{Path(style_path).stem}-{digest}.csl"
    if not target.exists():
        partial = folder / f"{target.name}.{os.getpid()}"
        partial.write_text('<?xml version="1.0" encoding="utf-8"?>\n' + text, encoding="utf-8")
        os.replace(partial, target)  # whole or absent, whoever writes it
    return str(target)


@functools.lru_cache(maxsize=64)
def is_numeric_style(style_path: str) -> bool:
    root = ElementTree.parse(style_path).getroot()
    return any("numeric" in (category.get("citation-format") or "") for category in root.iter(f"{{{_CSL}}}category"))


def run_pandoc_references(
    items: list[dict[str, Any]], style_path: str, outputs: list[str], together: bool = True
) -> tuple[list[dict[str, str] | None], dict[int, str]]:
    """One reference per item, in order ({output: text}, or None when pandoc made none), and
    pandoc's error message per item index it failed on.

    together=True formats all items in one bibliography with the style's rules between works
    off (fast); False formats each in a bibliography of its own (the plain reading of the
    style, about seven times slower). Both give each work the reference it has alone.
    """
    if not items:
        return [], {}
    with tempfile.TemporaryDirectory(prefix="kb-references-") as folder:
        if together:
            bibliographies = [os.path.join(folder, "works.json")]
            Path(bibliographies[0]).write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
        else:
            bibliographies = [os.path.join(folder, f"{n}.json") for n in range(len(items))]
            for item, path in zip(items, bibliographies):
                Path(path).write_text(json.dumps([item], ensure_ascii=False), encoding="utf-8")
        request = {
            "csl": style_alone_path(style_path) if together else style_path,
            "ids": [str(item["id"]) for item in items],
            "bibliographies": bibliographies,
            "outputs": outputs,
            "together": together,
            "numeric": together and is_numeric_style(style_path),
        }
        result = _run_pandoc(request, len(items))
    if result.returncode != 0 and together:
        # one work pandoc cannot read fails the whole bibliography: then each on its own
        return run_pandoc_references(items, style_path, outputs, together=False)
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise KbError(f"pandoc could not format the references (exit {result.returncode}): {last}")
    answer = json.loads(result.stdout)
    references = answer["references"]
    if isinstance(references, dict):  # an empty Lua table can come out as {}
        references = [references.get(str(n)) for n in range(1, len(items) + 1)]
    references = [ref or None for ref in references] + [None] * (len(items) - len(references))
    errors = {int(index): message for index, message in (answer.get("errors") or {}).items()}
    return references, errors


def _run_pandoc(request: dict[str, Any], works: int) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            [pandoc_path(), "lua", str(LUA_DRIVER)],
            input=json.dumps(request),
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=30 + _TIMEOUT_PER_WORK * works,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise KbError(f"pandoc could not format the references: {error}") from None
