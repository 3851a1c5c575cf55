"""The only code that writes to a knowledge base.

A command opens a Store, does all its writing inside `store.transaction()` and either
commits everything or nothing. Identity rules decide whether a record is new or one
the knowledge base already holds:

- works: looked up by citekey, DOI, normalised URL, ISBN of a book, then the fuzzy
  rules of `kb.dedupe`; `kb.identity_rules` judges whether what they share makes them
  one work (merge), maybe one (both kept, the pair listed by `kb dedupe`) or two;
  pairs marked "not duplicates" are never merged; a merged record is kept as it came
  (`kb.merging`);
- organisations: name, acronym or alias, events: name or alias, tags: name, each
  compared by the folded key of `kb.lookup` (the one rule every interface uses; the
  store writes the keys beside the names, see `_keys` helpers in entities.py);
- people: their folded name (`kb.names.name_key`).

Names the records use for one another (a work's events, an organisation's parent, a
citation's target) are resolved when the transaction ends, so the records of one
command may arrive in any order (references.py).

The package, one job a module:

    transactions.py  transaction, savepoint, deferred FTS, bulk writes, the history of each command
    bulk.py          the bulk write path: new works' rows queued, written with executemany
    identity.py      IdentityCache: the typed look-up indexes, read once (imports) or queried
    imports.py       the imports table and provenance of records
    works.py         save, merge, rename, replace works; creators, notes, candidates
    entities.py      people, tags, organisations, events and their aliases
    links.py         work <-> event/organisation links, citations
    references.py    references by name, resolved by a table of kind -> handler
    outcomes.py      SaveResult, Counts, ON_DUPLICATE
    stamps.py        now(), current_user(), file_checksum()
    state.py         StoreState: the attributes every part shares, declared once

`Store` is composed of one mixin per part rather than of objects it delegates to: the
parts call one another freely (saving a work tags it, queues its links, fills the
identity cache; a merge reads and drops the cache; resolving a reference links and
cites), they share one connection, one cache and one transaction's state, and every
caller (CLI, importers, kb.curation's editing mixin, kb.merging) holds one `Store`
and calls its methods. Delegation would add a forwarding method per public method or
make callers know which part does what; the mixins keep one public object with the
code filed by job. Only this package's state lives on the Store (set in `__init__`);
the mixins add methods, never state of their own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..curation import Curation
from ..model import EventRecord, OrganisationRecord, PersonRecord, WorkRecord
from .bulk import BulkRows
from .entities import Entities
from .identity import Identity, IdentityCache
from .imports import Imports
from .links import Links
from .outcomes import KB_YAML_FORMAT, ON_DUPLICATE, Counts, SaveResult
from .references import Pending, References
from .stamps import current_user, file_checksum, now
from .transactions import Transactions
from .works import Works

if TYPE_CHECKING:
    import sqlite_utils

__all__ = [
    "KB_YAML_FORMAT",
    "ON_DUPLICATE",
    "Counts",
    "IdentityCache",
    "SaveResult",
    "Store",
    "current_user",
    "file_checksum",
    "now",
]


class Store(Transactions, Identity, Imports, Works, Entities, Links, References, Curation):
    """One knowledge base's writer (Curation: edit, remove, unlink, from kb/curation.py)."""

    def __init__(self, db: sqlite_utils.Database, user: str | None = None):
        self.db = db
        self.conn = db.conn
        self.user = user or current_user()
        self._pending: list[Pending] = []
        # Citekey a record asked for -> the key its work has (it merged into another work,
        # or the key was taken), so citations between one command's records land right
        # whatever order they come in.
        self._saved_keys: dict[str, str] = {}
        self._caches: IdentityCache | None = None
        # Import id -> its file. Not a cache: a savepoint's rollback drops the caches,
        # and the import row it names is still there.
        self._import_files: dict[int, str] = {}
        self._in_transaction = False
        self._bulk: BulkRows | None = None  # bulk.py: during an import's bulk writes
        self._identity_whole = False  # identity.py: during an import
        # Every command's changes go to the history (kb log, kb undo); `kb build` makes a
        # fresh knowledge base from a dump and starts it with an empty history.
        self.record_history = True

    def save(self, record: Any, on_duplicate: str = "merge", import_id: int | None = None) -> SaveResult:
        """Save any record: a work (see `save_work`), an organisation, an event or a person."""
        if isinstance(record, WorkRecord):
            return self.save_work(record, on_duplicate, import_id)
        if isinstance(record, OrganisationRecord):
            outcome, row_id = self.save_organisation(record)
        elif isinstance(record, EventRecord):
            outcome, row_id = self.save_event(record)
        elif isinstance(record, PersonRecord):
            outcome, row_id = self.save_person(record)
        else:
            raise TypeError(record)
        return SaveResult(outcome, row_id, None)
