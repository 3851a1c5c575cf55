"""The filters shared by `kb export`, `kb ref`, the Python API and the Datasette renderers.

A `WorkFilter` names works the way a researcher thinks of them (a tag, an author, an
organisation, an event, a type, a year range, who added them and since when, full text,
works by citekey, DOI or URL, what a work cites or is cited by, and a read-only SQL condition for anything
else). `select_work_ids` turns it into the ids of the matching works, always ordered by
citekey so that an export of the same works gives the same bytes.

Conditions combine with AND; the values of one repeatable condition combine with OR
(`--type report --type book` is reports or books, `--tag a --tag b` is works tagged a
or b). A filter that names something the knowledge base does not hold (a tag, an
author, a work) is a mistake, not an empty result: it raises KbError saying so, with
the closest names. Names and work identifiers are resolved by kb.lookup, the rule the
store and the Datasette filters use too.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field, fields
from typing import Any

from .dates import parse_partial_date
from .errors import KbError
from .lookup import require_named, require_work
from .model import CSL_TYPES
from .time_limits import stoppable, where_time_limit

_YEAR_RANGE = re.compile(r"^\s*(\d{1,4})?\s*(?:(\.\.)\s*(\d{1,4})?)?\s*$")


@dataclass
class WorkFilter:
    """Which works to select. Empty lists and None mean "any"."""

    tags: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    year: str | None = None
    added_since: str | None = None
    added_by: list[str] = field(default_factory=list)
    search: str | None = None
    keys: list[str] = field(default_factory=list)
    citing: str | None = None
    cited_by: str | None = None
    where: str | None = None
    ids: list[int] | None = None  # already chosen works (the Datasette renderers pass these)

    @classmethod
    def from_options(cls, **options: Any) -> WorkFilter:
        """A filter from keyword options; single values become one-element lists."""
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for name, value in options.items():
            if name not in known:
                raise KbError(f"unknown filter {name!r} (one of {', '.join(known)})")
            if value in (None, (), []):
                continue
            is_list = known[name].default_factory is list or name == "ids"
            if is_list and isinstance(value, (str, int)):
                value = [value]
            values[name] = list(value) if isinstance(value, (list, tuple, set)) else value
        return cls(**values)

    def is_empty(self) -> bool:
        """No condition at all: every work."""
        return all(getattr(self, f.name) in (None, []) for f in fields(self))


def parse_year_range(text: str) -> tuple[int | None, int | None]:
    """ "2008..2010", "2008", "2008..", "..2010" -> (first, last) years, inclusive."""
    match = _YEAR_RANGE.match(text or "")
    if not match or not (match.group(1) or match.group(3)):
        raise KbError(f"--year: cannot read {text!r} (write 2008, 2008..2010, 2008.. or ..2010)")
    first = int(match.group(1)) if match.group(1) else None
    last = int(match.group(3)) if match.group(3) else None
    if not match.group(2):
        last = first
    if first is not None and last is not None and last < first:
        raise KbError(f"--year: the range {text!r} ends before it starts")
    return first, last


def escape_fts(query: str) -> str:
    """Each word of a search as a quoted FTS5 term, the way Datasette's `_search` does,
    so a search gives the same works on the command line and in the browser."""
    from datasette.utils import escape_fts as datasette_escape_fts

    return datasette_escape_fts(query)


def select_work_ids(conn: sqlite3.Connection, work_filter: WorkFilter | None = None) -> list[int]:
    """The ids of the works the filter selects, ordered by citekey."""
    work_filter = work_filter or WorkFilter()
    clauses: list[str] = []
    params: list[Any] = []

    def add(clause: str, *values: Any) -> None:
        clauses.append(clause)
        params.extend(values)

    if work_filter.ids is not None:
        ids = sorted({int(i) for i in work_filter.ids})
        add("id IN (SELECT value FROM json_each(?))", _json_list(ids))
    if work_filter.keys:
        add(
            "id IN (SELECT value FROM json_each(?))",
            _json_list([require_work(conn, key, "--key") for key in work_filter.keys]),
        )
    for kind, names, link_table, column in (
        ("tag", work_filter.tags, "article_tags", "tag_id"),
        ("author", work_filter.authors, "article_authors", "author_id"),
        ("organisation", work_filter.organisations, "article_organisations", "organisation_id"),
        ("event", work_filter.events, "article_events", "event_id"),
    ):
        if names:
            ids = [i for name in names for i in require_named(conn, kind, name, f"--{kind}")]
            add(
                f"id IN (SELECT article_id FROM {link_table} WHERE {column} IN (SELECT value FROM json_each(?)))",
                _json_list(ids),
            )
    if work_filter.types:
        for work_type in work_filter.types:
            if work_type not in CSL_TYPES:
                raise KbError(
                    f"--type: unknown work type {work_type!r} (a CSL type such as article-journal, book, report, post-weblog)"
                )
        add("type IN (SELECT value FROM json_each(?))", _json_list(work_filter.types))
    if work_filter.year:
        first, last = parse_year_range(work_filter.year)
        if first is not None:
            add("year >= ?", first)
        if last is not None:
            add("year <= ?", last)
    if work_filter.added_since:
        try:
            since = parse_partial_date(work_filter.added_since).start
        except KbError as exc:
            raise KbError(f"--added-since: {exc.message}") from None
        add("added_at >= ?", since)
    if work_filter.added_by:
        add("added_by IN (SELECT value FROM json_each(?))", _json_list(work_filter.added_by))
    if work_filter.search:
        add("id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)", escape_fts(work_filter.search))
    if work_filter.citing:
        cited = require_work(conn, work_filter.citing, "--citing")
        add("id IN (SELECT citing_id FROM citations WHERE cited_id = ?)", cited)
    if work_filter.cited_by:
        citing = require_work(conn, work_filter.cited_by, "--cited-by")
        add("id IN (SELECT cited_id FROM citations WHERE citing_id = ?)", citing)
    if work_filter.where:
        add("id IN (SELECT value FROM json_each(?))", _json_list(where_ids(conn, work_filter.where)))
    sql = "SELECT id FROM articles" + (" WHERE " + " AND ".join(clauses) if clauses else "") + " ORDER BY citekey"
    try:
        return [row[0] for row in conn.execute(sql, params)]
    except sqlite3.OperationalError as exc:  # an FTS query the escaping could not save
        if "interrupted" in str(exc):
            raise  # a time limit stopped it: the caller answers with its time-limit message
        raise KbError(f"cannot run this filter: {exc}") from None


def _json_list(values: list[Any]) -> str:
    import json

    return json.dumps(values)


# What a --where condition may do: read tables and call functions. Anything else
# (a write, a PRAGMA, ATTACH) is refused by SQLite itself before the statement runs.
_READ_ACTIONS = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION}


def _read_only_authorizer(action: int, *args: Any) -> int:
    return sqlite3.SQLITE_OK if action in _READ_ACTIONS else sqlite3.SQLITE_DENY


def where_ids(conn: sqlite3.Connection, where: str) -> list[int]:
    """The ids of works matching a user's SQL condition over `articles` columns, run with
    an authorizer that allows reading only; a condition that writes or does not parse
    fails with a one-line KbError."""
    sql = f"SELECT id FROM articles WHERE ({where})"
    conn.set_authorizer(_read_only_authorizer)
    try:
        with stoppable(conn, where_time_limit()) as stop:  # a time limit, and Ctrl-C works
            try:
                return [row[0] for row in conn.execute(sql)]
            except sqlite3.OperationalError:
                if stop.reason:
                    raise KbError(f"--where {where!r}: {stop.reason}") from None
                raise
    except sqlite3.DatabaseError as exc:
        reason = "it may only read (a condition over articles columns)" if "not authorized" in str(exc) else str(exc)
        raise KbError(f"--where {where!r}: {reason}") from None
    except (sqlite3.Warning, sqlite3.ProgrammingError) as exc:  # e.g. a second statement after ';'
        raise KbError(f"--where {where!r}: {exc}") from None
    finally:
        conn.set_authorizer(None)
