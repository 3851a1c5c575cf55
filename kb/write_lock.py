"""Taking the knowledge base's write lock: a second writer waits its turn, and says so.

SQLite lets one command write at a time. With only a busy timeout, `kb add` during a
long `kb import` failed after 5 s with "database is locked". Instead, a command that
finds the lock taken tells the user after a second that it is waiting, and waits up to
ten minutes (KB_LOCK_WAIT_S) before giving up with a one-line error.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time

FIRST_TRY_MS = 1000
LOCK_WAIT_S = 600.0


def lock_wait_s() -> float:
    try:
        return float(os.environ.get("KB_LOCK_WAIT_S", LOCK_WAIT_S))
    except ValueError:
        return LOCK_WAIT_S


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def begin_immediate(conn: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE, waiting (with a message on stderr) while another command writes."""
    timeout_ms = conn.execute("PRAGMA busy_timeout").fetchone()[0]
    conn.execute(f"PRAGMA busy_timeout = {FIRST_TRY_MS}")
    try:
        try:
            conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise
        print("Waiting for another kb command to finish writing to the knowledge base ...", file=sys.stderr, flush=True)
        deadline = time.monotonic() + lock_wait_s()
        while True:
            remaining_ms = int((deadline - time.monotonic()) * 1000)
            conn.execute(f"PRAGMA busy_timeout = {max(remaining_ms, 1)}")
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() >= deadline:
                    raise
    finally:
        conn.execute(f"PRAGMA busy_timeout = {timeout_ms}")
