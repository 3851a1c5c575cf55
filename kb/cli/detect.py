"""`kb link --detect / --apply / --review`: mention detection at the command line.

- `--detect [KEY...]` lists, for each work, the organisations and events its title,
  abstract, notes and text mention and that it is not linked to yet, with the phrases
  found and how often;
- `--apply` writes them as links with relation `mentions` and source `detected`;
- `--review` asks about each: accepted links become manual ones (a person confirmed
  them), rejected ones are dropped and remembered in `rejected_links`, so detection
  never proposes them again. It also asks about links written as `detected` earlier
  (by `--apply` or by importing a web page) that nobody has confirmed yet.
"""

from __future__ import annotations

from collections.abc import Iterable

import click

from ..errors import KbError
from ..linking import MentionFinder, Proposal, apply_proposals, load_targets, propose
from ..store import Store


def _works(store: Store, keys: Iterable[str]) -> list[int]:
    keys = list(keys)
    if keys:
        return [store.require_work(key) for key in keys]
    return [row[0] for row in store.conn.execute("SELECT id FROM articles ORDER BY citekey")]


def _show(proposal: Proposal) -> str:
    target = proposal.mention.target
    state = " (linked, unconfirmed)" if proposal.linked else ""
    return f"{proposal.citekey}\t{target.kind}\t{target.name}\t{proposal.mention.count}\t{proposal.mention.describe()}{state}"


def run(store: Store, keys: tuple[str, ...], apply: bool, review: bool) -> None:
    """Detect mentions for the works KEYS (all works when none) and show, apply or review them."""
    if apply and review:
        raise KbError("choose --apply (write every proposal) or --review (decide one by one), not both")
    with store.transaction():
        finder = MentionFinder(load_targets(store))
        if not finder.size:
            raise KbError(
                "the knowledge base has no organisations or events to look for (add them with `kb add-org`, `kb add-event`)"
            )
        article_ids = _works(store, keys)
        proposals = [
            p for article_id in article_ids for p in propose(store, finder, article_id, include_unreviewed=review)
        ]
        if review:
            _review(store, proposals)
            return
        for proposal in proposals:
            click.echo(_show(proposal))
        if apply:
            new = apply_proposals(store, proposals)
            click.echo(f"{new} detected link{'s' if new != 1 else ''} written", err=True)
        else:
            click.echo(
                f"{len(proposals)} proposed link{'s' if len(proposals) != 1 else ''} in {len(article_ids)} "
                f"work{'s' if len(article_ids) != 1 else ''}; --apply writes them, --review asks about each",
                err=True,
            )


def _review(store: Store, proposals: list[Proposal]) -> None:
    accepted = rejected = 0
    for index, proposal in enumerate(proposals):
        target = proposal.mention.target
        question = (
            f"[{index + 1}/{len(proposals)}] {proposal.citekey} mentions {target.kind} {target.name!r}: "
            f"{proposal.mention.describe()}. Link? (y)es, (n)o, (s)kip, (q)uit"
        )
        try:
            answer = click.prompt(question, type=click.Choice(["y", "n", "s", "q"]), show_choices=False, err=True)
        except click.Abort:  # end of input or Ctrl-C: keep the answers given so far
            click.echo("", err=True)
            break
        if answer == "q":
            break
        if answer == "y":
            if not proposal.linked:
                apply_proposals(store, [proposal])
            store.confirm_detected_link(proposal.article_id, target.table, target.id)
            accepted += 1
        elif answer == "n":
            store.reject_link(proposal.article_id, target.table, target.id)
            rejected += 1
    click.echo(
        f"{accepted} accepted, {rejected} rejected, {len(proposals) - accepted - rejected} left for later", err=True
    )
