"""LaTeX in BibTeX values, turned into Unicode text.

pylatexenc does the decoding (accents in all their spellings, ``\\&``, ``--``, ``~``,
quotes), with math kept verbatim (``$x^2$`` stays as written). It costs about half a
millisecond a value, and most values hold no LaTeX at all, so two fast paths come
first: a value without any LaTeX marker is returned as it is, and one whose only
markers are grouping braces (``{B}ayesian``) just loses its braces. Both give the
same output as the decoder (checked on every title of the benchmark corpora).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

# Anything the decoder would change: commands, groups, ties, math, dashes, TeX quotes.
_MARKERS = re.compile(r"[\\{}~$`]|--|''")
# Markers other than braces: with none of these, dropping the braces is the decoding.
_NOT_JUST_BRACES = re.compile(r"[\\~$`]|--|''")


def _context():
    """pylatexenc's macros, but the ASCII escapes come out as the ASCII characters they
    escape (its default gives the modifier letters U+02C6 and U+02DC)."""
    context = get_default_latex_context_db()
    context.add_context_category(
        "kb-ascii",
        prepend=True,
        macros=[
            MacroTextSpec("textasciicircum", "^"),
            MacroTextSpec("textasciitilde", "~"),
        ],
    )
    return context


_decoder = LatexNodes2Text(
    latex_context=_context(), math_mode="verbatim", keep_comments=False, strict_latex_spaces=False
)


def latex_to_text(value: str) -> str:
    """A BibTeX value as plain Unicode, white space folded."""
    if not _MARKERS.search(value):
        return " ".join(value.split()) if "\n" in value or "  " in value else value
    if not _NOT_JUST_BRACES.search(value):
        return " ".join(value.replace("{", "").replace("}", "").split())
    return _decode(value)


@lru_cache(maxsize=8192)  # journal names, publishers and places repeat a lot
def _decode(value: str) -> str:
    text = _decode_common(value)
    if text is None:
        try:
            text = _decoder.latex_to_text(value)
        except Exception:  # pylatexenc is lenient; this is a last resort, never a user's problem
            text = value.replace("{", "").replace("}", "")
    return " ".join(text.replace("\u00a0", " ").split())


# The LaTeX most BibTeX values hold: accents on one letter (\'{e}, {\"u}, \v{c}),
# escaped specials (\&), dashes, TeX quotes, ties and grouping braces. pylatexenc
# takes about a millisecond for a value (a fifth of a whole import of cdl.bib went
# there), this a few microseconds; it gives pylatexenc's output (checked for every
# accent on every letter, and on every such value of the benchmark corpora, in
# tests/test_latex_text.py) and None for anything else, which pylatexenc then reads.
_ACCENTS = {
    "'": "\u0301",
    '"': "\u0308",
    "`": "\u0300",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "v": "\u030c",
    "c": "\u0327",
    "H": "\u030b",
    "u": "\u0306",
    "k": "\u0328",
    "r": "\u030a",
}
_COMMON = re.compile(
    r"\\(['\"`^~=.]) *(?:\{([A-Za-z])\}|([A-Za-z]))"  # \'{e}  \'e  \' e
    r"|\\([vcHukr])\{([A-Za-z])\}"  # \v{c}
    r"|\\([&%$_#])"  # \&
    r"|(---?|``|''|~)"  # dashes, quotes, a tie
    r"|[{}]"  # grouping
)
_SPECIAL_TEXT = {"--": "\u2013", "---": "\u2014", "``": "\u201c", "''": "\u201d", "~": "\u00a0"}
_UNSUPPORTED = re.compile(r"[\\$%&]")  # anything else LaTeX gives a meaning to: leave it to pylatexenc


def _decode_common(value: str) -> str | None:
    out = []
    last = 0
    for match in _COMMON.finditer(value):
        between = value[last : match.start()]
        if _UNSUPPORTED.search(between):
            return None
        out.append(between)
        last = match.end()
        accent, braced, bare, letter_accent, letter, escaped, special = match.groups()
        if accent:
            out.append(unicodedata.normalize("NFC", (braced or bare) + _ACCENTS[accent]))
        elif letter_accent:
            out.append(unicodedata.normalize("NFC", letter + _ACCENTS[letter_accent]))
        elif escaped:
            out.append(escaped)
        elif special:
            out.append(_SPECIAL_TEXT[special])
    rest = value[last:]
    if _UNSUPPORTED.search(rest):
        return None
    out.append(rest)
    return "".join(out)
