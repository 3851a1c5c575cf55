"""Identifiers: citekeys after Better BibTeX's default formula, DOIs, URLs, ISBNs, titles."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .names import fold

# Better BibTeX's shorttitle skips these words.
SKIP_WORDS = frozenset(
    """a ab aboard about above across after against al along amid among an and anti
    around as at before behind below beneath beside besides between beyond but by d da
    das de del dell dello dei degli della delle dem den der des despite die do down du
    during ein eine einem einen einer eines el en et except for from gli i il in inside
    into is l la las le les like lo los near nor of off on onto or over past per plus
    round save since so some sur than the through to toward towards un una unas under
    underneath une unlike uno unos until up upon versus via von while with within
    without yet zu zum""".split()
)
_TRACKING_PARAMS = re.compile(r"^(utm_|fbclid$|gclid$|mc_cid$|mc_eid$|ref$|ref_src$)")


def _ascii_word(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^A-Za-z0-9]", "", "".join(c for c in decomposed if not unicodedata.combining(c)))


def citekey_base(item: dict[str, Any]) -> str:
    """auth.lower + shorttitle(3,3) + year, e.g. ``kulhanekImpossibleDream2010``."""
    creators = item.get("author") or item.get("editor") or []
    auth = ""
    if creators:
        first = creators[0]
        auth = _ascii_word(first.get("family") or first.get("literal", "").split(" ")[0]).lower()
    words = [_ascii_word(w) for w in re.split(r"[\s\-–—/:]+", item.get("title") or "")]
    words = [w for w in words if w and w.lower() not in SKIP_WORDS][:3]
    title = "".join(w[0].upper() + w[1:] for w in words)
    year = ""
    issued = item.get("issued") or {}
    parts = issued.get("date-parts") if isinstance(issued, dict) else None
    if parts and parts[0] and parts[0][0]:
        year = str(parts[0][0])
    elif isinstance(issued, dict) and re.search(r"\d{4}", str(issued.get("raw") or issued.get("literal") or "")):
        year = re.search(r"\d{4}", str(issued.get("raw") or issued.get("literal"))).group(0)
    return (auth + title + year) or "work"


def unique_citekey(base: str, taken: Callable[[str], bool]) -> str:
    """`base`, or base+a, base+b, ... base+aa: the first one not taken."""
    if not taken(base):
        return base
    n = 0
    while True:
        suffix, m = "", n
        while True:
            suffix = chr(ord("a") + m % 26) + suffix
            m = m // 26 - 1
            if m < 0:
                break
        if not taken(base + suffix):
            return base + suffix
        n += 1


_CITEKEY = re.compile(r"^[^\s,{}#%\\\"'()=~]+$")


def is_valid_citekey(key: str) -> bool:
    return bool(_CITEKEY.match(key))


def normalise_doi(value: str | None) -> str | None:
    """ "https://doi.org/10.1000/ABC" -> "10.1000/abc" (DOIs are case-insensitive)."""
    if not value:
        return None
    value = value.strip()
    match = re.search(r"10\.\d{4,9}/\S+", value)
    if not match:
        return None
    return match.group(0).rstrip(".,;").lower()


# "http(s)://host/path" with no port, user, query or fragment: what urlsplit and
# urlunsplit below would give back is the lower-cased host and the path as it is.
_PLAIN_URL = re.compile(r"(?i:https?)://([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)((?:/[^?#\s\\]*)?)\Z")


def normalise_url(value: str | None) -> str | None:
    """A URL's identity: scheme and www dropped, host lower-cased, tracking parameters,
    fragment and trailing slash removed."""
    if not value:
        return None
    value = value.strip()
    plain = _PLAIN_URL.match(value)
    if plain:  # the common case, without urllib (an import normalises every work's URL)
        host = plain.group(1).lower()
        return (host[4:] if host.startswith("www.") else host) + plain.group(2).rstrip("/")
    if "://" not in value:
        if not re.match(r"^[\w.-]+\.[a-z]{2,}(/|$)", value, re.IGNORECASE):
            return None
        value = "http://" + value
    parts = urlsplit(value)
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    if not host:
        return None
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    query = urlencode(
        sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING_PARAMS.match(k))
    )
    path = parts.path.rstrip("/")
    return urlunsplit(("", host, path, query, "")).lstrip("/")


def normalise_isbn(value: str | None) -> str | None:
    """Digits (and a final X) of the first ISBN in `value`, as ISBN-13."""
    if not value:
        return None
    for candidate in re.split(r"[;,\s]+(?=[0-9])", value):
        digits = re.sub(r"[^0-9Xx]", "", candidate).upper()
        if len(digits) == 13 and digits.isdigit():
            return digits
        if len(digits) == 10:
            core = "978" + digits[:9]
            check = (10 - sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(core)) % 10) % 10
            return core + str(check)
    return None


def title_key(title: str | None) -> str:
    """A title folded for duplicate matching: case, accents, punctuation, braces gone."""
    return fold((title or "").replace("{", "").replace("}", ""))


def slug(text: str) -> str:
    """A file-name-safe form of a name, for `kb dump`."""
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", fold(text))).strip("-")[:80] or "unnamed"
