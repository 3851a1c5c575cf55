"""BibTeX export (classic BibTeX: `year`/`month`, `journal`, `address`, `school` ...).

The dialect-independent work (escaping, names, field order, the fields an import kept)
lives here; `biblatex.py` is the same writer with BibLaTeX's entry types and fields
(`date` with ranges and partial dates, `journaltitle`, `location`, `eventdate` ...).

Values are plain text in kb (CSL), so every TeX special character is escaped on the way
out: ``& % $ # _ { } ~ ^ \\``. Non-ASCII characters stay UTF-8 (BibLaTeX, biber and
modern BibTeX read it) unless `ascii=True`, which turns them into LaTeX commands through
pylatexenc. Corporate creators go in double braces so BibTeX never splits them into
given and family names. URLs and DOIs are verbatim fields and are not escaped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from ..dates import DatePoint, PartialDate, partial_date_from_csl
from ..names import _ACRONYM, given_like_a_suffix  # _ACRONYM: the reader's test for an organisation
from . import ExportWork, Losses, report_kept_fields

FORMAT = "bibtex"
EXTENSION = ".bib"
MEDIA_TYPE = "application/x-bibtex; charset=utf-8"
LABEL = "BibTeX"

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

_NEEDS_ESCAPE = re.compile(r"[\\&%$#_{}~^]")
_VERBATIM = frozenset({"url", "doi", "file", "eprint"})
_VERBATIM_ESCAPES = str.maketrans({"{": "%7B", "}": "%7D"})

# CSL type -> entry type, per dialect.
BIBTEX_TYPES = {
    "article": "article",
    "article-journal": "article",
    "article-magazine": "article",
    "article-newspaper": "article",
    "review": "article",
    "review-book": "article",
    "book": "book",
    "classic": "book",
    "collection": "book",
    "chapter": "incollection",
    "entry": "incollection",
    "entry-dictionary": "incollection",
    "entry-encyclopedia": "incollection",
    "paper-conference": "inproceedings",
    "report": "techreport",
    "thesis": "phdthesis",
    "manuscript": "unpublished",
    "pamphlet": "booklet",
}
BIBLATEX_TYPES = {
    "article": "article",
    "article-journal": "article",
    "article-magazine": "article",
    "article-newspaper": "article",
    "review": "review",
    "review-book": "review",
    "book": "book",
    "classic": "book",
    "collection": "collection",
    "chapter": "incollection",
    "entry": "inreference",
    "entry-dictionary": "inreference",
    "entry-encyclopedia": "inreference",
    "paper-conference": "inproceedings",
    "report": "report",
    "thesis": "thesis",
    "manuscript": "unpublished",
    "pamphlet": "booklet",
    "post": "online",
    "post-weblog": "online",
    "webpage": "online",
    "dataset": "dataset",
    "software": "software",
    "patent": "patent",
    "legislation": "legislation",
    "bill": "legislation",
    "regulation": "legislation",
    "legal_case": "jurisdiction",
    "standard": "standard",
    "periodical": "periodical",
    "motion_picture": "movie",
    "song": "audio",
    "musical_score": "music",
    "performance": "performance",
    "map": "misc",
}
# Entry types each dialect knows: an imported entry keeps its own type when it is one.
BIBTEX_KNOWN = frozenset(
    "article book booklet conference inbook incollection inproceedings manual mastersthesis misc phdthesis "
    "proceedings techreport unpublished".split()
)
BIBLATEX_KNOWN = frozenset(
    "article book mvbook inbook bookinbook suppbook booklet collection mvcollection incollection suppcollection "
    "dataset manual misc online patent periodical suppperiodical proceedings mvproceedings inproceedings reference "
    "mvreference inreference report set software thesis unpublished xdata conference electronic mastersthesis "
    "phdthesis techreport www artwork audio bibnote commentary image jurisdiction legislation legal letter movie "
    "music performance review standard video".split()
)

_THESIS_GENRES = {"phdthesis": "PhD thesis", "mastersthesis": "Master's thesis"}

# The field order of every entry: these first, then the rest alphabetically.
FIELD_ORDER = (
    "author",
    "editor",
    "translator",
    "title",
    "subtitle",
    "titleaddon",
    "journal",
    "journaltitle",
    "booktitle",
    "eventtitle",
    "series",
    "edition",
    "volume",
    "number",
    "pages",
    "date",
    "year",
    "month",
    "eventdate",
    "venue",
    "howpublished",
    "organization",
    "institution",
    "school",
    "publisher",
    "address",
    "location",
    "type",
    "language",
    "shorttitle",
    "shortjournal",
    "isbn",
    "issn",
    "doi",
    "url",
    "urldate",
    "keywords",
    "abstract",
    "note",
)


class _Rank(dict):
    """Sort key of a field: its place in FIELD_ORDER, then the others by name."""

    def __missing__(self, name: str) -> tuple[int, str]:
        rank = self[name] = (len(FIELD_ORDER), name)  # kept: the next look-up is a plain dict's
        return rank


_ORDER = _Rank({name: (i, "") for i, name in enumerate(FIELD_ORDER)})

# CSL variables each dialect writes itself (anything else in an item is a loss).
_HANDLED = frozenset(
    "id type title author editor translator container-title collection-title collection-number edition volume "
    "issue number page issued publisher publisher-place genre language ISBN ISSN DOI URL accessed keyword "
    "abstract note event-title event event-place event-date container-title-short title-short medium".split()
)


# CSL variables written one to one as text fields.
_TEXT_FIELDS = {
    "title": "title",
    "edition": "edition",
    "volume": "volume",
    "collection-number": "number",
    "number": "number",
    "issue": "number",
    "genre": "type",
    "language": "language",
    "ISBN": "isbn",
    "ISSN": "issn",
    "abstract": "abstract",
    "note": "note",
    "title-short": "shorttitle",
    "container-title-short": "shortjournal",
}


class Dialect:
    """The field choices that differ between BibTeX and BibLaTeX."""

    name = "bibtex"
    types = BIBTEX_TYPES
    known_types = BIBTEX_KNOWN
    extra_key = "bibtex"
    handled = _HANDLED

    def entry_type(self, work: ExportWork, losses: Losses) -> str:
        original = (work.extra.get(self.extra_key) or {}).get("ENTRYTYPE")
        if original and original.lower() in self.known_types:
            return original.lower()
        return self.types.get(work.item.get("type", "document"), "misc")

    def container_field(self, entry_type: str) -> str:
        if entry_type == "article":
            return "journal"
        if entry_type in ("incollection", "inproceedings", "inbook"):
            return "booktitle"
        # no container field of its own: `journal`, which BibTeX styles ignore here and
        # importers read back as the container
        return "journal"

    def publisher_field(self, entry_type: str) -> str:
        return {"techreport": "institution", "phdthesis": "school", "mastersthesis": "school"}.get(
            entry_type, "publisher"
        )

    place_field = "address"

    def dates(self, item: dict[str, Any], fields: dict[str, str], work: ExportWork, losses: Losses) -> None:
        point = _simple_point(item.get("issued"))
        if point is not None:  # the common case, without building a PartialDate
            fields["year"] = str(point[0])
            if len(point) > 1 and point[1]:
                fields["month"] = MONTHS[point[1] - 1]
            if len(point) > 2 and point[2]:
                losses.add(work.citekey, "an issued day, range or circa")
            issued = None
        else:
            issued = _date(item.get("issued"), work, "issued", losses)
        if issued:
            fields["year"] = str(issued.begin.year)
            if issued.begin.month:
                fields["month"] = MONTHS[issued.begin.month - 1]
            if issued.begin.day or issued.finish or issued.circa:
                losses.add(work.citekey, "an issued day, range or circa")
        accessed = _date(item.get("accessed"), work, "accessed", losses)
        if accessed:
            fields["urldate"] = accessed.edtf
        for variable in ("event-date",):
            if item.get(variable):
                losses.add(work.citekey, variable)

    def event_fields(self, item: dict[str, Any], fields: dict[str, str], work: ExportWork, losses: Losses) -> None:
        for variable in ("event-title", "event", "event-place"):
            if item.get(variable):
                losses.add(work.citekey, variable)


def _simple_point(value: Any) -> list[int] | None:
    """The date-parts of a CSL date that is one point of whole numbers and nothing else
    (most dates), or None."""
    if isinstance(value, dict) and len(value) == 1:
        parts = value.get("date-parts")
        if parts and len(parts) == 1 and parts[0] and all(isinstance(p, int) for p in parts[0]):
            return parts[0]
    return None


def _point_iso(point: list[int]) -> str:
    """What `DatePoint(*point[:3]).iso()` gives, without building the DatePoint."""
    text = f"{point[0]:04d}"
    if len(point) > 1 and point[1]:
        text += f"-{point[1]:02d}"
    if len(point) > 2 and point[2]:
        text += f"-{point[2]:02d}"
    return text


def _date(value: Any, work: ExportWork, variable: str, losses: Losses) -> PartialDate | None:
    if not value:
        return None
    point = _simple_point(value)
    if point is not None:
        return PartialDate("", DatePoint(*point[:3]))  # the common case, without re-parsing
    parsed = partial_date_from_csl(value)
    if parsed is None:
        losses.add(work.citekey, f"{variable} (not a date)")
    return parsed


_SIMPLE_ESCAPES = (
    ("{", r"\{"),
    ("}", r"\}"),
    ("&", r"\&"),
    ("%", r"\%"),
    ("$", r"\$"),
    ("#", r"\#"),
    ("_", r"\_"),
    ("~", r"\textasciitilde{}"),
    ("^", r"\textasciicircum{}"),
)


def _escape_specials(value: str) -> str:
    for char, replacement in _SIMPLE_ESCAPES:
        if char in value:
            value = value.replace(char, replacement)
    return value


_HYPHEN_PAIR = re.compile(r"-(?=-)")
_LATEX_MARKERS = re.compile(r"[\\{}~$`]|--|''")  # kb's reader's (importers.latex_text._MARKERS)
_LIGATURE_PAIR = re.compile(r"(?<=')(?=')|(?<=`)(?=`)")


def escape(value: str) -> str:
    """TeX specials escaped; '' and `` (which TeX, and kb's reader, read as curly
    quotes) kept as two characters by writing '{}'."""
    text = escape_specials(value)
    if "''" in text or "``" in text:
        text = _LIGATURE_PAIR.sub("{}", text)
    if not text.isascii() and _LATEX_MARKERS.search(text):
        # kb's reader decodes a value holding LaTeX and folds all its white space, a
        # no-break space too ("costs less\u00a0-- both"): folded here, it reads back the same
        text = " ".join(text.split())
    return text


def escape_specials(value: str) -> str:
    """TeX specials escaped; everything else (UTF-8 text) as is.

    Most values have no special at all: one regex search says so and the value is
    returned as it is. Otherwise a chain of str.replace (each in C, only for the
    characters present) is several times faster than str.translate with a mapping on
    long values such as abstracts. Backslashes are split on first, so the braces of
    the commands that replace them are not escaped again.
    """
    if "\n" in value or "  " in value or "\t" in value:
        value = " ".join(value.split())  # BibTeX (and kb's reader) reads any run of white space as one space
    if "--" in value:  # TeX (and kb's reader) would read "--" as a dash: "-{}-" stays two hyphens
        # every hyphen followed by another gets "{}" after it, in any run ("[------]")
        return escape_specials(_HYPHEN_PAIR.sub("-\0", value)).replace("\0", "{}")
    if _NEEDS_ESCAPE.search(value) is None:
        return value
    if "\\" in value:
        return r"\textbackslash{}".join(_escape_specials(part) for part in value.split("\\"))
    return _escape_specials(value)


_ascii_encoder = None


def to_ascii(value: str) -> str:
    """Non-ASCII characters as LaTeX commands in braces ("{\\'e}"), through pylatexenc."""
    global _ascii_encoder
    if value.isascii():
        return value
    if _ascii_encoder is None:
        from pylatexenc.latexencode import UnicodeToLatexEncoder

        _ascii_encoder = UnicodeToLatexEncoder(
            non_ascii_only=True, replacement_latex_protection="braces-all", unknown_char_policy="keep"
        )
    return _ascii_encoder.unicode_to_latex(value)


def format_name(name: dict[str, Any]) -> str:
    """A CSL name as BibTeX's "von Last, Jr, First"; an organisation in double braces."""
    if name.get("literal"):
        return "{{" + escape(str(name["literal"])) + "}}"
    # white space folded (a no-break space too), as BibTeX and kb's reader fold it
    family = escape(_folded(name.get("family")))
    particle = name.get("non-dropping-particle")
    given = " ".join(escape(_folded(p)) for p in (name.get("given"), name.get("dropping-particle")) if p)
    suffix = name.get("suffix")
    if family and not (particle or given or suffix) and (" " in family or "," in family or _ACRONYM.match(family)):
        # A family name alone of several words ("Diodore de Sicile", "Craddock, Paul T.",
        # Zotero's one-field names) or an acronym would be read back as given and family
        # names or as an organisation: braced, with an empty given name, it is a family.
        return "{" + family + "}, {}"
    if "," in family or " and " in family or particle and " " in family and not (given or suffix):
        family = "{" + family + "}"
    last = f"{escape(particle)} {family}" if particle else family
    if particle and not (given or suffix):
        return f"{last}, {{}}"  # "de Pablo, {}": alone, "de Pablo" would be read as a given and a family name
    if suffix:
        return f"{last}, {escape(str(suffix))}, {given}"
    if given_like_a_suffix(given, last):
        given = "{" + given + "}"  # "Asa G. Hilliard, {III}": a given name, not the suffix of "First Last, Jr"
    return f"{last}, {given}" if given else last


@lru_cache(maxsize=65536)  # the same people come back in many works
def reads_back(text: str) -> bool:
    """Whether kb's BibTeX reader reads this name back as one name written the same way
    (a family name alone of several words, "World Health Organization", comes back as an
    organisation; "Asa G. Hilliard, III" as a person with a suffix)."""
    from ..importers.bibtex import _name_list  # the reader, imported late: exporters load without it

    try:
        names = _name_list(text)
    except ValueError:
        return False
    return len(names) == 1 and format_name(names[0]) == text


def _folded(value: Any) -> str:
    return " ".join(str(value or "").split())


def format_names(names: Iterable[dict[str, Any]], cache: dict[Any, str] | None = None) -> str:
    """Names joined with " and ". With a `cache` (one per export: the same authors come
    back in many works), each distinct name is formatted once."""
    return " and ".join(formatted_names(names, cache))


def formatted_names(names: Iterable[dict[str, Any]], cache: dict[Any, str] | None = None) -> list[str]:
    """Each name as BibTeX writes it (see format_names)."""
    if cache is None:
        return [format_name(n) for n in names if isinstance(n, dict)]
    formatted = []
    for name in names:
        if not isinstance(name, dict):
            continue
        try:
            key = tuple(name.items())
            text = cache.get(key)
        except TypeError:  # a value that cannot be a key (a list): format it every time
            key, text = None, None
        if text is None:
            text = format_name(name)
            if key is not None:
                cache[key] = text
        formatted.append(text)
    return formatted


def verbatim(value: str) -> str:
    """A URL, DOI or file path as is, but for braces (as %7B %7D: BibTeX would read them
    as grouping); most have none, so they are not copied."""
    if "{" in value or "}" in value:
        return value.translate(_VERBATIM_ESCAPES)
    return value


_PAGE_RANGE = re.compile(r"(?<=\w)\s*[-–—]+\s*(?=\w)")
_ROLES = ("author", "editor", "translator")


def entry_fields(
    work: ExportWork, dialect: Dialect, losses: Losses, name_cache: dict[Any, str] | None = None
) -> tuple[str, dict[str, str]]:
    """(entry type, {field: escaped value}) for one work."""
    item = work.item
    get = item.get
    entry_type = dialect.entry_type(work, losses)
    fields: dict[str, str] = {}
    for role in _ROLES:
        names = get(role)
        if names:
            texts = formatted_names(names, name_cache)
            fields[role] = " and ".join(texts)
            for text in texts:
                if not reads_back(text):
                    losses.add(work.citekey, f"{role} (a name BibTeX reads back otherwise: {text!r})")
    for variable, value in item.items():  # the item's own keys: a few, not every field there is
        name = _TEXT_FIELDS.get(variable)
        if name is None or value is None or value == "":
            continue
        if name in fields:
            losses.add(work.citekey, f"{variable} (a second {name})")
            continue
        fields[name] = escape(value if type(value) is str else str(value))
    if entry_type in _THESIS_GENRES and fields.get("type") == _THESIS_GENRES[entry_type]:
        del fields["type"]  # the entry type says it already
    value = get("container-title")
    if value:
        fields[dialect.container_field(entry_type)] = escape(str(value))
    value = get("collection-title")
    if value:
        target = "series" if "series" not in fields else "note"
        if target == "note" and "note" in fields:
            losses.add(work.citekey, "collection-title")
        else:
            fields[target] = escape(str(value))
    value = get("publisher")
    if value:
        fields[dialect.publisher_field(entry_type)] = escape(str(value))
    value = get("publisher-place")
    if value:
        fields[dialect.place_field] = escape(str(value))
    value = get("page")
    if value:
        fields["pages"] = _PAGE_RANGE.sub("--", escape(str(value)))
    keywords = work.keywords()
    if keywords:
        # A keyword holding a separator is braced, so it comes back as one keyword.
        fields["keywords"] = ", ".join(f"{{{escape(k)}}}" if ("," in k or ";" in k) else escape(k) for k in keywords)
    value = get("medium")
    if value:
        fields["howpublished"] = escape(str(value))
    value = get("DOI")
    if value:
        fields["doi"] = verbatim(str(value))
    value = get("URL")
    if value:
        fields["url"] = verbatim(str(value))
    dialect.dates(item, fields, work, losses)
    dialect.event_fields(item, fields, work, losses)
    handled = dialect.handled
    if not handled.issuperset(item):
        for variable in item:
            if variable not in handled:
                losses.add(work.citekey, variable)
    # The fields an import kept that CSL has no variable for come back as they were.
    kept = work.extra.get(dialect.extra_key)
    if kept:
        for name, value in kept.items():
            lowered = name.lower()
            if lowered in ("entrytype", "id") or value is None or value == "":
                continue
            # Kept fields are the source's raw BibTeX ("50\\% of them"): written back raw,
            # never escaped again; only a value whose braces do not balance is escaped.
            text = str(value)
            if lowered in _VERBATIM:
                text = verbatim(text)
            elif not _braces_balance(text):
                text = escape(text)
            if lowered not in fields:
                fields[lowered] = text
            elif fields[lowered] != text:  # a field the item's variables wrote already
                losses.add(work.citekey, f"bibtex field {lowered} (taken by the item's own {lowered})")
    report_kept_fields(work, losses, carried=dialect.extra_key)
    return entry_type, fields


def _braces_balance(text: str) -> bool:
    depth = 0
    for char in re.sub(r"\\[{}]", "", text):
        depth += (char == "{") - (char == "}")
        if depth < 0:
            return False
    return depth == 0


_MONTH_MACROS = frozenset(MONTHS)
_field_rank = _ORDER.__getitem__


def write_entry(citekey: str, entry_type: str, fields: dict[str, str], ascii: bool) -> str:
    if ascii:
        fields = {name: value if name in _VERBATIM else to_ascii(value) for name, value in fields.items()}
    lines = [f"@{entry_type}{{{citekey},"]
    for name in sorted(fields, key=_field_rank):
        value = fields[name]
        if name == "month" and value in _MONTH_MACROS:
            lines.append(f"  {name} = {value},")  # BibTeX's month macro, unbraced
        else:
            lines.append(f"  {name} = {{{value}}},")
    lines.append("}")
    return "\n".join(lines)


def write_entries(works: Iterable[ExportWork], losses: Losses, dialect: Dialect, ascii: bool = False) -> str:
    name_cache: dict[Any, str] = {}
    entries = [write_entry(work.citekey, *entry_fields(work, dialect, losses, name_cache), ascii) for work in works]
    return "\n\n".join(entries) + ("\n" if entries else "")


def write(works: Iterable[ExportWork], losses: Losses, ascii: bool = False, **_: Any) -> str:
    return write_entries(works, losses, Dialect(), ascii)
