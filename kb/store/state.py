"""The state every part of the Store shares, declared once (`Store.__init__` sets it).

The parts (transactions, identity, works, ...) are mixins of one `Store`; each inherits
this class so its methods' uses of `self.conn`, `self._pending` and the rest are declared.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite_utils

    from .bulk import BulkRows
    from .identity import IdentityCache
    from .references import Pending


class StoreState:
    db: sqlite_utils.Database
    conn: sqlite3.Connection
    user: str
    record_history: bool  # False only for `kb build`: a fresh knowledge base, an empty history
    _in_transaction: bool
    _pending: list[Pending]  # references by name, resolved when the transaction ends
    _saved_keys: dict[str, str]  # citekey a record asked for -> the key its work got
    _caches: IdentityCache | None  # None: read again at next use
    _import_files: dict[int, str]  # import id -> its file
    _identity_whole: bool  # identity.py: the cache read whole (an import), not a query a look-up
    _bulk: BulkRows | None  # new works' rows waiting to be written (bulk.py), None outside bulk writes
