"""What every response of kb's server carries, and what a public server does not answer.

Every HTTP response gets kb's security headers (a content security policy; see
kb/safe_html.py). On a server that listens beyond this machine or has accounts (`kb
serve --host 0.0.0.0`, or a department server: both set `plugins: kb: public: true`),
Datasette's own `/-/` pages other than its static files, the login and logout pages
and kb's group view answer 404: the debug tools (/-/messages, /-/allow-debug,
/-/permissions, /-/threads, /-/actor ...) and the configuration and version listings
are for the operator on localhost, not for every visitor. A server with no writable
canned query (`plugins: kb: read_only: true`, which kb serve sets then) answers anything
but GET and HEAD with 405.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from ..safe_html import SECURITY_HEADERS
from . import capture

App = Callable[[dict, Callable[[], Awaitable[dict]], Callable[[dict], Awaitable[None]]], Awaitable[None]]
PUBLIC_DASH_PATHS = ("/-/static/", "/-/static-plugins/", "/-/kb/group")
# A department server's logins (datasette-auth-passwords' /-/login, Datasette's /-/logout):
# shown and posted to on a public, read-only server too.
LOGIN_PATHS = ("/-/login", "/-/logout")


def is_public(datasette: Any) -> bool:
    return bool((datasette.plugin_config("kb") or {}).get("public"))


def is_hidden_on_public_server(path: str) -> bool:
    """Datasette's top-level /-/ pages except its static files."""
    return path.startswith("/-/") and not path.startswith(PUBLIC_DASH_PATHS) and path not in LOGIN_PATHS


def is_read_only(datasette: Any) -> bool:
    return bool((datasette.plugin_config("kb") or {}).get("read_only"))


async def refuse(send: Callable[[dict], Awaitable[None]], status: int, message: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), *SECURITY_HEADERS],
        }
    )
    await send({"type": "http.response.body", "body": message.encode() + b"\n"})


def guarded(datasette: Any, app: App) -> App:
    """`app` with security headers on every response and, when public, no debug pages."""

    async def guarded_app(scope: dict, receive, send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        if is_public(datasette) and is_hidden_on_public_server(scope.get("path", "")):
            await refuse(send, 404, "Not found: this page is only served on localhost.")
            return
        # The one write a read-only server takes: the bookmarklet's page, when `kb serve
        # --capture` asked for it (the capture route checks its token and origin).
        is_capture = capture.enabled() and scope.get("path") == capture.CAPTURE_PATH
        is_login = scope.get("path") in LOGIN_PATHS
        if (
            is_read_only(datasette)
            and scope.get("method", "GET") not in ("GET", "HEAD")
            and not (is_capture or is_login)
        ):
            await refuse(send, 405, "This knowledge base is served read-only.")
            return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in SECURITY_HEADERS if name not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await app(scope, receive, send_with_headers)

    return guarded_app
