"""Exporters: one module per format, each reading the same works (CSL items plus the
source-format fields kb kept) and writing one text.

Each exporter module defines:

- ``FORMAT``: its name on the command line (``--format bibtex``);
- ``EXTENSION`` and ``MEDIA_TYPE``: for files and HTTP responses;
- ``LABEL``: the format's name in loss reports ("RIS");
- ``write(works, losses, **options) -> str``: the whole export, deterministic; `works`
  is an iterable of `ExportWork` that the writer goes through once. No exporter reads
  the database: what it needs comes in on the works, loaded once by `export_works`
  (``LINKS = True``: each work's links and the records they name, for kb YAML).

What a format cannot carry is recorded in a `Losses` and reported on stderr, never
dropped silently.
"""

from __future__ import annotations

import importlib
import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from ..errors import KbError

# --format name -> module under kb.exporters
EXPORTER_MODULES = {
    "bibtex": "bibtex",
    "biblatex": "biblatex",
    "ris": "ris",
    "csl-json": "csl_json",
    "csv": "csv_table",
    "yaml": "kb_yaml",
}


def format_names() -> list[str]:
    return list(EXPORTER_MODULES)


def exporter(fmt: str) -> ModuleType:
    if fmt not in EXPORTER_MODULES:
        raise KbError(f"unknown export format {fmt!r} (one of {', '.join(EXPORTER_MODULES)})")
    return importlib.import_module(f"{__name__}.{EXPORTER_MODULES[fmt]}")


@dataclass(slots=True)
class ExportWork:
    """One work as exporters see it: `item` is its CSL item with `id` = citekey."""

    article_id: int
    citekey: str
    item: dict[str, Any]
    extra: dict[str, dict[str, Any]]
    tags: list[str] = field(default_factory=list)
    # For an exporter of kb's own records (its module says LINKS = True), loaded with the
    # works: the stored `articles` row, the work's links as its kb YAML document holds
    # them (kb.yaml_format.work_links), and the documents of the organisations, events
    # and people they name, as (kind, place, document) (kb.yaml_format.RelatedDocuments).
    record: dict[str, Any] | None = None
    links: dict[str, list[Any]] | None = None
    related: list[tuple[int, int, dict[str, Any]]] | None = None

    def keywords(self) -> list[str]:
        """The CSL `keyword` list and kb's tags together: what BibTeX `keywords` and RIS
        `KW` carry (and what the importers read back as tags). Sorted case-insensitively,
        then by the words themselves, so "CIGAR" and "cigar" come out in one order on
        every run (a set's order changes with the process's string hashing)."""
        keyword = self.item.get("keyword")
        words = set(self.tags)
        if keyword:
            text = str(keyword)  # split as the importers split it: on ";" when there is one
            words.update(w.strip() for w in text.split(";" if ";" in text else ",") if w.strip())
        # by the words, then (stable) case-insensitively: the order of (casefold, word)
        # without building a tuple per word
        return sorted(sorted(words), key=str.casefold)


@dataclass
class Losses:
    """What a format could not carry: (what, format) -> citekeys of the works concerned."""

    label: str
    found: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def add(self, citekey: str, what: str) -> None:
        self.found[what].add(citekey)

    def lines(self) -> list[str]:
        """ "3 works: event-date not representable in RIS (a2010, b2011, c2012)", sorted."""
        out = []
        for what in sorted(self.found):
            keys = sorted(self.found[what])
            shown = ", ".join(keys[:5]) + (f", ... {len(keys) - 5} more" if len(keys) > 5 else "")
            noun = "work" if len(keys) == 1 else "works"
            out.append(f"{len(keys)} {noun}: {what} not representable in {self.label} ({shown})")
        return out


def report_kept_fields(work: ExportWork, losses: Losses, carried: str | None = None) -> None:
    """Name in the loss report every field an import kept (extra[format][field]) that this
    export does not write back: all of them but those of the `carried` format (the one the
    writer writes back itself). The record type a BibTeX or RIS import kept (`ENTRYTYPE`,
    `TY`) is not counted: every format writes a type of its own."""
    for fmt, kept in sorted(work.extra.items()):
        if fmt == carried or not isinstance(kept, dict):
            continue
        for name in sorted(kept):
            if name not in ("ENTRYTYPE", "TY"):
                losses.add(work.citekey, f"{fmt} field {name}")


class _Rows:
    """The raw columns of the selected works by article id, nothing decoded yet.

    Kept as dicts of strings rather than a tuple or list per work: strings are not
    tracked by Python's cyclic garbage collector, so holding the rows of a whole export
    does not set it off (it would walk every object alive, which in a long-running
    process or a benchmark holding another library is most of the time of an export).
    """

    def __init__(self, conn: sqlite3.Connection, ids: list[int]) -> None:
        self.citekeys: dict[int, str] = {}
        self.csl: dict[int, str] = {}
        self.extra: dict[int, str] = {}
        self.tags: dict[int, str] = {}  # a JSON array of the work's tag names
        for start in range(0, len(ids), 5000):
            chunk = json.dumps(ids[start : start + 5000])
            for article_id, citekey, csl_json, extra_json in conn.execute(
                "SELECT id, citekey, csl_json, extra_json FROM articles WHERE id IN (SELECT value FROM json_each(?))",
                (chunk,),
            ):
                self.citekeys[article_id] = citekey
                self.csl[article_id] = csl_json
                if extra_json:
                    self.extra[article_id] = extra_json
            for article_id, names in conn.execute(
                "SELECT article_id, json_group_array(tags.name) FROM article_tags JOIN tags ON tags.id = tag_id "
                "WHERE article_id IN (SELECT value FROM json_each(?)) GROUP BY article_id",
                (chunk,),
            ):
                self.tags[article_id] = names


_decoder = json.JSONDecoder()


def _decode_stored_json(text: str) -> Any:
    """json.loads for the JSON kb itself stored (json.dumps output: no surrounding white
    space) without json.loads' type checks and white-space matching around it; anything
    else (edited by hand) goes through json.loads, which reads or rejects it as ever."""
    try:
        value, end = _decoder.raw_decode(text)
    except ValueError:
        return json.loads(text)
    return value if end == len(text) else json.loads(text)


def iter_works(conn: sqlite3.Connection, ids: list[int]) -> Iterator[ExportWork]:
    """The works with these ids, in the order given, each decoded only when it is reached.

    Writers that go through the works once use this rather than `load_works`: the
    decoded item of one work is garbage by the time the next is decoded, so the heap
    stays small and the garbage collector has little to do.
    """
    rows = _Rows(conn, ids)
    loads = _decode_stored_json
    citekeys, csl, extra, tags = rows.citekeys, rows.csl, rows.extra, rows.tags
    for article_id in ids:
        citekey = citekeys.get(article_id)
        if citekey is None:
            continue
        item = loads(csl[article_id])
        item["id"] = citekey
        extra_json = extra.get(article_id)
        names = tags.get(article_id)
        # tag names sorted, as SQLite's BINARY order (UTF-8 bytes: code points) would give
        yield ExportWork(
            article_id, citekey, item, loads(extra_json) if extra_json else {}, sorted(loads(names)) if names else []
        )


def load_works(conn: sqlite3.Connection, ids: list[int]) -> list[ExportWork]:
    """The works with these ids, in the order given."""
    return list(iter_works(conn, ids))


@dataclass
class ExportResult:
    text: str
    losses: list[str]
    count: int
    lost: dict[str, list[str]] = field(default_factory=dict)  # what a format could not carry -> citekeys, sorted
    label: str = ""  # the format's name, for messages


def export_works(conn: sqlite3.Connection, ids: list[int], fmt: str, **options: Any) -> ExportResult:
    """Export the works with these ids (already in their order) to a format."""
    module = exporter(fmt)
    losses = Losses(module.LABEL)
    works = iter_works(conn, ids)
    if getattr(module, "LINKS", False):
        works = _with_links(conn, ids, works)
    text = module.write(works, losses, **options)
    lost = {what: sorted(keys) for what, keys in sorted(losses.found.items())}
    return ExportResult(text, losses.lines(), len(ids), lost, module.LABEL)


def _with_links(conn: sqlite3.Connection, ids: list[int], works: Iterator[ExportWork]) -> Iterator[ExportWork]:
    """The works with their stored rows, their links and the records those name."""
    import sqlite_utils

    from ..yaml_format import RelatedDocuments, work_links

    db = sqlite_utils.Database(conn)
    selected = json.dumps(ids)
    rows = {
        row["id"]: row
        for row in db.query("SELECT * FROM articles WHERE id IN (SELECT value FROM json_each(?))", [selected])
    }
    authors: dict[int, set[str]] = defaultdict(set)
    for article_id, name in conn.execute(
        "SELECT article_id, authors.name FROM article_authors JOIN authors ON authors.id = author_id "
        "WHERE article_id IN (SELECT value FROM json_each(?))",
        (selected,),
    ):
        authors[article_id].add(name)
    links = work_links(db, ids=ids)
    related = RelatedDocuments(db)
    for work in works:
        work.record = rows[work.article_id]
        work.links = links.get(work.article_id, {})
        work.related = related.for_work(work.links, authors[work.article_id])
        yield work
