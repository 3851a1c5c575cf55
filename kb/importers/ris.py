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
from rispy.config import LIST_TYPE_TAGS, TAG_KEY_MAPPING

from ..date_forms import read_date
from ..errors import KbError
from ..keys import is_valid_citekey
from ..model import ImportWarning, Invalid, Record, WorkRecord
from ..names import SUFFIXES, family_and_given, given_like_a_suffix, parse_name
from .name_lists import family_initials_list

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
_LIST_TAGS = [*LIST_TYPE_TAGS, "SN"]
_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")


def detect(head: str) -> bool:
    return re.search(r"^TY  - ", head.lstrip("\ufeff"), re.MULTILINE) is not None


def parse(text: str, source: str) -> Iterator[Record]:
    chunks = list(_records(text, source))
    trailing = chunks.pop()[3] if chunks and not chunks[-1][1] else []
    if not chunks:
        raise KbError("no RIS records found (a record starts with a `TY  - ` line)", source)
    for index, (line, chunk, closed, skipped) in enumerate(chunks):
        record = _record(line, chunk, closed, source)
        if isinstance(record, WorkRecord):
            # Text skipped around the record is reported with it (the import lists warnings).
            if index == len(chunks) - 1 and trailing:
                record.warnings.insert(0, skipped_text_warning(trailing))
            if skipped:
                record.warnings.insert(0, skipped_text_warning(skipped))
        yield record


def _record(line: int, chunk: str, closed: bool, source: str) -> Record:
    where = f"{source}:{line}"
    if not closed:
        return Invalid("the record is not closed by an `ER  - ` line (is the file truncated?)", where)
    try:
        # UR is not split on ";" (rispy's default): a URL may hold one (";jsessionid=");
        # SN is read as a list: a record may give an ISBN and an ISSN.
        entries = rispy.loads(chunk, skip_unknown_tags=False, delimiter_tags_mapping={}, list_tags=_LIST_TAGS)
    except Exception as exc:  # rispy's own complaint about a malformed record
        return Invalid(f"cannot read this RIS record: {exc}", where)
    if not entries or not entries[0].get("type_of_reference"):
        return Invalid("the record has no `TY` (type) line", where)
    try:
        return record_to_work(entries[0], where)
    except KbError as exc:
        return Invalid(exc.message, where)


def skipped_text_warning(lines: list[tuple[int, str]]) -> ImportWarning:
    """The warning for text outside records (a database's header, "Record #1 of 2"), which is skipped."""
    first, text = lines[0]
    more = f" and {len(lines) - 1} more line(s)" if len(lines) > 1 else ""
    return ImportWarning("text", f"skipped text outside records: line {first} {text[:40]!r}{more}")


def _records(text: str, source: str) -> Iterator[tuple[int, str, bool, list[tuple[int, str]]]]:
    """(first line, text, closed, skipped lines) of each record. Text outside records (a
    database's header such as "Provider: ...", Ovid's record numbers "1.", "Record #1
    of 2", a byte order mark after a space) is skipped and handed back with the record
    that follows it, so that the import reports it."""
    start, lines = None, []
    skipped: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if start is None:
            tag_line = line.replace("\ufeff", "").lstrip()
            if not tag_line.strip():
                continue
            if not tag_line.startswith("TY  -"):
                skipped.append((number, line.replace("\ufeff", "").strip()))
                continue
            start, line = number, tag_line
        lines.append(line)
        if line.startswith("ER  -"):
            yield start, "\n".join(lines) + "\n", True, skipped
            start, lines, skipped = None, [], []
    if start is not None:
        yield start, "\n".join(lines) + "\n", False, skipped
    elif skipped:
        yield skipped[0][0], "", True, skipped  # text after the last record: reported with it


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
        listed = family_initials_list(value)  # PubMed's "Smith A, Walter B" in one AU
        if listed:
            names.extend(listed)
            continue
        try:
            names.append(_ris_name(value))
        except ValueError:
            continue  # an empty AU line
    return names


def _ris_name(value: str) -> dict[str, Any]:
    """RIS's "Last, First, Suffix"; a trailing comma marks an organisation (EndNote's
    convention); "Last, ," (an empty first name and suffix) a family name alone."""
    text = " ".join(value.split())
    family_only = _FAMILY_ONLY.fullmatch(text)
    if family_only:
        return {"family": family_only["family"]}
    if text.endswith(",") and text.strip(", "):
        return {"literal": text[:-1].strip()}
    parts = [p.strip() for p in text.split(",")]
    if len(parts) == 2 and given_like_a_suffix(parts[1], parts[0]):
        # "Asa G. Hilliard, III": RIS's "Last, First", as the RIS spec, Zotero's RIS
        # translator and citation-js read it, not the "First Last, Jr" of other formats
        return family_and_given(parts[0], parts[1])
    if len(parts) == 3 and parts[1].lower() in SUFFIXES and parts[2].lower() not in SUFFIXES:
        return parse_name(text)  # BibTeX's order "Ribeiro, Jr, J.W." (Scopus writes it)
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
        or not (1000 <= numbers[0] <= 2999 or numbers[0] < 0 or len(parts) > 1 and len(parts[0].strip()) == 4)
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
    words = _YEAR_THEN_WORDS.match(value.strip())
    if (date is None or date.kept_as_written) and words:
        # "2001/SEP", "2001/Sep/15", "2001/Sep-Oct" (Web of Science, PubMed, EndNote): read as "15 Sep 2001".
        year, month, day = words.groups()
        rewritten = read_date(f"{day or ''} {month} {year}".strip())
        if rewritten is not None and not rewritten.kept_as_written:
            return {**rewritten.csl, "raw": value.strip()}
    if date is None:
        return None
    if date.kept_as_written:
        warnings.append(ImportWarning("date", f"cannot read the date {value.strip()!r} in {tag}; kept as written"))
    return date.csl


_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_YEAR_THEN_WORDS = re.compile(r"^(\d{4})/+([A-Za-z][A-Za-z.\- ]*?)/*(?:(\d{1,2})/*)?$")


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
    # J2 equal to the journal is kept when the journal has a tag of its own (kb writes both)
    if short_container and (short_container != container or _first(entry, "secondary_title", "journal_name")):
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
        item["page"] = f"{start}-{end}" if end else start  # "665-665" stays as written
    urls = [u.strip() for text in entry.get("urls") or [] for u in _URL_SEPARATOR.split(text or "") if u.strip()]
    if urls:
        item["URL"] = urls[0]
    item.update(serial_numbers([str(s) for s in _as_list(entry.get("issn")) if s and str(s).strip()], csl_type))
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
        needs_review=bool(warnings) or not item.get("title"),  # a record without a title: to be looked at
        warnings=warnings,
    )


# "Diodore de Sicile, ," (kb's export of a family name alone that "Diodore de Sicile" or
# "Diodore de Sicile," would not carry: those are read as given and family names and as an
# organisation). The family holds no comma: "Craddock, Paul T., ," stays ambiguous.
_FAMILY_ONLY = re.compile(r"(?P<family>[^,]*[^,\s]) ?, ?,")
_URL_SEPARATOR = re.compile(r"\s*;\s*(?=https?://)")  # two URLs on one UR line
_SERIAL_SEPARATOR = re.compile(r"[\s,;:()]+")
_ISSN = re.compile(r"^\d{4}-?\d{3}[\dXx]$")


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def serial_numbers(serials: list[str], csl_type: str) -> dict[str, str]:
    """The ISBN and ISSN of a record's SN values (RIS has one tag for both): each by its
    shape; a second of one kind goes where kb's export wrote it from (ISBN, then ISSN),
    a third joins it. The RIS export checks what it writes against this."""
    numbers: dict[str, str] = {}
    for serial in (" ".join(s.split()) for s in serials):
        kind = _serial_kind(serial, csl_type)
        other = "ISSN" if kind == "ISBN" else "ISBN"
        if numbers.get(kind) and not numbers.get(other) and kind == "ISBN":
            kind = other
        numbers[kind] = f"{numbers[kind]}, {serial}" if numbers.get(kind) else serial
    return numbers


def _serial_kind(serial: str, csl_type: str) -> str:
    """ISSN or ISBN for one SN value: by its shape (8 digits; 10 or 13), else by the work's type."""
    if _ISSN.match(serial.strip()):
        return "ISSN"
    # several numbers in one value ("0-690-00141-X 978-0-690-00141-9", library catalogues'
    # "8882651495 : 9788882651497", "0521325919 (v. 14)"): ISBNs when every long number is one
    numbers = [part for part in _SERIAL_SEPARATOR.split(serial) if len(re.sub(r"[^0-9]", "", part)) >= 8]
    if serial.strip() not in numbers and numbers and all(_serial_kind(n, csl_type) == "ISBN" for n in numbers):
        return "ISBN"
    digits = len(re.sub(r"[^0-9Xx]", "", serial))
    if digits == 13 or digits == 10 and "-" in serial:
        return "ISBN"
    return "ISBN" if csl_type in _BOOKISH and digits in (10, 13) else "ISSN"


def _canonical_type(csl_type: str) -> str:
    """The RIS type an exporter would write for a CSL type (the first that maps to it)."""
    return next(tag for tag, mapped in TYPES.items() if mapped == csl_type)
