"""A work's CSL item, turned into the indexed columns of `articles` and back."""

from __future__ import annotations

import json
from typing import Any

from .date_forms import csl_date_problem
from .dates import partial_date_from_csl
from .errors import KbError
from .keys import normalise_doi, normalise_isbn, normalise_url, title_key
from .model import CREATOR_ROLES, CSL_DATE_VARIABLES, CSL_TYPES
from .names import display_name


def clean_item(item: dict[str, Any], where: str | None = None) -> dict[str, Any]:
    """Drop empty values, check the type and dates, so equal works serialise equally."""
    cleaned = {k: v for k, v in item.items() if v not in (None, "", [], {})}
    work_type = cleaned.get("type") or "document"
    if work_type not in CSL_TYPES:
        raise KbError(
            f"unknown work type {work_type!r} (a CSL type such as article-journal, book, report, post-weblog)", where
        )
    cleaned["type"] = work_type
    for variable in CSL_DATE_VARIABLES:
        if variable in cleaned:
            problem = csl_date_problem(cleaned[variable])
            if problem:
                raise KbError(f"{variable}: {problem}", where)
            try:
                partial_date_from_csl(cleaned[variable])
            except KbError as exc:
                raise KbError(f"{variable}: {exc.message}", where) from None
    return cleaned


# Made once: json.dumps with options builds a new encoder for every call.
_ITEM_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
_RECORD_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False)


def item_json(item: dict[str, Any]) -> str:
    """The canonical text of an item: sorted keys, so unchanged works compare equal."""
    return _ITEM_ENCODER.encode(item)


def record_json(value: Any) -> str:
    """A work's other JSON columns (extra fields): sorted keys, Unicode kept, as
    `json.dumps(value, sort_keys=True, ensure_ascii=False)` writes them."""
    return _RECORD_ENCODER.encode(value)


def _text(value: Any) -> str | None:
    if value in (None, ""):
        return None
    return str(value)


def _literal_date(value: Any) -> str | None:
    return _text(value.get("literal") or value.get("raw")) if isinstance(value, dict) else None


def article_columns(item: dict[str, Any]) -> dict[str, Any]:
    """The indexed columns of `articles` that derive from a CSL item."""
    issued = partial_date_from_csl(item.get("issued"))
    accessed = partial_date_from_csl(item.get("accessed"))
    doi = _text(item.get("DOI"))
    url = _text(item.get("URL"))
    isbn = _text(item.get("ISBN"))
    return {
        "type": item.get("type") or "document",
        "title": _text(item.get("title")),
        # The creators as one readable line, for lists and the JSON API; the
        # article_authors table is the indexed truth used by facets and filters.
        "authors": "; ".join(
            display_name(n) for n in (item.get("author") or item.get("editor") or []) if isinstance(n, dict)
        )
        or None,
        "container_title": _text(item.get("container-title")),
        "publisher": _text(item.get("publisher")),
        # A date kb could not read has no bounds, but its text is still the date shown.
        "issued": issued.text if issued else _literal_date(item.get("issued")),
        "issued_edtf": issued.edtf if issued else None,
        "issued_start": issued.start if issued else None,
        "issued_end": issued.end if issued else None,
        "year": issued.year if issued else None,
        "volume": _text(item.get("volume")),
        "issue": _text(item.get("issue")),
        "pages": _text(item.get("page")),
        "doi": doi,
        "url": url,
        "isbn": isbn,
        "abstract": _text(item.get("abstract")),
        "language": _text(item.get("language")),
        "accessed": accessed.edtf if accessed else None,
        "doi_key": normalise_doi(doi),
        "url_key": normalise_url(url),
        # Chapters share their book's ISBN, so only a whole book is known by it.
        "isbn_key": normalise_isbn(isbn) if item.get("type") == "book" else None,
        "title_key": title_key(item.get("title")) or None,
    }


def creators(item: dict[str, Any]) -> list[tuple[str, int, dict[str, Any]]]:
    """(role, position, name) for each author, editor and translator of an item."""
    out = []
    for role in CREATOR_ROLES:
        for position, name in enumerate(item.get(role) or []):
            if isinstance(name, dict) and (name.get("family") or name.get("literal") or name.get("given")):
                out.append((role, position, name))
    return out
