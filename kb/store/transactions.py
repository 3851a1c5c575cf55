"""Transactions: one command, one transaction; a savepoint per record for --skip-invalid;
FTS triggers suspended during an import and the new rows indexed in one statement; an
import's new rows written in bulk (bulk.py); the history of each command (kb.history)
begun and ended with its transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from .. import history
from ..write_lock import begin_immediate
from .bulk import BulkRows, FlushingConnection
from .stamps import now
from .state import StoreState

if TYPE_CHECKING:
    from . import Store


class Transactions(StoreState):
    """The transactions part of `kb.store.Store` (see kb/store/__init__.py)."""

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """One command, one transaction: everything lands, or nothing does."""
        if self._in_transaction:
            yield self
            return
        begin_immediate(self.conn)  # waits its turn behind another writer, and says so
        self._in_transaction = True
        try:
            command_id = history.begin_command(self.conn, self.user, now()) if self.record_history else None
            yield self
            self.resolve_pending()
            if command_id is not None:
                history.end_command(self.conn, command_id)
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        finally:
            self._in_transaction = False
            self._pending.clear()
            self._saved_keys.clear()
            self._caches = None

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Undo one record's writes alone (for --skip-invalid) and forget what it queued."""
        mark = len(self._pending)
        saved_keys = dict(self._saved_keys)
        self.conn.execute("SAVEPOINT record")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK TO record")
            self.conn.execute("RELEASE record")
            del self._pending[mark:]
            self._saved_keys = saved_keys
            self._caches = None  # they may hold rows that were just undone
            raise
        self.conn.execute("RELEASE record")

    # Triggers that copy new rows into FTS5 tables. A trigger runs inside its statement's
    # savepoint, and FTS5 flushes its pending terms at every savepoint: one new index
    # segment per row, 60-80 us a row instead of 13. An import therefore suspends them
    # (inside its transaction, so a rollback puts them back) and indexes its new rows in
    # one statement at the end.
    _DEFERRED_FTS = {
        "articles_fts_insert": (
            "INSERT INTO articles_fts(rowid, title, container_title, abstract, notes, text) "
            "SELECT a.id, a.title, a.container_title, a.abstract, "
            "(SELECT group_concat(coalesce(quote, '') || ' ' || coalesce(comment, ''), ' ') FROM notes WHERE article_id = a.id), "
            "a.text FROM articles a WHERE a.id > ? AND a.id NOT IN (SELECT rowid FROM articles_fts WHERE rowid > ?)",
            "articles",
        ),
        "authors_fts_insert": (
            "INSERT INTO authors_fts(rowid, name) SELECT id, name FROM authors "
            "WHERE id > ? AND id NOT IN (SELECT rowid FROM authors_fts WHERE rowid > ?)",
            "authors",
        ),
    }

    @contextmanager
    def deferred_fts(self) -> Iterator[None]:
        """Within a transaction: index the rows added meanwhile in bulk when the block ends."""
        if not self._in_transaction:
            raise RuntimeError("deferred_fts needs a transaction")
        saved = []
        for trigger, (fill_sql, table) in self._DEFERRED_FTS.items():
            row = self.conn.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (trigger,)
            ).fetchone()
            if row is None:
                continue
            last_id = self.conn.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]
            self.conn.execute(f"DROP TRIGGER {trigger}")
            saved.append((row[0], fill_sql, last_id))
        with history.inserts_recorded_at_end(self.conn):  # the same trick for the history
            yield
        for create_sql, fill_sql, last_id in saved:
            self.conn.execute(fill_sql, (last_id, last_id))
            self.conn.execute(create_sql)

    @contextmanager
    def bulk_writes(self) -> Iterator[None]:
        """Within a transaction: queue new works' rows and write them with executemany
        (kb/store/bulk.py). Not for a block with savepoints: a rolled-back record's
        rows could be waiting in the queue."""
        if not self._in_transaction:
            raise RuntimeError("bulk_writes needs a transaction")
        if self._bulk is not None:
            yield
            return
        raw = self.conn
        self._bulk = BulkRows(raw)
        self._caches = None  # loaded whole at first use: new works are known by the cache alone
        self.conn = FlushingConnection(raw, self._bulk)  # type: ignore[assignment]  # the same interface
        try:
            yield
            self._bulk.flush()
        finally:
            self.conn = raw
            self._bulk = None
