"""`kb merge`, `kb unmerge`, `kb merges`: merging works by hand, and seeing and undoing merges."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import KbError
from ..merging import merged_records_of
from .options import db_option, open_store

if TYPE_CHECKING:
    from ..importing import FileReport

INLINE_MERGES = 20  # an import names up to this many merges on the terminal; all of them go to the report file


def print_merges(report: FileReport, dry_run: bool, db_path: str) -> None:
    """Name every merge of an import with its reason, and the pairs left for kb dedupe:
    on the terminal when few (or in a dry run), else in a report file next to the
    knowledge base, the first few on the terminal."""
    lines = [f"  {origin}: duplicate of {existing} ({reason})" for origin, existing, reason in report.duplicates]
    lines += [
        f"  {origin}: added as {key}, may be {other} ({reason}): listed by kb dedupe"
        for origin, key, other, reason in report.candidates
    ]
    if len(lines) <= INLINE_MERGES or dry_run or report.import_id is None:  # a dry run writes no file: all of them here
        for line in lines:
            click.echo(line, err=True)
        return
    path = Path(db_path).with_name(f"{Path(db_path).name}.import-{report.import_id}-merges.tsv")
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(["record", "outcome", "work", "other work", "reason"])
        for origin, existing, reason in report.duplicates:
            writer.writerow([origin, "merged", existing, "", reason])
        for origin, key, other, reason in report.candidates:
            writer.writerow([origin, "added, may be a duplicate", key, other, reason])
    for line in lines[:INLINE_MERGES]:
        click.echo(line, err=True)
    click.echo(
        f"  all {len(report.duplicates)} merges and {len(report.candidates)} possible duplicates, with reasons: {path}; "
        f"also `kb merges --import {report.import_id}`",
        err=True,
    )


@click.command("merge")
@click.argument("keep")
@click.argument("other")
@db_option
def merge_command(db_path: str, keep: str, other: str) -> None:
    """Merge the work OTHER into the work KEEP, by hand.

    OTHER's tags, events, organisations, notes, sources and citations (both
    ways) move to KEEP; KEEP's empty fields are filled from OTHER; OTHER's
    citekey keeps naming KEEP (`kb export --key OTHER` finds KEEP). OTHER's
    record is kept with KEEP, so `kb unmerge KEEP OTHER` splits them again.

    Example:

    \b
        kb merge kulhanekImpossibleDream kulhanekImpossibleDreamEarlier
        kb unmerge kulhanekImpossibleDream kulhanekImpossibleDreamEarlier   # changed your mind
    """
    store = open_store(db_path)
    with store.transaction():
        keep_id, other_id = store.require_work(keep), store.require_work(other)
        if keep_id == other_id:
            raise KbError(f"{keep} and {other} are the same work ({store.citekey_of(keep_id)})")
        keep_key, other_key = store.citekey_of(keep_id), store.citekey_of(other_id)
        moved = store.merge_works(keep_id, other_id)
    click.echo(
        f"{other_key} merged into {keep_key}: {moved['fields']} fields filled, {moved['links']} links, "
        f"{moved['citations']} citations and {moved['notes']} notes moved; undo with `kb unmerge {keep_key} {other_key}`",
        err=True,
    )


@click.command("unmerge")
@click.argument("key")
@click.argument("source", required=False)
@db_option
def unmerge_command(db_path: str, key: str, source: str | None) -> None:
    """Give a record merged into the work KEY back as its own work. Prints its citekey.

    SOURCE names the record: the citekey it had before `kb merge`, its key in
    the imported file, or its number. Without SOURCE, lists the records kept
    with KEY. The record comes back with its own fields, tags and links; the
    fields it filled into KEY are taken out of KEY again; the pair is recorded
    as not duplicates, so re-importing the file does not merge it again.

    Example:

    \b
        kb merge kulhanekImpossibleDream kulhanekImpossibleDreamEarlier
        kb unmerge kulhanekImpossibleDream          # list what was merged into it
        kb unmerge kulhanekImpossibleDream kulhanekImpossibleDreamEarlier   # give that record back
    """
    store = open_store(db_path)
    if source is None:
        article_id = store.require_work(key)
        rows = merged_records_of(store, article_id)
        for number, name, reason, title, file in rows:
            click.echo(f"{number}\t{name or ''}\t{reason}\t{title}\t{file or ''}")
        click.echo(
            f"{len(rows)} record{'s' if len(rows) != 1 else ''} merged into {store.citekey_of(article_id)}",
            err=True,
        )
        return
    with store.transaction():
        article_id = store.require_work(key)
        new_id, citekey = store.unmerge(article_id, source)
        survivor = store.citekey_of(article_id)
    click.echo(f"{source}: now its own work {citekey}, recorded as not a duplicate of {survivor}", err=True)
    click.echo(citekey)


@click.command("merges")
@click.option(
    "--import", "import_id", type=int, help="Only the merges of this import (its number in the import summary)."
)
@click.option("--key", help="Only the records merged into this work.")
@db_option
def merges_command(db_path: str, import_id: int | None, key: str | None) -> None:
    """List the records merged into other works, with the reason for each.

    Columns: the work, the record's number, its source key (or former
    citekey), the import, the reason, the record's title.

    Example:

    \b
        kb merge kulhanekImpossibleDream kulhanekImpossibleDreamEarlier
        kb merges
        kb merges --key kulhanekImpossibleDream
    """
    store = open_store(db_path)
    clauses, params = [], []
    if import_id is not None:
        if store.conn.execute("SELECT 1 FROM imports WHERE id = ?", (import_id,)).fetchone() is None:
            raise KbError(f"--import: no import {import_id}")
        clauses.append("m.import_id = ?")
        params.append(import_id)
    if key:
        clauses.append("m.article_id = ?")
        params.append(store.require_work(key))
    rows = store.conn.execute(
        "SELECT a.citekey, m.id, coalesce(m.citekey, m.source_key), m.import_id, m.reason, json_extract(m.csl_json, '$.title') "
        "FROM merged_records m JOIN articles a ON a.id = m.article_id"
        + (" WHERE " + " AND ".join(clauses) if clauses else "")
        + " ORDER BY m.id",
        params,
    ).fetchall()
    for citekey, number, name, imported, reason, title in rows:
        click.echo(f"{citekey}\t{number}\t{name or ''}\t{imported or ''}\t{reason}\t{title}")
    click.echo(f"{len(rows)} merged record{'s' if len(rows) != 1 else ''}", err=True)
