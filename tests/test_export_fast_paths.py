"""The BibTeX writer's fast paths give what the plain, one-character-at-a-time way gives."""

from __future__ import annotations

import json

import pytest

from kb.exporters import ExportWork, iter_works, load_works
from kb.exporters.bibtex import escape, format_name, format_names, verbatim
from kb.model import WorkRecord

# TeX specials one character at a time: the definition the fast paths must agree with.
SLOW_ESCAPES = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}

TRICKY = [
    "", "plain words", "Émigré politics: Łódź and Москва", "a\\b", "\\", "\\\\", "{\\}", "\\{}", "x^2 & y",
    "100% of $5 for #1 under_score", "~^~", "{{nested}}", "ends with \\", "\x00 and \\ together", "tab\tnew\nline",
    "\\textbf{bold}", "%7B already", "🤗 & 供", "a" * 5000 + "&" + "b" * 5000,
]


def slow_escape(value: str) -> str:
    return "".join(SLOW_ESCAPES.get(char, char) for char in value)


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
    work = ExportWork(1, "k", {"keyword": "planning; cigar, Zebra"}, {}, tags)
    words = set(tags) | {"planning", "cigar", "Zebra"}
    assert work.keywords() == sorted(words, key=lambda w: (w.casefold(), w))


def test_iter_works_reads_what_load_works_reads_in_the_order_given(store):
    for key, tags in (("b2010", ["zeta", "Alpha", "beta"]), ("a2009", []), ("c2011", ["only"])):
        item = {"id": key, "type": "book", "title": key.upper()}
        with store.transaction():
            store.save_work(WorkRecord(item=item, tags=tags, extra={"bibtex": {"file": f"{key}.pdf"}}), on_duplicate="error")
    ids = {key: i for i, key in store.conn.execute("SELECT id, citekey FROM articles")}
    order = [ids["c2011"], 999_999, ids["a2009"], ids["b2010"]]  # 999999: no such work, left out
    works = list(iter_works(store.conn, order))
    assert [w.citekey for w in works] == ["c2011", "a2009", "b2010"]
    assert works[2].tags == ["Alpha", "beta", "zeta"] and works[1].tags == []
    assert works[2].item["title"] == "B2010" and works[2].item["id"] == "b2010"
    assert works[2].extra == {"bibtex": {"file": "b2010.pdf"}}
    assert [json.dumps(w.item) for w in load_works(store.conn, order)] == [json.dumps(w.item) for w in works]
