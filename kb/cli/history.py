"""`kb log` and `kb undo`: the history of write commands, and reverting one (kb/history.py)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import click

from .. import history
from ..errors import KbError
from ..names import name_key, parse_name
from .options import by_option, db_option, open_store

_SIGNS = {"insert": "+", "update": "~", "delete": "-"}


def _counts_text(counts: dict[str, Counter]) -> str:
    parts = []
    for table in sorted(counts, key=lambda t: (t != "articles", t)):
        parts.append(
            f"{table} " + " ".join(f"{_SIGNS[a]}{counts[table][a]}" for a in history.ACTIONS if counts[table].get(a))
        )
    return ", ".join(parts) or "no rows"


def _header(command: history.Command) -> str:
    when = command.at.replace("T", " ").rstrip("Z")
    notes = []
    if command.undoes_id:
        notes.append(f"undoes #{command.undoes_id}")
    if command.undone_by_id:
        notes.append(f"undone by #{command.undone_by_id}")
    return f"#{command.id}  {when}  {command.user or '?'}  {command.command}" + (
        f"  ({'; '.join(notes)})" if notes else ""
    )


def _short(value: Any, width: int = 70) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def _change_text(conn, change: history.Change) -> str:
    row = history.describe_row(conn, change.table, change.values, change.row_id)
    sign = _SIGNS[change.action]
    if change.action == "update":
        diffs = [
            f"{c}: {_short(change.before.get(c), 40)} -> {_short(v, 40)}"
            for c, v in change.after.items()
            if change.before.get(c) != v
        ]
        return f"  {sign} {row}: " + "; ".join(diffs)
    values = {c: v for c, v in change.values.items() if v not in (None, "")}
    return f"  {sign} {row}: " + ", ".join(f"{c}={_short(v, 40)}" for c, v in values.items())


def _record_commands(
    store, key: str | None, org: str | None, event: str | None, person: str | None
) -> list[int] | None:
    """The commands that touched the record named, or None for the whole history."""
    named = [
        (kind, value)
        for kind, value in (("work", key), ("organisation", org), ("event", event), ("person", person))
        if value
    ]
    if not named:
        return None
    if len(named) > 1:
        raise KbError("name one record: a work KEY, --org, --event or --person")
    kind, value = named[0]
    conn = store.conn
    if kind == "work":
        table, row_id = "articles", store.find_work(value)
        if row_id is None:  # removed since, or never there: look for the key in the history
            found = history.commands_by_value(conn, "articles", "citekey", value)
            if not found:
                raise KbError(f"no work with citekey, DOI or URL {value!r}, now or in the history")
            return found
    elif kind == "organisation":
        table, row_id = "organisations", store.require_organisation(value)
    elif kind == "event":
        table, row_id = "events", store.require_event(value)
    else:
        table = "authors"
        row = conn.execute(
            "SELECT id FROM authors WHERE name_key = ?", (name_key(parse_name(value, corporate=False)),)
        ).fetchone()
        if row is None:
            raise KbError(f"no person named {value!r}")
        row_id = row[0]
    return history.commands_touching(conn, table, row_id, history.referring_columns(conn, table))


@click.command("log")
@click.argument("key", required=False)
@click.option("--org", help="The history of an organisation (name, acronym or alias).")
@click.option("--event", help="The history of an event (name or alias).")
@click.option("--person", help="The history of a person.")
@click.option("--show", "show_id", type=int, metavar="N", help="Show every row command N changed, before and after.")
@click.option("--limit", default=20, show_default=True, help="How many commands to list (0: all).")
@click.option("--json", "as_json", is_flag=True, help="JSON for scripts.")
@db_option
def log_command(
    db_path: str,
    key: str | None,
    org: str | None,
    event: str | None,
    person: str | None,
    show_id: int | None,
    limit: int,
    as_json: bool,
) -> None:
    """Show what write commands changed, newest first.

    Each command: its number, when, who, the command as typed and how many rows of
    which tables it added (+), changed (~) and deleted (-). KEY (a work's citekey,
    DOI or URL), --org, --event or --person: only the commands that changed that
    record or its links, notes and citations. --show N: every row command N
    changed, before and after. `kb undo N` reverts a command.

    Example:

    \b
        kb note kulhanekImpossibleDream "Check the date"   # something to log
        kb log
        kb log kulhanekImpossibleDream
        kb log --org NATO --limit 5
        kb log --show 1
    """
    store = open_store(db_path)
    conn = store.conn
    if show_id is not None:
        command = history.get_command(conn, show_id)
        changes = history.changes_of(conn, show_id)
        if as_json:
            click.echo(
                json.dumps({**command.as_dict(), "rows": [c.as_dict() for c in changes]}, indent=2, ensure_ascii=False)
            )
            return
        click.echo(_header(command))
        for change in changes:
            click.echo(_change_text(conn, change))
        return
    ids = _record_commands(store, key, org, event, person)
    commands = history.list_commands(conn, ids, limit or None)
    if as_json:
        click.echo(json.dumps([c.as_dict() for c in commands], indent=2, ensure_ascii=False))
        return
    for command in commands:
        click.echo(_header(command))
        click.echo(f"    {_counts_text(command.counts)}")
    if not commands:
        click.echo("No recorded commands" + (" for that record" if ids is not None else ""), err=True)


@click.command("undo")
@click.argument("number", required=False)
@by_option
@db_option
def undo_command(db_path: str, number: str | None, added_by: str | None) -> None:
    """Revert a command: the newest one not undone yet, or number N from `kb log`.

    The undo is itself a command in the history: `kb undo` again reverts the
    command before; `kb undo M`, M being an undo's number, redoes what it undid.
    A command that later commands built on (a work they changed, a note added to a
    work it added) is refused, naming the later command to undo first; the
    knowledge base is then left as it was.

    Example:

    \b
        kb note kulhanekImpossibleDream "A note added by mistake"
        kb undo          # the last command
        kb undo 2        # command #2 from kb log: here the undo itself, so a redo
    """
    command_id = None
    if number is not None:
        try:
            command_id = int(number.lstrip("#"))
        except ValueError:
            raise KbError(f"{number!r} is not a command number (see `kb log`)") from None
    store = open_store(db_path, added_by)
    result = history.undo(store, command_id)
    click.echo(
        f"Undid #{result.target.id} ({result.target.command}): {_counts_text(result.counts)}; "
        f"this undo is #{result.undo_id} (`kb undo {result.undo_id}` redoes it)",
        err=True,
    )
