"""Correcting what was logged: edit, remove and unlink works, organisations, events, people.

The methods here are the Store's (`Store` inherits `Curation`), so the Store stays the
only writer and every change lands inside the command's one transaction. Where an
import only fills gaps, these replace: an edited record holds exactly what its
document says. A record is shown and read back in kb's YAML (kb/yaml_format.py writes it,
kb/importers/kb_yaml.py reads it), so an edit is checked by the same rules as an
import.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from . import lookup
from .csl import article_columns, clean_item, creators, item_json
from .dates import parse_partial_date
from .errors import KbError
from .model import (
    CITATION_RELATIONS,
    CREATOR_ROLES,
    CSL_DATE_VARIABLES,
    CSL_NAME_VARIABLES,
    LINK_RELATIONS,
    LINK_SOURCES,
    READING_STATUSES,
    EventRecord,
    OrganisationRecord,
    PersonRecord,
    WorkRecord,
)
from .names import display_name, fold, name_key, parse_name

RECORD_TYPES = {"work": WorkRecord, "organisation": OrganisationRecord, "event": EventRecord, "person": PersonRecord}
_TABLES = {"work": "articles", "organisation": "organisations", "event": "events", "person": "authors"}
_WORK_LINKS = {"events": ("article_events", "event_id"), "organisations": ("article_organisations", "organisation_id")}

# CSL 1.0.2's ordinary (text and number) variables: what `kb edit --set` takes for a work,
# besides the name and date variables and kb's own keys.
CSL_TEXT_VARIABLES = frozenset(
    """abstract annote archive archive_collection archive_location archive-place authority
    call-number chapter-number citation-label collection-number collection-title container-title
    container-title-short dimensions division DOI edition event event-title event-place genre ISBN
    ISSN issue jurisdiction keyword language license medium note number number-of-pages
    number-of-volumes original-publisher original-publisher-place original-title page page-first
    part-number part-title PMCID PMID printing-number publisher publisher-place references
    reviewed-genre reviewed-title scale section source supplement-number title title-short type
    URL version volume volume-title volume-title-short year-suffix""".split()
)
# The fields `--set`/`--unset` take for each kind; list fields take "a; b; c".
_WORK_KB_FIELDS = {"status", "needs_review", "tags", "events", "organisations", "text"}
SETTABLE = {
    "work": CSL_TEXT_VARIABLES | set(CSL_NAME_VARIABLES) | set(CSL_DATE_VARIABLES) | _WORK_KB_FIELDS,
    "organisation": {"name", "acronym", "type", "country", "parent", "url", "description", "aliases"},
    "event": {"name", "type", "date", "location", "parent", "description", "aliases", "organisations"},
    "person": {"name", "orcid", "url"},
}
_LIST_FIELDS = {"tags", "events", "organisations", "aliases", *CSL_NAME_VARIABLES}
_EXAMPLES = {
    "work": "title, container-title, issued, volume, DOI, URL, type, author, status, tags",
    "organisation": "name, acronym, type, country, parent, url, description, aliases",
    "event": "name, type, date, location, parent, description, aliases, organisations",
    "person": "name, orcid, url",
}


def record_label(kind: str, name: str) -> str:
    return name if kind == "work" else f"the {kind} {name!r}"


def _clean(text: Any) -> str | None:
    """White space folded; None for nothing."""
    if text is None:
        return None
    text = " ".join(str(text).split())
    return text or None


def _stamp() -> str:
    from .store import now  # kb.store imports this module to build the Store

    return now()


# -- documents: a record as kb YAML, and back ------------------------------------------------


def parse_document(text: str, kind: str, source: str) -> Any:
    """The one record of `kind` an edited document holds, checked as an import checks it."""
    from .importers import kb_yaml  # PyYAML: imported by the commands that edit, not by every kb command

    records = list(kb_yaml.parse(text, source))
    if len(records) != 1:
        raise KbError(f"the document should hold one {kind} record, found {len(records)}", source)
    record = records[0]
    if isinstance(record, kb_yaml.Invalid):
        raise KbError(record.message, record.origin)
    if not isinstance(record, RECORD_TYPES[kind]):
        raise KbError(
            f"the document should hold {_a(kind)} record (kind: {kind}), not {_a(type(record).__name__[:-6].lower())}",
            source,
        )
    return record


def set_fields(
    doc: dict[str, Any], kind: str, assignments: tuple[str, ...], removals: tuple[str, ...]
) -> dict[str, Any]:
    """A record's document with `FIELD=VALUE` set and `FIELD`s removed (kb edit --set/--unset)."""
    doc = dict(doc)
    for field in removals:
        _check_settable(field, kind)
        if field not in doc:
            raise KbError(f"--unset {field}: the {kind} has no {field}")
        del doc[field]
    for assignment in assignments:
        field, sep, value = assignment.partition("=")
        field = field.strip()
        if not sep or not field:
            raise KbError(f"--set {assignment!r}: write it as FIELD=VALUE")
        _check_settable(field, kind)
        value = value.strip()
        if not value:
            doc.pop(field, None)
        elif field == "needs_review":
            if value.lower() not in ("true", "false", "yes", "no", "1", "0"):
                raise KbError(f"--set needs_review={value}: write true or false")
            doc[field] = value.lower() in ("true", "yes", "1")
        elif kind == "event" and field == "organisations":
            doc[field] = [
                {"organisation": n.rsplit(":", 1)[0].strip(), "role": n.rsplit(":", 1)[1].strip()} if ":" in n else n
                for n in _split(value)
            ]
        elif field in _LIST_FIELDS:
            doc[field] = _split(value)
        else:
            doc[field] = value
    return doc


def _a(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _check_settable(field: str, kind: str) -> None:
    if kind == "work" and field == "citekey":
        raise KbError("a work's citekey changes with `kb rekey KEY NEW`, not --set")
    if kind == "person" and field == "affiliations":
        raise KbError("affiliations change with `kb add-person NAME --org ORG` and `kb unlink --person NAME --org ORG`")
    if field not in SETTABLE[kind]:
        raise KbError(f"unknown field {field!r} for {_a(kind)} (such as {_EXAMPLES[kind]})")


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [key for key in dict.fromkeys([*before, *after]) if before.get(key) != after.get(key)]


class Curation:
    """The Store's editing, removing and unlinking (mixed into `kb.store.Store`)."""

    # -- finding any record ----------------------------------------------------------

    def find_person(self, name: str) -> int | None:
        """A person (or corporate creator) by name however written: "Jakub Kulhanek",
        "Kulhanek, Jakub", "North Atlantic Treaty Organization"."""
        index = self.caches.author
        keys = ["org:" + fold(name)]
        for corporate in (None, False):
            try:
                keys.append(name_key(parse_name(name, corporate=corporate)))
            except ValueError:
                pass
        return next((index[key] for key in keys if key in index), None)

    def require_person(self, name: str, where: str | None = None) -> int:
        found = self.find_person(name)
        if found is None:
            raise KbError(f"no person named {name!r}", where)
        return found

    def require_record(self, kind: str, name: str) -> int:
        """A record's id by citekey (DOI, URL) for a work, by name for the others."""
        finder = {
            "work": self.require_work,
            "organisation": self.require_organisation,
            "event": self.require_event,
            "person": self.require_person,
        }[kind]
        return finder(name)

    def record_name(self, kind: str, row_id: int) -> str:
        column = "citekey" if kind == "work" else "name"
        return self.conn.execute(f"SELECT {column} FROM {_TABLES[kind]} WHERE id = ?", (row_id,)).fetchone()[0]

    def record_document(self, kind: str, row_id: int) -> dict[str, Any]:
        """The record as `kb dump` writes it."""
        from . import yaml_format

        documents = {
            "work": yaml_format.work_documents,
            "organisation": yaml_format.organisation_documents,
            "event": yaml_format.event_documents,
            "person": yaml_format.person_documents,
        }[kind](self.db, only=row_id)
        return documents[0][1]

    # -- edit ---------------------------------------------------------------------------

    def update_record(self, kind: str, row_id: int, record: Any) -> None:
        """Make the record hold exactly what `record` says (an edited document)."""
        {
            "work": self.update_work,
            "organisation": self.update_organisation,
            "event": self.update_event,
            "person": self.update_person,
        }[kind](row_id, record)

    def update_work(self, article_id: int, record: WorkRecord) -> None:
        where = record.origin
        item = clean_item(record.item, where)
        key = item.pop("id", None)
        citekey = self.citekey_of(article_id)
        if key is not None and str(key).strip() != citekey:
            raise KbError(f"a citekey changes with `kb rekey {citekey} {str(key).strip()}`, not by editing it", where)
        if record.status and record.status not in READING_STATUSES:
            raise KbError(f"unknown reading status {record.status!r} (one of {', '.join(READING_STATUSES)})", where)
        old = next(self.db.query("SELECT * FROM articles WHERE id = ?", [article_id]))
        row = dict(article_columns(item))
        row.update(
            csl_json=item_json(item),
            extra_json=json.dumps(record.extra, sort_keys=True, ensure_ascii=False) if record.extra else None,
            text=record.text,
            status=record.status,
            needs_review=int(record.needs_review),
        )
        if record.added_by:  # provenance: kept unless the document gives another
            row["added_by"] = record.added_by
        if record.added_at:
            row["added_at"] = record.added_at
        changes = {column: value for column, value in row.items() if old[column] != value}
        links_changed = self._replace_work_links(article_id, record, where)
        if changes:
            old_item = json.loads(old["csl_json"])
            if any(old_item.get(role) != item.get(role) for role in CREATOR_ROLES):
                self.conn.execute("DELETE FROM article_authors WHERE article_id = ?", (article_id,))
                self._save_creators(article_id, item)
        if changes or links_changed:
            changes["updated_at"] = _stamp()
            self.conn.execute(
                f"UPDATE articles SET {', '.join(f'{c} = ?' for c in changes)} WHERE id = ?",
                [*changes.values(), article_id],
            )
            self._caches = None  # DOI, URL and title keys may have moved

    def _replace_work_links(self, article_id: int, record: WorkRecord, where: str | None) -> bool:
        """Tags, event and organisation links, citations and notes: as the record says."""
        changed = False
        wanted_tags = {name for name in (_clean(t) for t in record.tags) if name}
        current_tags = dict(
            self.conn.execute(
                "SELECT tags.name, tag_id FROM article_tags JOIN tags ON tags.id = tag_id WHERE article_id = ?",
                (article_id,),
            )
        )
        for name in current_tags.keys() - wanted_tags:
            self.conn.execute(
                "DELETE FROM article_tags WHERE article_id = ? AND tag_id = ?", (article_id, current_tags[name])
            )
            changed = True
        for name in sorted(wanted_tags - current_tags.keys()):
            changed |= self.tag(article_id, name)
        for table, links in (("events", record.events), ("organisations", record.organisations)):
            link_table, column = _WORK_LINKS[table]
            wanted: dict[tuple[int, str], str] = {}
            for link in links:
                if link.relation not in LINK_RELATIONS:
                    raise KbError(f"unknown relation {link.relation!r} (one of {', '.join(LINK_RELATIONS)})", where)
                if link.source not in LINK_SOURCES:
                    raise KbError(f"unknown link source {link.source!r}", where)
                target = (
                    self.require_event(link.name, where)
                    if table == "events"
                    else self.require_organisation(link.name, where)
                )
                wanted[(target, link.relation)] = link.source
            current = {
                (t, r): s
                for t, r, s in self.conn.execute(
                    f"SELECT {column}, relation, source FROM {link_table} WHERE article_id = ?", (article_id,)
                )
            }
            changed |= self._replace_rows(
                current,
                wanted,
                delete=f"DELETE FROM {link_table} WHERE article_id = ? AND {column} = ? AND relation = ?",
                insert=f"INSERT INTO {link_table} (article_id, {column}, relation, source) VALUES (?, ?, ?, ?)",
                update=f"UPDATE {link_table} SET source = ? WHERE article_id = ? AND {column} = ? AND relation = ?",
                owner=article_id,
            )
        wanted_cites: dict[tuple[int, str], tuple[str | None, str | None]] = {}
        for ref in record.cites:
            cited = self.find_work(ref.key)
            if cited is None:
                raise KbError(f"cites {ref.key!r}, which is not in the knowledge base", where)
            if cited == article_id:
                raise KbError(f"a work cannot cite itself ({ref.key})", where)
            if ref.relation not in CITATION_RELATIONS:
                raise KbError(
                    f"unknown citation relation {ref.relation!r} (one of {', '.join(CITATION_RELATIONS)})", where
                )
            wanted_cites[(cited, ref.relation)] = (ref.locator, ref.context)
        current_cites = {
            (c, r): (loc, ctx)
            for c, r, loc, ctx in self.conn.execute(
                "SELECT cited_id, relation, locator, context FROM citations WHERE citing_id = ?", (article_id,)
            )
        }
        changed |= self._replace_rows(
            current_cites,
            wanted_cites,
            delete="DELETE FROM citations WHERE citing_id = ? AND cited_id = ? AND relation = ?",
            insert="INSERT INTO citations (citing_id, cited_id, relation, locator, context) VALUES (?, ?, ?, ?, ?)",
            update="UPDATE citations SET locator = ?, context = ? WHERE citing_id = ? AND cited_id = ? AND relation = ?",
            owner=article_id,
        )
        return self._replace_notes(article_id, record, where) or changed

    def _replace_rows(
        self, current: dict[tuple, Any], wanted: dict[tuple, Any], *, delete: str, insert: str, update: str, owner: int
    ) -> bool:
        """Bring a record's rows of one link table from `current` to `wanted`
        ({key columns: value columns}), touching only the rows that differ."""

        def values(value: Any) -> tuple:
            return value if isinstance(value, tuple) else (value,)

        for key in current.keys() - wanted.keys():
            self.conn.execute(delete, (owner, *key))
        for key in wanted.keys() - current.keys():
            self.conn.execute(insert, (owner, *key, *values(wanted[key])))
        differing = [key for key in wanted.keys() & current.keys() if wanted[key] != current[key]]
        for key in differing:
            self.conn.execute(update, (*values(wanted[key]), owner, *key))
        return current != wanted

    def _replace_notes(self, article_id: int, record: WorkRecord, where: str | None) -> bool:
        """Notes have no name: one that reads the same (comment, quote, locator, what it is
        about) is the same note and keeps its row; the others go or come."""
        wanted: Counter = Counter()
        by_key = {}
        for note in record.notes:
            if not (note.comment or note.quote):
                raise KbError("a note needs a comment or a quote", where)
            key = (
                note.comment,
                note.quote,
                note.locator,
                self.require_event(note.event, where) if note.event else None,
                self.require_organisation(note.organisation, where) if note.organisation else None,
            )
            wanted[key] += 1
            by_key.setdefault(key, []).append(note)
        current: dict[tuple, list[int]] = {}
        for note_id, *key in self.conn.execute(
            "SELECT id, comment, quote, locator, event_id, organisation_id FROM notes WHERE article_id = ? ORDER BY id",
            (article_id,),
        ):
            current.setdefault(tuple(key), []).append(note_id)
        changed = False
        for key, ids in current.items():
            for note_id in ids[wanted.get(key, 0) :]:
                self.conn.execute("DELETE FROM notes WHERE id = ?", (note_id,))
                changed = True
        for key, count in wanted.items():
            for note in by_key[key][len(current.get(key, [])) : count]:
                self.insert_note(article_id, note, key[3], key[4])
                changed = True
        return changed

    def _check_names(self, kind: str, row_id: int, labels: list[str], where: str | None) -> None:
        """A name, acronym or alias may name one organisation (event) only."""
        find = self.find_organisation if kind == "organisation" else self.find_event
        for label in labels:
            holder = find(label)
            if holder is not None and holder != row_id:
                raise KbError(f"{label!r} already names the {kind} {self.record_name(kind, holder)!r}", where)

    def _replace_aliases(self, kind: str, row_id: int, old_name: str, name: str, aliases: list[str]) -> None:
        """The aliases as given, plus the old name after a rename, so that links, notes
        and later imports that use it still find the record."""
        wanted = [a for a in (_clean(a) for a in aliases) if a]
        if fold(old_name) != fold(name):
            wanted.append(old_name)
        unique: dict[str, str] = {}
        for alias in wanted:
            if fold(alias) != fold(name):
                unique.setdefault(fold(alias), alias)
        current = {
            alias for (alias,) in self.conn.execute(f"SELECT alias FROM {kind}_aliases WHERE {kind}_id = ?", (row_id,))
        }
        for alias in current - set(unique.values()):
            self.conn.execute(f"DELETE FROM {kind}_aliases WHERE {kind}_id = ? AND alias = ?", (row_id, alias))
        for alias in sorted(set(unique.values()) - current):
            self.conn.execute(
                f"INSERT INTO {kind}_aliases ({kind}_id, alias, alias_key) VALUES (?, ?, ?)",
                (row_id, alias, lookup.alias_keys(alias)["alias_key"]),
            )

    def _update_row(self, table: str, row_id: int, values: dict[str, Any]) -> None:
        current = self.conn.execute(f"SELECT {', '.join(values)} FROM {table} WHERE id = ?", (row_id,)).fetchone()
        changes = {k: v for (k, v), old in zip(values.items(), current) if v != old}
        if changes:
            self.conn.execute(
                f"UPDATE {table} SET {', '.join(f'{k} = ?' for k in changes)} WHERE id = ?", [*changes.values(), row_id]
            )
            # Look-ups go through folded key columns (kb.lookup): a new name, acronym or
            # family name needs its key written again, or the record stops being found.
            if table in ("organisations", "events") and {"name", "acronym"} & set(changes):
                self.refresh_lookup_keys(table, row_id)
            elif table == "authors" and "family" in changes:
                family_key = lookup.author_keys({"family": changes["family"]})["family_key"]
                self.conn.execute("UPDATE authors SET family_key = ? WHERE id = ?", (family_key, row_id))

    def _replace_parent(self, kind: str, row_id: int, parent: str | None, where: str | None) -> None:
        table = _TABLES[kind]
        if parent:
            parent_id = (
                self.require_organisation(parent, where)
                if kind == "organisation"
                else self.require_event(parent, where)
            )
            self._set_parent(table, row_id, parent_id, where)
        else:
            self.conn.execute(f"UPDATE {table} SET parent_id = NULL WHERE id = ? AND parent_id IS NOT NULL", (row_id,))

    def update_organisation(self, organisation_id: int, record: OrganisationRecord) -> None:
        where = record.origin
        name = _clean(record.name)
        if not name:
            raise KbError("an organisation needs a name", where)
        old_name = self.record_name("organisation", organisation_id)
        acronym = _clean(record.acronym)
        self._check_names(
            "organisation", organisation_id, [name, *([acronym] if acronym else []), *record.aliases], where
        )
        self._update_row(
            "organisations",
            organisation_id,
            {
                "name": name,
                "acronym": acronym,
                "type": _clean(record.type),
                "country": _clean(record.country),
                "url": _clean(record.url),
                "description": record.description or None,
            },
        )
        self._replace_parent("organisation", organisation_id, record.parent, where)
        self._replace_aliases("organisation", organisation_id, old_name, name, record.aliases)
        self.caches.organisation = None

    def update_event(self, event_id: int, record: EventRecord) -> None:
        where = record.origin
        name = _clean(record.name)
        if not name:
            raise KbError("an event needs a name", where)
        old_name = self.record_name("event", event_id)
        self._check_names("event", event_id, [name, *record.aliases], where)
        values: dict[str, Any] = {
            "name": name,
            "type": _clean(record.type),
            "location": _clean(record.location),
            "description": record.description or None,
        }
        values.update(_event_date_columns(name, record.date, where))
        self._update_row("events", event_id, values)
        self._replace_parent("event", event_id, record.parent, where)
        self._replace_aliases("event", event_id, old_name, name, record.aliases)
        wanted = {
            (self.require_organisation(p.organisation, where), p.role or "participant"): ()
            for p in record.organisations
        }
        current = {
            (o, r): ()
            for o, r in self.conn.execute(
                "SELECT organisation_id, role FROM event_organisations WHERE event_id = ?", (event_id,)
            )
        }
        self._replace_rows(
            current,
            wanted,
            delete="DELETE FROM event_organisations WHERE event_id = ? AND organisation_id = ? AND role = ?",
            insert="INSERT INTO event_organisations (event_id, organisation_id, role) VALUES (?, ?, ?)",
            update="",
            owner=event_id,
        )
        self.caches.event = None

    def update_person(self, author_id: int, record: PersonRecord) -> None:
        where = record.origin
        name = {k: v for k, v in record.name.items() if v}
        if not (name.get("family") or name.get("literal") or name.get("given")):
            raise KbError("a person needs a name", where)
        key = name_key(name)
        other = self.caches.author.get(key)
        if other is not None and other != author_id:
            raise KbError(
                f"{display_name(name)!r} is another person in the knowledge base (merge the two instead)", where
            )
        old_key = self.conn.execute("SELECT name_key FROM authors WHERE id = ?", (author_id,)).fetchone()[0]
        self._update_row(
            "authors",
            author_id,
            {
                "name": display_name(name),
                "family": name.get("family"),
                "given": name.get("given"),
                "particle": name.get("non-dropping-particle") or name.get("dropping-particle"),
                "suffix": name.get("suffix"),
                "is_organisation": int(bool(name.get("literal"))),
                "name_key": key,
                "orcid": _clean(record.orcid),
                "url": _clean(record.url),
            },
        )
        if key != old_key or self._creator_names_differ(author_id, name):
            self._rename_creator(author_id, name)
            self.caches.author.pop(old_key, None)
            self.caches.author[key] = author_id
            self.caches.author_parts.clear()
        wanted = {}
        for affiliation in record.affiliations:
            organisation_id = self.require_organisation(affiliation.organisation, where)
            wanted[(organisation_id, affiliation.role)] = (affiliation.start, affiliation.end)
        current = {
            (o, r): (s, e)
            for o, r, s, e in self.conn.execute(
                "SELECT organisation_id, role, start_date, end_date FROM affiliations WHERE author_id = ?", (author_id,)
            )
        }
        self._replace_rows(
            current,
            wanted,
            delete="DELETE FROM affiliations WHERE author_id = ? AND organisation_id = ? AND role IS ?",
            insert="INSERT INTO affiliations (author_id, organisation_id, role, start_date, end_date) VALUES (?, ?, ?, ?, ?)",
            update="UPDATE affiliations SET start_date = ?, end_date = ? WHERE author_id = ? AND organisation_id = ? AND role IS ?",
            owner=author_id,
        )

    def _creator_names_differ(self, author_id: int, name: dict[str, Any]) -> bool:
        for item, role, position in self._creator_slots(author_id):
            if item[role][position] != name:
                return True
        return False

    def _creator_slots(self, author_id: int) -> list[tuple[dict[str, Any], str, int]]:
        slots = []
        for csl_json, role, position in self.conn.execute(
            "SELECT csl_json, role, position FROM article_authors JOIN articles ON articles.id = article_id WHERE author_id = ?",
            (author_id,),
        ):
            slots.append((json.loads(csl_json), role, position))
        return slots

    def _rename_creator(self, author_id: int, name: dict[str, Any] | None) -> None:
        """Write a person's new name (or, with None, their removal) into the CSL items of
        the works they created, so exports, dumps and builds agree with the authors table."""
        for article_id, csl_json in self.conn.execute(
            "SELECT DISTINCT articles.id, csl_json FROM article_authors JOIN articles ON articles.id = article_id WHERE author_id = ?",
            (author_id,),
        ).fetchall():
            item = json.loads(csl_json)
            slots = [
                (role, position)
                for role, position, _ in creators(item)
                if self.conn.execute(
                    "SELECT 1 FROM article_authors WHERE article_id = ? AND role = ? AND position = ? AND author_id = ?",
                    (article_id, role, position, author_id),
                ).fetchone()
            ]
            for role, position in sorted(slots, reverse=True):
                if name is None:
                    del item[role][position]
                    if not item[role]:
                        del item[role]
                else:
                    item[role][position] = dict(name)
            columns = article_columns(item)
            self.conn.execute(
                "UPDATE articles SET authors = ?, csl_json = ?, updated_at = ? WHERE id = ?",
                (columns["authors"], item_json(item), _stamp(), article_id),
            )
            if name is None:
                self.conn.execute("DELETE FROM article_authors WHERE article_id = ?", (article_id,))
                self._save_creators(article_id, item)

    # -- add-event / add-org / add-person with values other than the stored ones ------------

    def save_named(self, record: Any, update: bool = False) -> tuple[str, list[str]]:
        """add-event, add-org, add-person: add the record, or fill in and add to the one
        the knowledge base holds; values that differ are refused unless `update`.
        Returns the outcome (added, updated, unchanged) and the values replaced."""
        found = self._existing(record)
        before = self.record_document(found[0], found[1]) if found else None
        replaced = self.reconcile(record, update)
        self.save(record)
        self.resolve_pending()  # parents, participants, affiliations: part of what changed
        if found is None:
            return "added", replaced
        return ("updated" if self.record_document(found[0], found[1]) != before else "unchanged"), replaced

    def reconcile(self, record: Any, update: bool) -> list[str]:
        """What `record` (from add-event, add-org, add-person) gives differently from the
        record the knowledge base holds. Refused unless `update`; with it, the given
        values replace the stored ones and the changes are returned ("date: 'A' -> 'B'")."""
        found = self._existing(record)
        if found is None:
            return []
        kind, row_id, given = found
        table = _TABLES[kind]
        name = self.record_name(kind, row_id)
        if given.get("date"):
            _event_date_columns(
                name, given["date"], record.origin
            )  # an unreadable date is that error, not a difference
        stored = dict(
            zip(given, self.conn.execute(f"SELECT {', '.join(given)} FROM {table} WHERE id = ?", (row_id,)).fetchone())
        )
        # (what, stored value, given value, how to write the given one)
        differing: list[tuple[str, Any, Any, Any]] = []
        for column, value in given.items():
            if value is not None and stored[column] is not None and not _same(column, stored[column], value):
                columns = _event_date_columns(name, value, record.origin) if column == "date" else {column: value}
                differing.append(
                    (column, stored[column], value, lambda columns=columns: self._update_row(table, row_id, columns))
                )
        if kind in ("organisation", "event") and record.parent:
            parent = self.find_organisation(record.parent) if kind == "organisation" else self.find_event(record.parent)
            old_parent = self.conn.execute(f"SELECT parent_id FROM {table} WHERE id = ?", (row_id,)).fetchone()[0]
            if old_parent is not None and parent is not None and parent != old_parent:
                differing.append(
                    (
                        "parent",
                        self.record_name(kind, old_parent),
                        record.parent,
                        lambda: self._set_parent(table, row_id, parent, record.origin),
                    )
                )
        for affiliation in getattr(record, "affiliations", []) if kind == "person" else []:
            organisation_id = self.find_organisation(affiliation.organisation)
            row = self.conn.execute(
                "SELECT id, start_date, end_date FROM affiliations WHERE author_id = ? AND organisation_id = ? AND role IS ?",
                (row_id, organisation_id, affiliation.role),
            ).fetchone()
            for column, value, old in (
                ("start_date", affiliation.start, row and row[1]),
                ("end_date", affiliation.end, row and row[2]),
            ):
                if row and value and not old:  # an empty field is filled, as an import fills it
                    self.conn.execute(f"UPDATE affiliations SET {column} = ? WHERE id = ?", (value, row[0]))
                elif row and value and value != old:
                    differing.append(
                        (
                            f"{affiliation.organisation} {column[:-5]}",
                            old,
                            value,
                            lambda column=column, value=value, affiliation_id=row[0]: self.conn.execute(
                                f"UPDATE affiliations SET {column} = ? WHERE id = ?", (value, affiliation_id)
                            ),
                        )
                    )
        if not differing:
            return []
        if not update:
            listed = "; ".join(f"{what}: stored {old!r}, given {new!r}" for what, old, new, _ in differing)
            flag = {"organisation": "--org", "event": "--event", "person": "--person"}[kind]
            raise KbError(
                f"the {kind} {name!r} differs from what you gave: {listed}; "
                f"use --update to replace them (or kb edit {flag} {name!r})"
            )
        for _, _, _, write in differing:
            write()
        return [f"{what}: {old!r} -> {new!r}" for what, old, new, _ in differing]

    def _existing(self, record: Any) -> tuple[str, int, dict[str, Any]] | None:
        if isinstance(record, EventRecord):
            row_id = self.find_event(record.name)
            given = {
                "date": _clean(record.date),
                "type": _clean(record.type),
                "location": _clean(record.location),
                "description": record.description or None,
            }
            return ("event", row_id, given) if row_id is not None else None
        if isinstance(record, OrganisationRecord):
            row_id = self.find_organisation(record.name) or (
                self.find_organisation(record.acronym) if record.acronym else None
            )
            given = {
                "acronym": _clean(record.acronym),
                "type": _clean(record.type),
                "country": _clean(record.country),
                "url": _clean(record.url),
                "description": record.description or None,
            }
            return ("organisation", row_id, given) if row_id is not None else None
        if isinstance(record, PersonRecord):
            row_id = self.caches.author.get(name_key(record.name))
            return (
                ("person", row_id, {"orcid": _clean(record.orcid), "url": _clean(record.url)})
                if row_id is not None
                else None
            )
        raise TypeError(record)

    # -- remove -------------------------------------------------------------------------

    def dependants(self, kind: str, row_id: int) -> list[str]:
        """What depends on a record: removing it needs --force."""
        q = self.conn.execute
        if kind == "work":
            citing = [
                f"{k} ({r})" if r != "cites" else k
                for k, r in q(
                    "SELECT citekey, relation FROM citations JOIN articles ON articles.id = citing_id WHERE cited_id = ? ORDER BY citekey",
                    (row_id,),
                )
            ]
            return [f"cited by {_some(citing)}"] if citing else []
        if kind == "person":
            works = [
                k
                for (k,) in q(
                    "SELECT DISTINCT citekey FROM article_authors JOIN articles ON articles.id = article_id "
                    "WHERE author_id = ? ORDER BY citekey",
                    (row_id,),
                )
            ]
            return [f"a creator of {_count(len(works), 'work')} ({_some(works)})"] if works else []
        table = _TABLES[kind]
        link_table, column = _WORK_LINKS[f"{kind}s"]
        out = []
        children = [n for (n,) in q(f"SELECT name FROM {table} WHERE parent_id = ? ORDER BY name", (row_id,))]
        if children:
            out.append(f"parent of {_some(children)}")
        works = [
            k
            for (k,) in q(
                f"SELECT DISTINCT citekey FROM {link_table} JOIN articles ON articles.id = article_id "
                f"WHERE {column} = ? ORDER BY citekey",
                (row_id,),
            )
        ]
        if works:
            out.append(f"linked to {_count(len(works), 'work')} ({_some(works)})")
        if kind == "organisation":
            people = [
                n
                for (n,) in q(
                    "SELECT DISTINCT authors.name FROM affiliations JOIN authors ON authors.id = author_id "
                    "WHERE organisation_id = ? ORDER BY authors.name",
                    (row_id,),
                )
            ]
            if people:
                out.append(f"the affiliation of {_some(people)}")
        return out

    def removal_effects(self, kind: str, row_id: int) -> list[str]:
        """What goes with a record (or loses its reference to it) when it is removed."""

        def count(sql: str) -> int:
            return self.conn.execute(sql, (row_id,)).fetchone()[0]

        if kind == "work":
            parts = [
                (count("SELECT count(*) FROM article_tags WHERE article_id = ?"), "tag", "tags"),
                (count("SELECT count(*) FROM article_events WHERE article_id = ?"), "event link", "event links"),
                (
                    count("SELECT count(*) FROM article_organisations WHERE article_id = ?"),
                    "organisation link",
                    "organisation links",
                ),
                (
                    count("SELECT count(*) FROM citations WHERE citing_id = ?"),
                    "citation it makes",
                    "citations it makes",
                ),
                (count("SELECT count(*) FROM citations WHERE cited_id = ?"), "citation of it", "citations of it"),
                (count("SELECT count(*) FROM notes WHERE article_id = ?"), "note", "notes"),
                (
                    count("SELECT count(*) FROM article_authors WHERE article_id = ?"),
                    "creator entry",
                    "creator entries",
                ),
            ]
        elif kind == "person":
            parts = [
                (count("SELECT count(*) FROM affiliations WHERE author_id = ?"), "affiliation", "affiliations"),
                (
                    count("SELECT count(*) FROM article_authors WHERE author_id = ?"),
                    "creator entry (the work stays)",
                    "creator entries (the works stay)",
                ),
            ]
        else:
            link_table, column = _WORK_LINKS[f"{kind}s"]
            parts = [
                (count(f"SELECT count(*) FROM {kind}_aliases WHERE {kind}_id = ?"), "alias", "aliases"),
                (count(f"SELECT count(*) FROM {link_table} WHERE {column} = ?"), "link to a work", "links to works"),
                (
                    count(f"SELECT count(*) FROM event_organisations WHERE {kind}_id = ?"),
                    "participant role",
                    "participant roles",
                ),
                (
                    count(f"SELECT count(*) FROM notes WHERE {kind}_id = ?"),
                    f"note's {kind} (the note stays)",
                    f"notes' {kind} (the notes stay)",
                ),
                (
                    count(f"SELECT count(*) FROM {_TABLES[kind]} WHERE parent_id = ?"),
                    f"sub-{kind}'s parent",
                    f"sub-{kind}s' parent",
                ),
            ]
            if kind == "organisation":
                parts.insert(
                    3,
                    (
                        count("SELECT count(*) FROM affiliations WHERE organisation_id = ?"),
                        "affiliation",
                        "affiliations",
                    ),
                )
        return [f"{n} {one if n == 1 else many}" for n, one, many in parts if n]

    def remove_record(self, kind: str, row_id: int, force: bool = False) -> None:
        """Remove a record and what hangs on it; one that others depend on needs `force`."""
        label = record_label(kind, self.record_name(kind, row_id))
        depending = self.dependants(kind, row_id)
        if depending and not force:
            raise KbError(f"{label} is {'; '.join(depending)}: --force removes it anyway")
        q = self.conn.execute
        if kind == "work":
            q("DELETE FROM articles WHERE id = ?", (row_id,))  # its links, notes and citations cascade
        elif kind == "person":
            self._rename_creator(row_id, None)
            q("DELETE FROM authors WHERE id = ?", (row_id,))
        else:
            table = _TABLES[kind]
            link_table, column = _WORK_LINKS[f"{kind}s"]
            q(f"DELETE FROM {link_table} WHERE {column} = ?", (row_id,))
            q(f"DELETE FROM event_organisations WHERE {kind}_id = ?", (row_id,))
            q(f"UPDATE notes SET {kind}_id = NULL WHERE {kind}_id = ?", (row_id,))
            q(f"UPDATE {table} SET parent_id = NULL WHERE parent_id = ?", (row_id,))
            q("DELETE FROM rejected_links WHERE target_table = ? AND target_id = ?", (table, row_id))
            if kind == "organisation":
                q("DELETE FROM affiliations WHERE organisation_id = ?", (row_id,))
            q(f"DELETE FROM {table} WHERE id = ?", (row_id,))  # aliases cascade
        self._caches = None

    # -- unlink -------------------------------------------------------------------------

    def unlink_work(self, article_id: int, kind: str, name: str) -> None:
        """Remove one link of a work: to an event, organisation or tag, or a citation."""
        citekey = self.citekey_of(article_id)
        if kind == "tag":
            removed = self.conn.execute(
                "DELETE FROM article_tags WHERE article_id = ? AND tag_id = (SELECT id FROM tags WHERE name = ?)",
                (article_id, _clean(name)),
            ).rowcount
        elif kind == "cites":
            removed = self.conn.execute(
                "DELETE FROM citations WHERE citing_id = ? AND cited_id = ?", (article_id, self.require_work(name))
            ).rowcount
        else:
            link_table, column = _WORK_LINKS[f"{kind}s"]
            target = self.require_event(name) if kind == "event" else self.require_organisation(name)
            removed = self.conn.execute(
                f"DELETE FROM {link_table} WHERE article_id = ? AND {column} = ?", (article_id, target)
            ).rowcount
        if not removed:
            what = f"does not cite {name!r}" if kind == "cites" else f"is not linked to the {kind} {name!r}"
            raise KbError(f"{citekey} {what}")
        self.conn.execute("UPDATE articles SET updated_at = ? WHERE id = ?", (_stamp(), article_id))

    def remove_affiliation(self, author_id: int, organisation_id: int) -> None:
        if not self.conn.execute(
            "DELETE FROM affiliations WHERE author_id = ? AND organisation_id = ?", (author_id, organisation_id)
        ).rowcount:
            raise KbError(
                f"{self.record_name('person', author_id)!r} has no affiliation with "
                f"{self.record_name('organisation', organisation_id)!r}"
            )

    def remove_participant(self, event_id: int, organisation_id: int) -> None:
        if not self.conn.execute(
            "DELETE FROM event_organisations WHERE event_id = ? AND organisation_id = ?", (event_id, organisation_id)
        ).rowcount:
            raise KbError(
                f"{self.record_name('organisation', organisation_id)!r} is not a participant of the event "
                f"{self.record_name('event', event_id)!r}"
            )


def _event_date_columns(name: str, date: str | None, where: str | None) -> dict[str, Any]:
    if not date:
        return {"date": None, "date_edtf": None, "date_precision": None, "start_date": None, "end_date": None}
    try:
        parsed = parse_partial_date(str(date))
    except KbError as exc:
        raise KbError(f"event {name!r}: {exc.message}", where) from None
    return {
        "date": parsed.text,
        "date_edtf": parsed.edtf,
        "date_precision": parsed.precision,
        "start_date": parsed.start,
        "end_date": parsed.end,
    }


def _same(column: str, stored: Any, given: Any) -> bool:
    """Whether a stored value and a given one say the same ("7-12 Aug 2008" is "7-12 August 2008")."""
    if column == "date":
        try:
            return parse_partial_date(str(stored)).edtf == parse_partial_date(str(given)).edtf
        except KbError:
            return False
    return str(stored) == str(given)


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def _some(names: list[str], limit: int = 5) -> str:
    """A list of names for a one-line message: the first few and how many more."""
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")
