"""Person and corporate names as CSL name objects.

A person is {family, given, non-dropping-particle, dropping-particle, suffix}; a
corporate creator ("North Atlantic Treaty Organization") is {literal} and is never
split. Text names follow BibTeX's three forms ("First von Last", "von Last, First",
"von Last, Jr, First"), so one parser serves BibTeX, RIS, CSV and the command line.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# One or two capitals after a comma are initials ("Afraz, SR", "Di Lazzaro, V"), not a
# suffix; "II" is the one such suffix common enough to keep.
_INITIALS = re.compile(r"(?!II$)[A-Z]{1,2}")
SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "v", "2nd", "3rd", "phd", "ph.d."}

# Words that mark a creator as an organisation when it arrives as plain text.
_CORPORATE_WORDS = re.compile(
    r"\b(organi[sz]ation|council|institute|institution|university|ministry|agency|committee|"
    r"commission|association|department|office|government|bank|fund|foundation|centre|center|"
    r"society|union|nations|assembly|parliament|party|inc|ltd|llc|corporation|company|"
    r"service|secretariat|alliance|network|programme|program|school|college|court|"
    r"federation|league|forum|observatory|academy|bureau|board|authority|group)\b",
    re.IGNORECASE,
)
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&.\-]{1,11}$")


def split_name_list(text: str) -> list[str]:
    """Split "A and B and C" (BibTeX, braces respected) or "A; B; C" into names."""
    text = " ".join(text.split())  # "and" may start a new line
    if not text:
        return []
    if ";" in _outside_braces(text):
        return [part.strip() for part in _split_outside_braces(text, ";") if part.strip()]
    return [part.strip() for part in _split_outside_braces(text, " and ") if part.strip()]


def _outside_braces(text: str) -> str:
    depth, out = 0, []
    for char in text:
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        elif depth == 0:
            out.append(char)
    return "".join(out)


def _split_outside_braces(text: str, separator: str) -> list[str]:
    parts, depth, start, i = [], 0, 0, 0
    # Compared slice by slice: text.lower() can be longer than text ("İ" lowers to two
    # characters), and its indexes would then point past the separator.
    while i < len(text):
        char = text[i]
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        elif depth == 0 and text[i : i + len(separator)].lower() == separator:
            parts.append(text[start:i])
            i += len(separator)
            start = i
            continue
        i += 1
    parts.append(text[start:])
    return parts


def parse_name(text: str, corporate: bool | None = None) -> dict[str, Any]:
    """One name as a CSL name object.

    `corporate=None` guesses: a name wholly in braces, an acronym, or one with an
    organisational word ("Council", "Ministry") is kept whole as a literal.
    """
    text = " ".join(text.split()).strip().strip(",")
    if not text:
        raise ValueError("empty name")
    if text.startswith("{") and text.endswith("}") and _balanced_outer(text):
        return {"literal": _strip_braces(text)}
    if corporate is True:
        return {"literal": _strip_braces(text)}
    if corporate is None and "," not in text and (_ACRONYM.match(text) or _CORPORATE_WORDS.search(text)):
        return {"literal": _strip_braces(text)}
    parts = [p.strip() for p in _split_outside_braces(text, ",")]
    if len(parts) == 1:
        name = _first_von_last(parts[0])
    elif len(parts) == 2 and given_like_a_suffix(parts[1], parts[0]):
        name = _first_von_last(parts[0])  # "John Smith, Jr."
        name["suffix"] = parts[1]
    else:
        name = _von_last(parts[0])
        if len(parts) >= 3 and parts[-1].lower() in SUFFIXES and parts[1].lower() not in SUFFIXES:
            name["suffix"] = parts[-1]  # "Smith, John, III"
            given = ", ".join(parts[1:-1])
        elif len(parts) >= 3:
            name["suffix"] = parts[1]  # BibTeX's "Smith, Jr., John"
            given = ", ".join(parts[2:])
        else:
            given = parts[1]
        if given:
            name["given"] = _strip_braces(given)
    # Removed braces can leave two spaces ("L-{ W } S"): folded, as every reader folds them.
    return {k: " ".join(v.split()) if isinstance(v, str) and "  " in v else v for k, v in name.items() if v}


def given_like_a_suffix(given: str, family: str) -> bool:
    """Whether "Family, Given" reads as "First Last, Suffix" ("John Smith, Jr."): a
    given name that is a suffix word after a family name of several words. Writers
    brace such a given name ("Asa G. Hilliard, {III}") so it stays one."""
    return given.lower() in SUFFIXES and " " in family and not _INITIALS.fullmatch(given)


def family_and_given(family: str, given: str) -> dict[str, Any]:
    """A name whose parts are already told apart ("von Last" and a given name): only the
    particle is read off the family ("de Pablo" -> "de" + "Pablo"), as parse_name does."""
    name = _von_last(" ".join(family.split()))
    name["given"] = " ".join(given.split())
    return {k: v for k, v in name.items() if v}


def _balanced_outer(text: str) -> bool:
    depth = 0
    for i, char in enumerate(text):
        depth += char == "{"
        depth -= char == "}"
        if depth == 0 and i < len(text) - 1:
            return False
    return depth == 0


def _strip_braces(text: str) -> str:
    return text.replace("{", "").replace("}", "").strip()


def _is_particle(word: str) -> bool:
    bare = _strip_braces(word)
    return bool(bare) and bare[0].islower() and not word.startswith("{")


def _words(text: str) -> list[str]:
    return [w for w in _split_outside_braces(text, " ") if w]


def _first_von_last(text: str) -> dict[str, Any]:
    words = _words(text)
    suffix = None
    if len(words) > 1 and words[-1].lower() in SUFFIXES:
        suffix = words.pop()
    if len(words) == 1:
        return {"family": _strip_braces(words[0]), "suffix": suffix}
    # The von part is the first run of lower-case words after the first word, ending
    # before the last word; the given names come before it.
    von_start = next((i for i in range(1, len(words) - 1) if _is_particle(words[i])), None)
    if von_start is None:
        given, von, family = words[:-1], [], words[-1:]
    else:
        von_end = von_start
        while von_end + 1 < len(words) - 1 and _is_particle(words[von_end + 1]):
            von_end += 1
        given, von, family = words[:von_start], words[von_start : von_end + 1], words[von_end + 1 :]
    return {
        "family": _strip_braces(" ".join(family)),
        "given": _strip_braces(" ".join(given)),
        "non-dropping-particle": _strip_braces(" ".join(von)),
        "suffix": suffix,
    }


def _von_last(text: str) -> dict[str, Any]:
    words = _words(text)
    von = []
    while len(words) > 1 and _is_particle(words[0]):
        von.append(words.pop(0))
    return {"family": _strip_braces(" ".join(words)), "non-dropping-particle": _strip_braces(" ".join(von))}


def display_name(name: dict[str, Any]) -> str:
    """ "de la Fuente, Juan, Jr." style, the form an index of authors sorts by."""
    if name.get("literal"):
        return name["literal"]
    family = " ".join(p for p in (name.get("non-dropping-particle"), name.get("family")) if p)
    given = " ".join(p for p in (name.get("given"), name.get("dropping-particle")) if p)
    out = family or ""
    if given:
        out = f"{out}, {given}" if out else given
    if name.get("suffix"):
        out = f"{out}, {name['suffix']}"
    return out


_PUNCTUATION = re.compile(r"[^\w\s]")


def fold(text: str) -> str:
    """Lower-case ASCII-ish form for comparison: accents dropped, spaces folded."""
    if not text.isascii():  # ASCII has no accents to drop: skip the costly part (imports fold a lot)
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_PUNCTUATION.sub(" ", text.casefold()).split())


def name_key(name: dict[str, Any]) -> str:
    """The identity of a person or organisation as a creator: same key, same author."""
    if name.get("literal"):
        return "org:" + fold(name["literal"])
    family = fold(" ".join(p for p in (name.get("non-dropping-particle"), name.get("family")) if p))
    given = fold(name.get("given") or "")
    return f"{family}|{given}"
