"""The only code that writes to a knowledge base.

A command opens a Store, does all its writing inside `store.transaction()` and either
commits everything or nothing. Identity rules decide whether a record is new or one
the knowledge base already holds:

- works: looked up by citekey, DOI, normalised URL, ISBN of a book, then the fuzzy
  rules of `kb.dedupe`; `kb.identity_rules` judges whether what they share makes them
  one work (merge), maybe one (both kept, the pair listed by `kb dedupe`) or two;
  pairs marked "not duplicates" are never merged; a merged record is kept as it came
  (`kb.merging`);
- organisations: name, acronym or alias, events: name or alias, tags: name, each
  compared by the folded key of `kb.lookup` (the one rule every interface uses; the
  store writes the keys beside the names, see `_keys` helpers below);
- people: their folded name (`kb.names.name_key`).

Names the records use for one another (a work's events, an organisation's parent, a
citation's target) are resolved when the transaction ends, so the records of one
command may arrive in any order.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from . import dedupe, history, identity_rules, lookup, merging
from .csl import article_columns, clean_item, creators, item_json
from .curation import Curation
from .dates import parse_partial_date
from .errors import KbError
from .keys import citekey_base, is_valid_citekey, title_key, unique_citekey
from .model import (
    CITATION_RELATIONS,
    LINK_RELATIONS,
    LINK_SOURCES,
    READING_STATUSES,
    EventRecord,
    NoteRecord,
    OrganisationRecord,
    PersonRecord,
    WorkRecord,
)
from .names import display_name, name_key
from .write_lock import begin_immediate

if TYPE_CHECKING:
    import sqlite_utils

ON_DUPLICATE = ("merge", "skip", "keep-both", "error")
KB_YAML_FORMAT = "yaml"  # kb.importers.kb_yaml.FORMAT: kb's own files, whose citekeys are kb's
# A link target table -> (the join table, its target column).
_LINK_TABLES = {"events": ("article_events", "event_id"), "organisations": ("article_organisations", "organisation_id")}


_last_stamp: tuple[int, str] = (-1, "")


def now() -> str:
    """The UTC time to the second, as ISO text. An import stamps every work, so the text
    is made once a second rather than once a work."""
    global _last_stamp
    second = int(time.time())
    if _last_stamp[0] != second:
        moment = datetime.fromtimestamp(second, timezone.utc)
        _last_stamp = (second, moment.isoformat().replace("+00:00", "Z"))
    return _last_stamp[1]


def current_user() -> str:
    return os.environ.get("KB_USER") or getpass.getuser()


@dataclass
class SaveResult:
    """What saving one work did: added, updated, merged, unchanged or skipped."""

    outcome: str
    article_id: int | None
    citekey: str | None
    duplicate_of: str | None = None
    reason: str | None = None
    candidates: list[tuple[str, str]] = field(
        default_factory=list
    )  # (citekey, reason): maybe the same work, listed by kb dedupe


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


@dataclass
class _Pending:
    """A reference by name, resolved when the transaction ends."""

    kind: str
    source_id: int
    name: str
    detail: dict[str, Any]
    origin: str | None


class Store(Curation):  # edit, remove, unlink: kb/curation.py
    def __init__(self, db: sqlite_utils.Database, user: str | None = None):
        self.db = db
        self.conn = db.conn
        self.user = user or current_user()
        self._pending: list[_Pending] = []
        # Citekey a record asked for -> the key its work has (it merged into another work,
        # or the key was taken), so citations between one command's records land right
        # whatever order they come in.
        self._saved_keys: dict[str, str] = {}
        self._caches: dict[str, Any] | None = None
        # Import id -> its file. Not a cache: a savepoint's rollback drops the caches,
        # and the import row it names is still there.
        self._import_files: dict[int, str] = {}
        self._in_transaction = False
        # Every command's changes go to the history (kb log, kb undo); `kb build` makes a
        # fresh knowledge base from a dump and starts it with an empty history.
        self.record_history = True

    # -- transactions ---------------------------------------------------------

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

    # -- bulk writes ----------------------------------------------------------------

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

    # -- identity caches: one read per command, then dictionary look-ups ---------

    @property
    def caches(self) -> dict[str, Any]:
        if self._caches is None:
            caches: dict[str, Any] = {
                "citekey": {},
                "doi_key": {},
                "url_key": {},
                "isbn_key": {},
                "title_key": {},
                "author": {},
                "author_parts": {},
                "tag": {},
                "organisation": None,
                "event": None,
            }
            for row in self.conn.execute("SELECT id, citekey, doi_key, url_key, isbn_key, title_key FROM articles"):
                self._index_work(
                    caches, row[0], dict(zip(("citekey", "doi_key", "url_key", "isbn_key", "title_key"), row[1:]))
                )
            caches["author"] = dict(self.conn.execute("SELECT name_key, id FROM authors").fetchall())
            caches["tag"] = dict(self.conn.execute("SELECT name, id FROM tags").fetchall())
            self._caches = caches
        return self._caches

    @staticmethod
    def _index_work(caches: dict[str, Any], article_id: int, keys: dict[str, Any]) -> None:
        caches["citekey"][keys["citekey"]] = article_id
        for column in ("doi_key", "url_key", "isbn_key"):
            if keys.get(column):
                caches[column].setdefault(keys[column], article_id)
        if keys.get("title_key"):
            caches["title_key"].setdefault(keys["title_key"], []).append(article_id)

    # -- imports ------------------------------------------------------------------

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
        if caches.get("source") is None:
            caches["source"] = {
                (file, key): article_id
                for file, key, article_id in self.conn.execute(
                    "SELECT i.file, s.source_key, s.article_id FROM article_sources s JOIN imports i ON i.id = s.import_id "
                    "WHERE s.source_key IS NOT NULL ORDER BY s.import_id"
                )
            }
        file = self._import_files.get(import_id)
        return caches["source"].get((file, source_key)) if file else None

    def finish_import(self, import_id: int, counts: Counts) -> None:
        self.conn.execute(
            "UPDATE imports SET added = ?, updated = ?, merged = ?, unchanged = ?, skipped = ? WHERE id = ?",
            (counts.added, counts.updated, counts.merged, counts.unchanged, counts.skipped, import_id),
        )

    # -- works --------------------------------------------------------------------

    def find_work(self, key: str) -> int | None:
        """A work's id by citekey, DOI or URL (kb.lookup's rule, from this command's caches)."""
        caches = self.caches
        for column, value in lookup.work_identifiers(key):
            if value in caches[column]:
                return caches[column][value]
        return self._citekey_alias(key)  # the citekey of a work merged into another by hand

    def require_work(self, key: str, where: str | None = None) -> int:
        article_id = self.find_work(key)
        if article_id is None:
            raise lookup.work_not_found(self.conn, key, where=where)
        return article_id

    def citekey_of(self, article_id: int) -> str:
        return self.conn.execute("SELECT citekey FROM articles WHERE id = ?", (article_id,)).fetchone()[0]

    def rename_work(self, article_id: int, new_key: str | None = None) -> str:
        """Give a work a new citekey: `new_key`, or the formula's key for it now."""
        old_key = self.citekey_of(article_id)
        item = json.loads(self.conn.execute("SELECT csl_json FROM articles WHERE id = ?", (article_id,)).fetchone()[0])
        if new_key is not None and not is_valid_citekey(new_key):
            raise KbError(f"citekey {new_key!r} has spaces or characters a citekey cannot hold")
        if new_key is not None and new_key != old_key and new_key in self.caches["citekey"]:
            raise KbError(f"the citekey {new_key!r} is taken")
        if new_key is None:
            new_key = unique_citekey(citekey_base(item), lambda k: k in self.caches["citekey"] and k != old_key)
        if new_key != old_key:
            self.conn.execute(
                "UPDATE articles SET citekey = ?, updated_at = ? WHERE id = ?", (new_key, now(), article_id)
            )
            del self.caches["citekey"][old_key]
            self.caches["citekey"][new_key] = article_id
        return new_key

    def save_work(self, record: WorkRecord, on_duplicate: str = "merge", import_id: int | None = None) -> SaveResult:
        """Add a work, or merge it into the work it duplicates."""
        result = self._save_work(record, on_duplicate, import_id)
        asked = record.item.get("id")
        if asked and result.citekey and str(asked).strip() != result.citekey:
            self._saved_keys[str(asked).strip()] = result.citekey
        return result

    def _save_work(self, record: WorkRecord, on_duplicate: str, import_id: int | None) -> SaveResult:
        if on_duplicate not in ON_DUPLICATE:
            raise ValueError(on_duplicate)
        where = record.origin
        item = clean_item(record.item, where)
        wanted_key = item.pop("id", None)
        if wanted_key is not None:
            wanted_key = str(wanted_key).strip()
            if not is_valid_citekey(wanted_key):
                raise KbError(f"citekey {wanted_key!r} has spaces or characters a citekey cannot hold", where)
        if not item.get("title") and not wanted_key and not set(item) - {"type"}:
            # A work may lack a title (none is invented), not everything that tells it apart.
            raise KbError("a work needs a title, a citekey or another field to tell it by", where)
        if record.status and record.status not in READING_STATUSES:
            raise KbError(f"unknown reading status {record.status!r} (one of {', '.join(READING_STATUSES)})", where)
        columns = article_columns(item)
        existing_id, matched_by, reason, candidates = self._find_duplicate(wanted_key, columns, item, import_id)
        if existing_id is not None:
            existing_key = self.citekey_of(existing_id)
            if on_duplicate == "error":
                title = self.conn.execute("SELECT title FROM articles WHERE id = ?", (existing_id,)).fetchone()[0]
                raise KbError(
                    f"this work is already in the knowledge base as {existing_key} (same {matched_by}: {title!r}); "
                    f"add it anyway with --force, or --not-duplicate-of {existing_key}",
                    where,
                )
            if on_duplicate == "skip":
                return SaveResult(
                    "skipped",
                    existing_id,
                    existing_key,
                    existing_key,
                    f"duplicate of {existing_key} ({reason or f'same {matched_by}'})",
                )
            if on_duplicate == "merge":
                return self._merge_work(
                    existing_id, existing_key, matched_by, reason or f"same {matched_by}", item, record, import_id
                )
            wanted_key = None if wanted_key == existing_key else wanted_key
        result = self._insert_work(wanted_key, item, columns, record, import_id)
        for other_id, reason in candidates:
            self.record_candidate(result.article_id, other_id, reason)
        if candidates:
            result.candidates = [(self.citekey_of(other_id), reason) for other_id, reason in candidates]
        return result

    def _find_duplicate(
        self, wanted_key: str | None, columns: dict[str, Any], item: dict[str, Any], import_id: int | None = None
    ) -> tuple[int | None, str | None, str | None, list[tuple[int, str]]]:
        """The work this record is, by the rules of `kb.identity_rules`: (its id, what
        matched, why they are one work, the works it may be but was not merged with and why)."""
        caches = self.caches
        known = self._provenance(import_id, wanted_key)
        if known is not None:
            row = self.conn.execute("SELECT title_key FROM articles WHERE id = ?", (known,)).fetchone()
            # The record an earlier import of this file brought: the same work while the
            # titles agree, or when the work keeps that record (a merge by hand).
            if row is not None and (
                _same_or_missing_title(row[0], columns["title_key"])
                or self.conn.execute(
                    "SELECT 1 FROM merged_records WHERE article_id = ? AND ? IN (source_key, citekey)",
                    (known, wanted_key),
                ).fetchone()
            ):
                return known, "citekey", "the same record of the same file", []
        if wanted_key and self._import_format(import_id) == KB_YAML_FORMAT:
            # kb's own file names kb's own citekey: that is the work, whatever was edited,
            # unless title, first author and year all differ (another kb's key for another work).
            own = caches["citekey"].get(wanted_key) or self._citekey_alias(wanted_key)
            if own is not None and self._same_kb_work(own, columns, item):
                return own, "kb citekey", "kb's own citekey in kb's own format", []
        new_facts: list[
            identity_rules.Facts
        ] = []  # made at the first look-up that finds a work: most records find none
        candidates: dict[int, str] = {}
        judged: set[int] = {known} if known is not None else set()
        reasons: dict[int, str] = {}

        def first_merge(ids: list[int], evidence: str) -> int | None:
            for article_id in ids:
                if article_id in judged:
                    continue
                judged.add(article_id)
                if known is not None and dedupe.is_not_duplicate(self.conn, article_id, known):
                    continue
                if not new_facts:
                    new_facts.append(identity_rules.facts(columns, item))
                verdict = identity_rules.judge(new_facts[0], self._facts(article_id), evidence)
                if verdict.kind == identity_rules.MERGE:
                    reasons[article_id] = verdict.reason
                    return article_id
                if verdict.kind == identity_rules.CANDIDATE:
                    candidates.setdefault(article_id, verdict.reason)
            return None

        if wanted_key and wanted_key in caches["citekey"]:
            found = first_merge([caches["citekey"][wanted_key]], "citekey")
            if found is not None:
                return found, "citekey", reasons[found], []
        elif wanted_key and wanted_key in self._aliases():
            # The citekey of a work merged by hand into another: that work, while the
            # record's title agrees with the one kept from the merge.
            found = self._aliases()[wanted_key]
            kept = self.conn.execute(
                "SELECT csl_json FROM merged_records WHERE article_id = ? AND citekey = ?", (found, wanted_key)
            ).fetchone()
            if kept is None or _same_or_missing_title(
                title_key(json.loads(kept[0]).get("title")), columns["title_key"]
            ):
                return found, "citekey", "the citekey of a work merged into this one", []
        for column, label in (("doi_key", "DOI"), ("url_key", "URL"), ("isbn_key", "ISBN")):
            value = columns.get(column)
            if value and value in caches[column]:
                holders = self._works_with(column, value, caches[column][value])
                if len(holders) > 1:
                    # A record without a key in its file, given back by `kb unmerge` (which
                    # marks it not a duplicate) and imported again: the work that is exactly
                    # this record is this record.
                    text = item_json(item)
                    for article_id in holders:
                        if self.conn.execute(
                            "SELECT 1 FROM articles WHERE id = ?1 AND csl_json = ?2 AND EXISTS (SELECT 1 FROM not_duplicates "
                            "WHERE article_a = ?1 OR article_b = ?1)",
                            (article_id, text),
                        ).fetchone():
                            return article_id, "same record", "exactly this record", []
                found = first_merge(holders, label)
                if found is not None:
                    return found, label, reasons[found], []
        found = first_merge(dedupe.find_fuzzy_duplicates(self, columns, item), "title, first author and year")
        if found is not None:
            return found, "title, first author and year", reasons[found], []
        return None, None, None, list(candidates.items())

    def _same_kb_work(self, article_id: int, columns: dict[str, Any], item: dict[str, Any]) -> bool:
        """Whether a kb YAML record with this work's citekey is this work, edited: its
        title agrees, or its first author and year are the work's."""
        row = self.conn.execute("SELECT title_key, year, csl_json FROM articles WHERE id = ?", (article_id,)).fetchone()
        if identity_rules.titles_agree(row[0], columns["title_key"]) or not (row[0] or columns["title_key"]):
            return True
        return row[1] == columns.get("year") and dedupe.first_family(json.loads(row[2])) == dedupe.first_family(item)

    def _works_with(self, column: str, value: str, first: int) -> list[int]:
        """Every work holding an identifier, the one the cache knows first."""
        others = [
            row[0]
            for row in self.conn.execute(
                f"SELECT id FROM articles WHERE {column} = ? AND id != ? ORDER BY id", (value, first)
            )
        ]
        return [first, *others]

    def _facts(self, article_id: int) -> identity_rules.Facts:
        row = self.conn.execute(
            "SELECT type, title_key, year, doi_key, csl_json FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return identity_rules.facts_of_row(*row)

    def _import_format(self, import_id: int | None) -> str | None:
        if import_id is None:
            return None
        formats = self.caches.setdefault("import_format", {})
        if import_id not in formats:
            row = self.conn.execute("SELECT format FROM imports WHERE id = ?", (import_id,)).fetchone()
            formats[import_id] = row[0] if row else None
        return formats[import_id]

    def _aliases(self) -> dict[str, int]:
        """Citekeys of works merged by hand (kb merge) -> the work they went into."""
        caches = self.caches
        if caches.get("aliases") is None:
            caches["aliases"] = dict(self.conn.execute("SELECT alias, article_id FROM citekey_aliases"))
        return caches["aliases"]

    def _citekey_alias(self, key: str) -> int | None:
        return self._aliases().get(key)

    def record_candidate(self, a: int, b: int, reason: str) -> None:
        """Two works that may be one: `kb dedupe` lists them with the reason."""
        if a != b:
            self.conn.execute(
                "INSERT OR IGNORE INTO duplicate_candidates (article_a, article_b, reason) VALUES (?, ?, ?)",
                (min(a, b), max(a, b), reason),
            )

    def mark_not_duplicates(self, a: int, b: int) -> None:
        if a != b:
            self.conn.execute(
                "INSERT OR IGNORE INTO not_duplicates (article_a, article_b) VALUES (?, ?)", (min(a, b), max(a, b))
            )
            self.conn.execute(
                "DELETE FROM duplicate_candidates WHERE article_a = ? AND article_b = ?", (min(a, b), max(a, b))
            )

    def _new_citekey(self, wanted: str | None, item: dict[str, Any]) -> str:
        taken = self.caches["citekey"].__contains__
        if wanted and not taken(wanted):
            return wanted
        return unique_citekey(wanted or citekey_base(item), taken)

    def _insert_work(
        self,
        wanted_key: str | None,
        item: dict[str, Any],
        columns: dict[str, Any],
        record: WorkRecord,
        import_id: int | None,
    ) -> SaveResult:
        citekey = self._new_citekey(wanted_key, item)
        stamp = record.added_at or now()
        row = dict(columns)
        row.update(
            citekey=citekey,
            status=record.status,
            needs_review=int(record.needs_review),
            added_by=record.added_by or self.user,
            added_at=stamp,
            updated_at=stamp,
            import_id=import_id,
            csl_json=item_json(item),
            extra_json=json.dumps(record.extra, sort_keys=True, ensure_ascii=False) if record.extra else None,
            text=record.text,
        )
        article_id = self.conn.execute(_insert_sql("articles", tuple(row)), list(row.values())).lastrowid
        self._index_work(self.caches, article_id, row)
        dedupe.remember(self, article_id, columns, item)
        self._save_creators(article_id, item)
        self._save_links(article_id, record, new=True)
        if import_id is not None:
            self.conn.execute(
                "INSERT OR IGNORE INTO article_sources (article_id, import_id, source_key) VALUES (?, ?, ?)",
                (article_id, import_id, wanted_key),
            )
            if wanted_key and self.caches.get("source") is not None:
                self.caches["source"].setdefault((self._import_files.get(import_id), wanted_key), article_id)
        return SaveResult("added", article_id, citekey)

    def _merge_work(
        self,
        article_id: int,
        citekey: str,
        matched_by: str,
        reason: str,
        item: dict[str, Any],
        record: WorkRecord,
        import_id: int | None,
    ) -> SaveResult:
        row = self.conn.execute(
            "SELECT csl_json, extra_json, text, status, needs_review FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        old_item = json.loads(row[0])
        if matched_by == "kb citekey":
            merged = {**old_item, **item}  # kb's own file: its values are the work's (an edited export)
        else:
            merged = dict(old_item)
            for key, value in item.items():
                if key not in merged:
                    merged[key] = value  # what the knowledge base has, it keeps; gaps are filled
        old_extra = json.loads(row[1]) if row[1] else {}
        merged_extra = {
            fmt: {**record.extra.get(fmt, {}), **old_extra.get(fmt, {})} for fmt in {*old_extra, *record.extra}
        }
        changes: dict[str, Any] = {}
        if merged != old_item:
            changes.update(article_columns(merged), csl_json=item_json(merged))
        if merged_extra != old_extra:
            changes["extra_json"] = json.dumps(merged_extra, sort_keys=True, ensure_ascii=False)
        if record.text and not row[2]:
            changes["text"] = record.text
        if record.status and not row[3]:
            changes["status"] = record.status
        if row[4] and not record.needs_review and merged != old_item:
            changes["needs_review"] = 0
        # Another source's record of this work: kept as it came, so `kb unmerge` can give it back.
        absorbed = matched_by not in ("citekey", "kb citekey", "same record")
        tags_before = merging.tag_names(self, article_id) if absorbed and record.tags else set()
        links_changed = self._save_links(article_id, record)
        if (
            merged.get("author") != old_item.get("author")
            or merged.get("editor") != old_item.get("editor")
            or merged.get("translator") != old_item.get("translator")
        ):
            self.conn.execute("DELETE FROM article_authors WHERE article_id = ?", (article_id,))
            self._save_creators(article_id, merged)
        if import_id is not None:
            self.conn.execute(
                "INSERT OR IGNORE INTO article_sources (article_id, import_id, source_key) VALUES (?, ?, ?)",
                (article_id, import_id, record.item.get("id")),
            )
        if absorbed:
            merging.keep_merged_record(
                self,
                article_id,
                import_id=import_id,
                source_key=record.item.get("id"),
                citekey=None,
                origin=record.origin,
                reason=reason,
                item=item,
                extra=record.extra,
                links=merging.record_links(record, tags_before),
                filled={key: value for key, value in item.items() if key not in old_item},
                filled_extra={
                    fmt: {k: v for k, v in fields.items() if k not in old_extra.get(fmt, {})}
                    for fmt, fields in record.extra.items()
                },
            )
        duplicate_of = citekey if absorbed else None
        if not changes and not links_changed:
            return SaveResult("unchanged", article_id, citekey, duplicate_of, reason)
        if changes:
            changes["updated_at"] = now()
            assignments = ", ".join(f"{name} = ?" for name in changes)
            self.conn.execute(f"UPDATE articles SET {assignments} WHERE id = ?", [*changes.values(), article_id])
            self._index_work(self.caches, article_id, {"citekey": citekey, **article_columns(merged)})
        outcome = "merged" if absorbed else "updated"
        return SaveResult(outcome, article_id, citekey, duplicate_of, reason)

    def replace_item(self, article_id: int, item: dict[str, Any], extra: dict[str, Any] | None = None) -> None:
        """Write a work's CSL item (and extra fields) anew: columns, creators, caches."""
        changes: dict[str, Any] = {**article_columns(item), "csl_json": item_json(item), "updated_at": now()}
        if extra is not None:
            changes["extra_json"] = json.dumps(extra, sort_keys=True, ensure_ascii=False) if extra else None
        self.conn.execute(
            f"UPDATE articles SET {', '.join(f'{name} = ?' for name in changes)} WHERE id = ?",
            [*changes.values(), article_id],
        )
        self.conn.execute("DELETE FROM article_authors WHERE article_id = ?", (article_id,))
        self._save_creators(article_id, item)
        self._caches = None  # identifiers may have changed: read them again when next needed

    def merge_works(self, keep_id: int, other_id: int) -> dict[str, int]:
        """Merge the work `other_id` into `keep_id` by hand (kb merge): see kb.merging."""
        return merging.merge_works(self, keep_id, other_id)

    def unmerge(self, article_id: int, source: str) -> tuple[int, str]:
        """Give a record merged into a work back as its own work (kb unmerge): see kb.merging."""
        return merging.unmerge(self, article_id, source)

    def _save_creators(self, article_id: int, item: dict[str, Any]) -> None:
        rows = [(article_id, self.author_id(name), role, position) for role, position, name in creators(item)]
        self.conn.executemany(
            "INSERT INTO article_authors (article_id, author_id, role, position) VALUES (?, ?, ?, ?)", rows
        )

    def author_id(self, name: dict[str, Any]) -> int:
        # The same person recurs across a bibliography: look the name up by its parts
        # before folding it into its key.
        parts = (
            name.get("literal"),
            name.get("family"),
            name.get("given"),
            name.get("non-dropping-particle"),
            name.get("dropping-particle"),
        )
        by_parts = self.caches["author_parts"]
        if parts in by_parts:
            return by_parts[parts]
        key = name_key(name)
        cache = self.caches["author"]
        if key in cache:
            by_parts[parts] = cache[key]
            return cache[key]
        literal = name.get("literal")
        author_id = self.conn.execute(
            "INSERT INTO authors (name, family, given, particle, suffix, is_organisation, name_key, family_key) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                display_name(name),
                name.get("family"),
                name.get("given"),
                name.get("non-dropping-particle") or name.get("dropping-particle"),
                name.get("suffix"),
                int(bool(literal)),
                key,
                lookup.author_keys(name)["family_key"],
            ),
        ).lastrowid
        cache[key] = by_parts[parts] = author_id
        return author_id

    def _save_links(self, article_id: int, record: WorkRecord, new: bool = False) -> bool:
        """Tags now; events, organisations, citations and notes once all names are known.

        A `new` work's tags go in one executemany (a library has several tags a work,
        one statement each cost a tenth of a large import); whether each link was new
        is only asked of a work that already existed.
        """
        changed = False
        if new:
            tag_ids = [
                tag_id for tag_id in dict.fromkeys(self._tag_id(name) for name in record.tags) if tag_id is not None
            ]
            self.conn.executemany(
                "INSERT OR IGNORE INTO article_tags (article_id, tag_id) VALUES (?, ?)",
                [(article_id, tag_id) for tag_id in tag_ids],
            )
            changed = bool(tag_ids)
        else:
            for tag in record.tags:
                changed |= self.tag(article_id, tag)
        for link in record.events:
            self._pending.append(
                _Pending(
                    "article_event",
                    article_id,
                    link.name,
                    {"relation": link.relation, "source": link.source},
                    record.origin,
                )
            )
        for link in record.organisations:
            self._pending.append(
                _Pending(
                    "article_organisation",
                    article_id,
                    link.name,
                    {"relation": link.relation, "source": link.source},
                    record.origin,
                )
            )
        for ref in record.cites:
            self._pending.append(
                _Pending(
                    "citation",
                    article_id,
                    ref.key,
                    {"relation": ref.relation, "locator": ref.locator, "context": ref.context},
                    record.origin,
                )
            )
        for note in record.notes:
            changed |= self.add_note(article_id, note, record.origin)
        return changed

    def tag(self, article_id: int, name: str) -> bool:
        tag_id = self._tag_id(name)
        if tag_id is None:
            return False
        return (
            self.conn.execute(
                "INSERT OR IGNORE INTO article_tags (article_id, tag_id) VALUES (?, ?)", (article_id, tag_id)
            ).rowcount
            > 0
        )

    def _tag_id(self, name: str) -> int | None:
        """The id of the tag `name` (white space folded), made when new; None for a blank name.

        Tags are kept as each researcher wrote them ("Remote sensing", "remote-sensing");
        a look-up by name finds all of them through their shared key (kb.lookup)."""
        name = " ".join(str(name).split())
        if not name:
            return None
        cache = self.caches["tag"]
        if name not in cache:
            cache[name] = self.conn.execute(
                "INSERT INTO tags (name, name_key) VALUES (?, ?)", (name, lookup.tag_keys(name)["name_key"])
            ).lastrowid
        return cache[name]

    def set_status(self, article_id: int, status: str) -> None:
        if status not in READING_STATUSES:
            raise KbError(f"unknown reading status {status!r} (one of {', '.join(READING_STATUSES)})")
        self.conn.execute("UPDATE articles SET status = ?, updated_at = ? WHERE id = ?", (status, now(), article_id))

    # -- notes ----------------------------------------------------------------------

    def add_note(self, article_id: int, note: NoteRecord, where: str | None = None) -> bool:
        if not (note.comment or note.quote):
            raise KbError("a note needs a comment or a quote", where)
        event_id = self.require_event(note.event, where) if note.event else None
        organisation_id = self.require_organisation(note.organisation, where) if note.organisation else None
        duplicate = self.conn.execute(
            "SELECT 1 FROM notes WHERE article_id = ? AND comment IS ? AND quote IS ? AND locator IS ?",
            (article_id, note.comment, note.quote, note.locator),
        ).fetchone()
        if duplicate:
            return False  # the same note imported again
        self.conn.execute(
            "INSERT INTO notes (article_id, locator, quote, comment, event_id, organisation_id, added_by, added_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                article_id,
                note.locator,
                note.quote,
                note.comment,
                event_id,
                organisation_id,
                note.added_by or self.user,
                note.added_at or now(),
            ),
        )
        return True

    # -- organisations and events ------------------------------------------------------

    def _name_index(self, kind: str) -> dict[str, int]:
        """kb.lookup's keys of every organisation (or event) -> id, read once a command."""
        caches = self.caches
        if caches[kind] is None:
            caches[kind] = lookup.name_index(self.conn, kind)
        return caches[kind]

    def find_organisation(self, name: str) -> int | None:
        return self._name_index("organisation").get(lookup.name_key(name))

    def find_event(self, name: str) -> int | None:
        return self._name_index("event").get(lookup.name_key(name))

    def require_organisation(self, name: str, where: str | None = None) -> int:
        found = self.find_organisation(name)
        if found is None:
            raise lookup.not_found("organisation", name, lambda: self._names("organisation"), where=where)
        return found

    def require_event(self, name: str, where: str | None = None) -> int:
        found = self.find_event(name)
        if found is None:
            raise lookup.not_found("event", name, lambda: self._names("event"), where=where)
        return found

    def _names(self, kind: str) -> list[str]:
        return [text for text, _ in lookup.names_of(self.conn, kind)]

    # The look-up keys of a row, from its names: every insert or rename goes through these.

    def _organisation_keys(self, organisation_id: int) -> None:
        name, acronym = self.conn.execute(
            "SELECT name, acronym FROM organisations WHERE id = ?", (organisation_id,)
        ).fetchone()
        keys = lookup.organisation_keys(name, acronym)
        self.conn.execute(
            "UPDATE organisations SET name_key = ?, acronym_key = ? WHERE id = ?",
            (keys["name_key"], keys["acronym_key"], organisation_id),
        )

    def _event_keys(self, event_id: int) -> None:
        name = self.conn.execute("SELECT name FROM events WHERE id = ?", (event_id,)).fetchone()[0]
        self.conn.execute(
            "UPDATE events SET name_key = ? WHERE id = ?", (lookup.event_keys(name)["name_key"], event_id)
        )

    def refresh_lookup_keys(self, table: str, row_id: int) -> None:
        """Write again the look-up keys of a row whose name, acronym or alias changed
        (organisations, events, tags, organisation_aliases, event_aliases)."""
        if table == "organisations":
            self._organisation_keys(row_id)
        elif table == "events":
            self._event_keys(row_id)
        elif table == "tags":
            name = self.conn.execute("SELECT name FROM tags WHERE id = ?", (row_id,)).fetchone()[0]
            self.conn.execute("UPDATE tags SET name_key = ? WHERE id = ?", (lookup.tag_keys(name)["name_key"], row_id))
        elif table in ("organisation_aliases", "event_aliases"):
            alias = self.conn.execute(f"SELECT alias FROM {table} WHERE id = ?", (row_id,)).fetchone()[0]
            self.conn.execute(
                f"UPDATE {table} SET alias_key = ? WHERE id = ?", (lookup.alias_keys(alias)["alias_key"], row_id)
            )
        else:
            raise ValueError(table)
        if self._caches is not None:
            self._caches["organisation"] = self._caches["event"] = None

    def save_organisation(self, record: OrganisationRecord) -> tuple[str, int]:
        """Add an organisation or fill in the one with that name, acronym or alias."""
        name = " ".join(record.name.split())
        if not name:
            raise KbError("an organisation needs a name", record.origin)
        existing = self.find_organisation(name) or (self.find_organisation(record.acronym) if record.acronym else None)
        values = {
            "acronym": record.acronym,
            "type": record.type,
            "country": record.country,
            "url": record.url,
            "description": record.description,
        }
        if existing is None:
            organisation_id = self.conn.execute(
                "INSERT INTO organisations (name, acronym, type, country, url, description) VALUES (?, ?, ?, ?, ?, ?)",
                (name, *values.values()),
            ).lastrowid
            outcome = "added"
        else:
            organisation_id = existing
            outcome = "updated" if self._fill_row("organisations", organisation_id, values) else "unchanged"
        if outcome != "unchanged":
            self._organisation_keys(organisation_id)
        index = self._name_index("organisation")
        for label in (name, record.acronym):
            if label:
                index.setdefault(lookup.name_key(label), organisation_id)
        aliases_added = [
            self._add_alias("organisation", organisation_id, alias, record.origin) for alias in record.aliases
        ]
        if outcome == "unchanged" and any(aliases_added):
            outcome = "updated"
        if record.parent:
            self._pending.append(_Pending("organisation_parent", organisation_id, record.parent, {}, record.origin))
        return outcome, organisation_id

    def save_event(self, record: EventRecord) -> tuple[str, int]:
        name = " ".join(record.name.split())
        if not name:
            raise KbError("an event needs a name", record.origin)
        values: dict[str, Any] = {"type": record.type, "location": record.location, "description": record.description}
        if record.date:
            try:
                date = parse_partial_date(record.date)
            except KbError as exc:
                raise KbError(f"event {name!r}: {exc.message}", record.origin) from None
            values.update(
                date=date.text,
                date_edtf=date.edtf,
                date_precision=date.precision,
                start_date=date.start,
                end_date=date.end,
            )
        existing = self.find_event(name)
        if existing is None:
            columns = ["name", *values]
            event_id = self.conn.execute(
                f"INSERT INTO events ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
                [name, *values.values()],
            ).lastrowid
            self._event_keys(event_id)
            outcome = "added"
        else:
            event_id = existing
            outcome = "updated" if self._fill_row("events", event_id, values) else "unchanged"
        self._name_index("event").setdefault(lookup.name_key(name), event_id)
        aliases_added = [self._add_alias("event", event_id, alias, record.origin) for alias in record.aliases]
        if outcome == "unchanged" and any(aliases_added):
            outcome = "updated"
        for participant in record.organisations:
            self._pending.append(
                _Pending(
                    "event_organisation", event_id, participant.organisation, {"role": participant.role}, record.origin
                )
            )
        if record.parent:
            self._pending.append(_Pending("event_parent", event_id, record.parent, {}, record.origin))
        return outcome, event_id

    def _fill_row(self, table: str, row_id: int, values: dict[str, Any]) -> bool:
        """Fill the empty columns of a row; what it already holds is kept."""
        current = self.conn.execute(f"SELECT {', '.join(values)} FROM {table} WHERE id = ?", (row_id,)).fetchone()
        fills = {k: v for (k, v), old in zip(values.items(), current) if v not in (None, "") and old in (None, "")}
        if fills:
            self.conn.execute(
                f"UPDATE {table} SET {', '.join(f'{k} = ?' for k in fills)} WHERE id = ?", [*fills.values(), row_id]
            )
        return bool(fills)

    def _add_alias(self, kind: str, owner_id: int, alias: str, where: str | None) -> bool:
        alias = " ".join(str(alias).split())
        if not alias:
            return False
        index = self._name_index(kind)
        key = lookup.name_key(alias)
        holder = index.get(key)
        if holder is not None and holder != owner_id:
            table = "organisations" if kind == "organisation" else "events"
            other = self.conn.execute(f"SELECT name FROM {table} WHERE id = ?", (holder,)).fetchone()[0]
            raise KbError(f"the alias {alias!r} already names the {kind} {other!r}", where)
        own = self.conn.execute(f"SELECT name FROM {kind}s WHERE id = ?", (owner_id,)).fetchone()[0]
        if key == lookup.name_key(own):
            return False
        changed = (
            self.conn.execute(
                f"INSERT OR IGNORE INTO {kind}_aliases ({kind}_id, alias, alias_key) VALUES (?, ?, ?)",
                (owner_id, alias, lookup.alias_keys(alias)["alias_key"]),
            ).rowcount
            > 0
        )
        index.setdefault(key, owner_id)
        return changed

    # -- people ------------------------------------------------------------------------

    def save_person(self, record: PersonRecord) -> tuple[str, int]:
        name = record.name
        if not (name.get("family") or name.get("literal") or name.get("given")):
            raise KbError("a person needs a name", record.origin)
        existed = name_key(name) in self.caches["author"]
        author_id = self.author_id(name)
        changed = self._fill_row("authors", author_id, {"orcid": record.orcid, "url": record.url})
        for affiliation in record.affiliations:
            self._pending.append(
                _Pending(
                    "affiliation",
                    author_id,
                    affiliation.organisation,
                    {"role": affiliation.role, "start": affiliation.start, "end": affiliation.end},
                    record.origin,
                )
            )
        return (
            "unchanged" if existed and not changed and not record.affiliations else "updated" if existed else "added"
        ), author_id

    # -- links ----------------------------------------------------------------------------

    def link(
        self,
        article_id: int,
        table: str,
        name: str,
        relation: str = "discusses",
        source: str = "manual",
        where: str | None = None,
    ) -> bool:
        """Link a work to an event or organisation; True when the link is new."""
        if relation not in LINK_RELATIONS:
            raise KbError(f"unknown relation {relation!r} (one of {', '.join(LINK_RELATIONS)})", where)
        if source not in LINK_SOURCES:
            raise KbError(f"unknown link source {source!r}", where)
        target_id = self.require_event(name, where) if table == "events" else self.require_organisation(name, where)
        return self.link_target(article_id, table, target_id, relation, source)

    def link_target(
        self, article_id: int, table: str, target_id: int, relation: str = "discusses", source: str = "manual"
    ) -> bool:
        """Link a work to the event or organisation with this id; True when the link is new."""
        link_table, column = _LINK_TABLES[table]
        return (
            self.conn.execute(
                f"INSERT OR IGNORE INTO {link_table} (article_id, {column}, relation, source) VALUES (?, ?, ?, ?)",
                (article_id, target_id, relation, source),
            ).rowcount
            > 0
        )

    def confirm_detected_link(self, article_id: int, table: str, target_id: int) -> None:
        """A person accepted a detected link: it becomes a manual one (kb link --review)."""
        link_table, column = _LINK_TABLES[table]
        self.conn.execute(
            f"UPDATE OR IGNORE {link_table} SET source = 'manual' WHERE article_id = ? AND {column} = ? AND source = 'detected'",
            (article_id, target_id),
        )

    def reject_link(self, article_id: int, table: str, target_id: int) -> None:
        """A person rejected a detected link: drop it and never propose it again."""
        link_table, column = _LINK_TABLES[table]
        self.conn.execute(
            f"DELETE FROM {link_table} WHERE article_id = ? AND {column} = ? AND source = 'detected'",
            (article_id, target_id),
        )
        self.conn.execute(
            "INSERT OR IGNORE INTO rejected_links (article_id, target_table, target_id) VALUES (?, ?, ?)",
            (article_id, table, target_id),
        )

    def cite(
        self,
        citing_id: int,
        cited_id: int,
        relation: str = "cites",
        locator: str | None = None,
        context: str | None = None,
        where: str | None = None,
    ) -> bool:
        if relation not in CITATION_RELATIONS:
            raise KbError(f"unknown citation relation {relation!r} (one of {', '.join(CITATION_RELATIONS)})", where)
        if citing_id == cited_id:
            raise KbError(f"a work cannot cite itself ({self.citekey_of(citing_id)})", where)
        cursor = self.conn.execute(
            "INSERT OR IGNORE INTO citations (citing_id, cited_id, relation, locator, context) VALUES (?, ?, ?, ?, ?)",
            (citing_id, cited_id, relation, locator, context),
        )
        return cursor.rowcount > 0

    def resolve_pending(self) -> None:
        """Resolve the names records gave for one another; a missing name fails the command."""
        pending, self._pending = self._pending, []
        for ref in pending:
            detail = ref.detail
            if ref.kind == "article_event":
                self.link(ref.source_id, "events", ref.name, detail["relation"], detail["source"], ref.origin)
            elif ref.kind == "article_organisation":
                self.link(ref.source_id, "organisations", ref.name, detail["relation"], detail["source"], ref.origin)
            elif ref.kind == "citation":
                cited = self.find_work(self._saved_keys.get(ref.name, ref.name))
                if cited is None:
                    raise KbError(
                        f"cites {ref.name!r}, which is not in the knowledge base{lookup.did_you_mean_work(self.conn, ref.name)}",
                        ref.origin,
                    )
                self.cite(ref.source_id, cited, detail["relation"], detail["locator"], detail["context"], ref.origin)
            elif ref.kind == "organisation_parent":
                parent = self.require_organisation(ref.name, ref.origin)
                self._set_parent("organisations", ref.source_id, parent, ref.origin)
            elif ref.kind == "event_parent":
                parent = self.require_event(ref.name, ref.origin)
                self._set_parent("events", ref.source_id, parent, ref.origin)
            elif ref.kind == "event_organisation":
                organisation_id = self.require_organisation(ref.name, ref.origin)
                self.conn.execute(
                    "INSERT OR IGNORE INTO event_organisations (event_id, organisation_id, role) VALUES (?, ?, ?)",
                    (ref.source_id, organisation_id, detail["role"] or "participant"),
                )
            elif ref.kind == "affiliation":
                organisation_id = self.require_organisation(ref.name, ref.origin)
                self.conn.execute(
                    "INSERT OR IGNORE INTO affiliations (author_id, organisation_id, role, start_date, end_date) VALUES (?, ?, ?, ?, ?)",
                    (ref.source_id, organisation_id, detail["role"], detail["start"], detail["end"]),
                )
        if self._pending:  # resolving can queue more (never in practice); finish them too
            self.resolve_pending()

    def _set_parent(self, table: str, row_id: int, parent_id: int, where: str | None) -> None:
        if parent_id == row_id:
            raise KbError("a record cannot be its own parent", where)
        ancestor = parent_id
        while ancestor is not None:  # refuse a cycle
            ancestor = self.conn.execute(f"SELECT parent_id FROM {table} WHERE id = ?", (ancestor,)).fetchone()[0]
            if ancestor == row_id:
                raise KbError("that parent would make a cycle", where)
        self.conn.execute(f"UPDATE {table} SET parent_id = ? WHERE id = ?", (parent_id, row_id))

    # -- formatted references: a cache `kb export --style` and `kb ref` fill ----------------

    def save_references(self, rows: list[tuple[int, str, str, str, str]]) -> None:
        """Keep formatted references: (article_id, style, output_format, content_hash, reference)."""
        self.conn.executemany(
            "INSERT OR REPLACE INTO reference_cache (article_id, style, output_format, content_hash, reference) "
            "VALUES (?, ?, ?, ?, ?)",
            rows,
        )

    # -- any record ------------------------------------------------------------------------

    def save(self, record: Any, on_duplicate: str = "merge", import_id: int | None = None) -> SaveResult:
        if isinstance(record, WorkRecord):
            return self.save_work(record, on_duplicate, import_id)
        if isinstance(record, OrganisationRecord):
            outcome, row_id = self.save_organisation(record)
        elif isinstance(record, EventRecord):
            outcome, row_id = self.save_event(record)
        elif isinstance(record, PersonRecord):
            outcome, row_id = self.save_person(record)
        else:
            raise TypeError(record)
        return SaveResult(outcome, row_id, None)


@lru_cache(maxsize=64)  # every work of an import has the same columns: build the SQL once
def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"


def file_checksum(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _same_or_missing_title(old: str | None, new: str | None) -> bool:
    """For a record already known by its file and key (not by its title): the same work
    while the titles agree, or when one of them has none to compare."""
    return not old or not new or identity_rules.titles_agree(old, new)
