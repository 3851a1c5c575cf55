"""Filters on the articles table from ?_tag=, ?_author=, ?_organisation=, ?_event=.

Repeated keys combine with AND (works with both tags), like Datasette's column
filters, and combine with those filters and full-text search.

Datasette runs the where clause once per query on the page (the count, the rows and
every facet), so it does not hold the join of link tables that selects the works:
it reads their ids from `kb_work_ids(:kb_filter)` (filtered_ids.py): the list is
worked out here, once per filter, and kept until the database file changes.
"""

from __future__ import annotations

from datasette.database import QueryInterrupted
from datasette.filters import FilterArguments

from .bounds import check_filter_count
from .filtered_ids import FUNCTION, filter_text, remember
from .relations import RELATIONS

FILTER_PARAM = "kb_filter"
IDS_SQL = f"select value as id from json_each({FUNCTION}(:{FILTER_PARAM}))"
WHERE = f"id in ({IDS_SQL})"


async def relation_filters(request, database: str, table: str, datasette) -> FilterArguments | None:
    if table != "articles":
        return None
    wanted = [
        (relation, value) for relation in RELATIONS.values() for value in request.args.getlist(relation.arg) if value
    ]
    if not wanted:
        return None
    check_filter_count(len(wanted))
    descriptions = [f'{relation.name} is "{value}"' for relation, value in wanted]
    try:
        await remember(datasette, database, wanted)
    except QueryInterrupted:
        pass  # the page's own queries then work it out, and time out as Datasette reports
    return FilterArguments([WHERE], params={FILTER_PARAM: filter_text(wanted)}, human_descriptions=descriptions)
