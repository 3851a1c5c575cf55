"""The `kb` click group: commands loaded when they run, and user mistakes as one line.

The group knows every command's name, module and one-line summary from a table
(kb/cli/__init__.py), so `kb --version`, `kb --help` and shell completion of command
names import no command module; a command's module (and the libraries it uses) is
imported when that command is looked up: to run it, or for `kb COMMAND --help`.
"""

from __future__ import annotations

import importlib
import os
import shlex
import sys
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from typing import Any

import click

from ..errors import KbError


@dataclass(frozen=True)
class CommandEntry:
    """Where a command lives and what `kb --help` says of it (its docstring's first sentence)."""

    target: str  # "kb.cli.adding:add": module and attribute of the click command
    summary: str
    section: str  # the heading it is listed under in `kb --help`


class LazyCommands(MutableMapping[str, click.Command]):
    """name -> click command, imported on first look-up. Iterating gives the names
    without importing anything; a command added by `add_command` is kept as given."""

    def __init__(self, table: dict[str, CommandEntry]) -> None:
        self.table = table
        self.loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self.loaded:
            if name not in self.table:
                raise KeyError(name)
            module, attribute = self.table[name].target.split(":")
            command = getattr(importlib.import_module(module), attribute)
            from ..completion import attach_to  # completers for the parameters that name records

            attach_to(command)
            self.loaded[name] = command
        return self.loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self.loaded[name] = command

    def __delitem__(self, name: str) -> None:
        self.loaded.pop(name, None)
        self.table.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        yield from self.table
        yield from (name for name in self.loaded if name not in self.table)

    def __len__(self) -> int:
        return len(set(self.table) | set(self.loaded))


def _short(summary: str, limit: int) -> str:
    """The summary cut the way click cuts a command's help in a listing."""
    return click.Command(None, help=summary).get_short_help_str(limit)


class KbGroup(click.Group):
    """Commands from a table, loaded when used; a user's mistake (KbError, an unreadable
    file, a busy database) becomes one line on stderr and exit status 1."""

    def __init__(self, *args: Any, table: dict[str, CommandEntry], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = LazyCommands(table)

    def main(self, args: Any = None, prog_name: str | None = None, **extra: Any) -> Any:
        # The history records each command as typed: "kb import refs.bib --tag x".
        self.typed = shlex.join(["kb", *(list(args) if args is not None else sys.argv[1:])])
        return super().main(args=args, prog_name=prog_name, **extra)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands by section, from the table: no command module is imported."""
        table = self.commands.table
        names = [name for name in self.list_commands(ctx) if name in table]
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        for section in dict.fromkeys(entry.section for entry in table.values()):
            rows = [(n, _short(table[n].summary, limit)) for n in names if table[n].section == section]
            if rows:
                with formatter.section(section):
                    formatter.write_dl(rows)
        others = [n for n in self.list_commands(ctx) if n not in table]  # added with add_command
        if others:
            rows = [(n, self.commands[n].get_short_help_str(limit)) for n in others]
            with formatter.section("Other commands"):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        import sqlite3

        from .. import history  # a command is about to run: it may write, and the history names it

        token = history.COMMAND.set(getattr(self, "typed", "kb"))
        try:
            return super().invoke(ctx)
        except KbError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(1)
        except BrokenPipeError:  # `kb list works | head`: the reader left; stop quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(1)
        except OSError as exc:  # a file or folder the user named that cannot be read or written
            click.echo(f"Error: {exc.filename + ': ' if exc.filename else ''}{exc.strerror or exc}", err=True)
            ctx.exit(1)
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                click.echo(f"Error: the knowledge base is busy (another kb command is writing): {exc}", err=True)
                ctx.exit(1)
            raise
        finally:
            history.COMMAND.reset(token)
