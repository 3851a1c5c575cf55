"""kb's own pages: /DB/-/timeline, /DB/-/network (citations among the works in view)
and /DB/-/search (one box over works, authors, organisations, events)."""

from __future__ import annotations

import urllib.parse
from typing import Any

from datasette import Response
from datasette.utils import escape_fts
from datasette.utils.asgi import NotFound

from . import access
from .drawing import draw_network, draw_timeline
from .network import drawn_works, works_to_draw
from .pages import filtered_articles_url
from .search import search_works

TIMELINE_LIMIT = 1000
NETWORK_LIMIT = 400
SEARCH_LIMIT = 20


async def _kb_database(datasette, request):
    name = request.url_vars["database"]
    try:
        db = datasette.get_database(name)
    except KeyError:
        raise NotFound(f"no database {name}") from None
    await access.ensure_may_view(datasette, request, name)  # the department server's one rule
    if not await db.table_exists("articles"):
        raise NotFound(f"{name} is not a kb knowledge base")
    return name, db


async def timeline(datasette, request) -> Response:
    """Events by date, each drawn over its span, with the number of works on it."""
    database, db = await _kb_database(datasette, request)
    where, params = [], {}
    if request.args.get("type"):
        where.append("events.type = :type")
        params["type"] = request.args["type"]
    for arg, clause in (
        ("from", "coalesce(events.end_date, events.start_date) >= :from"),
        ("to", "events.start_date <= :to || '-12-31'"),
    ):
        if request.args.get(arg):
            where.append(clause)
            params[arg] = request.args[arg]
    rows = (
        await db.execute(
            f"""
        select events.id, events.name, events.type, events.date, events.date_precision,
               events.start_date, events.end_date, events.location,
               (select count(distinct article_id) from article_events where event_id = events.id) as sources
        from events {"where " + " and ".join(where) if where else ""}
        order by events.start_date is null, events.start_date, events.name
        limit {TIMELINE_LIMIT + 1}""",
            params,
        )
    ).rows
    events = [dict(row) for row in rows[:TIMELINE_LIMIT]]
    for event in events:
        event["url"] = datasette.urls.row(database, "events", event["id"])
        event["articles_url"] = filtered_articles_url(datasette, database, "event", event["name"])
    types = [
        row[0]
        for row in (await db.execute("select distinct type from events where type is not null order by type")).rows
    ]
    context = {
        "database": database,
        "events": events,
        "truncated": len(rows) > TIMELINE_LIMIT,
        "svg": draw_timeline(events),
        "types": types,
        "args": request.args,
        "undated": [e for e in events if not e["start_date"]],
    }
    return Response.html(await datasette.render_template("kb_timeline.html", context, request=request))


async def network(datasette, request) -> Response:
    """The citations among the works the articles page shows for the same query string."""
    database, db = await _kb_database(datasette, request)
    pairs = [
        (k, v)
        for k, v in urllib.parse.parse_qsl(request.query_string, keep_blank_values=True)
        if k not in ("_size", "_next", "_col", "_nocol", "_shape", "_facet", "_facet_related")
    ]
    query = urllib.parse.urlencode(
        pairs
        + [
            ("_size", "1"),
            ("_nofacet", "1"),
            ("_col", "citekey"),
        ]
    )
    response = await datasette.client.get(
        datasette.urls.table(database, "articles", format="json") + "?" + query,
        headers=access.actor_headers(datasette, request.actor),  # as the visitor: the same permissions
    )
    if response.status_code != 200:
        return Response.html(f"<p>Could not read the works in view ({response.status_code}).</p>", status=400)
    data = response.json()
    # The page's own SQL tells which works are in view; kb/datasette_plugin/network.py
    # picks the ones to draw (the most connected when there are more than fit).
    page_query = data.get("query") or {}
    ids = await works_to_draw(
        db,
        page_query.get("sql", ""),
        page_query.get("params") or {},
        data.get("filtered_table_rows_count"),
        NETWORK_LIMIT,
    )
    works, links = await drawn_works(db, ids)
    for work in works:
        work["url"] = datasette.urls.row(database, "articles", work["id"])
    table_url = datasette.urls.table(database, "articles") + (("?" + urllib.parse.urlencode(pairs)) if pairs else "")
    context = {
        "database": database,
        "works": works,
        "links": links,
        "svg": draw_network(works, links),
        "total": data.get("filtered_table_rows_count"),
        "limit": NETWORK_LIMIT,
        "table_url": table_url,
        "description": data.get("human_description_en"),
    }
    return Response.html(await datasette.render_template("kb_network.html", context, request=request))


# The other sections of the search page: the authors, organisations and events themselves.
SEARCHES = {
    "authors": "select authors.id, authors.name as label, '' as detail from authors_fts "
    "join authors on authors.id = authors_fts.rowid where authors_fts match :q "
    "order by authors_fts.rank limit :limit",
    "organisations": "select organisations.id, organisations.name as label, coalesce(organisations.acronym, '') as detail "
    "from organisations_fts join organisations on organisations.id = organisations_fts.rowid "
    "where organisations_fts match :q order by organisations_fts.rank limit :limit",
    "events": "select events.id, events.name as label, coalesce(events.date, '') as detail from events_fts "
    "join events on events.id = events_fts.rowid where events_fts match :q "
    "order by events_fts.rank limit :limit",
}
FILTER_OF = {"authors": "author", "organisations": "organisation", "events": "event"}


async def search(datasette, request) -> Response:
    """Works found by their text and by their links (kb/datasette_plugin/search.py), then
    the authors, organisations and events whose names match."""
    database, db = await _kb_database(datasette, request)
    q = (request.args.get("q") or "").strip()
    context: dict[str, Any] = {"database": database, "q": q, "sections": [], "works": [], "found_through": []}
    if q:
        works, entities, text_total = await search_works(db, q, SEARCH_LIMIT)
        for work in works:
            work["url"] = datasette.urls.row(database, "articles", work["id"])
        context["works"] = works
        context["text_total"] = text_total
        context["text_url"] = datasette.urls.table(database, "articles") + "?" + urllib.parse.urlencode({"_search": q})
        context["found_through"] = [
            {"entity": e, "url": filtered_articles_url(datasette, database, e.kind, e.name)}
            for e in entities
            if e.works
        ]
        fts_query = escape_fts(q)
        for kind, sql in SEARCHES.items():
            rows = [dict(row) for row in (await db.execute(sql, {"q": fts_query, "limit": SEARCH_LIMIT + 1})).rows]
            for row in rows:
                row["url"] = datasette.urls.row(database, kind, row["id"])
                row["articles_url"] = filtered_articles_url(datasette, database, FILTER_OF[kind], row["label"])
            context["sections"].append(
                {"kind": kind, "rows": rows[:SEARCH_LIMIT], "truncated": len(rows) > SEARCH_LIMIT}
            )
    return Response.html(await datasette.render_template("kb_search.html", context, request=request))


ROUTES = [
    (r"^/(?P<database>[^/]+)/-/timeline$", timeline),
    (r"^/(?P<database>[^/]+)/-/network$", network),
    (r"^/(?P<database>[^/]+)/-/search$", search),
]
