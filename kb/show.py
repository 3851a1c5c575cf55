"""Reading the knowledge base for the terminal: one record in full (`kb show`), a list
of works, organisations, events, people or tags (`kb list`), and full-text search
(`kb search`). Read-only: nothing here writes.

Each function returns plain data (dicts and lists) so the command can print it as a
table, JSON or CSV; `fit_table` lays a table out within the terminal's width.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from .errors import KbError
from .formatting import cached_references, load_style
from .lookup import find_authors
from .query import WorkFilter, escape_fts, select_work_ids
from .store import Store

LIST_KINDS = ("works", "orgs", "events", "people", "tags")
SEARCH_KINDS = ("works", "people", "orgs", "events")
ELLIPSIS = "…"

_WORK_FIELDS = (
    "citekey",
    "type",
    "title",
    "container_title",
    "publisher",
    "issued",
    "volume",
    "issue",
    "pages",
    "doi",
    "url",
    "isbn",
    "language",
    "accessed",
    "status",
    "added_by",
    "added_at",
    "abstract",
)


@dataclass
class Table:
    """Rows of a listing under named columns, ready to print as a table, JSON or CSV."""

    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    flexible: str | None = None  # the column that gives way first when the terminal is narrow
    whole: str | None = None  # a column never cut (the citekey a reader copies)

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row)) for row in self.rows]


def _dicts(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor]


def _present(record: dict[str, Any]) -> dict[str, Any]:
    """A record without its empty fields: what `kb show` prints is what the record holds."""
    return {k: v for k, v in record.items() if v not in (None, "", [], {})}


# -- kb show ---------------------------------------------------------------------------


def work_details(conn: sqlite3.Connection, article_id: int, style: str = "apa") -> dict[str, Any]:
    """A work's fields, creators, tags, links, citations both ways, notes and its
    formatted reference in `style` (from the reference cache when it is there)."""
    row = _dicts(conn, f"SELECT {', '.join(_WORK_FIELDS)} FROM articles WHERE id = ?", (article_id,))[0]
    details: dict[str, Any] = {"kind": "work", **row}
    details["creators"] = _dicts(
        conn,
        "SELECT authors.name, article_authors.role FROM article_authors "
        "JOIN authors ON authors.id = author_id WHERE article_id = ? ORDER BY role, position",
        (article_id,),
    )
    details["tags"] = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM tags JOIN article_tags ON tag_id = tags.id WHERE article_id = ? ORDER BY name",
            (article_id,),
        )
    ]
    details["events"] = _dicts(
        conn,
        "SELECT events.name, events.date, relation, source FROM article_events "
        "JOIN events ON events.id = event_id WHERE article_id = ? ORDER BY events.start_date, events.name",
        (article_id,),
    )
    details["organisations"] = _dicts(
        conn,
        "SELECT organisations.name, relation, source FROM article_organisations "
        "JOIN organisations ON organisations.id = organisation_id WHERE article_id = ? "
        "ORDER BY organisations.name, relation",
        (article_id,),
    )
    details["cites"] = _dicts(
        conn,
        "SELECT articles.citekey, relation, locator, articles.title FROM citations "
        "JOIN articles ON articles.id = cited_id WHERE citing_id = ? ORDER BY articles.citekey",
        (article_id,),
    )
    details["cited_by"] = _dicts(
        conn,
        "SELECT articles.citekey, relation, locator, articles.title FROM citations "
        "JOIN articles ON articles.id = citing_id WHERE cited_id = ? ORDER BY articles.citekey",
        (article_id,),
    )
    details["notes"] = _dicts(
        conn,
        "SELECT notes.locator, notes.quote, notes.comment, events.name AS event, "
        "organisations.name AS organisation, notes.added_by, notes.added_at FROM notes "
        "LEFT JOIN events ON events.id = notes.event_id "
        "LEFT JOIN organisations ON organisations.id = notes.organisation_id "
        "WHERE article_id = ? ORDER BY notes.added_at, notes.id",
        (article_id,),
    )
    load_style(style)
    references, _, _ = cached_references(conn, [article_id], style)
    details["reference"] = references.get(article_id, "").strip()
    for key, value in details.items():  # linked records without their empty fields too
        if isinstance(value, list) and value and isinstance(value[0], dict):
            details[key] = [_present(v) for v in value]
    return _present(details)


def _linked_works(conn: sqlite3.Connection, table: str, column: str, row_id: int) -> list[dict[str, Any]]:
    return [
        _present(w)
        for w in _dicts(
            conn,
            f"SELECT articles.citekey, articles.year, {table}.relation, articles.title FROM {table} "
            f"JOIN articles ON articles.id = article_id WHERE {column} = ? ORDER BY articles.year, articles.citekey",
            (row_id,),
        )
    ]


def organisation_details(conn: sqlite3.Connection, organisation_id: int) -> dict[str, Any]:
    """An organisation's fields, aliases, parent and parts, events, people and works."""
    row = _dicts(
        conn,
        "SELECT o.name, o.acronym, o.type, o.country, o.url, o.description, p.name AS parent "
        "FROM organisations o LEFT JOIN organisations p ON p.id = o.parent_id WHERE o.id = ?",
        (organisation_id,),
    )[0]
    details: dict[str, Any] = {"kind": "organisation", **row}
    details["aliases"] = [
        r[0]
        for r in conn.execute(
            "SELECT alias FROM organisation_aliases WHERE organisation_id = ? ORDER BY alias", (organisation_id,)
        )
    ]
    details["parts"] = [
        r[0]
        for r in conn.execute("SELECT name FROM organisations WHERE parent_id = ? ORDER BY name", (organisation_id,))
    ]
    details["events"] = [
        _present(e)
        for e in _dicts(
            conn,
            "SELECT events.name, events.date, role FROM event_organisations JOIN events ON events.id = event_id "
            "WHERE organisation_id = ? ORDER BY events.start_date, events.name",
            (organisation_id,),
        )
    ]
    details["people"] = [
        _present(p)
        for p in _dicts(
            conn,
            "SELECT authors.name, role, start_date, end_date FROM affiliations JOIN authors ON authors.id = author_id "
            "WHERE organisation_id = ? ORDER BY authors.name",
            (organisation_id,),
        )
    ]
    details["works"] = _linked_works(conn, "article_organisations", "organisation_id", organisation_id)
    return _present(details)


def event_details(conn: sqlite3.Connection, event_id: int) -> dict[str, Any]:
    """An event's fields, aliases, parent and parts, participants and works."""
    row = _dicts(
        conn,
        "SELECT e.name, e.type, e.date, e.date_edtf, e.location, e.description, p.name AS parent "
        "FROM events e LEFT JOIN events p ON p.id = e.parent_id WHERE e.id = ?",
        (event_id,),
    )[0]
    details: dict[str, Any] = {"kind": "event", **row}
    details["aliases"] = [
        r[0] for r in conn.execute("SELECT alias FROM event_aliases WHERE event_id = ? ORDER BY alias", (event_id,))
    ]
    details["parts"] = [
        r[0] for r in conn.execute("SELECT name FROM events WHERE parent_id = ? ORDER BY start_date, name", (event_id,))
    ]
    details["organisations"] = _dicts(
        conn,
        "SELECT organisations.name, role FROM event_organisations JOIN organisations ON organisations.id = organisation_id "
        "WHERE event_id = ? ORDER BY organisations.name",
        (event_id,),
    )
    details["works"] = _linked_works(conn, "article_events", "event_id", event_id)
    return _present(details)


def person_details(conn: sqlite3.Connection, author_id: int) -> dict[str, Any]:
    """A person's (or corporate author's) name, identifiers, affiliations and works."""
    row = _dicts(conn, "SELECT name, orcid, url, is_organisation FROM authors WHERE id = ?", (author_id,))[0]
    details: dict[str, Any] = {"kind": "person", **row, "is_organisation": bool(row["is_organisation"]) or None}
    details["affiliations"] = [
        _present(a)
        for a in _dicts(
            conn,
            "SELECT organisations.name AS organisation, role, start_date, end_date FROM affiliations "
            "JOIN organisations ON organisations.id = organisation_id WHERE author_id = ? ORDER BY start_date, organisations.name",
            (author_id,),
        )
    ]
    details["works"] = [
        _present(w)
        for w in _dicts(
            conn,
            "SELECT articles.citekey, articles.year, article_authors.role, articles.title FROM article_authors "
            "JOIN articles ON articles.id = article_id WHERE author_id = ? ORDER BY articles.year, articles.citekey",
            (author_id,),
        )
    ]
    return _present(details)


def find_people(conn: sqlite3.Connection, name: str) -> list[int]:
    """The authors a name means (the rule of `--author`); none is an empty list."""
    return find_authors(conn, name)


def look_up(store: Store, name: str, kind: str | None = None, style: str = "apa") -> list[dict[str, Any]]:
    """What `name` names: a work (citekey, DOI or URL), an organisation, an event or a
    person, tried in that order unless `kind` says which. Several people can share a
    family name, so a person look-up may give several records."""
    conn = store.conn
    if kind in (None, "work"):
        article_id = store.find_work(name)
        if article_id is not None:
            return [work_details(conn, article_id, style)]
    if kind in (None, "organisation"):
        organisation_id = store.find_organisation(name)
        if organisation_id is not None:
            return [organisation_details(conn, organisation_id)]
    if kind in (None, "event"):
        event_id = store.find_event(name)
        if event_id is not None:
            return [event_details(conn, event_id)]
    if kind in (None, "person"):
        people = find_people(conn, name)
        if people:
            return [person_details(conn, author_id) for author_id in people]
    what = {
        "work": "work with citekey, DOI or URL",
        "organisation": "organisation",
        "event": "event",
        "person": "person",
    }.get(kind or "", "work, organisation, event or person")
    raise KbError(f"no {what} {name!r} in the knowledge base")


# -- kb list ---------------------------------------------------------------------------


def _selected(conn: sqlite3.Connection, work_filter: WorkFilter) -> tuple[str, str]:
    """SQL (a condition on `article_id`, and its parameter) for the works a filter selects;
    no filter means every work, without listing them."""
    if work_filter.is_empty():
        return "1", ""
    return "article_id IN (SELECT value FROM json_each(:ids))", json.dumps(select_work_ids(conn, work_filter))


def list_records(
    conn: sqlite3.Connection, kind: str, work_filter: WorkFilter | None = None, limit: int | None = None
) -> Table:
    """Works (by year, then citekey), or organisations, events, people or tags with the
    number of selected works each is linked to (most first; events by date). With a
    filter, only those linked to a selected work are listed."""
    work_filter = work_filter or WorkFilter()
    if kind not in LIST_KINDS:
        raise KbError(f"cannot list {kind!r}: list one of {', '.join(LIST_KINDS)}")
    condition, ids = _selected(conn, work_filter)
    linked_only = "" if work_filter.is_empty() else "WHERE works > 0"
    if kind == "works":
        where = "" if work_filter.is_empty() else "WHERE id IN (SELECT value FROM json_each(:ids))"
        sql = f"SELECT citekey, year, type, authors, title FROM articles {where} ORDER BY year IS NULL, year, citekey"
    elif kind == "orgs":
        sql = (
            "SELECT name, acronym, type, country, "
            f"(SELECT count(DISTINCT article_id) FROM article_organisations WHERE organisation_id = o.id AND {condition}) AS works "
            "FROM organisations o"
        )
        sql = f"SELECT * FROM ({sql}) {linked_only} ORDER BY works DESC, name"
    elif kind == "events":
        sql = (
            "SELECT name, date, type, location, "
            f"(SELECT count(DISTINCT article_id) FROM article_events WHERE event_id = e.id AND {condition}) AS works, "
            "start_date FROM events e"
        )
        sql = (
            f"SELECT name, date, type, location, works FROM ({sql}) {linked_only} "
            "ORDER BY start_date IS NULL, start_date, name"
        )
    elif kind == "people":
        sql = (
            "SELECT name, orcid, "
            f"(SELECT count(DISTINCT article_id) FROM article_authors WHERE author_id = a.id AND {condition}) AS works "
            "FROM authors a"
        )
        sql = f"SELECT * FROM ({sql}) {linked_only} ORDER BY works DESC, name"
    else:
        sql = (
            "SELECT name AS tag, "
            f"(SELECT count(*) FROM article_tags WHERE tag_id = t.id AND {condition}) AS works FROM tags t"
        )
        sql = f"SELECT * FROM ({sql}) {linked_only} ORDER BY works DESC, tag"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    cursor = conn.execute(sql, {"ids": ids})
    flexible = {"works": "title", "orgs": "name", "events": "name", "people": "name", "tags": "tag"}[kind]
    return Table(
        [d[0] for d in cursor.description],
        [list(row) for row in cursor],
        flexible,
        "citekey" if kind == "works" else None,
    )


# -- kb search -------------------------------------------------------------------------

# The same FTS5 tables as the web search (kb/datasette_plugin/routes.py), ranked by
# bm25 (FTS5's `rank`), with a snippet of the column that matched best.
_SEARCHES = {
    "works": "SELECT articles.citekey AS name, articles.title AS title, "
    "snippet(articles_fts, -1, :open, :close, :gap, 12) AS match, articles_fts.rank AS rank "
    "FROM articles_fts JOIN articles ON articles.id = articles_fts.rowid "
    "WHERE articles_fts MATCH :q ORDER BY articles_fts.rank LIMIT :limit",
    "people": "SELECT authors.name AS name, '' AS title, snippet(authors_fts, -1, :open, :close, :gap, 12) AS match, "
    "authors_fts.rank AS rank FROM authors_fts JOIN authors ON authors.id = authors_fts.rowid "
    "WHERE authors_fts MATCH :q ORDER BY authors_fts.rank LIMIT :limit",
    "orgs": "SELECT organisations.name AS name, coalesce(organisations.acronym, '') AS title, "
    "snippet(organisations_fts, -1, :open, :close, :gap, 12) AS match, organisations_fts.rank AS rank "
    "FROM organisations_fts JOIN organisations ON organisations.id = organisations_fts.rowid "
    "WHERE organisations_fts MATCH :q ORDER BY organisations_fts.rank LIMIT :limit",
    "events": "SELECT events.name AS name, coalesce(events.date, '') AS title, "
    "snippet(events_fts, -1, :open, :close, :gap, 12) AS match, events_fts.rank AS rank "
    "FROM events_fts JOIN events ON events.id = events_fts.rowid "
    "WHERE events_fts MATCH :q ORDER BY events_fts.rank LIMIT :limit",
}


def search(
    conn: sqlite3.Connection,
    text: str,
    kinds: tuple[str, ...] = SEARCH_KINDS,
    limit: int = 20,
    marks: tuple[str, str] = ("[", "]"),
) -> Table:
    """Works, people, organisations and events matching `text` (each word a term, as in
    the browser's search box), best first within each kind, up to `limit` of each."""
    if not text.strip():
        raise KbError("say what to search for: kb search TEXT")
    query = escape_fts(text)
    table = Table(["kind", "name", "title", "match"], flexible="match")
    for kind in kinds:
        params = {"q": query, "limit": limit, "open": marks[0], "close": marks[1], "gap": ELLIPSIS}
        try:
            rows = conn.execute(_SEARCHES[kind], params).fetchall()
        except sqlite3.OperationalError as exc:
            raise KbError(f"cannot search for {text!r}: {exc}") from None
        for name, title, match, _rank in rows:
            table.rows.append([kind, name, title or "", " ".join((match or "").split())])
    return table


# -- fitting the terminal ----------------------------------------------------------------


def clip(text: str, width: int) -> str:
    """`text` on one line, cut to `width` characters with an ellipsis when longer."""
    text = " ".join(str(text).split())
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: max(width - 1, 0)] + ELLIPSIS


def fit_table(table: Table, width: int, gap: int = 2) -> list[str]:
    """The table as aligned lines no wider than `width`: the widest columns give way
    first, cells cut with an ellipsis, down to a few characters each."""
    cells = [[("" if v is None else str(v)) for v in row] for row in table.rows]
    widths = [max([len(c)] + [len(" ".join(row[i].split())) for row in cells]) for i, c in enumerate(table.columns)]
    floor = [w if c == table.whole else min(w, max(len(c), 4)) for w, c in zip(widths, table.columns)]
    budget = width - gap * (len(widths) - 1)
    flexible = table.columns.index(table.flexible) if table.flexible in table.columns else None
    if flexible is not None:  # it gives way first, down to its share; then the others give way
        others = sum(widths) - widths[flexible]
        widths[flexible] = min(widths[flexible], max(budget - others, 20, int(budget * 0.4)))
        floor[flexible] = min(floor[flexible], widths[flexible])
    while sum(widths) > budget:
        shrinkable = [i for i, w in enumerate(widths) if w > floor[i] and i != flexible]
        shrinkable = shrinkable or [i for i, w in enumerate(widths) if w > floor[i]]
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda i: widths[i])
        widths[widest] -= 1
    numeric = [
        all(isinstance(row[i], (int, float)) or row[i] is None for row in table.rows) and table.rows
        for i in range(len(table.columns))
    ]

    def line(values: list[str]) -> str:
        parts = [
            clip(v, w).rjust(w) if numeric[i] else clip(v, w).ljust(w) for i, (v, w) in enumerate(zip(values, widths))
        ]
        text = (" " * gap).join(parts).rstrip()
        return text if len(text) <= width else text[: width - 1] + ELLIPSIS

    return [line(list(table.columns)), line(["-" * w for w in widths])] + [line(row) for row in cells]
