"""The `kb` command: thin commands over the modules that do the work."""

from __future__ import annotations

import inspect
import os
import shlex
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import __version__, history, limits
from .cli_options import db_option
from .curation_cli import register as register_curation
from .dates import parse_partial_date
from .db import connect
from .dedupe_cli import register as register_dedupe
from .enrich_cli import register as register_enrich
from .errors import KbError
from .history_cli import register as register_history
from .importers import format_names
from .merge_cli import print_merges
from .merge_cli import register as register_merge
from .model import (
    CITATION_RELATIONS,
    CSL_TYPES,
    LINK_RELATIONS,
    READING_STATUSES,
    Affiliation,
    EventRecord,
    Link,
    NoteRecord,
    OrganisationRecord,
    Participant,
    PersonRecord,
    WorkRecord,
)
from .names import parse_name
from .show_cli import register as register_show
from .store import ON_DUPLICATE, Store
from .users_cli import register as register_users
from .users_cli import serve_options, serving_plan

if TYPE_CHECKING:
    from .importing import FileReport


class KbGroup(click.Group):
    """Turns a user's mistake (KbError) into one line on stderr and exit status 1."""

    def main(self, args: Any = None, prog_name: str | None = None, **extra: Any) -> Any:
        # The history records each command as typed: "kb import refs.bib --tag x".
        argv = list(args) if args is not None else sys.argv[1:]
        token = history.COMMAND.set(shlex.join(["kb", *argv]))
        try:
            return super().main(args=args, prog_name=prog_name, **extra)
        finally:
            history.COMMAND.reset(token)

    def invoke(self, ctx: click.Context) -> Any:
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


def update_option(fn):
    return click.option("--update", is_flag=True, help="Replace stored values that differ from the ones given.")(fn)


def by_option(fn):
    return click.option("--by", "added_by", envvar="KB_USER", help="Who is adding (default: $KB_USER or your login).")(
        fn
    )


def open_store(db_path: str, added_by: str | None = None, must_exist: bool = True) -> Store:
    return Store(connect(db_path, must_exist=must_exist), user=added_by)


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


@click.group(cls=KbGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kb")
def cli() -> None:
    """kb: a knowledge base of sources, authors, events, organisations and citations.

    Log what you read, link it to the events and organisations it discusses, record
    who cites whom, browse it in Datasette and export citations.

    Example:

    \b
        kb init && kb add --title "An impossible dream?" --type post-weblog --author "Jakub Kulhanek"
    """


@cli.command()
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


def _names(values: tuple[str, ...], where: str) -> list[dict[str, Any]]:
    try:
        return [parse_name(v) for v in values]
    except ValueError as exc:
        raise KbError(f"{where}: {exc}") from None


def _date(value: str | None, label: str) -> dict[str, Any] | None:
    if not value:
        return None
    try:
        return parse_partial_date(value).to_csl()
    except KbError as exc:
        raise KbError(f"{label}: {exc.message}") from None


@cli.command()
@click.argument("identifiers", nargs=-1, metavar="[DOI|ISBN|ARXIV-ID|URL]...")
@click.option("--title", help="The title of the work.")
@click.option(
    "--type",
    "work_type",
    help="CSL type: article-journal, book, chapter, report, post-weblog, webpage, article-newspaper ...",
)
@click.option(
    "--author",
    "authors",
    multiple=True,
    help='An author, "Given Family" or "Family, Given"; repeat for several. An organisation is kept whole.',
)
@click.option("--editor", "editors", multiple=True, help="An editor; repeatable.")
@click.option(
    "--corporate-author", "corporate", multiple=True, help="An organisation as author, never split into names."
)
@click.option("--date", "issued", help='Publication date as written: "2010", "Nov 2010", "19-20 November 2010".')
@click.option("--container", help="Journal, blog, newspaper or book the work appears in.")
@click.option("--publisher")
@click.option("--place", help="Place of publication.")
@click.option("--volume")
@click.option("--issue")
@click.option("--pages")
@click.option("--doi")
@click.option("--url")
@click.option("--isbn")
@click.option("--abstract")
@click.option("--language")
@click.option("--accessed", help="When you read a web page.")
@click.option("--key", help="The citekey; made from author, title and year when left out.")
@click.option("--tag", "tags", multiple=True, help="A tag; repeatable.")
@click.option("--event", "events", multiple=True, help="An event the work discusses (name or alias); repeatable.")
@click.option(
    "--org",
    "organisations",
    multiple=True,
    help="An organisation the work discusses (name, acronym or alias); repeatable.",
)
@click.option("--status", type=click.Choice(READING_STATUSES), help="Reading status.")
@click.option("--note", help="A first note on the work.")
@click.option("--force", is_flag=True, help="Add the work even when kb takes it for one it already has.")
@click.option(
    "--not-duplicate-of",
    "not_duplicate_of",
    metavar="KEY",
    help="Add the work and record that it is not the work KEY (no import merges them later).",
)
@by_option
@db_option
def add(
    db_path: str,
    added_by: str | None,
    identifiers: tuple[str, ...],
    force: bool,
    not_duplicate_of: str | None,
    **options: Any,
) -> None:
    """Log a work by its DOI, ISBN, arXiv id or URL, or by hand. Prints its citekey.

    Identifiers are looked up online (Crossref, DataCite, OpenAlex, Open Library,
    arXiv, or the page itself) and merge with a work already held; several can be
    given at once. By hand, kb asks for the title and type when they are missing and
    you are at a terminal. A work kb already has is refused with what matched;
    --force or --not-duplicate-of KEY adds it anyway.

    Example:

    \b
        kb add 10.1080/13523260.2011.556846 978-0-19-922738-9 2101.00001 --tag chapter-2
        kb add https://www.atlanticcouncil.org/blogs/new-atlanticist/some-commentary/
        kb add --title "Reset and its limits" --type post-weblog --author "Jakub Kulhanek" \\
            --date 2010 --tag Russia --org NATO --event "Lisbon Summit"
    """
    if identifiers:
        from .add_cli import add_identifiers, check_no_hand_options

        check_no_hand_options(click.get_current_context().command, options)
        store = open_store(db_path, added_by)
        status = add_identifiers(
            store,
            db_path,
            identifiers,
            tags=options["tags"],
            events=options["events"],
            organisations=options["organisations"],
            status=options["status"],
            note=options["note"],
        )
        click.get_current_context().exit(status)
    interactive = sys.stdin.isatty()
    title = options["title"] or (click.prompt("Title") if interactive else None)
    if not title:
        raise KbError("a work needs a title (--title)")
    # At a terminal a mistyped type is asked again (the title typed stays).
    work_type = options["work_type"] or (
        click.prompt("Type", default="article-journal", show_choices=False, type=click.Choice(sorted(CSL_TYPES)))
        if interactive
        else "document"
    )
    if work_type not in CSL_TYPES:
        raise KbError(
            f"unknown work type {work_type!r} (a CSL type such as article-journal, book, report, post-weblog)"
        )
    item: dict[str, Any] = {
        "type": work_type,
        "title": title,
        "author": _names(options["authors"], "--author") + [{"literal": c} for c in options["corporate"]],
        "editor": _names(options["editors"], "--editor"),
        "issued": _date(options["issued"], "--date"),
        "accessed": _date(options["accessed"], "--accessed"),
        "container-title": options["container"],
        "publisher": options["publisher"],
        "publisher-place": options["place"],
        "volume": options["volume"],
        "issue": options["issue"],
        "page": options["pages"],
        "DOI": options["doi"],
        "URL": options["url"],
        "ISBN": options["isbn"],
        "abstract": options["abstract"],
        "language": options["language"],
    }
    if options["key"]:
        item["id"] = options["key"]
    record = WorkRecord(
        item=item,
        tags=list(options["tags"]),
        status=options["status"],
        events=[Link(e) for e in options["events"]],
        organisations=[Link(o) for o in options["organisations"]],
        notes=[NoteRecord(comment=options["note"])] if options["note"] else [],
        origin="kb add",
    )
    store = open_store(db_path, added_by)
    with store.transaction():
        other = store.require_work(not_duplicate_of, "--not-duplicate-of") if not_duplicate_of else None
        result = store.save_work(record, on_duplicate="keep-both" if force or other is not None else "error")
        if other is not None:
            store.mark_not_duplicates(result.article_id, other)
    for other_key, reason in result.candidates:
        click.echo(f"{result.citekey} may be {other_key} ({reason}): listed by kb dedupe", err=True)
    click.echo(result.citekey)


@cli.command("add-event")
@click.argument("name")
@click.option("--date", help='As written: "August 2008", "19-20 November 2010", "2008-08-07/2008-08-12".')
@click.option("--type", "event_type", help="war, summit, treaty, election, ...")
@click.option("--location")
@click.option("--parent", help="A larger event this one is part of.")
@click.option("--alias", "aliases", multiple=True, help="Another name for the event; repeatable.")
@click.option(
    "--org", "organisations", multiple=True, help='A participating organisation, "NAME" or "NAME:ROLE"; repeatable.'
)
@click.option("--description")
@update_option
@db_option
def add_event(
    db_path: str,
    name: str,
    date: str | None,
    event_type: str | None,
    location: str | None,
    parent: str | None,
    aliases: tuple[str, ...],
    organisations: tuple[str, ...],
    description: str | None,
    update: bool,
) -> None:
    """Add an event, or fill in and add aliases to an existing one.

    A value that differs from the stored one is refused, with what differs, unless
    --update (or use kb edit).

    Example:

    \b
        kb add-event "2014 NATO Wales Summit" --type summit --date "4-5 September 2014" \\
            --location "Newport, Wales" --alias "Wales Summit" --org NATO:host
        kb add-event "Russo-Georgian War" --date "7-12 Aug 2008" --update
    """
    participants = [Participant(*o.rsplit(":", 1)) if ":" in o else Participant(o) for o in organisations]
    record = EventRecord(
        name=name,
        type=event_type,
        date=date,
        location=location,
        parent=parent,
        description=description,
        aliases=list(aliases),
        organisations=participants,
        origin="kb add-event",
    )
    _save_named(open_store(db_path), record, update)


def _save_named(store: Store, record: Any, update: bool, name: str | None = None) -> None:
    """add-event, add-org, add-person: add, fill in, or (--update) replace what differs."""
    with store.transaction():
        outcome, replaced = store.save_named(record, update)
    name = name or record.name
    if replaced:
        outcome = f"updated ({'; '.join(replaced)})"
    click.echo(f"{name}: {outcome}", err=True)


@cli.command("add-org")
@click.argument("name")
@click.option("--acronym")
@click.option("--type", "org_type", help="state, alliance, think-tank, university, ngo, ...")
@click.option("--country")
@click.option("--parent", help="The organisation this one belongs to.")
@click.option("--url")
@click.option("--alias", "aliases", multiple=True, help="Another name; repeatable.")
@click.option("--description")
@update_option
@db_option
def add_org(
    db_path: str,
    name: str,
    acronym: str | None,
    org_type: str | None,
    country: str | None,
    parent: str | None,
    url: str | None,
    aliases: tuple[str, ...],
    description: str | None,
    update: bool,
) -> None:
    """Add an organisation, or fill in and add aliases to an existing one.

    A value that differs from the stored one is refused, with what differs, unless
    --update (or use kb edit).

    Example:

    \b
        kb add-org "North Atlantic Treaty Organization" --acronym NATO --type alliance --alias "the Alliance"
    """
    record = OrganisationRecord(
        name=name,
        acronym=acronym,
        type=org_type,
        country=country,
        parent=parent,
        url=url,
        description=description,
        aliases=list(aliases),
        origin="kb add-org",
    )
    _save_named(open_store(db_path), record, update)


@cli.command("add-person")
@click.argument("name")
@click.option("--org", "organisation", help="An organisation the person is affiliated with.")
@click.option("--role", help="Their role there (student, fellow, professor ...).")
@click.option("--start", help="When the affiliation began.")
@click.option("--end", help="When it ended.")
@click.option("--orcid")
@click.option("--url")
@update_option
@db_option
def add_person(
    db_path: str,
    name: str,
    organisation: str | None,
    role: str | None,
    start: str | None,
    end: str | None,
    orcid: str | None,
    url: str | None,
    update: bool,
) -> None:
    """Add a person (an author) or an affiliation of one.

    An ORCID, URL or affiliation date that differs from the stored one is refused
    unless --update.

    Example:

    \b
        kb add-person "Jakub Kulhanek" --org "School of Politics and International Relations" --role "postgraduate student"
    """
    for label, value in (("--start", start), ("--end", end)):
        if value:
            _date(value, label)
    affiliations = [Affiliation(organisation, role, start, end)] if organisation else []
    record = PersonRecord(
        name=parse_name(name, corporate=False), affiliations=affiliations, orcid=orcid, url=url, origin="kb add-person"
    )
    _save_named(open_store(db_path), record, update, name)


@cli.command()
@click.argument("keys", nargs=-1, metavar="KEY...")
@click.option("--event", "events", multiple=True, help="An event (name or alias); repeatable.")
@click.option("--org", "organisations", multiple=True, help="An organisation (name, acronym or alias); repeatable.")
@click.option("--tag", "tags", multiple=True, help="A tag; repeatable.")
@click.option("--relation", type=click.Choice(LINK_RELATIONS), default="discusses", show_default=True)
@click.option(
    "--detect",
    is_flag=True,
    help="Show the organisations and events the works KEY... (default: all) mention, unlinked yet.",
)
@click.option("--apply", "apply_detected", is_flag=True, help="Write what --detect finds, with source 'detected'.")
@click.option(
    "--review", is_flag=True, help="Accept or reject each detected link; rejected ones are never proposed again."
)
@db_option
def link(
    db_path: str,
    keys: tuple[str, ...],
    events: tuple[str, ...],
    organisations: tuple[str, ...],
    tags: tuple[str, ...],
    relation: str,
    detect: bool,
    apply_detected: bool,
    review: bool,
) -> None:
    """Link a work to events, organisations or tags; or detect the ones its text mentions.

    KEY is the work's citekey (or DOI or URL).

    Example:

    \b
        kb link kulhanekImpossibleDream --org NATO --org Russia --event "2008 war in Georgia"
        kb link --detect kulhanekImpossibleDream       # phrase and count for each proposed link
        kb link --apply                                # write every proposal, source 'detected'
        kb link --review                               # y/n at a terminal for each
    """
    if detect or apply_detected or review:
        if events or organisations or tags:
            raise KbError("--detect, --apply and --review find links themselves: leave out --event, --org and --tag")
        from .detect_cli import run as run_detection

        run_detection(open_store(db_path), keys, apply_detected, review)
        return
    if len(keys) != 1:
        raise KbError("name one work to link (or use --detect, --apply or --review for several)")
    key = keys[0]
    if not (events or organisations or tags):
        raise KbError("say what to link: --event, --org or --tag")
    store = open_store(db_path)
    with store.transaction():
        article_id = store.require_work(key)
        new = sum(store.link(article_id, "events", e, relation) for e in events)
        new += sum(store.link(article_id, "organisations", o, relation) for o in organisations)
        new += sum(store.tag(article_id, t) for t in tags)
    click.echo(f"{key}: {new} new link{'s' if new != 1 else ''}", err=True)


@cli.command()
@click.argument("citing")
@click.argument("cited")
@click.option("--relation", type=click.Choice(CITATION_RELATIONS), default="cites", show_default=True)
@click.option("--locator", help='Where in CITING: "p. 12", "§ 3".')
@click.option("--context", help="The sentence that cites.")
@db_option
def cite(db_path: str, citing: str, cited: str, relation: str, locator: str | None, context: str | None) -> None:
    """Record that the work CITING cites (or revises, quotes ...) the work CITED.

    Each work is named by its citekey, DOI or URL.

    Example:

    \b
        kb cite kulhanekImpossibleDream kulhanekImpossibleDreamEarlier --relation revises
    """
    store = open_store(db_path)
    with store.transaction():
        new = store.cite(store.require_work(citing), store.require_work(cited), relation, locator, context)
    click.echo(f"{citing} {relation} {cited}" + ("" if new else " (already recorded)"), err=True)


@cli.command()
@click.argument("key")
@click.argument("comment", required=False)
@click.option("--quote", help="The passage the note is about.")
@click.option("--locator", help='Where: "p. 12".')
@click.option("--event", help="An event the note is about.")
@click.option("--org", "organisation", help="An organisation the note is about.")
@click.option("--status", type=click.Choice(READING_STATUSES), help="Also set the work's reading status.")
@by_option
@db_option
def note(
    db_path: str,
    key: str,
    comment: str | None,
    quote: str | None,
    locator: str | None,
    event: str | None,
    organisation: str | None,
    status: str | None,
    added_by: str | None,
) -> None:
    """Add a note (a comment, a quote, or both) to the work KEY (citekey, DOI or URL),
    and/or set its reading status; says which it did.

    Example:

    \b
        kb note kulhanekImpossibleDream "Sceptical of the missile-defence deal" --locator "para. 3" --org NATO
        kb note kulhanekImpossibleDream --status reading
    """
    if not (comment or quote or status):
        raise KbError("a note needs a comment or --quote")
    store = open_store(db_path, added_by)
    done = []
    with store.transaction():
        article_id = store.require_work(key)
        if comment or quote:
            store.add_note(
                article_id,
                NoteRecord(comment=comment, quote=quote, locator=locator, event=event, organisation=organisation),
            )
            done.append("note added")
        if status:
            store.set_status(article_id, status)
            done.append(f"status set to {status}")
    click.echo(f"{key}: {', '.join(done)}", err=True)


def _print_reports(reports: list[FileReport], dry_run: bool, db_path: str) -> None:
    for report in reports:
        click.echo(("Would import " if dry_run else "") + report.summary(), err=True)
        print_merges(report, dry_run, db_path)
        for reason in report.counts.skipped_reasons:
            click.echo(f"  skipped {reason}", err=True)
        for warning in report.warnings:
            click.echo(f"  warning {warning}", err=True)


@cli.command()
@click.argument("key")
@click.argument("new_key", required=False)
@db_option
def rekey(db_path: str, key: str, new_key: str | None) -> None:
    """Change a work's citekey (kb never changes one by itself).

    With NEW_KEY, the work takes that key; without it, the key is made again from the
    work's current author, title and year.

    Example:

    \b
        kb rekey kulhanekImpossibleDream kulhanekImpossibleDream2010
    """
    store = open_store(db_path)
    with store.transaction():
        result = store.rename_work(store.require_work(key), new_key)
    click.echo(result)


@cli.command("import")
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
    from .importing import import_files  # the importers and their libraries: only for the commands that import

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

register_dedupe(cli, db_option, open_store)
register_curation(cli, db_option, open_store)
register_merge(cli, db_option, open_store)
register_history(cli, db_option, open_store)
register_show(cli, db_option, open_store)
register_enrich(cli, db_option, open_store)
register_users(cli, db_option, open_store)


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False))
@db_option
def dump(db_path: str, directory: str) -> None:
    """Write the whole knowledge base to DIRECTORY as YAML, one file per record.

    The files are sorted and deterministic, for git; `kb build` loads them back.

    Example:

    \b
        kb dump data/
    """
    from .dump import dump as dump_kb  # PyYAML: only for the commands that read or write YAML

    store = open_store(db_path)
    counts = dump_kb(store.db, directory)
    click.echo(f"Wrote {directory}: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()), err=True)


@cli.command()
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
    from .db_swap import swap_in
    from .dump import dump_files
    from .dump_manifest import check_folder
    from .importing import import_files

    files = dump_files(directory)
    if not files:
        raise KbError(f"no .yaml files in {directory}")
    manifest = check_folder(Path(directory), files)  # refuses a dump that did not finish
    staging = target.with_name(target.name + ".building")
    for leftover in (staging, Path(f"{staging}-wal"), Path(f"{staging}-shm")):
        leftover.unlink(missing_ok=True)
    store = open_store(str(staging), must_exist=False)
    store.record_history = False  # the dump holds no history: a built knowledge base starts without one
    try:
        reports = import_files(
            store, files, fmt="yaml", record_import=False, progress=_with_bar(progress_bar), parse_before_lock=False
        )
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.db.conn.close()
    except BaseException:
        store.db.conn.close()
        for leftover in (staging, Path(f"{staging}-wal"), Path(f"{staging}-shm")):
            leftover.unlink(missing_ok=True)
        raise
    in_place = swap_in(staging, target)
    works = sum(r.counts.added for r in reports)
    click.echo(f"Built {db_path} from {len(files)} files ({works} works)", err=True)
    if manifest.note():
        click.echo(f"Note: {manifest.note()}", err=True)
    if not in_place and existed:
        click.echo(f"Replaced {db_path} by a new file: restart any kb serve of it", err=True)


@cli.command()
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


# Facet suggestions scan every column of the page: off. A facet gets up to a second
# on its first load (kb caches it after that); canned queries get three.
SERVE_SETTINGS = {"suggest_facets": "off", "facet_time_limit_ms": "1000", "sql_time_limit_ms": "3000"}


@cli.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on; 0.0.0.0 for a department server."
)
@click.option(
    "--port", default=8001, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on (1-65535)."
)
@click.option(
    "--metadata",
    type=click.Path(exists=True, dir_okay=False),
    help="Your own Datasette metadata, laid over kb's packaged configuration (a metadata.yml in the "
    "current folder is never read unless named here).",
)
@click.option(
    "--immutable",
    is_flag=True,
    help="Serve a snapshot that nothing writes to while it runs (faster counts; for a department server).",
)
@click.option(
    "--capture",
    is_flag=True,
    help="Also take pages sent by the browser bookmarklet (setup page: /-/kb/capture); 127.0.0.1 only.",
)
@db_option
@serve_options  # PATHS, --users, --publish, --public: a department server (kb/users_cli.py)
def serve(
    db_path: str, host: str, port: int, metadata: str | None, immutable: bool, capture: bool, **department: Any
) -> None:
    """Browse the knowledge base in Datasette, read-only.

    Datasette only reads (its connections open the file read-only), so researchers
    can keep adding works while a supervisor browses; --immutable serves a snapshot.
    With --capture, pages sent by the browser bookmarklet are logged (through the
    store, like kb add URL), for the researcher's own machine.

    A department server: name several knowledge bases or a folder of them, each
    served at its own path (alice.db at /alice); with accounts in the users file
    (`kb users add`), every page needs a login and each account sees only what its
    role allows. Beyond 127.0.0.1 kb serve refuses to start without accounts
    unless --public says everything may be read by anyone.

    Example:

    \b
        kb serve --db kb.db --port 8001   # then open http://127.0.0.1:8001/kb/articles
        kb serve --capture                # and the bookmarklet at http://127.0.0.1:8001/-/kb/capture
        kb serve /srv/kb --users /srv/kb/kb-users.yml   # every .db in /srv/kb, with logins
    """
    files, plan = serving_plan(db_path, host, **department)  # each checked and migrated; the accounts
    if capture:
        if immutable or host not in ("127.0.0.1", "localhost"):
            raise KbError("--capture writes to the knowledge base: serve it on 127.0.0.1 and without --immutable")
        if plan.has_accounts or len(files) > 1:
            raise KbError("--capture is for one researcher's own knowledge base, served without accounts")
        from .capture import ensure_token

        ensure_token(str(files[0]))
        os.environ["KB_CAPTURE"] = "1"  # the plugin's capture route is off without it
        click.echo(f"Capture on: set up the bookmarklet at http://{host}:{port}/-/kb/capture", err=True)
    from . import serve_config  # PyYAML: only for the commands that read YAML

    served = plan.applied(serve_config.serve_metadata(Path(metadata) if metadata else None, host))
    for name in serve_config.writable_queries(served):
        click.echo(f"Warning: the canned query {name!r} in {metadata} writes to the database", err=True)
    metadata_path = serve_config.write_serve_metadata(served)
    command = [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        *[arg for file in files for arg in (["-i", str(file)] if immutable else [str(file)])],
        "--host",
        host,
        "--port",
        str(port),
    ]
    for name, value in SERVE_SETTINGS.items():
        command += ["--setting", name, value]
    command += ["--metadata", str(metadata_path)]
    served_names = ", ".join(str(file) for file in files)
    logins = f", logins for {len(plan.accounts)} accounts from {plan.users_file}" if plan.has_accounts else ""
    click.echo(f"Serving {served_names} at http://{host}:{port}/{logins}", err=True)
    os.environ.update(plan.environment)  # the password hashes and the cookie secret, never in a file
    sys.stdout.flush()
    sys.stderr.flush()
    # Become Datasette rather than wait for it, so stopping `kb serve` stops the server.
    os.execv(sys.executable, command)


from . import cli_export  # noqa: E402  (kb export, kb ref)

cli.add_command(cli_export.export_command)
cli.add_command(cli_export.ref_command)

from .completion import attach as attach_completion  # noqa: E402  (after every command is registered)

attach_completion(cli)

main = cli


if __name__ == "__main__":
    main()
