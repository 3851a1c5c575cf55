"""Facet counts kept in memory until the database file changes.

A supervisor's browsing repeats the same few pages (the articles page, one or two
filters), and facet counts only change when someone writes. So each facet query's
result is kept, keyed by its SQL and parameters, and dropped as soon as the database
file changes: its size or modification time, and those of its -wal file, are part of
the key (an immutable snapshot never changes). A facet that misses its time limit is
computed once more in the background without the limit, so the next load has it.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections import OrderedDict
from typing import Any

from datasette.database import QueryInterrupted
from datasette.utils import sqlite_timelimit

from .access import internal_headers

MAX_ENTRIES = 512
BACKGROUND_TIME_LIMIT_MS = 120_000

_results: OrderedDict[tuple, list[dict[str, Any]]] = OrderedDict()
_pending: dict[tuple, asyncio.Task] = {}


def file_state(db) -> tuple:
    """What changes when anyone commits to the database file."""
    if not db.is_mutable or not db.path:
        return ("immutable",)
    state = []
    for path in (db.path, f"{db.path}-wal"):
        try:
            stat = os.stat(path)
            state.append((stat.st_mtime_ns, stat.st_size))
        except FileNotFoundError:
            state.append(None)
    return tuple(state)


def _key(db, sql: str, params: Any) -> tuple:
    if isinstance(params, dict):
        frozen = tuple(sorted((k, str(v)) for k, v in params.items()))
    else:
        frozen = tuple(str(p) for p in (params or ()))
    return (db.name, file_state(db), sql, frozen)


def _store(key: tuple, rows: list[dict[str, Any]]) -> None:
    _results[key] = rows
    _results.move_to_end(key)
    while len(_results) > MAX_ENTRIES:
        _results.popitem(last=False)


async def cached_facet_rows(datasette, database: str, sql: str, params: Any) -> list[dict[str, Any]]:
    """The rows of a facet query, from memory when the file has not changed.

    Raises QueryInterrupted when the query misses the facet time limit (and then
    computes it in the background for the next request)."""
    db = datasette.get_database(database)
    key = _key(db, sql, params)
    if key in _results:
        _results.move_to_end(key)
        return _results[key]
    try:
        result = await db.execute(
            sql, params, truncate=False, custom_time_limit=datasette.setting("facet_time_limit_ms")
        )
    except QueryInterrupted:
        if key not in _pending:
            _pending[key] = asyncio.ensure_future(_compute_in_background(db, key, sql, params))
        raise
    rows = [dict(row) for row in result.rows]
    _store(key, rows)
    return rows


async def cached_query_rows(db, sql: str, params: Any) -> list[dict[str, Any]]:
    """Any other read of the pages (the network's most connected works) kept the same way
    until the file changes; under the SQL time limit, with no background retry."""
    key = _key(db, sql, params)
    if key in _results:
        _results.move_to_end(key)
        return _results[key]
    rows = [dict(row) for row in (await db.execute(sql, params, truncate=False)).rows]
    _store(key, rows)
    return rows


async def _compute_in_background(db, key: tuple, sql: str, params: Any) -> None:
    # Not db.execute: Datasette lets a query lower its time limit, never raise it, so a
    # retry through it stopped at sql_time_limit_ms too and a slow facet was never kept.
    def count(conn) -> list[dict[str, Any]]:
        with sqlite_timelimit(conn, BACKGROUND_TIME_LIMIT_MS):
            cursor = conn.execute(sql, params or {})
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]

    try:
        _store(key, await db.execute_fn(count))
    except Exception:  # a background refresh that fails leaves the facet to time out again, nothing worse
        pass
    finally:
        _pending.pop(key, None)


def clear() -> None:
    _results.clear()


async def settle() -> None:
    """Wait for background facet computations (benchmarks and tests)."""
    while _pending:
        await asyncio.gather(*list(_pending.values()), return_exceptions=True)


WARM_AT_WORKS = 50_000  # `plugins: kb: warm_at_works:` in metadata.yml overrides it


async def warm(datasette) -> None:
    """Load each big knowledge base's articles page once, so the first visitor finds
    the facet counts computed (the facets that miss the limit go on in the background)."""
    for name, db in list(datasette.databases.items()):
        try:
            if not await db.table_exists("articles"):
                continue
            threshold = int((datasette.plugin_config("kb", database=name) or {}).get("warm_at_works", WARM_AT_WORKS))
            works = (await db.execute("select max(rowid) from articles")).rows[0][0] or 0
            if works >= threshold:
                url = datasette.urls.table(name, "articles", format="json") + "?_size=1"
                await datasette.client.get(url, headers=internal_headers(datasette))  # past a server's logins
                print(f"kb: facet counts of {name} ({works:,} works) computed", file=sys.stderr, flush=True)
        except Exception:  # warming is an optimisation; a database it cannot read is left cold
            continue
