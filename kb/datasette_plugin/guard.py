"""What every response of kb's server carries, and what a public server does not answer.

Every HTTP response gets kb's security headers (a content security policy; see
kb/safe_html.py). On a server that listens beyond this machine (`kb serve --host
0.0.0.0`, which sets `plugins: kb: public: true`), Datasette's own `/-/` pages other
than its static files answer 404: the debug tools (/-/messages, /-/allow-debug,
/-/permissions, /-/threads, /-/actor ...) and the configuration and version listings
are for the operator on localhost, not for every visitor.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from ..safe_html import SECURITY_HEADERS

App = Callable[[dict, Callable[[], Awaitable[dict]], Callable[[dict], Awaitable[None]]], Awaitable[None]]
PUBLIC_DASH_PATHS = ("/-/static/", "/-/static-plugins/")


def is_public(datasette: Any) -> bool:
    return bool((datasette.plugin_config("kb") or {}).get("public"))


def is_hidden_on_public_server(path: str) -> bool:
    """Datasette's top-level /-/ pages except its static files."""
    return path.startswith("/-/") and not path.startswith(PUBLIC_DASH_PATHS)


async def not_found(send: Callable[[dict], Awaitable[None]]) -> None:
    await send({"type": "http.response.start", "status": 404,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), *SECURITY_HEADERS]})
    await send({"type": "http.response.body", "body": b"Not found: this page is only served on localhost.\n"})


def guarded(datasette: Any, app: App) -> App:
    """`app` with security headers on every response and, when public, no debug pages."""

    async def guarded_app(scope: dict, receive, send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        if is_public(datasette) and is_hidden_on_public_server(scope.get("path", "")):
            await not_found(send)
            return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in SECURITY_HEADERS if name not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await app(scope, receive, send_with_headers)

    return guarded_app
