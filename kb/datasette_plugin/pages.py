"""What the article, organisation and event pages show, read with a few indexed queries.

The row pages of `articles`, `organisations` and `events` keep Datasette's URLs
(/kb/articles/1) and swap in kb's templates through `kb_row_template`, so they work
whatever the database file is called.
"""

from __future__ import annotations

import html
import json
import re
import urllib.parse
from typing import Any

from datasette.utils import path_with_added_args, path_with_removed_args, urlsafe_components
from markupsafe import Markup

from ..errors import KbError
from ..formatting import format_references
from ..safe_html import safe_link
from . import access
from .menu import has_accounts, menu_links_without_login

DEFAULT_STYLE = "apa"
ROW_TEMPLATES = {"articles": "kb_article.html", "organisations": "kb_organisation.html", "events": "kb_event.html"}
# In the table of every column (and a work's page), any value longer than FOLD_OVER
# characters shows its first FOLD_SUMMARY and opens to the whole value: a CSL-JSON item or
# a page's text in a cell made rows a screen tall. Titles are what the rows are read by.
FOLD_OVER = 60
FOLD_SUMMARY = 40
UNFOLDED_COLUMNS = {"title"}


def citation_style(datasette, database: str | None) -> str:
    config = datasette.plugin_config("kb", database=database) or {}
    return config.get("citation_style") or DEFAULT_STYLE


def filtered_articles_url(datasette, database: str, relation: str, name: str) -> str:
    """The articles page filtered to works linked to one tag, author, organisation or event."""
    return datasette.urls.table(database, "articles") + "?" + urllib.parse.urlencode({f"_{relation}": name})


def formatted_reference(item: dict[str, Any], style: str) -> tuple[Markup | None, str | None]:
    """(reference as safe HTML, error) for one CSL item."""
    try:
        return Markup(format_references([item], style, output="html")[0]), None  # pandoc escapes the text
    except KbError as exc:
        return None, str(exc)
    except Exception as exc:  # a work the formatter cannot read: the page still shows the rest
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
        "articles": await _rows(
            db,
            """
            select articles.id, articles.citekey, articles.title, articles.year,
                   group_concat(article_events.relation, ', ') as relation
            from article_events join articles on articles.id = article_events.article_id
            where article_events.event_id = ? group by articles.id
            order by articles.year desc, articles.citekey limit 50""",
            (event_id,),
        ),
        "articles_url": filtered_articles_url(datasette, database, "event", event["name"]),
    }


PAGE_LOADERS = {"articles": article_page, "organisations": organisation_page, "events": event_page}


def page_template_vars(template, database, table, view_name, request, datasette):
    async def inner() -> dict[str, Any]:
        kb_database = database or _first_database(datasette, request)
        extra: dict[str, Any] = {"kb_database": kb_database}
        if not has_accounts(datasette):
            extra["menu_links"] = menu_links_without_login(datasette, request)
        if kb_database:
            extra["kb_search_url"] = datasette.urls.database(kb_database) + "/-/search"
            extra["kb_timeline_url"] = datasette.urls.database(kb_database) + "/-/timeline"
        if view_name == "index":
            extra["kb_holds"] = {
                name: await holdings(datasette, name)
                for name in datasette.databases
                if name != "_internal" and await _is_knowledge_base(datasette, name)
            }
        if view_name == "database" and database and await _is_knowledge_base(datasette, database):
            extra["kb_dashboard"] = await dashboard(datasette, database)
        if view_name == "row" and table in PAGE_LOADERS and request is not None:
            row_id = _row_id(request)
            page = await PAGE_LOADERS[table](datasette, database, row_id) if row_id is not None else None
            if page is not None:
                extra["kb_page"] = page
                extra["kb_row_template"] = ROW_TEMPLATES[table]
        if view_name == "table" and table == "articles" and request is not None:
            query = request.query_string
            extra["kb_network_url"] = datasette.urls.database(database) + "/-/network" + (f"?{query}" if query else "")
            extra.update(works_list_vars(datasette, database, request))
        return extra

    return inner


def _first_database(datasette, request=None) -> str | None:
    """The knowledge base the header's links go to: the first the visitor may see."""
    actor = request.actor if request is not None else None
    names = [n for n in datasette.databases if n != "_internal" and access.may_view(datasette, actor, n) is not False]
    return names[0] if names else None


def render_articles_cell(row: Any, value: Any, column: str, table: str | None, database: str | None, datasette):
    """Long JSON and text columns fold away, so the articles table stays readable;
    timestamps read as people write them; a query's citekeys link to their works."""
    if column in TIMESTAMP_COLUMNS and isinstance(value, str) and _ISO_TIME.match(value):
        return readable_time(value)
    if table is None and database and isinstance(value, str):
        linked = _query_work_link(row, value, column, database, datasette)
        if linked is not None:
            return linked
    if table != "articles" or column in UNFOLDED_COLUMNS or not isinstance(value, str) or len(value) <= FOLD_OVER:
        return None
    return folded_value(value)


def folded_value(value: str) -> Markup:
    """A long value as a one-line summary that opens on a click to the whole value (an
    http(s) address stays a link)."""
    summary = html.escape(value[:FOLD_SUMMARY].rstrip()) + "…"
    full = html.escape(value)
    link = safe_link(value)
    if link is not None:
        full = f'<a href="{html.escape(link)}">{full}</a>'
    return Markup(f'<details class="kb-long"><summary>{summary}</summary><pre>{full}</pre></details>')


# --- The works list (/kb/articles): the columns a person reads, the rest one click away.

# Shown by default, in this order (plus the tags of each work, read in one query);
# `?_kb_columns=all`, `?_col=` or `?_nocol=` show Datasette's own table of every column.
READABLE_COLUMNS = ("title", "authors", "year", "container_title", "type", "status")
COLUMN_LABELS = {"container_title": "outlet"}
ALL_COLUMNS_ARGS = ("_kb_columns", "_col", "_nocol")


def works_list_vars(datasette, database: str, request) -> dict[str, Any]:
    """Template variables of the articles page: which view, and the tags of the works shown."""
    db = datasette.get_database(database)

    async def tags_for(rows) -> dict[int, list[str]]:
        ids = [work_id(row) for row in rows]
        ids = [i for i in ids if i is not None]
        if not ids:
            return {}
        marks = ", ".join("?" for _ in ids)
        result = await db.execute(
            f"select article_tags.article_id, tags.name from article_tags join tags on tags.id = article_tags.tag_id "
            f"where article_tags.article_id in ({marks}) order by tags.name",
            ids,
        )
        tags: dict[int, list[str]] = {}
        for article_id, name in result.rows:
            tags.setdefault(article_id, []).append(name)
        return tags

    return {
        "kb_works_view": not any(arg in request.args for arg in ALL_COLUMNS_ARGS),
        "kb_readable_columns": READABLE_COLUMNS,
        "kb_column_labels": COLUMN_LABELS,
        "kb_tags_for": tags_for,
        "kb_tag_url": lambda name: filtered_articles_url(datasette, database, "tag", name),
        "kb_all_columns_url": path_with_added_args(request, {"_kb_columns": "all"}),
        "kb_readable_url": path_with_removed_args(request, {"_kb_columns", "_col", "_nocol"}),
    }


def work_id(row) -> int | None:
    """The work's id in a display row (Datasette gives the primary key's cell as URL text)."""
    cell = cells_by_column(row).get("id")
    try:
        return int(cell["raw"]) if cell else None
    except (TypeError, ValueError):
        return None


def short_authors(authors: Any, shown: int = 3) -> Any:
    """ "A; B; C; D; E" as "A; B; C et al." (the work's page lists them all)."""
    if not isinstance(authors, str):
        return authors
    names = [name.strip() for name in authors.split(";") if name.strip()]
    return authors if len(names) <= shown else "; ".join(names[:shown]) + " et al."


def cells_by_column(row) -> dict[str, Any]:
    """One of Datasette's display rows (a list of cells) keyed by column name."""
    return {cell["column"]: cell for cell in row}


# --- Timestamps: kb stores UTC ISO 8601 ("2026-12-01T14:22:05Z"); pages show "2026-12-01 14:22".

TIMESTAMP_COLUMNS = {"added_at", "updated_at", "imported_at", "accessed_at", "captured_at"}
_ISO_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]00:?00)?$")


def readable_time(value: Any) -> Any:
    """An ISO timestamp as "YYYY-MM-DD HH:MM" (UTC); anything else unchanged."""
    if not isinstance(value, str):
        return value
    match = _ISO_TIME.match(value)
    return f"{match.group(1)} {match.group(2)}" if match else value


# --- Saved-query results: every work linked.


def _query_work_link(row: Any, value: str, column: str, database: str, datasette) -> Markup | None:
    """A citekey (or a title beside a citekey) in a query's results links to its work: to
    the work's page when the row also has the work's id, else to the works list filtered to
    that citekey; a comma-separated `citekeys` column links each one."""
    keys = _row_keys(row)
    articles = datasette.urls.table(database, "articles")
    if column in ("citekey", "title") and "citekey" in keys and "id" in keys and isinstance(row["id"], int):
        href = datasette.urls.row(database, "articles", row["id"])
        return Markup(f'<a href="{html.escape(href)}">{html.escape(value)}</a>')
    if column == "citekey":
        return Markup(_citekey_link(articles, value))
    if column == "citekeys":
        return Markup(", ".join(_citekey_link(articles, key.strip()) for key in value.split(",") if key.strip()))
    return None


def _citekey_link(articles_url: str, citekey: str) -> str:
    href = articles_url + "?" + urllib.parse.urlencode({"citekey": citekey})
    return f'<a href="{html.escape(href)}">{html.escape(citekey)}</a>'


def _row_keys(row: Any) -> set[str]:
    try:
        return set(row.keys())
    except AttributeError:
        return set()


# --- The database page (/kb): a dashboard of what the knowledge base holds.

DASHBOARD_COUNTS = (
    ("articles", "works"),
    ("authors", "authors"),
    ("organisations", "organisations"),
    ("events", "events"),
    ("tags", "tags"),
)


async def _is_knowledge_base(datasette, database: str) -> bool:
    return "articles" in await datasette.get_database(database).table_names()


async def holdings(datasette, database: str) -> list[dict[str, Any]]:
    """What a knowledge base holds, for the home page: works, authors, organisations ..."""
    db = datasette.get_database(database)
    return [
        {
            "table": name,
            "label": label,
            "count": (await db.execute(f"select count(*) from {name}")).rows[0][0],
            "url": datasette.urls.table(database, name),
        }
        for name, label in DASHBOARD_COUNTS
    ]


async def dashboard(datasette, database: str) -> dict[str, Any]:
    """Counts of what the knowledge base holds and the works added last."""
    db = datasette.get_database(database)
    counts = await holdings(datasette, database)
    recent = await _rows(
        db, "select id, citekey, title, year, added_by, added_at from articles order by added_at desc, id desc limit 10"
    )
    return {"counts": counts, "recent": recent}
