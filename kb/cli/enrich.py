"""`kb enrich`: fill what logged works are missing from Crossref, DataCite and OpenAlex."""

from __future__ import annotations

from typing import Any

import click

from ..enrich import Enrichment, apply, propose
from ..online.http import HttpClient, LookupFailed, cache_path_for
from ..query import select_work_ids
from .options import db_option, filter_options, open_store, work_filter_from


@click.command("enrich")
@filter_options
@click.option("--dry-run", is_flag=True, help="List what would be filled; write nothing.")
@db_option
def enrich_command(db_path: str, dry_run: bool, **options: Any) -> None:
    """Fill what the works the filters select are missing, from Crossref, DataCite
    and OpenAlex: DOI (by title, first author and year, only when the match is
    certain), abstract, outlet, volume, issue, pages, publisher, ISSN, language, and
    the authors' ORCIDs and institutions. Never overwrites what a work has; each
    filled field is recorded in its extra_json (`enriched`) as coming from its service.

    Example:

    \b
        kb enrich --tag chapter-2 --dry-run
        kb enrich --year 2008..2012
    """
    store = open_store(db_path)
    ids = select_work_ids(store.conn, work_filter_from(options))
    found: list[Enrichment] = []
    failures: list[tuple[str, str]] = []
    nothing = skipped = 0
    with HttpClient(cache_path_for(db_path)) as client:
        for article_id in ids:
            try:
                enrichment = propose(store, client, article_id)
            except LookupFailed as exc:
                failures.append((store.citekey_of(article_id), exc.message))
                continue
            if enrichment is None:
                skipped += 1
                continue
            for note in enrichment.notes:
                click.echo(f"{enrichment.citekey}: {note}", err=True)
            if enrichment.is_empty():
                nothing += 1
            else:
                found.append(enrichment)
    verb = "would fill" if dry_run else "filled"
    if found and not dry_run:
        with store.transaction():
            for enrichment in found:
                apply(store, enrichment)
    for enrichment in found:
        click.echo(f"{enrichment.citekey}: {verb} {enrichment.describe()}")
    for citekey, message in failures:
        click.echo(f"Error: {citekey}: {message}", err=True)
    click.echo(
        f"{len(ids)} work{'s' if len(ids) != 1 else ''}: {len(found)} {'to fill' if dry_run else 'filled'}, "
        f"{nothing} with nothing to fill, "
        f"{skipped} with no DOI and no title, author and year to search by, {len(failures)} failed",
        err=True,
    )
    if failures:
        click.get_current_context().exit(1)
