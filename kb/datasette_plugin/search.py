"""The search box's works: found by their text and by what they are linked to.

A supervisor typing "NATO" means the works about NATO, whether or not the word is in
their title: so the query is matched against the works' own text (articles_fts) and
against the organisations, events, authors and tags they are linked to (names, acronyms,
aliases: the same FTS tables and folded key columns as kb's filters). Each candidate
work scores by what it matched, and every result says what that was.

Bounded at every step so a common word at a million works stays fast: at most
ENTITY_LIMIT entities of each kind, LINKED_LIMIT works of each, TEXT_LIMIT text matches.
The "all works linked to ..." links lead to the filtered works list for the rest.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from typing import Any

from datasette.utils import escape_fts
from markupsafe import Markup

from ..lookup import name_key

ENTITY_LIMIT = 3
LINKED_LIMIT = 150
TEXT_LIMIT = 300
# Ranking text matches (bm25) costs for every match: a word in 15% of 100,000 works took
# 130-380 ms. Up to RANKED_TEXT_LIMIT matches are ranked; past that, the newest are taken.
RANKED_TEXT_LIMIT = 3000

# Points for what a work matched: a link to something named exactly what was typed
# ("NATO" = NATO's acronym) counts most; a title or text hit next; a link to something
# whose name only contains the words least.
EXACT_LINK_POINTS = 3.0
TEXT_POINTS = 2.0
PARTIAL_LINK_POINTS = 1.0

# kind -> (FTS query, exact-key query, link table, link column, filter name, label)
ENTITY_KINDS: dict[str, dict[str, str]] = {
    "organisation": {
        "fts": "select organisations.id, organisations.name, organisations.acronym as detail "
        "from organisations_fts join organisations on organisations.id = organisations_fts.rowid "
        "where organisations_fts match :q order by organisations_fts.rank limit :limit",
        "exact": "select id from organisations where name_key = :key or acronym_key = :key "
        "union select organisation_id from organisation_aliases where alias_key = :key",
        "links": "article_organisations",
        "column": "organisation_id",
    },
    "event": {
        "fts": "select events.id, events.name, events.date as detail from events_fts "
        "join events on events.id = events_fts.rowid where events_fts match :q "
        "order by events_fts.rank limit :limit",
        "exact": "select id from events where name_key = :key "
        "union select event_id from event_aliases where alias_key = :key",
        "links": "article_events",
        "column": "event_id",
    },
    "author": {
        "fts": "select authors.id, authors.name, null as detail from authors_fts "
        "join authors on authors.id = authors_fts.rowid where authors_fts match :q "
        "order by authors_fts.rank limit :limit",
        "exact": "select id from authors where family_key = :key",
        "links": "article_authors",
        "column": "author_id",
    },
    "tag": {
        # Tags have no FTS table; there are few of them, and their folded keys are indexed.
        "fts": "select id, name, null as detail from tags where name_key = :key "
        "or (length(:key) > 2 and name_key like '%' || :key || '%') "
        "order by name_key != :key, length(name) limit :limit",
        "exact": "select id from tags where name_key = :key",
        "links": "article_tags",
        "column": "tag_id",
    },
}


@dataclass
class Entity:
    kind: str
    id: int
    name: str
    detail: str | None
    exact: bool
    works: int = 0  # how many works are linked to it


@dataclass
class Hit:
    id: int
    score: float = 0.0
    text_rank: int | None = None  # position among the text matches (0 = best)
    linked: list[Entity] = field(default_factory=list)


async def _rows(db, sql: str, params: dict[str, Any]) -> list[Any]:
    return list((await db.execute(sql, params)).rows)


async def matching_entities(db, q: str) -> list[Entity]:
    """The organisations, events, authors and tags the query names (exact names first)."""
    fts_query, key = escape_fts(q), name_key(q) or ""
    found: list[Entity] = []
    for kind, sql in ENTITY_KINDS.items():
        exact = {row[0] for row in await _rows(db, sql["exact"], {"key": key})} if key else set()
        rows = await _rows(db, sql["fts"], {"q": fts_query, "key": key, "limit": ENTITY_LIMIT})
        seen = {row[0] for row in rows}
        # An exact name the FTS ranking left out (an alias, a folded spelling) still counts.
        for missing in sorted(exact - seen)[:ENTITY_LIMIT]:
            rows += await _rows(db, _by_id(kind), {"id": missing})
        for row in rows:
            entity = Entity(kind, row[0], row[1], row[2], row[0] in exact)
            entity.works = (
                await _rows(db, f"select count(*) from {sql['links']} where {sql['column']} = :id", {"id": row[0]})
            )[0][0]
            found.append(entity)
    return found


def _by_id(kind: str) -> str:
    table = {"organisation": "organisations", "event": "events", "author": "authors", "tag": "tags"}[kind]
    detail = {"organisation": "acronym", "event": "date"}.get(kind, "null")
    return f"select id, name, {detail} as detail from {table} where id = :id"


async def search_works(db, q: str, limit: int) -> tuple[list[dict[str, Any]], list[Entity], int]:
    """(the best `limit` works with what each matched, the entities matched, text matches)."""
    fts_query = escape_fts(q)
    entities = await matching_entities(db, q)
    hits: dict[int, Hit] = {}
    many = await _rows(
        db,
        "select count(*) from (select rowid from articles_fts where articles_fts match :q limit :many)",
        {"q": fts_query, "many": RANKED_TEXT_LIMIT},
    )
    order = "rowid desc" if many[0][0] >= RANKED_TEXT_LIMIT else "rank"
    text_rows = await _rows(
        db,
        f"select rowid from articles_fts where articles_fts match :q order by {order} limit :limit",
        {"q": fts_query, "limit": TEXT_LIMIT},
    )
    for position, (work_id,) in enumerate(text_rows):
        hit = hits.setdefault(work_id, Hit(work_id))
        hit.text_rank = position
        hit.score += TEXT_POINTS * (1.0 - position / (2 * TEXT_LIMIT))  # better ranked text, a little higher
    for entity in entities:
        sql = ENTITY_KINDS[entity.kind]
        linked = await _rows(
            db,
            f"select article_id from {sql['links']} where {sql['column']} = :id limit :limit",
            {"id": entity.id, "limit": LINKED_LIMIT},
        )
        for (work_id,) in linked:
            hit = hits.setdefault(work_id, Hit(work_id))
            hit.linked.append(entity)
            hit.score += EXACT_LINK_POINTS if entity.exact else PARTIAL_LINK_POINTS
    text_total = len(text_rows)
    if not hits:
        return [], entities, text_total
    # Works found only through their text may also be linked to a matched entity: ask once.
    await _add_missing_links(db, hits, entities)
    # Equal scores: the newer work (higher id) first; only the works shown are read.
    ranked = sorted(hits.values(), key=lambda hit: (-hit.score, -hit.id))[:limit]
    shown = [hit.id for hit in ranked]
    works = {
        row["id"]: dict(row)
        for row in (
            await db.execute(
                "select id, citekey, title, year, authors, container_title, added_at from articles "
                "where id in (select value from json_each(:ids))",
                {"ids": json.dumps(shown)},
            )
        ).rows
    }
    snippets = await _snippets(db, fts_query, [hit.id for hit in ranked if hit.text_rank is not None])
    results = []
    for hit in ranked:
        if hit.id not in works:
            continue
        work = works[hit.id]
        work["matched"] = _matched(hit, snippets.get(hit.id))
        results.append(work)
    return results, entities, text_total


async def _add_missing_links(db, hits: dict[int, Hit], entities: list[Entity]) -> None:
    """Each candidate's links to every matched entity (a work found through one entity or
    its text may be linked to another): one query a kind of link."""
    ids = json.dumps(list(hits))
    for kind, sql in ENTITY_KINDS.items():
        of_kind = {entity.id: entity for entity in entities if entity.kind == kind}
        if not of_kind:
            continue
        rows = await _rows(
            db,
            f"select article_id, {sql['column']} from {sql['links']} "
            f"where {sql['column']} in (select value from json_each(:entities)) "
            "and article_id in (select value from json_each(:ids))",
            {"entities": json.dumps(list(of_kind)), "ids": ids},
        )
        for work_id, entity_id in rows:
            hit, entity = hits[work_id], of_kind[entity_id]
            if entity not in hit.linked:
                hit.linked.append(entity)
                hit.score += EXACT_LINK_POINTS if entity.exact else PARTIAL_LINK_POINTS


# Markers FTS5 puts around matched words; chosen so no real text holds them.
_OPEN, _CLOSE = "\x02", "\x03"


async def _snippets(db, fts_query: str, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await _rows(
        db,
        f"select rowid, snippet(articles_fts, -1, '{_OPEN}', '{_CLOSE}', '…', 12) from articles_fts "
        "where articles_fts match :q and rowid in (select value from json_each(:ids))",
        {"q": fts_query, "ids": json.dumps(ids)},
    )
    return {row[0]: row[1] for row in rows}


def _matched(hit: Hit, snippet: str | None) -> list[Markup]:
    """What a work matched, as short HTML phrases: 'organisation NATO', 'text: …'."""
    parts = []
    for entity in sorted(hit.linked, key=lambda e: (not e.exact, e.kind, e.name)):
        name = html.escape(entity.name)
        if entity.detail and entity.kind == "organisation":
            name += f" ({html.escape(str(entity.detail))})"
        parts.append(Markup(f"{entity.kind} <strong>{name}</strong>"))
    if snippet:
        marked = html.escape(snippet).replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>")
        parts.append(Markup(f"text: {marked}"))
    return parts
