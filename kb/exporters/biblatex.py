"""BibLaTeX export: the BibTeX writer with BibLaTeX's entry types and fields.

Dates go in `date` as BibLaTeX's EDTF-style text, so partial dates ("2008-08"), ranges
("2010-11-19/2010-11-20") and circa ("1990~") survive; events in `eventtitle`,
`eventdate` and `venue`; places in `location`; journals in `journaltitle`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from . import ExportWork, Losses
from .bibtex import (
    _HANDLED,
    BIBLATEX_KNOWN,
    BIBLATEX_TYPES,
    Dialect,
    _date,
    _point_iso,
    _simple_point,
    escape,
    write_entries,
)

FORMAT = "biblatex"
EXTENSION = ".bib"
MEDIA_TYPE = "application/x-bibtex; charset=utf-8"
LABEL = "BibLaTeX"


_DATE_FIELDS = (("issued", "date"), ("accessed", "urldate"), ("event-date", "eventdate"), ("original-date", "origdate"))


class BiblatexDialect(Dialect):
    name = "biblatex"
    types = BIBLATEX_TYPES
    known_types = BIBLATEX_KNOWN
    place_field = "location"
    handled = _HANDLED | {"original-date"}

    def container_field(self, entry_type: str) -> str:
        if entry_type in ("incollection", "inproceedings", "inbook", "inreference", "bookinbook"):
            return "booktitle"
        return "journaltitle"  # a journal, a blog, a website, an outlet

    def publisher_field(self, entry_type: str) -> str:
        return {
            "report": "institution",
            "thesis": "institution",
            "techreport": "institution",
            "phdthesis": "school",
            "mastersthesis": "school",
        }.get(entry_type, "publisher")

    def dates(self, item: dict[str, Any], fields: dict[str, str], work: ExportWork, losses: Losses) -> None:
        for variable, name in _DATE_FIELDS:
            value = item.get(variable)
            if not value:
                continue
            point = _simple_point(value)
            if point is not None:  # the common case, without building a PartialDate
                fields[name] = _point_iso(point)
                continue
            parsed = _date(value, work, variable, losses)
            if parsed:
                fields[name] = parsed.edtf

    def event_fields(self, item: dict[str, Any], fields: dict[str, str], work: ExportWork, losses: Losses) -> None:
        title = item.get("event-title") or item.get("event")
        if title:
            fields["eventtitle"] = escape(str(title))
            if item.get("event-title") and item.get("event") and item["event"] != item["event-title"]:
                losses.add(work.citekey, "event (a second event title)")
        if item.get("event-place"):
            fields["venue"] = escape(str(item["event-place"]))


def write(works: Iterable[ExportWork], losses: Losses, ascii: bool = False, **_: Any) -> str:
    return write_entries(works, losses, BiblatexDialect(), ascii)
