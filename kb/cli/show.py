"""`kb show`, `kb list`, `kb search`: looking things up in the terminal, read-only.

Output is a table (or a record's fields) at a terminal and JSON when piped, like
sqlite-utils; `--format` chooses. Tables fit the terminal's width.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
import textwrap
from typing import Any

import click

from .. import show
from .options import db_option, filter_options, open_store, work_filter_from


def _terminal_width() -> int:
    return max(shutil.get_terminal_size((80, 24)).columns, 20)


def _default_format(at_terminal: str) -> str:
    """A table for a person, JSON for a pipe or a file."""
    return at_terminal if sys.stdout.isatty() else "json"


def _echo_table(table: show.Table, fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(table.records(), ensure_ascii=False, indent=2))
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(table.columns)
        writer.writerows(table.rows)
        click.echo(out.getvalue(), nl=False)
    else:
        for line in show.fit_table(table, _terminal_width()):
            click.echo(line)


def _wrapped(text: str, width: int, indent: str = "  ") -> list[str]:
    # URLs and DOIs stay whole (a broken one cannot be copied), even past the edge.
    return textwrap.wrap(
        " ".join(str(text).split()),
        width=width,
        initial_indent=indent,
        subsequent_indent=indent + "  ",
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent]


def _item_line(item: dict[str, Any]) -> str:
    """One linked record on a line: its name first, the rest after."""
    # a link made by hand is the usual case: only a detected one says so
    values = [
        str(v)
        for k, v in item.items()
        if k not in ("name", "citekey", "organisation") and not (k == "source" and v == "manual")
    ]
    head = item.get("citekey") or item.get("name") or item.get("organisation") or ""
    if "quote" in item or "comment" in item:  # a note: locator, "quote", comment, about what, by whom
        quote = f'"{item["quote"]}"' if item.get("quote") else ""
        about = ", ".join(item[k] for k in ("event", "organisation") if item.get(k))
        parts = [
            item.get("locator", ""),
            quote,
            item.get("comment", ""),
            f"[{about}]" if about else "",
            f"({item.get('added_by', '')} {item.get('added_at', '')[:10]})".replace("( ", "("),
        ]
        return " ".join(p for p in parts if p)
    return " · ".join([head, *values]) if head else " · ".join(values)


def _echo_record(record: dict[str, Any]) -> None:
    """A record's fields, then each of its lists under a heading, wrapped to the terminal."""
    width = _terminal_width()
    heading_key = "title" if record.get("title") else "name"
    heading = record.get(heading_key) or ""
    if record["kind"] == "work" and not record.get("title"):
        heading_key, heading = "title", f"{record.get('citekey', '')} (no title)"  # none is invented
    click.echo(click.style(f"{record['kind'].capitalize()}: {heading}", bold=True))
    scalars = {
        k: v
        for k, v in record.items()
        if not isinstance(v, list) and k not in ("abstract", "reference", "kind", heading_key)
    }
    label_width = max((len(k) for k in scalars), default=0) + 2
    for key, value in scalars.items():
        lines = textwrap.wrap(
            " ".join(str(value).split()),
            width=max(width - label_width - 2, 20),
            break_long_words=False,
            break_on_hyphens=False,
        ) or [""]
        click.echo(f"  {key.replace('_', ' '):<{label_width}}{lines[0]}")
        for more in lines[1:]:
            click.echo(" " * (label_width + 2) + more)
    for key, value in record.items():
        if not isinstance(value, list) and key not in ("abstract", "reference"):
            continue
        click.echo(click.style(key.replace("_", " ").capitalize(), bold=True))
        items = value if isinstance(value, list) else [value]
        if items and all(isinstance(v, str) for v in items) and key not in ("abstract", "reference"):
            items = [", ".join(items)]
        for item in items:
            for line in _wrapped(_item_line(item) if isinstance(item, dict) else item, width):
                click.echo(line)


@click.command("show")
@click.argument("name", required=False)
@click.option("--org", "organisation", metavar="NAME", help="Show the organisation NAME (name, acronym or alias).")
@click.option("--event", metavar="NAME", help="Show the event NAME (name or alias).")
@click.option("--person", metavar="NAME", help='Show the person NAME ("Kulhanek", "Jakub Kulhanek").')
@click.option("--style", default="apa", show_default=True, help="The CSL style of a work's formatted reference.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    help="text (the default at a terminal) or json (the default when piped).",
)
@db_option
def show_command(
    db_path: str,
    name: str | None,
    organisation: str | None,
    event: str | None,
    person: str | None,
    style: str,
    fmt: str | None,
) -> None:
    """Show one work (by citekey, DOI or URL) with its authors, tags, events,
    organisations, citations both ways, notes and formatted reference; or an
    organisation, event or person by name or alias, with what links to it.

    NAME that is not a work is looked up as an organisation, an event, then a
    person; --org, --event or --person say which.

    Example:

    \b
        kb show kulhanekImpossibleDream
        kb show NATO
        kb show --event "Lisbon Summit" --format json
        kb show --person Kulhanek
    """
    chosen = [
        (kind, value)
        for kind, value in (("work", name), ("organisation", organisation), ("event", event), ("person", person))
        if value
    ]
    if len(chosen) != 1:
        raise click.UsageError("name one thing: KEY, or --org NAME, --event NAME or --person NAME")
    kind, wanted = chosen[0]
    store = open_store(db_path)
    records = show.look_up(store, wanted, None if kind == "work" else kind, style)
    if (fmt or _default_format("text")) == "json":
        click.echo(json.dumps(records[0] if len(records) == 1 else records, ensure_ascii=False, indent=2))
        return
    for number, record in enumerate(records):
        if number:
            click.echo()
        _echo_record(record)


_table_format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    help="table (the default at a terminal), json (the default when piped) or csv.",
)


@click.command("list")
@click.argument("kind", type=click.Choice(show.LIST_KINDS))
@filter_options
@click.option("--limit", type=click.IntRange(min=1), help="At most this many rows.")
@_table_format_option
@db_option
def list_command(db_path: str, kind: str, limit: int | None, fmt: str | None, **options: Any) -> None:
    """List works, organisations, events, people or tags.

    Works are listed by year; organisations, people and tags by how many works
    link to them, events by date. The filters are those of `kb export`: with a
    filter, the counts are of the works it selects, and only what they link to is
    listed.

    Example:

    \b
        kb list works --tag Russia --year 2008..2010
        kb list orgs
        kb list events --format csv
        kb list tags --org NATO --limit 10
    """
    work_filter = work_filter_from(options)
    store = open_store(db_path)
    table = show.list_records(store.conn, kind, work_filter, limit)
    _echo_table(table, fmt or _default_format("table"))
    singular = {"people": "person"}.get(kind, kind[:-1])
    click.echo(f"{len(table.rows)} {kind if len(table.rows) != 1 else singular}", err=True)


@click.command("search")
@click.argument("text", nargs=-1, required=True)
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice(show.SEARCH_KINDS),
    help="Search only works, people, orgs or events; repeatable (default: all).",
)
@click.option(
    "--limit", type=click.IntRange(min=1), default=20, show_default=True, help="At most this many of each kind."
)
@_table_format_option
@db_option
def search_command(db_path: str, text: tuple[str, ...], kinds: tuple[str, ...], limit: int, fmt: str | None) -> None:
    """Full-text search of works (title, outlet, abstract, notes, page text),
    people, organisations and events: the index of the web search, best match
    first (bm25) within each kind, with the text that matched in [brackets].

    Example:

    \b
        kb search Lisbon
        kb search missile defence --kind works --limit 5
    """
    store = open_store(db_path)
    table = show.search(store.conn, " ".join(text), tuple(kinds) or show.SEARCH_KINDS, limit)
    _echo_table(table, fmt or _default_format("table"))
    click.echo(f"{len(table.rows)} match{'es' if len(table.rows) != 1 else ''}", err=True)
