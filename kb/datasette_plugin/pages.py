"""What the article, organisation and event pages show, read with a few indexed queries.

The row pages of `articles`, `organisations` and `events` keep Datasette's URLs
(/kb/articles/1) and swap in kb's templates through `kb_row_template`, so they work
whatever the database file is called.
"""

from __future__ import annotations

import html
import json
import urllib.parse
from typing import Any

from datasette.utils import urlsafe_components
from markupsafe import Markup

from ..errors import KbError
from ..formatting import format_references

DEFAULT_STYLE = "apa"
ROW_TEMPLATES = {"articles": "kb_article.html", "organisations": "kb_organisation.html", "events": "kb_event.html"}
LONG_COLUMNS = {"csl_json", "extra_json", "text", "abstract"}


def citation_style(datasette, database: str | None) -> str:
    config = datasette.plugin_config("kb", database=database) or {}
    return config.get("citation_style") or DEFAULT_STYLE


def filtered_articles_url(datasette, database: str, relation: str, name: str) -> str:
    """The articles page filtered to works linked to one tag, author, organisation or event."""
    return datasette.urls.table(database, "articles") + "?" + urllib.parse.urlencode({f"_{relation}": name})


def escape_item(value: Any) -> Any:
    """An item with every string HTML-escaped: citeproc-py's HTML output does not escape."""
    if isinstance(value, str):
        return html.escape(value, quote=False)
    if isinstance(value, dict):
        return {key: (val if key == "id" else escape_item(val)) for key, val in value.items()}
    if isinstance(value, list):
        return [escape_item(val) for val in value]
    return value


def formatted_reference(item: dict[str, Any], style: str) -> tuple[Markup | None, str | None]:
    """(reference as safe HTML, error) for one CSL item."""
    try:
        return Markup(format_references([escape_item(item)], style, output="html")[0]), None
    except KbError as exc:
        return None, str(exc)
    except Exception as exc:  # citeproc-py fails on some odd items; the page still shows the rest
        return None, f"could not format this work in {style}: {exc}"


def _row_id(request) -> int | None:
    try:
        components = urlsafe_components(request.url_vars["pks"])
        return int(components[0]) if len(components) == 1 else None
    except (KeyError, ValueError):
        return None


async def _rows(db, sql: str, params: tuple | dict = ()) -> list[dict[str, Any]]:
    return [dict(row) for row in (await db.execute(sql, params)).rows]


async def article_page(datasette, database: str, article_id: int) -> dict[str, Any] | None:
    db = datasette.get_database(database)
    found = await _rows(db, "select * from articles where id = ?", (article_id,))
    if not found:
        return None
    article = found[0]
    item = json.loads(article["csl_json"] or "{}")
    item["id"] = article["citekey"]
    style = citation_style(datasette, database)
    reference, reference_error = formatted_reference(item, style)
    page = {
        "article": article,
        "style": style,
        "reference": reference,
        "reference_error": reference_error,
        "authors": await _rows(
            db,
            """
            select authors.id, authors.name, article_authors.role from article_authors
            join authors on authors.id = article_authors.author_id
            where article_authors.article_id = ? order by article_authors.role, article_authors.position""",
            (article_id,),
        ),
        "tags": await _rows(
            db,
            """
            select tags.id, tags.name from article_tags join tags on tags.id = article_tags.tag_id
            where article_tags.article_id = ? order by tags.name""",
            (article_id,),
        ),
        "events": await _rows(
            db,
            """
            select events.id, events.name, events.date, article_events.relation, article_events.source
            from article_events join events on events.id = article_events.event_id
            where article_events.article_id = ? order by events.start_date, events.name""",
            (article_id,),
        ),
        "organisations": await _rows(
            db,
            """
            select organisations.id, organisations.name, organisations.acronym, article_organisations.relation,
                   article_organisations.source
            from article_organisations join organisations on organisations.id = article_organisations.organisation_id
            where article_organisations.article_id = ? order by organisations.name""",
            (article_id,),
        ),
        "cites": await _rows(
            db,
            """
            select articles.id, articles.citekey, articles.title, articles.year, citations.relation, citations.locator
            from citations join articles on articles.id = citations.cited_id
            where citations.citing_id = ? order by articles.year, articles.citekey""",
            (article_id,),
        ),
        "cited_by": await _rows(
            db,
            """
            select articles.id, articles.citekey, articles.title, articles.year, citations.relation, citations.locator
            from citations join articles on articles.id = citations.citing_id
            where citations.cited_id = ? order by articles.year, articles.citekey""",
            (article_id,),
        ),
        "notes": await _rows(
            db,
            """
            select notes.locator, notes.quote, notes.comment, notes.added_by, notes.added_at,
                   events.name as event, organisations.name as organisation
            from notes left join events on events.id = notes.event_id
            left join organisations on organisations.id = notes.organisation_id
            where notes.article_id = ? order by notes.added_at, notes.id""",
            (article_id,),
        ),
        "imports": await _rows(
            db,
            """
            select imports.id, imports.file, imports.format, imports.user, imports.imported_at, article_sources.source_key
            from article_sources join imports on imports.id = article_sources.import_id
            where article_sources.article_id = ? order by imports.imported_at""",
            (article_id,),
        ),
    }
    quoted_key = urllib.parse.quote(article["citekey"], safe="")
    base = datasette.urls.database(database)
    page["exports"] = {
        "BibTeX": f"{base}/articles.bib?citekey={quoted_key}",
        "RIS": f"{base}/articles.ris?citekey={quoted_key}",
    }
    return page


async def organisation_page(datasette, database: str, organisation_id: int) -> dict[str, Any] | None:
    db = datasette.get_database(database)
    found = await _rows(db, "select * from organisations where id = ?", (organisation_id,))
    if not found:
        return None
    organisation = found[0]
    article_count = (
        await db.execute(
            "select count(distinct article_id) from article_organisations where organisation_id = ?", (organisation_id,)
        )
    ).rows[0][0]
    return {
        "organisation": organisation,
        "aliases": [
            r["alias"]
            for r in await _rows(
                db,
                "select alias from organisation_aliases where organisation_id = ? order by alias",
                (organisation_id,),
            )
        ],
        "parent": (
            await _rows(db, "select id, name from organisations where id = ?", (organisation["parent_id"],)) or [None]
        )[0]
        if organisation["parent_id"]
        else None,
        "children": await _rows(
            db, "select id, name from organisations where parent_id = ? order by name", (organisation_id,)
        ),
        "events": await _rows(
            db,
            """
            select events.id, events.name, events.date, event_organisations.role from event_organisations
            join events on events.id = event_organisations.event_id
            where event_organisations.organisation_id = ? order by events.start_date, events.name""",
            (organisation_id,),
        ),
        "article_count": article_count,
        "articles": await _rows(
            db,
            """
            select articles.id, articles.citekey, articles.title, articles.year, article_organisations.relation
            from article_organisations join articles on articles.id = article_organisations.article_id
            where article_organisations.organisation_id = ?
            order by articles.year desc, articles.citekey limit 50""",
            (organisation_id,),
        ),
        "articles_url": filtered_articles_url(datasette, database, "organisation", organisation["name"]),
    }


async def event_page(datasette, database: str, event_id: int) -> dict[str, Any] | None:
    db = datasette.get_database(database)
    found = await _rows(db, "select * from events where id = ?", (event_id,))
    if not found:
        return None
    event = found[0]
    return {
        "event": event,
        "aliases": [
            r["alias"]
            for r in await _rows(db, "select alias from event_aliases where event_id = ? order by alias", (event_id,))
        ],
        "parent": (await _rows(db, "select id, name from events where id = ?", (event["parent_id"],)) or [None])[0]
        if event["parent_id"]
        else None,
        "children": await _rows(
            db, "select id, name, date from events where parent_id = ? order by start_date", (event_id,)
        ),
        "organisations": await _rows(
            db,
            """
            select organisations.id, organisations.name, event_organisations.role from event_organisations
            join organisations on organisations.id = event_organisations.organisation_id
            where event_organisations.event_id = ? order by organisations.name""",
            (event_id,),
        ),
        "article_count": (
            await db.execute("select count(distinct article_id) from article_events where event_id = ?", (event_id,))
        ).rows[0][0],
        "articles_url": filtered_articles_url(datasette, database, "event", event["name"]),
    }


PAGE_LOADERS = {"articles": article_page, "organisations": organisation_page, "events": event_page}


def page_template_vars(template, database, table, view_name, request, datasette):
    async def inner() -> dict[str, Any]:
        kb_database = database or _first_database(datasette)
        extra: dict[str, Any] = {"kb_database": kb_database}
        if kb_database:
            extra["kb_search_url"] = datasette.urls.database(kb_database) + "/-/search"
            extra["kb_timeline_url"] = datasette.urls.database(kb_database) + "/-/timeline"
        if view_name == "row" and table in PAGE_LOADERS and request is not None:
            row_id = _row_id(request)
            page = await PAGE_LOADERS[table](datasette, database, row_id) if row_id is not None else None
            if page is not None:
                extra["kb_page"] = page
                extra["kb_row_template"] = ROW_TEMPLATES[table]
        if view_name == "table" and table == "articles" and request is not None:
            query = request.query_string
            extra["kb_network_url"] = datasette.urls.database(database) + "/-/network" + (f"?{query}" if query else "")
        return extra

    return inner


def _first_database(datasette) -> str | None:
    names = [name for name in datasette.databases if name != "_internal"]
    return names[0] if names else None


def render_articles_cell(value: Any, column: str, table: str | None):
    """Long JSON and text columns fold away, so the articles table stays readable."""
    if table != "articles" or column not in LONG_COLUMNS or not isinstance(value, str) or len(value) < 80:
        return None
    summary = html.escape(value[:60]) + "…"
    return Markup(f'<details class="kb-long"><summary>{summary}</summary><pre>{html.escape(value)}</pre></details>')
