"""File names `kb dump` may write on every system co-authors clone a dump onto.

A citekey can hold anything a .bib file held: `:`, `<>|?*`, control characters, a NUL,
a Windows device name (CON, NUL, COM1 ...), 300 characters. Such a key gets a file name
made of a safe slug and a short hash of the key; the key itself is unchanged, inside the
YAML document (`citekey:`), which is what `kb build` reads.
"""

from __future__ import annotations

import hashlib
import re

MAX_STEM = 80  # well under every file system's 255 bytes, with room for "-2.yaml"
_PORTABLE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]*")
_UNSAFE_RUN = re.compile(r"[^A-Za-z0-9._+-]+")
# Windows refuses these as file names, with any extension.
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)), *(f"lpt{n}" for n in range(10))}


def is_portable(stem: str) -> bool:
    return (
        len(stem) <= MAX_STEM
        and _PORTABLE.fullmatch(stem) is not None
        and not stem.endswith(".")
        and stem.split(".")[0].casefold() not in _RESERVED
    )


def portable_stem(name: str) -> str:
    """`name` itself when it is a portable file name, else a slug of it and a short hash."""
    if is_portable(name):
        return name
    digest = hashlib.sha1(name.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    slug = (
        _UNSAFE_RUN.sub("-", name.replace(".", "-")).strip("-")[: MAX_STEM - 11] or "record"
    )  # no dot: "nul.txt" is reserved too
    return f"{slug}-{digest}"
