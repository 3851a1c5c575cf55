"""After logging in, the visitor lands on the page they asked for, not on the home page.

An anonymous visitor to a private page is sent to `/-/login?next=PATH` (access.py).
datasette-auth-passwords' login form posts to a bare /-/login and always answers a
good password with a redirect to "/", so kb carries the page across in two steps, in
an ASGI wrapper around the server:

- showing `/-/login?next=PATH` sets a short-lived cookie (`kb_login_next`, only sent to
  /-/login) holding PATH; showing /-/login with no (usable) `next` clears it;
- a successful login (the plugin's 302 that sets `ds_actor`) has its Location replaced
  by that PATH, and the cookie is cleared.

Only a local path is ever followed: it must start with a single "/" (not "//" or "/\\",
which browsers read as another host), hold no scheme, backslash or control character,
and not be the login page itself; anything else falls back to "/". So the login page
cannot be used to send someone to another site (an open redirect).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from typing import Any

LOGIN_PATH = "/-/login"
NEXT_COOKIE = "kb_login_next"
NEXT_COOKIE_SECONDS = 600  # long enough to type a password, short enough not to linger

App = Callable[[dict, Callable[[], Awaitable[dict]], Callable[[dict], Awaitable[None]]], Awaitable[None]]


def local_path(value: str | None) -> str | None:
    """`value` if it is a path on this server that is safe to redirect to, else None."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return None
    if "\\" in value or any(ord(char) < 32 or ord(char) == 127 for char in value):
        return None
    parts = urllib.parse.urlsplit(value)
    if parts.scheme or parts.netloc or parts.path in (LOGIN_PATH, "/-/logout"):
        return None
    return value


def login_url(datasette: Any, request: Any) -> str:
    """The login page, carrying the page `request` asked for (path and query)."""
    wanted = request.path + (f"?{request.query_string}" if request.query_string else "")
    login = datasette.urls.path(LOGIN_PATH)
    if local_path(wanted) is None or wanted == "/":
        return login
    return f"{login}?{urllib.parse.urlencode({'next': wanted})}"


def _cookies(scope: dict) -> dict[str, str]:
    jar = SimpleCookie()
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # noqa: BLE001 (a malformed cookie header: no page to return to)
                return {}
    return {key: morsel.value for key, morsel in jar.items()}


def _cookie_header(value: str, max_age: int) -> tuple[bytes, bytes]:
    quoted = urllib.parse.quote(value, safe="/?=&%-._~")
    return (
        b"set-cookie",
        f"{NEXT_COOKIE}={quoted}; Path={LOGIN_PATH}; Max-Age={max_age}; HttpOnly; SameSite=Lax".encode("latin-1"),
    )


def returning_after_login(app: App) -> App:
    """`app` with the login page remembering, and a login honouring, the page asked for."""

    async def wrapped(scope: dict, receive, send) -> None:
        if scope["type"] != "http" or scope.get("path") != LOGIN_PATH:
            await app(scope, receive, send)
            return
        method = scope.get("method", "GET")
        query = urllib.parse.parse_qs(scope.get("query_string", b"").decode("latin-1"))
        asked = local_path((query.get("next") or [None])[0]) if method == "GET" else None
        remembered = None
        if method == "POST":
            remembered = local_path(urllib.parse.unquote(_cookies(scope).get(NEXT_COOKIE, "")))

        async def send_returning(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if method == "GET" and message.get("status") == 200:
                    # A bare /-/login forgets a page asked for earlier: the login goes home.
                    headers.append(_cookie_header(asked, NEXT_COOKIE_SECONDS) if asked else _cookie_header("", 0))
                logged_in = message.get("status") == 302 and any(
                    name.lower() == b"set-cookie" and value.startswith(b"ds_actor=") for name, value in headers
                )
                if logged_in and remembered:
                    headers = [(name, value) for name, value in headers if name.lower() != b"location"]
                    location = urllib.parse.quote(remembered, safe="/?=&%:;,+@!$'()*-._~")
                    headers += [(b"location", location.encode("ascii")), _cookie_header("", 0)]
                message = {**message, "headers": headers}
            await send(message)

        await app(scope, receive, send_returning)

    return wrapped
