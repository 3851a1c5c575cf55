"""Links between works and events or organisations, and citations between works."""

from __future__ import annotations

from ..errors import KbError
from ..model import (
    CITATION_RELATIONS,
    LINK_RELATIONS,
    LINK_SOURCES,
)
from .state import StoreState

# A link target table -> (the join table, its target column).
_LINK_TABLES = {"events": ("article_events", "event_id"), "organisations": ("article_organisations", "organisation_id")}


class Links(StoreState):
    """The links part of `kb.store.Store` (see kb/store/__init__.py)."""

    def link(
        self,
        article_id: int,
        table: str,
        name: str,
        relation: str = "discusses",
        source: str = "manual",
        where: str | None = None,
    ) -> bool:
        """Link a work to an event or organisation; True when the link is new."""
        if relation not in LINK_RELATIONS:
            raise KbError(f"unknown relation {relation!r} (one of {', '.join(LINK_RELATIONS)})", where)
        if source not in LINK_SOURCES:
            raise KbError(f"unknown link source {source!r}", where)
        target_id = self.require_event(name, where) if table == "events" else self.require_organisation(name, where)
        return self.link_target(article_id, table, target_id, relation, source)

    def link_target(
        self, article_id: int, table: str, target_id: int, relation: str = "discusses", source: str = "manual"
    ) -> bool:
        """Link a work to the event or organisation with this id; True when the link is new."""
        link_table, column = _LINK_TABLES[table]
        return (
            self.conn.execute(
                f"INSERT OR IGNORE INTO {link_table} (article_id, {column}, relation, source) VALUES (?, ?, ?, ?)",
                (article_id, target_id, relation, source),
            ).rowcount
            > 0
        )

    def confirm_detected_link(self, article_id: int, table: str, target_id: int) -> None:
        """A person accepted a detected link: it becomes a manual one (kb link --review)."""
        link_table, column = _LINK_TABLES[table]
        self.conn.execute(
            f"UPDATE OR IGNORE {link_table} SET source = 'manual' WHERE article_id = ? AND {column} = ? AND source = 'detected'",
            (article_id, target_id),
        )

    def reject_link(self, article_id: int, table: str, target_id: int) -> None:
        """A person rejected a detected link: drop it and never propose it again."""
        link_table, column = _LINK_TABLES[table]
        self.conn.execute(
            f"DELETE FROM {link_table} WHERE article_id = ? AND {column} = ? AND source = 'detected'",
            (article_id, target_id),
        )
        self.conn.execute(
            "INSERT OR IGNORE INTO rejected_links (article_id, target_table, target_id) VALUES (?, ?, ?)",
            (article_id, table, target_id),
        )

    def cite(
        self,
        citing_id: int,
        cited_id: int,
        relation: str = "cites",
        locator: str | None = None,
        context: str | None = None,
        where: str | None = None,
    ) -> bool:
        if relation not in CITATION_RELATIONS:
            raise KbError(f"unknown citation relation {relation!r} (one of {', '.join(CITATION_RELATIONS)})", where)
        if citing_id == cited_id:
            raise KbError(f"a work cannot cite itself ({self.citekey_of(citing_id)})", where)
        cursor = self.conn.execute(
            "INSERT OR IGNORE INTO citations (citing_id, cited_id, relation, locator, context) VALUES (?, ?, ?, ?, ?)",
            (citing_id, cited_id, relation, locator, context),
        )
        return cursor.rowcount > 0
