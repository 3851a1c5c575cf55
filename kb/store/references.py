"""References by name, resolved when the transaction ends.

Records of one command name one another (a work its events, organisations and the works
it cites; an organisation or event its parent; an event its organisations; a person the
organisations they belong to) and may arrive in any order. Saving queues each such name
as a `Pending` of a kind; `resolve_pending` looks each kind's handler up in `HANDLERS`
and runs it once every record is saved. A name that is still missing fails the command.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import lookup
from ..errors import KbError
from .state import StoreState

if TYPE_CHECKING:
    from . import Store


@dataclass
class Pending:
    """A reference by name, resolved when the transaction ends."""

    kind: str  # a key of HANDLERS
    source_id: int  # the row that names it
    name: str
    detail: dict[str, Any]
    origin: str | None  # where the record came from, for the error message


def _article_event(store: Store, ref: Pending) -> None:
    detail = ref.detail
    store.link(ref.source_id, "events", ref.name, detail["relation"], detail["source"], ref.origin)


def _article_organisation(store: Store, ref: Pending) -> None:
    detail = ref.detail
    store.link(ref.source_id, "organisations", ref.name, detail["relation"], detail["source"], ref.origin)


def _citation(store: Store, ref: Pending) -> None:
    cited = store.find_work(store._saved_keys.get(ref.name, ref.name))
    if cited is None:
        raise KbError(
            f"cites {ref.name!r}, which is not in the knowledge base{lookup.did_you_mean_work(store.conn, ref.name)}",
            ref.origin,
        )
    detail = ref.detail
    store.cite(ref.source_id, cited, detail["relation"], detail["locator"], detail["context"], ref.origin)


def _organisation_parent(store: Store, ref: Pending) -> None:
    parent = store.require_organisation(ref.name, ref.origin)
    _set_parent(store, "organisations", ref.source_id, parent, ref.origin)


def _event_parent(store: Store, ref: Pending) -> None:
    parent = store.require_event(ref.name, ref.origin)
    _set_parent(store, "events", ref.source_id, parent, ref.origin)


def _event_organisation(store: Store, ref: Pending) -> None:
    organisation_id = store.require_organisation(ref.name, ref.origin)
    store.conn.execute(
        "INSERT OR IGNORE INTO event_organisations (event_id, organisation_id, role) VALUES (?, ?, ?)",
        (ref.source_id, organisation_id, ref.detail["role"] or "participant"),
    )


def _affiliation(store: Store, ref: Pending) -> None:
    organisation_id = store.require_organisation(ref.name, ref.origin)
    detail = ref.detail
    store.conn.execute(
        "INSERT OR IGNORE INTO affiliations (author_id, organisation_id, role, start_date, end_date) "
        "VALUES (?, ?, ?, ?, ?)",
        (ref.source_id, organisation_id, detail["role"], detail["start"], detail["end"]),
    )


def _set_parent(store: Store, table: str, row_id: int, parent_id: int, where: str | None) -> None:
    if parent_id == row_id:
        raise KbError("a record cannot be its own parent", where)
    ancestor = parent_id
    while ancestor is not None:  # refuse a cycle
        ancestor = store.conn.execute(f"SELECT parent_id FROM {table} WHERE id = ?", (ancestor,)).fetchone()[0]
        if ancestor == row_id:
            raise KbError("that parent would make a cycle", where)
    store.conn.execute(f"UPDATE {table} SET parent_id = ? WHERE id = ?", (parent_id, row_id))


# A pending reference's kind -> what resolves it.
HANDLERS: dict[str, Callable[[Store, Pending], None]] = {
    "article_event": _article_event,
    "article_organisation": _article_organisation,
    "citation": _citation,
    "organisation_parent": _organisation_parent,
    "event_parent": _event_parent,
    "event_organisation": _event_organisation,
    "affiliation": _affiliation,
}


class References(StoreState):
    """The deferred-references part of `kb.store.Store`."""

    def defer(self, kind: str, source_id: int, name: str, detail: dict[str, Any], origin: str | None) -> None:
        """Queue a reference by name, resolved when the transaction ends."""
        if kind not in HANDLERS:
            raise ValueError(kind)
        self._pending.append(Pending(kind, source_id, name, detail, origin))

    def resolve_pending(self) -> None:
        """Resolve the names records gave for one another; a missing name fails the command."""
        pending, self._pending = self._pending, []
        for ref in pending:
            HANDLERS[ref.kind](self, ref)  # type: ignore[arg-type]  # self is the Store
        if self._pending:  # resolving can queue more (never in practice); finish them too
            self.resolve_pending()

    def _set_parent(self, table: str, row_id: int, parent_id: int, where: str | None) -> None:
        """Make `parent_id` the parent of a row (organisations, events), refusing a cycle."""
        _set_parent(self, table, row_id, parent_id, where)  # type: ignore[arg-type]
