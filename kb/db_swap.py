"""Putting a freshly built knowledge base where the old one was, so that a running
`kb serve` sees it on its next request.

Renaming the new file over the old one is atomic, but a server's open connections keep
reading the old, unlinked file (requests answered 2, 246, 2 works in turn). Instead the
new database is copied into the existing file with SQLite's backup API, under SQLite's
own locks, as one write: readers see the old knowledge base or the new one, never a mix,
and every connection sees the new one on its next query.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path


def side_files(path: Path) -> list[Path]:
    return [Path(f"{path}-wal"), Path(f"{path}-shm")]


def copy_into(staging: Path, target: Path) -> bool:
    """Copy `staging` into the existing database `target`; False when SQLite cannot
    (`target` is not a database, or is locked for longer than the timeout)."""
    source = sqlite3.connect(staging)
    try:
        destination = sqlite3.connect(target, timeout=30)
        try:
            source.backup(destination)
            destination.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            destination.close()
    except sqlite3.DatabaseError:
        return False
    finally:
        source.close()
    return True


def swap_in(staging: Path, target: Path) -> bool:
    """Make `target` the database built at `staging`; staging is gone afterwards.

    True when the old file was updated in place (a running server sees the new data);
    False when it was replaced by a rename (a running server must be restarted)."""
    if target.exists() and copy_into(staging, target):
        for leftover in (staging, *side_files(staging)):
            leftover.unlink(missing_ok=True)
        return True
    for stale in side_files(target):
        stale.unlink(missing_ok=True)
    os.replace(staging, target)
    return False
