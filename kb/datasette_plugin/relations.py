"""The many-to-many relations of a work that supervisors facet and filter by.

Each relation is a link table with an index on (target_id, article_id): the facet
counts by walking that index, the filter turns a name into ids through kb.lookup (the
folded key columns of the target table) and then into article ids through the same
index. Nothing scans `articles`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from ..lookup import find_named


@dataclass(frozen=True)
class Relation:
    name: str  # facet name, query-string key (?_tag=Russia) and kb.lookup kind
    link_table: str  # article_tags
    link_column: str  # tag_id
    target_table: str  # tags
    label_column: str  # the column a facet shows: tags.name

    @property
    def arg(self) -> str:
        return f"_{self.name}"

    def target_ids(self, conn: sqlite3.Connection, value: str) -> list[int]:
        """The targets a typed value names, by kb.lookup's rule (the one `kb export` uses):
        folded name, acronym or alias, through the indexed key columns."""
        return find_named(conn, self.name, value)


RELATIONS: dict[str, Relation] = {
    relation.name: relation
    for relation in (
        Relation("tag", "article_tags", "tag_id", "tags", "name"),
        Relation("author", "article_authors", "author_id", "authors", "name"),
        Relation("organisation", "article_organisations", "organisation_id", "organisations", "name"),
        Relation("event", "article_events", "event_id", "events", "name"),
    )
}
