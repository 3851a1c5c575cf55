"""Which addresses may become links, and the HTTP headers that keep kb's pages safe.

A work's or organisation's URL comes from whatever file was imported (a shared .bib, a
saved page), so it can be `javascript:alert(1)`: as an href that runs in kb's origin when
clicked. Only http(s) addresses (and mailto:, where an e-mail address is meant) become
links; anything else is shown as text.
"""

from __future__ import annotations

import re
import urllib.parse

LINK_SCHEMES = ("http", "https")
# Control characters and whitespace browsers strip or ignore inside a scheme ("java\tscript:").
_IGNORED_BY_BROWSERS = re.compile(r"[\x00-\x20\x7f]")


def safe_link(url: object, schemes: tuple[str, ...] = LINK_SCHEMES) -> str | None:
    """The address when it may be an href (its scheme is one of `schemes`), else None."""
    if not isinstance(url, str) or not url.strip():
        return None
    candidate = url.strip()
    scheme = urllib.parse.urlsplit(_IGNORED_BY_BROWSERS.sub("", candidate)).scheme.lower()
    if scheme not in schemes or _IGNORED_BY_BROWSERS.search(candidate):
        return None
    return candidate


def doi_link(doi: object) -> str | None:
    """https://doi.org/<doi>, the DOI percent-encoded where it must be, or None."""
    if not isinstance(doi, str) or not doi.strip():
        return None
    return "https://doi.org/" + urllib.parse.quote(doi.strip(), safe="/:;()._-[]")


# Datasette's own pages and kb's templates carry inline <script> and style attributes,
# so 'unsafe-inline' stays; what the policy stops is script, style, frame, font and fetch
# from any other origin, <object>/<embed>, <base> tricks, posting forms elsewhere and
# framing kb's pages. Unsafe links are stopped by safe_link, not by this header.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]
