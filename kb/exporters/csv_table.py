"""CSV export: one row per work, for spreadsheets.

Columns are CSL variable names (plus `citekey` and `tags`, kb's tags), so the CSV
importer reads them back. Names are "Family, Given" separated by "; ", an organisation in braces
("{North Atlantic Treaty Organization}") so it is not split; dates are EDTF text
("2008-08", "2010-11-19/2010-11-20"). Variables without a column, and the
source-format fields an import kept, are reported as losses.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from ..dates import partial_date_from_csl
from ..names import SUFFIXES, display_name
from . import ExportWork, Losses, report_kept_fields

FORMAT = "csv"
EXTENSION = ".csv"
MEDIA_TYPE = "text/csv; charset=utf-8"
LABEL = "CSV"

NAME_COLUMNS = ("author", "editor")
DATE_COLUMNS = ("issued", "accessed")
# The columns a spreadsheet user expects and the CSV importer reads back; any other
# CSL variable (translator, genre, event-*, number ...) is reported as a loss.
COLUMNS = (
    "citekey",
    "type",
    "title",
    "author",
    "editor",
    "issued",
    "container-title",
    "collection-title",
    "publisher",
    "publisher-place",
    "volume",
    "issue",
    "page",
    "edition",
    "DOI",
    "URL",
    "ISBN",
    "ISSN",
    "language",
    "accessed",
    "abstract",
    "note",
    "tags",
)


def name_text(name: dict[str, Any]) -> str:
    """One name as the CSV reader reads it: "Family, Given", "Family, Given, Jr." (or
    BibTeX's "Family, Suffix, Given" for a suffix the reader does not know as one); an
    organisation in braces. White space folded, as the reader folds it."""
    if name.get("literal"):
        return "{" + " ".join(str(name["literal"]).split()) + "}"
    suffix = name.get("suffix")
    if suffix and str(suffix).lower() not in SUFFIXES and name.get("given"):
        family = " ".join(str(p) for p in (name.get("non-dropping-particle"), name.get("family")) if p)
        given = " ".join(str(p) for p in (name.get("given"), name.get("dropping-particle")) if p)
        text = f"{family}, {suffix}, {given}"
    else:
        text = display_name(name)
    return " ".join(text.split())


def name_cell(names: list[Any]) -> str:
    return "; ".join(name_text(name) for name in names if isinstance(name, dict))


@lru_cache(maxsize=65536)  # the same author lists come back in many works
def reads_back(cell: str) -> bool:
    """Whether the CSV reader reads this cell back as names written the same way
    ("Asa G. Hilliard, III" as a family and given names does not: it reads a suffix)."""
    from ..importers.csv_table import _names  # the reader, imported late: exporters load without it

    return name_cell(_names(cell, "")) == cell


def write(works: Iterable[ExportWork], losses: Losses, **_: Any) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for work in works:
        item = work.item
        row: dict[str, str] = {"citekey": work.citekey, "tags": _tag_list(work.tags)}
        for variable, value in item.items():
            if variable == "id":
                continue
            if variable not in COLUMNS:
                losses.add(work.citekey, variable)
            elif variable in NAME_COLUMNS:
                row[variable] = name_cell(value)
                if row[variable] and not reads_back(row[variable]):
                    losses.add(work.citekey, f"{variable} (names CSV reads back otherwise)")
            elif variable in DATE_COLUMNS:
                parsed = partial_date_from_csl(value)
                row[variable] = (
                    parsed.edtf if parsed else str(value.get("literal", "") if isinstance(value, dict) else value)
                )
            else:
                row[variable] = str(value)
        report_kept_fields(work, losses)
        writer.writerow([row.get(column, "") for column in COLUMNS])
    return buffer.getvalue()


def _tag_list(tags: list[str]) -> str:
    """Tags joined by "; "; a lone tag holding a comma ends with ";" so the importer
    (which splits on ";" when there is one, else on ",") reads it back as one tag."""
    text = "; ".join(tags)
    return f"{text};" if len(tags) == 1 and "," in text else text
