"""Import bookkeeping: the imports table, and which work an earlier import of the same
file made from a record (its provenance)."""

from __future__ import annotations

from .outcomes import Counts
from .stamps import now
from .state import StoreState


class Imports(StoreState):
    """The imports part of `kb.store.Store` (see kb/store/__init__.py)."""

    def start_import(self, file: str, format: str, checksum: str | None) -> int:
        cursor = self.conn.execute(
            "INSERT INTO imports (file, format, checksum, user, imported_at) VALUES (?, ?, ?, ?, ?)",
            (file, format, checksum, self.user, now()),
        )
        self._import_files[cursor.lastrowid] = file
        return cursor.lastrowid

    def sourced_from(self, article_id: int, file: str, but_not: int | None = None) -> bool:
        """Whether an earlier import of `file` brought or merged this work."""
        return (
            self.conn.execute(
                "SELECT 1 FROM article_sources s JOIN imports i ON i.id = s.import_id "
                "WHERE s.article_id = ? AND i.file = ? AND i.id IS NOT ?",
                (article_id, file, but_not),
            ).fetchone()
            is not None
        )

    def _provenance(self, import_id: int | None, source_key: str | None) -> int | None:
        """The work an earlier import of the same file made from the record with this key:
        that record's identity, whatever a later decision (keep-both, not-duplicate) split."""
        if import_id is None or not source_key:
            return None
        caches = self.caches
        if caches.source is None:
            caches.source = {
                (file, key): article_id
                for file, key, article_id in self.conn.execute(
                    "SELECT i.file, s.source_key, s.article_id FROM article_sources s JOIN imports i ON i.id = s.import_id "
                    "WHERE s.source_key IS NOT NULL ORDER BY s.import_id"
                )
            }
        file = self._import_files.get(import_id)
        return caches.source.get((file, source_key)) if file else None

    def finish_import(self, import_id: int, counts: Counts) -> None:
        self.conn.execute(
            "UPDATE imports SET added = ?, updated = ?, merged = ?, unchanged = ?, skipped = ? WHERE id = ?",
            (counts.added, counts.updated, counts.merged, counts.unchanged, counts.skipped, import_id),
        )
