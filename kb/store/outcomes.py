"""What a save did (SaveResult), an import's tally (Counts), and the store's small constants."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

ON_DUPLICATE = ("merge", "skip", "keep-both", "error")
KB_YAML_FORMAT = "yaml"  # kb.importers.kb_yaml.FORMAT: kb's own files, whose citekeys are kb's


@dataclass
class SaveResult:
    """What saving one record did: added, updated, merged, unchanged or skipped.

    `record_id` is the id of the row the record became or went into: a work's for a
    work, an organisation's, event's or person's for those."""

    outcome: str
    record_id: int | None
    citekey: str | None
    duplicate_of: str | None = None
    reason: str | None = None
    candidates: list[tuple[str, str]] = field(
        default_factory=list
    )  # (citekey, reason): maybe the same work, listed by kb dedupe

    @property
    def article_id(self) -> int | None:
        """The work's id (the name many callers use; `record_id` for any record)."""
        return self.record_id


@dataclass
class Counts:
    added: int = 0
    updated: int = 0
    merged: int = 0
    unchanged: int = 0
    skipped: int = 0
    skipped_reasons: list[str] = field(default_factory=list)

    def count(self, result: SaveResult) -> None:
        setattr(self, result.outcome, getattr(self, result.outcome) + 1)


@lru_cache(maxsize=64)  # every work of an import has the same columns: build the SQL once
def insert_sql(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
