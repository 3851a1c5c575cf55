"""The page menu of a server without accounts: no "Log in".

datasette-auth-passwords (installed with kb for department servers) adds "Log in" to every
page's menu for a visitor not logged in, even on a server that has no accounts, where its
login page can only say that none are configured. Datasette's templates take the menu from
`menu_links()`; on such a server kb gives them one without that link (kb/datasette_plugin/pages.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from datasette.plugins import pm
from datasette.utils import await_me_maybe

LOGIN_PATH = "/-/login"


def has_accounts(datasette) -> bool:
    """Whether this server has accounts (kb serve configures the login plugin only then)."""
    return bool(datasette.plugin_config("datasette-auth-passwords"))


def menu_links_without_login(datasette, request) -> Callable[[], Awaitable[list[dict[str, Any]]]]:
    """Datasette's `menu_links()` for the templates, every plugin's links but "Log in"."""
    login = datasette.urls.path(LOGIN_PATH)

    async def menu_links() -> list[dict[str, Any]]:
        links: list[dict[str, Any]] = []
        for hook in pm.hook.menu_links(
            datasette=datasette, actor=request.actor if request else None, request=request or None
        ):
            made = await await_me_maybe(hook)
            if made:
                links.extend(made)
        return [link for link in links if link.get("href") != login]

    return menu_links
