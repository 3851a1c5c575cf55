"""The manifest `kb dump` keeps beside its files, so `kb build` can tell a finished
dump from one that was stopped half-way.

`kb dump` first writes the manifest as "in progress", then each file (each one written
atomically, so no file is ever cut short), and last the real manifest: one
`<sha256>  <path>` line per file, in `sha256sum` format (`sha256sum -c kb-dump.sha256`
checks a dump by hand; the number of lines per folder is the count of records). One
line per file keeps git merges of two researchers' dumps from conflicting.

`kb build` refuses a folder whose manifest says "in progress". A folder with no manifest
was made by hand and is built as it is; files changed since the dump (hand edits, a git
merge) are built as they are, and the build says how many.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import KbError

MANIFEST_NAME = "kb-dump.sha256"
IN_PROGRESS = "# kb dump in progress: this folder is not a finished dump\n"


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest_text(checksums: dict[str, str]) -> str:
    return "".join(f"{digest}  {path}\n" for path, digest in sorted(checksums.items()))


@dataclass
class ManifestCheck:
    """How a folder's files compare with its manifest."""

    has_manifest: bool
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unlisted: list[str] = field(default_factory=list)

    def note(self) -> str | None:
        parts = [
            f"{len(names)} {what}"
            for names, what in ((self.changed, "changed"), (self.missing, "removed"), (self.unlisted, "added"))
            if names
        ]
        return f"{', '.join(parts)} since kb dump wrote the folder (hand edits or a merge)" if parts else None


def read_manifest(directory: Path) -> dict[str, str] | None:
    """{relative path: sha256} from the folder's manifest; None when there is none.
    A manifest of a dump that did not finish is an error."""
    path = directory / MANIFEST_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise KbError(f"{path}: cannot read the dump manifest: {exc}") from None
    if text.startswith(IN_PROGRESS.strip()):
        raise KbError(
            f"{directory} is an unfinished kb dump (it was stopped before writing {MANIFEST_NAME}); run kb dump again"
        )
    checksums = {}
    for number, line in enumerate(text.splitlines(), 1):
        digest, separator, name = line.partition("  ")
        if not separator or len(digest) != 64:
            raise KbError(f"{path}, line {number}: not a `<sha256>  <file>` line")
        checksums[name] = digest
    return checksums


def check_folder(directory: Path, files: list[Path]) -> ManifestCheck:
    """Compare the YAML files kb build is about to read with the folder's manifest."""
    listed = read_manifest(directory)
    if listed is None:
        return ManifestCheck(has_manifest=False)
    check = ManifestCheck(has_manifest=True)
    present = {file.relative_to(directory).as_posix(): file for file in files}
    for name, digest in sorted(listed.items()):
        if name not in present:
            check.missing.append(name)
        elif checksum(present[name].read_bytes()) != digest:
            check.changed.append(name)
    check.unlisted = sorted(set(present) - set(listed))
    return check
