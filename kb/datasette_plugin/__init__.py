"""kb's Datasette plugin: the pages and exports supervisors use over the knowledge base.

Hooks only; the work is in the modules beside this one:
facets.py (tag/author/organisation/event facets), filters.py (?_tag= ... filters),
pages.py (what the article and organisation pages show), routes.py (timeline,
citation network, search), templates/ and static/.
"""

import asyncio

from datasette import hookimpl

from ..safe_html import doi_link, safe_link
from . import capture, facet_cache, filtered_ids, group, guard, login_return

# One permission rule for a department server's accounts, from its own module:
from .access import forbidden, permission_allowed  # noqa: F401,E402
from .facets import FACET_CLASSES
from .filters import relation_filters
from .pages import cells_by_column, page_template_vars, readable_time, render_articles_cell, short_authors, work_id

# The .bib/.ris export renderers register from their own module, imported here:
from .renderers import register_output_renderer  # noqa: F401,E402
from .routes import ROUTES


@hookimpl
def register_facet_classes():
    return FACET_CLASSES


@hookimpl
def filters_from_request(request, database, table, datasette):
    return relation_filters(request, database, table, datasette)


@hookimpl
def prepare_connection(conn, database, datasette):
    filtered_ids.register(conn, database, datasette)


@hookimpl
def register_routes(datasette):
    return ROUTES + capture.ROUTES + group.ROUTES


@hookimpl
def skip_csrf(datasette, scope):
    return capture.skip_csrf(scope)


@hookimpl
def extra_template_vars(template, database, table, columns, view_name, request, datasette):
    return page_template_vars(template, database, table, view_name, request, datasette)


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    return render_articles_cell(row, value, column, table, database, datasette)


@hookimpl
def prepare_jinja2_environment(env, datasette):
    env.filters["kb_safe_link"] = safe_link
    env.filters["kb_doi_link"] = doi_link
    env.filters["kb_time"] = readable_time
    env.filters["kb_cells"] = cells_by_column
    env.filters["kb_work_id"] = work_id
    env.filters["kb_short_authors"] = short_authors


@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.static_plugins("kb", "kb.css")]


@hookimpl
def asgi_wrapper(datasette):
    """Warm big knowledge bases in the server's own event loop, once it runs.

    Not in a `startup` hook: `datasette serve` runs those in a loop of their own before
    the server starts, and a task left there is destroyed unfinished."""

    def wrap(app):
        started = False

        async def warm_once_then_serve(scope, receive, send):
            nonlocal started
            if not started and scope["type"] in ("lifespan", "http"):
                started = True
                # Not awaited: the server answers while big databases warm up.
                asyncio.ensure_future(facet_cache.warm(datasette))
            await app(scope, receive, send)

        return guard.guarded(datasette, login_return.returning_after_login(warm_once_then_serve))

    return wrap
