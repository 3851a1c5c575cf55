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
    context.add_context_category("kb-ascii", prepend=True, macros=[
        MacroTextSpec("textasciicircum", "^"), MacroTextSpec("textasciitilde", "~"),
    ])
    return context


_decoder = LatexNodes2Text(latex_context=_context(), math_mode="verbatim", keep_comments=False, strict_latex_spaces=False)


def latex_to_text(value: str) -> str:
    """A BibTeX value as plain Unicode, white space folded."""
    if not _MARKERS.search(value):
        return " ".join(value.split()) if "\n" in value or "  " in value else value
    if not _NOT_JUST_BRACES.search(value):
        return " ".join(value.replace("{", "").replace("}", "").split())
    return _decode(value)


@lru_cache(maxsize=8192)  # journal names, publishers and places repeat a lot
def _decode(value: str) -> str:
    try:
        text = _decoder.latex_to_text(value)
    except Exception:  # pylatexenc is lenient; this is a last resort, never a user's problem
        text = value.replace("{", "").replace("}", "")
    return " ".join(text.replace("\u00a0", " ").split())


def has_latex(value: str) -> bool:
    return bool(_MARKERS.search(value))
