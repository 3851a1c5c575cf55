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
from .name_lists import family_initials_list
from .ris import TYPES as RIS_TYPES

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
    # Snake-case column names (revtools, synthesisr, rispy's keys written as a table).
    "first authors": "author",
    "primary authors": "author",
    "secondary authors": "editor",
    "primary title": "title",
    "secondary title": "container-title",
    "journal name": "container-title",
    "start page": "page-start",
    "end page": "page-end",
    "type of reference": "type",
    # Vendors' export headers (Scopus, Zotero, Mendeley, Web of Science, PubMed).
    "author names": "author",
    "author full names": "author-full",
    "full author names": "author-full",
    "page start": "page-start",
    "page end": "page-end",
    "abbreviated source title": "container-title-short",
    "journal abbreviation": "container-title-short",
    "abstract note": "abstract",
    "language of original document": "language",
    "publication type": "type",
    "publication name": "container-title",
    "journal book": "container-title",
    "create date": "issued",
    "entrez date": "issued",
    # Web of Science's tab-delimited export: its field tags as the header.
    "au": "author",
    "af": "author-full",
    "ti": "title",
    "so": "container-title",
    "ji": "container-title-short",
    "vl": "volume",
    "is": "issue",
    "bp": "page-start",
    "ep": "page-end",
    "di": "DOI",
    "ab": "abstract",
    "de": "tags",
    "sn": "ISSN",
    "bn": "ISBN",
    "pu": "publisher",
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
    # Zotero's item types (its CSV "Item Type" column).
    "journalarticle": "article-journal",
    "booksection": "chapter",
    "conferencepaper": "paper-conference",
    "blogpost": "post-weblog",
    "magazinearticle": "article-magazine",
    "newspaperarticle": "article-newspaper",
    "proceedings paper": "paper-conference",
}


def detect(head: str) -> bool:
    first = head.lstrip("\ufeff").splitlines()[0] if head.strip() else ""
    return any(sep in first for sep in (",", "\t", ";")) and not first.lstrip().startswith(("@", "{", "[", "TY  -"))


def _dialect(text: str, source: str, column_map: dict[str, str]) -> type[csv.Dialect] | csv.Dialect:
    """The dialect whose delimiter gives the header the most known columns: the sniffed
    one first, then comma, semicolon, tab and pipe (the sniffer is fooled by titles full
    of commas in a semicolon-separated file, or by a one-column sample)."""
    if text.lstrip("\ufeff").startswith("citekey,type,title,"):
        return csv.excel  # kb's own export: the sniffer can misread its quoting on long abstracts
    sample = text[:16384]
    candidates: list[type[csv.Dialect] | csv.Dialect] = []
    if source.lower().endswith((".tsv", ".tab")):
        candidates.append(csv.excel_tab)
    try:
        candidates.append(csv.Sniffer().sniff(sample, delimiters=",;\t|"))
    except csv.Error:
        pass
    for delimiter in ",;\t|":

        class Plain(csv.excel):
            pass

        Plain.delimiter = delimiter
        candidates.append(Plain)
    known = {_header_key(c) for c in column_map} | set(WORK_HEADERS) | set(EVENT_HEADERS) | set(ORGANISATION_HEADERS)

    def known_columns(dialect: type[csv.Dialect] | csv.Dialect) -> int:
        try:
            header = next(csv.reader(io.StringIO(sample, newline=""), dialect), [])
        except csv.Error:
            return -1
        return sum(_header_key(cell) in known for cell in header)

    scores = [known_columns(dialect) for dialect in candidates]
    return candidates[scores.index(max(scores))]


def _header_key(column: str) -> str:
    """A header cell as the tables above spell it: "Author(s)", "first_authors" -> "author s", "first authors"."""
    return fold(column.replace("_", " "))


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
    dialect = _dialect(text, source, column_map or {})
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
    mapped = {_header_key(column): field for column, field in column_map.items() if column != "kind"}
    unknown = [c for c in column_map if c != "kind" and _header_key(c) not in {_header_key(h) for h in header}]
    if unknown:
        raise KbError(
            f"--map names a column the header does not have: {unknown[0]!r} (columns: {', '.join(header)})",
            f"{source}:1",
        )
    folded = [_header_key(h) for h in header]
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
    if kind == "works" and fields.count("container-title") > 1 and "source" in folded and "source" not in mapped:
        # Scopus's "Source" column names the database ("Scopus"); its "Source title" is the journal.
        fields[folded.index("source")] = None
    needed = {"works": "title", "events": "name", "organisations": "name"}
    if kind is None or needed[kind] not in fields:
        raise KbError(
            f"the header matches no known columns ({', '.join(header)}); a table of works needs a Title column, "
            "of events or organisations a Name column; name them with --map column=field",
            f"{source}:1",
        )
    return kind, fields


def _names(text: str, where: str) -> list[dict[str, Any]]:
    """ "Last, First; Last, First", "First Last and First Last", "Last, First and Last, First",
    or PubMed's and Scopus's "Family Initials" lists ("Smith A, Walter BC", "Smith A.; Walter B.C.")."""
    listed = family_initials_list(text)
    if listed:
        return listed
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
            item.setdefault(field, _names(value, where))
        elif field == "author-full":
            # Scopus's "Author full names" ("Smith, Anna (57190000001); ...") over its "Authors" ("Smith A.").
            item["author"] = _names(re.sub(r"\s*\(\d+\)", "", value), where)
        elif field in ("page-start", "page-end"):
            continue
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
            item["type"] = (
                value
                if value in CSL_TYPES
                else TYPE_WORDS.get(value.lower()) or RIS_TYPES.get(value.upper(), "document")  # "JOUR"
            )
        else:
            item[field] = value
    start, end = values.get("page-start"), values.get("page-end")
    if start and "page" not in item:
        item["page"] = f"{start}-{end}" if end and end != start else start
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
