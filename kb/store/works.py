"""Works: saving a record as a new work or merging it into the work it duplicates (the
identity rules of kb.identity_rules, the fuzzy rules of kb.dedupe), renaming, replacing,
their creators, tags, notes and links queued by name, and the formatted-reference cache."""

from __future__ import annotations

import json
from typing import Any

from .. import dedupe, identity_rules, lookup, merging
from ..csl import article_columns, clean_item, creators, item_json, record_json
from ..errors import KbError
from ..keys import citekey_base, is_valid_citekey, title_key, unique_citekey
from ..model import (
    READING_STATUSES,
    NoteRecord,
    WorkRecord,
)
from .outcomes import KB_YAML_FORMAT, ON_DUPLICATE, SaveResult, insert_sql
from .stamps import now
from .state import StoreState


class Works(StoreState):
    """The works part of `kb.store.Store` (see kb/store/__init__.py)."""

    def find_work(self, key: str) -> int | None:
        """A work's id by citekey, DOI or URL (kb.lookup's rule, from this command's caches)."""
        caches = self.caches
        for column, value in lookup.work_identifiers(key):
            if value in caches.by_identifier(column):
                return caches.by_identifier(column)[value]
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
        if new_key is not None and new_key != old_key and new_key in self.caches.citekey:
            raise KbError(f"the citekey {new_key!r} is taken")
        if new_key is None:
            new_key = unique_citekey(citekey_base(item), lambda k: k in self.caches.citekey and k != old_key)
        if new_key != old_key:
            self.conn.execute(
                "UPDATE articles SET citekey = ?, updated_at = ? WHERE id = ?", (new_key, now(), article_id)
            )
            del self.caches.citekey[old_key]
            self.caches.citekey[new_key] = article_id
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
            own = caches.citekey.get(wanted_key) or self._citekey_alias(wanted_key)
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

        if wanted_key and wanted_key in caches.citekey:
            found = first_merge([caches.citekey[wanted_key]], "citekey")
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
            if value and value in caches.by_identifier(column):
                holders = self._works_with(column, value, caches.by_identifier(column)[value])
                if len(holders) > 1 and self._any_not_duplicates():
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
        found = first_merge(
            dedupe.find_fuzzy_duplicates(
                self.conn, self.caches.fuzzy_index(self.conn), self.caches.title_key, columns, item
            ),
            "title, first author and year",
        )
        if found is not None:
            return found, "title, first author and year", reasons[found], []
        return None, None, None, list(candidates.items())

    def _any_not_duplicates(self) -> bool:
        """Whether any pair is marked not duplicates (one query, where asking each holder
        of a shared URL cost a query a holder: most knowledge bases have none)."""
        return self.conn.execute("SELECT 1 FROM not_duplicates LIMIT 1").fetchone() is not None

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
        """What the identity rules compare of a work; kept for the import (a site's URL is
        shared by hundreds of works, each judged again for every new record with it)."""
        caches = self.caches
        known = caches.facts.get(article_id)
        if known is not None:
            return known
        row = self.conn.execute(
            "SELECT type, title_key, year, doi_key, csl_json FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        found = identity_rules.facts_of_row(*row)
        if not caches.indexed:
            caches.facts[article_id] = found
        return found

    def _import_format(self, import_id: int | None) -> str | None:
        if import_id is None:
            return None
        formats = self.caches.import_format
        if import_id not in formats:
            row = self.conn.execute("SELECT format FROM imports WHERE id = ?", (import_id,)).fetchone()
            formats[import_id] = row[0] if row else None
        return formats[import_id]

    def _aliases(self) -> dict[str, int]:
        """Citekeys of works merged by hand (kb merge) -> the work they went into."""
        caches = self.caches
        if caches.aliases is None:
            caches.aliases = dict(self.conn.execute("SELECT alias, article_id FROM citekey_aliases"))
        return caches.aliases

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
        taken = self.caches.citekey.__contains__
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
            extra_json=record_json(record.extra) if record.extra else None,
            text=record.text,
        )
        if self._bulk is not None:  # an import's bulk writes: the row waits, its id given here
            article_id = self._bulk.new_id("articles")
            self._bulk.add("articles", ("id", *row), (article_id, *row.values()))
        else:
            article_id = self.conn.execute(insert_sql("articles", tuple(row)), list(row.values())).lastrowid
        self.caches.index_work(article_id, row)
        dedupe.remember(self.caches.fuzzy, article_id, columns, item)
        self._save_creators(article_id, item)
        self._save_links(article_id, record, new=True)
        if import_id is not None:
            self._write_rows(
                "article_sources", ("article_id", "import_id", "source_key"), [(article_id, import_id, wanted_key)]
            )
            if wanted_key and self.caches.source is not None:
                self.caches.source.setdefault((self._import_files.get(import_id), wanted_key), article_id)
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
            changes["extra_json"] = record_json(merged_extra)
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
            self.caches.index_work(article_id, {"citekey": citekey, **article_columns(merged)})
            self.caches.facts.pop(article_id, None)
        outcome = "merged" if absorbed else "updated"
        return SaveResult(outcome, article_id, citekey, duplicate_of, reason)

    def replace_item(self, article_id: int, item: dict[str, Any], extra: dict[str, Any] | None = None) -> None:
        """Write a work's CSL item (and extra fields) anew: columns, creators, caches."""
        changes: dict[str, Any] = {**article_columns(item), "csl_json": item_json(item), "updated_at": now()}
        if extra is not None:
            changes["extra_json"] = record_json(extra) if extra else None
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
        self._write_rows("article_authors", ("article_id", "author_id", "role", "position"), rows, verb="INSERT")

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
            self._write_rows("article_tags", ("article_id", "tag_id"), [(article_id, tag_id) for tag_id in tag_ids])
            changed = bool(tag_ids)
        else:
            for tag in record.tags:
                changed |= self.tag(article_id, tag)
        for link in record.events:
            self.defer(
                "article_event",
                article_id,
                link.name,
                {"relation": link.relation, "source": link.source},
                record.origin,
            )
        for link in record.organisations:
            self.defer(
                "article_organisation",
                article_id,
                link.name,
                {"relation": link.relation, "source": link.source},
                record.origin,
            )
        for ref in record.cites:
            self.defer(
                "citation",
                article_id,
                ref.key,
                {"relation": ref.relation, "locator": ref.locator, "context": ref.context},
                record.origin,
            )
        for note in record.notes:
            changed |= self.add_note(article_id, note, record.origin)
        return changed

    def _write_rows(
        self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]], verb: str = "INSERT OR IGNORE"
    ) -> None:
        """Insert link rows: queued during an import's bulk writes, else written now."""
        if self._bulk is not None:
            self._bulk.add_many(table, columns, rows, verb)
        elif rows:
            sql = insert_sql(table, columns)
            self.conn.executemany(verb + sql[len("INSERT") :], rows)

    def set_status(self, article_id: int, status: str) -> None:
        if status not in READING_STATUSES:
            raise KbError(f"unknown reading status {status!r} (one of {', '.join(READING_STATUSES)})")
        self.conn.execute("UPDATE articles SET status = ?, updated_at = ? WHERE id = ?", (status, now(), article_id))

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
        self.insert_note(article_id, note, event_id, organisation_id)
        return True

    def insert_note(self, article_id: int, note: NoteRecord, event_id: int | None, organisation_id: int | None) -> None:
        """One notes row, stamped with who wrote it and when if the note says, else with
        this command's user and time (used by add_note and by kb edit's note changes)."""
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

    def save_references(self, rows: list[tuple[int, str, str, str, str]]) -> None:
        """Keep formatted references: (article_id, style, output_format, content_hash, reference)."""
        self.conn.executemany(
            "INSERT OR REPLACE INTO reference_cache (article_id, style, output_format, content_hash, reference) "
            "VALUES (?, ?, ?, ?, ?)",
            rows,
        )


def _same_or_missing_title(old: str | None, new: str | None) -> bool:
    """For a record already known by its file and key (not by its title): the same work
    while the titles agree, or when one of them has none to compare."""
    return not old or not new or identity_rules.titles_agree(old, new)
