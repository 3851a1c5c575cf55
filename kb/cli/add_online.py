"""`kb add DOI|ISBN|ARXIV-ID|URL...`: log works by looking them up online.

The look-ups happen first, outside any transaction; then everything found is saved
through the store in one transaction, like an import (identity rules, merging,
provenance in `imports`, mention detection). Identifiers that fail are listed, one
line each, and the command exits 1; the ones that worked are kept.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Sequence

import click

from ..errors import KbError
from ..linking import detect_and_apply
from ..model import Link, NoteRecord, WorkRecord
from ..online.http import HttpClient, LookupFailed, cache_path_for
from ..online.identifiers import Identifier, recognise
from ..online.lookup import Found, look_up
from ..store import Counts, Store

# What `kb add` options apply to works looked up online (the rest describe a work by hand).
SHARED_OPTIONS = ("tags", "events", "organisations", "status", "note")


def add_identifiers(
    store: Store,
    db_path: str,
    given: Sequence[str],
    *,
    tags: Sequence[str] = (),
    events: Sequence[str] = (),
    organisations: Sequence[str] = (),
    status: str | None = None,
    note: str | None = None,
) -> int:
    """Look up and save each identifier; prints a line for each; returns the exit status."""
    for name in events:  # a misspelt name should fail before any request is made
        store.require_event(name)
    for name in organisations:
        store.require_organisation(name)
    failures: list[tuple[str, str]] = []
    identifiers: list[Identifier] = []
    for text in given:
        try:
            identifiers.append(recognise(text))
        except KbError as exc:
            failures.append((text, exc.message))
    found: list[Found] = []
    with HttpClient(cache_path_for(db_path)) as client, _progress(identifiers) as progress:
        for identifier in progress:
            before = client.requests_made
            try:
                found.append(look_up(client, identifier))
            except LookupFailed as exc:
                failures.append((identifier.given, exc.message))
                continue
            if client.requests_made == before:
                found[-1].services.append("(cached)")
    for item in found:
        item.work.tags += list(tags)
        item.work.events += [Link(e) for e in events]
        item.work.organisations += [Link(o) for o in organisations]
        if note:
            item.work.notes.append(NoteRecord(comment=note))
        item.work.status = status
    if found:
        _save(store, found, status)
    for text, message in failures:
        click.echo(f"Error: {text}: {message}", err=True)
    if failures and found:
        click.echo(
            f"{len(found)} of {len(found) + len(failures)} logged; {len(failures)} failed (listed above)", err=True
        )
    return 1 if failures else 0


def _progress(identifiers: list[Identifier]):
    """A progress bar on a terminal for several look-ups (the services are asked a few
    times a second at most, so 50 DOIs take ten seconds or more)."""
    if len(identifiers) > 1 and sys.stderr.isatty():
        return click.progressbar(
            identifiers,
            label="Looking up",
            file=sys.stderr,
            show_pos=True,
            item_show_func=lambda identifier: identifier.given if identifier else None,
        )
    return contextlib.nullcontext(identifiers)


def _save(store: Store, found: list[Found], status: str | None) -> None:
    lines: list[str] = []
    citekeys: list[str] = []
    with store.transaction():
        changed: list[int] = []
        for item in found:
            import_id = store.start_import(_provenance_name(item.identifier), item.source, None)
            counts = Counts()
            others = {"people": 0, "organisations": 0}
            for record in item.others:
                result = store.save(record, "merge", import_id)
                if isinstance(record, WorkRecord):
                    counts.count(result)
                elif result.outcome == "added":
                    others["organisations" if type(record).__name__ == "OrganisationRecord" else "people"] += 1
            result = store.save(item.work, "merge", import_id)
            counts.count(result)
            store.finish_import(import_id, counts)
            if status:
                store.set_status(result.article_id, status)
            if result.outcome != "unchanged":
                changed.append(result.article_id)
            cited = sum(
                store.cite(result.article_id, cited_id)
                for doi in item.reference_dois
                if (cited_id := store.find_work(doi)) is not None and cited_id != result.article_id
            )
            lines.append(_summary(item, result.outcome, result.citekey, result.reason, others, cited))
            citekeys.append(result.citekey)
        detected = detect_and_apply(store, changed)
    for citekey in citekeys:  # once committed: a key printed is a work held
        click.echo(citekey)
    for line in lines:
        click.echo(line, err=True)
    if detected:
        click.echo(
            f"  {detected} mention{'s' if detected != 1 else ''} of organisations and events linked (source 'detected')",
            err=True,
        )


def _provenance_name(identifier: Identifier) -> str:
    return identifier.value if identifier.kind == "url" else f"{identifier.kind}:{identifier.value}"


def _summary(item: Found, outcome: str, citekey: str, reason: str | None, others: dict[str, int], cited: int) -> str:
    verb = {"added": "added as", "merged": "merged into", "updated": "updated", "unchanged": "already held as"}.get(
        outcome, outcome
    )
    line = f"{item.identifier.given}: {verb} {citekey}"
    if outcome in ("merged", "unchanged") and reason:
        line += f" ({reason})"
    line += f", from {' + '.join(item.services)}".replace(" + (cached)", " (cached)")
    extras = [f"{n} new {kind}" for kind, n in others.items() if n]
    if cited:
        extras.append(f"{cited} citation{'s' if cited != 1 else ''} to works already held")
    if extras:
        line += "; also " + ", ".join(extras)
    if item.work.needs_review:
        line += "; flagged needs_review"
    for warning in item.warnings:
        line += f"\n  note: {warning}"
    return line


def check_no_hand_options(command: click.Command, options: dict[str, object]) -> None:
    """Identifiers and a work described by hand do not mix."""
    flags = [
        param.opts[0]
        for param in command.params
        if param.name in options and param.name not in SHARED_OPTIONS and options[param.name] not in (None, (), False)
    ]
    if flags:
        raise KbError(
            f"{', '.join(flags)} describe{'s' if len(flags) == 1 else ''} a work by hand: give either identifiers "
            "(DOI, ISBN, arXiv id, URL) or --title ..., not both"
        )
