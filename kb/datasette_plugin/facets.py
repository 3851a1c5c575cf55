"""A Datasette facet over kb's link tables: tag, author, organisation, event.

Configured like any facet: `facets: [{related: tag}]` in metadata.yml or
`?_facet_related=tag`. Values toggle the ?_tag= (...) filters in filters.py.

Why not Datasette's array facet over a JSON column: that one expands the JSON of every
row in view on every page load (json_each over the whole table), which misses the
200 ms facet limit at 100,000 works. Here the counts come from the link table's
(target_id, article_id) index: unfiltered, a covering-index group-by; filtered, one
primary-key lookup per work in view (CROSS JOIN keeps that join order).
"""

from __future__ import annotations

import re

from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import path_with_added_args, path_with_removed_args

from .relations import RELATIONS

_WHERE = re.compile(r"\bwhere\b", re.IGNORECASE)


class RelatedFacet(Facet):
    type = "related"

    async def suggest(self) -> list:
        return []

    def _count_sql(self, relation, limit: int) -> str:
        if self.table == "articles" and not _WHERE.search(self.sql):
            # The whole table is in view: count straight off the index.
            counts = (f"select {relation.link_column} as target_id, count(distinct article_id) as count "
                      f"from {relation.link_table} group by {relation.link_column} "
                      f"order by count desc, target_id limit {limit}")
        else:
            counts = (f"select link.{relation.link_column} as target_id, count(distinct link.article_id) as count "
                      f"from (select id from ({self.sql})) as in_view "
                      f"cross join {relation.link_table} as link on link.article_id = in_view.id "
                      f"group by link.{relation.link_column} order by count desc, target_id limit {limit}")
        return (f"select target.{relation.label_column} as value, counts.count as count "
                f"from ({counts}) as counts join {relation.target_table} as target on target.id = counts.target_id "
                f"order by counts.count desc, value")

    async def facet_results(self):
        results, timed_out = [], []
        facet_size = self.get_facet_size()
        selected_pairs = self.get_querystring_pairs()
        for source_and_config in self.get_configs():
            config = source_and_config["config"]
            name = config.get("relation") or config["simple"]
            relation = RELATIONS.get(name)
            if relation is None or self.table != "articles":
                continue
            try:
                rows = await self.ds.execute(
                    self.database, self._count_sql(relation, facet_size + 1), self.params,
                    truncate=False, custom_time_limit=self.ds.setting("facet_time_limit_ms"),
                )
            except QueryInterrupted:
                timed_out.append(name)
                continue
            values = []
            for row in rows.rows[:facet_size]:
                value = str(row["value"])
                selected = (relation.arg, value) in selected_pairs
                if selected:
                    path = path_with_removed_args(self.request, {relation.arg: value})
                else:
                    path = path_with_added_args(self.request, {relation.arg: value, "_next": None})
                values.append({
                    "value": value, "label": value, "count": row["count"], "selected": selected,
                    "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(path)),
                })
            results.append({
                "name": name, "type": self.type, "hideable": source_and_config["source"] != "metadata",
                "toggle_url": self.ds.urls.path(path_with_removed_args(self.request, {"_facet_related": name})),
                "results": values, "truncated": len(rows.rows) > facet_size,
            })
        return results, timed_out
