"""The bulk write path of an import: new works and their rows queued, written with
`executemany` a table at a time, their ids assigned by the store.

Inside `Store.bulk_writes()`, a new work's `articles` row, its new people and tags and
its `article_authors`, `article_tags` and `article_sources` rows wait in a `BulkRows`
queue instead of being written one statement each. What makes that safe is one rule,
kept by `FlushingConnection`: every statement anyone runs on the store's connection
meanwhile (a look-up of an existing work, a merge, a candidate pair, a reference
resolved at the end) first writes the queue, so no statement ever sees the database
without the rows queued before it. Ids are the table's largest plus one, as SQLite
would give them (kb.history records an import's rows by their ids above each table's
largest), and are read again after every flush, since a statement in between may have
added rows of its own.

A savepoint (`--skip-invalid`) undoes one record's writes alone; the bulk path is not
used there: that import runs per record (kb.importing), so a rolled-back record never
has rows waiting in a queue.
"""

from __future__ import annotations

import sqlite3
from functools import lru_cache
from typing import Any

from .outcomes import insert_sql

# Tables whose new rows may wait, in the order they are written: parents before the
# rows that refer to them (foreign keys are checked as each row goes in).
ID_TABLES = ("authors", "tags", "articles")
LINK_TABLES = ("article_authors", "article_tags", "article_sources")


class BulkRows:
    """Rows waiting to be written: per table, its column names and the rows' values."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn  # the real connection (not the flushing one)
        self.rows: dict[tuple[str, str], list[tuple[Any, ...]]] = {}  # (table, SQL) -> values
        self.next_id: dict[str, int] = {}

    def new_id(self, table: str) -> int:
        """The id SQLite would give the next row of `table` (one of ID_TABLES)."""
        if table not in self.next_id:
            self.next_id[table] = self.conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0]
        row_id = self.next_id[table]
        self.next_id[table] = row_id + 1
        return row_id

    def add(
        self, table: str, columns: tuple[str, ...], values: tuple[Any, ...] | list[Any], verb: str = "INSERT"
    ) -> None:
        self.rows.setdefault((table, _statement(table, columns, verb)), []).append(tuple(values))

    def add_many(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]], verb: str = "INSERT") -> None:
        if rows:
            self.rows.setdefault((table, _statement(table, columns, verb)), []).extend(map(tuple, rows))

    def flush(self) -> None:
        """Write every waiting row, parents first; ids are read again at the next use."""
        if self.rows:
            order = {table: i for i, table in enumerate((*ID_TABLES, *LINK_TABLES))}
            waiting, self.rows = self.rows, {}
            for (_table, sql), rows in sorted(waiting.items(), key=lambda entry: order[entry[0][0]]):
                self.conn.executemany(sql, rows)
        self.next_id.clear()


@lru_cache(maxsize=64)  # a handful of statements, each asked for once a row
def _statement(table: str, columns: tuple[str, ...], verb: str) -> str:
    sql = insert_sql(table, columns)
    return sql if verb == "INSERT" else verb + sql[len("INSERT") :]


class FlushingConnection:
    """The store's connection during bulk writes: writes the queue before any statement."""

    def __init__(self, conn: sqlite3.Connection, queue: BulkRows):
        self._conn = conn
        self._queue = queue

    def execute(self, sql: str, parameters: Any = ()) -> sqlite3.Cursor:
        self._queue.flush()
        return self._conn.execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any) -> sqlite3.Cursor:
        self._queue.flush()
        return self._conn.executemany(sql, parameters)

    def executescript(self, sql: str) -> sqlite3.Cursor:
        self._queue.flush()
        return self._conn.executescript(sql)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)
