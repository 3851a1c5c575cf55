"""Importers: one module per format, each pure (text in, records out, no database).

Each importer module defines:

- ``FORMAT``: its name on the command line (``--format bibtex``);
- ``EXTENSIONS``: file name endings it claims (``(".bib",)``);
- ``detect(head: str) -> bool``: whether the first few KB of a file look like it;
- ``parse(text: str, source: str) -> Iterator[Record]``: the records, raising
  ``KbError`` with ``where="file:line"`` for input it cannot read.

`IMPORTER_FORMATS` lists them (`registry()` imports them all, `importer(fmt)` one);
`detect_format` picks one for a file.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from ..errors import KbError
from ..limits import read_bounded
from ..model import Record

# --format name (each module's FORMAT) -> module under kb.importers, in the order
# detection tries them. Named here so that listing the formats (`kb import --help`)
# does not import every importer and its libraries (trafilatura, extruct, bibtexparser ...).
IMPORTER_FORMATS = {
    "yaml": "kb_yaml",
    "bibtex": "bibtex",
    "ris": "ris",
    "wos": "wos",
    "csl-json": "csl_json",
    "csv": "csv_table",
    "html": "html_page",
    "pasted": "pasted",
}
IMPORTER_MODULES = list(IMPORTER_FORMATS.values())
# The file name endings each format claims (each module's EXTENSIONS; a test checks
# they agree): a file is told by its name without importing every importer and its
# libraries, which cost a fifth of a second of each import.
IMPORTER_EXTENSIONS: dict[str, tuple[str, ...]] = {
    "yaml": (".yaml", ".yml"),
    "bibtex": (".bib", ".bibtex", ".biblatex"),
    "ris": (".ris", ".nbib.ris", ".enw.ris"),
    "wos": (),
    "csl-json": (".csl.json", ".json", ".csljson"),
    "csv": (".csv", ".tsv", ".tab"),
    "html": (".html", ".htm", ".xhtml"),
    "pasted": (),
}
# Other names accepted by --format: BibLaTeX files are read by the BibTeX reader.
FORMAT_ALIASES = {"biblatex": "bibtex"}


def registry() -> dict[str, ModuleType]:
    return {fmt: importer(fmt) for fmt in IMPORTER_FORMATS}


def importer(fmt: str) -> ModuleType:
    """The importer module of one format (imported on first use)."""
    return importlib.import_module(f"{__name__}.{IMPORTER_FORMATS[fmt]}")


def format_names() -> list[str]:
    return list(IMPORTER_FORMATS)


def read_text(path: str | Path, encoding: str | None = None) -> str:
    """A file's text: UTF-8 (a BOM is dropped), or the encoding the user names."""
    path = Path(path)

    def check_head(head: bytes) -> None:  # before the rest is read: /dev/zero fails at once
        if head.lstrip().startswith(b"%PDF-"):
            raise KbError(
                "is a PDF, not text: import its metadata (BibTeX, RIS) or the web page it came from", str(path)
            )
        if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise KbError("is a binary file, not text", str(path))

    try:
        data = read_bounded(path, check_head)
    except FileNotFoundError:
        raise KbError("no such file", str(path)) from None
    except IsADirectoryError:
        raise KbError("is a directory, not a file", str(path)) from None
    except OSError as exc:
        raise KbError(f"cannot read the file: {exc.strerror or exc}", str(path)) from None
    if not data.strip():
        raise KbError("the file is empty", str(path))
    if encoding:
        try:
            return data.decode(encoding).lstrip("\ufeff")
        except (UnicodeDecodeError, LookupError) as exc:
            raise KbError(f"cannot be read as {encoding}: {exc}", str(path)) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise KbError(
            f"byte 0x{data[exc.start]:02x} is not UTF-8; if the file is Latin-1, pass --encoding latin-1",
            f"{path}:{line}",
        ) from None


def detect_format(path: str | Path, text: str) -> str:
    """The format of a file: by its name ending first, then by its content."""
    name = str(path).lower()
    head = text[:8192]
    for fmt, extensions in IMPORTER_EXTENSIONS.items():
        if any(name.endswith(ext) for ext in extensions):
            if fmt == "ris" and not importer("ris").detect(head) and importer("wos").detect(head):
                return "wos"  # Web of Science's tagged text saved as .ris (rispy's own test file is)
            return fmt
    modules = registry()
    for fmt, module in modules.items():
        if module.detect(head):
            return fmt
    raise KbError(f"cannot tell the format of this file; pass --format (one of {', '.join(modules)})", str(path))


# Formats that read a web page, and so take the page's address (`kb import --url`).
WEB_FORMATS = ("html", "pasted")


def parse_file(
    path: str | Path,
    fmt: str | None = None,
    encoding: str | None = None,
    column_map: dict[str, str] | None = None,
    url: str | None = None,
) -> tuple[str, Iterator[Record]]:
    """(format, records) for a file; `column_map` (``--map``) goes to the table importer,
    `url` (``--url``) to the web page importers."""
    text = read_text(path, encoding)
    fmt = FORMAT_ALIASES.get(fmt or "", fmt)
    if fmt is None:
        fmt = detect_format(path, text)
    elif fmt not in IMPORTER_FORMATS:
        raise KbError(f"unknown format {fmt!r} (one of {', '.join(IMPORTER_FORMATS)})")
    options: dict[str, object] = {}
    if column_map:
        if fmt != "csv":
            raise KbError(f"--map applies to CSV/TSV tables, not to {fmt}", str(path))
        options["column_map"] = column_map
    if url is not None:
        if fmt not in WEB_FORMATS:
            raise KbError(f"--url is for a saved or pasted web page, and this file reads as {fmt}", str(path))
        options["url"] = url
    return fmt, importer(fmt).parse(text, str(path), **options)
