"""`kb dedupe`: list likely duplicate works, and record that two works are not duplicates."""

from __future__ import annotations

import click

from .. import dedupe
from ..errors import KbError
from .options import db_option, open_store


@click.command("dedupe")
@click.option(
    "--not-duplicate",
    "not_duplicate",
    nargs=2,
    metavar="KEY_A KEY_B",
    help="Record that two works are different works: listings and later imports never merge them.",
)
@db_option
def dedupe_command(db_path: str, not_duplicate: tuple[str, str] | None) -> None:
    """List pairs of works that may be one work, with the reason, or record
    that a pair is not one.

    Imports merge only what the rules in the README ("When are two records the
    same work") call the same work; a pair that shares an identifier but is not
    clearly one work (a DOI with different titles, a URL with different titles)
    lands as two works and is listed here, with pairs of works whose titles,
    first author and year are alike. A pair marked --not-duplicate is never
    listed again and never merged by a later import. Merge a pair with
    `kb merge KEEP OTHER`.

    Columns: KEY_A, KEY_B, why they may be one work, the title of KEY_A.

    Example:

    \b
        kb dedupe
        kb dedupe --not-duplicate kulhanekImpossibleDream kulhanekImpossibleDreamEarlier
    """
    store = open_store(db_path)
    if not_duplicate:
        key_a, key_b = not_duplicate
        with store.transaction():
            a, b = store.require_work(key_a), store.require_work(key_b)
            if a == b:
                raise KbError(f"{key_a} and {key_b} are the same work")
            store.mark_not_duplicates(a, b)
        click.echo(f"{key_a} and {key_b}: recorded as not duplicates", err=True)
        return
    keys = dict(store.conn.execute("SELECT id, citekey FROM articles"))
    titles = dict(store.conn.execute("SELECT id, title FROM articles"))
    count = 0
    for a, b, reason in dedupe.likely_duplicates(store.conn):
        click.echo(f"{keys[a]}\t{keys[b]}\t{reason}\t{titles[a] or ''}")
        count += 1
    click.echo(
        f"{count} likely duplicate pair{'s' if count != 1 else ''}"
        + (" (merge with kb merge KEEP OTHER, or mark with --not-duplicate KEY_A KEY_B)" if count else ""),
        err=True,
    )
