"""Making and filling knowledge bases: kb init, import, dump, build, stats."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .. import limits
from ..db import connect
from ..errors import KbError
from ..importers import format_names
from ..store import ON_DUPLICATE
from .merge import print_merges
from .options import by_option, db_option, open_store

if TYPE_CHECKING:
    from ..importing import FileReport


def progress_bar(items: list[Any], label: str):
    """A progress bar on stderr for long work; silent for a handful of records."""
    if len(items) < 200:
        return items
    return click.progressbar(items, label=label, file=sys.stderr, show_pos=True)


def _with_bar(progress):
    """Wrap click's progress bar so the importer can iterate it as a plain iterable."""

    def iterate(items: list[Any], label: str):
        bar = progress(items, label)
        if bar is items:
            yield from items
            return
        with bar as wrapped:
            yield from wrapped

    return iterate


@click.command("init")
@db_option
def init(db_path: str) -> None:
    """Create an empty knowledge base (or upgrade an existing one in place).

    Example:

    \b
        kb init --db thesis.db
    """
    existed = Path(db_path).exists()
    connect(db_path)
    click.echo(f"{'Upgraded' if existed else 'Created'} knowledge base {db_path}", err=True)


def _print_reports(reports: list[FileReport], dry_run: bool, db_path: str) -> None:
    for report in reports:
        click.echo(("Would import " if dry_run else "") + report.summary(), err=True)
        print_merges(report, dry_run, db_path)
        for reason in report.counts.skipped_reasons:
            click.echo(f"  skipped {reason}", err=True)
        for warning in report.warnings:
            click.echo(f"  warning {warning}", err=True)


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", help="The format, when the file name and content do not tell.")
@click.option("--encoding", help="The file's text encoding when it is not UTF-8 (latin-1, cp1252 ...).")
@click.option(
    "--on-duplicate",
    type=click.Choice(ON_DUPLICATE[:3]),
    default="merge",
    show_default=True,
    help="What to do with a work the knowledge base already has.",
)
@click.option("--dry-run", is_flag=True, help="Show what would be added, updated and merged; write nothing.")
@click.option(
    "--skip-invalid", is_flag=True, help="Import the valid records and list the ones skipped, instead of failing."
)
@click.option("--tag", "tags", multiple=True, help="A tag for every work imported; repeatable.")
@click.option(
    "--map",
    "column_map",
    multiple=True,
    metavar="COLUMN=FIELD",
    help='CSV/TSV: read COLUMN as FIELD ("Source=container-title"; "kind=events" for a table of events); repeatable.',
)
@click.option("--url", help="The address of a saved (html) or pasted web page being imported.")
@click.option(
    "--max-file-mb",
    type=click.IntRange(min=1),
    default=limits.DEFAULT_MAX_FILE_MB,
    show_default=True,
    expose_value=False,
    callback=lambda ctx, param, value: limits.set_max_file_mb(value),
    help="Refuse files larger than this many megabytes.",
)
@by_option
@db_option
def import_(
    db_path: str,
    files: tuple[str, ...],
    fmt: str | None,
    encoding: str | None,
    on_duplicate: str,
    dry_run: bool,
    skip_invalid: bool,
    tags: tuple[str, ...],
    column_map: tuple[str, ...],
    added_by: str | None,
    url: str | None,
) -> None:
    """Import works, events, organisations and people from files.

    All files land in one transaction: a bad record fails the whole import with a
    message naming the file and line, unless --skip-invalid. The knowledge base must
    exist (`kb init` makes one), like for every command but init and build.

    Example:

    \b
        kb import thesis.bib scopus.ris --tag chapter-2 --dry-run
        kb import saved-page.html --url https://example.org/commentary/nato-russia
    """
    mapping = {}
    for pair in column_map:
        column, sep, field = pair.partition("=")
        if not sep or not column.strip() or not field.strip():
            raise KbError(f"--map {pair!r}: write it as COLUMN=FIELD")
        mapping[column.strip()] = field.strip()
    from ..importing import import_files  # the importers and their libraries: only for the commands that import

    store = open_store(db_path, added_by)
    reports = import_files(
        store,
        files,
        fmt=fmt,
        encoding=encoding,
        on_duplicate=on_duplicate,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        added_by=added_by,
        tags=tags,
        progress=_with_bar(progress_bar),
        column_map=mapping or None,
        url=url,
    )
    _print_reports(reports, dry_run, db_path)


# cleandoc first: click dedents the help only while every line keeps the docstring's indent.
import_.help = inspect.cleandoc(import_.help or "") + f"\n\nFormats: {', '.join(format_names())}."


@click.command("dump")
@click.argument("directory", type=click.Path(file_okay=False))
@db_option
def dump(db_path: str, directory: str) -> None:
    """Write the whole knowledge base to DIRECTORY as YAML, one file per record.

    The files are sorted and deterministic, for git; `kb build` loads them back.

    Example:

    \b
        kb dump data/
    """
    from ..dump import dump as dump_kb  # PyYAML: only for the commands that read or write YAML

    store = open_store(db_path)
    counts = dump_kb(store.db, directory)
    click.echo(f"Wrote {directory}: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()), err=True)


@click.command("build")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--force", is_flag=True, help="Replace the knowledge base file if it exists.")
@db_option
def build(db_path: str, directory: str, force: bool) -> None:
    """Build a fresh knowledge base from a folder of kb YAML (what `kb dump` writes).

    Example:

    \b
        kb build data/ --db kb.db --force
    """
    target = Path(db_path)
    existed = target.exists()
    if existed and not force:
        raise KbError(f"{db_path} exists; pass --force to replace it")
    from ..build import build_from_dump  # PyYAML and the importers: only for the commands that use them

    result = build_from_dump(Path(directory), target, progress=_with_bar(progress_bar))
    click.echo(f"Built {db_path} from {result.files} files ({result.works} works)", err=True)
    if result.note:
        click.echo(f"Note: {result.note}", err=True)
    if not result.in_place and existed:
        click.echo(f"Replaced {db_path} by a new file: restart any kb serve of it", err=True)


@click.command("stats")
@db_option
def stats(db_path: str) -> None:
    """Count what the knowledge base holds.

    Example:

    \b
        kb stats --db thesis.db
    """
    store = open_store(db_path)
    for table in ("articles", "authors", "organisations", "events", "citations", "tags", "notes", "imports"):
        count = store.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        click.echo(f"{table:<14}{count:>8}")
