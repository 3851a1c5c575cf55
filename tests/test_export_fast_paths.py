"""The BibTeX writer's fast paths give what the plain, one-character-at-a-time way gives."""

from __future__ import annotations

import json

import pytest

from kb.exporters import ExportWork, iter_works, load_works
from kb.exporters.bibtex import escape, format_name, format_names, verbatim
from kb.model import WorkRecord

# TeX specials one character at a time: the definition the fast paths must agree with.
SLOW_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}

TRICKY = [
    "",
    "plain words",
    "Émigré politics: Łódź and Москва",
    "a\\b",
    "\\",
    "\\\\",
    "{\\}",
    "\\{}",
    "x^2 & y",
    "100% of $5 for #1 under_score",
    "~^~",
    "{{nested}}",
    "ends with \\",
    "\x00 and \\ together",
    "tab\tnew\nline",
    "pages 1--2 and a --- dash & ----",
    "\\textbf{bold}",
    "%7B already",
    "🤗 & 供",
    "a" * 5000 + "&" + "b" * 5000,
]


def slow_escape(value: str) -> str:
    if "\n" in value:  # BibTeX reads a newline as a space: whitespace folded
        value = " ".join(value.split())
    out = "".join(SLOW_ESCAPES.get(char, char) for char in value)
    while "--" in out:  # two hyphens stay hyphens, not a dash
        out = out.replace("--", "-{}-")
    return out


@pytest.mark.parametrize("value", TRICKY)
def test_escape_equals_the_character_by_character_escape(value):
    assert escape(value) == slow_escape(value)


def test_escape_returns_a_value_without_specials_as_it_is():
    value = "Nothing to escape here, not even a backslash"
    assert escape(value) is value


@pytest.mark.parametrize("value", ["https://example.org/a?b=1&c=2_3", "{braces}", "x}{y", "", "10.1000/{abc}"])
def test_verbatim_turns_only_braces_into_percent_codes(value):
    assert verbatim(value) == value.replace("{", "%7B").replace("}", "%7D")


NAMES = [
    {"family": "Fuente", "given": "Juan", "non-dropping-particle": "de la", "suffix": "Jr."},
    {"given": "Juan", "suffix": "Jr.", "family": "Fuente", "non-dropping-particle": "de la"},  # same, other order
    {"literal": "North Atlantic Treaty Organization"},
    {"family": "Smith, Jones & Co"},
    {"family": "Berg", "given": "Anna", "dropping-particle": "van der"},
    {"family": "Odd", "given": "Value", "extra": ["a list", "is not hashable"]},
    {"family": "Fuente", "given": "Juan", "non-dropping-particle": "de la", "suffix": "Jr."},  # a repeat
]


def test_format_names_with_a_cache_equals_without():
    cache: dict = {}
    expected = " and ".join(format_name(n) for n in NAMES)
    assert format_names(NAMES) == expected
    assert format_names(NAMES, cache) == expected
    assert format_names(NAMES, cache) == expected  # now from the cache
    assert format_names(list(reversed(NAMES)), cache) == " and ".join(format_name(n) for n in reversed(NAMES))
    assert "{{North Atlantic Treaty Organization}}" in expected and r"{Smith, Jones \& Co}" in expected


@pytest.mark.parametrize("tags", [["cigar", "CIGAR", "Python"], ["Python", "CIGAR", "cigar"], ["python", "Python"]])
def test_keywords_in_one_order_whatever_the_order_given(tags):
    work = ExportWork(1, "k", {"keyword": "planning; cigar; Zebra"}, {}, tags)
    words = set(tags) | {"planning", "cigar", "Zebra"}
    assert work.keywords() == sorted(words, key=lambda w: (w.casefold(), w))


def test_iter_works_reads_what_load_works_reads_in_the_order_given(store):
    for key, tags in (("b2010", ["zeta", "Alpha", "beta"]), ("a2009", []), ("c2011", ["only"])):
        item = {"id": key, "type": "book", "title": key.upper()}
        with store.transaction():
            store.save_work(
                WorkRecord(item=item, tags=tags, extra={"bibtex": {"file": f"{key}.pdf"}}), on_duplicate="error"
            )
    ids = {key: i for i, key in store.conn.execute("SELECT id, citekey FROM articles")}
    order = [ids["c2011"], 999_999, ids["a2009"], ids["b2010"]]  # 999999: no such work, left out
    works = list(iter_works(store.conn, order))
    assert [w.citekey for w in works] == ["c2011", "a2009", "b2010"]
    assert works[2].tags == ["Alpha", "beta", "zeta"] and works[1].tags == []
    assert works[2].item["title"] == "B2010" and works[2].item["id"] == "b2010"
    assert works[2].extra == {"bibtex": {"file": "b2010.pdf"}}
    assert [json.dumps(w.item) for w in load_works(store.conn, order)] == [json.dumps(w.item) for w in works]


@pytest.mark.parametrize("text", ['{"a": [1, 2]}', ' {"a": 1} ', '{"a": 1}\n', "[]", '"x"'])
def test_stored_json_is_decoded_as_json_loads_decodes_it(text):
    from kb.exporters import _decode_stored_json

    assert _decode_stored_json(text) == json.loads(text)


@pytest.mark.parametrize("text", ['{"a": 1} trailing', "", "{"])
def test_stored_json_that_json_loads_rejects_is_rejected(text):
    from kb.exporters import _decode_stored_json

    with pytest.raises(json.JSONDecodeError):
        _decode_stored_json(text)


@pytest.mark.parametrize(
    "issued",
    [
        {"date-parts": [[2010]]},
        {"date-parts": [[2010, 8]]},
        {"date-parts": [[2010, 8, 7]]},
        {"date-parts": [[2010, 0, 7]]},
        {"date-parts": [[987, 12, 31, 5]]},
        {"date-parts": [[2010], [2011]]},
        {"date-parts": [[2010]], "circa": True},
        {"date-parts": [["2010", "8"]]},
        {"raw": "summer 2008"},
        {"literal": "n.d."},
    ],
)
def test_date_fast_paths_write_what_the_partial_date_writes(issued):
    from kb.exporters import Losses
    from kb.exporters.biblatex import BiblatexDialect
    from kb.exporters.bibtex import MONTHS, Dialect, _date

    work = ExportWork(1, "k", {"issued": issued}, {})
    expected_losses, slow = Losses("BibTeX"), {}
    parsed = _date(issued, work, "issued", expected_losses)
    if parsed:
        slow["year"] = str(parsed.begin.year)
        if parsed.begin.month:
            slow["month"] = MONTHS[parsed.begin.month - 1]
        if parsed.begin.day or parsed.finish or parsed.circa:
            expected_losses.add("k", "an issued day, range or circa")
    losses, fast = Losses("BibTeX"), {}
    Dialect().dates(work.item, fast, work, losses)
    assert fast == slow and losses.lines() == expected_losses.lines()
    losses, fast = Losses("BibLaTeX"), {}
    BiblatexDialect().dates(work.item, fast, work, losses)
    assert fast == ({"date": parsed.edtf} if parsed else {})
