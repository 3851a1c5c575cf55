"""The fast decoder of common LaTeX gives exactly pylatexenc's text, or leaves the value to it."""

from __future__ import annotations

import pytest

from kb.importers import latex_text
from kb.importers.latex_text import _ACCENTS, _decode_common, _decoder

LETTERS = "aeiouyAEIOUYcCnNsSzZgGrRlLtTdD"


def test_every_accent_on_letters_in_each_spelling_matches_pylatexenc():
    checked = 0
    for accent in _ACCENTS:
        for letter in LETTERS:
            forms = [f"\\{accent}{{{letter}}}", f"{{\\{accent}{letter}}}", f"x{{\\{accent}{{{letter}}}}}y"]
            if not accent.isalpha():
                forms.append(f"\\{accent} {letter}")
            for form in forms:
                fast = _decode_common(form)
                if fast is not None:
                    checked += 1
                    assert fast == _decoder.latex_to_text(form), form
    assert checked > len(_ACCENTS) * len(LETTERS)  # the fast path did the work


@pytest.mark.parametrize(
    "value",
    [
        "a -- b --- c ---- d",
        "``quoted''",
        "A~B",
        "\\& \\% \\$ \\_ \\#",
        "{{NATO}} and {R}ussia",
        "O'Brien",
        "a `b' c",
        "x_1^2",
        "Rodr\\'{i}guez-Vel\\'{a}zquez",
        "Ay{\\'{a}}n",
        "Dartmouth ({DartNets}) Lab --- {NSF}",
    ],
)
def test_common_values_match_pylatexenc(value):
    assert _decode_common(value) == _decoder.latex_to_text(value)


@pytest.mark.parametrize(
    "value",
    [
        "$x^2$ kept",
        "\\textit{italic}",
        "\\'{\\i}",
        "\\v c",
        "a & b",
        "50% comment",
        "\\url{http://x.org}",
        "\\'{}",
    ],
)
def test_anything_else_goes_to_pylatexenc(value):
    assert _decode_common(value) is None
    assert latex_text._decode(value) == " ".join(_decoder.latex_to_text(value).replace("\u00a0", " ").split())
