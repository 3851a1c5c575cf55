"""Dates as people and databases write them, read into kb's partial-date model.

`kb.dates` reads the forms kb itself writes and the common ones ("August 2008",
"19-20 November 2010", EDTF). Real bibliographies hold many more: sort tricks
(``\\noopsort{1973b}1973``), unspecified digits (``198?``, ``186X``), abbreviated
ranges (``2016–18``, ``1965--1981``), ``c2000``, French/German/Spanish/Italian month
names, seasons (``Summer 1990``, EDTF ``2012-22``), EDTF qualifiers (``1917~/1954``),
years BCE (``-0379``), open ranges (``2010/``). This module rewrites such a text
into a form `kb.dates` reads and returns the CSL date to store:

- read by `kb.dates` as it is -> its plain CSL form (``{"date-parts": ...}``);
- read after a rewrite -> the CSL form plus ``raw``, the text as written (kb keeps
  showing what the source said; the date-parts give the bounds);
- not read at all -> ``{"literal": text}``, and `kept_as_written` is true: the
  importer flags the work for review and the import summary counts it. Such a date
  has no bounds, but nothing is lost and every exporter writes it back as text.

Every CSL date returned here is one `kb.dates.partial_date_from_csl` accepts and kb's
dump writes back in a form `kb build` reads again (tests/test_dates_real.py).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from typing import Any

from .dates import parse_partial_date, partial_date_from_csl
from .errors import KbError


@dataclass(frozen=True)
class ReadDate:
    """A date read from a source: the CSL date to store, and whether kb could not read
    it (then `csl` is ``{"literal": text}`` and the work needs review)."""

    csl: dict[str, Any]
    kept_as_written: bool = False


# Words that say there is no date (yet); kept as literal text, not flagged.
NO_DATE_WORDS = re.compile(
    r"^(forthcoming|in press|in preparation|to appear|submitted|accepted|n\.?\s?d\.?|no date|undated|unpublished"
    r"|\d{1,4}\s*(bce?|b\.c\.e?\.?|ad|a\.d\.|ce))$",
    re.I,
)

# BibTeX sort tricks: the argument only steers sorting, the text after it is the date.
_SORT_TRICK = re.compile(
    r"\\(?:noopsort|nosort|noop|sortnoop|SortNoop|sortkey|presort|relax)\b\s*(?:\{(?:[^{}]|\{[^{}]*\})*\})?"
)
_LATEX_SPACE = re.compile(r"~(?=[^\s/])|\\[ ,;:]")  # `5.~jun`, `\,`: a space in LaTeX
_BRACKETS = re.compile(r"^[\[(](.*)[\])]$")  # "[1990]": a date a cataloguer supplied
_CIRCA_GLUED = re.compile(r"^(?:c|ca|circa)\.?\s*(?=\d)", re.I)  # "c2000", "ca.1990"
_YEAR_LETTER = re.compile(r"^(\d{4})[a-z]$")  # "1973b": a letter to tell works apart
_UNSPECIFIED = re.compile(r"^(-?\d{1,3})([Xxu?]+|-{1,3})$")  # "198?", "186X", "19XX", "198-"
_YEAR_RANGE = re.compile(r"^(-?\d{3,4})\s*(-{1,3}|[–—/]|\s+to\s+)\s*(\d{1,4})$", re.I)
_BARE_YEAR = re.compile(r"^(?:\d{3}|-\d{1,4})$")
_ISO_BCE = re.compile(
    r"^-\d{4}(?:-\d{1,2}(?:-\d{1,2})?)?(?:/-?\d{4}(?:-\d{1,2}(?:-\d{1,2})?)?)?$"
)  # "-0379-05", "-0379/-0300"
_EDTF_YEARS = re.compile(r"^-?\d{4}/-?\d{4}$")  # "1990/1995": EDTF, read by kb.dates as it is
_OPEN_END = re.compile(r"^(.+?)\s*(?:/\.\.|/|--?|[–—])$")
_OPEN_START = re.compile(r"^(?:\.\./|/)(.+)$")
_QUALIFIERS = re.compile(r"(?<=\d)[~?%]|^[~?%](?=\d)")  # EDTF: approximate, uncertain, both
_SEASONS = {"spring": 1, "summer": 2, "autumn": 3, "fall": 3, "winter": 4}
_SEASON_NAME = r"(spring|summer|autumn|fall|winter)"
_SEASON_DATE = re.compile(
    rf"^{_SEASON_NAME}(?:\s*[-–/&]\s*{_SEASON_NAME})?,?\s+(-?\d{{4}})$|^(-?\d{{4}}),?\s+{_SEASON_NAME}$", re.I
)
_EDTF_SEASON = {21: 1, 22: 2, 23: 3, 24: 4}  # EDTF level 1 season codes ("2012-22": summer 2012)
_MONTH_WORD = r"([A-Za-zÀ-ÿ]+)\.?"
_MONTH_RANGE = re.compile(rf"^{_MONTH_WORD}\s*[-–/]+\s*{_MONTH_WORD},?\s+(-?\d{{4}})$")
_YEAR_MONTH_RANGE = re.compile(rf"^(-?\d{{4}}),?\s+{_MONTH_WORD}\s*[-–/]+\s*{_MONTH_WORD}$")  # "2001 Jul-Aug" (PubMed)

# Month names of the languages bibliographies are most often kept in, as English.
_ENGLISH = "January February March April May June July August September October November December".split()
_FOREIGN_MONTHS = {
    # French
    "janvier": 1,
    "janv": 1,
    "février": 2,
    "fevrier": 2,
    "févr": 2,
    "fevr": 2,
    "mars": 3,
    "avril": 4,
    "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "juil": 7,
    "août": 8,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "décembre": 12,
    "decembre": 12,
    "déc": 12,
    # German
    "januar": 1,
    "jänner": 1,
    "jan": 1,
    "februar": 2,
    "märz": 3,
    "maerz": 3,
    "mär": 3,
    "juni": 6,
    "juli": 7,
    "oktober": 10,
    "okt": 10,
    "dezember": 12,
    "dez": 12,
    # Spanish
    "enero": 1,
    "febrero": 2,
    "marzo": 3,
    "abril": 4,
    "mayo": 5,
    "junio": 6,
    "julio": 7,
    "agosto": 8,
    "septiembre": 9,
    "setiembre": 9,
    "octubre": 10,
    "noviembre": 11,
    "diciembre": 12,
    # Italian
    "gennaio": 1,
    "febbraio": 2,
    "aprile": 4,
    "maggio": 5,
    "giugno": 6,
    "luglio": 7,
    "settembre": 9,
    "ottobre": 10,
    "dicembre": 12,
}
_FOREIGN_MONTH = re.compile(
    r"(?<![A-Za-zÀ-ÿ])(" + "|".join(sorted(_FOREIGN_MONTHS, key=len, reverse=True)) + r")\.?(?![A-Za-zÀ-ÿ])", re.I
)
_OF = re.compile(r"\s+(?:de|del|di)\s+", re.I)  # "12 de mayo de 1990"
_DE_DAY = re.compile(r"(?<!\d)(\d{1,2})\.(?=\s*[A-Za-z])")  # "5. Juni 1990"


def clean_date_text(text: str) -> str:
    """A date's text without TeX: sort tricks, braces, ``~`` spaces; white space folded."""
    text = str(text)
    if "\\" in text:
        text = _LATEX_SPACE.sub(" ", _SORT_TRICK.sub("", text))
    if "~" in text:
        text = _LATEX_SPACE.sub(" ", text)
    text = text.replace("{", "").replace("}", "")
    return " ".join(text.split()).strip().rstrip(",")


def read_date(text: str) -> ReadDate | None:
    """The CSL date for a date as written; None when the text is empty."""
    clean = clean_date_text(text)
    if not clean or clean in ("-", "--", "?", "/", ".."):
        return None
    if NO_DATE_WORDS.match(clean):
        return ReadDate({"literal": clean})
    # Forms dateutil would misread ("198-" as the year 198, "2016-18" as 2016, "-379" as
    # 379, "-37" as 2037): first.
    csl = (
        _bare_year(clean)
        or _unspecified(clean)
        or (None if _EDTF_YEARS.match(clean) else _year_range(clean))
        or _open_range(clean)
    )
    if csl is None:
        csl = _strict(clean)
        if csl is not None:
            return ReadDate(csl)
        csl = _rewritten(clean)
    if csl is None:
        return ReadDate({"literal": clean}, kept_as_written=True)
    if set(csl) - {"date-parts", "circa"} or _edtf(csl) != clean:
        csl["raw"] = clean  # the text as written, when kb would write it otherwise
    return ReadDate(csl)


def _edtf(csl: dict[str, Any]) -> str | None:
    date = partial_date_from_csl(csl)
    return date.edtf if date else None


def _strict(text: str) -> dict[str, Any] | None:
    """`kb.dates`'s reading, unless it gives no year (year 0: "0000")."""
    if text.startswith("-") and not _ISO_BCE.match(text):
        return None  # dateutil drops the sign
    try:
        csl = parse_partial_date(text).to_csl()
    except KbError:
        return None
    return csl if all(csl["date-parts"]) else None


def _bare_year(text: str) -> dict[str, Any] | None:
    """ "379", "-0379", "-379", "-37": a year of three digits, or any year BCE."""
    match = _BARE_YEAR.match(text)
    if not match or not int(text):
        return None
    return {"date-parts": [[int(text)]]}


def _rewritten(text: str) -> dict[str, Any] | None:
    """The CSL date of a form `kb.dates` does not read as it is, or None."""
    circa = False
    bracketed = _BRACKETS.match(text)
    if bracketed:
        text = bracketed.group(1).strip()
    if _CIRCA_GLUED.match(text):
        text, circa = _CIRCA_GLUED.sub("", text), True
    if _QUALIFIERS.search(text) and not _UNSPECIFIED.match(text):
        text, circa = _QUALIFIERS.sub("", text), True
    csl = _strict(text) or _form(text)
    if csl is None:
        translated = _FOREIGN_MONTH.sub(lambda m: _ENGLISH[_FOREIGN_MONTHS[m.group(1).lower()] - 1], text)
        translated = _DE_DAY.sub(r"\1", _OF.sub(" ", translated))
        if translated != text:
            csl = _strict(translated) or _form(translated)
    if csl is not None and circa:
        csl["circa"] = True
    return csl


def _form(text: str) -> dict[str, Any] | None:
    """The forms with a meaning of their own: each tried in turn."""
    for reader in (_bare_year, _year_letter, _unspecified, _year_range, _season, _month_range, _open_range):
        csl = reader(text)
        if csl is not None:
            return csl
    return None


def _year_letter(text: str) -> dict[str, Any] | None:
    match = _YEAR_LETTER.match(text)
    return {"date-parts": [[int(match.group(1))]]} if match else None


def _unspecified(text: str) -> dict[str, Any] | None:
    """ "198?" / "186X" / "19XX" / "198-": the years those digits can be."""
    match = _UNSPECIFIED.match(text)
    if not match:
        return None
    digits, missing = match.group(1), len(match.group(2))
    if len(digits.lstrip("-")) + missing != 4 or missing > 2:
        return None
    low, high = int(digits + "0" * missing), int(digits + "9" * missing)
    if low < 0:
        low, high = high, low
    return {"date-parts": [[low], [high]]}


def _year_range(text: str) -> dict[str, Any] | None:
    """ "1965--1981", "2016–18", "1948/49"; "2012-22" is EDTF's summer 2012."""
    match = _YEAR_RANGE.match(text)
    if not match:
        return None
    start, dash, end_text = int(match.group(1)), match.group(2).strip(), match.group(3)
    end = int(end_text)
    if dash == "-" and len(end_text) == 2 and end in _EDTF_SEASON:
        return {"date-parts": [[start]], "season": _EDTF_SEASON[end]}
    if dash == "-" and len(end_text) <= 2 and 1 <= end <= 12:
        return None  # "2012-05": a month, read by kb.dates
    end = expand_short_year(start, end_text)
    if end is None or end < start:
        return None
    return {"date-parts": [[start], [end]]}


def expand_short_year(start: int, end_text: str) -> int | None:
    """The end year of "1948/49" or "2016–18" (the start's leading digits filled in);
    None when the end is not a short year after the start."""
    end = int(end_text)
    if len(end_text) >= len(str(abs(start))) or start < 0:
        return end
    scale = 10 ** len(end_text)
    full = start - start % scale + end
    if full < start:
        full += scale
    return full


def _season(text: str) -> dict[str, Any] | None:
    """ "Summer 1990", "Summer/Autumn 1990", "1990 Fall": the year, and CSL's season."""
    match = _SEASON_DATE.match(text)
    if not match:
        return None
    first, second, year, year_first, season_after = match.groups()
    if year_first:
        return {"date-parts": [[int(year_first)]], "season": _SEASONS[season_after.lower()]}
    season: int | str = _SEASONS[first.lower()]
    if second:  # CSL's season holds one season; two are kept as the text says them
        season = f"{first}/{second}"
    return {"date-parts": [[int(year)]], "season": season}


def _month_range(text: str) -> dict[str, Any] | None:
    """ "Jan-Feb 2003", "Nov./Dec. 1999": two months of one year."""
    match = _MONTH_RANGE.match(text)
    if match:
        first, second, year = match.groups()
    else:
        match = _YEAR_MONTH_RANGE.match(text)
        if not match:
            return None
        year, first, second = match.groups()
    return _strict(f"{first} {year}/{second} {year}")


def _open_range(text: str) -> dict[str, Any] | None:
    """ "2010/", "2010-", "../2010": the side that is known (CSL has no open ranges;
    the text as written, kept in `raw`, says which side is open)."""
    match = _OPEN_END.match(text) or _OPEN_START.match(text)
    if not match:
        return None
    return _strict(match.group(1)) or _form(match.group(1))


def normalise_csl_date(value: dict[str, Any]) -> ReadDate:
    """A CSL-JSON date as the source meant it: seasons given as months (``[[2001, 22]]``,
    CSL's 21-24 or 13-16) moved to ``season``, a short end year (``[[1948], [49]]``)
    filled in. Date-parts kb still cannot read become the date's text, kept as written."""
    date = dict(value)
    parts = date.get("date-parts")
    if parts:
        parts = [list(part) for part in parts]
        for part in parts:
            if len(part) > 1 and (13 <= part[1] <= 16 or 21 <= part[1] <= 24):
                season = part[1] - 12 if part[1] <= 16 else part[1] - 20
                del part[1:]
                date.setdefault("season", season)
        if len(parts) > 1 and len(parts[1]) == 1 and 0 <= parts[1][0] < 100 <= parts[0][0]:
            # An end of one small number is the last part the range changes, the rest
            # being the start's: [[1948], [49]] is 1948-1949, [[1985, 4, 18], [24]]
            # 18-24 April 1985, [[1985, 4], [6]] April-June 1985.
            begin, end = parts[0], parts[1][0]
            if len(begin) == 1:
                parts[1] = [expand_short_year(begin[0], str(end)) or end]
            else:
                parts[1] = [*begin[:-1], end]
        canonical = _canonical_parts(parts)
        if canonical is None:
            text = date.get("raw") or date.get("literal") or _parts_text(value.get("date-parts"))
            fallback = read_date(str(text)) if date.get("raw") else None
            if fallback is not None and not fallback.kept_as_written:
                return fallback
            return ReadDate({"literal": str(text)}, kept_as_written=True)
        date["date-parts"] = canonical
    return ReadDate(date)


def csl_date_problem(value: Any) -> str | None:
    """What makes a CSL date one kb cannot store (date-parts its date model refuses, or
    that kb would dump in a form `kb build` refuses), or None."""
    if not isinstance(value, dict) or not value.get("date-parts"):
        return None
    parts = value["date-parts"]
    if not isinstance(parts, list) or not all(
        isinstance(part, list) and all(type(p) is int for p in part) for part in parts
    ):
        return f"the date-parts {parts!r} should be lists of whole numbers"
    if _canonical_parts(parts) is None:
        return (
            f"the date-parts {parts!r} are not a date kb can read (a year, a month 1-12, a day of that month; "
            "a range that ends after it starts); give the date as text instead"
        )
    return None


def _canonical_parts(parts: list[list[int]]) -> list[list[int]] | None:
    """The date-parts as kb writes them back (through EDTF: at most two dates of at most
    three parts, a range's end not repeated); None when kb's date model refuses them.
    Checked with numbers, not by parsing text: the store checks every work's dates."""
    points = [part[:3] for part in parts[:2]]
    for point in points:
        if not point or not 0 < abs(point[0]) <= 9999:
            return None
        if len(point) > 1 and not 1 <= point[1] <= 12:
            return None
        if len(point) > 2 and not 1 <= point[2] <= calendar.monthrange(point[0], point[1])[1]:
            return None
    if len(points) == 2:
        if points[1] == points[0]:
            return points[:1]
        begin, end = ((p + [1, 1])[:3] for p in points)
        if end < begin:
            return None
    return points


def _parts_text(parts: Any) -> str:
    return "/".join("-".join(str(p) for p in part) for part in parts or [] if isinstance(part, list))
