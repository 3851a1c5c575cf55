"""A web address: the page, read by the saved-HTML importer; or a PDF, logged from
its metadata and flagged for review."""

from __future__ import annotations

import io
import re
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from ..importers import html_page
from ..importers.page_text import interstitial_reason
from ..model import Invalid, NoteRecord, Record, WorkRecord
from ..names import parse_name, split_name_list
from .http import HttpClient, LookupFailed, Response, host_of


def fetch(client: HttpClient, url: str) -> tuple[Response, list[Record]]:
    """The page at `url` and the records the html importer (or the PDF reader) makes of it.
    The work keeps the address the server finally answered from (after redirects)."""
    parsed: dict[str, list[Record]] = {}  # reading a page is slow: read it once

    def check(answer: Response) -> None:
        parsed["records"] = _records(answer, url)

    response = client.get("web", url, validate=check, final=lambda r: _bot_check(r) is not None)
    if response.status != 200:
        reason = _bot_check(response)
        if reason:
            raise LookupFailed(f"the server answered with {reason}, not the article: {_save_by_hand(url)}")
        raise LookupFailed(
            f"the server answered HTTP {response.status}: check the address; if it opens in your browser, "
            f"{_save_by_hand(url).removeprefix('open it in a browser, ')}"
        )
    return response, parsed.get("records") or _records(response, url)


def _save_by_hand(url: str) -> str:
    return f"open it in a browser, save the page (File > Save Page As) and run kb import page.html --url {url}"


def is_pdf(response: Response) -> bool:
    return "application/pdf" in response.content_type.lower() or response.body.lstrip()[:5] == b"%PDF-"


def _bot_check(response: Response) -> str | None:
    """A bot-check page standing in front of the article (servers answer those 403 or
    503 too): asking again will not help, so it is not retried."""
    if "html" not in response.content_type.lower():
        return None
    title = re.search(r"<title[^>]*>(.*?)</title>", response.text, re.I | re.S)
    text = " ".join(re.sub(r"<[^>]+>", " ", response.text).split())
    reason = interstitial_reason(" ".join(title.group(1).split()) if title else None, text)
    return reason if reason and "bot-check" in reason else None


def _records(response: Response, given_url: str) -> list[Record]:
    url = response.url or given_url
    if is_pdf(response):
        return [pdf_work(response.body, url)]
    if "html" not in response.content_type.lower() and not html_page._HTML_START.search(response.text[:5000]):
        raise LookupFailed(
            f"the address gives {response.content_type or 'something with no content type'}, not a web page "
            f"or a PDF: log it by hand with kb add --title ... --url {given_url}"
        )
    records = list(html_page.parse(response.text, url, url=url))
    for record in records:
        if isinstance(record, Invalid):
            what = record.message.split(": ", 1)[0]  # "this is a bot-check page ..., not the article"
            if what.startswith("this is "):
                raise LookupFailed(f"the page is {what.removeprefix('this is ')}: {_save_by_hand(given_url)}")
            raise LookupFailed(f"the page cannot be read as an article ({record.message})")
    return records


def _pdf_date(value: Any) -> dict[str, Any] | None:
    """A PDF date ("D:20190412093000Z") as CSL date parts."""
    if isinstance(value, datetime):
        return {"date-parts": [[value.year, value.month, value.day]]}
    match = re.match(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?", str(value or ""))
    if not match:
        return None
    return {"date-parts": [[int(p) for p in match.groups() if p]]}


def pdf_work(body: bytes, url: str) -> WorkRecord:
    """A PDF as a work: what its document information says, its URL, flagged needs_review."""
    from pypdf import PdfReader  # loaded only when a PDF comes: most look-ups never need it
    from pypdf.errors import PdfReadError

    try:
        info = PdfReader(io.BytesIO(body)).metadata or {}
    except (PdfReadError, ValueError, OSError) as exc:
        raise LookupFailed(
            f"the PDF cannot be read ({exc}): log it by hand with kb add --title ... --url {url}"
        ) from None
    title = " ".join(str(info.get("/Title") or "").split())
    if not title or re.fullmatch(r"(untitled|microsoft word - .*|.*\.(docx?|pdf))", title, re.I):
        title = unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]) or host_of(url)
    author = " ".join(str(info.get("/Author") or "").split())
    item = {
        "type": "document",
        "title": title,
        "author": [parse_name(a.strip(), corporate=False) for a in split_name_list(author)] if author else [],
        "issued": _pdf_date(info.get("/CreationDate")),
        "URL": url,
        "publisher": host_of(url),
    }
    note = NoteRecord(
        comment="Logged from a PDF's own metadata: check its type, title, authors and date against the document."
    )
    return WorkRecord(item=item, notes=[note], needs_review=True, origin=url)
