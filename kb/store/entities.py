"""Entities: people (authors), tags, organisations and events with their aliases and the
look-up keys of kb.lookup written beside their names."""

from __future__ import annotations

from typing import Any

from .. import lookup
from ..dates import parse_partial_date
from ..errors import KbError
from ..model import (
    EventRecord,
    OrganisationRecord,
    PersonRecord,
)
from ..names import display_name, name_key
from .outcomes import insert_sql
from .state import StoreState

_AUTHOR_COLUMNS = ("name", "family", "given", "particle", "suffix", "is_organisation", "name_key", "family_key")


class Entities(StoreState):
    """The entities part of `kb.store.Store` (see kb/store/__init__.py)."""

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
        by_parts = self.caches.author_parts
        if parts in by_parts:
            return by_parts[parts]
        key = name_key(name)
        cache = self.caches.author
        if key in cache:
            by_parts[parts] = cache[key]
            return cache[key]
        literal = name.get("literal")
        values = (
            display_name(name),
            name.get("family"),
            name.get("given"),
            name.get("non-dropping-particle") or name.get("dropping-particle"),
            name.get("suffix"),
            int(bool(literal)),
            key,
            lookup.family_key(name),  # (its name_key is `key`: lookup.author_keys would fold the name again)
        )
        if self._bulk is not None:  # an import's bulk writes (bulk.py)
            author_id = self._bulk.new_id("authors")
            self._bulk.add("authors", ("id", *_AUTHOR_COLUMNS), (author_id, *values))
        else:
            author_id = self.conn.execute(insert_sql("authors", _AUTHOR_COLUMNS), values).lastrowid
        cache[key] = by_parts[parts] = author_id
        return author_id

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
        cache = self.caches.tag
        if name not in cache:
            values = (name, lookup.tag_keys(name)["name_key"])
            if self._bulk is not None:  # an import's bulk writes (bulk.py)
                cache[name] = self._bulk.new_id("tags")
                self._bulk.add("tags", ("id", "name", "name_key"), (cache[name], *values))
            else:
                cache[name] = self.conn.execute("INSERT INTO tags (name, name_key) VALUES (?, ?)", values).lastrowid
        return cache[name]

    def _name_index(self, kind: str) -> dict[str, int]:
        """kb.lookup's keys of every organisation (or event) -> id, read once a command."""
        caches = self.caches
        if kind == "organisation":
            if caches.organisation is None:
                caches.organisation = lookup.name_index(self.conn, kind)
            return caches.organisation
        if kind == "event":
            if caches.event is None:
                caches.event = lookup.name_index(self.conn, kind)
            return caches.event
        raise ValueError(kind)

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
            self._caches.organisation = self._caches.event = None

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
            self.defer("organisation_parent", organisation_id, record.parent, {}, record.origin)
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
            self.defer(
                "event_organisation", event_id, participant.organisation, {"role": participant.role}, record.origin
            )
        if record.parent:
            self.defer("event_parent", event_id, record.parent, {}, record.origin)
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

    def save_person(self, record: PersonRecord) -> tuple[str, int]:
        name = record.name
        if not (name.get("family") or name.get("literal") or name.get("given")):
            raise KbError("a person needs a name", record.origin)
        existed = name_key(name) in self.caches.author
        author_id = self.author_id(name)
        changed = self._fill_row("authors", author_id, {"orcid": record.orcid, "url": record.url})
        for affiliation in record.affiliations:
            self.defer(
                "affiliation",
                author_id,
                affiliation.organisation,
                {"role": affiliation.role, "start": affiliation.start, "end": affiliation.end},
                record.origin,
            )
        return (
            "unchanged" if existed and not changed and not record.affiliations else "updated" if existed else "added"
        ), author_id
