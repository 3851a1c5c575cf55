"""Open Library's Books API (`/api/books?bibkeys=ISBN:...&format=json&jscmd=data`):
a book by its ISBN, with its authors' names and publishers in one request."""

from __future__ import annotations

import re
from typing import Any

from ..dates import parse_partial_date
from ..errors import KbError
from ..names import parse_name
from .http import HttpClient, LookupFailed, Response, base_url


def fetch(client: HttpClient, isbn: str) -> dict[str, Any]:
    """Open Library's record of the book; LookupFailed when it does not know the ISBN."""
    key = f"ISBN:{isbn}"
    url = f"{base_url('openlibrary')}/api/books"
    response = client.get(
        "openlibrary", url, params={"bibkeys": key, "format": "json", "jscmd": "data"}, validate=lambda r: _book(r, key)
    )
    if response.status != 200:
        raise LookupFailed(f"Open Library answered HTTP {response.status} for ISBN {isbn}: try again later")
    return _book(response, key)


def _book(response: Response, key: str) -> dict[str, Any]:
    data = response.json("an Open Library book record")
    if not isinstance(data, dict):
        raise LookupFailed("Open Library answered with something that is not a book record: try again later")
    book = data.get(key)
    if book is None:
        raise LookupFailed(
            f"Open Library does not know the {key.replace(':', ' ')}: check it, or log the book "
            "by hand with kb add --title ... --type book --isbn ..."
        )
    if not isinstance(book, dict) or not book.get("title"):
        raise LookupFailed("Open Library answered with a book record that has no title: try again later")
    return book


def _names(entries: Any) -> list[str]:
    return [" ".join(e["name"].split()) for e in entries or [] if isinstance(e, dict) and e.get("name")]


def _issued(value: str | None) -> dict[str, Any] | None:
    """Open Library's publish_date is free text: "1998", "May 1998", "May 16, 2005"."""
    if not value:
        return None
    try:
        return parse_partial_date(value.strip()).to_csl()
    except (KbError, ValueError):
        year = re.search(r"\b(1[5-9]\d\d|20\d\d)\b", value)
        return {"date-parts": [[int(year.group(1))]]} if year else None


def to_item(book: dict[str, Any], isbn: str) -> dict[str, Any]:
    title = " ".join(book["title"].split())
    if book.get("subtitle"):
        title = f"{title}: {' '.join(book['subtitle'].split())}"
    identifiers = book.get("identifiers") or {}
    isbn_13 = (identifiers.get("isbn_13") or [None])[0]
    return {
        "type": "book",
        "title": title,
        "author": [parse_name(name, corporate=False) for name in _names(book.get("authors"))],
        "publisher": ", ".join(_names(book.get("publishers"))) or None,
        "publisher-place": ", ".join(_names(book.get("publish_places"))) or None,
        "issued": _issued(book.get("publish_date")),
        "number-of-pages": str(book["number_of_pages"]) if book.get("number_of_pages") else None,
        "ISBN": isbn_13 or isbn,
        "URL": book.get("url"),
    }
