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
from ..names import SUFFIXES, given_like_a_suffix
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
    organisation in braces. White space folded, as the reader folds it. Braces, as the
    reader reads them, keep what it would read otherwise: a family name alone
    ("{Diodore de Sicile}, {}"), a given name that is a suffix word ("Asa G. Hilliard,
    {III}"), a part holding the list's ";" ("Coon, {Vicky;}")."""
    if name.get("literal"):
        return "{" + " ".join(str(name["literal"]).split()) + "}"
    family = _joined(name.get("non-dropping-particle"), name.get("family"))
    given = _joined(name.get("given"), name.get("dropping-particle"))
    suffix = _joined(name.get("suffix"))
    if family and not given and not suffix:
        return family_alone(family)
    family, given = (f"{{{part}}}" if ";" in part else part for part in (family, given))
    if suffix and suffix.lower() not in SUFFIXES and given:
        return f"{family}, {suffix}, {given}"
    if not suffix and given_like_a_suffix(given, family):
        given = f"{{{given}}}"
    return ", ".join([family or given] + ([given] if family and given else []) + ([suffix] if suffix else []))


def _joined(*parts: Any) -> str:
    return " ".join(" ".join(str(part).split()) for part in parts if part and str(part).strip())


@lru_cache(maxsize=65536)
def family_alone(family: str) -> str:
    """A family name with no given name (Zotero's one-field names): as it is when the
    reader reads it back so ("Plato"), else braced with an empty given name, as kb's
    BibTeX export writes it ("{Diodore de Sicile}, {}"; alone, "Diodore de Sicile" would
    be read as given and family names and "UNESCO" as an organisation)."""
    from ..importers.csv_table import _names  # the reader, imported late: exporters load without it

    if _names(family, "") == [{"family": family}]:
        return family
    return f"{{{family}}}, {{}}"


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
                if not parsed and row[variable] and not literal_date_reads_back(row[variable]):
                    losses.add(work.citekey, f"{variable} (a date as written that CSV reads back as a date)")
            else:
                row[variable] = str(value)
        report_kept_fields(work, losses)
        writer.writerow([row.get(column, "") for column in COLUMNS])
    return buffer.getvalue()


@lru_cache(maxsize=4096)
def literal_date_reads_back(text: str) -> bool:
    """Whether a date kept as written (CSL's `literal`, "Spring/Summer 2012") is written
    the same way after the CSV reader has read it: a CSV cell has no mark for "as
    written", and the reader reads what it can ("2012")."""
    from ..date_forms import read_date  # the reader's, imported late: exporters load without it

    read = read_date(text)
    if read is None or "literal" in read.csl:
        return read is not None and read.csl["literal"] == text
    parsed = partial_date_from_csl(read.csl)
    return parsed is not None and parsed.edtf == text


def _tag_list(tags: list[str]) -> str:
    """Tags joined by "; "; a lone tag holding a comma ends with ";" so the importer
    (which splits on ";" when there is one, else on ",") reads it back as one tag."""
    text = "; ".join(tags)
    return f"{text};" if len(tags) == 1 and "," in text else text
