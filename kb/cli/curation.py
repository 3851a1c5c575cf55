"""`kb edit`, `kb remove`, `kb unlink`, `kb rename`: correcting what was logged.

The logic and the writes are the Store's (kb/curation.py); these commands pick the
record, show it, and say what changed.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from ..curation import changed_fields, parse_document, record_label, set_fields
from ..errors import KbError
from ..keys import slug
from ..store import Store
from .options import db_option, open_store


class _Unchanged(Exception):
    """Raised inside the transaction of an edit that changes nothing, so nothing is written."""


def to_yaml(data: Any) -> str:
    from ..yaml_format import (
        to_yaml as dump_yaml,
    )  # PyYAML: imported by these commands when they run, not by every kb command

    return dump_yaml(data)


def _record_options(fn):
    """--org / --event / --person NAME: which record, when it is not a work."""
    for flag, kind in (("--person", "person"), ("--event", "event"), ("--org", "organisation")):
        fn = click.option(
            flag,
            kind,
            metavar="NAME",
            help=f"The {kind} (name{', acronym' if kind == 'organisation' else ''}"
            f"{' or alias' if kind != 'person' else ''}).",
        )(fn)
    return fn


def _target(
    store: Store, key: str | None, organisation: str | None, event: str | None, person: str | None
) -> tuple[str, int]:
    given = [
        (kind, name)
        for kind, name in (("work", key), ("organisation", organisation), ("event", event), ("person", person))
        if name
    ]
    if len(given) != 1:
        raise KbError("name one record: a work's KEY (citekey, DOI or URL), or --org, --event or --person NAME")
    kind, name = given[0]
    return kind, store.require_record(kind, name)


def _apply(store: Store, kind: str, row_id: int, shown: dict[str, Any], text: str, source: str) -> list[str]:
    """Check an edited document and make the record hold what it says; the fields that changed."""
    record = parse_document(text, kind, source)
    try:
        with store.transaction():
            if store.record_document(kind, row_id) != shown:
                raise KbError(
                    f"{record_label(kind, store.record_name(kind, row_id))} changed while you edited it: run kb edit again"
                )
            store.update_record(kind, row_id, record)
            changes = changed_fields(shown, store.record_document(kind, row_id))
            if not changes:
                raise _Unchanged
    except _Unchanged:
        return []
    return changes


def _report(label: str, changes: list[str]) -> None:
    click.echo(f"{label}: " + (f"updated {', '.join(changes)}" if changes else "no changes"), err=True)


def _edit_in_editor(store: Store, kind: str, row_id: int, label: str, shown: dict[str, Any]) -> None:
    if not sys.stdin.isatty() and not (os.environ.get("VISUAL") or os.environ.get("EDITOR")):
        # click would start vi with nobody to type into it: a script would hang
        raise KbError("no editor to open: set $EDITOR, or change fields with --set FIELD=VALUE / --unset FIELD")
    original = to_yaml(shown)
    text = original
    source = (
        f"{shown['citekey'] if kind == 'work' else slug(store.record_name(kind, row_id))}.yaml"  # as kb dump names it
    )
    while True:
        edited = click.edit(text, extension=".yaml", require_save=True)
        if edited is None or edited.strip() == original.strip():
            _report(label, [])
            return
        try:
            changes = _apply(store, kind, row_id, shown, edited, source)
        except KbError as exc:
            if not sys.stdin.isatty():
                raise
            click.echo(f"Error: {exc}", err=True)
            if not click.confirm("Edit again?", default=True, err=True):
                click.echo(f"{label}: nothing changed", err=True)
                click.get_current_context().exit(1)
            text = edited
            continue
        _report(label, changes)
        return


@click.command("edit")
@click.argument("key", required=False)
@_record_options
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="FIELD=VALUE",
    help='Set a field without the editor; repeatable. Lists (tags, author, aliases ...) as "a; b"; '
    "an empty VALUE removes the field.",
)
@click.option(
    "--unset", "removals", multiple=True, metavar="FIELD", help="Remove a field without the editor; repeatable."
)
@db_option
def edit_command(
    db_path: str,
    key: str | None,
    organisation: str | None,
    event: str | None,
    person: str | None,
    assignments: tuple[str, ...],
    removals: tuple[str, ...],
) -> None:
    """Edit a work (KEY: citekey, DOI or URL), organisation, event or person as kb YAML in $EDITOR.

    The record opens as `kb dump` writes it. What you save is checked as an import
    is (type, dates, names of events and organisations ...) and applied in one
    transaction: fields, tags, links, citations and notes become what the document
    says. A mistake shows the error and, at a terminal, offers the editor again with
    your text; declining changes nothing. Renaming an organisation or event keeps
    its old name as an alias. A work's citekey changes with `kb rekey`.

    --set and --unset change fields without an editor, for scripts: CSL names for a
    work (title, container-title, issued, volume, DOI, URL, type, author ...) and
    kb's own (status, needs_review, tags, events, organisations).

    Example:

    \b
        kb edit kulhanekImpossibleDream
        kb edit kulhanekImpossibleDream --set issued="November 2010" --set container-title="Atlantic Council"
        kb edit kulhanekImpossibleDreamEarlier --set status=read --unset needs_review
        kb edit --event "Russo-Georgian War" --set location="South Ossetia and Abkhazia, Georgia"
        kb edit --org NATO --set country=BE --set aliases="the Alliance; OTAN"
    """
    store = open_store(db_path)
    kind, row_id = _target(store, key, organisation, event, person)
    label = record_label(kind, store.record_name(kind, row_id))
    shown = store.record_document(kind, row_id)
    if not (assignments or removals):
        _edit_in_editor(store, kind, row_id, label, shown)
        return
    _set_fields(store, kind, row_id, label, shown, assignments, removals, "--set")


def _set_fields(
    store: Store,
    kind: str,
    row_id: int,
    label: str,
    shown: dict[str, Any],
    assignments: tuple[str, ...],
    removals: tuple[str, ...],
    source: str,
) -> None:
    """kb edit --set/--unset and kb rename: change the record's document, apply it, report."""
    document = set_fields(shown, kind, assignments, removals)
    try:
        changes = _apply(store, kind, row_id, shown, to_yaml(document), source)
    except KbError as exc:
        raise KbError(exc.message, label) from None
    _report(label, changes)


@click.command("rename")
@click.argument("new_name")
@_record_options
@db_option
def rename_command(
    db_path: str, new_name: str, organisation: str | None, event: str | None, person: str | None
) -> None:
    """Rename an organisation, event or person to NEW_NAME.

    An organisation or event keeps its old name as an alias, so links, notes and
    later imports that use it still find it. A person's name changes in the works
    they wrote too. A work's citekey changes with `kb rekey`.

    Example:

    \b
        kb rename --event "Russo-Georgian War" "2008 Russo-Georgian War"
        kb rename --org "Atlantic Council" "The Atlantic Council"
    """
    if not (organisation or event or person):
        raise KbError("say what to rename: --org, --event or --person OLD NEW (a work's citekey changes with kb rekey)")
    store = open_store(db_path)
    kind, row_id = _target(store, None, organisation, event, person)
    label = record_label(kind, store.record_name(kind, row_id))
    shown = store.record_document(kind, row_id)
    _set_fields(store, kind, row_id, label, shown, (f"name={new_name}",), (), "rename")


@click.command("remove")
@click.argument("key", required=False)
@_record_options
@click.option("--force", is_flag=True, help="Remove it even when other records cite it or depend on it.")
@click.option("--dry-run", is_flag=True, help="Only say what would go with it.")
@db_option
def remove_command(
    db_path: str,
    key: str | None,
    organisation: str | None,
    event: str | None,
    person: str | None,
    force: bool,
    dry_run: bool,
) -> None:
    """Remove a work (KEY), organisation, event or person, with what hangs on it.

    Says what goes with it: links, tags, notes, citations, aliases, affiliations,
    participant roles (notes about a removed organisation or event stay, without
    it). A record others depend on needs --force: a work another work cites, an
    organisation that is a parent or has linked works or affiliated people, an event
    with sub-events or linked works, a person who created works (they are taken out
    of those works' creators).

    Example:

    \b
        kb remove kulhanekImpossibleDream --dry-run
        kb remove --org Georgia --force
        kb remove --event "2010 NATO Lisbon Summit" --force
    """
    store = open_store(db_path)
    with store.transaction():
        kind, row_id = _target(store, key, organisation, event, person)
        label = record_label(kind, store.record_name(kind, row_id))
        effects = store.removal_effects(kind, row_id)
        with_it = f" with {', '.join(effects)}" if effects else ""
        if dry_run:
            depending = store.dependants(kind, row_id)
            click.echo(
                f"Would remove {label}{with_it}"
                + (f"; it is {'; '.join(depending)}, so it needs --force" if depending else ""),
                err=True,
            )
            return
        store.remove_record(kind, row_id, force)
    click.echo(f"Removed {label}{with_it}", err=True)


@click.command("unlink")
@click.argument("key", required=False)
@click.option("--event", "events", multiple=True, metavar="NAME", help="An event the work is linked to; repeatable.")
@click.option(
    "--org",
    "organisations",
    multiple=True,
    metavar="NAME",
    help="An organisation the work is linked to; repeatable.",
)
@click.option("--tag", "tags", multiple=True, metavar="NAME", help="A tag of the work; repeatable.")
@click.option("--cites", "cited", multiple=True, metavar="KEY", help="A work this work cites; repeatable.")
@click.option("--person", metavar="NAME", help="With --org and no KEY: remove the person's affiliation.")
@db_option
def unlink_command(
    db_path: str,
    key: str | None,
    events: tuple[str, ...],
    organisations: tuple[str, ...],
    tags: tuple[str, ...],
    cited: tuple[str, ...],
    person: str | None,
) -> None:
    """Remove links of a work (KEY): to events, organisations, tags, or its citations.

    Each option removes the link whatever its relation (discusses, mentions,
    publisher ...; cites, revises ...); the work and the linked record stay.

    Without KEY: `--person NAME --org ORG` removes an affiliation, and
    `--event NAME --org ORG` an organisation's participation in an event. A link
    that does not exist is an error, and nothing is removed.

    Example:

    \b
        kb unlink kulhanekImpossibleDream --event "Russo-Georgian War" --tag "European Politics"
        kb unlink kulhanekImpossibleDream --cites kulhanekImpossibleDreamEarlier
        kb unlink --person "Jakub Kulhanek" --org "School of Politics and International Relations"
        kb unlink --event "Russo-Georgian War" --org Georgia
    """
    store = open_store(db_path)
    with store.transaction():
        if key:
            if person:
                raise KbError("--person goes without KEY (kb unlink --person NAME --org ORG removes an affiliation)")
            if not (events or organisations or tags or cited):
                raise KbError("say what to unlink: --event, --org, --tag or --cites")
            article_id = store.require_work(key)
            for kind, names in (
                ("event", events),
                ("organisation", organisations),
                ("tag", tags),
                ("cites", cited),
            ):
                for name in names:
                    store.unlink_work(article_id, kind, name)
            count = len(events) + len(organisations) + len(tags) + len(cited)
            message = f"{key}: {count} link{'s' if count != 1 else ''} removed"
        elif person and len(organisations) == 1 and not (events or tags or cited):
            store.remove_affiliation(store.require_person(person), store.require_organisation(organisations[0]))
            message = f"{person}: affiliation with {organisations[0]} removed"
        elif len(events) == 1 and len(organisations) == 1 and not (person or tags or cited):
            store.remove_participant(store.require_event(events[0]), store.require_organisation(organisations[0]))
            message = f"{events[0]}: participant {organisations[0]} removed"
        else:
            raise KbError("name a work KEY and its links, or --person NAME --org ORG, or --event NAME --org ORG")
    click.echo(message, err=True)
