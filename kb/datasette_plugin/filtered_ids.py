"""`kb_work_ids(filter)`: the ids of the works a relation filter selects, as a JSON
array, worked out once and kept until the database file changes.

Datasette runs a table page's where clause in every query of the page (the count,
the rows, every facet). A relation filter is a join of link tables; at a million
works the biggest tag and organisation select 87,530 works and that join took
0.2-0.6 s each time. So the filter's where clause is
`id in (select value from json_each(kb_work_ids(:kb_filter)))`: the filter hook works
the id list out once (`remember`, under Datasette's SQL time limit) and every query
of the page (and the next page, and the next facet click) reads it from memory.
`:kb_filter` is the filter as it is in the URL (`_tag=Russia&_organisation=NATO`),
so Datasette's "View and edit SQL" link still runs: for a list it does not hold, the
function works it out inside the calling query (and Datasette's time limit applies:
if it interrupts the function, the function interrupts the calling query too, which
Datasette reports as timed out like any other).

The function is registered on each of Datasette's connections (prepare_connection).
"""

from __future__ import annotations

import sqlite3
import threading
import urllib.parse
from collections import OrderedDict

from datasette.database import QueryInterrupted
from datasette.utils import sqlite_timelimit

from .facet_cache import file_state
from .relations import RELATIONS, Relation

FUNCTION = "kb_work_ids"
MAX_ENTRIES = 32  # an entry is a JSON array: ~0.7 MB for 87,530 ids

_ids: OrderedDict[tuple, str] = OrderedDict()
_lock = threading.Lock()  # Datasette queries from several threads


def filter_text(wanted: list[tuple[Relation, str]]) -> str:
    """The `:kb_filter` parameter: the relation filters as they are in the URL."""
    return urllib.parse.urlencode([(relation.arg, value) for relation, value in wanted])


def parse_filter(text: str) -> list[tuple[Relation, str]]:
    wanted = []
    for key, value in urllib.parse.parse_qsl(text or ""):
        relation = RELATIONS.get(key.removeprefix("_"))
        if relation is None:
            raise ValueError(f"{FUNCTION}: unknown filter {key!r} (use {', '.join(r.arg for r in RELATIONS.values())})")
        wanted.append((relation, value))
    return wanted


def select_ids_json(conn: sqlite3.Connection, wanted: list[tuple[Relation, str]]) -> str:
    """The ids of the works linked to every (relation, name) in `wanted`, as a sorted
    JSON array. Names become target ids; the relation with the fewest links drives
    (one range of its (target_id, article_id) index) and the others are EXISTS probes."""
    if not wanted:
        return "[]"
    conditions = []  # (links, relation, target ids)
    for relation, value in wanted:
        target_ids = relation.target_ids(conn, value)
        marks = ", ".join("?" * len(target_ids)) or "null"
        links = conn.execute(
            f"select count(*) from {relation.link_table} where {relation.link_column} in ({marks})", target_ids
        ).fetchone()[0]
        conditions.append((links, relation, target_ids))
    conditions.sort(key=lambda condition: condition[0])
    (_, driver, driver_ids), probes = conditions[0], conditions[1:]
    params = list(driver_ids)
    sql = (
        f"select distinct d.article_id from {driver.link_table} as d "
        f"where d.{driver.link_column} in ({', '.join('?' * len(driver_ids)) or 'null'})"
    )
    for n, (_, relation, target_ids) in enumerate(probes, start=1):
        sql += (
            f" and exists (select 1 from {relation.link_table} as p{n} where p{n}.{relation.link_column} "
            f"in ({', '.join('?' * len(target_ids)) or 'null'}) and p{n}.article_id = d.article_id)"
        )
        params += target_ids
    # json_group_array builds the list inside SQLite: no Python object per work.
    return conn.execute(f"select json_group_array(article_id) from ({sql} order by d.article_id)", params).fetchone()[0]


def _key(database: str, state: tuple, wanted: list[tuple[Relation, str]]) -> tuple:
    return (database, state, tuple(sorted((relation.name, value) for relation, value in wanted)))


async def remember(datasette, database: str, wanted: list[tuple[Relation, str]]) -> None:
    """Works the id list out for this request's filter, unless it is kept already.

    The file's state is read before the query starts, so the list is never older than
    its key (a write in between only makes it newer, and the next request, seeing the
    new state, works it out again). Raises QueryInterrupted past the SQL time limit."""
    db = datasette.get_database(database)
    key = _key(database, file_state(db), wanted)
    with _lock:
        if key in _ids:
            _ids.move_to_end(key)
            return
    time_limit_ms = datasette.setting("sql_time_limit_ms")

    def compute(conn: sqlite3.Connection) -> str:
        try:
            with sqlite_timelimit(conn, time_limit_ms):
                return select_ids_json(conn, wanted)
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc):
                raise QueryInterrupted(exc, "kb_work_ids", {}) from exc
            raise

    ids = await db.execute_fn(compute)
    with _lock:
        _ids[key] = ids
        while len(_ids) > MAX_ENTRIES:
            _ids.popitem(last=False)


def register(conn: sqlite3.Connection, database: str, datasette) -> None:
    """Adds kb_work_ids(filter) to one of Datasette's connections to `database`."""

    def kb_work_ids(text: str) -> str | None:
        wanted = parse_filter(text)
        key = _key(database, file_state(datasette.get_database(database)), wanted)
        with _lock:
            if key in _ids:
                _ids.move_to_end(key)
                return _ids[key]
        # Not kept (the "View and edit SQL" page, or a write since this request began):
        # work it out within the calling query, which sees the file as it is now.
        try:
            return select_ids_json(conn, wanted)
        except sqlite3.OperationalError as exc:
            if "interrupted" not in str(exc):
                raise
            # Datasette's time limit stopped us: stop the calling query too, so
            # Datasette reports it as timed out rather than as a failed function.
            conn.interrupt()
            return None

    conn.create_function(FUNCTION, 1, kb_work_ids)


def clear() -> None:
    with _lock:
        _ids.clear()
