"""Validation at the door: a work's CSL item is checked before the store sees it, so
nothing the store accepts can break a later command (an export, a dump, a page).

Text variables must be text, numbers in number variables must be whole and in range,
names must be mappings of text, dates must exist (no month 13, no 30 February, years
within +-9999), citekeys must be short and printable. A wrong value is a one-line error
naming the record and the variable (or a skipped record with --skip-invalid).
"""

from __future__ import annotations

import calendar
import math
import re
from typing import Any

from .errors import KbError
from .limits import MAX_CITEKEY_CHARS, MAX_FIELD_CHARS
from .model import CSL_DATE_VARIABLES, CSL_NAME_VARIABLES

# CSL variables that may hold a number as well as text.
NUMBER_VARIABLES = frozenset(
    """chapter-number citation-number collection-number edition first-reference-note-number issue
    locator number number-of-pages number-of-volumes page page-first part-number printing-number
    section supplement-number version volume""".split()
)
# Variables that are not text: kb's own structured keys and CSL's `custom` object.
STRUCTURED_VARIABLES = frozenset({"custom"})
NAME_PARTS = ("family", "given", "literal", "suffix", "dropping-particle", "non-dropping-particle")
MAX_NUMBER = 10**15
MAX_YEAR = 9999
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _text(value: Any, what: str, where: str | None) -> None:
    if not isinstance(value, str):
        raise KbError(f"{what} should be text, found {_describe(value)}", where)
    if len(value) > MAX_FIELD_CHARS:
        raise KbError(f"{what} is longer than {MAX_FIELD_CHARS:,} characters", where)
    if "\x00" in value:
        raise KbError(f"{what} holds a NUL character", where)


def _number_or_text(value: Any, what: str, where: str | None) -> None:
    if isinstance(value, bool) or isinstance(value, float) and not math.isfinite(value):
        raise KbError(f"{what} should be a number or text, found {_describe(value)}", where)
    if isinstance(value, (int, float)):
        if abs(value) >= MAX_NUMBER:
            raise KbError(f"{what}: the number {_describe(value)} is out of range", where)
        return
    _text(value, what, where)


def check_citekey(key: Any, where: str | None) -> None:
    _text(key, "the citekey", where)
    if len(key) > MAX_CITEKEY_CHARS:
        raise KbError(f"the citekey is longer than {MAX_CITEKEY_CHARS} characters", where)
    if _CONTROL.search(key) or not key.strip():
        raise KbError(f"the citekey {key!r} holds control characters or nothing", where)


def _names(value: Any, variable: str, where: str | None) -> None:
    if not isinstance(value, list):
        raise KbError(f"{variable} should be a list of names, found {_describe(value)}", where)
    for name in value:
        if not isinstance(name, dict):
            raise KbError(f"{variable}: a name should be a mapping, found {_describe(name)}", where)
        for part, text in name.items():
            if part in NAME_PARTS:
                _text(text, f"{variable} {part}", where)
            elif not isinstance(text, (str, bool, int)) or isinstance(text, int) and abs(text) >= MAX_NUMBER:
                raise KbError(f"{variable} {part} should be text, found {_describe(text)}", where)


def _date_part(value: Any, variable: str, where: str | None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise KbError(f"{variable}: a date part should be a whole number, found {_describe(value)}", where)
    if isinstance(value, str):
        if not re.fullmatch(r"-?\d{1,6}", value.strip()):
            raise KbError(f"{variable}: a date part should be a whole number, found {_describe(value)}", where)
        value = int(value)
    return value


def _date(value: Any, variable: str, where: str | None) -> None:
    if not isinstance(value, dict):
        raise KbError(f"{variable} should be a date (date-parts, raw or literal), found {_describe(value)}", where)
    for key in ("raw", "literal"):
        if key in value:
            _text(value[key], f"{variable} {key}", where)
    parts = value.get("date-parts")
    if parts is None:
        return
    if (
        not isinstance(parts, list)
        or not 1 <= len(parts) <= 2
        or not all(isinstance(p, list) and 1 <= len(p) <= 3 for p in parts)
    ):
        raise KbError(
            f"{variable}: date-parts should be one or two lists of year, month, day, found {_describe(parts)}", where
        )
    for part in parts:
        year, *rest = [_date_part(p, variable, where) for p in part]
        if not -MAX_YEAR <= year <= MAX_YEAR:
            raise KbError(f"{variable}: the year {year} is out of range", where)
        if rest and not 1 <= rest[0] <= 12:
            raise KbError(f"{variable}: there is no month {rest[0]} (a season goes in `season`)", where)
        if len(rest) == 2:
            days = calendar.monthrange(year if year > 0 else 2000, rest[0])[1]
            if not 1 <= rest[1] <= days:
                raise KbError(f"{variable}: there is no day {rest[1]} in {calendar.month_name[rest[0]]} {year}", where)


def check_work_item(item: Any, where: str | None) -> None:
    """Raise KbError for the first value of a work's CSL item that kb cannot keep."""
    if not isinstance(item, dict):
        raise KbError(f"a work should be a mapping, found {_describe(item)}", where)
    for variable, value in item.items():
        if not isinstance(variable, str):
            raise KbError(f"a variable name should be text, found {_describe(variable)}", where)
        if value is None:
            continue
        if variable == "id":
            check_citekey(value, where)
        elif variable in CSL_NAME_VARIABLES:
            _names(value, variable, where)
        elif variable in CSL_DATE_VARIABLES:
            _date(value, variable, where)
        elif variable in NUMBER_VARIABLES:
            _number_or_text(value, variable, where)
        elif variable not in STRUCTURED_VARIABLES:
            _text(value, variable, where)
