"""Duplicate detection beyond exact identifiers: title, first author and year.

The store looks works up by citekey, DOI, URL and ISBN, `kb.identity_rules` decides
whether what they share makes them one work; this module finds the fuzzy matches, so they
can be tuned without touching the writer. Two works are the same
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

from .identity_rules import title_numbers
from .names import fold

if TYPE_CHECKING:
    import sqlite3

TITLE_SIMILARITY = 90.0  # percent, rapidfuzz.fuzz.ratio on folded titles


def first_family(item: dict[str, Any]) -> str | None:
    """The folded family name (or corporate name) of a work's first author or editor."""
    for role in ("author", "editor"):
        names = item.get(role) or []
        if names:
            first = names[0]
            return fold(first.get("family") or first.get("literal") or "") or None
    return None


# -- the index: first author -> [(article id, year, title key)] -----------------------
# The store's identity cache (kb.store.identity) holds it for a command and passes it in.


class FuzzyIndex(dict[str | None, list[tuple[int, int | None, str]]]):
    """First author -> [(article id, year, title key)], and the same works by first
    author and year (`near`), so a record is compared only with works of its years: in
    a library most works by one author (or by none) are years apart, and the loop over
    all of them was the largest part of an import's duplicate search."""

    def __init__(self) -> None:
        super().__init__()
        self._by_year: dict[tuple[str | None, int | None], list[tuple[int, str]]] = {}

    def add(self, family: str | None, article_id: int, year: int | None, title: str) -> None:
        self.setdefault(family, []).append((article_id, year, title))
        self._by_year.setdefault((family, year), []).append((article_id, title))

    def near(self, family: str | None, year: int | None) -> list[tuple[int, str]]:
        """(id, title key) of the works by `family` whose years are within one of `year`,
        or unknown; every work by `family` when `year` is unknown."""
        if not year:
            return [(article_id, title) for article_id, _, title in self.get(family, [])]
        found: list[tuple[int, str]] = []
        for other_year in {None, 0, year - 1, year, year + 1}:
            found += self._by_year.get((family, other_year), [])
        return found


def build_index(conn: sqlite3.Connection) -> FuzzyIndex:
    index = FuzzyIndex()
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
        index.add(fold(author or editor or "") or None, article_id, year, title)
    return index


def remember(index: FuzzyIndex | None, article_id: int, columns: dict[str, Any], item: dict[str, Any]) -> None:
    """Add a work the store just wrote to the index (when one was built), so later records
    of the same import match it."""
    if index is not None and columns.get("title_key"):
        index.add(first_family(item), article_id, columns.get("year"), columns["title_key"])


def find_fuzzy_duplicates(
    conn: sqlite3.Connection,
    index: FuzzyIndex,
    works_by_title: dict[str, list[int]],
    columns: dict[str, Any],
    item: dict[str, Any],
) -> list[int]:
    """The ids of works that are the same as `item` by title, first author and year,
    most alike first (`kb.identity_rules` then looks for what tells them apart).
    `index` is `build_index`'s, `works_by_title` every work's id by title key."""
    title = columns.get("title_key")
    if not title:
        return []
    year = columns.get("year")
    family = first_family(item)
    scored: list[tuple[float, int]] = []
    buckets = [index.near(family, year), index.near(None, year)] if family else []
    for bucket in buckets:
        for article_id, other_title in bucket:
            if other_title == title:
                score = 100.0
            else:
                from rapidfuzz import fuzz  # imported where it is used: `kb add` often compares none

                score = fuzz.ratio(title, other_title, score_cutoff=TITLE_SIMILARITY)
            if score:
                scored.append((-score, article_id))
    if scored:
        return [article_id for _, article_id in sorted(scored)]
    if family:
        return []
    # No first author in the record: the same title and a year within one, whoever wrote it.
    found = []
    for article_id in works_by_title.get(title, []):
        row = conn.execute("SELECT year FROM articles WHERE id = ?", (article_id,)).fetchone()
        if year and row[0] and abs(row[0] - year) > 1:
            continue
        found.append(article_id)
    return found


# -- listing likely duplicates and recording decisions ---------------------------------


def likely_duplicates(conn: sqlite3.Connection) -> Iterator[tuple[int, int, str]]:
    """Pairs (a, b, reason) that may be one work, leaving out the pairs a user marked as
    not duplicates: the pairs an import or `kb add` left undecided (with the reason
    `kb.identity_rules` gave), then pairs of existing works the fuzzy rule calls alike
    whose titles carry no different numbers ("part 1"/"part 2" are two works)."""
    from rapidfuzz import fuzz

    rejected = set(conn.execute("SELECT article_a, article_b FROM not_duplicates").fetchall())
    listed = set()
    for a, b, reason in conn.execute(
        "SELECT article_a, article_b, reason FROM duplicate_candidates ORDER BY article_a, article_b"
    ):
        if (a, b) not in rejected:
            listed.add((a, b))
            yield a, b, reason
    for family, bucket in build_index(conn).items():
        if family is None:
            continue
        for i, (a, year_a, title_a) in enumerate(bucket):
            for b, year_b, title_b in bucket[i + 1 :]:
                if year_a and year_b and abs(year_a - year_b) > 1:
                    continue
                score = fuzz.ratio(title_a, title_b, score_cutoff=TITLE_SIMILARITY)
                pair = (min(a, b), max(a, b))
                if not score or pair in rejected or pair in listed:
                    continue
                numbers_a, numbers_b = title_numbers(title_a), title_numbers(title_b)
                if numbers_a and numbers_b and numbers_a != numbers_b:
                    continue
                yield pair[0], pair[1], f"similar titles ({score:.0f}%), same first author, years within one"


def is_not_duplicate(conn: sqlite3.Connection, a: int, b: int) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM not_duplicates WHERE article_a = ? AND article_b = ?", (min(a, b), max(a, b))
        ).fetchone()
        is not None
    )
