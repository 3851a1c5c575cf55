"""Each export format on the hard cases: escaping, names, dates, kept fields, losses."""

from __future__ import annotations

import json
import re

import bibtexparser
import pytest
from click.testing import CliRunner

from kb.cli import cli
from kb.model import CSL_TYPES

from .export_cases import HARD_WORKS

HARD = "citekey NOT LIKE 'type-%'"


@pytest.fixture
def hard_db(export_kb):
    return export_kb


def export(db, *args):
    result = CliRunner().invoke(cli, ["export", "--db", str(db), *args])
    assert result.exit_code == 0, result.output
    return result.stdout, result.stderr


def entry(text, key):
    match = re.search(r"^@\w+\{" + re.escape(key) + r",\n(.*?)^\}", text, re.S | re.M)
    assert match, f"no entry {key}"
    return match.group(0)


def test_bibtex_escapes_tex_specials_and_keeps_utf8(hard_db):
    text, _ = export(hard_db, "--format", "bibtex", "--where", HARD)
    fuente = entry(text, "fuenteArms2008")
    assert (
        r"title = {Arms \& Influence: 100\% of \$5 for \#1 under\_score \{braces\} "
        r"\textasciitilde{} \textbackslash{} back \textasciicircum{} caret}"
    ) in fuente
    assert "author = {de la Fuente, Jr., Juan and van der Berg, Anna}" in fuente
    assert "year = {2008}" in fuente and "month = aug," in fuente and "pages = {12--30}" in fuente
    assert "title = {Émigré politics: Łódź, Tbilisi and Москва}" in entry(text, "kuleszaRusskaya1990")
    assert "author = {{{North Atlantic Treaty Organization}}}" in entry(text, "natoLisbonDeclaration2010")
    # URLs are verbatim: not escaped
    assert "url = {https://www.nato.int/cps/en/natohq/official_texts_68828.htm?selectedLocale=en&x=1_2}" in text


def test_bibtex_escapes_the_caret():
    from kb.exporters.bibtex import escape

    assert escape("x^2 & y") == r"x\textasciicircum{}2 \& y"


def test_bibtex_ascii_writes_accents_as_latex(hard_db):
    text, _ = export(hard_db, "--format", "bibtex", "--ascii", "--key", "kuleszaRusskaya1990")
    assert text.isascii()
    assert r"Kulesza, {\L}ukasz" in text and r"J{\'a}n" in text and r"{\'E}migr{\'e}" in text


def test_bibtex_output_parses_back_with_bibtexparser(hard_db):
    for fmt in ("bibtex", "biblatex"):
        text, _ = export(hard_db, "--format", fmt)
        library = bibtexparser.parse_string(text)
        assert not library.failed_blocks
        assert len(library.entries) == len(HARD_WORKS) + len(CSL_TYPES)


def test_biblatex_dates_ranges_partial_circa_and_events(hard_db):
    text, stderr = export(hard_db, "--format", "biblatex", "--where", HARD)
    nato = entry(text, "natoLisbonDeclaration2010")
    assert nato.startswith("@report{")
    assert "date = {2010-11-19/2010-11-20}" in nato and "eventdate = {2010-11-19/2010-11-20}" in nato
    assert (
        "eventtitle = {2010 NATO Lisbon Summit}" in nato
        and "venue = {Lisbon}" in nato
        and "location = {Brussels}" in nato
    )
    assert "date = {2008-08}" in entry(text, "fuenteArms2008")
    assert "journaltitle = {Survival}" in entry(text, "fuenteArms2008")
    assert "date = {1990~}" in entry(text, "kuleszaRusskaya1990")
    # BibLaTeX carries every variable of these works; what it drops are the RIS tags an
    # import kept for one of them (BibLaTeX has no field for them), and it says so
    lost = [line for line in stderr.splitlines() if "not representable" in line]
    assert lost == [
        f"Not exported: 1 work: ris field {tag} not representable in BibLaTeX (kulhanekImpossibleDream2010)"
        for tag in ("DB", "M1")
    ]


def test_fields_kept_from_an_import_come_back(hard_db):
    text, _ = export(hard_db, "--format", "biblatex", "--key", "kulhanekImpossibleDream2010")
    assert text.startswith("@online{kulhanekImpossibleDream2010,")  # the original entry type
    assert "eprinttype = {arxiv}" in text and "eprint = {1011.0001}" in text and "file = {blog/dream.pdf}" in text
    ris, _ = export(hard_db, "--format", "ris", "--key", "kulhanekImpossibleDream2010")
    assert "M1  - blog post\n" in ris and "DB  - LSE blogs\n" in ris


def test_classic_bibtex_reports_what_it_cannot_carry(hard_db):
    # --verbose: with the RIS tags one work kept (reported since BibTeX drops them) the
    # kinds of loss no longer fit a screen, and the default is the one-line summary
    _, stderr = export(hard_db, "--format", "bibtex", "--where", HARD, "--verbose")
    assert "1 work: event-date not representable in BibTeX (natoLisbonDeclaration2010)" in stderr
    assert "1 work: ris field M1 not representable in BibTeX (kulhanekImpossibleDream2010)" in stderr
    assert "an issued day, range or circa not representable in BibTeX" in stderr


def test_ris_names_dates_and_loss_report(hard_db):
    text, stderr = export(hard_db, "--format", "ris", "--where", HARD, "--verbose")  # each loss on its line
    assert "AU  - North Atlantic Treaty Organization,\n" in text  # corporate: a trailing comma marks it
    assert "AU  - de la Fuente, Juan, Jr.\n" in text
    assert "DA  - 2008/08//\n" in text and "PY  - 2008\n" in text
    assert "TY  - BLOG\n" in text and text.count("ER  - \n") == len(HARD_WORKS)
    assert "AU  - Ministry of Defence, United Kingdom,\n" in text  # its comma kept
    assert "1 work: event-date not representable in RIS (natoLisbonDeclaration2010)" in stderr
    assert "organisation" not in stderr
    # the BibTeX fields an import kept, which RIS has no tag for, are named one by one
    for name in ("eprint", "eprinttype", "file"):
        assert f"1 work: bibtex field {name} not representable in RIS (kulhanekImpossibleDream2010)" in stderr
    _, summary = export(hard_db, "--format", "ris", "--where", HARD)  # too many kinds for a screen
    assert summary.startswith("Not exported: 3 works hold fields RIS cannot carry: ") and "bibtex field" in summary


def test_csl_json_keeps_date_parts_literal_names_and_ids(hard_db):
    text, stderr = export(hard_db, "--format", "csl-json", "--where", HARD)
    items = {item["id"]: item for item in json.loads(text)}
    nato = items["natoLisbonDeclaration2010"]
    assert nato["issued"] == {"date-parts": [[2010, 11, 19], [2010, 11, 20]]}
    assert nato["author"] == [{"literal": "North Atlantic Treaty Organization"}]
    assert nato["custom"] == {"citekey": "natoLisbonDeclaration2010"}
    assert items["kuleszaRusskaya1990"]["issued"] == {"date-parts": [[1990]], "circa": True}
    assert items["kulhanekImpossibleDream2010"]["custom"]["kb-extra"]["bibtex"]["eprinttype"] == "arxiv"
    assert items["fuenteArms2008"]["author"][0]["non-dropping-particle"] == "de la"
    assert "not representable" not in stderr


def test_csv_columns_names_and_dates(hard_db):
    import csv
    import io

    text, stderr = export(hard_db, "--format", "csv", "--where", HARD, "--verbose")
    rows = {row["citekey"]: row for row in csv.DictReader(io.StringIO(text))}
    assert rows["natoLisbonDeclaration2010"]["author"] == "{North Atlantic Treaty Organization}"
    assert rows["natoLisbonDeclaration2010"]["issued"] == "2010-11-19/2010-11-20"
    assert rows["fuenteArms2008"]["author"] == "de la Fuente, Juan, Jr.; van der Berg, Anna"
    assert rows["fuenteArms2008"]["tags"] == "Russia; chapter-3"
    assert "bibtex field eprinttype not representable in CSV" in stderr


def test_every_csl_type_exports_in_every_format(hard_db):
    for fmt in ("bibtex", "biblatex", "ris", "csl-json", "csv", "yaml"):
        text, _ = export(hard_db, "--format", fmt, "--where", "citekey LIKE 'type-%'")
        text = text.replace("\\_", "_")  # legal\_case in BibTeX
        for csl_type in CSL_TYPES:
            assert f"A work of type {csl_type}" in text, (fmt, csl_type)
    ris, _ = export(hard_db, "--format", "ris", "--key", "type-post-weblog", "--key", "type-thesis")
    assert "TY  - BLOG" in ris and "TY  - THES" in ris


def test_output_is_deterministic_and_sorted_by_citekey(hard_db):
    for fmt in ("bibtex", "ris", "csl-json", "csv", "yaml"):
        first, _ = export(hard_db, "--format", fmt)
        second, _ = export(hard_db, "--format", fmt)
        assert first == second
    text, _ = export(hard_db, "--format", "bibtex")
    keys = re.findall(r"^@\w+\{([^,]+),", text, re.M)
    assert keys == sorted(keys)


def test_yaml_export_is_self_contained(hard_db):
    text, stderr = export(hard_db, "--format", "yaml", "--key", "kulhanekImpossibleDream2010")
    assert "kind: organisation\n  name: North Atlantic Treaty Organization" in text
    assert "kind: event\n  name: 2010 NATO Lisbon Summit" in text
    assert "Russo-Georgian War" not in text  # only what the work links to
    assert "1 work: a citation of a work outside the export not representable in kb YAML" in stderr
