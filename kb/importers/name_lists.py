"""Author lists in the "Family Initials" form of PubMed/MEDLINE and Scopus exports.

PubMed writes a whole author list in one field as ``Smith A, Walter BC``: names are
separated by commas and each is a family name followed by the initials. The general
name reader would take ``Smith A, Walter B`` as one person ("Walter B" given names of
"Smith A"), so lists of this form are recognised first.
"""

from __future__ import annotations

import re
from typing import Any

from ..names import parse_name

# A family name (letters, spaces, hyphens, apostrophes; "van der Berg") then 1-3 capital
# initials, bare (PubMed: "BC") or with full stops (Scopus: "B.C.", "J.-P.").
_FAMILY_INITIALS = re.compile(
    r"^(?P<family>[^\W\d_]+(?:['’\- ]+[^\W\d_]+)*)\s+(?P<initials>[A-Z]{1,3}|(?:[A-Z]\.-?){1,3})$"
)


def family_initials_list(text: str) -> list[dict[str, Any]] | None:
    """The people of ``"Smith A, Walter BC"`` (or ``"Smith A.; Walter B.C."``) as CSL
    names, or None when the text is not such a list (two names or more, each "Family
    Initials"; ``"Smith, Anna"`` and ``"Smith, Anna; Walter, Bob"`` are not). One name
    alone (``"Jones C"``) is read so too, unless it looks like an organisation ("Council of the EU")."""
    parts = [" ".join(part.split()) for part in text.split(";" if ";" in text else ",")]
    if not all(parts) or len(parts) == 1 and "literal" in parse_name(parts[0]):
        return None
    matches = [_FAMILY_INITIALS.match(part) for part in parts]
    # A one-letter "family" is an initial: "Howard III, M A" is one person, not two; so is
    # a family ending in one ("Robinson I I, Robert J": family "Robinson I I", given "Robert J").
    if not all(matches) or any(_ends_in_an_initial(match["family"]) for match in matches if match):
        return None
    # "Hartley III, Harold V." (RIS's "Last, First") is one person: "III" after a family
    # name is a suffix far more often than three initials ("II" and "IV" are not: PubMed
    # writes "Ivanov II", "Petrov IV").
    if any(match["initials"] == "III" for match in matches if match):
        return None
    return [
        {
            "family": match["family"],
            "given": " ".join(f"{letter}." for letter in re.findall(r"[A-Z]", match["initials"])),
        }
        for match in matches
        if match
    ]


def _ends_in_an_initial(family: str) -> bool:
    last = re.split(r"['’\- ]+", family)[-1]
    return len(last) < 2
