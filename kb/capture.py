"""Capturing the page a researcher is reading, sent by the bookmarklet to `kb serve --capture`.

The page (its URL, title, selected text and HTML) is read by the saved-HTML importer,
like `kb add URL` and `kb import page.html --url`, and saved through the store in one
transaction, with its mentions linked and the selection kept as a quote. Requests must
carry the knowledge base's own secret token, kept in a file beside it (readable by its
owner only) and built into the bookmarklet the setup page shows.
"""

from __future__ import annotations

import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from .errors import KbError
from .importers import html_page
from .linking import detect_and_apply
from .model import Invalid, NoteRecord, WorkRecord
from .store import Counts, Store

MAX_BYTES = 5 * 2**20  # a page's HTML; anything larger is refused


def token_path(db_path: str | Path) -> Path:
    return Path(f"{db_path}.capture-token")


def ensure_token(db_path: str | Path) -> str:
    """The knowledge base's capture token, made on first use (owner-only file)."""
    path = token_path(db_path)
    if not path.exists():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


def token_matches(db_path: str | Path, given: str | None) -> bool:
    path = token_path(db_path)
    if not given or not path.exists():
        return False
    return hmac.compare_digest(path.read_text().strip().encode(), given.strip().encode())


@dataclass
class Captured:
    citekey: str
    outcome: str  # added, merged, updated, unchanged
    detected: int


def capture_page(store: Store, url: str, title: str | None, quote: str | None, html: str | None) -> Captured:
    """Save the page as a work (KbError with the reason when it is not an article)."""
    url = (url or "").strip()
    if not url.startswith(("http://", "https://")):
        raise KbError("the capture has no page address (http:// or https://)")
    if html and html.strip():
        records = list(html_page.parse(html, url, url=url))
    else:  # no HTML sent: the address and title are still a web page worth logging
        records = [
            WorkRecord(
                item={"type": "webpage", "title": (title or "").strip() or url, "URL": url},
                origin=url,
                needs_review=True,
            )
        ]
    for record in records:
        if isinstance(record, Invalid):
            reason = record.message.split(": ", 1)[0]  # "this is a bot-check page ..., not the article"
            if reason.startswith("this is "):
                raise KbError(
                    f"the page sent is {reason.removeprefix('this is ')}: let it load (or sign in), "
                    "then click the bookmark again",
                    url,
                )
            raise KbError(f"the page sent cannot be logged: {record.message}", url)
    work = [r for r in records if isinstance(r, WorkRecord)][-1]
    if quote and quote.strip():
        work.notes.append(NoteRecord(quote=" ".join(quote.split())))
    with store.transaction():
        import_id = store.start_import(url, "capture", None)
        counts = Counts()
        for record in records:
            result = store.save(record, "merge", import_id)
            if isinstance(record, WorkRecord):
                counts.count(result)
        store.finish_import(import_id, counts)
        detected = detect_and_apply(store, [result.article_id]) if result.outcome != "unchanged" else 0
    return Captured(result.citekey, result.outcome, detected)
