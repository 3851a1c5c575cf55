"""`kb build`: a fresh knowledge base from a folder of kb YAML (what `kb dump` writes).

The new database is built beside the target, in a staging file `<name>.building`,
and only a finished build replaces the target (kb/db_swap.py: copied into the
existing file, so a running `kb serve` sees the new knowledge base on its next
request). A failed build removes its staging file and leaves the target as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .db import connect
from .db_swap import swap_in
from .dump import dump_files
from .dump_manifest import check_folder
from .errors import KbError
from .store import Store


@dataclass
class BuildResult:
    files: int  # the YAML files read
    works: int  # the works added
    note: str  # what the dump's manifest says about the folder ("" when nothing)
    in_place: bool  # the target file was kept and filled (else replaced by a new file)


def staging_path(target: Path) -> Path:
    return target.with_name(target.name + ".building")


def _remove(staging: Path) -> None:
    for leftover in (staging, Path(f"{staging}-wal"), Path(f"{staging}-shm")):
        leftover.unlink(missing_ok=True)


def build_from_dump(
    directory: Path,
    target: Path,
    progress: Callable[[list[Any], str], Iterable[Any]] | None = None,
) -> BuildResult:
    """Build `target` from the dump in `directory`; KbError (target untouched) when the
    folder holds no dump, an unfinished one, or a record kb refuses."""
    from .importing import import_files  # the YAML importer: only for the commands that import

    files = dump_files(directory)
    if not files:
        raise KbError(f"no .yaml files in {directory}")
    manifest = check_folder(directory, files)  # refuses a dump that did not finish
    staging = staging_path(target)
    _remove(staging)
    store = Store(connect(str(staging), must_exist=False))
    store.record_history = False  # the dump holds no history: a built knowledge base starts without one
    try:
        reports = import_files(
            store, files, fmt="yaml", record_import=False, progress=progress, parse_before_lock=False
        )
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.db.conn.close()
    except BaseException:
        store.db.conn.close()
        _remove(staging)
        raise
    in_place = swap_in(staging, target)
    return BuildResult(len(files), sum(r.counts.added for r in reports), manifest.note() or "", in_place)
