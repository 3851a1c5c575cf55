"""Export renderers: `.bib`, `.biblatex`, `.ris` and `.csljson` for the works in view.

They work on the articles table (`/kb/articles.bib`), on any filtered view of it (the
filters a supervisor clicked: `?type=report&year__gte=2008&_search=nato`), on an
article's page (`/kb/articles/12.bib`) and on SQL queries, saved or not, that return
an `id` column of article ids (`/kb.bib?sql=select id from articles where ...`).

The export is always the whole result set, never just the page Datasette shows: for a
table view the renderer runs the page's own SQL again without its LIMIT (so every
filter Datasette or a plugin added is kept), for a query it runs the query again
without truncation, on Datasette's read-only connection. The selected ids then go
through kb's query layer and exporters (kb/query.py, kb/exporters/), the same code as
`kb export`, so the same filter gives the same bytes over HTTP as on the command line.

kb's own filters can be added with a `_kb_` prefix, exactly as `kb export` takes them:
`?_kb_tag=chapter-3&_kb_year=2008..2010&_kb_event=Lisbon%20Summit&_kb_cited_by=KEY`.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.utils import sqlite_timelimit
from datasette.utils.asgi import Response

from ..errors import KbError
from ..exporters import export_works, exporter
from ..filters import FILTERS
from ..query import WorkFilter, select_work_ids
from .bounds import time_limit_response, too_many

# URL extension -> kb export format
EXTENSIONS = {"bib": "bibtex", "biblatex": "biblatex", "ris": "ris", "csljson": "csl-json"}
# `_kb_<name>` query-string parameters: the filter vocabulary of `kb export` and the
# Python API (kb/filters.py), but for an SQL condition
KB_PARAMETERS = {f.name: f for f in FILTERS if f.over_http}
RELATION_PARAMETERS = ("tag", "author", "organisation", "event")
_TRAILING_LIMIT = re.compile(r"\s+limit\s+\d+(?:\s+offset\s+\d+)?\s*$", re.IGNORECASE)


def _kb_filter(request: Any, ids: list[int]) -> WorkFilter:
    options: dict[str, Any] = {"ids": ids}
    for name, spec in KB_PARAMETERS.items():
        values = request.args.getlist(f"_kb_{name}")
        if values:
            options[spec.field] = values if spec.repeatable else values[-1]
    return WorkFilter.from_options(**options)


async def _selected_ids(
    datasette: Any,
    database: str,
    table: str | None,
    view_name: str,
    sql: str | None,
    data: dict[str, Any],
    rows: list[Any],
    columns: list[str],
) -> list[int]:
    db = datasette.get_database(database)
    params = (data.get("query") or {}).get("params") or {}
    if view_name == "table" and sql:
        whole = _TRAILING_LIMIT.sub("", sql)  # the page's SQL, every filter kept, every page
        results = await db.execute(f"select id from ({whole})", params)
        return [row[0] for row in results.rows]
    if view_name in ("database", "query") and sql:
        results = await db.execute(sql, params, truncate=False)  # not cut at max_returned_rows
        names = [d[0] for d in results.description]
        position = names.index("id")
        return [row[position] for row in results.rows if row[position] is not None]
    position = columns.index("id")
    return [row[position] for row in rows]


def _renderer(extension: str, fmt: str):
    module = exporter(fmt)

    async def render(datasette, database, table, sql, view_name, data, rows, columns, request):
        if not _can_render(table, columns, view_name):
            return Response.text(
                f"Error: .{extension} exports the articles table, or a query with an id column of article ids\n",
                status=400,
            )
        count = sum(len(request.args.getlist(f"_kb_{name}")) for name in RELATION_PARAMETERS)
        if too_many(count):
            return Response.text(f"Error: {too_many(count)}\n", status=400)
        time_limit_ms = datasette.setting("sql_time_limit_ms")
        try:
            ids = await _selected_ids(datasette, database, table, view_name, sql, data, rows, columns)
            work_filter = _kb_filter(request, ids)

            def run(conn):
                # Selecting the works is bounded like any query; exporting all of them is not.
                with sqlite_timelimit(conn, time_limit_ms):
                    selected = select_work_ids(conn, work_filter)
                return export_works(conn, selected, fmt)

            result = await datasette.get_database(database).execute_fn(run)
        except KbError as exc:
            return Response.text(f"Error: {exc}\n", status=400)
        except QueryInterrupted:
            return time_limit_response()
        except sqlite3.OperationalError as exc:
            if "interrupted" not in str(exc):
                raise
            return time_limit_response()
        headers = {"X-Kb-Works": str(result.count), "X-Kb-Not-Exported": str(len(result.losses))}
        return Response(result.text, content_type=module.MEDIA_TYPE, headers=headers)

    return render


def _can_render(table, columns, view_name) -> bool:
    if table is not None:
        return table == "articles"
    return view_name in ("database", "query") and "id" in (columns or [])


@hookimpl
def register_output_renderer(datasette):
    return [
        {"extension": extension, "render": _renderer(extension, fmt), "can_render": _can_render}
        for extension, fmt in EXTENSIONS.items()
    ]
