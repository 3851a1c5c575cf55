"""CSL-JSON (Zotero, Mendeley, pandoc, citeproc) as works.

CSL-JSON is kb's own vocabulary for works, so an item passes through nearly as it is:
dates are checked and their ``date-parts`` made numbers; ``season``, ``circa``,
``raw`` and ``literal`` dates and literal names are kept; ``keyword`` becomes tags.
An ``id`` that is not a usable citekey (Zotero's item URIs, plain numbers) is kept in
``extra["csl-json"]`` and the store makes a Better BibTeX key instead.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterator
from typing import Any

from ..date_forms import ReadDate, normalise_csl_date, read_date
from ..dates import partial_date_from_csl
from ..errors import KbError
from ..keys import is_valid_citekey
from ..model import CSL_DATE_VARIABLES, CSL_NAME_VARIABLES, CSL_TYPES, ImportWarning, Invalid, Record, WorkRecord
from ..names import parse_name

# Zotero's raw dates sometimes carry a time zone ("EDT"), which dateutil warns about.
warnings.filterwarnings("ignore", message="tzname .* identified but not understood")

FORMAT = "csl-json"
EXTENSIONS = (".csl.json", ".json", ".csljson")

# Types of older CSL versions and of exporters that are not quite CSL.
LEGACY_TYPES = {
    "article-encyclopedia": "entry-encyclopedia",
    "webpage-post": "post",
    "blog-post": "post-weblog",
    "journal-article": "article-journal",
    "book-chapter": "chapter",
    "conference-paper": "paper-conference",
}


# CSL 1.0.2's standard variables besides names and dates (and the keys CSL-JSON adds):
# an object with none of them is not a CSL item (a Crossref API answer, a config file).
_CSL_VARIABLES = frozenset(
    """id type title title-short container-title container-title-short collection-title
    collection-number publisher publisher-place event event-title event-place genre medium
    abstract note annote URL DOI ISBN ISSN PMID PMCID page page-first number-of-pages volume
    number-of-volumes issue number edition section source archive archive_location
    archive-place authority call-number chapter-number citation-key citationKey keyword
    language license original-title original-publisher original-publisher-place part-number
    part-title references reviewed-title scale status version dimensions division
    jurisdiction""".split()
)


def _is_csl_item(entry: dict[str, Any]) -> bool:
    if "message-type" in entry or set(entry) == {"status"}:  # an API envelope ("status": "ok")
        return False
    return any(key in _CSL_VARIABLES or key in CSL_NAME_VARIABLES or key in CSL_DATE_VARIABLES for key in entry)


def _not_csl(entry: dict[str, Any]) -> str:
    keys = ", ".join(list(entry)[:4]) + (" ..." if len(entry) > 4 else "")
    hint = "; a Crossref API answer? Add its work with `kb add DOI`" if "message" in entry else ""
    return f"not CSL-JSON: an object with none of CSL's variables (it holds {keys or 'nothing'}){hint}"


def detect(head: str) -> bool:
    start = head.lstrip("\ufeff \t\r\n")
    return (
        start.startswith("[") and '"type"' in head or start.startswith("{") and '"type"' in head and '"title"' in head
    )


def parse(text: str, source: str) -> Iterator[Record]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise KbError(f"not valid JSON: {exc.msg}", f"{source}:{exc.lineno}") from None
    except RecursionError:
        raise KbError("not valid JSON: nested too deeply", source) from None
    except ValueError as exc:  # a number of more than 4,300 digits
        raise KbError(f"not valid JSON: {str(exc).split(';')[0]}", source) from None
    if isinstance(data, dict):
        if "items" not in data and not _is_csl_item(data):
            raise KbError(_not_csl(data), source)
        data = data.get("items", [data]) if "items" in data else [data]
    if not isinstance(data, list):
        raise KbError("CSL-JSON should be a list of items", source)
    if not data:
        raise KbError("the file holds no CSL-JSON items", source)
    for number, entry in enumerate(data, 1):
        where = f"{source}: item {number}"
        if not isinstance(entry, dict):
            yield Invalid(f"expected an item (a JSON object), found {type(entry).__name__}", where)
            continue
        if not _is_csl_item(entry):
            yield Invalid(_not_csl(entry), where)
            continue
        try:
            yield item_to_work(entry, where)
        except KbError as exc:
            yield Invalid(exc.message, where)


def item_to_work(entry: dict[str, Any], where: str) -> WorkRecord:
    item = dict(entry)
    extra: dict[str, Any] = {}
    if entry.get("id") is not None:
        where = f"{where} ({entry['id']})"
    # kb's own export carries the citekey and the source fields an import kept in
    # `custom`; they come back as they were, so a CSL-JSON round trip loses nothing.
    custom = dict(item.pop("custom", None) or {}) if isinstance(item.get("custom"), dict) else item.pop("custom", None)
    kept: dict[str, Any] = {}
    named = item.pop("citation-key", None) or item.pop("citationKey", None)
    if isinstance(custom, dict):
        named = named or custom.pop("citekey", None)
        if isinstance(custom.get("kb-extra"), dict):
            kept = custom.pop("kb-extra")
        if custom:
            item["custom"] = custom
    elif custom is not None:
        item["custom"] = custom
    key = named or item.get("id")
    item.pop("id", None)
    key = str(key).strip() if key is not None else None
    # A key named as a citekey is kept whatever it holds; a bare `id` that is a URI or
    # a number (Zotero's item ids) is not a citekey.
    usable = key and is_valid_citekey(key) and (named or not key.isdigit())
    if usable and (named or ("/" not in key and ":" not in key)):
        item["id"] = key
    elif key:
        extra["id"] = key
    csl_type = str(item.get("type") or "document")
    csl_type = LEGACY_TYPES.get(csl_type, csl_type)
    if csl_type not in CSL_TYPES:
        extra["type"] = csl_type
        csl_type = "document"
    item["type"] = csl_type
    warnings: list[ImportWarning] = []
    for variable in CSL_DATE_VARIABLES:
        if variable in item:
            item[variable] = _date(item[variable], variable, where, warnings)
            if item[variable] is None:
                del item[variable]
    for variable in CSL_NAME_VARIABLES:
        if variable in item:
            item[variable] = _names(item[variable], variable, where)
    tags = []
    if isinstance(item.get("keyword"), str):
        value = item["keyword"]  # "; " when a keyword holds a comma (kb's export), else ","
        tags = [t for t in (" ".join(t.split()) for t in re.split(r";" if ";" in value else r",", value)) if t]
    for variable in ("title", "container-title", "abstract"):
        if isinstance(item.get(variable), list):  # some exporters give lists
            item[variable] = " ".join(str(v) for v in item[variable])
    needs_review = bool(warnings)  # a date kept as written
    if not item.get("title"):  # kept without a title (none is invented); it needs a look
        item.pop("title", None)
        needs_review = True
    return WorkRecord(
        item=item,
        tags=tags,
        extra={**kept, "csl-json": {**(kept.get("csl-json") or {}), **extra}} if extra else kept,
        origin=where,
        needs_review=needs_review,
        warnings=warnings,
    )


def _date(value: Any, variable: str, where: str, warnings: list[ImportWarning]) -> dict[str, Any] | None:
    """A CSL date as the source meant it (see `kb.date_forms.normalise_csl_date`); one kb
    cannot read is kept as written (``literal``), with a warning."""
    if value in (None, "", {}, []):
        return None
    if isinstance(value, (str, int)):
        value = {"raw": str(value)}
    if not isinstance(value, dict):
        raise KbError(f"{variable}: a date should be an object with date-parts, raw or literal", where)
    date = dict(value)
    parts = date.get("date-parts")
    if parts is not None:
        try:
            clean = [[int(p) for p in part if p not in (None, "")] for part in parts if part]
        except (TypeError, ValueError, OverflowError):
            clean = None
        clean = [part for part in clean if part] if clean is not None else None
        if clean:
            date["date-parts"] = clean
        else:
            del date["date-parts"]
            if clean is None and not date.get("raw") and not date.get("literal"):
                date["raw"] = json.dumps(parts, ensure_ascii=False)  # date-parts that are not numbers: kept as written
    if "season" in date:
        date["season"] = _season(date["season"], variable, where)
    if "circa" in date:
        date["circa"] = (
            bool(date["circa"]) if not isinstance(date["circa"], str) else date["circa"].lower() in ("true", "1", "yes")
        )
    if date.get("date-parts"):
        read = normalise_csl_date(date)
    elif date.get("raw") and not date.get("literal") and partial_date_from_csl({"raw": date["raw"]}) is None:
        read = read_date(str(date["raw"])) or ReadDate({"literal": str(date["raw"])}, kept_as_written=True)
        if not read.kept_as_written:
            read = ReadDate({**{k: v for k, v in date.items() if k != "raw"}, **read.csl, "raw": date["raw"]})
    else:
        read = ReadDate(date)
    if read.kept_as_written:
        warnings.append(ImportWarning("date", f"{variable}: cannot read the date {value!r}; kept as written"))
    return read.csl


_SEASONS = {"spring": 1, "summer": 2, "autumn": 3, "fall": 3, "winter": 4}


def _season(value: Any, variable: str, where: str) -> int | str:
    if isinstance(value, int) or str(value).isdigit():
        return int(value)
    return _SEASONS.get(str(value).strip().lower(), str(value))


def _names(value: Any, variable: str, where: str) -> list[dict[str, Any]]:
    if isinstance(value, (str, dict)):
        value = [value]
    if not isinstance(value, list):
        raise KbError(f"{variable}: names should be a list", where)
    names = []
    for name in value:
        if isinstance(name, str):
            try:
                names.append(parse_name(name))
            except ValueError:
                continue
        elif isinstance(name, dict):
            clean = {k: v for k, v in name.items() if v not in (None, "")}
            if clean:
                names.append(clean)
        else:
            raise KbError(f"{variable}: a name should be an object or text, found {name!r}", where)
    return names
