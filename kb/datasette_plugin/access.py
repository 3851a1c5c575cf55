"""Who may see which knowledge base: one rule for every page of a department server.

With accounts (`plugins: kb: accounts:`, written by kb serve from the users file; see
kb/department.py) a knowledge base is readable by the admins, by the researcher whose
it is, by their supervisors, and by anyone when it is published (`--publish NAME`);
nobody else, logged in or not. The rule answers every Datasette permission about a
database or something in it (view-database, view-database-download, view-table,
view-query, execute-sql), so table, row, JSON, .bib/.ris, CSV, canned-query, SQL and
search pages all obey it; kb's own pages (search, timeline, network, the group view)
ask it through `ensure_may_view`. An anonymous visitor to a private page is sent to
the login page, and back to that page once logged in (login_return.py); a data URL,
such as .json or .bib, gets Datasette's 403.

The account is looked up by the logged-in name in the server's current configuration,
so a role changed or an account removed takes effect when kb serve restarts, even for
a login cookie issued before. Without accounts the rule has no opinion and Datasette's
defaults apply, as on a researcher's own machine.
"""

from __future__ import annotations

from typing import Any

from datasette import Response, hookimpl

from .login_return import login_url

# The actor kb's own in-process requests run as (warming facet counts): made only here,
# signed with the server's secret, never by a login.
INTERNAL_ACTOR = {"id": "kb-internal", "kb_internal": True}
DATABASE_ACTIONS = ("view-database", "view-database-download", "view-table", "view-query", "execute-sql")


def _config(datasette: Any) -> dict[str, Any]:
    return datasette.plugin_config("kb") or {}


def accounts_on(datasette: Any) -> bool:
    return bool(_config(datasette).get("accounts"))


def visible_databases(datasette: Any, actor: dict | None) -> list[str]:
    """The served knowledge bases `actor` may read, in the order they are served."""
    names = [name for name, db in datasette.databases.items() if not name.startswith("_")]
    return [name for name in names if may_view(datasette, actor, name) is not False]


def may_view(datasette: Any, actor: dict | None, database: str) -> bool | None:
    """The rule; None (no opinion) when the server has no accounts."""
    config = _config(datasette)
    accounts = config.get("accounts") or {}
    if not accounts:
        return None
    if database.startswith("_"):  # Datasette's _internal and _memory: not knowledge bases
        return False
    if actor and actor.get("kb_internal"):
        return True
    if database in (config.get("published") or []):
        return True
    account = accounts.get((actor or {}).get("id"))
    if account is None:
        return False
    return account.get("role") == "admin" or database in (account.get("kbs") or [])


@hookimpl(trylast=True)
def permission_allowed(datasette, actor, action, resource):
    """Last to answer, so its answer is the one Datasette uses."""
    if not accounts_on(datasette):
        return None
    if action == "view-instance":
        return bool(visible_databases(datasette, actor))
    if action in DATABASE_ACTIONS and resource:
        database = resource if isinstance(resource, str) else resource[0]
        return may_view(datasette, actor, database)
    return None


@hookimpl
def forbidden(datasette, request, message):
    """An anonymous visitor to a private page gets the login page, not a bare 403."""
    if not accounts_on(datasette) or request.actor:
        return None
    last_segment = request.path.rsplit("/", 1)[-1]
    if "." in last_segment:  # a data URL (.json, .bib, .csv ...): a script gets a plain 403
        return None
    return Response.redirect(login_url(datasette, request))  # back to this page once logged in


async def ensure_may_view(datasette: Any, request: Any, database: str) -> None:
    """For kb's own routes: Forbidden (the login page or 403) unless the rule allows."""
    await datasette.ensure_permissions(request.actor, [("view-database", database), "view-instance"])


def actor_headers(datasette: Any, actor: dict | None) -> dict[str, str]:
    """Headers that make an in-process request (datasette.client) run as `actor`."""
    if not actor:
        return {}
    return {"cookie": "ds_actor=" + datasette.sign({"a": actor}, "actor")}


def internal_headers(datasette: Any) -> dict[str, str]:
    return actor_headers(datasette, INTERNAL_ACTOR)
