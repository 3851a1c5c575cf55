"""History and undo: what every write command changed, for `kb log` and `kb undo`.

Recording. `Store.transaction()` opens a `history_commands` row after BEGIN
(`begin_command`) and closes it before COMMIT (`end_command`, which drops it again
when the command changed nothing). Rows are recorded by TEMP triggers on every kb
data table, made on the store's own connection from the live schema: every writer
that goes through a store transaction is recorded without doing anything itself
(tables a later migration adds too), and FK cascades are recorded like any delete.
The triggers write only while the temp table `kb_current_command` holds a command
id, so a write made outside a kb command (or by another program) is never attributed
to one. A delete keeps the old row in `before_json`, an update the row before and
after; an insert keeps only the new row's key, references and name (`after_json`).
An import records its new rows in bulk at its end (`inserts_recorded_at_end`), as it
already indexes them for full-text search. Rows are found again by their primary
key (a join table's rowid can change: VACUUM, a row put back by an undo).

Undo. `undo` reverts one command inside a new command: each of its changes is
inverted in reverse order (insert -> delete, delete -> insert the old row, update ->
the old values), with foreign keys checked at the end. It is refused, leaving the
database as it was, when:

- a row the command changed is no longer as the command left it (a later command
  changed it: that command is named, and has to be undone first);
- the inverse would change rows the command never touched (a note added later to
  a work the command added would go with it by cascade);
- a constraint fails (a citekey the command freed was taken since) or a row added
  later refers to a row the undo would remove.

An undo is a command like any other (`undoes_id` names the command it reverted), so
undoing it redoes the command. `kb undo` with no number reverts the newest command
that is in effect and is not itself an undo: repeated, it steps further back.
"""

from __future__ import annotations

import contextvars
import json
import shlex
import sqlite3
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import KbError

# Never recorded: the history itself, and formatted references (a cache exports refill).
UNRECORDED_TABLES = frozenset({"history_commands", "history_changes", "reference_cache"})
TRIGGER_PREFIX = "kb_history_"
ACTIONS = ("insert", "update", "delete")
# SQLite allows 127 arguments a function: json_object gets at most this many columns.
_JSON_OBJECT_COLUMNS = 60
# Columns that name a row for a person: kept with an inserted row, shown by `kb log`.
LABEL_COLUMNS = ("citekey", "name", "alias", "comment", "file")

# What the user typed ("kb import refs.bib --tag x"), set by the kb command group.
COMMAND: contextvars.ContextVar[str | None] = contextvars.ContextVar("kb_command", default=None)


def command_text() -> str:
    """The command being run, as the user typed it; a script's own command line otherwise."""
    text = COMMAND.get()
    if text:
        return text
    return shlex.join([Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python", *sys.argv[1:]])


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# -- the shape of the recorded tables ------------------------------------------------


@dataclass(frozen=True)
class TableShape:
    """A recorded table: its columns and the columns that find one of its rows."""

    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]  # the INTEGER PRIMARY KEY, the declared primary key, or ("rowid",)
    references: tuple[str, ...] = ()  # columns with a foreign key
    rowid_keyed: bool = True  # the key is the rowid (an INTEGER PRIMARY KEY, or none declared)

    @property
    def json_columns(self) -> tuple[str, ...]:
        """The columns a deleted or updated row keeps: all (and the rowid, without a primary key)."""
        return self.columns if self.key != ("rowid",) else ("rowid", *self.columns)

    @property
    def insert_columns(self) -> tuple[str, ...]:
        """The columns an inserted row keeps: what finds it, what it refers to, what names it.

        Undoing an insert needs only the key; whole rows (a work's CSL-JSON) would
        double the size of a knowledge base on its first import. The values a row had
        when a later command changed it are in that command's `before`.
        """
        keep = {*self.key, *self.references, *LABEL_COLUMNS}
        return tuple(c for c in self.json_columns if c in keep)

    def key_of(self, values: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(values.get(column) for column in self.key)

    def where(self, values: dict[str, Any]) -> tuple[str, list[Any]]:
        return " AND ".join(f"{quote(c)} IS ?" for c in self.key), [values.get(c) for c in self.key]


def recorded_tables(conn) -> dict[str, TableShape]:
    """Every kb data table of the main schema, with its columns and key."""
    shapes: dict[str, TableShape] = {}
    for _schema, name, kind, *_rest in conn.execute("PRAGMA main.table_list"):
        if kind != "table" or name.startswith("sqlite_") or name in UNRECORDED_TABLES:
            continue  # virtual (FTS) and shadow tables are derived; the history is not history
        info = conn.execute(f"PRAGMA main.table_info({quote(name)})").fetchall()
        columns = tuple(row[1] for row in info)
        pk = [row[1] for row in sorted((r for r in info if r[5]), key=lambda r: r[5])]
        rowid_alias = len(pk) == 1 and next(r[2] for r in info if r[1] == pk[0]).upper() == "INTEGER"
        key = tuple(pk) or ("rowid",)
        references = tuple(dict.fromkeys(fk[3] for fk in conn.execute(f"PRAGMA main.foreign_key_list({quote(name)})")))
        shapes[name] = TableShape(name, columns, key, references, rowid_alias or key == ("rowid",))
    return shapes


def _json_row(shape: TableShape, prefix: str, columns: tuple[str, ...] | None = None) -> str:
    columns = columns or shape.json_columns
    chunks = [columns[i : i + _JSON_OBJECT_COLUMNS] for i in range(0, len(columns), _JSON_OBJECT_COLUMNS)]
    expression = "json_object(" + ", ".join(f"'{c}', {prefix}.{quote(c)}" for c in chunks[0]) + ")"
    for chunk in chunks[1:]:  # json_insert keeps NULLs (json_patch would drop them)
        expression = f"json_insert({expression}, " + ", ".join(f"'$.\"{c}\"', {prefix}.{quote(c)}" for c in chunk) + ")"
    return expression


def trigger_sql(shape: TableShape) -> dict[str, str]:
    """The three TEMP triggers that record one table's changes, by trigger name."""
    table = quote(shape.name)
    name = shape.name.replace('"', "")
    record = (
        "INSERT INTO history_changes (command_id, table_name, row_id, action, before_json, after_json) "
        "SELECT command_id, '{table}', {rowid}, '{action}', {before}, {after} FROM kb_current_command;"
    )
    changed = " OR ".join(f"old.{quote(c)} IS NOT new.{quote(c)}" for c in shape.columns)
    sql = {}
    for action, rowid, before, after, when in (
        ("insert", "new.rowid", "NULL", _json_row(shape, "new", shape.insert_columns), ""),
        ("update", "new.rowid", _json_row(shape, "old"), _json_row(shape, "new"), f" WHEN {changed}"),
        ("delete", "old.rowid", _json_row(shape, "old"), "NULL", ""),
    ):
        trigger = quote(f"{TRIGGER_PREFIX}{name}_{action}")
        body = record.format(
            table=shape.name.replace("'", "''"), rowid=rowid, action=action, before=before, after=after
        )
        sql[f"{TRIGGER_PREFIX}{name}_{action}"] = (
            f"CREATE TEMP TRIGGER {trigger} AFTER {action.upper()} ON main.{table}{when} BEGIN {body} END"
        )
    return sql


def ensure_recording(conn) -> None:
    """Make (or remake) this connection's recording triggers for the current schema."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS kb_current_command (command_id INTEGER NOT NULL)")
    # REPLACE deletes the row it replaces: record that delete too.
    conn.execute("PRAGMA recursive_triggers = ON")
    wanted: dict[str, str] = {}
    for shape in recorded_tables(conn).values():
        wanted.update(trigger_sql(shape))
    existing = dict(
        conn.execute(
            "SELECT name, sql FROM sqlite_temp_master WHERE type = 'trigger' AND name LIKE ?", (TRIGGER_PREFIX + "%",)
        )
    )
    # SQLite keeps a temp trigger's SQL as "CREATE TRIGGER ...".
    stored = {name: sql.replace("CREATE TEMP TRIGGER", "CREATE TRIGGER", 1) for name, sql in wanted.items()}
    for name, sql in existing.items():
        if stored.get(name) != sql:
            conn.execute(f"DROP TRIGGER temp.{quote(name)}")
    for name, sql in wanted.items():
        if existing.get(name) != stored[name]:
            conn.execute(sql)


def _parents_first(shapes: dict[str, TableShape], conn) -> list[TableShape]:
    """The tables in an order where a table comes after the tables it refers to."""
    refers = {
        name: {fk[2] for fk in conn.execute(f"PRAGMA foreign_key_list({quote(name)})")} - {name} for name in shapes
    }
    ordered: list[str] = []
    while len(ordered) < len(shapes):
        ready = [
            n
            for n in shapes
            if n not in ordered and refers[n] <= {*ordered, *(r for r in refers[n] if r not in shapes)}
        ]
        ordered += sorted(ready) or sorted(n for n in shapes if n not in ordered)  # a cycle: any order
    return [shapes[n] for n in ordered]


@contextmanager
def inserts_recorded_at_end(conn) -> Iterator[None]:
    """Within a command: record the rows added meanwhile in one statement a table at the end.

    Any trigger makes SQLite keep a statement journal for every row written: recording
    an import row by row tripled the time its inserts took. So the insert triggers are
    suspended (inside the transaction: a rollback puts them back), and the rows with a
    rowid above each table's largest when the block began are recorded as inserted,
    with their values at the end; updates and deletes of those rows in between are part
    of their making and are dropped. Rows added in the block must get new rowids (no
    explicit rowid below a table's largest), as every kb importer does.
    """
    command_id = current_command(conn)
    if command_id is None:
        yield
        return
    shapes = _parents_first(recorded_tables(conn), conn)
    marks = {
        shape.name: conn.execute(f"SELECT coalesce(max(rowid), 0) FROM {quote(shape.name)}").fetchone()[0]
        for shape in shapes
    }
    start = conn.execute("SELECT coalesce(max(id), 0) FROM history_changes").fetchone()[0]
    for shape in shapes:
        conn.execute(f"DROP TRIGGER IF EXISTS temp.{quote(TRIGGER_PREFIX + shape.name + '_insert')}")
    yield
    # Only the rows written in the block are looked at (the rowid range), before any is added.
    conn.execute(
        "DELETE FROM history_changes WHERE +id > ? AND rowid > ? AND command_id = ? AND "
        "row_id > (SELECT value FROM json_each(?) WHERE key = table_name)",
        (start, start, command_id, json.dumps(marks)),
    )
    for shape in shapes:
        name, mark = shape.name, marks[shape.name]
        conn.execute(
            f"INSERT INTO history_changes (command_id, table_name, row_id, action, after_json) "
            f"SELECT ?, ?, r.rowid, 'insert', {_json_row(shape, 'r', shape.insert_columns)} "
            f"FROM {quote(name)} AS r WHERE r.rowid > ? ORDER BY r.rowid",
            (command_id, name, mark),
        )
    ensure_recording(conn)


def begin_command(conn, user: str | None, at: str) -> int:
    """Open the history row of the command that starts (inside its transaction)."""
    ensure_recording(conn)
    command_id = conn.execute(
        "INSERT INTO history_commands (command, user, at) VALUES (?, ?, ?)", (command_text(), user, at)
    ).lastrowid
    conn.execute("DELETE FROM kb_current_command")
    conn.execute("INSERT INTO kb_current_command (command_id) VALUES (?)", (command_id,))
    return command_id


def end_command(conn, command_id: int) -> None:
    """Stop recording; a command that changed nothing leaves no history."""
    conn.execute("DELETE FROM kb_current_command")
    if conn.execute("SELECT 1 FROM history_changes WHERE command_id = ? LIMIT 1", (command_id,)).fetchone() is None:
        conn.execute("DELETE FROM history_commands WHERE id = ?", (command_id,))


def current_command(conn) -> int | None:
    """The command being recorded on this connection, if any."""
    try:
        row = conn.execute("SELECT command_id FROM kb_current_command").fetchone()
    except sqlite3.OperationalError:  # no command was ever recorded on this connection
        return None
    return row[0] if row else None


# -- reading the history ----------------------------------------------------------------


@dataclass
class Command:
    id: int
    command: str
    user: str | None
    at: str
    undoes_id: int | None
    undone_by_id: int | None
    counts: dict[str, Counter] = field(default_factory=dict)  # table -> action -> rows

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "command": self.command,
            "user": self.user,
            "at": self.at,
            "undoes": self.undoes_id,
            "undone_by": self.undone_by_id,
            "changes": {t: dict(c) for t, c in sorted(self.counts.items())},
        }


@dataclass
class Change:
    id: int
    command_id: int
    table: str
    row_id: int
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @property
    def values(self) -> dict[str, Any]:
        return self.after if self.after is not None else self.before or {}

    def as_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "row_id": self.row_id,
            "action": self.action,
            "before": self.before,
            "after": self.after,
        }


_COMMAND_COLUMNS = "id, command, user, at, undoes_id, undone_by_id"


def get_command(conn, command_id: int) -> Command:
    row = conn.execute(f"SELECT {_COMMAND_COLUMNS} FROM history_commands WHERE id = ?", (command_id,)).fetchone()
    if row is None:
        raise KbError(f"no command #{command_id} in the history (see `kb log`)")
    command = Command(*row)
    _add_counts(conn, [command])
    return command


def list_commands(conn, ids: Iterable[int] | None = None, limit: int | None = None) -> list[Command]:
    """Commands newest first: all of them, or those in `ids`."""
    sql = f"SELECT {_COMMAND_COLUMNS} FROM history_commands"
    params: list[Any] = []
    if ids is not None:
        sql += " WHERE id IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(sorted(set(ids))))
    sql += " ORDER BY id DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    commands = [Command(*row) for row in conn.execute(sql, params)]
    _add_counts(conn, commands)
    return commands


def _add_counts(conn, commands: list[Command]) -> None:
    by_id = {c.id: c for c in commands}
    if not by_id:
        return
    for command_id, table, action, count in conn.execute(
        "SELECT command_id, table_name, action, count(*) FROM history_changes "
        "WHERE command_id IN (SELECT value FROM json_each(?)) GROUP BY command_id, table_name, action",
        (json.dumps(list(by_id)),),
    ):
        by_id[command_id].counts.setdefault(table, Counter())[action] = count


def changes_of(conn, command_id: int) -> list[Change]:
    return [
        Change(i, c, t, r, a, json.loads(b) if b else None, json.loads(af) if af else None)
        for i, c, t, r, a, b, af in conn.execute(
            "SELECT id, command_id, table_name, row_id, action, before_json, after_json FROM history_changes "
            "WHERE command_id = ? ORDER BY id",
            (command_id,),
        )
    ]


def in_effect(commands: dict[int, tuple[int | None, int | None]], command_id: int) -> bool:
    """Whether a command's changes stand: it was never undone, or its undo was undone."""
    seen = set()
    undone_by = commands[command_id][1]
    effective = True
    while undone_by is not None and undone_by not in seen:  # an undo's undo's ...
        seen.add(undone_by)
        effective = not effective
        undone_by = commands.get(undone_by, (None, None))[1]
    return effective


def _undo_map(conn) -> dict[int, tuple[int | None, int | None]]:
    return {i: (u, b) for i, u, b in conn.execute("SELECT id, undoes_id, undone_by_id FROM history_commands")}


def commands_touching(conn, table: str, row_id: int, by_column: dict[str, str] | None = None) -> list[int]:
    """The commands that changed a record: its own row and the rows that refer to it.

    `by_column` maps a referring table to its column naming the record (citations:
    both). A rowid can be used again once its row is gone (an undone `kb add`): the
    history shown starts at the insert that made the record as it is now.
    """
    ids = {
        c
        for (c,) in conn.execute(
            "SELECT DISTINCT command_id FROM history_changes WHERE table_name = ? AND row_id = ?", (table, row_id)
        )
    }
    for referring, columns in (by_column or {}).items():
        tests = " OR ".join(
            f"json_extract(after_json, '$.{c}') = :id OR json_extract(before_json, '$.{c}') = :id"
            for c in columns.split(",")
        )
        ids |= {
            c
            for (c,) in conn.execute(
                f"SELECT DISTINCT command_id FROM history_changes WHERE table_name = :t AND ({tests})",
                {"t": referring, "id": row_id},
            )
        }
    undo_map = _undo_map(conn)
    made = [
        c
        for (c,) in conn.execute(
            "SELECT command_id FROM history_changes WHERE table_name = ? AND row_id = ? AND action = 'insert' ORDER BY id DESC",
            (table, row_id),
        )
        if undo_map[c][0] is None and in_effect(undo_map, c)
    ]
    if made:
        ids = {c for c in ids if c >= made[0]}
    return sorted(ids, reverse=True)


def referring_columns(conn, table: str) -> dict[str, str]:
    """Recorded tables with a foreign key to `table`: table -> its columns, comma-joined."""
    found: dict[str, list[str]] = {}
    for name in recorded_tables(conn):
        for fk in conn.execute(f"PRAGMA foreign_key_list({quote(name)})"):
            if fk[2] == table:
                found.setdefault(name, []).append(fk[3])
    return {name: ",".join(columns) for name, columns in found.items()}


def commands_by_value(conn, table: str, column: str, value: str) -> list[int]:
    """The commands that wrote a row of `table` with `column` = value (a work since removed)."""
    return [
        c
        for (c,) in conn.execute(
            f"SELECT DISTINCT command_id FROM history_changes WHERE table_name = ? AND "
            f"(json_extract(after_json, '$.{column}') = ? OR json_extract(before_json, '$.{column}') = ?) ORDER BY command_id DESC",
            (table, value, value),
        )
    ]


def describe_row(conn, table: str, values: dict[str, Any], row_id: int | None = None) -> str:
    """ "articles 12 (kulhanek2010)": a row named the way a person knows it."""
    label = None
    for column in ("citekey", "name", "alias", "title", "file"):
        if values.get(column):
            label = str(values[column])
            break
    if label is None:
        for column in ("article_id", "citing_id"):
            if values.get(column) is not None:
                row = conn.execute("SELECT citekey FROM articles WHERE id = ?", (values[column],)).fetchone()
                if row:
                    label = f"of {row[0]}"
                break
    ident = row_id if row_id is not None else values.get("id", values.get("rowid"))
    return f"{table}" + (f" {ident}" if ident is not None else "") + (f" ({label})" if label else "")


# -- undo -------------------------------------------------------------------------------


def default_target(conn) -> int:
    """The newest command in effect that is not an undo (`kb undo` without a number)."""
    undo_map = _undo_map(conn)
    current = current_command(conn)
    for command_id in sorted(undo_map, reverse=True):
        if command_id != current and undo_map[command_id][0] is None and in_effect(undo_map, command_id):
            return command_id
    raise KbError("nothing to undo: the history has no command in effect (see `kb log`)")


@dataclass
class UndoResult:
    target: Command
    undo_id: int
    counts: dict[str, Counter]


def undo(store, command_id: int | None = None) -> UndoResult:
    """Revert one command as a new command (inside the store's transaction)."""
    try:
        return _undo(store, command_id)
    except sqlite3.IntegrityError as exc:  # a deferred foreign key the checks did not name, at COMMIT
        raise KbError(
            f"cannot undo #{command_id or 'the last command'}: {exc} (a later command depends on it)"
        ) from None


def _undo(store, command_id: int | None) -> UndoResult:
    conn = store.conn
    with store.transaction():
        undo_id = current_command(conn)
        if undo_id is None:
            raise KbError("undo needs a store that records its history")
        target_id = command_id if command_id is not None else default_target(conn)
        target = get_command(conn, target_id)
        label = f"#{target.id} ({target.command})"
        undo_map = _undo_map(conn)
        if target.id == undo_id or not in_effect(undo_map, target.id):
            raise KbError(
                f"{label} is undone already, by #{target.undone_by_id}; `kb undo {target.undone_by_id}` redoes it"
            )
        changes = changes_of(conn, target.id)
        shapes = recorded_tables(conn)
        _check_rows_as_left(conn, target, changes, shapes, label)
        conn.execute("PRAGMA defer_foreign_keys = ON")
        _revert(conn, changes, shapes, label)
        _check_only_its_rows(conn, target, changes, shapes, undo_id, label)
        _check_foreign_keys(conn, target, undo_id, label)
        conn.execute("UPDATE history_commands SET undoes_id = ? WHERE id = ?", (target.id, undo_id))
        conn.execute("UPDATE history_commands SET undone_by_id = ? WHERE id = ?", (undo_id, target.id))
        counts: dict[str, Counter] = {}
        for table, action, count in conn.execute(
            "SELECT table_name, action, count(*) FROM history_changes WHERE command_id = ? GROUP BY table_name, action",
            (undo_id,),
        ):
            counts.setdefault(table, Counter())[action] = count
    return UndoResult(target, undo_id, counts)


def _shape(shapes: dict[str, TableShape], table: str, label: str) -> TableShape:
    if table not in shapes:
        raise KbError(f"cannot undo {label}: it changed the table {table}, which this knowledge base no longer has")
    return shapes[table]


def _blame(conn, table: str, row_ids: Iterable[int], after: int, undo_id: int | None = None) -> str:
    """The latest command after `after` that changed one of these rows."""
    row_ids = [r for r in row_ids if r is not None]
    row = conn.execute(
        "SELECT c.id, c.command FROM history_changes h JOIN history_commands c ON c.id = h.command_id "
        "WHERE h.table_name = ? AND h.row_id IN (SELECT value FROM json_each(?)) AND h.command_id > ? AND h.command_id IS NOT ? "
        "ORDER BY h.id DESC LIMIT 1",
        (table, json.dumps(row_ids), after, undo_id),
    ).fetchone()
    return f"#{row[0]} ({row[1]})" if row else "a change made outside kb's history"


def _fetch(conn, shape: TableShape, values: dict[str, Any]) -> dict[str, Any] | None:
    where, params = shape.where(values)
    cursor = conn.execute(f"SELECT rowid AS kb_history_rowid_, * FROM {quote(shape.name)} WHERE {where}", params)
    row = cursor.fetchone()
    if row is None:
        return None
    names = [d[0] for d in cursor.description]
    found = dict(zip(names, row))
    found["rowid"] = found.pop("kb_history_rowid_")
    return found


def _check_rows_as_left(
    conn, target: Command, changes: list[Change], shapes: dict[str, TableShape], label: str
) -> None:
    """Every row the command changed must still be as the command left it.

    As it left it: the row after the command's last change of it, or, when a later
    command changed the row, that command's `before` (whole, where an insert keeps
    only some columns); a row a later change put back as it was is fine.
    """
    last: dict[tuple[str, int], Change] = {}
    for change in changes:
        last[(change.table, change.row_id)] = change
    # A row of a table keyed by its declared primary key (article_authors ...) that the
    # command deleted and then wrote again under a new rowid (creators saved anew) is
    # checked once, as the row the command left: not as deleted and found "made again".
    written_again = {
        (t, _shape(shapes, t, label).key_of(c.values))
        for (t, _), c in last.items()
        if c.action != "delete" and not _shape(shapes, t, label).rowid_keyed
    }
    last = {
        (t, r): c
        for (t, r), c in last.items()
        if not (c.action == "delete" and (t, _shape(shapes, t, label).key_of(c.values)) in written_again)
    }
    left_as: dict[tuple[str, int], dict[str, Any] | None] = {}
    for table in {t for t, _ in last}:
        for row_id, _action, before in conn.execute(
            "SELECT row_id, action, before_json FROM history_changes WHERE command_id > ? AND table_name = ? "
            "AND row_id IN (SELECT row_id FROM history_changes WHERE command_id = ? AND table_name = ?) ORDER BY id",
            (target.id, table, target.id, table),
        ):
            if (table, row_id) not in left_as:
                left_as[(table, row_id)] = json.loads(before) if before else None
    current_rows = _current_rows(conn, target, shapes, last)
    for (table, row_id), change in last.items():
        shape = _shape(shapes, table, label)
        if (table, row_id) in left_as:
            expected = left_as[(table, row_id)]
        else:
            expected = None if change.action == "delete" else change.after
        if shape.rowid_keyed:
            current = current_rows.get((table, row_id))
        else:
            current = _fetch(conn, shape, expected if expected is not None else change.values)
        if expected is None and current is None:
            continue
        if (
            expected is not None
            and current is not None
            and all(current.get(c) == v for c, v in expected.items() if c != "rowid")
        ):
            continue
        who = _blame(conn, table, [row_id, (current or {}).get("rowid")], target.id)
        what = "deleted" if current is None else "made again" if expected is None else "changed"
        raise KbError(
            f"cannot undo {label}: {who} {what} {describe_row(conn, table, change.values, row_id)} since; undo that first"
        )


def _current_rows(
    conn, target: Command, shapes: dict[str, TableShape], last: dict[tuple[str, int], Change]
) -> dict[tuple[str, int], dict]:
    """The rows now in the tables keyed by rowid that the command changed, in one query a table."""
    found = {}
    for table in {t for t, _ in last}:
        shape = shapes.get(table)
        if shape is None or not shape.rowid_keyed:
            continue
        cursor = conn.execute(
            f"SELECT rowid AS kb_history_rowid_, * FROM {quote(table)} WHERE rowid IN "
            "(SELECT row_id FROM history_changes WHERE command_id = ? AND table_name = ?)",
            (target.id, table),
        )
        names = [d[0] for d in cursor.description]
        names[0] = "rowid"
        for row in cursor:
            found[(table, row[0])] = dict(zip(names, row))
    return found


def _revert(conn, changes: list[Change], shapes: dict[str, TableShape], label: str) -> None:
    """Apply the inverse of each change, newest first.

    A command that only added rows (an import, mostly) is undone faster: its rows are
    deleted a table at a time, the rows that refer to others first.
    """
    first: dict[tuple[str, int], Change] = {}
    last: dict[tuple[str, int], Change] = {}
    for change in changes:
        first.setdefault((change.table, change.row_id), change)
        last[(change.table, change.row_id)] = change
    if all(change.action == "insert" for change in first.values()):
        added: dict[str, list[Change]] = {}
        for row, change in first.items():
            if last[row].action != "delete":  # made and deleted again: not there to undo
                added.setdefault(change.table, []).append(last[row])
        # The state check found every row as the command left it; a row gone by the time
        # its table's turn comes went by cascade with a row of the command's.
        for table in reversed(list(added)):
            shape, rows = shapes[table], added[table]
            if shape.rowid_keyed:
                conn.execute(
                    f"DELETE FROM {quote(table)} WHERE rowid IN (SELECT value FROM json_each(?))",
                    (json.dumps([c.row_id for c in rows]),),
                )
            else:
                where = " AND ".join(f"{quote(c)} IS ?" for c in shape.key)
                conn.executemany(f"DELETE FROM {quote(table)} WHERE {where}", [shape.key_of(c.after) for c in rows])
        return
    for change in reversed(changes):
        _invert(conn, change, shapes[change.table], label)


def _invert(conn, change: Change, shape: TableShape, label: str) -> None:
    table = quote(shape.name)
    try:
        if change.action == "insert":
            where, params = shape.where(change.after)
            count = conn.execute(f"DELETE FROM {table} WHERE {where}", params).rowcount
        elif change.action == "delete":
            columns = list(change.before)
            conn.execute(
                f"INSERT INTO {table} ({', '.join(map(quote, columns))}) VALUES ({', '.join('?' * len(columns))})",
                [change.before[c] for c in columns],
            )
            count = 1
        else:
            back = {c: v for c, v in change.before.items() if change.after.get(c) != v and c != "rowid"}
            where, params = shape.where(change.after)
            count = (
                1
                if not back
                else conn.execute(
                    f"UPDATE {table} SET {', '.join(f'{quote(c)} = ?' for c in back)} WHERE {where}",
                    [*back.values(), *params],
                ).rowcount
            )
    except sqlite3.IntegrityError as exc:  # a value the command freed is taken again
        raise KbError(
            f"cannot undo {label}: restoring {describe_row(conn, change.table, change.values, change.row_id)} "
            f"fails ({exc}); a later command took its place: change or undo that first"
        ) from None
    if count != 1:
        raise KbError(
            f"cannot undo {label}: {describe_row(conn, change.table, change.values, change.row_id)} is not where "
            f"the history left it (changed outside kb?)"
        )


def _identities(shape: TableShape, change: Change) -> set[tuple[Any, ...]]:
    keys = set()
    for values in (change.before, change.after):
        if values is not None:
            keys.add((shape.name, *shape.key_of(values)))
    return keys


def _check_only_its_rows(
    conn, target: Command, changes: list[Change], shapes: dict[str, TableShape], undo_id: int, label: str
) -> None:
    """The undo may touch only rows the command touched (not, by cascade, rows added since)."""
    strays = conn.execute(
        "SELECT u.id FROM history_changes u WHERE u.command_id = ? AND NOT EXISTS ("
        "SELECT 1 FROM history_changes n WHERE n.command_id = ? AND n.table_name = u.table_name AND n.row_id = u.row_id)",
        (undo_id, target.id),
    ).fetchall()
    if not strays:
        return
    own: set[tuple[Any, ...]] = set()
    for change in changes:
        own |= _identities(shapes[change.table], change)
    for change in changes_of(conn, undo_id):
        shape = shapes.get(change.table)
        if shape is None or _identities(shape, change) <= own:
            continue  # the same row back under a new rowid
        who = _blame(conn, change.table, [change.row_id], target.id, undo_id)
        raise KbError(
            f"cannot undo {label}: it would also {'delete' if change.action == 'delete' else 'change'} "
            f"{describe_row(conn, change.table, change.values, change.row_id)}, which {who} added or changed since; "
            f"undo that first"
        )


def _check_foreign_keys(conn, target: Command, undo_id: int, label: str) -> None:
    """Every reference must hold after the undo: a row added since may refer to a row the
    undo removes, or a row the undo brings back may refer to one removed since."""
    touched = [
        t for (t,) in conn.execute("SELECT DISTINCT table_name FROM history_changes WHERE command_id = ?", (undo_id,))
    ]
    tables = set(touched)
    for name in recorded_tables(conn):
        for fk in conn.execute(f"PRAGMA foreign_key_list({quote(name)})"):
            if fk[2] in touched:
                tables.add(name)
    for table in sorted(tables):
        problem = conn.execute(f"PRAGMA foreign_key_check({quote(table)})").fetchone()
        if problem is None:
            continue
        child, rowid, parent, fk_id = problem
        row = _fetch(conn, TableShape(child, (), ("rowid",)), {"rowid": rowid}) or {}
        row.pop("rowid", None)
        child_text = describe_row(conn, child, row, rowid)
        written_by_undo = conn.execute(
            "SELECT 1 FROM history_changes WHERE command_id = ? AND table_name = ? AND row_id = ?",
            (undo_id, child, rowid),
        ).fetchone()
        if written_by_undo:
            column = next(fk[3] for fk in conn.execute(f"PRAGMA foreign_key_list({quote(child)})") if fk[0] == fk_id)
            who = _blame(conn, parent, [row.get(column)], target.id, undo_id)
            raise KbError(
                f"cannot undo {label}: it would bring back {child_text}, which refers to {parent} "
                f"{row.get(column)}, removed since by {who}; undo that first"
            )
        who = _blame(conn, child, [rowid], target.id, undo_id)
        raise KbError(
            f"cannot undo {label}: {child_text}, written since by {who}, refers to a row of "
            f"{parent} the undo would remove; undo that first"
        )
