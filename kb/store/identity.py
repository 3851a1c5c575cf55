"""The identity cache: what the store looks records up by.

Two forms with one interface (`IdentityCache`):

- loaded (`IdentityCache.load`), for an import's bulk writes: the identifiers of every
  work (citekey, DOI, URL, ISBN and title keys), every person's name key and every tag
  are read once, then look-ups are answered from dictionaries, which the store keeps up
  to date as it adds works (their rows may still wait in the bulk queue);
- indexed (`IdentityCache.indexed`), for every other command (`kb add` of one work):
  each look-up is one query on an indexed column, so a command that saves a record or
  two does not read 16,000 works' identifiers first. Rows are written as they are saved
  outside bulk writes, so the database is always current: what the store tells the
  cache about a new row (`cache[key] = id`) is already there, and is not kept.

Indexes few commands need (organisation and event names, the fuzzy duplicate index of
kb.dedupe, import provenance, citekey aliases) are read at their first use. The store
drops the whole cache (`Store._caches = None`) whenever rows it describes may have been
undone or rewritten (a savepoint's rollback, a merge, an edit) and reads it again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from .. import dedupe, identity_rules
from ..names import fold
from .state import StoreState

# The identifiers a work is found by: the columns of `articles` that name one work.
WORK_IDENTIFIERS = ("doi_key", "url_key", "isbn_key")


class IndexedLookup(MutableMapping):
    """A look-up index answered by one query on an indexed column: `query` takes the key
    (or the key's parts, for a tuple key) and gives the value in its first row.

    Stores nothing: the rows it answers from are written as they are saved."""

    def __init__(self, conn: sqlite3.Connection, query: str, many: bool = False):
        self.conn = conn
        self.query = query
        self.many = many  # every row's first column, as a list (title keys: every work with one)

    def get(self, key: Any, default: Any = None) -> Any:
        if key is None:
            return default
        cursor = self.conn.execute(self.query, key if isinstance(key, tuple) else (key,))
        if self.many:
            return [row[0] for row in cursor] or default
        row = cursor.fetchone()
        return default if row is None else row[0]

    def __contains__(self, key: object) -> bool:
        return self.get(key) is not None

    def __getitem__(self, key: Any) -> Any:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def setdefault(self, key: Any, default: Any = None) -> Any:
        return self.get(key, default)

    def __setitem__(self, key: Any, value: Any) -> None:
        pass  # the row is in the database already

    def __delitem__(self, key: Any) -> None:
        pass

    def __iter__(self) -> Iterator[Any]:
        raise TypeError("an indexed look-up is not listed: load the cache (IdentityCache.load) to list it")

    def __len__(self) -> int:
        raise TypeError("an indexed look-up is not counted")


class IndexedFuzzyIndex:
    """kb.dedupe's index (folded family name of a work's first author, else first editor
    -> [(id, year, title key)]) answered by indexed queries for one family at a time:
    the people with that family key (or corporate name), then the works they come first in."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def get(self, family: str | None, default: Any = None) -> list[tuple[int, int | None, str]]:
        if family is None:
            rows = self.conn.execute(
                "SELECT a.id, a.year, a.title_key FROM articles a INDEXED BY idx_articles_title_key "
                "WHERE a.title_key IS NOT NULL AND NOT EXISTS (SELECT 1 FROM article_authors x "
                "WHERE x.article_id = a.id AND x.role IN ('author', 'editor') AND x.position = 0) ORDER BY a.id"
            ).fetchall()
            return rows or default or []
        people = [
            author_id
            for author_id, name in self.conn.execute(
                "SELECT id, coalesce(family, name) FROM authors WHERE family_key = ? OR name_key IN (?, ?)",
                (family, "org:" + family, "|" + family),
            )
            if fold(name or "") == family
        ]
        if not people:
            return default or []
        rows = self.conn.execute(
            "SELECT a.id, a.year, a.title_key FROM article_authors aa JOIN articles a ON a.id = aa.article_id "
            f"WHERE aa.author_id IN ({', '.join('?' for _ in people)}) AND aa.position = 0 AND a.title_key IS NOT NULL "
            "AND (aa.role = 'author' OR (aa.role = 'editor' AND NOT EXISTS (SELECT 1 FROM article_authors x "
            "WHERE x.article_id = a.id AND x.role = 'author' AND x.position = 0))) ORDER BY a.id",
            people,
        ).fetchall()
        return rows or default or []

    def near(self, family: str | None, year: int | None) -> list[tuple[int, str]]:
        """As `dedupe.FuzzyIndex.near`: the works by `family` with a year within one of `year`, or none."""
        return [
            (article_id, title)
            for article_id, other_year, title in self.get(family)
            if not (year and other_year and abs(other_year - year) > 1)
        ]


@dataclass
class IdentityCache:
    citekey: MutableMapping[str, int] = field(default_factory=dict)
    doi_key: MutableMapping[str, int] = field(default_factory=dict)  # the first work with it
    url_key: MutableMapping[str, int] = field(default_factory=dict)
    isbn_key: MutableMapping[str, int] = field(default_factory=dict)
    title_key: MutableMapping[str, list[int]] = field(default_factory=dict)  # every work with it
    author: MutableMapping[str, int] = field(default_factory=dict)  # kb.names.name_key -> authors.id
    # A name's parts (literal, family, given, particles) -> authors.id: the same person
    # recurs across a bibliography, and parts are cheaper to compare than to fold.
    author_parts: dict[tuple[Any, ...], int] = field(default_factory=dict)
    tag: MutableMapping[str, int] = field(default_factory=dict)  # name as written -> tags.id
    # Read at first use (None until then):
    organisation: dict[str, int] | None = None  # kb.lookup keys of names, acronyms, aliases
    event: dict[str, int] | None = None
    source: MutableMapping[tuple[str, str], int] | None = None  # (import file, record key) -> work
    aliases: dict[str, int] | None = None  # citekeys of works merged by hand -> the work kept
    fuzzy: dedupe.FuzzyIndex | None = None  # first author -> [(id, year, title key)]
    import_format: dict[int, str | None] = field(default_factory=dict)
    # Work id -> what the identity rules compare of it (kb.identity_rules.Facts), read at
    # first use; a loaded cache only (an import), dropped for a work the store rewrites.
    facts: dict[int, identity_rules.Facts] = field(default_factory=dict)
    indexed: bool = False  # look-ups are queries (`indexed()`), not dictionaries read once

    @classmethod
    def load(cls, conn: sqlite3.Connection) -> IdentityCache:
        cache = cls()
        columns = ("citekey", "doi_key", "url_key", "isbn_key", "title_key")
        for row in conn.execute("SELECT id, citekey, doi_key, url_key, isbn_key, title_key FROM articles"):
            cache.index_work(row[0], dict(zip(columns, row[1:])))
        cache.author = dict(conn.execute("SELECT name_key, id FROM authors").fetchall())
        cache.tag = dict(conn.execute("SELECT name, id FROM tags").fetchall())
        return cache

    @classmethod
    def indexed_on(cls, conn: sqlite3.Connection) -> IdentityCache:
        """The same look-ups, each one query on an indexed column (a command saving a few records)."""
        first = "SELECT id FROM articles WHERE {} = ? ORDER BY id LIMIT 1"
        return cls(
            citekey=IndexedLookup(conn, "SELECT id FROM articles WHERE citekey = ?"),
            doi_key=IndexedLookup(conn, first.format("doi_key")),
            url_key=IndexedLookup(conn, first.format("url_key")),
            isbn_key=IndexedLookup(conn, first.format("isbn_key")),
            title_key=IndexedLookup(conn, "SELECT id FROM articles WHERE title_key = ? ORDER BY id", many=True),
            author=IndexedLookup(conn, "SELECT id FROM authors WHERE name_key = ?"),
            tag=IndexedLookup(conn, "SELECT id FROM tags WHERE name = ?"),
            # The last import of the file that had a record with this key (as `Imports._provenance` loads it).
            source=IndexedLookup(
                conn,
                "SELECT s.article_id FROM imports i JOIN article_sources s ON s.import_id = i.id "
                "WHERE i.file = ? AND s.source_key = ? ORDER BY s.import_id DESC LIMIT 1",
            ),
            indexed=True,
        )

    def by_identifier(self, column: str) -> dict[str, int]:
        """The index of one identifier column: citekey, doi_key, url_key or isbn_key."""
        if column != "citekey" and column not in WORK_IDENTIFIERS:
            raise ValueError(column)
        return getattr(self, column)

    def index_work(self, article_id: int, keys: dict[str, Any]) -> None:
        """Know a work by the identifiers in `keys` (a row of `articles`, or part of one)."""
        self.citekey[keys["citekey"]] = article_id
        for column in WORK_IDENTIFIERS:
            if keys.get(column):
                getattr(self, column).setdefault(keys[column], article_id)
        if keys.get("title_key"):
            self.title_key.setdefault(keys["title_key"], []).append(article_id)

    def fuzzy_index(self, conn: sqlite3.Connection) -> dedupe.FuzzyIndex:
        if self.indexed:
            return IndexedFuzzyIndex(conn)  # type: ignore[return-value]  # the same .get() and .near()
        if self.fuzzy is None:
            self.fuzzy = dedupe.build_index(conn)
        return self.fuzzy


class Identity(StoreState):
    """The identity-cache part of `kb.store.Store`."""

    @property
    def caches(self) -> IdentityCache:
        """Loaded whole for an import (`identity_read_whole`), else answered by indexed queries."""
        if self._caches is None:
            if self._identity_whole or self._bulk is not None:
                self._caches = IdentityCache.load(self.conn)
            else:
                self._caches = IdentityCache.indexed_on(self.conn)
        return self._caches

    @contextmanager
    def identity_read_whole(self) -> Iterator[None]:
        """For a command that saves many records (an import): read every identifier once
        and answer look-ups from memory, instead of a query a look-up."""
        if self._identity_whole:
            yield
            return
        self._identity_whole = True
        self._caches = None
        try:
            yield
        finally:
            self._identity_whole = False  # the cache read stays right: the store kept it so
