"""The identity cache: what the store looks records up by, read once a command.

A command reads the identifiers of every work (citekey, DOI, URL, ISBN and title keys),
every person's name key and every tag once, then answers look-ups from dictionaries.
Indexes few commands need (organisation and event names, the fuzzy duplicate index of
kb.dedupe, import provenance, citekey aliases) are read at their first use. The store
drops the whole cache (`Store._caches = None`) whenever rows it describes may have been
undone or rewritten (a savepoint's rollback, a merge, an edit) and reads it again.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from .. import dedupe
from .state import StoreState

# The identifiers a work is found by: the columns of `articles` that name one work.
WORK_IDENTIFIERS = ("doi_key", "url_key", "isbn_key")


@dataclass
class IdentityCache:
    citekey: dict[str, int] = field(default_factory=dict)
    doi_key: dict[str, int] = field(default_factory=dict)  # the first work with it
    url_key: dict[str, int] = field(default_factory=dict)
    isbn_key: dict[str, int] = field(default_factory=dict)
    title_key: dict[str, list[int]] = field(default_factory=dict)  # every work with it
    author: dict[str, int] = field(default_factory=dict)  # kb.names.name_key -> authors.id
    # A name's parts (literal, family, given, particles) -> authors.id: the same person
    # recurs across a bibliography, and parts are cheaper to compare than to fold.
    author_parts: dict[tuple[Any, ...], int] = field(default_factory=dict)
    tag: dict[str, int] = field(default_factory=dict)  # name as written -> tags.id
    # Read at first use (None until then):
    organisation: dict[str, int] | None = None  # kb.lookup keys of names, acronyms, aliases
    event: dict[str, int] | None = None
    source: dict[tuple[str, str], int] | None = None  # (import file, record key) -> work
    aliases: dict[str, int] | None = None  # citekeys of works merged by hand -> the work kept
    fuzzy: dedupe.FuzzyIndex | None = None  # first author -> [(id, year, title key)]
    import_format: dict[int, str | None] = field(default_factory=dict)

    @classmethod
    def load(cls, conn: sqlite3.Connection) -> IdentityCache:
        cache = cls()
        columns = ("citekey", "doi_key", "url_key", "isbn_key", "title_key")
        for row in conn.execute("SELECT id, citekey, doi_key, url_key, isbn_key, title_key FROM articles"):
            cache.index_work(row[0], dict(zip(columns, row[1:])))
        cache.author = dict(conn.execute("SELECT name_key, id FROM authors").fetchall())
        cache.tag = dict(conn.execute("SELECT name, id FROM tags").fetchall())
        return cache

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
        if self.fuzzy is None:
            self.fuzzy = dedupe.build_index(conn)
        return self.fuzzy


class Identity(StoreState):
    """The identity-cache part of `kb.store.Store`."""

    @property
    def caches(self) -> IdentityCache:
        if self._caches is None:
            self._caches = IdentityCache.load(self.conn)
        return self._caches
