"""The many-to-many relations of a work that supervisors facet and filter by.

Each relation is a link table with an index on (target_id, article_id): the facet
counts by walking that index, the filter turns a name into ids through the target
table and then into article ids through the same index. Nothing scans `articles`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Relation:
    name: str              # facet name and query-string key: ?_tag=Russia
    link_table: str        # article_tags
    link_column: str       # tag_id
    target_table: str      # tags
    label_column: str      # the column shown and matched: tags.name
    alias_sql: str = ""    # extra ways a filter value can name a target (acronym, aliases)

    @property
    def arg(self) -> str:
        return f"_{self.name}"

    def ids_for_name_sql(self, param: str) -> str:
        """SQL selecting the ids of targets that `:param` names."""
        sql = f"select id from {self.target_table} where {self.label_column} = :{param}"
        if self.alias_sql:
            sql += " union " + self.alias_sql.format(param=param)
        return sql


RELATIONS: dict[str, Relation] = {
    relation.name: relation
    for relation in (
        Relation("tag", "article_tags", "tag_id", "tags", "name"),
        Relation("author", "article_authors", "author_id", "authors", "name"),
        Relation(
            "organisation", "article_organisations", "organisation_id", "organisations", "name",
            alias_sql=("select id from organisations where acronym = :{param} "
                       "union select organisation_id from organisation_aliases where alias = :{param}"),
        ),
        Relation(
            "event", "article_events", "event_id", "events", "name",
            alias_sql="select event_id from event_aliases where alias = :{param}",
        ),
    )
}
