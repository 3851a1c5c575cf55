"""Partial dates: what the user wrote, its EDTF form, the precision it states, its bounds.

"August 2008" is a month, not the 1st of August; "19-20 November 2010" is a range of
days; "c. 1990" is an approximate year. python-dateutil reads each side; a date is
parsed twice with two different defaults so that only the parts the text actually
states survive (a part that changes with the default was not in the text).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from .errors import KbError

_DEFAULT_A = datetime(1, 1, 1)
_DEFAULT_B = datetime(2, 2, 2)
_CIRCA = re.compile(r"^(?:c\.|ca\.?|circa|about|approx\.?)\s*|~$|\?$", re.IGNORECASE)
_ISO = re.compile(r"^(-?\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")  # "-0379": a year BCE (EDTF)
_DAY_RANGE_FIRST = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s*[-–—]\s*(\d{1,2})(?:st|nd|rd|th)?\s+(.+)$")
_DAY_RANGE_MONTH_FIRST = re.compile(r"^([A-Za-z]+\.?)\s+(\d{1,2})\s*[-–—]\s*(\d{1,2}),?\s+(\d{4})$")
_RANGE_SPLIT = re.compile(r"\s*/\s*|\s+[-–—]\s+|\s*[–—]\s*|\s+to\s+|\s+until\s+", re.IGNORECASE)
_DECADE = re.compile(r"^(\d{3})0s$")


@dataclass(frozen=True)
class DatePoint:
    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    def iso(self) -> str:
        parts = [_year_text(self.year)]
        if self.month:
            parts.append(f"{self.month:02d}")
        if self.day:
            parts.append(f"{self.day:02d}")
        return "-".join(parts)

    def first_day(self) -> str:
        return f"{_year_text(self.year)}-{self.month or 1:02d}-{self.day or 1:02d}"

    def last_day(self) -> str:
        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        return f"{_year_text(self.year)}-{month:02d}-{day:02d}"

    def sort_key(self) -> tuple[int, int, int]:
        """Its first day as numbers (the ISO text does not sort years BCE)."""
        return self.year, self.month or 1, self.day or 1

    def parts(self) -> list[int]:
        return [p for p in (self.year, self.month, self.day) if p]


def _year_text(year: int) -> str:
    """A year as EDTF writes it: four digits, a minus sign before a year BCE ("-0379")."""
    return f"{year:04d}" if year >= 0 else f"-{-year:04d}"


@dataclass(frozen=True)
class PartialDate:
    """A date as stated. `start`/`end` are sortable ISO day bounds of what it covers."""

    text: str
    begin: DatePoint
    finish: DatePoint | None = None
    circa: bool = False

    @property
    def is_range(self) -> bool:
        return self.finish is not None

    @property
    def precision(self) -> str:
        return self.begin.precision

    # Computed on first use and kept: an import shares one PartialDate among all the
    # works with the same date-parts (see partial_date_from_csl), and reads each form
    # several times. cached_property writes the instance __dict__, so frozen is fine.
    @cached_property
    def edtf(self) -> str:
        value = self.begin.iso() + (f"/{self.finish.iso()}" if self.finish else "")
        return value + ("~" if self.circa else "")

    @cached_property
    def start(self) -> str:
        return self.begin.first_day()

    @cached_property
    def end(self) -> str:
        return (self.finish or self.begin).last_day()

    @property
    def year(self) -> int:
        return self.begin.year

    def to_csl(self) -> dict[str, Any]:
        date_parts = [self.begin.parts()] + ([self.finish.parts()] if self.finish else [])
        result: dict[str, Any] = {"date-parts": date_parts}
        if self.circa:
            result["circa"] = True
        return result


def parse_partial_date(text: str) -> PartialDate:
    """Read a date as people write it; raise KbError when it cannot be read."""
    original = text
    text = " ".join(str(text).split()).strip().rstrip(".")
    if not text:
        raise KbError("empty date")
    circa = bool(_CIRCA.search(text))
    text = _CIRCA.sub("", text).strip()
    decade = _DECADE.match(text)
    if decade:
        base = int(decade.group(1)) * 10
        return PartialDate(original, DatePoint(base), DatePoint(base + 9), circa)
    try:
        begin, finish = _parse_range(text)
    except (ValueError, OverflowError) as exc:
        raise KbError(f"cannot read the date {original!r}") from exc
    if finish is not None and finish.sort_key() < begin.sort_key():
        raise KbError(f"the date range {original!r} ends before it starts")
    return PartialDate(original, begin, finish, circa)


def _parse_range(text: str) -> tuple[DatePoint, DatePoint | None]:
    match = _DAY_RANGE_FIRST.match(text)
    if match:  # "19-20 November 2010"
        rest = match.group(3)
        return _parse_point(f"{match.group(1)} {rest}"), _parse_point(f"{match.group(2)} {rest}")
    match = _DAY_RANGE_MONTH_FIRST.match(text)
    if match:  # "November 19-20, 2010"
        month, day1, day2, year = match.groups()
        return _parse_point(f"{month} {day1} {year}"), _parse_point(f"{month} {day2} {year}")
    if not _ISO.match(text):
        sides = _RANGE_SPLIT.split(text)
        if len(sides) == 2 and all(sides):
            finish = _parse_point(sides[1])
            begin = _parse_point(sides[0], year_if_missing=finish.year)
            return begin, finish
    return _parse_point(text), None


def _parse_point(text: str, year_if_missing: int | None = None) -> DatePoint:
    text = text.strip().strip(",")
    iso = _ISO.match(text)
    if iso:
        year, month, day = (int(g) if g else None for g in iso.groups())
        point = DatePoint(year, month, day)
        _check_point(point)
        return point
    if text.isdigit():
        raise ValueError(text)
    from dateutil import parser as dateutil_parser  # only free-text dates need it (and its import time)

    a = dateutil_parser.parse(text, default=_DEFAULT_A)
    b = dateutil_parser.parse(text, default=_DEFAULT_B)
    year = a.year if a.year == b.year else year_if_missing
    if year is None:
        raise ValueError(f"no year in {text!r}")
    month = a.month if a.month == b.month else None
    day = a.day if a.day == b.day and month else None
    return DatePoint(year, month, day)


def _check_point(point: DatePoint) -> None:
    if point.month is not None and not 1 <= point.month <= 12:
        raise ValueError("month out of range")
    if point.day is not None:
        datetime(point.year, point.month or 1, point.day)


# Plain date-parts (no raw or literal text) -> their PartialDate. An import reads each
# work's dates three times (importer check, clean_item, article_columns) and the same
# dates recur across a library, so this turns most reads into one dictionary look-up.
# PartialDate is immutable, so sharing one is safe; the size bound keeps memory flat.
_FROM_PARTS: dict[tuple[Any, ...], PartialDate] = {}
_FROM_PARTS_MAX = 65536


def partial_date_from_csl(value: dict[str, Any] | str | None) -> PartialDate | None:
    """A CSL date variable as a PartialDate; None when it states no date at all."""
    if not value:
        return None
    if isinstance(value, str):
        return parse_partial_date(value)
    key = _parts_key(value)
    if key is not None:
        cached = _FROM_PARTS.get(key)
        if cached is not None:
            return cached
    date = _from_csl(value)
    if key is not None and date is not None:
        if len(_FROM_PARTS) >= _FROM_PARTS_MAX:
            _FROM_PARTS.clear()
        _FROM_PARTS[key] = date
    return date


def _parts_key(value: dict[str, Any]) -> tuple[Any, ...] | None:
    """A hashable key for a date given only by date-parts (and circa), else None: the
    PartialDate is then a function of circa and the parts' values alone."""
    if "raw" in value or "literal" in value:
        return None  # their text becomes the PartialDate's text
    parts = value.get("date-parts")
    if type(parts) is not list or not 0 < len(parts) <= 2 or any(type(part) is not list for part in parts):
        return None
    key = (bool(value.get("circa")), *map(tuple, parts))
    try:
        hash(key)
    except TypeError:  # a part holding a list or dict: not cached
        return None
    return key


def _from_csl(value: dict[str, Any]) -> PartialDate | None:
    circa = bool(value.get("circa"))
    parts = value.get("date-parts")
    if parts and parts[0] and parts[0][0] not in (None, ""):
        points = [DatePoint(*[int(p) for p in part[:3] if p not in (None, "")]) for part in parts[:2] if part]
        text = value.get("raw") or _parts_text(points)
        begin = points[0]
        finish = points[1] if len(points) > 1 and points[1] != points[0] else None
        return PartialDate(text, begin, finish, circa)
    raw = value.get("raw") or value.get("literal")
    if raw:
        try:
            parsed = parse_partial_date(str(raw))
        except KbError:
            return None
        return PartialDate(parsed.text, parsed.begin, parsed.finish, circa or parsed.circa)
    return None


def _parts_text(points: list[DatePoint]) -> str:
    return "/".join(p.iso() for p in points)
