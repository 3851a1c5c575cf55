"""Writing files so that a kill at any moment leaves either the old file or the new one.

Each file is written to a temporary name beside it and renamed over the old one. A
rename replaces a symbolic link itself, never the file it points to. Only files that
say a whole set of files is complete (kb dump's manifest) are also synced to disk: a
sync per file made a dump of 4,000 works take 41 s instead of 4 s, and what these
writes guard against is a killed process, not a power cut.
"""

from __future__ import annotations

import os
from pathlib import Path

TEMP_SUFFIX = ".kb-tmp"


def write_atomically(path: Path, data: bytes, sync: bool = False) -> None:
    temporary = path.with_name(f".{path.name}{TEMP_SUFFIX}")
    try:
        with open(temporary, "wb") as file:
            file.write(data)
            if sync:
                file.flush()
                os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def remove_leftover_temporaries(folder: Path) -> None:
    """Temporary files a killed writer left behind."""
    for leftover in folder.glob(f".*{TEMP_SUFFIX}"):
        leftover.unlink(missing_ok=True)
