"""Filters on the articles table from ?_tag=, ?_author=, ?_organisation=, ?_event=.

Repeated keys combine with AND (works with both tags), like Datasette's column
filters, and combine with those filters and full-text search.

Datasette runs the where clause once per query on the page (the count, the rows and
every facet: about a dozen), so it is built to be cheap to run again: names are turned
into ids here, once; the relation with the fewest links drives (one range of its
(target_id, article_id) index) and the others are EXISTS probes into theirs.
"""

from __future__ import annotations

from datasette.filters import FilterArguments

from .relations import RELATIONS, Relation


async def relation_filters(request, database: str, table: str, datasette) -> FilterArguments | None:
    if table != "articles":
        return None
    wanted = [(relation, value) for relation in RELATIONS.values()
              for value in request.args.getlist(relation.arg) if value]
    if not wanted:
        return None
    db = datasette.get_database(database)
    params: dict[str, int] = {}
    conditions: list[tuple[int, Relation, list[str]]] = []  # (links, relation, id params)
    for number, (relation, value) in enumerate(wanted):
        ids = [row[0] for row in (await db.execute(relation.ids_for_name_sql("name"), {"name": value})).rows]
        names = []
        for index, target_id in enumerate(ids):
            params[f"kb_{number}_{index}"] = target_id
            names.append(f":kb_{number}_{index}")
        links = (await db.execute(
            f"select count(*) from {relation.link_table} where {relation.link_column} in ({', '.join(names) or 'null'})",
            {name[1:]: params[name[1:]] for name in names})).rows[0][0]
        conditions.append((links, relation, names))
    conditions.sort(key=lambda condition: condition[0])
    _, driver, driver_ids = conditions[0]
    probes = "".join(
        f" and exists (select 1 from {relation.link_table} as p{n} where p{n}.{relation.link_column} "
        f"in ({', '.join(ids) or 'null'}) and p{n}.article_id = d.article_id)"
        for n, (_, relation, ids) in enumerate(conditions[1:], start=1))
    where = (f"id in (select d.article_id from {driver.link_table} as d "
             f"where d.{driver.link_column} in ({', '.join(driver_ids) or 'null'}){probes})")
    descriptions = [f'{relation.name} is "{value}"' for relation, value in wanted]
    return FilterArguments([where], params=params, human_descriptions=descriptions)
