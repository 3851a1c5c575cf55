"""`kb serve --capture`: the bookmarklet's setup page and the route it posts pages to.

Off unless `kb serve --capture` started the server (it sets KB_CAPTURE=1). Every
capture must carry the knowledge base's secret token (the bookmarklet holds it), so
another site the researcher visits cannot log pages into it; bodies over 5 MB are
refused. The writing is `kb.capture.capture_page`, through the store.
"""

from __future__ import annotations

import asyncio
import json
import os
import urllib.parse

from datasette import Response
from markupsafe import Markup, escape

from ..capture import MAX_BYTES, capture_page, ensure_token, token_matches
from ..db import connect
from ..errors import KbError
from ..store import Store

CAPTURE_PATH = "/-/kb/capture"
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def enabled() -> bool:
    return os.environ.get("KB_CAPTURE") == "1"


def _page(title: str, body: Markup | str, status: int = 200) -> Response:
    html = (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{escape(title)}</title></head>"
        f"<body style='font-family: sans-serif; max-width: 40em; margin: 2em auto'><h1>{escape(title)}</h1>{body}</body></html>"
    )
    return Response.html(html, status=status)


def _kb_database(datasette, name: str | None):
    """The knowledge base to capture into: the one named, or the only one served."""
    candidates = [db for db_name, db in datasette.databases.items() if db.path and not db_name.startswith("_")]
    if name:
        candidates = [db for db in candidates if db.name == name]
    return candidates[0] if len(candidates) == 1 else None


def bookmarklet(origin: str, database: str, token: str) -> str:
    """A javascript: URL that posts the current page to kb in a new tab (a form post:
    no cross-origin fetch, so the page's own scripts and CORS rules do not matter)."""
    fields = {"token": token, "database": database}
    script = (
        "(function(){var f=document.createElement('form');f.method='POST';"
        f"f.action={json.dumps(origin + CAPTURE_PATH)};f.target='_blank';f.acceptCharset='utf-8';"
        f"var d={json.dumps(fields)};d.url=location.href;d.title=document.title;d.quote=String(window.getSelection());"
        "d.html=document.documentElement.outerHTML;"
        "for(var k in d){var i=document.createElement('input');i.type='hidden';i.name=k;i.value=d[k];f.appendChild(i);}"
        "document.body.appendChild(f);f.submit();f.remove();})()"
    )
    return "javascript:" + urllib.parse.quote(script, safe="(){};=+,.:'/[]!")


def _local(request) -> bool:
    """Asked for by a local name: a page of another site whose name was pointed at
    127.0.0.1 (DNS rebinding) must not read the setup page and its token."""
    return request.host.rsplit(":", 1)[0] in LOCAL_HOSTS


async def setup(datasette, request) -> Response:
    if not enabled():
        return _page(
            "Capture is off",
            "Start the server with <code>kb serve --capture</code> to log pages from the browser.",
            404,
        )
    if not _local(request):
        return _page("Refused", "Open this page as http://127.0.0.1:PORT/-/kb/capture.", 403)
    db = _kb_database(datasette, request.args.get("database"))
    if db is None:
        return _page("Which knowledge base?", "Add <code>?database=NAME</code> to the address.", 400)
    origin = f"{request.scheme}://{request.host}"
    link = bookmarklet(origin, db.name, ensure_token(db.path))
    body = Markup(
        "<p>Drag this link to your bookmarks bar. On a page you are reading, select a passage if you like, "
        "then click the bookmark: the page is logged in <strong>{name}</strong> and the result opens in a new tab.</p>"
        "<p><a id='kb-bookmarklet' href='{link}' style='padding: .4em .8em; border: 1px solid #888; border-radius: 4px'>Log in kb</a></p>"
        "<p>The bookmark holds this knowledge base's secret token: do not share it. Delete the file "
        "<code>{path}.capture-token</code> to make a new one (old bookmarks then stop working).</p>"
    ).format(name=db.name, link=link, path=db.path)
    return _page("Log pages from your browser", body)


async def capture(datasette, request) -> Response:
    if request.method != "POST":
        return await setup(datasette, request)
    if not enabled():
        return _page("Capture is off", "Start the server with <code>kb serve --capture</code>.", 404)
    if not _local(request):
        return _page("Refused", "Captures go to http://127.0.0.1:PORT/-/kb/capture.", 403)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BYTES:
        return _page("Refused: too large", f"A capture is at most {MAX_BYTES // 2**20} MB.", 413)
    body = await request.post_body()
    if len(body) > MAX_BYTES:
        return _page("Refused: too large", f"A capture is at most {MAX_BYTES // 2**20} MB.", 413)
    form = dict(urllib.parse.parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))
    db = _kb_database(datasette, form.get("database"))
    if db is None or not token_matches(db.path, form.get("token")):
        return _page(
            "Refused",
            "This capture does not carry the knowledge base's token: set the bookmarklet up again "
            "from this server's capture page.",
            403,
        )
    if not db.is_mutable:
        return _page(
            "Refused",
            "This server serves a read-only snapshot (--immutable): captures need kb serve --capture alone.",
            403,
        )

    def save():
        store = Store(connect(db.path, must_exist=True))
        try:
            return capture_page(store, form.get("url", ""), form.get("title"), form.get("quote"), form.get("html"))
        finally:
            store.db.conn.close()

    try:
        captured = await asyncio.get_running_loop().run_in_executor(None, save)
    except KbError as exc:
        return _page("Not logged", Markup("<p>{}</p><p>Nothing was written.</p>").format(str(exc)), 400)
    article_id = await db.execute("select id from articles where citekey = ?", [captured.citekey])
    row_url = datasette.urls.row(db.name, "articles", article_id.first()[0])
    verb = {
        "added": "Logged",
        "merged": "Merged with a work already held:",
        "updated": "Updated",
        "unchanged": "Already held:",
    }.get(captured.outcome, captured.outcome)
    body = Markup(
        "<p id='kb-result'>{verb} <a href='{url}'>{key}</a></p>"
        "<p>{detected} mention(s) of organisations and events linked (source: detected).</p>"
        "<p>To change its links: <code>kb link {key} --org NAME --event NAME</code>, or review what was detected with "
        "<code>kb link --review {key}</code>.</p>"
    ).format(verb=verb, url=row_url, key=captured.citekey, detected=captured.detected)
    return _page("Logged in kb", body)


ROUTES = [(rf"^{CAPTURE_PATH}$", capture)]


def skip_csrf(scope) -> bool:
    """The bookmarklet posts from the page being read, which has no Datasette CSRF
    cookie; the secret token stands in for it."""
    return scope.get("path") == CAPTURE_PATH
