"""/-/kb/group: one page across the knowledge bases the visitor may see (a supervisor's
researchers, or all of them for an admin).

For each knowledge base: the works added since a date (`?since=2026-11-01`, 30 days
back by default) and the reading-status counts; across them: the sources more than one
knowledge base holds (the same DOI, URL or title key, kb's own identity keys), and the
events and organisations they cover (by name key). Every figure links to the works.
Each knowledge base is queried where Datasette serves it, one after the other; nothing
is copied or attached, and what the visitor may not see is never read (access.py).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from datasette import Forbidden, Response

from . import access
from .pages import filtered_articles_url

DEFAULT_DAYS = 30
RECENT_LIMIT = 20
COVERAGE_LIMIT = 25
SHARED_LIMIT = 100
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
KEYS_SQL = "select id, title, doi_key, url_key, title_key from articles where {any_key}".format(
    any_key=" or ".join(f"{key} is not null and {key} != ''" for key in IDENTITY_KEYS)
)
FILTER_BY = {"events": "event", "organisations": "organisation"}


def since_date(value: str | None, today: datetime.date) -> datetime.date:
    """The `since` argument, or DEFAULT_DAYS before today; ValueError when malformed."""
    if not value:
        return today - datetime.timedelta(days=DEFAULT_DAYS)
    return datetime.date.fromisoformat(value.strip())


async def knowledge_base_summary(datasette: Any, name: str, since: str) -> dict[str, Any]:
    db = datasette.get_database(name)
    total = (await db.execute("select count(*) from articles")).rows[0][0]
    added = (await db.execute("select count(*) from articles where added_at >= :since", {"since": since})).rows[0][0]
    recent = [dict(row) for row in (await db.execute(RECENT_SQL, {"since": since, "limit": RECENT_LIMIT})).rows]
    for work in recent:
        work["url"] = datasette.urls.row(name, "articles", work["id"])
    counts = {row["status"]: row["n"] for row in (await db.execute(STATUS_SQL)).rows}
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
    for name in names:
        for row in (await datasette.get_database(name).execute(COVERAGE_SQL[kind])).rows:
            entry = by_key.setdefault(row["key"], {"name": row["name"], "total": 0, "per_kb": {}})
            entry["total"] += row["works"]
            entry["per_kb"][name] = {
                "works": row["works"],
                "url": filtered_articles_url(datasette, name, FILTER_BY[kind], row["name"]),
            }
    ranked = sorted(by_key.values(), key=lambda entry: (-len(entry["per_kb"]), -entry["total"], entry["name"]))
    return ranked[:COVERAGE_LIMIT]


async def shared_sources(datasette: Any, names: list[str]) -> tuple[list[dict[str, Any]], int]:
    """Works held by more than one knowledge base: those linked, directly or through a chain,
    by an equal DOI, URL or title key (kb's own folding of each)."""
    parent: dict[tuple[str, int], tuple[str, int]] = {}
    titles: dict[tuple[str, int], str] = {}

    def root(node: tuple[str, int]) -> tuple[str, int]:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    holders: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
    for name in names:
        for row in (await datasette.get_database(name).execute(KEYS_SQL)).rows:
            node = (name, row["id"])
            parent[node] = node
            titles[node] = row["title"] or ""
            for key in IDENTITY_KEYS:
                if row[key]:
                    holders[(key, row[key])].append(node)
    for nodes in holders.values():
        if len({name for name, _ in nodes}) > 1:  # within one knowledge base it is dedupe's business
            for node in nodes[1:]:
                parent[root(node)] = root(nodes[0])
    groups: dict[tuple[str, int], list[tuple[str, int]]] = defaultdict(list)
    for nodes in holders.values():
        if len({name for name, _ in nodes}) > 1:
            for node in nodes:
                if node not in groups[root(node)]:
                    groups[root(node)].append(node)
    shared = []
    for nodes in groups.values():
        per_kb: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for name, work_id in sorted(nodes):
            per_kb[name].append({"id": work_id, "url": datasette.urls.row(name, "articles", work_id)})
        title = max((titles[node] for node in nodes), key=len)
        shared.append({"title": title, "per_kb": dict(per_kb)})
    shared.sort(key=lambda entry: (-len(entry["per_kb"]), entry["title"].lower()))
    return shared[:SHARED_LIMIT], len(shared)


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
    summaries = [await knowledge_base_summary(datasette, name, since.isoformat()) for name in names]
    shared, shared_total = await shared_sources(datasette, names)
    context = {
        "since": since.isoformat(),
        "names": names,
        "summaries": summaries,
        "shared": shared,
        "shared_total": shared_total,
        "events": await coverage(datasette, names, "events"),
        "organisations": await coverage(datasette, names, "organisations"),
    }
    return Response.html(await datasette.render_template("kb_group.html", context, request=request))


ROUTES = [(r"^/-/kb/group$", group_page)]
