"""RIS export (the tagged format of EndNote, Zotero, Mendeley, Scopus and library catalogues).

Persons are "Family, Given, Suffix"; an organisation is written whole with a trailing
comma (EndNote's mark of a corporate author), a family name alone that would be read
otherwise as "Family, ," (see family_alone). Every name is checked against kb's reader. Dates are `PY`
(year) and `DA` ("2008/08//"); RIS has no ranges, no circa and no event dates, so
those are reported as losses. The RIS tags an import kept that kb has no field for
(extra["ris"]) are written back.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from ..dates import partial_date_from_csl
from . import ExportWork, Losses, report_kept_fields

FORMAT = "ris"
EXTENSION = ".ris"
MEDIA_TYPE = "application/x-research-info-systems; charset=utf-8"
LABEL = "RIS"

RIS_TYPES = {
    "article": "JOUR",
    "article-journal": "JOUR",
    "article-magazine": "MGZN",
    "article-newspaper": "NEWS",
    "review": "JOUR",
    "review-book": "JOUR",
    "book": "BOOK",
    "classic": "BOOK",
    "collection": "BOOK",
    "chapter": "CHAP",
    "entry": "ENCYC",
    "entry-dictionary": "DICT",
    "entry-encyclopedia": "ENCYC",
    "paper-conference": "CPAPER",
    "report": "RPRT",
    "thesis": "THES",
    "manuscript": "UNPB",
    "pamphlet": "PAMP",
    "post": "BLOG",
    "post-weblog": "BLOG",
    "webpage": "ELEC",
    "dataset": "DATA",
    "software": "COMP",
    "patent": "PAT",
    "legislation": "STAT",
    "bill": "BILL",
    "regulation": "STAT",
    "legal_case": "CASE",
    "hearing": "HEAR",
    "map": "MAP",
    "motion_picture": "MPCT",
    "broadcast": "MPCT",
    "song": "SOUND",
    "musical_score": "MUSIC",
    "graphic": "ART",
    "figure": "FIGURE",
    "interview": "GEN",
    "personal_communication": "PCOMM",
    "speech": "GEN",
    "standard": "STAND",
    "treaty": "GEN",
    "event": "GEN",
    "periodical": "JFULL",
    "document": "GEN",
}

# Tag order inside a record: TY first, ER last.
TAG_ORDER = (
    "TY",
    "ID",
    "AU",
    "A2",
    "A3",
    "A4",
    "TI",
    "ST",
    "T2",
    "J2",
    "T3",
    "PY",
    "DA",
    "Y2",
    "VL",
    "IS",
    "SP",
    "EP",
    "ET",
    "M3",
    "PB",
    "CY",
    "SN",
    "DO",
    "UR",
    "LA",
    "KW",
    "AB",
    "N1",
)
_ORDER = {tag: i for i, tag in enumerate(TAG_ORDER)}

_HANDLED = frozenset(
    "id type author editor translator collection-editor title title-short container-title container-title-short "
    "collection-title issued accessed volume issue number collection-number page edition genre publisher "
    "publisher-place ISBN ISSN DOI URL language keyword abstract note".split()
)


def format_name(name: dict[str, Any], work: ExportWork | None = None, losses: Losses | None = None) -> str | None:
    if name.get("literal"):
        # A trailing comma marks an organisation (EndNote's convention; kb's RIS reader
        # reads it back as one), so its commas stay and it is never split into a person.
        return f"{name['literal']},"
    family = " ".join(str(p) for p in (name.get("non-dropping-particle"), name.get("family")) if p)
    given = " ".join(str(p) for p in (name.get("given"), name.get("dropping-particle")) if p)
    if family and not given and not name.get("suffix"):
        return family_alone(" ".join(family.split()))
    parts = [family or given]
    if family and given:
        parts.append(given)
    if name.get("suffix"):
        if len(parts) == 1:
            parts.append("")
        parts.append(str(name["suffix"]))
    return ", ".join(parts) if parts[0] else None


@lru_cache(maxsize=65536)
def family_alone(family: str) -> str:
    """A family name with no given name (Zotero's one-field names): as it is when kb's
    reader reads it back so ("Plato"), else "Family, ," — RIS's "Last, First, Suffix"
    with both of the others empty ("Diodore de Sicile" alone would be read as given and
    family names, "UNESCO" as an organisation, and "Diodore de Sicile," with a trailing
    comma is EndNote's organisation, which kb reads as one).
    Other readers: citation-js splits on commas and reads "Family, ," as {family, given:
    "", suffix: ""}, the same name; Zotero's RIS translator takes the text before the
    first comma as the last name, and "," as the first name (it reads a name without a
    comma, or with a trailing one, as a one-field name); rispy does not split names."""
    from ..importers.ris import _names  # the reader, imported late: exporters load without it

    if "," in family:  # "Craddock, Paul T.": no form carries it (reported by reads_back)
        return family
    read = _names([family], "")
    if len(read) == 1 and set(read[0]) == {"family"} and read[0]["family"] == family:
        return family
    return f"{family}, ,"


@lru_cache(maxsize=65536)  # the same people come back in many works
def reads_back(text: str) -> bool:
    """Whether kb's RIS reader reads this AU line back as a name written the same way
    ("Asa G. Hilliard, III" as a family and given names does not: it reads a suffix)."""
    from ..importers.ris import _names  # the reader, imported late: exporters load without it

    names = _names([text], "")
    return len(names) == 1 and format_name(names[0], None, None) == " ".join(text.split())


def ris_date(value: Any, work: ExportWork, variable: str, losses: Losses) -> str | None:
    """ "2008/08//" style; ranges and circa are not representable and are reported."""
    parsed = partial_date_from_csl(value)
    if parsed is None:
        losses.add(work.citekey, f"{variable} (not a date)")
        return None
    if parsed.finish or parsed.circa:
        losses.add(work.citekey, f"{variable} range or circa")
    point = parsed.begin
    return f"{point.year:04d}/{f'{point.month:02d}' if point.month else ''}/{f'{point.day:02d}' if point.day else ''}/"


def ris_type(work: ExportWork) -> str:
    """The RIS type the import kept ("EJOUR", "ABST") while the work's CSL type is still
    the one it was read as; else the type written for the CSL type."""
    csl_type = work.item.get("type", "document")
    kept = (work.extra.get("ris") or {}).get("TY")
    if kept:
        from ..importers.ris import TYPES  # the reader's table, imported late like reads_back's

        original = str(kept[0] if isinstance(kept, list) else kept)
        if TYPES.get(original, "document") == csl_type:
            return original
    return RIS_TYPES.get(csl_type, "GEN")


def _report_serials_read_back_elsewhere(work: ExportWork, serials: dict[str, str], losses: Losses) -> None:
    """RIS's one SN tag holds ISBNs and ISSNs, told apart by their shape: an ISSN holding
    an ISBN (a Zotero record's "978-2-7283-0869-9") comes back as the ISBN."""
    from ..importers.ris import TYPES, serial_numbers  # the reader, imported late like reads_back's

    read = serial_numbers(list(serials.values()), TYPES.get(ris_type(work), "document"))
    for variable, serial in serials.items():
        if read.get(variable) != serial:
            elsewhere = next((other for other, value in read.items() if serial in value), "another number")
            losses.add(work.citekey, f"{variable} (SN {serial!r} reads back as {elsewhere})")


def record_lines(work: ExportWork, losses: Losses) -> list[tuple[str, str]]:
    item = work.item
    lines: list[tuple[str, str]] = [("TY", ris_type(work)), ("ID", work.citekey)]
    if work.citekey.isdigit():  # EndNote numbers its records in ID: readers (kb's too) take it for one
        losses.add(work.citekey, "citekey (a number)")
    for role, tag in (("author", "AU"), ("editor", "A2"), ("collection-editor", "A3"), ("translator", "A4")):
        for name in item.get(role) or []:
            if isinstance(name, dict):
                text = format_name(name, work, losses)
                if text:
                    lines.append((tag, text))
                    if not reads_back(text):
                        losses.add(work.citekey, f"{role} (a name RIS reads back otherwise: {text!r})")
    simple = (
        ("title", "TI"),
        ("title-short", "ST"),
        ("container-title", "T2"),
        ("container-title-short", "J2"),
        ("collection-title", "T3"),
        ("volume", "VL"),
        ("issue", "IS"),
        ("edition", "ET"),
        ("genre", "M3"),
        ("publisher", "PB"),
        ("publisher-place", "CY"),
        ("DOI", "DO"),
        ("URL", "UR"),
        ("language", "LA"),
        ("abstract", "AB"),
        ("note", "N1"),
    )
    for variable, tag in simple:
        value = item.get(variable)
        if value not in (None, ""):
            lines.append((tag, str(value)))
    if item.get("container-title-short") and not item.get("container-title"):
        # a J2 alone is read as the journal itself (by kb's reader and others: RIS files
        # with an abbreviated journal only are common), so it comes back as the journal
        losses.add(work.citekey, "container-title-short (without a container-title)")
    number = item.get("number") or item.get("collection-number")
    if number not in (None, ""):
        if item.get("issue"):
            losses.add(work.citekey, "number (besides issue)")
        else:
            lines.append(("IS", str(number)))
    serials = {variable: " ".join(str(item[variable]).split()) for variable in ("ISBN", "ISSN") if item.get(variable)}
    lines.extend(("SN", serial) for serial in serials.values())
    if serials:
        _report_serials_read_back_elsewhere(work, serials, losses)
    if item.get("page"):
        first, _, last = str(item["page"]).replace("–", "-").partition("-")
        lines.append(("SP", first.strip()))
        if last.strip():
            lines.append(("EP", last.strip().lstrip("-")))
    if item.get("issued"):
        parsed = partial_date_from_csl(item["issued"])
        if parsed:
            lines.append(("PY", f"{parsed.begin.year:04d}"))
        text = ris_date(item["issued"], work, "issued", losses)
        if text:
            lines.append(("DA", text))
    if item.get("accessed"):
        text = ris_date(item["accessed"], work, "accessed", losses)
        if text:
            lines.append(("Y2", text))
    for keyword in work.keywords():
        lines.append(("KW", keyword))
    for variable in item:
        if variable not in _HANDLED:
            losses.add(work.citekey, variable)
    written = {tag for tag, _ in lines}
    for tag, values in sorted((work.extra.get("ris") or {}).items()):
        if tag in ("TY", "ER"):  # the type is written from the item's; ER ends every record
            continue
        if tag in written and tag != "UR":  # the URLs after the first are kept: they follow it
            losses.add(work.citekey, f"ris field {tag} (taken by the item's own {tag})")
            continue
        for value in values if isinstance(values, list) else [values]:
            lines.append((tag, str(value)))
    report_kept_fields(work, losses, carried="ris")
    lines.sort(key=lambda pair: _ORDER.get(pair[0], len(_ORDER)))  # stable: values keep their order
    return lines


def write(works: Iterable[ExportWork], losses: Losses, **_: Any) -> str:
    out = []
    for work in works:
        for tag, value in record_lines(work, losses):
            value = " ".join(value.split())  # RIS values are one line; kb's reader folds white space
            out.append(f"{tag}  - {value}")
        out.append("ER  - ")
        out.append("")
    return "\n".join(out)
