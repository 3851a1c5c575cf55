"""Filters on the articles table from ?_tag=, ?_author=, ?_organisation=, ?_event=.

Repeated keys combine with AND (works with both tags), like Datasette's column
filters, and combine with those filters and full-text search.
"""

from __future__ import annotations

from datasette.filters import FilterArguments

from .relations import RELATIONS


def relation_filters(request, table: str) -> FilterArguments | None:
    if table != "articles":
        return None
    where_clauses: list[str] = []
    params: dict[str, str] = {}
    descriptions: list[str] = []
    for relation in RELATIONS.values():
        for index, value in enumerate(request.args.getlist(relation.arg)):
            if not value:
                continue
            param = f"kb_{relation.name}_{index}"
            params[param] = value
            where_clauses.append(f"id in ({relation.articles_for_name_sql(param)})")
            descriptions.append(f'{relation.name} is "{value}"')
    if not where_clauses:
        return None
    return FilterArguments(where_clauses, params=params, human_descriptions=descriptions)
