"""kb's own YAML format, in one place: how records become documents and text, and how
text is read back.

Written by `kb dump` (one file per record, kb/dump.py) and by `kb export --format yaml`
(one file, kb/exporters/kb_yaml.py); read by `kb import` and `kb build`
(kb/importers/kb_yaml.py). A document is a mapping with a `kind` (work, event,
organisation, person); a work's keys are CSL-JSON variables plus kb's own (citekey,
tags, events, organisations, cites, notes ...). Dates are EDTF text where they are plain,
names CSL names, links a name or a mapping with a relation and source when they are not
the defaults.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import sqlite_utils
import yaml

from .dates import partial_date_from_csl
from .model import CSL_DATE_VARIABLES

KINDS = ("work", "event", "organisation", "person")
# A work's keys besides its CSL variables.
WORK_KEYS = {
    "kind",
    "citekey",
    "tags",
    "events",
    "organisations",
    "cites",
    "notes",
    "extra",
    "text",
    "status",
    "added_by",
    "added_at",
    "needs_review",
}

_FIRST_KEYS = ("type", "title", "author", "editor", "translator", "issued", "container-title")


# libyaml's emitter (shipped in PyYAML's wheels) writes the same YAML about 5x faster.
class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    def ignore_aliases(self, data: Any) -> bool:  # kb build refuses aliases: write every value out
        return True


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def to_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)


def _compact_date(value: Any) -> Any:
    """A plain CSL date as its EDTF text ("2010-11-19/2010-11-20"); anything richer as is."""
    if isinstance(value, dict) and set(value) <= {"date-parts", "circa"}:
        parsed = partial_date_from_csl(value)
        if parsed is not None:
            return parsed.edtf
    return value


def work_document(row: dict[str, Any], links: dict[str, Any]) -> dict[str, Any]:
    item = json.loads(row["csl_json"])
    item.pop("id", None)
    doc: dict[str, Any] = {"kind": "work", "citekey": row["citekey"]}
    for key in [*(k for k in _FIRST_KEYS if k in item), *sorted(k for k in item if k not in _FIRST_KEYS)]:
        value = item[key]
        doc[key] = _compact_date(value) if key in CSL_DATE_VARIABLES else value
    for key in ("tags", "events", "organisations", "cites", "notes"):
        if links.get(key):
            doc[key] = links[key]
    if row["extra_json"]:
        doc["extra"] = json.loads(row["extra_json"])
    for key in ("status", "added_by", "added_at"):
        if row[key]:
            doc[key] = row[key]
    if row["needs_review"]:
        doc["needs_review"] = True
    if row["text"]:
        doc["text"] = row["text"]
    return doc


def _link(name: str, relation: str, source: str) -> Any:
    if relation == "discusses" and source == "manual":
        return name
    entry: dict[str, Any] = {"name": name}
    if relation != "discusses":
        entry["relation"] = relation
    if source != "manual":
        entry["source"] = source
    return entry


def work_links(
    db: sqlite_utils.Database, only: int | None = None, ids: list[int] | None = None
) -> dict[int, dict[str, list[Any]]]:
    """Each work's tags, events, organisations, citations and notes as its document holds
    them: of every work (kb dump), of one (`only`: kb edit) or of the works an export
    selected (`ids`), read through the same queries."""
    links: dict[int, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    match, params = "", []
    if ids is not None:
        match, params = "WHERE {} IN (SELECT value FROM json_each(?)) ", [json.dumps(ids)]
    elif only is not None:
        match = f"WHERE {{}} = {int(only)} "
    for article_id, name in db.execute(
        "SELECT article_id, name FROM article_tags JOIN tags ON tags.id = tag_id "
        + match.format("article_id")
        + "ORDER BY article_id, name",
        params,
    ):
        links[article_id]["tags"].append(name)
    for article_id, name, relation, source in db.execute(
        "SELECT article_id, name, relation, source FROM article_events JOIN events ON events.id = event_id "
        + match.format("article_id")
        + "ORDER BY article_id, name, relation",
        params,
    ):
        links[article_id]["events"].append(_link(name, relation, source))
    for article_id, name, relation, source in db.execute(
        "SELECT article_id, name, relation, source FROM article_organisations JOIN organisations ON organisations.id = organisation_id "
        + match.format("article_id")
        + "ORDER BY article_id, name, relation",
        params,
    ):
        links[article_id]["organisations"].append(_link(name, relation, source))
    for citing_id, citekey, relation, locator, context in db.execute(
        "SELECT citing_id, articles.citekey, relation, locator, context FROM citations "
        "JOIN articles ON articles.id = cited_id "
        + match.format("citing_id")
        + "ORDER BY citing_id, articles.citekey, relation",
        params,
    ):
        entry: dict[str, Any] = {"key": citekey, "relation": relation}
        if locator:
            entry["locator"] = locator
        if context:
            entry["context"] = context
        links[citing_id]["cites"].append(entry)
    for row in db.query(
        "SELECT notes.*, events.name AS event, organisations.name AS organisation FROM notes "
        "LEFT JOIN events ON events.id = notes.event_id LEFT JOIN organisations ON organisations.id = notes.organisation_id "
        + match.format("article_id")
        + "ORDER BY article_id, added_at, notes.id",
        params,
    ):
        note = {
            k: row[k]
            for k in ("comment", "quote", "locator", "event", "organisation", "added_by", "added_at")
            if row[k]
        }
        links[row["article_id"]]["notes"].append(note)
    return links


def _aliases(db: sqlite_utils.Database, table: str, column: str) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    for owner, alias in db.execute(f"SELECT {column}, alias FROM {table} ORDER BY {column}, alias"):
        out[owner].append(alias)
    return out


def _drop_empty(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if v not in (None, "", [], {})}


def _only(only: int | None) -> str:
    """The condition that picks one record's row (kb edit), or every row (kb dump)."""
    return "" if only is None else f"WHERE id = {int(only)} "


def organisation_documents(db: sqlite_utils.Database, only: int | None = None) -> list[tuple[str, dict[str, Any]]]:
    aliases = _aliases(db, "organisation_aliases", "organisation_id")
    names = dict(db.execute("SELECT id, name FROM organisations").fetchall())
    docs = []
    for row in db.query(f"SELECT * FROM organisations {_only(only)}ORDER BY name"):
        docs.append(
            (
                row["name"],
                _drop_empty(
                    {
                        "kind": "organisation",
                        "name": row["name"],
                        "acronym": row["acronym"],
                        "type": row["type"],
                        "country": row["country"],
                        "parent": names.get(row["parent_id"]),
                        "url": row["url"],
                        "description": row["description"],
                        "aliases": aliases.get(row["id"]),
                    }
                ),
            )
        )
    return docs


def event_documents(db: sqlite_utils.Database, only: int | None = None) -> list[tuple[str, dict[str, Any]]]:
    aliases = _aliases(db, "event_aliases", "event_id")
    names = dict(db.execute("SELECT id, name FROM events").fetchall())
    participants: dict[int, list[dict[str, str]]] = defaultdict(list)
    for event_id, organisation, role in db.execute(
        "SELECT event_id, organisations.name, role FROM event_organisations "
        "JOIN organisations ON organisations.id = organisation_id ORDER BY event_id, organisations.name, role"
    ):
        participants[event_id].append({"organisation": organisation, "role": role})
    docs = []
    for row in db.query(f"SELECT * FROM events {_only(only)}ORDER BY name"):
        docs.append(
            (
                row["name"],
                _drop_empty(
                    {
                        "kind": "event",
                        "name": row["name"],
                        "type": row["type"],
                        "date": row["date"],
                        "location": row["location"],
                        "parent": names.get(row["parent_id"]),
                        "description": row["description"],
                        "aliases": aliases.get(row["id"]),
                        "organisations": participants.get(row["id"]),
                    }
                ),
            )
        )
    return docs


def person_documents(db: sqlite_utils.Database, only: int | None = None) -> list[tuple[str, dict[str, Any]]]:
    """People with something beyond their name (affiliations, ORCID, a page); with
    `only`, that one person whatever they have."""
    affiliations: dict[int, list[dict[str, str]]] = defaultdict(list)
    for row in db.query(
        "SELECT author_id, organisations.name AS organisation, role, start_date, end_date FROM affiliations "
        "JOIN organisations ON organisations.id = organisation_id ORDER BY author_id, organisations.name, role"
    ):
        affiliations[row["author_id"]].append(
            _drop_empty(
                {
                    "organisation": row["organisation"],
                    "role": row["role"],
                    "start": row["start_date"],
                    "end": row["end_date"],
                }
            )
        )
    docs = []
    for row in db.query(f"SELECT * FROM authors {_only(only)}ORDER BY name_key"):
        if only is None and not (affiliations.get(row["id"]) or row["orcid"] or row["url"]):
            continue
        if row["is_organisation"]:
            name: dict[str, Any] = {"literal": row["name"]}
        else:
            name = _drop_empty(
                {
                    "family": row["family"],
                    "given": row["given"],
                    "non-dropping-particle": row["particle"],
                    "suffix": row["suffix"],
                }
            )
        docs.append(
            (
                row["name"],
                _drop_empty(
                    {
                        "kind": "person",
                        "name": name,
                        "orcid": row["orcid"],
                        "url": row["url"],
                        "affiliations": affiliations.get(row["id"]),
                    }
                ),
            )
        )
    return docs


def work_documents(db: sqlite_utils.Database, only: int | None = None) -> list[tuple[str, dict[str, Any]]]:
    links = work_links(db, only)
    return [
        (row["citekey"], work_document(row, links.get(row["id"], {})))
        for row in db.query(f"SELECT * FROM articles {_only(only)}ORDER BY citekey")
    ]


# Reading


class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """Safe YAML that records each mapping's line, for error messages."""


def _construct_mapping(loader: Loader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


# The records a work's document names (for an export of some works)

_ORGANISATION, _EVENT, _PERSON = 0, 1, 2  # the order a file of kb YAML gives them: each before what names it


def _name(link: Any) -> str:
    return link if isinstance(link, str) else link["name"]


class RelatedDocuments:
    """The organisation, event and person documents of a knowledge base, read once, for an
    export of some of its works in kb YAML: `for_work` gives the documents one work needs
    so that the file imports on its own (what it links to, its authors with something to
    say, their affiliations, and the parents of all these), each numbered by its kind and
    its place in the dump's order, so the union over the works comes out in one order."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.organisations = organisation_documents(db)
        self.events = event_documents(db)
        self.people = person_documents(db)
        self._places = {
            kind: _places(documents)
            for kind, documents in ((_ORGANISATION, self.organisations), (_EVENT, self.events), (_PERSON, self.people))
        }
        self._by_name = {_ORGANISATION: dict(self.organisations), _EVENT: dict(self.events)}

    def for_work(self, links: dict[str, Any], authors: set[str]) -> list[tuple[int, int, dict[str, Any]]]:
        """(kind, place, document) of each record the work with these links and authors needs."""
        notes = links.get("notes", [])
        events = {_name(e) for e in links.get("events", [])} | {n["event"] for n in notes if n.get("event")}
        organisations = {_name(o) for o in links.get("organisations", [])}
        organisations |= {n["organisation"] for n in notes if n.get("organisation")}
        out = []
        for name in authors:
            for place in self._places[_PERSON].get(name, ()):
                doc = self.people[place][1]
                organisations.update(a["organisation"] for a in doc.get("affiliations", []))
                out.append((_PERSON, place, doc))
        for name in self._closure(_EVENT, events):
            for place in self._places[_EVENT][name]:
                doc = self.events[place][1]
                organisations.update(p["organisation"] for p in doc.get("organisations", []))
                out.append((_EVENT, place, doc))
        for name in self._closure(_ORGANISATION, organisations):
            out.extend(
                (_ORGANISATION, place, self.organisations[place][1]) for place in self._places[_ORGANISATION][name]
            )
        return out

    def _closure(self, kind: int, names: set[str]) -> set[str]:
        """The names given that have a document, plus their parents (a parent must exist
        before its child names it)."""
        by_name = self._by_name[kind]
        wanted: set[str] = set()
        pending = [n for n in names if n in by_name]
        while pending:
            name = pending.pop()
            if name in wanted:
                continue
            wanted.add(name)
            parent = by_name[name].get("parent")
            if parent and parent in by_name:
                pending.append(parent)
        return wanted


def _places(documents: list[tuple[str, dict[str, Any]]]) -> dict[str, list[int]]:
    places: dict[str, list[int]] = defaultdict(list)
    for place, (name, _) in enumerate(documents):
        places[name].append(place)
    return places
