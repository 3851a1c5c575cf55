"""CSV and TSV tables (a spreadsheet of sources, events or organisations).

The delimiter is sniffed (comma, semicolon, tab, pipe); the text encoding is UTF-8
(with or without BOM) or UTF-16 with BOM (Excel's "Unicode text"), or what
``--encoding`` names. Columns are matched to fields by their header, case and
punctuation aside ("Title", "Author(s)", "Publication Year", "DOI" ...), or by
``--map column=field``. Which fields the header maps to says what the rows are: a
``title`` makes works; ``acronym``/``country`` make organisations; ``date``/``location``
make events (or say ``--map kind=events``). Author cells take "Last, First; Last,
First" or "First Last and First Last".
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

from ..date_forms import read_date
from ..dates import parse_partial_date
from ..errors import KbError
from ..model import CSL_TYPES, EventRecord, ImportWarning, Invalid, OrganisationRecord, Participant, Record, WorkRecord
from ..names import fold, parse_name, split_name_list

FORMAT = "csv"
EXTENSIONS = (".csv", ".tsv", ".tab")

# Folded header -> field. Work fields are CSL variables (plus kb's citekey and tags).
WORK_HEADERS = {
    "title": "title",
    "item title": "title",
    "article title": "title",
    "document title": "title",
    "name of work": "title",
    "author": "author",
    "authors": "author",
    "author s": "author",
    "creator": "author",
    "creators": "author",
    "author full names": "author",
    "editor": "editor",
    "editors": "editor",
    "editor s": "editor",
    "year": "year",
    "publication year": "year",
    "pub year": "year",
    "py": "year",
    "date": "issued",
    "publication date": "issued",
    "published": "issued",
    "date published": "issued",
    "issued": "issued",
    "journal": "container-title",
    "publication": "container-title",
    "publication title": "container-title",
    "source": "container-title",
    "source title": "container-title",
    "container": "container-title",
    "container title": "container-title",
    "outlet": "container-title",
    "periodical": "container-title",
    "book title": "container-title",
    "website": "container-title",
    "blog": "container-title",
    "doi": "DOI",
    "url": "URL",
    "link": "URL",
    "web address": "URL",
    "abstract": "abstract",
    "summary": "abstract",
    "keywords": "tags",
    "tags": "tags",
    "keyword": "tags",
    "manual tags": "tags",
    "author keywords": "tags",
    "type": "type",
    "item type": "type",
    "document type": "type",
    "volume": "volume",
    "issue": "issue",
    "number": "issue",
    "pages": "page",
    "page": "page",
    "publisher": "publisher",
    "place": "publisher-place",
    "publisher place": "publisher-place",
    "isbn": "ISBN",
    "issn": "ISSN",
    "language": "language",
    "notes": "note",
    "note": "note",
    "extra": "note",
    "key": "citekey",
    "citekey": "citekey",
    "citation key": "citekey",
    "accessed": "accessed",
    "access date": "accessed",
    "date accessed": "accessed",
    "urldate": "accessed",
    "edition": "edition",
    "series": "collection-title",
    "collection title": "collection-title",  # kb's own CSV export writes this column
    "short title": "title-short",
    "status": "status",
}
EVENT_HEADERS = {
    "name": "name",
    "event": "name",
    "event name": "name",
    "type": "type",
    "kind of event": "type",
    "date": "date",
    "dates": "date",
    "when": "date",
    "place": "location",
    "location": "location",
    "where": "location",
    "aliases": "aliases",
    "alias": "aliases",
    "also known as": "aliases",
    "parent": "parent",
    "part of": "parent",
    "description": "description",
    "organisations": "organisations",
    "organizations": "organisations",
    "participants": "organisations",
    "start": "start",
    "start date": "start",
    "end": "end",
    "end date": "end",
}
ORGANISATION_HEADERS = {
    "name": "name",
    "organisation": "name",
    "organization": "name",
    "acronym": "acronym",
    "abbreviation": "acronym",
    "type": "type",
    "country": "country",
    "parent": "parent",
    "part of": "parent",
    "url": "url",
    "website": "url",
    "description": "description",
    "aliases": "aliases",
    "alias": "aliases",
    "also known as": "aliases",
}
KINDS = ("works", "events", "organisations")

# Spreadsheet type words -> CSL types.
TYPE_WORDS = {
    "journal article": "article-journal",
    "article": "article-journal",
    "book": "book",
    "book chapter": "chapter",
    "chapter": "chapter",
    "report": "report",
    "blog post": "post-weblog",
    "blog": "post-weblog",
    "web page": "webpage",
    "webpage": "webpage",
    "website": "webpage",
    "news": "article-newspaper",
    "newspaper article": "article-newspaper",
    "magazine article": "article-magazine",
    "thesis": "thesis",
    "conference paper": "paper-conference",
    "review": "review",
    "working paper": "report",
    "policy brief": "report",
    "speech": "speech",
    "interview": "interview",
    "dataset": "dataset",
    "document": "document",
    "treaty": "treaty",
    "legislation": "legislation",
}


def detect(head: str) -> bool:
    first = head.lstrip("\ufeff").splitlines()[0] if head.strip() else ""
    return any(sep in first for sep in (",", "\t", ";")) and not first.lstrip().startswith(("@", "{", "[", "TY  -"))


def _dialect(text: str, source: str) -> type[csv.Dialect] | csv.Dialect:
    if source.lower().endswith((".tsv", ".tab")):
        return csv.excel_tab
    if text.lstrip("\ufeff").startswith("citekey,type,title,"):
        return csv.excel  # kb's own export: the sniffer can misread its quoting on long abstracts
    sample = text[:16384]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        counts = {d: first.count(d) for d in ",;\t|"}
        delimiter = max(counts, key=counts.get)
        if not counts[delimiter]:
            return csv.excel

        class Sniffed(csv.excel):
            pass

        Sniffed.delimiter = delimiter
        return Sniffed


def _ends_inside_quotes(text: str, delimiter: str, quotechar: str | None) -> bool:
    """Whether the text ends inside a quoted field: a file cut short, whose last record
    Python's csv module would hand over cut (a DOI ending "arXiv.")."""
    if not quotechar:
        return False
    q, d = re.escape(quotechar), re.escape(delimiter)
    # A quoted field starts a line or follows a delimiter; "" inside it is a quote.
    pattern = rf"(?:^|(?<=[{d}\r\n]))[ \t]*{q}(?:[^{q}]|{q}{q})*({q}?)"
    last = None
    for last in re.finditer(pattern, text):  # noqa: B007  (the last match is what is wanted)
        pass
    return last is not None and last.group(1) == "" and last.end() == len(text)


def parse(text: str, source: str, column_map: dict[str, str] | None = None) -> Iterator[Record]:
    dialect = _dialect(text, source)
    if _ends_inside_quotes(text, dialect.delimiter, dialect.quotechar):
        line = text.count("\n") + 1
        raise KbError("the file ends inside a quoted field: it looks cut short", f"{source}:{line}")
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = next(reader)
    except StopIteration:
        raise KbError("the file is empty", source) from None
    except csv.Error as exc:
        raise KbError(f"cannot read the CSV header: {exc}", f"{source}:1") from None
    kind, fields = _map_header(header, column_map or {}, source)
    make = {"works": _work, "events": _event, "organisations": _organisation}[kind]
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield Invalid(f"cannot read this row: {exc}", f"{source}:{reader.line_num}")
            break
        where = f"{source}:{reader.line_num}"
        if not any(cell.strip() for cell in row):
            continue
        values: dict[str, str] = {}
        for field, cell in zip(fields, row):
            if field and cell.strip():
                values[field] = f"{values[field]}; {cell.strip()}" if field in values else cell.strip()
        try:
            yield make(values, where)
        except KbError as exc:
            yield Invalid(exc.message, where)


def _map_header(header: list[str], column_map: dict[str, str], source: str) -> tuple[str, list[str | None]]:
    """The kind of rows and each column's field, from the header and --map."""
    kind = column_map.get("kind")
    if kind and kind not in KINDS:
        raise KbError(f"--map kind= should be one of {', '.join(KINDS)}", source)
    mapped = {fold(column): field for column, field in column_map.items() if column != "kind"}
    unknown = [c for c in column_map if c != "kind" and fold(c) not in {fold(h) for h in header}]
    if unknown:
        raise KbError(
            f"--map names a column the header does not have: {unknown[0]!r} (columns: {', '.join(header)})",
            f"{source}:1",
        )
    folded = [fold(h) for h in header]
    if kind is None:
        guessed = [mapped.get(h) or WORK_HEADERS.get(h) for h in folded]
        if "title" in guessed:
            kind = "works"
        elif any(
            mapped.get(h) in ("acronym", "country") or h in ("acronym", "country", "organisation", "organization")
            for h in folded
        ):
            kind = "organisations"
        elif any(
            mapped.get(h) in ("date", "start", "location")
            or EVENT_HEADERS.get(h) in ("date", "start", "location")
            or h == "event"
            for h in folded
        ):
            kind = "events"
    table = {"works": WORK_HEADERS, "events": EVENT_HEADERS, "organisations": ORGANISATION_HEADERS}.get(kind or "", {})
    fields = [mapped.get(h) or table.get(h) for h in folded]
    needed = {"works": "title", "events": "name", "organisations": "name"}
    if kind is None or needed[kind] not in fields:
        raise KbError(
            f"the header matches no known columns ({', '.join(header)}); a table of works needs a Title column, "
            "of events or organisations a Name column; name them with --map column=field",
            f"{source}:1",
        )
    return kind, fields


def _names(text: str, where: str) -> list[dict[str, Any]]:
    """ "Last, First; Last, First", "First Last and First Last" or "Last, First and Last, First"."""
    parts = split_name_list(text)
    if len(parts) == 1 and text.count(",") > 1 and ";" not in text:
        parts = [p.strip() for p in text.split(",") if p.strip()]  # "First Last, First Last"
        if any(" " not in p for p in parts):
            parts = [text]
    names = []
    for part in parts:
        try:
            names.append(parse_name(part))
        except ValueError:
            continue
    return names


def _date(text: str, field: str, warnings: list[ImportWarning]) -> dict[str, Any] | None:
    """A work's date as people write it; one kb cannot read is kept as written, with a warning."""
    date = read_date(text)
    if date is None:
        return None
    if date.kept_as_written:
        warnings.append(ImportWarning("date", f"cannot read the {field} {text.strip()!r}; kept as written"))
    return date.csl


def _work(values: dict[str, str], where: str) -> WorkRecord:
    item: dict[str, Any] = {}
    tags: list[str] = []
    status = None
    warnings: list[ImportWarning] = []
    for field, value in values.items():
        if field in ("author", "editor"):
            item[field] = _names(value, where)
        elif field == "issued" or field == "accessed":
            date = _date(value, field, warnings)
            if date:
                item[field] = date
        elif field == "year":
            continue
        elif field == "tags":
            # "a; b, c" is two tags (kb's own export joins with "; "); "a, b" alone is two.
            tags = [t for t in (" ".join(t.split()) for t in re.split(r";" if ";" in value else r",", value)) if t]
        elif field == "citekey":
            item["id"] = value
        elif field == "status":
            status = value.lower()
        elif field == "type":
            # A CSL type name is taken as it is; otherwise a spreadsheet word ("Journal Article").
            item["type"] = value if value in CSL_TYPES else TYPE_WORDS.get(value.lower(), "document")
        else:
            item[field] = value
    if "issued" not in item and values.get("year"):
        date = _date(values["year"], "year", warnings)
        if date:
            item["issued"] = date
    if "type" not in item:
        item["type"] = "article-journal" if item.get("container-title") and item.get("volume") else "document"
    return WorkRecord(item=item, tags=tags, status=status, origin=where, needs_review=bool(warnings), warnings=warnings)


def _split(value: str | None) -> list[str]:
    return [p.strip() for p in re.split(r"[;|]", value or "") if p.strip()]


def _event(values: dict[str, str], where: str) -> EventRecord:
    date = values.get("date")
    if not date and values.get("start"):
        date = values["start"] + (f"/{values['end']}" if values.get("end") else "")
    if date:
        try:
            parse_partial_date(date)
        except KbError as exc:
            raise KbError(f"date: {exc.message}", where) from None
    return EventRecord(
        name=values["name"],
        type=values.get("type"),
        date=date,
        location=values.get("location"),
        parent=values.get("parent"),
        description=values.get("description"),
        aliases=_split(values.get("aliases")),
        organisations=[
            Participant(*p.rsplit(":", 1)) if ":" in p else Participant(p) for p in _split(values.get("organisations"))
        ],
        origin=where,
    )


def _organisation(values: dict[str, str], where: str) -> OrganisationRecord:
    return OrganisationRecord(
        name=values["name"],
        acronym=values.get("acronym"),
        type=values.get("type"),
        country=values.get("country"),
        parent=values.get("parent"),
        url=values.get("url"),
        description=values.get("description"),
        aliases=_split(values.get("aliases")),
        origin=where,
    )
