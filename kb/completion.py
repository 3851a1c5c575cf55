"""Shell completion of what the knowledge base holds: citekeys, tags, organisation,
event and author names, for every command whose argument or option takes one.

Click completes command names, options and fixed choices by itself; `attach` gives the
parameters that name a work, tag, organisation, event or person a completer that reads
the knowledge base the command would use (its --db or KB_DB). Parameters are found by
name as kb's group loads each command (`attach_to`), so a command added later with the
usual names (`key`, `tags`, `organisations` ...) completes too. Completion never fails a shell:
a missing or unreadable file completes nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import click
from click.shell_completion import CompletionItem

from .db import DEFAULT_DB

_SQL = {
    "work": "SELECT citekey FROM articles WHERE citekey LIKE :prefix ESCAPE '\\' ORDER BY citekey LIMIT 200",
    "tag": "SELECT name FROM tags WHERE name LIKE :prefix ESCAPE '\\' ORDER BY name LIMIT 200",
    "organisation": "SELECT name FROM organisations WHERE name LIKE :prefix ESCAPE '\\' UNION "
    "SELECT acronym FROM organisations WHERE acronym LIKE :prefix ESCAPE '\\' UNION "
    "SELECT alias FROM organisation_aliases WHERE alias LIKE :prefix ESCAPE '\\' ORDER BY 1 LIMIT 200",
    "event": "SELECT name FROM events WHERE name LIKE :prefix ESCAPE '\\' UNION "
    "SELECT alias FROM event_aliases WHERE alias LIKE :prefix ESCAPE '\\' ORDER BY 1 LIMIT 200",
    "person": "SELECT name FROM authors WHERE name LIKE :prefix ESCAPE '\\' ORDER BY name LIMIT 200",
}
_SQL["anything"] = " UNION ".join(f"SELECT * FROM ({_SQL[k]})" for k in ("work", "organisation", "event"))

# A parameter's name -> what it names (the names the commands use).
PARAMETER_KINDS = {
    "key": "work",
    "keys": "work",
    "citing": "work",
    "cited": "work",
    "cited_by": "work",
    "tags": "tag",
    "organisations": "organisation",
    "organisation": "organisation",
    "events": "event",
    "event": "event",
    "authors": "person",
    "person": "person",
}


def names(db_path: str, kind: str, incomplete: str) -> list[str]:
    """The names of `kind` in the knowledge base starting with `incomplete` (any case)."""
    path = Path(db_path)
    if not path.is_file():
        return []
    prefix = incomplete.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return [row[0] for row in conn.execute(_SQL[kind], {"prefix": prefix})]
        finally:
            conn.close()
    except sqlite3.Error:
        return []


def completer(kind: str) -> Callable[[click.Context, click.Parameter, str], list[CompletionItem]]:
    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
        db_path = ctx.params.get("db_path") or DEFAULT_DB
        return [CompletionItem(name) for name in names(str(db_path), kind, incomplete)]

    return complete


def attach(cli: click.Group) -> None:
    """Give each parameter that names a record a completer reading the knowledge base."""
    for command in cli.commands.values():
        attach_to(command)


def attach_to(command: click.Command) -> None:
    """The same for one command (kb's group calls it as it loads each command)."""
    for param in command.params:
        kind = PARAMETER_KINDS.get(param.name or "")
        if command.name == "show" and param.name == "name":
            kind = "anything"
        # click keeps a parameter's completer here (`shell_complete=` at declaration);
        # setting it after the fact keeps the declarations in the command modules as they are.
        if kind and getattr(param, "_custom_shell_complete", None) is None:
            param._custom_shell_complete = completer(kind)
