"""Which works the citation network draws, and the short reference each is labelled by.

The network shows the works the articles page shows for the same query string. When
there are more than the drawing holds, the most connected ones are drawn (most citations
among the works in view), not the first page of the list: a random 400 of 16,000 works
share a dozen citations and draw as a field of dots.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

from datasette.database import QueryInterrupted

from .facet_cache import cached_query_rows

WHO_CHARACTERS = 18  # of a label's names: the year is never the part cut off
_TRAILING_LIMIT = re.compile(r"\s+limit\s+\d+(?:\s+offset\s+\d+)?\s*$", re.IGNORECASE)

# The works in view (the page's SQL without its limit) with their citations among them,
# ranked by how many each takes part in. The unary + keeps SQLite from looking citations
# up by (citing_id, cited_id) for every pair of ids in view (16,000 works: five minutes);
# one pass over citations checks both ends against the view instead (0.2 s).
MOST_CONNECTED = """
with view as materialized (select id from ({whole})),
pairs as (
    select citing_id, cited_id from citations
    where +citing_id in (select id from view) and +cited_id in (select id from view)
)
select id, count(*) as degree from (select citing_id as id from pairs union all select cited_id from pairs)
group by id order by degree desc, id desc limit :kb_limit
"""
# Every work in view (no where clause): each end of a citation counted straight off its
# index, no view to check against (100,000 works: 0.14 s of CPU against 0.55 s).
MOST_CONNECTED_OF_ALL = """
select id, sum(n) as degree from (
    select citing_id as id, count(*) as n from citations group by citing_id
    union all select cited_id, count(*) from citations group by cited_id
) group by id order by degree desc, id desc limit :kb_limit
"""
_WHERE = re.compile(r"\bwhere\b", re.IGNORECASE)


async def works_to_draw(db, page_sql: str, params: dict[str, Any], total: int | None, limit: int) -> list[int]:
    """The ids of the works to draw: all the works in view when they fit, else the `limit`
    most connected among them (falling back to the page's first `limit` when that
    question runs out of time)."""
    whole = _TRAILING_LIMIT.sub("", page_sql)
    if total is not None and total <= limit:
        return [row[0] for row in (await db.execute(f"select id from ({whole})", params)).rows]
    sql = MOST_CONNECTED.format(whole=whole) if _WHERE.search(whole) else MOST_CONNECTED_OF_ALL
    try:
        # Kept until the file changes, like the facet counts: the same network is opened again.
        rows = await cached_query_rows(db, sql, {**params, "kb_limit": limit})
    except QueryInterrupted:
        rows = []
    ids = [row["id"] for row in rows]
    if not ids:  # no citation among them (or no time to count): the first works in view
        ids = [row[0] for row in (await db.execute(f"select id from ({whole}) limit {int(limit)}", params)).rows]
    return ids


async def drawn_works(db, ids: list[int]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(works with their labels, citations among them) for the ids to draw."""
    marks = {"ids": json.dumps(ids)}
    works = [
        dict(row)
        for row in (
            await db.execute(
                "select id, citekey, title, year, authors from articles where id in (select value from json_each(:ids))",
                marks,
            )
        ).rows
    ]
    links = [
        dict(row)
        for row in (
            await db.execute(
                # + keeps SQLite from probing (citing_id, cited_id) for all 400 x 400 pairs
                "select citing_id, cited_id, relation from citations "
                "where citing_id in (select value from json_each(:ids)) and +cited_id in (select value from json_each(:ids))",
                marks,
            )
        ).rows
    ]
    label_works(works)
    return works, links


def short_reference(authors: str | None, year: Any, title: str | None, citekey: str | None) -> str:
    """ "Kulhanek 2024", "Smith & Jones 2010", "Smith et al. 2010"; a work with no author
    goes by the first words of its title (or its citekey)."""
    families = [name.split(",")[0].strip() for name in (authors or "").split(";") if name.strip()]
    if len(families) == 1:
        who = families[0]
    elif len(families) == 2:
        who = f"{families[0]} & {families[1]}"
    elif families:
        who = f"{families[0]} et al."
    else:
        words = (title or citekey or "?").split()
        who = " ".join(words[:3]) + ("…" if len(words) > 3 else "")
    if len(who) > WHO_CHARACTERS:
        who = who[: WHO_CHARACTERS - 1].rstrip() + "…"
    return f"{who} {year if year else 'n.d.'}"


def label_works(works: list[dict[str, Any]]) -> None:
    """Each work's `label`; works that would share one get a, b, c ... as author-year styles do."""
    for work in works:
        work["label"] = short_reference(work.get("authors"), work.get("year"), work.get("title"), work.get("citekey"))
    counts = Counter(work["label"] for work in works)
    seen: Counter[str] = Counter()
    for work in sorted(works, key=lambda w: (str(w.get("title") or ""), str(w.get("citekey")))):
        base = work["label"]
        if counts[base] > 1:
            work["label"] = f"{base}{'-' if base.endswith('n.d.') else ''}{_letters(seen[base])}"
            seen[base] += 1


def _letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters
