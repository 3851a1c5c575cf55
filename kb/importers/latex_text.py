"""LaTeX in BibTeX values, turned into Unicode text.

pylatexenc does the decoding (accents in all their spellings, ``\\&``, ``--``, ``~``,
quotes), with math kept verbatim (``$x^2$`` stays as written). No word is lost: TeX's
logos print their names (``\\TeX`` -> "TeX"), formatting macros (``\\emph``,
``\\texttt``, ``\\enquote``, ``\\href{url}{text}``) give their text, ``\\-`` is dropped
(no soft hyphen), and a macro kb does not know is kept as written (``\\foo{bar}``).
Measured by bench/title_words.py. It costs about half a
millisecond a value, and most values hold no LaTeX at all, so two fast paths come
first: a value without any LaTeX marker is returned as it is, and one whose only
markers are grouping braces (``{B}ayesian``) just loses its braces. Both give the
same output as the decoder (checked on every title of the benchmark corpora).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pylatexenc import latexwalker
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db
from pylatexenc.macrospec import std_macro

# Anything the decoder would change: commands, groups, ties, math, dashes, TeX quotes.
_MARKERS = re.compile(r"[\\{}~$`]|--|''")
# Markers other than braces: with none of these, dropping the braces is the decoding.
_NOT_JUST_BRACES = re.compile(r"[\\~$`]|--|''")


# TeX's logos, as the names they print.
_LOGOS = {
    "TeX": "TeX",
    "LaTeX": "LaTeX",
    "LaTeXe": "LaTeX2e",
    "BibTeX": "BibTeX",
    "BibLaTeX": "BibLaTeX",
    "biblatex": "biblatex",
    "METAFONT": "METAFONT",
    "MF": "METAFONT",
    "METAPOST": "METAPOST",
    "MP": "MetaPost",
    "XeTeX": "XeTeX",
    "XeLaTeX": "XeLaTeX",
    "LuaTeX": "LuaTeX",
    "LuaLaTeX": "LuaLaTeX",
    "ConTeXt": "ConTeXt",
    "pdfTeX": "pdfTeX",
    "pdfLaTeX": "pdfLaTeX",
    "eTeX": "e-TeX",
    "AmS": "AMS",
    "AMS": "AMS",
    "AmSTeX": "AMS-TeX",
    "AmSLaTeX": "AMS-LaTeX",
    "SliTeX": "SliTeX",
    "PiCTeX": "PiCTeX",
    "LyX": "LyX",
    "ePS": "EPS",
}
# Macros that only format their argument: the argument is the text.
_FORMATTING = (
    "emph",
    "textit",
    "textbf",
    "texttt",
    "textsc",
    "textsf",
    "textsl",
    "textup",
    "textmd",
    "textrm",
    "textnormal",
    "enquote",
    "mkbibquote",
    "mkbibemph",
    "mkbibitalic",
    "mkbibbold",
    "uppercase",
    "lowercase",
    "MakeUppercase",
    "MakeLowercase",
    "mbox",
    "hbox",
    "text",
    "NoCaseChange",
    "nocase",
    "bibstring",
    "url",
    "path",
    "nolinkurl",
)
_SORT_TRICKS = ("noopsort", "sortkey", "SortNoop")  # their argument sorts, it does not print
_SYMBOLS = {"emdash": "\u2014", "endash": "\u2013", "slash": "/", "-": "", "textsoftbar": ""}
# Old-style font switches ("{\\bf Bold}", "{\\tt Dvi}"): they change the look of the
# words after them and print nothing themselves.
_SWITCHES = ("bf", "it", "tt", "sc", "sf", "sl", "rm", "em", "bfseries", "itshape", "ttfamily", "scshape", "upshape")


def _walker_context():
    """pylatexenc's parser, told which arguments kb's extra macros take."""
    context = latexwalker.get_default_latex_context_db()
    context.add_context_category(
        "kb-bibtex",
        prepend=True,
        macros=[
            *(std_macro(name, False, 1) for name in _FORMATTING),
            std_macro("href", False, 2),
            *(std_macro(name, False, 1) for name in _SORT_TRICKS),
            *(std_macro(name, False, 0) for name in (*_LOGOS, *_SYMBOLS, *_SWITCHES)),
        ],
    )
    return context


def _text_context():
    """pylatexenc's macros, but the ASCII escapes come out as the ASCII characters they
    escape (its default gives the modifier letters U+02C6 and U+02DC); logos, formatting
    macros and BibLaTeX's dashes keep their words; a macro it does not know is kept as
    written (see `_protect_unknown`)."""
    context = get_default_latex_context_db()
    context.add_context_category(
        "kb-ascii",
        prepend=True,
        macros=[
            MacroTextSpec("textasciicircum", "^"),
            MacroTextSpec("textasciitilde", "~"),
            *(MacroTextSpec(name, text) for name, text in _LOGOS.items()),
            *(MacroTextSpec(name, text) for name, text in _SYMBOLS.items()),
            *(MacroTextSpec(name, "") for name in _SWITCHES),
            *(MacroTextSpec(name, "%(1)s") for name in _FORMATTING),
            MacroTextSpec("href", "%(2)s"),
            *(MacroTextSpec(name, "") for name in _SORT_TRICKS),
        ],
    )
    return context


_TEXT_CONTEXT = _text_context()
_WALKER_CONTEXT = _walker_context()
_decoder = LatexNodes2Text(
    latex_context=_TEXT_CONTEXT, math_mode="verbatim", keep_comments=False, strict_latex_spaces=False
)
# Every macro pylatexenc gives a text to (a meaning, even an empty one, such as \cite).
_KNOWN_MACROS = frozenset(spec.macroname for spec in _TEXT_CONTEXT.iter_macro_specs())
_MACRO_NAME = re.compile(r"\\([A-Za-z]+)\*?")
# Characters no BibTeX value holds, standing in for an unknown macro's backslash and braces.
_BACKSLASH, _OPEN, _CLOSE = "\ue000", "\ue001", "\ue002"
_UNPROTECT = str.maketrans({_BACKSLASH: "\\", _OPEN: "{", _CLOSE: "}"})


def latex_to_text(value: str) -> str:
    """A BibTeX value as plain Unicode, white space folded."""
    if not _MARKERS.search(value):
        # (a value ending in a space, "only 8 }", loses it: decoded values are stripped too)
        return (
            " ".join(value.split())
            if "\n" in value or "  " in value or value[-1:] == " " or value[:1] == " "
            else value
        )
    if not _NOT_JUST_BRACES.search(value):
        return " ".join(value.replace("{", "").replace("}", "").split())
    return _decode(value)


def _protect_unknown(value: str) -> str:
    """A macro pylatexenc does not know (``\\foo{bar}``) would be dropped with its name:
    it is kept as written instead, its braced argument too, so no word is lost."""
    out, last = [], 0
    for match in _MACRO_NAME.finditer(value):
        if match.group(1) in _KNOWN_MACROS or (match.start() and value[match.start() - 1] == "\\"):
            continue
        out.append(value[last : match.start()])
        out.append(_BACKSLASH + value[match.start() + 1 : match.end()])
        last = match.end()
        if last < len(value) and value[last] == "{":
            end = _closing_brace(value, last)
            if end is not None:
                out.append(_OPEN + _protect_unknown(value[last + 1 : end]) + _CLOSE)
                last = end + 1
    out.append(value[last:])
    return "".join(out)


def _closing_brace(text: str, start: int) -> int | None:
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{" and (i == 0 or text[i - 1] != "\\"):
            depth += 1
        elif text[i] == "}" and text[i - 1] != "\\":
            depth -= 1
            if depth == 0:
                return i
    return None


@lru_cache(maxsize=8192)  # journal names, publishers and places repeat a lot
def _decode(value: str) -> str:
    text = _decode_common(value)
    if text is None:
        try:
            nodes = latexwalker.LatexWalker(
                _protect_unknown(value), latex_context=_WALKER_CONTEXT, tolerant_parsing=True
            ).get_latex_nodes()[0]
            text = _decoder.nodelist_to_text(nodes).translate(_UNPROTECT)
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
