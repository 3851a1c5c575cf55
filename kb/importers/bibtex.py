"""BibTeX and BibLaTeX files (``.bib``) as works.

bibtexparser 2's block model, through `bibtex_splitter` (the same blocks as
bibtexparser's Splitter, faster; it hands unusual blocks to that Splitter), cuts the
file into blocks (entries, ``@string``, ``@preamble``, ``@comment``; a block it
cannot read becomes a failed block with its line). Its middlewares are not used: macro expansion and ``#`` concatenation,
``crossref``/``xdata`` inheritance, LaTeX decoding and the CSL mapping are done here in
one pass per entry, which is what keeps a 17,000-entry import within a couple of
seconds. Fields CSL has no variable for are kept in ``extra["bibtex"]`` (with the entry
type as ``ENTRYTYPE``) so an export gives them back.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any, NamedTuple

from bibtexparser.model import Block, DuplicateFieldKeyBlock, Entry, ParsingFailedBlock, String

from ..date_forms import NO_DATE_WORDS, clean_date_text, read_date
from ..errors import KbError
from ..limits import MAX_FIELD_CHARS, check_field_size
from ..model import ImportWarning, Invalid, Record, WorkRecord
from ..names import _CORPORATE_WORDS, SUFFIXES, parse_name, split_name_list
from .bibtex_splitter import iter_blocks
from .latex_text import latex_to_text

FORMAT = "bibtex"
EXTENSIONS = (".bib", ".bibtex", ".biblatex")

MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
_MONTH_NAMES = {
    **MONTHS,
    **{
        name: i
        for i, name in enumerate(
            "january february march april may june july august september october november december".split(), 1
        )
    },
}

# BibTeX/BibLaTeX entry type -> CSL type.
TYPES = {
    "article": "article-journal",
    "book": "book",
    "mvbook": "book",
    "booklet": "pamphlet",
    "inbook": "chapter",
    "incollection": "chapter",
    "suppbook": "chapter",
    "bookinbook": "chapter",
    "collection": "book",
    "mvcollection": "book",
    "proceedings": "book",
    "mvproceedings": "book",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "manual": "report",
    "mastersthesis": "thesis",
    "phdthesis": "thesis",
    "thesis": "thesis",
    "techreport": "report",
    "report": "report",
    "misc": "document",
    "online": "webpage",
    "electronic": "webpage",
    "www": "webpage",
    "unpublished": "manuscript",
    "patent": "patent",
    "periodical": "periodical",
    "dataset": "dataset",
    "software": "software",
    "reference": "book",
    "mvreference": "book",
    "inreference": "entry-encyclopedia",
    "standard": "standard",
    "video": "motion_picture",
    "movie": "motion_picture",
    "audio": "song",
    "music": "song",
    "image": "graphic",
    "artwork": "graphic",
    "letter": "personal_communication",
    "legislation": "legislation",
    "jurisdiction": "legal_case",
    "legal": "legislation",
    "review": "review",
    "suppperiodical": "article",
    "suppcollection": "chapter",
    "presentation": "speech",
}
_SEASONS = {"spring": 1, "summer": 2, "autumn": 3, "fall": 3, "winter": 4}
_THESIS_GENRE = {"phdthesis": "PhD thesis", "mastersthesis": "Master's thesis"}
_CONTAINED = {"chapter", "paper-conference", "entry-encyclopedia"}  # booktitle is their container
# A crossref parent's container fields, which a contained child does not inherit.
_PARENT_CONTAINERS = frozenset({"booktitle", "booksubtitle", "journal", "journaltitle", "journalsubtitle"})

# Text fields mapped one to one (decoded from LaTeX).
TEXT_FIELDS = {
    "title": "title",
    "shorttitle": "title-short",
    "journal": "container-title",
    "journaltitle": "container-title",
    "shortjournal": "container-title-short",  # BibLaTeX's journal abbreviation (kb writes it)
    "series": "collection-title",
    "publisher": "publisher",
    "address": "publisher-place",
    "location": "publisher-place",
    "edition": "edition",
    "abstract": "abstract",
    "note": "note",
    "eventtitle": "event-title",
    "venue": "event-place",
    "type": "genre",
    "howpublished": "medium",
    "language": "language",
    "langid": "language",
    "version": "version",
    "pubstate": "status",
    "annotation": "annote",
    "annote": "annote",
    "origtitle": "original-title",
    "library": "archive",
}
# Fields kept verbatim (identifiers and numbers).
PLAIN_FIELDS = {
    "doi": "DOI",
    "isbn": "ISBN",
    "issn": "ISSN",
    "volume": "volume",
    "issue": "issue",
    "chapter": "chapter-number",
    "pagetotal": "number-of-pages",
    "volumes": "number-of-volumes",
    "pmid": "PMID",
    "pmcid": "PMCID",
    "callnumber": "call-number",
}
NAME_FIELDS = {"author": "author", "editor": "editor", "translator": "translator", "bookauthor": "container-author"}
DATE_FIELDS = {"urldate": "accessed", "eventdate": "event-date", "origdate": "original-date"}
TAG_FIELDS = ("keywords", "tags")
_KEYWORD_SEPARATOR = re.compile(r"[,;](?![^{]*\})")  # outside one level of braces
# Read into other fields; not kept again in extra.
CONSUMED = {
    "year",
    "month",
    "day",
    "date",
    "url",
    "pages",
    "number",
    "booktitle",
    "subtitle",
    "maintitle",
    "institution",
    "school",
    "organization",
    "xdata",
    "eprint",
    "eprinttype",
    "archiveprefix",
}
_NUMBERED_CONTAINER = {"article-journal", "article", "article-magazine", "article-newspaper", "periodical"}
_URL_COMMAND = re.compile(r"\\url\{([^}]*)\}")
_URL_ESCAPES = re.compile(r"\\([_%&#~$])")


def detect(head: str) -> bool:
    return re.search(r"^\s*@\w+\s*[{(]", head, re.MULTILINE) is not None


class EntryHead(NamedTuple):
    """What the importer needs of an entry besides its fields (the entry itself, with
    its raw text and field objects, is let go once read, to keep the memory down)."""

    entry_type: str
    key: str
    start_line: int | None


class BibFile:
    """The works of a .bib file: sized (for the progress bar) and made lazily.

    The blocks are read once, here, into each entry's fields (needed up front for
    ``crossref`` and ``xdata``); the works are made one at a time while they are saved.
    """

    def __init__(self, text: str, source: str):
        self.source = source
        self._entries: list[tuple[EntryHead, dict[str, str]]] | None = []
        self._by_key: dict[str, dict[str, str]] = {}
        self._failures: list[tuple[int, Invalid]] = []
        self._repeated: dict[int, list[ImportWarning]] = {}  # entry index -> its repeated fields
        # (warning, origin) about the file rather than one work: blocks that are not works.
        self.warnings: list[tuple[ImportWarning, str]] = []
        self._count = 0
        self._read(iter_blocks(_without_comment_lines(text)))

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Record]:
        # Read once: each entry's fields are let go as its work is made (memory again).
        if self._entries is None:
            raise RuntimeError("a BibFile is read once")
        entries, self._entries = self._entries, None
        return _records(entries, self._by_key, self._failures, self._repeated, self.warnings, self.source)

    def _read(self, blocks: Iterator[Block]) -> None:
        """Macros expanded, fields collected; a key repeated exactly is a duplicate
        block (bibtexparser's Library rule): its fields never replace the first's."""
        macros: dict[str, str] = {}
        entry_keys: set[str] = set()
        string_keys: set[str] = set()
        entries, by_key = self._entries, self._by_key
        for block in blocks:
            if isinstance(block, String):
                self._count += block.key in string_keys  # bibtexparser counts a repeated one as a failed block
                if block.key not in string_keys:
                    string_keys.add(block.key)
                    macros[block.key.lower()] = check_field_size(
                        _value(block.value, macros), f"@string {block.key}", _where(self.source, block)
                    )
            elif isinstance(block, DuplicateFieldKeyBlock) and isinstance(block.ignore_error_block, Entry):
                # A field given twice: the first value is kept (BibTeX's own rule), the
                # others are reported.
                self._count += 1
                entry = block.ignore_error_block
                fields, repeated = _first_fields(entry, macros, _where(self.source, entry))
                self._repeated[len(entries)] = repeated
                entries.append((_head(entry), fields))
                if entry.key in entry_keys:
                    by_key.setdefault(entry.key.lower(), fields)
                else:
                    entry_keys.add(entry.key)
                    by_key[entry.key.lower()] = fields
            elif isinstance(block, ParsingFailedBlock):
                self._count += 1
                reason = getattr(block.error, "abort_reason", None) or str(block.error)
                self._failures.append(
                    (
                        len(entries),
                        Invalid(
                            f"cannot read this BibTeX block: {' '.join(reason.split())}", _where(self.source, block)
                        ),
                    )
                )
            elif isinstance(block, Entry):
                self._count += 1
                fields, repeated = _first_fields(
                    block, macros, _where(self.source, block)
                )  # `title` and `Title`: one field given twice
                if repeated:
                    self._repeated[len(entries)] = repeated
                entries.append((_head(block), fields))
                if block.key in entry_keys:
                    by_key.setdefault(block.key.lower(), fields)
                else:
                    entry_keys.add(block.key)
                    by_key[block.key.lower()] = fields
        # Keep by key only the entries that others inherit from.
        wanted = set()
        for _, fields in entries:
            wanted.add(fields.get("crossref", "").strip().lower())
            wanted.update(k.strip().lower() for k in fields.get("xdata", "").split(","))
        self._by_key = {key: fields for key, fields in by_key.items() if key in wanted}


def _head(entry: Entry) -> EntryHead:
    return EntryHead(entry.entry_type, entry.key, entry.start_line)


def parse(text: str, source: str) -> BibFile:
    return BibFile(text, source)


def _records(
    entries: list[tuple[EntryHead, dict[str, str]]],
    by_key: dict[str, dict[str, str]],
    failures: list[tuple[int, Invalid]],
    repeated: dict[int, list[ImportWarning]],
    file_warnings: list[tuple[ImportWarning, str]],
    source: str,
) -> Iterator[Record]:
    if not entries and not failures:
        raise KbError("no BibTeX entries found", source)
    failure_at: dict[int, list[Invalid]] = {index: [] for index, _ in failures}
    for index, invalid in failures:
        failure_at[index].append(invalid)
    for index, pair in enumerate(entries):
        entry, fields = pair
        entries[index] = None  # type: ignore[call-overload]  # this entry's fields are not needed after its work
        yield from failure_at.get(index, ())
        if entry.entry_type == "set":  # a BibLaTeX entry set: its members are works of their own
            file_warnings.append(
                (
                    ImportWarning("block", f"@set {entry.key} ignored (its members are imported as works)"),
                    _where(source, entry),
                )
            )
            continue
        if entry.entry_type == "xdata":
            continue  # a data container that other entries inherit from, not a work
        try:
            work = entry_to_work(entry, _inherit(entry.entry_type, fields, by_key), source)
            if index in repeated:
                work.warnings[:0] = repeated[index]
            yield work
        except KbError as exc:
            yield Invalid(exc.message, exc.where or _where(source, entry))
    yield from failure_at.get(len(entries), ())


def _where(source: str, block: Any) -> str:
    line = block.start_line
    return f"{source}:{line + 1}" if line is not None else source


# A line that starts with `%`: a comment for biber and LaTeX (BibTeX itself ignores only
# text outside entries, so `%@ARTICLE{x1,...` would otherwise be read as an entry
# with fields named `%  title`). Blanked, not removed, so line numbers stay right.
_COMMENT_LINE = re.compile(r"^[ \t]*%.*$", re.MULTILINE)


def _without_comment_lines(text: str) -> str:
    return _COMMENT_LINE.sub("", text) if "%" in text else text


def _first_fields(
    entry: Entry, macros: dict[str, str], where: str | None = None
) -> tuple[dict[str, str], list[ImportWarning]]:
    """An entry's fields, the first value of a repeated one kept; the others as warnings."""
    fields: dict[str, str] = {}
    repeated = []
    for field in entry.fields:
        key = field.key.lower()
        value = _value(field.value, macros)
        if len(value) > MAX_FIELD_CHARS:  # (the message only then: an import reads 150,000 fields)
            check_field_size(value, f"the field {field.key}", where)
        if key in fields:
            if value != fields[key]:
                shown = value if len(value) <= 60 else value[:57] + "..."
                repeated.append(
                    ImportWarning(
                        "field", f"{entry.key}: field {key!r} given again; kept the first value, ignored {shown!r}"
                    )
                )
            else:
                repeated.append(ImportWarning("field", f"{entry.key}: field {key!r} given twice with the same value"))
            continue
        fields[key] = value
    return fields, repeated


_VALUE_PART = re.compile(r'\s*(\{|"|[^\s#]+)')


def _value(raw: str, macros: dict[str, str]) -> str:
    """A field's value: enclosing braces or quotes removed, macros expanded, ``#`` joined."""
    raw = raw.strip()
    if "#" not in raw:
        if raw[:1] == "{" and raw[-1:] == "}" or raw[:1] == '"' and raw[-1:] == '"':
            return raw[1:-1]
        if raw.isdigit():
            return raw
        return _macro(raw, macros)
    parts, i, n = [], 0, len(raw)
    while i < n:
        char = raw[i]
        if char in " \t\r\n#":
            i += 1
        elif char == "{":
            end = _matching_brace(raw, i)
            parts.append(raw[i + 1 : end])
            i = end + 1
        elif char == '"':
            end = i + 1
            depth = 0
            while end < n and (raw[end] != '"' or depth):
                depth += {"{": 1, "}": -1}.get(raw[end], 0)
                end += 1
            parts.append(raw[i + 1 : end])
            i = end + 1
        else:
            end = i
            while end < n and raw[end] not in " \t\r\n#":
                end += 1
            parts.append(_macro(raw[i:end], macros))
            i = end
    return "".join(parts)


def _matching_brace(text: str, start: int) -> int:
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    return len(text)


def _macro(name: str, macros: dict[str, str]) -> str:
    key = name.lower()
    if key in macros:
        return macros[key]
    if key in MONTHS:
        return key
    return name  # an undefined macro: BibTeX warns and uses nothing; keeping the word loses less


def _inherit(entry_type: str, fields: dict[str, str], by_key: dict[str, dict[str, str]]) -> dict[str, str]:
    """Fields from `xdata` entries and the `crossref` parent fill the gaps (BibLaTeX's rules, simplified)."""
    if "xdata" not in fields and "crossref" not in fields:
        return fields
    merged = dict(fields)
    for key in (k.strip().lower() for k in fields.get("xdata", "").split(",") if k.strip()):
        for name, value in by_key.get(key, {}).items():
            merged.setdefault(name, value)
    parent = by_key.get(fields.get("crossref", "").strip().lower())
    if parent:
        contained = TYPES.get(entry_type) in _CONTAINED
        for name, value in parent.items():
            if name in ("ids", "crossref", "xdata", "key", "keywords", "tags"):
                continue
            if contained and name in _PARENT_CONTAINERS:
                # the parent's own container (a proceedings' series name in `booktitle`,
                # the `journal` kb writes for it) is not the child's: the child's is the
                # parent's title, whatever order the parent's fields come in
                continue
            if name == "title":  # the parent's title is the child's book or proceedings title
                merged.setdefault("booktitle", value)
                if TYPES.get(entry_type) not in _CONTAINED:
                    merged.setdefault("title", value)
            elif name == "subtitle":
                merged.setdefault("booksubtitle", value)
            else:
                merged.setdefault(name, value)
    return merged


def entry_to_work(entry: Entry | EntryHead, fields: dict[str, str], source: str) -> WorkRecord:
    """One entry as a WorkRecord; KbError for a value that cannot be read."""
    where = _where(source, entry)
    entry_type = entry.entry_type.lower()
    csl_type = TYPES.get(entry_type, "document")
    item: dict[str, Any] = {"id": entry.key.strip(), "type": csl_type}
    extra: dict[str, Any] = {"ENTRYTYPE": entry_type}
    tags: list[str] = []
    warnings: list[ImportWarning] = []
    for name, value in fields.items():
        if not value:
            continue
        if name in TEXT_FIELDS:
            item.setdefault(TEXT_FIELDS[name], latex_to_text(value))
        elif name in PLAIN_FIELDS:
            item.setdefault(PLAIN_FIELDS[name], _plain(value, name))
        elif name in NAME_FIELDS:
            names = _names(value, name, where)
            if names:
                item[NAME_FIELDS[name]] = names
        elif name in DATE_FIELDS:
            date = _date(value, name, warnings)
            if date:
                item[DATE_FIELDS[name]] = date
        elif name in TAG_FIELDS:
            tags.extend(_tags(value))
        elif name not in CONSUMED:
            extra[name] = value
    title = item.get("title")
    subtitle = latex_to_text(fields.get("subtitle") or "").strip()  # `subtitle = {}` adds nothing
    if subtitle:
        item["title"] = f"{title}: {subtitle}" if title else subtitle
    if "booktitle" in fields:
        booktitle = latex_to_text(fields["booktitle"])
        booksubtitle = latex_to_text(fields.get("booksubtitle") or "").strip()
        if booksubtitle:
            booktitle += ": " + booksubtitle
            extra.pop("booksubtitle", None)  # it is in the container title now: kept too, it would come back twice
        item.setdefault("container-title", booktitle)
    if "maintitle" in fields:
        item.setdefault(
            "container-title" if csl_type in _CONTAINED else "collection-title", latex_to_text(fields["maintitle"])
        )
    for name in ("institution", "school", "organization"):
        if fields.get(name):
            item.setdefault("publisher", latex_to_text(fields[name]))
    if fields.get("number"):
        number = _plain(fields["number"], "number")
        item.setdefault("issue" if csl_type in _NUMBERED_CONTAINER else "number", number)
    if fields.get("pages"):
        item["page"] = re.sub(r"\s*-+\s*", "-", _plain(fields["pages"], "pages"))
    if entry_type in _THESIS_GENRE:
        item.setdefault("genre", _THESIS_GENRE[entry_type])
    url = fields.get("url") or _url_in(fields.get("howpublished")) or _url_in(fields.get("note"))
    if url:
        item["URL"] = _URL_ESCAPES.sub(r"\1", url.replace("{", "").replace("}", "")).strip()
    for name in ("eprint", "eprinttype", "archiveprefix"):
        if fields.get(name):
            extra[name] = fields[name]
    eprint_type = (fields.get("eprinttype") or fields.get("archiveprefix") or "").lower()
    if fields.get("eprint") and eprint_type == "arxiv" and "URL" not in item:
        item["URL"] = f"https://arxiv.org/abs/{fields['eprint'].strip()}"
    issued = _issued(fields, warnings)
    if issued:
        item["issued"] = issued
    if "doi" in fields and "DOI" in item:
        item["DOI"] = _URL_ESCAPES.sub(r"\1", item["DOI"])
    needs_review = any(warning.kind == "date" for warning in warnings)  # a date kept as written
    if not item.get("title"):  # kept without a title (none is invented); it needs a look
        needs_review = True
    return WorkRecord(
        item=item, tags=tags, extra={"bibtex": extra}, origin=where, needs_review=needs_review, warnings=warnings
    )


def _tags(value: str) -> list[str]:
    # Split before decoding: a keyword in braces keeps its commas ("{Animals, Wild}").
    return [t for t in map(_tag, _KEYWORD_SEPARATOR.split(value)) if t]


@lru_cache(maxsize=16384)  # a library's keywords recur from entry to entry
def _tag(part: str) -> str:
    return " ".join(latex_to_text(part).split())


def _plain(value: str, name: str) -> str:
    """A short value (volume, number, pages, ISBN ...) without braces; its escapes
    (``netn\\_a``, ``3 \\& 4``, ``c\\,3``) decoded, as the exporters escape them again.
    DOIs are identifiers, not text: only their braces go."""
    if "\\" in value and name != "doi":
        return latex_to_text(value)
    return " ".join(value.replace("{", "").replace("}", "").split())


def _url_in(value: str | None) -> str | None:
    if not value or "\\url" not in value:
        return None
    match = _URL_COMMAND.search(value)
    return match.group(1) if match else None


_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_TIE = re.compile(r"(?<!\\)~")


def _names(value: str, field: str, where: str) -> list[dict[str, Any]]:
    try:
        return [dict(name) for name in _name_list(value)]
    except ValueError as exc:
        raise KbError(f"cannot read a name in {field}: {exc}", where) from None


@lru_cache(maxsize=16384)  # co-author lists recur across a bibliography
def _name_list(value: str) -> tuple[dict[str, Any], ...]:
    value = _TIE.sub(" ", value)  # a tie, not the tilde accent of \~{n}
    texts = _AND.split(value.strip()) if "{" not in value else split_name_list(value)
    names = []
    for text in texts:
        if not text or text.lower() == "others":
            continue  # BibTeX's "et al."
        try:
            names.append(_name(text))
        except ValueError:
            raise ValueError(repr(text)) from None
    return tuple(names)


@lru_cache(maxsize=32768)
def _name(text: str) -> dict[str, Any]:
    if "{" not in text and "\\" not in text and text.count(",") == 1:
        family, given = (part.strip() for part in text.split(","))
        if family and " " not in family and given.lower() not in SUFFIXES and not family[0].islower():
            return {"family": family, "given": " ".join(given.split())} if given else {"family": family}
    if "{" not in text and "\\" not in text and "," not in text:
        words = text.split()  # "E L Thorndike": no particle, no suffix, not an organisation
        if (
            len(words) > 1
            and all(w[0].isupper() for w in words)
            and words[-1].lower() not in SUFFIXES
            and not _CORPORATE_WORDS.search(text)
        ):
            return {"family": words[-1], "given": " ".join(words[:-1])}
    if "\\" not in text:
        name = parse_name(text)
    elif text.startswith("{") and text.endswith("}") and _one_group(text):
        return {"literal": latex_to_text(text[1:-1])}
    else:
        # Decode word by word so that braces which group a word (a corporate name, a
        # family name of two words) keep their meaning for the name parser.
        words = []
        for word in _split_words(text):
            if "\\" in word:
                decoded = latex_to_text(word)
                if word.startswith("{") and word.endswith("}") and not word.startswith("{\\") and " " in decoded:
                    decoded = "{" + decoded + "}"
                words.append(decoded)
            else:
                words.append(word)
        name = parse_name(" ".join(words))
    return name


def _one_group(text: str) -> bool:
    return _matching_brace(text, 0) == len(text) - 1


def _split_words(text: str) -> list[str]:
    words, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif depth == 0 and char in " ,":
            if i > start:
                words.append(text[start:i])
            if char == ",":
                words.append(",")
            start = i + 1
    if start < len(text):
        words.append(text[start:])
    return [w for w in words if w]


def _issued(fields: dict[str, str], warnings: list[ImportWarning]) -> dict[str, Any] | None:
    if fields.get("date"):
        return _date(fields["date"], "date", warnings)
    year = fields.get("year", "").strip()
    if not year.isdigit():  # (most years are plain digits: no cleaning needed)
        year = clean_date_text(year)
    if not year:
        return None
    month = fields.get("month", "").strip()
    month = (month if month.isalnum() else clean_date_text(month)).lower().rstrip(".")
    if not year.isdigit() or not int(year):  # (a year 0 is no year: read, or kept as written)
        if NO_DATE_WORDS.match(year):
            return {"literal": year}
        return _date(year, "year", warnings)
    parts = [int(year)]
    if not month or month in ("-", "--", "?"):
        return {"date-parts": [parts]}
    if month in _SEASONS:
        return {"date-parts": [parts], "season": _SEASONS[month]}
    number = int(month) if month.isdigit() else _MONTH_NAMES.get(month) or _MONTH_NAMES.get(month[:3])
    if number and 1 <= number <= 12:
        parts.append(number)
        day = fields.get("day", "").strip()
        if day.isdigit():
            if not 1 <= int(day) <= calendar.monthrange(parts[0], number)[1]:
                written = f"{day} {fields['month'].strip()} {year}"
                warnings.append(
                    ImportWarning("date", f"there is no day {day} in that month; kept as written ({written!r})")
                )
                return {"date-parts": [parts], "raw": written}
            parts.append(int(day))
        return {"date-parts": [parts]}
    # "09-15 Jun", "juillet", "5.~jun", "Summer/Autumn": the month field read with the year.
    written = f"{clean_date_text(fields['month'])} {year}"
    date = read_date(written)
    if date is not None and not date.kept_as_written:
        return date.csl
    warnings.append(
        ImportWarning("date", f"cannot read the month {fields['month']!r}; kept as written ({written!r}), year {year}")
    )
    return {"date-parts": [parts], "raw": written}


def _date(value: str, field: str, warnings: list[ImportWarning]) -> dict[str, Any] | None:
    """A BibLaTeX date (``2010-11-19/2010-11-20``, ``2008-08``, ``2010/``) or a date as
    people write it, as a CSL date; one kb cannot read is kept as written, with a warning."""
    date = read_date(value)
    if date is None:
        return None
    if date.kept_as_written:
        warnings.append(
            ImportWarning("date", f"cannot read the date {value.strip()!r} in field {field}; kept as written")
        )
    return date.csl
