"""Names the exports used only to report (issue 12, item 6), now carried where the
format can: a family name alone of several words (Zotero's one-field names) in RIS and
CSV, a given name that is a suffix word ("Asa G. Hilliard", "III") in BibTeX, RIS and CSV,
a family ending in a spaced initial ("Robinson I I") in RIS and CSV, a given name
holding ";" in CSV. Bytes compared through export -> import -> export (the helper of
tests/test_roundtrip_causes.py), and each reader's reading checked on its own."""

from __future__ import annotations

import pytest

from kb.importers import csv_table, ris
from kb.importers.bibtex import _name_list
from kb.importers.name_lists import family_initials_list
from tests.test_roundtrip_causes import FORMATS, csl, twice

FAMILY_ALONE = csl(
    author=[
        {"family": "Diodore de Sicile"},
        {"family": "UNESCO"},
        {"family": "Plato"},
        {"family": "Bierman Funeral Home & Crematory"},
        {"family": "Pablo", "non-dropping-particle": "de"},
    ]
)
HILLIARD = csl(
    author=[{"family": "Asa G. Hilliard", "given": "III"}, {"family": "Alwin G. Steinmeyer", "given": "jr."}]
)
ROBINSON = (
    "@article{k13, author = {Benjamin J Kraus and Robert J {Robinson I I } and John A White"
    " and Harold V. {Hartley III}}, title = {T}}"
)
SEMICOLON = "@article{f92, author = {Nancy Franklin and Vicky; Coon}, title = {T}}"


@pytest.mark.parametrize("export_format", FORMATS)
def test_family_names_alone_come_back_the_same_in_every_format(tmp_path, export_format):
    one, two, report = twice(tmp_path, "f.json", FAMILY_ALONE, export_format)
    assert one and two == one and "not representable" not in report


def test_family_names_alone_written_so_the_readers_read_them_back(tmp_path):
    one, _, _ = twice(tmp_path, "f.json", FAMILY_ALONE, "bibtex")
    assert "and de Pablo, {}}," in one
    (tmp_path / "r").mkdir()
    tmp_path = tmp_path / "r"
    one, _, _ = twice(tmp_path, "f.json", FAMILY_ALONE, "ris")
    # "Plato" reads back alone as it is; the others with RIS's first name and suffix empty
    assert "AU  - Diodore de Sicile, ,\nAU  - UNESCO, ,\nAU  - Plato\n" in one
    assert "AU  - Bierman Funeral Home & Crematory, ,\nAU  - de Pablo, ,\n" in one
    (tmp_path / "c").mkdir()
    one, _, _ = twice(tmp_path / "c", "f.json", FAMILY_ALONE, "csv")
    assert "{Diodore de Sicile}, {}; {UNESCO}, {}; Plato; {Bierman Funeral Home & Crematory}, {}; {de Pablo}, {}" in one


def test_ris_reader_reads_an_empty_first_name_and_suffix_as_a_family_name_alone():
    text = "TY  - BOOK\nTI  - T\nAU  - Diodore de Sicile, ,\nAU  - UNESCO,\nAU  - Diodore de Sicile\nER  - \n"
    (record,) = ris.parse(text, "f.ris")
    assert record.item["author"] == [
        {"family": "Diodore de Sicile"},
        {"literal": "UNESCO"},  # a trailing comma alone is still EndNote's organisation
        {"family": "Sicile", "given": "Diodore", "non-dropping-particle": "de"},
    ]


@pytest.mark.parametrize("export_format", FORMATS)
def test_given_name_that_is_a_suffix_word_comes_back_a_given_name(tmp_path, export_format):
    one, two, report = twice(tmp_path, "h.json", HILLIARD, export_format)
    assert two == one and "not representable" not in report
    if export_format == "bibtex":
        assert "author = {Asa G. Hilliard, {III} and Alwin G. Steinmeyer, {jr.}}," in one
    if export_format == "csv":
        assert "Asa G. Hilliard, {III}; Alwin G. Steinmeyer, {jr.}" in one
    if export_format == "ris":
        assert "AU  - Asa G. Hilliard, III\nAU  - Alwin G. Steinmeyer, jr.\n" in one


def test_ris_reader_reads_last_comma_first_even_when_first_is_a_suffix_word():
    # as the RIS spec ("Lastname, Firstname, Suffix"), Zotero and citation-js read it
    text = "TY  - BOOK\nTI  - T\nAU  - Asa G. Hilliard, III\nAU  - Ribeiro, J.W., Jr\nAU  - de la Fuente, II\nER  - \n"
    (record,) = ris.parse(text, "h.ris")
    assert record.item["author"] == [
        {"family": "Asa G. Hilliard", "given": "III"},
        {"family": "Ribeiro", "given": "J.W.", "suffix": "Jr"},
        {"family": "Fuente", "non-dropping-particle": "de la", "given": "II"},
    ]


def test_bibtex_and_csv_readers_take_a_braced_suffix_word_for_a_given_name():
    assert _name_list("Asa G. Hilliard, {III}") == ({"family": "Asa G. Hilliard", "given": "III"},)
    assert _name_list("Asa G. Hilliard, III") == ({"family": "Hilliard", "given": "Asa G.", "suffix": "III"},)
    assert csv_table._names("Asa G. Hilliard, {III}; Coon, {Vicky;}", "") == [
        {"family": "Asa G. Hilliard", "given": "III"},
        {"family": "Coon", "given": "Vicky;"},
    ]


@pytest.mark.parametrize("export_format", FORMATS)
def test_family_ending_in_a_spaced_initial_stays_one_person(tmp_path, export_format):
    one, two, report = twice(tmp_path, "r.bib", ROBINSON, export_format)
    assert two == one and "not representable" not in report
    if export_format == "ris":
        assert "AU  - Kraus, Benjamin J\nAU  - Robinson I I, Robert J\nAU  - White, John A\n" in one
        assert "AU  - Hartley III, Harold V.\n" in one


def test_family_initials_lists_are_not_read_in_a_family_ending_in_an_initial():
    assert family_initials_list("Robinson I I, Robert J") is None
    assert family_initials_list("Howard III, M A") is None
    assert family_initials_list("Hartley III, Harold V.") is None
    assert family_initials_list("Ivanov II, Petrov IV") == [
        {"family": "Ivanov", "given": "I. I."},
        {"family": "Petrov", "given": "I. V."},
    ]
    assert family_initials_list("Smith A, Walter BC") == [
        {"family": "Smith", "given": "A."},
        {"family": "Walter", "given": "B. C."},
    ]


@pytest.mark.parametrize("export_format", FORMATS)
def test_given_name_holding_a_semicolon(tmp_path, export_format):
    one, two, report = twice(tmp_path, "s.bib", SEMICOLON, export_format)
    assert two == one and "not representable" not in report
    if export_format == "csv":
        assert "Franklin, Nancy; Coon, {Vicky;}" in one
