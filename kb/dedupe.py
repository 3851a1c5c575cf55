"""Duplicate detection beyond exact identifiers: title, first author and year.

The exact rules (citekey, DOI, URL, ISBN) live in the store; this module holds the
fuzzy ones, so they can be tuned without touching the writer. Two works are the same
when their folded titles are at least TITLE_SIMILARITY alike (rapidfuzz's ratio, so
"The crisis in Georgia" and "The Crisis in Georgia." and a one-letter typo all match),
their first authors' family names agree (or one has none) and their years are at most
one apart (a preprint and its journal version). Candidates come from an index by first
author, so a check costs a dictionary look-up and a few string comparisons. Pairs a
user marked as not duplicates (`kb dedupe --not-duplicate A B`) are never proposed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .names import fold

if TYPE_CHECKING:
    import sqlite3

    from .store import Store

TITLE_SIMILARITY = 90.0  # percent, rapidfuzz.fuzz.ratio on folded titles
CITEKEY_TITLE_SIMILARITY = 80.0  # a reused citekey still names the same work after a title fix


def titles_agree(a: str | None, b: str | None) -> bool:
    """Whether two folded titles name the same work (an empty title agrees with any)."""
    if not a or not b or a == b:
        return True
    from rapidfuzz import fuzz  # imported where it is used: most commands never compare titles

    return fuzz.ratio(a, b) >= CITEKEY_TITLE_SIMILARITY


def first_family(item: dict[str, Any]) -> str | None:
    """The folded family name (or corporate name) of a work's first author or editor."""
    for role in ("author", "editor"):
        names = item.get(role) or []
        if names:
            first = names[0]
            return fold(first.get("family") or first.get("literal") or "") or None
    return None


# -- the index: first author -> [(article id, year, title key)] -----------------------


def _index(store: Store) -> dict[str | None, list[tuple[int, int | None, str]]]:
    caches = store.caches
    if caches.get("fuzzy") is None:
        caches["fuzzy"] = build_index(store.conn)
    return caches["fuzzy"]


def build_index(conn: sqlite3.Connection) -> dict[str | None, list[tuple[int, int | None, str]]]:
    index: dict[str | None, list[tuple[int, int | None, str]]] = {}
    rows = conn.execute(
        """SELECT a.id, a.year, a.title_key,
                  coalesce(au.family, au.name), coalesce(ed.family, ed.name)
           FROM articles a
           LEFT JOIN article_authors aa ON aa.article_id = a.id AND aa.role = 'author' AND aa.position = 0
           LEFT JOIN authors au ON au.id = aa.author_id
           LEFT JOIN article_authors ae ON ae.article_id = a.id AND ae.role = 'editor' AND ae.position = 0
           LEFT JOIN authors ed ON ed.id = ae.author_id
           WHERE a.title_key IS NOT NULL"""
    )
    for article_id, year, title, author, editor in rows:
        family = fold(author or editor or "") or None
        index.setdefault(family, []).append((article_id, year, title))
    return index


def remember(store: Store, article_id: int, columns: dict[str, Any], item: dict[str, Any]) -> None:
    """Add a work the store just wrote, so later records of the same import match it."""
    index = store.caches.get("fuzzy")
    if index is not None and columns.get("title_key"):
        index.setdefault(first_family(item), []).append((article_id, columns.get("year"), columns["title_key"]))


def find_fuzzy_duplicate(store: Store, columns: dict[str, Any], item: dict[str, Any]) -> int | None:
    """The id of a work that is the same as `item` by title, first author and year."""
    title = columns.get("title_key")
    if not title:
        return None
    year = columns.get("year")
    family = first_family(item)
    index = _index(store)
    from rapidfuzz import fuzz

    best, best_score = None, 0.0
    buckets = [index.get(family, []), index.get(None, [])] if family else []
    for bucket in buckets:
        for article_id, other_year, other_title in bucket:
            if year and other_year and abs(other_year - year) > 1:
                continue
            score = 100.0 if other_title == title else fuzz.ratio(title, other_title, score_cutoff=TITLE_SIMILARITY)
            if score > best_score:
                best, best_score = article_id, score
    if best is not None:
        return best
    if family:
        return None
    # No first author in the record: the same title and a year within one, whoever wrote it.
    for article_id in store.caches["title_key"].get(title, []):
        row = store.conn.execute("SELECT year FROM articles WHERE id = ?", (article_id,)).fetchone()
        if year and row[0] and abs(row[0] - year) > 1:
            continue
        return article_id
    return None


# -- listing likely duplicates and recording decisions ---------------------------------


def likely_duplicates(conn: sqlite3.Connection) -> Iterator[tuple[int, int, float]]:
    """Pairs (a, b, title similarity) of existing works the fuzzy rule calls the same,
    leaving out the pairs a user marked as not duplicates."""
    from rapidfuzz import fuzz

    rejected = set(conn.execute("SELECT article_a, article_b FROM not_duplicates").fetchall())
    for family, bucket in build_index(conn).items():
        if family is None:
            continue
        for i, (a, year_a, title_a) in enumerate(bucket):
            for b, year_b, title_b in bucket[i + 1 :]:
                if year_a and year_b and abs(year_a - year_b) > 1:
                    continue
                score = fuzz.ratio(title_a, title_b, score_cutoff=TITLE_SIMILARITY)
                pair = (min(a, b), max(a, b))
                if score and pair not in rejected:
                    yield pair[0], pair[1], score


def is_not_duplicate(conn: sqlite3.Connection, a: int, b: int) -> bool:
    return conn.execute("SELECT 1 FROM not_duplicates WHERE article_a = ? AND article_b = ?", (min(a, b), max(a, b))).fetchone() is not None
