"""Crossref's REST API (`/works/{doi}`): its work record as a CSL item.

Crossref's "message" is close to CSL-JSON already (its field names are CSL's), but
titles and container titles are lists, types have their own names, the abstract is
JATS XML and authors carry ORCIDs as URLs.
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any
from urllib.parse import quote

from ..keys import title_key
from ..model import CSL_TYPES
from ..names import fold
from .http import HttpClient, LookupFailed, Response, base_url

# Crossref's work types that are not CSL's own names.
TYPES = {
    "journal-article": "article-journal",
    "proceedings-article": "paper-conference",
    "book-chapter": "chapter",
    "book-section": "chapter",
    "book-part": "chapter",
    "edited-book": "book",
    "monograph": "book",
    "reference-book": "book",
    "book-set": "book",
    "book-series": "book",
    "book-track": "chapter",
    "reference-entry": "entry",
    "posted-content": "article",
    "dissertation": "thesis",
    "report-series": "report",
    "report-component": "report",
    "journal-issue": "periodical",
    "journal": "periodical",
    "proceedings": "book",
    "peer-review": "review",
    "component": "document",
    "other": "document",
    "database": "dataset",
    "standard-series": "standard",
    "grant": "document",
}
# CSL variables copied as they are when Crossref has them.
PLAIN = ("publisher", "publisher-place", "volume", "issue", "page", "language", "edition")


def fetch(client: HttpClient, doi: str) -> dict[str, Any] | None:
    """Crossref's record for `doi`, or None when Crossref does not know it."""
    url = f"{base_url('crossref')}/works/{quote(doi, safe='/')}"
    response = client.get("crossref", url, validate=lambda r: _message(r))
    if response.status == 404:
        return None
    if response.status != 200:
        raise LookupFailed(f"Crossref answered HTTP {response.status} for {doi}: try again later")
    return _message(response)


def _message(response: Response) -> dict[str, Any]:
    data = response.json("a Crossref work record")
    message = data.get("message") if isinstance(data, dict) else None
    if not isinstance(message, dict) or not message.get("DOI"):
        raise LookupFailed(
            "Crossref answered with something that is not a work record (no message.DOI): "
            "try again later, or log the work by hand with kb add --title"
        )
    return message


def jats_to_text(value: str) -> str:
    """A JATS abstract (<jats:p>...</jats:p>) as plain paragraphs."""
    value = re.sub(r"<jats:title>.*?</jats:title>", "", value, flags=re.S)  # "Abstract" heading
    value = re.sub(r"</jats:p>\s*", "\n\n", value)
    value = re.sub(r"<[^>]+>", "", value)
    paragraphs = [" ".join(unescape(p).split()) for p in value.split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p)


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return " ".join(str(value).split()) or None if value else None


def orcid_of(value: str | None) -> str | None:
    """ "http://orcid.org/0000-0002-1825-0097" -> "0000-0002-1825-0097"."""
    match = re.search(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])", value or "")
    return match.group(1) if match else None


def _names(people: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    names = []
    for person in people or []:
        if person.get("family"):
            name = {"family": person["family"], "given": person.get("given")}
            if person.get("suffix"):
                name["suffix"] = person["suffix"]
            names.append({k: v for k, v in name.items() if v})
        elif person.get("name"):  # an organisation as author
            names.append({"literal": person["name"]})
    return names


def _date(message: dict[str, Any]) -> dict[str, Any] | None:
    for field in ("issued", "published-print", "published-online", "published", "created"):
        parts = (message.get(field) or {}).get("date-parts")
        if parts and parts[0] and parts[0][0]:
            return {"date-parts": [[int(p) for p in parts[0] if p is not None]]}
    return None


def to_item(message: dict[str, Any]) -> dict[str, Any]:
    """Crossref's work record as a CSL item."""
    work_type = TYPES.get(message.get("type", ""), message.get("type"))
    title = _first(message.get("title"))
    subtitle = _first(message.get("subtitle"))
    if title and subtitle and subtitle.casefold() not in title.casefold():
        title = f"{title}: {subtitle}"
    item: dict[str, Any] = {
        "type": work_type if work_type in CSL_TYPES else "document",
        "title": title,
        "author": _names(message.get("author")),
        "editor": _names(message.get("editor")),
        "translator": _names(message.get("translator")),
        "container-title": _first(message.get("container-title")),
        "issued": _date(message),
        "DOI": message.get("DOI"),
        "URL": message.get("resource", {}).get("primary", {}).get("URL") or message.get("URL"),
        "ISSN": _first(message.get("ISSN")),
        "ISBN": _first(message.get("ISBN")),
        "abstract": jats_to_text(message["abstract"]) if message.get("abstract") else None,
    }
    for field in PLAIN:
        if message.get(field):
            item[field] = str(message[field])
    return item


def orcids(message: dict[str, Any]) -> dict[int, str]:
    """Author position -> ORCID, for the authors Crossref gives one."""
    return {
        i: orcid for i, person in enumerate(message.get("author") or []) if (orcid := orcid_of(person.get("ORCID")))
    }


def reference_dois(message: dict[str, Any]) -> list[str]:
    """The DOIs of the works this one cites, as Crossref lists them."""
    return [ref["DOI"].lower() for ref in message.get("reference") or [] if isinstance(ref, dict) and ref.get("DOI")]


def search(client: HttpClient, title: str, family: str, year: int) -> str | None:
    """The DOI of the one Crossref work with this title, first author's family name and
    year; None unless exactly one candidate agrees on all three (a certain match)."""
    url = f"{base_url('crossref')}/works"
    params = {
        "query.bibliographic": title,
        "query.author": family,
        "rows": "5",
        "filter": f"from-pub-date:{year},until-pub-date:{year}",
    }
    response = client.get("crossref", url, params=params, validate=lambda r: _items(r))
    if response.status != 200:
        raise LookupFailed(f"Crossref answered HTTP {response.status} to a search: try again later")
    wanted = title_key(title)
    matches = []
    for message in _items(response):
        item = to_item(message)
        titles = {title_key(_first(message.get("title"))), title_key(item.get("title"))}
        authors = item.get("author") or []
        issued = (item.get("issued") or {}).get("date-parts", [[None]])[0][0]
        if wanted in titles and authors and fold(authors[0].get("family") or "") == fold(family) and issued == year:
            matches.append(message["DOI"])
    return matches[0] if len(set(matches)) == 1 else None


def _items(response: Response) -> list[dict[str, Any]]:
    data = response.json("a Crossref search result")
    items = (data.get("message") or {}).get("items") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise LookupFailed(
            "Crossref answered a search with something that is not a list of works (no message.items): try again later"
        )
    return [item for item in items if isinstance(item, dict) and item.get("DOI")]
