"""Duplicate detection beyond exact identifiers: title, first author and year.

The exact rules (citekey, DOI, URL, ISBN) live in the store; this module holds the
fuzzy ones, so they can be tuned without touching the writer.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .names import fold

if TYPE_CHECKING:
    from .store import Store


def titles_agree(a: str | None, b: str | None) -> bool:
    """Whether two folded titles name the same work (an empty title agrees with any)."""
    if not a or not b:
        return True
    return a == b


def find_fuzzy_duplicate(store: Store, columns: dict[str, Any], item: dict[str, Any]) -> int | None:
    """The id of a work that is the same as `item` by title, first author and year."""
    title = columns.get("title_key")
    if not title:
        return None
    candidates = store.caches["title_key"].get(title, [])
    if not candidates:
        return None
    year = columns.get("year")
    family = _first_family(item)
    for article_id in candidates:
        row = store.conn.execute("SELECT year, csl_json FROM articles WHERE id = ?", (article_id,)).fetchone()
        if year and row[0] and abs(row[0] - year) > 1:
            continue
        other_family = _first_family(json.loads(row[1]))
        if family and other_family and family != other_family:
            continue
        return article_id
    return None


def _first_family(item: dict[str, Any]) -> str | None:
    for role in ("author", "editor"):
        names = item.get(role) or []
        if names:
            first = names[0]
            return fold(first.get("family") or first.get("literal") or "") or None
    return None
