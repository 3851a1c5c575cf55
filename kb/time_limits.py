"""Stopping a long SQLite query: after a time limit, or when the user presses Ctrl-C.

SQLite runs a query in C, where Python's Ctrl-C handler cannot reach it: the query only
stops when it ends. A progress handler, called every few thousand SQLite instructions,
stops it instead when the time is up or Ctrl-C was pressed (the signal handler only
notes the press while the query runs).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

WHERE_TIME_LIMIT_S = 60.0  # `kb export --where`; KB_WHERE_TIME_LIMIT_S overrides it
_EVERY_INSTRUCTIONS = 10_000


def where_time_limit() -> float:
    try:
        return float(os.environ.get("KB_WHERE_TIME_LIMIT_S", WHERE_TIME_LIMIT_S))
    except ValueError:
        return WHERE_TIME_LIMIT_S


@dataclass
class Stop:
    """Why the query was stopped, once it was: None while it runs."""

    reason: str | None = None


@contextlib.contextmanager
def stoppable(conn: sqlite3.Connection, seconds: float) -> Iterator[Stop]:
    """Queries on `conn` inside this block stop (sqlite3.OperationalError "interrupted")
    after `seconds` or at Ctrl-C; `stop.reason` then says which."""
    stop = Stop()
    deadline = time.monotonic() + seconds
    pressed = threading.Event()

    def progress() -> int:
        if pressed.is_set():
            stop.reason = "stopped (Ctrl-C)"
            return 1
        if time.monotonic() > deadline:
            stop.reason = f"took longer than {seconds:g} s, the time limit"
            return 1
        return 0

    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, lambda *_: pressed.set()) if in_main_thread else None
    conn.set_progress_handler(progress, _EVERY_INSTRUCTIONS)
    try:
        yield stop
    finally:
        conn.set_progress_handler(None, 0)
        if in_main_thread:
            signal.signal(signal.SIGINT, previous)
        if pressed.is_set() and stop.reason is None:
            raise KeyboardInterrupt
