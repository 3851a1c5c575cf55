"""Web of Science tagged text ("Plain text file" / "Other file formats" exports) as works.

A file opens with ``FN Clarivate Analytics Web of Science`` and ``VR 1.0``; each record
is a run of lines ``XX value`` (a two-character tag, a space, the value) ending at ``ER``,
and ``EF`` ends the file. A line indented by three spaces continues the tag above: one
more value for lists (``AU``, ``AF``, ``CR``, ``C1``), more words for text (``TI``, ``AB``).
Tags kb does not model are kept in ``extra["wos"]`` as ``{TAG: [values]}``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..date_forms import read_date
from ..errors import KbError
from ..model import ImportWarning, Invalid, Record, WorkRecord
from ..names import parse_name
from .ris import skipped_text_warning

FORMAT = "wos"
EXTENSIONS: tuple[str, ...] = ()  # exported as savedrecs.txt: told by its content

# PT (publication type) -> CSL type; DT (document type) refines it.
PUBLICATION_TYPES = {"J": "article-journal", "B": "book", "S": "book", "P": "patent", "C": "paper-conference"}
DOCUMENT_TYPES = {
    "proceedings paper": "paper-conference",
    "book chapter": "chapter",
    "book": "book",
    "meeting abstract": "paper-conference",
    "editorial material": "article-journal",
    "book review": "review-book",
}
# Tags whose continuation lines are more values, not more words of one value.
LIST_TAGS = {"AU", "AF", "BA", "BF", "ED", "CA", "CR", "C1", "C3", "RP", "EM", "RI", "OI", "FU", "GP", "BE"}
MODELLED = {"PT", "DT", "AU", "AF", "ED", "BE", "TI", "SO", "JI", "J9", "SE", "BS", "PY", "PD", "VL", "IS", "BP"}
MODELLED |= {"EP", "DI", "AB", "DE", "ID", "SN", "EI", "BN", "PU", "PI", "LA", "ER"}
_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9])(?: (.*))?$")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def detect(head: str) -> bool:
    """The file's FN header, or (a file cut from a bigger one) a PT line first and tagged lines after it."""
    start = head.replace("\ufeff", "").lstrip()
    if start.startswith(("FN Clarivate Analytics Web of Science", "FN Thomson Reuters Web of")):
        return True
    return bool(re.match(r"(?:FN .*\n)?(?:VR 1\.0\n)?PT [JBSPC]\s*\n(?:AU|AF|TI|BA|CA|GP) ", start))


def parse(text: str, source: str) -> Iterator[Record]:
    records = list(_records(text))
    if not records:
        raise KbError("no Web of Science records found (a record starts with a `PT` line and ends with `ER`)", source)
    for line, fields, closed, skipped in records:
        where = f"{source}:{line}"
        if not closed:
            yield Invalid("the record is not closed by an `ER` line (is the file truncated?)", where)
            continue
        work = record_to_work(fields, where)
        if skipped:
            work.warnings.insert(0, skipped_text_warning(skipped))
        yield work


def _records(text: str) -> Iterator[tuple[int, dict[str, list[str]], bool, list[tuple[int, str]]]]:
    """(first line, {tag: values}, closed, skipped lines) of each record. The file's own
    header (FN, VR) and end (EF) are not records; other text outside records is skipped
    and handed back with the record that follows."""
    start: int | None = None
    fields: dict[str, list[str]] = {}
    tag = None
    skipped: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.replace("\ufeff", "").rstrip()
        if start is None:
            if not line.strip() or re.match(r"^(FN|VR|EF)\b", line):
                continue
            match = _TAG_LINE.match(line)
            if not match or match.group(1) == "ER":
                skipped.append((number, line.strip()))
                continue
            start, fields, tag = number, {}, None
        if line.startswith("   ") and tag:
            value = line.strip()
            if tag in LIST_TAGS:
                fields[tag].append(value)
            else:
                fields[tag][-1] = f"{fields[tag][-1]} {value}".strip()
            continue
        match = _TAG_LINE.match(line)
        if not match:
            continue  # a blank line inside a record
        tag = match.group(1)
        if tag == "ER":
            yield start, fields, True, skipped
            start, skipped, tag = None, [], None
            continue
        fields.setdefault(tag, []).append((match.group(2) or "").strip())
    if start is not None:
        yield start, fields, False, skipped


def _one(fields: dict[str, list[str]], *tags: str) -> str | None:
    for tag in tags:
        value = " ".join(" ".join(fields.get(tag, [])).split())
        if value:
            return value
    return None


def _names(values: list[str]) -> list[dict[str, Any]]:
    names = []
    for value in values:
        try:
            names.append(parse_name(value))
        except ValueError:
            continue
    return names


def _issued(fields: dict[str, list[str]], warnings: list[ImportWarning]) -> dict[str, Any] | None:
    """PY (the year) with PD (``SEP``, ``SEP 15``, ``2001 SEP``, ``SPR``, ``2001``)."""
    year_text, published = _one(fields, "PY"), _one(fields, "PD")
    year = _YEAR.search(year_text or published or "")
    if not year:
        return None
    if published and published.strip() != year.group(1):
        written = published if _YEAR.search(published) else f"{published} {year.group(1)}"
        date = read_date(written)
        if date is not None and not date.kept_as_written:
            return date.csl
        warnings.append(ImportWarning("date", f"cannot read the date {published!r} in PD; kept the year of PY"))
        return {"date-parts": [[int(year.group(1))]], "raw": written}
    return {"date-parts": [[int(year.group(1))]]}


def record_to_work(fields: dict[str, list[str]], where: str) -> WorkRecord:
    publication_type = (_one(fields, "PT") or "J").upper()
    document_type = (_one(fields, "DT") or "").lower()
    csl_type = DOCUMENT_TYPES.get(document_type) or PUBLICATION_TYPES.get(publication_type, "document")
    item: dict[str, Any] = {"type": csl_type}
    authors = _names(fields.get("AF") or fields.get("AU") or [])
    if authors:
        item["author"] = authors
    editors = _names(fields.get("BE") or fields.get("ED") or [])
    if editors:
        item["editor"] = editors
    item["title"] = _one(fields, "TI")
    item["container-title"] = _one(fields, "SO", "SE", "BS")
    item["container-title-short"] = _one(fields, "JI", "J9")
    warnings: list[ImportWarning] = []
    item["issued"] = _issued(fields, warnings)
    for tag, variable in (("VL", "volume"), ("IS", "issue"), ("DI", "DOI"), ("AB", "abstract")):
        item[variable] = _one(fields, tag)
    for tag, variable in (("PU", "publisher"), ("PI", "publisher-place"), ("LA", "language"), ("BN", "ISBN")):
        item[variable] = _one(fields, tag)
    item["ISSN"] = _one(fields, "SN", "EI")
    start, end = _one(fields, "BP"), _one(fields, "EP")
    if start:
        item["page"] = f"{start}-{end}" if end and end != start else start
    tags = [
        " ".join(word.split())
        for tag in ("DE", "ID")
        for value in fields.get(tag, [])
        for word in value.split(";")
        if word.strip()
    ]
    extra = {tag: values for tag, values in fields.items() if tag not in MODELLED}
    return WorkRecord(
        item={k: v for k, v in item.items() if v},
        tags=list(dict.fromkeys(tags)),
        extra={"wos": extra} if extra else {},
        origin=where,
        needs_review=bool(warnings) or not item.get("title"),  # a record without a title: to be looked at
        warnings=warnings,
    )
