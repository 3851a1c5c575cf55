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
from typing import Any

from ..dates import partial_date_from_csl
from ..names import display_name
from . import ExportWork, Losses

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


def name_cell(names: list[Any]) -> str:
    out = []
    for name in names:
        if not isinstance(name, dict):
            continue
        out.append("{" + name["literal"] + "}" if name.get("literal") else display_name(name))
    return "; ".join(out)


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
            elif variable in DATE_COLUMNS:
                parsed = partial_date_from_csl(value)
                row[variable] = (
                    parsed.edtf if parsed else str(value.get("literal", "") if isinstance(value, dict) else value)
                )
            else:
                row[variable] = str(value)
        for fmt, kept in sorted(work.extra.items()):
            for field in sorted(kept):
                if field != "ENTRYTYPE":
                    losses.add(work.citekey, f"{fmt} field {field}")
        writer.writerow([row.get(column, "") for column in COLUMNS])
    return buffer.getvalue()


def _tag_list(tags: list[str]) -> str:
    """Tags joined by "; "; a lone tag holding a comma ends with ";" so the importer
    (which splits on ";" when there is one, else on ",") reads it back as one tag."""
    text = "; ".join(tags)
    return f"{text};" if len(tags) == 1 and "," in text else text
