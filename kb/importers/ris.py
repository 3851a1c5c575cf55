"""RIS files (Scopus, Web of Science, EndNote, Zotero, PubMed exports) as works.

The file is cut into records at ``ER`` lines (so each record knows its line); rispy
reads each record's tags (multi-line values, repeated tags, unknown tags). Tags kb
does not model are kept in ``extra["ris"]`` as ``{TAG: [values]}``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import rispy
from rispy.config import TAG_KEY_MAPPING

from ..date_forms import read_date
from ..errors import KbError
from ..keys import is_valid_citekey
from ..model import ImportWarning, Invalid, Record, WorkRecord
from ..names import parse_name

FORMAT = "ris"
EXTENSIONS = (".ris", ".nbib.ris", ".enw.ris")

TYPES = {
    "JOUR": "article-journal",
    "JFULL": "periodical",
    "EJOUR": "article-journal",
    "INPR": "article-journal",
    "ABST": "article",
    "MGZN": "article-magazine",
    "NEWS": "article-newspaper",
    "BOOK": "book",
    "EBOOK": "book",
    "EDBOOK": "book",
    "SER": "book",
    "CTLG": "book",
    "CHAP": "chapter",
    "ECHAP": "chapter",
    "CONF": "paper-conference",
    "CPAPER": "paper-conference",
    "RPRT": "report",
    "GOVDOC": "report",
    "THES": "thesis",
    "ELEC": "webpage",
    "WEB": "webpage",
    "ICOMM": "webpage",
    "BLOG": "post-weblog",
    "GEN": "document",
    "MULTI": "document",
    "DATA": "dataset",
    "AGGR": "dataset",
    "COMP": "software",
    "PAT": "patent",
    "UNPB": "manuscript",
    "UNPD": "manuscript",
    "MANSCPT": "manuscript",
    "ANCIENT": "manuscript",
    "MPCT": "motion_picture",
    "VIDEO": "motion_picture",
    "CASE": "legal_case",
    "STAT": "legislation",
    "LEGAL": "legislation",
    "BILL": "bill",
    "HEAR": "hearing",
    "ENCYC": "entry-encyclopedia",
    "DICT": "entry-dictionary",
    "PAMP": "pamphlet",
    "MAP": "map",
    "ART": "graphic",
    "FIGURE": "figure",
    "CHART": "figure",
    "SOUND": "song",
    "MUSIC": "musical_score",
    "PCOMM": "personal_communication",
    "STAND": "standard",
    "CLSWK": "classic",
    "EQUA": "document",
    "SLIDE": "speech",
}
_BOOKISH = {"book", "chapter"}
# rispy's key -> tag, to put unmodelled values back under their RIS tag in extra.
_KEY_TAG = {key: tag for tag, key in TAG_KEY_MAPPING.items()}
# Tags read into the CSL item (or tags); everything else goes to extra["ris"].
_MODELLED = {
    "TY",
    "AU",
    "A1",
    "A2",
    "A3",
    "A4",
    "TI",
    "T1",
    "T2",
    "T3",
    "JO",
    "JF",
    "JA",
    "J2",
    "PY",
    "Y1",
    "DA",
    "VL",
    "IS",
    "SP",
    "EP",
    "DO",
    "UR",
    "KW",
    "AB",
    "N2",
    "PB",
    "CY",
    "SN",
    "ET",
    "LA",
    "N1",
    "ST",
    "Y2",
    "ER",
    "ID",
}
_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")


def detect(head: str) -> bool:
    return re.search(r"^TY  - ", head.lstrip("\ufeff"), re.MULTILINE) is not None


def parse(text: str, source: str) -> Iterator[Record]:
    chunks = list(_records(text, source))
    if not chunks:
        raise KbError("no RIS records found (a record starts with a `TY  - ` line)", source)
    for line, chunk, closed in chunks:
        where = f"{source}:{line}"
        if not closed:
            yield Invalid("the record is not closed by an `ER  - ` line (is the file truncated?)", where)
            continue
        try:
            entries = rispy.loads(chunk, skip_unknown_tags=False)
        except Exception as exc:  # rispy's own complaint about a malformed record
            yield Invalid(f"cannot read this RIS record: {exc}", where)
            continue
        if not entries or not entries[0].get("type_of_reference"):
            yield Invalid("the record has no `TY` (type) line", where)
            continue
        try:
            yield record_to_work(entries[0], where)
        except KbError as exc:
            yield Invalid(exc.message, where)


def _records(text: str, source: str) -> Iterator[tuple[int, str, bool]]:
    """(first line, text, closed) of each record; text outside records must be blank."""
    start, lines = None, []
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), 1):
        if start is None:
            if not line.strip():
                continue
            if not line.startswith("TY  -"):
                raise KbError(f"expected a record starting with `TY  - `, found {line[:40]!r}", f"{source}:{number}")
            start = number
        lines.append(line)
        if line.startswith("ER  -"):
            yield start, "\n".join(lines) + "\n", True
            start, lines = None, []
    if start is not None:
        yield start, "\n".join(lines) + "\n", False


def _first(entry: dict[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = entry.get(key)
        if isinstance(value, list):
            value = next((v for v in value if v), None)
        if value:
            return " ".join(str(value).split())
    return None


def _names(values: list[str] | None, where: str) -> list[dict[str, Any]]:
    names = []
    for value in values or []:
        try:
            names.append(_ris_name(value))
        except ValueError:
            continue  # an empty AU line
    return names


def _ris_name(value: str) -> dict[str, Any]:
    """RIS's "Last, First, Suffix"; a trailing comma marks an organisation (EndNote's convention)."""
    text = " ".join(value.split())
    if text.endswith(",") and text.strip(", "):
        return {"literal": text[:-1].strip()}
    parts = [p.strip() for p in text.split(",")]
    if len(parts) >= 3 and all(parts):
        name = parse_name(f"{parts[0]}, {parts[1]}")
        name["given"] = ", ".join(parts[1:-1])
        name["suffix"] = parts[-1]
        return name
    return parse_name(value)


def _strict_date(value: str) -> dict[str, Any] | None:
    """RIS dates: ``2008``, ``2008/08/07/``, ``2008///Summer``, ``2008-08-07``; None for any other form."""
    text = value.strip()
    parts = text.split("/") if "/" in text else text.split("-")
    numbers = []
    for part in parts[:3]:
        part = part.strip()
        if not part:
            break
        if not (part[1:] if part[:1] == "-" and not numbers else part).isdigit():  # "-379///": a year BCE
            return None
        numbers.append(int(part))
    if (
        not numbers
        or not (1000 <= numbers[0] <= 2999 or numbers[0] < 0)
        or len(numbers) > 1
        and not 1 <= numbers[1] <= 12
        or len(numbers) > 2
        and not 1 <= numbers[2] <= 31
    ):
        return None
    date: dict[str, Any] = {"date-parts": [numbers]}
    other = parts[3].strip() if len(parts) > 3 else ""
    if other:
        date["raw"] = text
    return date


def _date(value: str, tag: str, warnings: list[ImportWarning]) -> dict[str, Any] | None:
    """A RIS date, or a date as people write it ("Sep 2001", "Spring 1998"); one kb
    cannot read is kept as written, with a warning."""
    strict = _strict_date(value)
    if strict is not None:
        return strict
    date = read_date(value)
    if date is None:
        return None
    if date.kept_as_written:
        warnings.append(ImportWarning("date", f"cannot read the date {value.strip()!r} in {tag}; kept as written"))
    return date.csl


_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def _issued(entry: dict[str, Any], warnings: list[ImportWarning]) -> dict[str, Any] | None:
    """DA (the full date) and PY (the year): databases often give the month alone in DA
    (``DA  - SEP``, ``DA  - Spring``) and the year in PY, so a DA without a year is read
    with PY's."""
    full, year_text = _first(entry, "date"), _first(entry, "year", "publication_year")
    year = _YEAR.search(year_text or "")
    if full and year and not _YEAR.search(full):
        written = f"{full.strip()} {year.group(1)}"
        date = read_date(written)
        if date is not None and not date.kept_as_written:
            return date.csl
        warnings.append(
            ImportWarning("date", f"cannot read the date {full.strip()!r} in DA; kept as written, year {year.group(1)}")
        )
        return {"date-parts": [[int(year.group(1))]], "raw": written}
    if full:
        return _date(full, "DA", warnings)
    return _date(year_text, "PY", warnings) if year_text else None


def record_to_work(entry: dict[str, Any], where: str) -> WorkRecord:
    ris_type = str(entry["type_of_reference"]).strip().upper()
    csl_type = TYPES.get(ris_type, "document")
    item: dict[str, Any] = {"type": csl_type}
    reference_id = str(entry.get("id") or "").strip()
    # ID is the record's key in the exporting tool: a citekey when it looks like one
    # (kb, Zotero, JabRef); a bare record number (EndNote) stays with the extra tags.
    if reference_id and not reference_id.isdigit() and is_valid_citekey(reference_id):
        item["id"] = reference_id
    authors = _names((entry.get("authors") or []) + (entry.get("first_authors") or []), where)
    if authors:
        item["author"] = authors
    for key, variable in (
        ("secondary_authors", "editor"),
        ("tertiary_authors", "collection-editor"),
        ("subsidiary_authors", "translator"),
    ):
        names = _names(entry.get(key), where)
        if names:
            item[variable] = names
    item["title"] = _first(entry, "title", "primary_title")
    container = _first(
        entry, "alternate_title3", "journal_name", "secondary_title", "alternate_title2", "alternate_title1"
    )
    if container:
        item["container-title"] = container
    short_container = _first(entry, "alternate_title2", "alternate_title1")
    if short_container and short_container != container:
        item["container-title-short"] = short_container
    if _first(entry, "tertiary_title"):
        item["collection-title"] = _first(entry, "tertiary_title")
    warnings: list[ImportWarning] = []
    issued = _issued(entry, warnings)
    if issued:
        item["issued"] = issued
    accessed = _first(entry, "access_date")
    if accessed:
        item["accessed"] = _date(accessed, "Y2", warnings)
    for key, variable in (
        ("volume", "volume"),
        ("number", "issue"),
        ("doi", "DOI"),
        ("publisher", "publisher"),
        ("place_published", "publisher-place"),
        ("edition", "edition"),
        ("language", "language"),
        ("short_title", "title-short"),
    ):
        value = _first(entry, key)
        if value:
            item[variable] = value
    abstract = _first(entry, "abstract", "notes_abstract")
    if abstract:
        item["abstract"] = abstract
    notes = [n for n in entry.get("notes") or [] if n]
    if notes:
        item["note"] = "\n".join(notes)
    start, end = _first(entry, "start_page"), _first(entry, "end_page")
    if start:
        item["page"] = f"{start}-{end}" if end and end != start else start
    urls = [u.strip() for u in entry.get("urls") or [] if u and u.strip()]
    if urls:
        item["URL"] = urls[0]
    serial = _first(entry, "issn")
    if serial:
        item["ISBN" if csl_type in _BOOKISH and re.sub(r"[^0-9Xx]", "", serial).__len__() in (10, 13) else "ISSN"] = (
            serial
        )
    tags = [" ".join(k.split()) for k in entry.get("keywords") or [] if k and k.strip()]
    extra: dict[str, list[str]] = {}
    if ris_type not in TYPES or ris_type != _canonical_type(csl_type):
        extra["TY"] = [ris_type]
    if len(urls) > 1:
        extra["UR"] = urls[1:]
    for key, value in entry.items():
        if key == "unknown_tag":
            for tag, values in value.items():
                extra.setdefault(tag, []).extend(values)
            continue
        tag = _KEY_TAG.get(key)
        if tag == "ID" and "id" not in item:
            extra.setdefault(tag, []).append(str(value))
        elif tag and tag not in _MODELLED:
            extra.setdefault(tag, []).extend(value if isinstance(value, list) else [value])
    return WorkRecord(
        item={k: v for k, v in item.items() if v},
        tags=tags,
        extra={"ris": extra} if extra else {},
        origin=where,
        needs_review=bool(warnings),
        warnings=warnings,
    )


def _canonical_type(csl_type: str) -> str:
    """The RIS type an exporter would write for a CSL type (the first that maps to it)."""
    return next(tag for tag, mapped in TYPES.items() if mapped == csl_type)
