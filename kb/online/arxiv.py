"""The arXiv API (`/api/query?id_list=...`, an Atom feed): a preprint by its arXiv id.

The work is logged as arXiv's record (CSL type "article", arXiv's own DOI
10.48550/arXiv.ID), not as the journal version its entry may point to: that one has
its own DOI and is a different record, kept in `extra` so it can be looked up too.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from ..names import parse_name
from .http import HttpClient, LookupFailed, Response, base_url

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "arxiv": "http://arxiv.org/schemas/atom",
    "opensearch": "http://a9.com/-/spec/opensearch/1.1/",
}


def fetch(client: HttpClient, arxiv_id: str) -> ET.Element:
    """arXiv's Atom entry for `arxiv_id`; LookupFailed when arXiv does not know it."""
    url = f"{base_url('arxiv')}/api/query"
    response = client.get(
        "arxiv", url, params={"id_list": arxiv_id, "max_results": "1"}, validate=lambda r: _entry(r, arxiv_id)
    )
    if response.status != 200:
        raise LookupFailed(f"arXiv answered HTTP {response.status} for {arxiv_id}: try again later")
    return _entry(response, arxiv_id)


def _entry(response: Response, arxiv_id: str) -> ET.Element:
    try:
        feed = ET.fromstring(response.body)
    except ET.ParseError:
        raise LookupFailed("arXiv answered with something that is not an Atom feed: try again later") from None
    if feed.tag != f"{{{NS['atom']}}}feed":
        raise LookupFailed("arXiv answered with something that is not an Atom feed: try again later")
    entry = feed.find("atom:entry", NS)
    # An id arXiv cannot read gives one entry titled "Error"; an unknown id, no entry.
    if entry is None or (
        entry.findtext("atom:title", "", NS).strip() == "Error" and "/api/errors" in entry.findtext("atom:id", "", NS)
    ):
        raise LookupFailed(f"arXiv does not know the id {arxiv_id}: check it for a typo")
    return entry


def _text(entry: ET.Element, path: str) -> str | None:
    value = entry.findtext(path, None, NS)
    return " ".join(value.split()) if value and value.strip() else None


def to_item(entry: ET.Element, arxiv_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(CSL item, extra fields) for an arXiv entry."""
    published = _text(entry, "atom:published") or ""
    date = re.match(r"(\d{4})-(\d{2})-(\d{2})", published)
    primary = entry.find("arxiv:primary_category", NS)
    category = primary.get("term") if primary is not None else None
    item = {
        "type": "article",
        "title": _text(entry, "atom:title"),
        "author": [
            parse_name(name, corporate=False)
            for author in entry.findall("atom:author", NS)
            if (name := _text(author, "atom:name"))
        ],
        "issued": {"date-parts": [[int(p) for p in date.groups()]]} if date else None,
        "abstract": _text(entry, "atom:summary"),
        "container-title": "arXiv",
        "publisher": "arXiv",
        "number": arxiv_id,
        "DOI": f"10.48550/arXiv.{arxiv_id}",
        "URL": f"https://arxiv.org/abs/{arxiv_id}",
    }
    extra: dict[str, Any] = {
        "bibtex": {"eprint": arxiv_id, "eprinttype": "arxiv", **({"eprintclass": category} if category else {})}
    }
    journal = {
        "doi": _text(entry, "arxiv:doi"),
        "journal_ref": _text(entry, "arxiv:journal_ref"),
        "comment": _text(entry, "arxiv:comment"),
    }
    journal = {k: v for k, v in journal.items() if v}
    if journal:
        extra["arxiv"] = journal
    return item, extra
