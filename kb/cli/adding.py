"""Adding to the knowledge base by hand: kb add, add-event, add-org, add-person, link, cite, note, rekey."""

from __future__ import annotations

import sys
from typing import Any

import click

from ..dates import parse_partial_date
from ..errors import KbError
from ..model import (
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
from ..names import parse_name
from ..store import Store
from .options import by_option, db_option, open_store, update_option


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


@click.command("add")
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
        from .add_online import add_identifiers, check_no_hand_options

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


@click.command("add-event")
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


@click.command("add-org")
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


@click.command("add-person")
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


@click.command("link")
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
        from .detect import run as run_detection

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


@click.command("cite")
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


@click.command("note")
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


@click.command("rekey")
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
