"""/-/kb/group: one page across the knowledge bases the visitor may see (a supervisor's
researchers, or all of them for an admin).

For each knowledge base: the works added since a date (`?since=2026-11-01`, 30 days
back by default) and the reading-status counts; across them: the sources more than one
knowledge base holds (the same DOI, URL or title key, kb's own identity keys), and the
events and organisations they cover (by name key). Every figure links to the works.
Each knowledge base is queried where Datasette serves it, all of them at once on
Datasette's query threads; nothing is copied or attached, and what the visitor may not
see is never read (access.py). What does not depend on the date (status counts,
coverage, identity keys) is kept in memory until that knowledge base's file changes,
like the facet counts (facet_cache.file_state), so a supervisor's second look, or a
colleague's, reads only the knowledge bases written to since.
"""

from __future__ import annotations

import asyncio
import datetime
from collections import defaultdict
from typing import Any

from datasette import Forbidden, Response

from . import access
from .facet_cache import file_state
from .pages import filtered_articles_url

DEFAULT_DAYS = 30
RECENT_LIMIT = 20
COVERAGE_LIMIT = 25
SHARED_LIMIT = 100
WORKS_PER_KB = 3  # works linked per knowledge base in one shared source (a chain of keys can join more)
IDENTITY_KEYS = ("doi_key", "url_key", "title_key")
STATUSES = ("unread", "reading", "read", "skimmed")

RECENT_SQL = """
select id, citekey, title, authors, year, added_by, added_at from articles
where added_at >= :since order by added_at desc, id desc limit :limit"""
STATUS_SQL = "select coalesce(nullif(status, ''), 'no status') as status, count(*) as n from articles group by 1"
COVERAGE_SQL = {
    "events": """
select coalesce(events.name_key, lower(events.name)) as key, events.id, events.name,
       count(distinct article_events.article_id) as works
from article_events join events on events.id = article_events.event_id group by events.id""",
    "organisations": """
select coalesce(organisations.name_key, lower(organisations.name)) as key, organisations.id, organisations.name,
       count(distinct article_organisations.article_id) as works
from article_organisations join organisations on organisations.id = article_organisations.organisation_id
group by organisations.id""",
}
KEYS_SQL = "select id, title, year, doi_key, url_key, title_key from articles where {any_key}".format(
    any_key=" or ".join(f"{key} is not null and {key} != ''" for key in IDENTITY_KEYS)
)
FILTER_BY = {"events": "event", "organisations": "organisation"}


MEMO_ENTRIES = 1024
_memo: dict[tuple[str, str], tuple[tuple, list[dict[str, Any]]]] = {}


async def rows_until_changed(datasette: Any, name: str, sql: str) -> list[dict[str, Any]]:
    """The rows of a query that takes no parameters, kept until the file changes."""
    db = datasette.get_database(name)
    state = file_state(db)
    kept = _memo.get((name, sql))
    if kept is not None and kept[0] == state:
        return kept[1]
    rows = [dict(row) for row in (await db.execute(sql)).rows]
    if len(_memo) >= MEMO_ENTRIES:
        _memo.pop(next(iter(_memo)))
    _memo[(name, sql)] = (state, rows)
    return rows


def since_date(value: str | None, today: datetime.date) -> datetime.date:
    """The `since` argument, or DEFAULT_DAYS before today; ValueError when malformed."""
    if not value:
        return today - datetime.timedelta(days=DEFAULT_DAYS)
    return datetime.date.fromisoformat(value.strip())


async def knowledge_base_summary(datasette: Any, name: str, since: str) -> dict[str, Any]:
    db = datasette.get_database(name)
    added = (await db.execute("select count(*) from articles where added_at >= :since", {"since": since})).rows[0][0]
    recent = [dict(row) for row in (await db.execute(RECENT_SQL, {"since": since, "limit": RECENT_LIMIT})).rows]
    for work in recent:
        work["url"] = datasette.urls.row(name, "articles", work["id"])
    counts = {row["status"]: row["n"] for row in await rows_until_changed(datasette, name, STATUS_SQL)}
    total = sum(counts.values())
    statuses = [(status, counts.pop(status, 0)) for status in STATUSES] + sorted(counts.items())
    return {
        "name": name,
        "url": datasette.urls.table(name, "articles"),
        "total": total,
        "added": added,
        "recent": recent,
        "statuses": [(status, n) for status, n in statuses if n],
    }


async def coverage(datasette: Any, names: list[str], kind: str) -> list[dict[str, Any]]:
    """Events (or organisations) by how many works of all the knowledge bases are on them."""
    by_key: dict[str, dict[str, Any]] = {}
    per_kb = await asyncio.gather(*(rows_until_changed(datasette, name, COVERAGE_SQL[kind]) for name in names))
    for name, rows in zip(names, per_kb):
        for row in rows:
            entry = by_key.setdefault(row["key"], {"name": row["name"], "total": 0, "per_kb": {}})
            entry["total"] += row["works"]
            entry["per_kb"][name] = {
                "works": row["works"],
                "url": filtered_articles_url(datasette, name, FILTER_BY[kind], row["name"]),
            }
    ranked = sorted(by_key.values(), key=lambda entry: (-len(entry["per_kb"]), -entry["total"], entry["name"]))
    return ranked[:COVERAGE_LIMIT]


_shared_memo: dict[tuple, tuple[list[dict[str, Any]], int]] = {}


async def shared_sources(datasette: Any, names: list[str]) -> tuple[list[dict[str, Any]], int]:
    """Works held by more than one knowledge base: those linked, directly or through a chain,
    by an equal DOI, URL or title key (kb's own folding of each); kept until a file changes."""
    key = tuple((name, file_state(datasette.get_database(name))) for name in names)
    if key not in _shared_memo:
        if len(_shared_memo) >= 64:
            _shared_memo.pop(next(iter(_shared_memo)))
        _shared_memo[key] = await _shared_sources(datasette, names)
    return _shared_memo[key]


async def _shared_sources(datasette: Any, names: list[str]) -> tuple[list[dict[str, Any]], int]:
    parent: dict[tuple[str, int], tuple[str, int]] = {}
    titles: dict[tuple[str, int], str] = {}
    years: dict[tuple[str, int], int | None] = {}

    def root(node: tuple[str, int]) -> tuple[str, int]:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    holders: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
    per_kb = await asyncio.gather(*(rows_until_changed(datasette, name, KEYS_SQL) for name in names))
    for name, rows in zip(names, per_kb):
        for row in rows:
            node = (name, row["id"])
            parent[node] = node
            titles[node] = row["title"] or ""
            years[node] = row["year"]
            for key in IDENTITY_KEYS:
                if row[key]:
                    holders[(key, row[key])].append(node)
    for nodes in holders.values():
        if len({name for name, _ in nodes}) > 1:  # within one knowledge base it is dedupe's business
            for node in nodes[1:]:
                parent[root(node)] = root(nodes[0])
    groups: dict[tuple[str, int], set[tuple[str, int]]] = defaultdict(set)
    for nodes in holders.values():
        if len({name for name, _ in nodes}) > 1:
            for node in nodes:
                groups[root(node)].add(node)
    ranked = []
    for nodes in groups.values():
        title = max((titles[node] for node in nodes), key=len)
        ranked.append((-len({name for name, _ in nodes}), title.lower(), title, nodes))
    ranked.sort(key=lambda entry: entry[:2])
    shared = []
    for _, _, title, nodes in ranked[:SHARED_LIMIT]:
        per_kb: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for name, work_id in sorted(nodes):
            if len(per_kb[name]) < WORKS_PER_KB:
                per_kb[name].append({"id": work_id, "url": datasette.urls.row(name, "articles", work_id)})
        # The year of the work whose title is shown, else of any copy that has one.
        dated = sorted(nodes, key=lambda node: (titles[node] != title, years[node] is None))
        shared.append({"title": title, "year": years[dated[0]], "per_kb": dict(per_kb)})
    return shared, len(ranked)


async def group_page(datasette, request) -> Response:
    """The group view of every knowledge base the visitor may see."""
    if access.accounts_on(datasette) and not request.actor:
        raise Forbidden("Log in to see the group view.")
    today = datetime.datetime.now(datetime.timezone.utc).date()
    try:
        since = since_date(request.args.get("since"), today)
    except ValueError:
        message = f"since={request.args.get('since')!r} is not a date: write it as 2026-11-01"
        return Response.html(
            await datasette.render_template("error.html", {"title": "Bad date", "error": message}, request=request),
            status=400,
        )
    names = []
    for name in access.visible_databases(datasette, request.actor):
        if await datasette.get_database(name).table_exists("articles"):
            names.append(name)
    summaries, (shared, shared_total), events, organisations = await asyncio.gather(
        asyncio.gather(*(knowledge_base_summary(datasette, name, since.isoformat()) for name in names)),
        shared_sources(datasette, names),
        coverage(datasette, names, "events"),
        coverage(datasette, names, "organisations"),
    )
    context = {
        "since": since.isoformat(),
        "names": names,
        "summaries": summaries,
        "shared": shared,
        "shared_total": shared_total,
        "events": events,
        "organisations": organisations,
    }
    return Response.html(await datasette.render_template("kb_group.html", context, request=request))


ROUTES = [(r"^/-/kb/group$", group_page)]
