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

from . import citeproc_differences
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


@functools.lru_cache(maxsize=256)
def style_copy_path(style_path: str, between_works: bool = False, variant: tuple[str, ...] = ()) -> str:
    """The copy of the CSL style kb gives pandoc: with kb.citeproc_differences' changes (and a
    work's `variant` of them), and unless `between_works`, without the rules between works. Written once
    into a folder of kb's in the temporary folder, named by its content (so processes share it
    and none piles up)."""
    ElementTree.register_namespace("", _CSL)
    tree = ElementTree.parse(style_path)
    root = tree.getroot()
    if not between_works:
        for element in root.iter():
            for attribute in _BETWEEN_WORKS:
                element.attrib.pop(attribute, None)
    citeproc_differences.adjust_style(root)
    citeproc_differences.apply_variant(root, variant)
    text = ElementTree.tostring(root, encoding="unicode")
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
def style_traits(style_path: str) -> dict[str, bool]:
    return citeproc_differences.style_traits(ElementTree.parse(style_path).getroot())


@functools.lru_cache(maxsize=64)
def is_numeric_style(style_path: str) -> bool:
    root = ElementTree.parse(style_path).getroot()
    return any("numeric" in (category.get("citation-format") or "") for category in root.iter(f"{{{_CSL}}}category"))


def run_pandoc_references(
    items: list[dict[str, Any]], style_path: str, outputs: list[str], together: bool = True
) -> tuple[list[dict[str, str] | None], dict[int, str]]:
    """One reference per item, in order ({output: text}, or None when pandoc made none), and
    pandoc's error message per item index it failed on.

    together=True formats the items in one bibliography per style variant
    (kb.citeproc_differences.style_variant; most works share one) with the style's rules
    between works off (fast); False formats each in a bibliography of its own (the plain
    reading of the style, about seven times slower). Both give each work the reference it has
    alone.
    """
    if not items:
        return [], {}
    with tempfile.TemporaryDirectory(prefix="kb-references-") as folder:
        variants = [citeproc_differences.style_variant(item) for item in items]
        batches: dict[tuple[str, ...], list[int]] = {}
        for index, variant in enumerate(variants):
            batches.setdefault(variant if together else (index, *variant), []).append(index)
        bibliographies = []
        for number, indexes in enumerate(batches.values()):
            variant = variants[indexes[0]]
            path = os.path.join(folder, f"{number}.json")
            Path(path).write_text(json.dumps([items[i] for i in indexes], ensure_ascii=False), encoding="utf-8")
            bibliographies.append(
                {
                    "path": path,
                    "csl": style_copy_path(style_path, between_works=not together, variant=variant),
                    "ids": [str(items[i]["id"]) for i in indexes],
                    "indexes": [i + 1 for i in indexes],
                }
            )
        request = {
            "bibliographies": bibliographies,
            "outputs": outputs,
            "together": together,
            "numeric": together and is_numeric_style(style_path),
            "punctuation_in_quote": style_traits(style_path)["punctuation_in_quote"],
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
    if isinstance(references, dict):  # a Lua table with holes comes out as {"1": ...}
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
