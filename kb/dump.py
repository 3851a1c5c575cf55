"""`kb dump`: the whole knowledge base as sorted, deterministic YAML, one file per record.

One file per record keeps git diffs and merges small: editing a work touches one file.
The documents and their text are kb's YAML format (kb/yaml_format.py); this module
lays them out in folders, safely. The files are what `kb build` and `kb import` read
(kb/importers/kb_yaml.py), and dump -> build -> dump gives the same bytes.
"""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from .atomic_files import remove_leftover_temporaries, write_atomically
from .dump_manifest import IN_PROGRESS, MANIFEST_NAME, checksum, manifest_text
from .errors import KbError
from .keys import slug
from .portable_names import portable_stem
from .yaml_format import event_documents, organisation_documents, person_documents, to_yaml, work_documents

FOLDERS = ("organisations", "events", "people", "works")


def _real_folder(directory: Path, folder: str) -> Path:
    """directory/folder, made if need be; a symbolic link there is refused, so a dump never
    writes or deletes outside the folder it was given."""
    target = directory / folder
    if target.is_symlink():
        raise KbError(f"{target} is a symbolic link; kb dump only writes inside {directory} (remove the link)")
    target.mkdir(exist_ok=True)
    return target


def _unchanged(path: Path, data: bytes) -> bool:
    return path.is_file() and not path.is_symlink() and path.read_bytes() == data


def dump(db: sqlite_utils.Database, directory: str | Path) -> dict[str, int]:
    """Write every record to `directory`/<kind>/<name>.yaml; remove files of records gone.

    Safe to kill at any moment: the manifest says "in progress" until the last file is
    written (kb build refuses such a folder), each file is replaced atomically, and files
    of records gone are removed only after every new one is written. Symbolic links in
    the folder are never written through or followed out of it.
    """
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        write_atomically(directory / MANIFEST_NAME, IN_PROGRESS.encode())
        checksums: dict[str, str] = {}
        stale: list[Path] = []
        counts = {}
        for folder, documents in (
            ("organisations", organisation_documents(db)),
            ("events", event_documents(db)),
            ("people", person_documents(db)),
            ("works", work_documents(db)),
        ):
            target = _real_folder(directory, folder)
            remove_leftover_temporaries(target)
            written: set[str] = set()  # casefolded: Windows and macOS see Key.yaml and key.yaml as one file
            for name, doc in documents:
                stem = portable_stem(slug(name) if folder != "works" else name)
                file_name, n = f"{stem}.yaml", 2
                while file_name.casefold() in written:
                    file_name, n = f"{stem}-{n}.yaml", n + 1
                written.add(file_name.casefold())
                data = to_yaml(doc).encode("utf-8")
                path = target / file_name
                if not _unchanged(path, data):
                    write_atomically(path, data)
                checksums[f"{folder}/{file_name}"] = checksum(data)
            stale += [path for path in target.glob("*.yaml") if path.name.casefold() not in written]
            counts[folder] = len(written)
        for path in stale:
            path.unlink()  # a link is removed, not what it points to
        write_atomically(directory / MANIFEST_NAME, manifest_text(checksums).encode(), sync=True)
    except OSError as exc:
        raise KbError(
            f"cannot write the dump to {directory}: {exc.strerror or exc}"
            + (f" ({exc.filename})" if exc.filename else "")
        ) from None
    return counts


def dump_files(directory: str | Path) -> list[Path]:
    """The YAML files of a dump (or any folder of kb YAML), in load order."""
    directory = Path(directory)
    order = {folder: i for i, folder in enumerate(FOLDERS)}
    files = sorted(directory.rglob("*.y*ml"), key=lambda p: (order.get(p.parent.name, len(order)), str(p)))
    return [p for p in files if p.suffix in (".yaml", ".yml")]
