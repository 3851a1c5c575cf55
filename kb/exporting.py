"""Export the works a filter selects: to a file format, or as a formatted bibliography.

The command line (`kb export`, `kb ref`), the Python API (`kb.export`) and the
Datasette renderers all come through here, so the same filter gives the same bytes
everywhere.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from .exporters import ExportResult, export_works
from .formatting import bibliography_text, cached_references, is_numeric, load_style, sort_key
from .query import WorkFilter, select_work_ids
from .store import Store


def export(conn: sqlite3.Connection, fmt: str, work_filter: WorkFilter | None = None, **options: Any) -> ExportResult:
    """The selected works in a format (bibtex, biblatex, ris, csl-json, csv, yaml)."""
    from .exporters import exporter

    exporter(fmt)  # an unknown format fails before any work is read
    return export_works(conn, select_work_ids(conn, work_filter), fmt, **options)


@dataclass
class Bibliography:
    text: str
    count: int
    formatted: int = 0  # works formatted now (the others came from the cache)
    failed: list[str] = field(default_factory=list)


def bibliography(
    conn: sqlite3.Connection,
    style: str = "apa",
    output: str = "text",
    work_filter: WorkFilter | None = None,
    store: Store | None = None,
    ids: list[int] | None = None,
) -> Bibliography:
    """A formatted bibliography of the selected works (or of `ids`, in that order).

    Author-date styles list the works alphabetically by their reference, numeric styles
    in the order given. With a `store`, newly formatted references are saved in the
    cache, so the next bibliography of unchanged works is not formatted again.
    """
    load_style(style)
    keep_order = ids is not None
    if ids is None:
        ids = select_work_ids(conn, work_filter)
    references, new_rows, failed = cached_references(conn, ids, style, output)
    if store is not None and new_rows:
        try:
            with store.transaction():
                store.save_references(new_rows)
        except sqlite3.OperationalError:  # a read-only file or a busy database: the cache is optional
            pass
    ordered = [references[i] for i in ids if i in references]
    if not keep_order and not is_numeric(style):
        ordered.sort(key=sort_key)
    return Bibliography(bibliography_text(ordered, style, output), len(ordered), len(new_rows) + len(failed), failed)
