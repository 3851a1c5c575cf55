"""kb's facets on the articles page: relations (tag, author, organisation, event) and
columns (type, year, outlet, added by, status), both counted from indexes and cached.

In metadata.yml: `facets: [{kb_column: type}, {kb_related: tag}, ...]`; in a URL:
`?_facet_kb_related=tag`. Related values toggle the ?_tag= (...) filters of
filters.py; column values toggle Datasette's own ?type= filters.

Why not Datasette's array facet over a JSON column: it expands the JSON of every row
in view on every page load (json_each over the whole table), which misses the 200 ms
facet limit at 100,000 works. Here the counts come from the link table's
(target_id, article_id) index: unfiltered, a covering-index group-by; filtered, one
primary-key lookup per work in view (CROSS JOIN keeps that join order). Results are
kept until the file changes (facet_cache.py): at a million works even an index scan
of three million links takes longer than the facet limit.
"""

from __future__ import annotations

import re

from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args

from ..lookup import name_key
from .facet_cache import cached_facet_rows
from .filters import IDS_SQL
from .filters import WHERE as RELATION_FILTER_WHERE
from .relations import RELATIONS

_WHERE = re.compile(r"\bwhere\b", re.IGNORECASE)
# `_facet_size=max` shows at most this many values of a facet (Datasette's max is 1,000).
FACET_SIZE_CAP = 50
# Column facets whose values read in their own order, not by count.
VALUE_ORDERED_COLUMNS = {"year"}


class _CachedFacet(Facet):
    """Runs each configured facet through the cache; subclasses say
    what SQL counts a facet and how its values toggle filters."""

    async def suggest(self) -> list:
        return []

    def facet_sql(self, name: str, limit: int) -> str | None:
        raise NotImplementedError

    def toggle(self, name: str, value: str) -> tuple[bool, str]:
        raise NotImplementedError

    async def _one(self, source_and_config, facet_size: int):
        config = source_and_config["config"]
        name = config.get("column") or config["simple"]
        sql = self.facet_sql(name, facet_size + 1)
        if sql is None:
            return None
        try:
            rows = await cached_facet_rows(self.ds, self.database, sql, self.params)
        except QueryInterrupted:
            return name
        if not rows and not self._selected_in_url(name):
            return None  # an empty facet ("event 0") says nothing: hidden
        values = []
        for row in rows[:facet_size]:
            selected, path = self.toggle(name, row["value"])
            values.append(
                {
                    "value": row["value"],
                    "label": row["value"],
                    "count": row["count"],
                    "selected": selected,
                    "toggle_url": self.ds.absolute_url(self.request, str(self.ds.urls.path(path))),
                }
            )
        return {
            "name": name,
            "type": self.type,
            "hideable": source_and_config["source"] != "metadata",
            "toggle_url": self.ds.urls.path(path_with_removed_args(self.request, {f"_facet_{self.type}": name})),
            "results": values,
            "truncated": len(rows) > facet_size,
            **self.more(name, facet_size),
        }

    def get_facet_size(self) -> int:
        """Datasette's facet size, but `…` (`_facet_size=max`) shows at most FACET_SIZE_CAP
        values of each facet rather than a thousand of every one."""
        size = super().get_facet_size()
        return min(size, FACET_SIZE_CAP) if self.request.args.get("_facet_size") == "max" else size

    def more(self, name: str, facet_size: int) -> dict:
        """Where `…` leads once the facet shows its capped size: nowhere by default."""
        return {}

    def _selected_in_url(self, name: str) -> bool:
        return False

    async def facet_results(self):
        facet_size = self.get_facet_size()
        # One after another, like Datasette's own facets: run together they share the
        # CPU, and each takes long enough to miss its own time limit.
        outcomes = [await self._one(config, facet_size) for config in self.get_configs()]
        results = [o for o in outcomes if isinstance(o, dict)]
        timed_out = [o for o in outcomes if isinstance(o, str)]
        return results, timed_out


class KbColumnFacet(_CachedFacet):
    """Datasette's column facet, counted through the cache."""

    type = "kb_column"

    def facet_sql(self, name: str, limit: int) -> str:
        column = escape_sqlite(name)
        # Years read in year order (newest first); other values by how many works have them.
        order = "value desc" if name in VALUE_ORDERED_COLUMNS else "count desc, value"
        return (
            f"select {column} as value, count(*) as count from ({self.sql}) where {column} is not null "
            f"group by {column} order by {order} limit {limit}"
        )

    def _selected_in_url(self, name: str) -> bool:
        return any(arg.split("__")[0] == name for arg, _ in self.get_querystring_pairs())

    def toggle(self, name: str, value) -> tuple[bool, str]:
        key = f"{name}__exact" if name.startswith("_") else name
        selected = (key, str(value)) in self.get_querystring_pairs()
        if selected:
            return True, path_with_removed_args(self.request, {key: str(value)})
        return False, path_with_added_args(self.request, {key: value, "_next": None})


class RelatedFacet(_CachedFacet):
    """Counts of works per tag, author, organisation or event, from the link tables."""

    type = "kb_related"

    def facet_sql(self, name: str, limit: int) -> str | None:
        relation = RELATIONS.get(name)
        if relation is None or self.table != "articles":
            return None
        link, column = relation.link_table, relation.link_column
        # A work can hold one link twice (an organisation it both discusses and
        # publishes), hence distinct; tags are unique per work.
        counted = "count(*)" if relation.name == "tag" else "count(distinct link.article_id)"
        # Tags are grouped by their folded key afterwards (below), so every tag is counted.
        limited = "" if relation.name == "tag" else f" limit {limit}"
        if not _WHERE.search(self.sql):
            # The whole table is in view: count straight off the index.
            counts = (
                f"select link.{column} as target_id, {counted} as count from {link} as link "
                f"group by link.{column} order by count desc, target_id{limited}"
            )
        elif _WHERE.split(self.sql, 1)[1].strip() == RELATION_FILTER_WHERE:
            # Only kb's relation filters narrow the view: its id list is the works in
            # view, so the link table is walked from it without looking up the works.
            counts = (
                f"select link.{column} as target_id, {counted} as count "
                f"from ({IDS_SQL}) as in_view "
                f"cross join {link} as link on link.article_id = in_view.id "
                f"group by link.{column} order by count desc, target_id{limited}"
            )
        else:
            counts = (
                f"select link.{column} as target_id, {counted} as count "
                f"from (select id from ({self.sql})) as in_view "
                f"cross join {link} as link on link.article_id = in_view.id "
                f"group by link.{column} order by count desc, target_id{limited}"
            )
        if relation.name == "tag":
            # Tags that differ only in case, hyphen or space ("Remote sensing", "remote-sensing")
            # are one value, under the spelling most works use; ?_tag= matches them all by
            # the same folded key. Grouped before the limit, so counted over every tag; the
            # name beside max() is SQLite's bare column: the spelling of the largest count.
            return (
                f"select value, count from (select coalesce(target.name_key, target.id) as folded, target.name as value, "
                f"max(counts.count) as most, sum(counts.count) as count "
                f"from ({counts}) as counts join tags as target on target.id = counts.target_id "
                f"group by folded order by count desc, value limit {limit}) order by count desc, value"
            )
        return (
            f"select target.{relation.label_column} as value, counts.count as count "
            f"from ({counts}) as counts join {relation.target_table} as target on target.id = counts.target_id "
            f"order by counts.count desc, value"
        )

    def more(self, name: str, facet_size: int) -> dict:
        """Past the capped size, the rest of a relation's values are on its own table."""
        relation = RELATIONS.get(name)
        if relation is None or facet_size < FACET_SIZE_CAP:
            return {}
        url = self.ds.urls.table(self.database, relation.target_table)
        return {"more_url": url, "more_label": f"all {relation.target_table} …"}

    def _selected_in_url(self, name: str) -> bool:
        relation = RELATIONS.get(name)
        return relation is not None and any(arg == relation.arg for arg, _ in self.get_querystring_pairs())

    def toggle(self, name: str, value) -> tuple[bool, str]:
        """A value is selected when a filter in the URL names it by kb.lookup's folded key
        (`?_tag=remote sensing` selects "Remote sensing" and "remote-sensing")."""
        arg, value = RELATIONS[name].arg, str(value)
        key = name_key(value)
        for pair_arg, pair_value in self.get_querystring_pairs():
            if pair_arg == arg and name_key(pair_value) == key:
                return True, path_with_removed_args(self.request, {arg: pair_value})
        return False, path_with_added_args(self.request, {arg: value, "_next": None})


FACET_CLASSES = [KbColumnFacet, RelatedFacet]
