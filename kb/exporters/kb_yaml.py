"""kb's own YAML (the format of `kb dump` and `kb import`), for the selected works.

The documents are the ones `kb dump` writes (kb.dump.work_document), in one file, with
the organisations, events and people the works link to, so the file imports on its
own into another knowledge base. Citations to works outside the selection are left
out and reported: the other knowledge base could not resolve them.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import sqlite_utils

from .. import dump
from . import Losses

FORMAT = "yaml"
EXTENSION = ".yaml"
MEDIA_TYPE = "application/yaml; charset=utf-8"
LABEL = "kb YAML"
NEEDS_CONNECTION = True


def write_from_db(conn: sqlite3.Connection, ids: list[int], losses: Losses, **_: Any) -> str:
    db = sqlite_utils.Database(conn)
    links = dump._work_links(db)
    rows = {
        row["id"]: row
        for row in db.query("SELECT * FROM articles WHERE id IN (SELECT value FROM json_each(?))", [json.dumps(ids)])
    }
    keys = {rows[i]["citekey"] for i in ids if i in rows}
    works: list[dict[str, Any]] = []
    organisations: set[str] = set()
    events: set[str] = set()
    for article_id in ids:
        row = rows[article_id]
        work_links = dict(links.get(article_id, {}))
        cites = work_links.get("cites") or []
        inside = [c for c in cites if c["key"] in keys]
        if len(inside) < len(cites):
            losses.add(row["citekey"], "a citation of a work outside the export")
        work_links["cites"] = inside
        works.append(dump.work_document(row, work_links))
        organisations.update(_name(o) for o in work_links.get("organisations", []))
        events.update(_name(e) for e in work_links.get("events", []))
        organisations.update(n["organisation"] for n in work_links.get("notes", []) if n.get("organisation"))
        events.update(n["event"] for n in work_links.get("notes", []) if n.get("event"))
    authors = {
        row[0]
        for row in conn.execute(
            "SELECT DISTINCT authors.name FROM article_authors JOIN authors ON authors.id = author_id "
            "WHERE article_id IN (SELECT value FROM json_each(?))",
            (json.dumps(ids),),
        )
    }
    people = [doc for name, doc in dump.person_documents(db) if name in authors]
    people_orgs = {a["organisation"] for doc in people for a in doc.get("affiliations", [])}
    event_docs = _closure(dump.event_documents(db), events)
    for doc in event_docs:
        organisations.update(p["organisation"] for p in doc.get("organisations", []))
    organisation_docs = _closure(dump.organisation_documents(db), organisations | people_orgs)
    documents = organisation_docs + event_docs + people + works
    return dump.to_yaml(documents) if documents else ""


def _name(link: Any) -> str:
    return link if isinstance(link, str) else link["name"]


def _closure(documents: list[tuple[str, dict[str, Any]]], names: set[str]) -> list[dict[str, Any]]:
    """The documents named, plus their parents (a parent must exist before its child links to it)."""
    by_name = dict(documents)
    wanted = set()
    pending = [n for n in names if n in by_name]
    while pending:
        name = pending.pop()
        if name in wanted:
            continue
        wanted.add(name)
        parent = by_name[name].get("parent")
        if parent and parent in by_name:
            pending.append(parent)
    return [doc for name, doc in documents if name in wanted]
