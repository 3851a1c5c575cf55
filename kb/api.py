"""The Python API for scripts: select works with kb's filters and export them.

    from kb import open_kb, select_works, export, bibliography

    kb = open_kb("thesis.db")
    keys = select_works(kb, tag="chapter-3", year="2008..2010")        # citekeys
    text = export(kb, "biblatex", tag="chapter-3")                      # a .bib file's text
    refs = bibliography(kb, style="apa", to="html", event="Lisbon Summit")

Filters are the keyword arguments of `kb export` (tag, author, organisation, event,
type, year, added_since, added_by, search, key, citing, cited_by, where); a repeatable
one takes a string or a list.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import exporting
from .db import connect
from .filters import FIELD_OF
from .query import WorkFilter, select_work_ids
from .store import Store


def open_kb(path: str | Path) -> Store:
    """An existing knowledge base (KbError when there is none at `path`)."""
    return Store(connect(path, must_exist=True))


def work_filter(**filters: Any) -> WorkFilter:
    """A WorkFilter from the filters' names in kb/filters.py (tag=..., cited_by=...); a
    WorkFilter field name (tags=...) is taken as it is."""
    return WorkFilter.from_options(**{FIELD_OF.get(name, name): value for name, value in filters.items()})


def select_works(kb: Store, **filters: Any) -> list[str]:
    """The citekeys of the works the filters select, sorted."""
    ids = select_work_ids(kb.conn, work_filter(**filters))
    if not ids:
        return []
    import json

    keys = dict(
        kb.conn.execute(
            "SELECT id, citekey FROM articles WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(ids),)
        )
    )
    return [keys[i] for i in ids]


def export(kb: Store, format: str = "bibtex", ascii: bool = False, **filters: Any) -> str:
    """The selected works as the text of a file in `format` (bibtex, biblatex, ris, csl-json, csv, yaml)."""
    return exporting.export(kb.conn, format, work_filter(**filters), ascii=ascii).text


def bibliography(kb: Store, style: str = "apa", to: str = "text", **filters: Any) -> str:
    """The selected works as a formatted bibliography (text, html or markdown); cached."""
    return exporting.bibliography(kb.conn, style, to, work_filter(**filters), store=kb).text
