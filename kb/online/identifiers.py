"""What a string given to `kb add` is: a DOI, an ISBN, an arXiv id or a URL, by its shape."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from ..errors import KbError

_DOI = re.compile(r"^(?:doi:\s*)?(10\.\d{4,9}/\S+)$", re.I)
_DOI_HOSTS = ("doi.org", "dx.doi.org", "www.doi.org")
# New style (April 2007 on): YYMM.NNNN or YYMM.NNNNN; old style: archive(.SUBJECT)/YYMMNNN.
_ARXIV_NEW = re.compile(r"^(?:arxiv:\s*)?(\d{4}\.\d{4,5})(v\d+)?$", re.I)
_ARXIV_OLD = re.compile(r"^(?:arxiv:\s*)?([a-z][a-z-]*(?:\.[a-z]{2})?/\d{7})(v\d+)?$", re.I)
_ARXIV_HOSTS = ("arxiv.org", "www.arxiv.org", "export.arxiv.org")


@dataclass(frozen=True)
class Identifier:
    kind: str  # "doi", "isbn", "arxiv" or "url"
    value: str  # normalised: the bare DOI, the ISBN's digits, the arXiv id without version, the URL
    given: str  # as the user typed it


def isbn_is_valid(digits: str) -> bool:
    """ISBN-10 or ISBN-13 with a correct check digit."""
    if len(digits) == 10 and re.fullmatch(r"\d{9}[\dX]", digits):
        total = sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(digits))
        return total % 11 == 0
    if len(digits) == 13 and digits.isdigit() and digits.startswith(("978", "979")):
        return sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(digits)) % 10 == 0
    return False


def _arxiv(text: str) -> str | None:
    for pattern in (_ARXIV_NEW, _ARXIV_OLD):
        match = pattern.match(text)
        if match:
            return match.group(1)
    return None


def recognise(text: str) -> Identifier:
    """The identifier `text` is; a KbError naming the accepted shapes when it is none."""
    given = text
    text = text.strip()
    match = _DOI.match(text)
    if match:
        return Identifier("doi", match.group(1).rstrip(".,;"), given)
    arxiv_id = _arxiv(text)
    if arxiv_id:
        return Identifier("arxiv", arxiv_id, given)
    isbn = re.sub(r"^isbn(?:-1[03])?:?\s*", "", text, flags=re.I)
    digits = re.sub(r"[\s-]", "", isbn).upper()
    if re.fullmatch(r"[\d\s-]+X?", isbn, re.I) and isbn_is_valid(digits):
        return Identifier("isbn", digits, given)
    if re.match(r"^https?://", text, re.I):
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
        if host in _DOI_HOSTS and _DOI.match(unquote(parts.path.lstrip("/"))):
            return Identifier("doi", unquote(parts.path.lstrip("/")), given)
        if host in _ARXIV_HOSTS:
            found = re.match(r"^/(?:abs|pdf)/(.+?)(?:\.pdf)?$", parts.path)
            arxiv_id = _arxiv(found.group(1)) if found else None
            if arxiv_id:
                return Identifier("arxiv", arxiv_id, given)
        return Identifier("url", text, given)
    if re.fullmatch(r"[\d\s-]+X?", isbn, re.I) and len(digits) in (10, 13):
        raise KbError(f"{given!r} looks like an ISBN but its check digit is wrong: check it for a typo")
    raise KbError(
        f"cannot tell what {given!r} is: give a DOI (10.1234/...), an ISBN (978...), "
        "an arXiv id (2101.00001) or a URL (https://...)"
    )
