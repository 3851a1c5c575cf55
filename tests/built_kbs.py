"""Knowledge bases built once per test session and copied for each test that uses one.

Building a knowledge base (`kb build` of the sample, the export cases, the browsing
cases) takes a tenth of a second to a second; copying the built file takes a
millisecond. Each test still gets its own file, so a test that writes cannot change
what another test reads.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any


class BuiltKbs:
    """Built knowledge bases under `folder`, one per name, built on first use."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.results: dict[str, Any] = {}

    def copy(self, name: str, build: Callable[[Path], Any], to: Path) -> Path:
        """A copy at `to` of the knowledge base `build(path)` makes (built once per name)."""
        self.built(name, build)
        shutil.copyfile(self.folder / f"{name}.db", to)
        return to

    def built(self, name: str, build: Callable[[Path], Any]) -> Any:
        """What `build` returned when the knowledge base `name` was built (built now if not yet)."""
        if name not in self.results:
            template = self.folder / f"{name}.db"
            self.results[name] = build(template)
            # Fold any write-ahead log into the file, so that the file alone is the knowledge base.
            conn = sqlite3.connect(template)
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.close()
        return self.results[name]
