"""The query layer through `kb export`: every filter, and every filter mistake."""

from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner

from kb.cli import cli


@pytest.fixture
def hard_db(export_kb_hard_cases):
    return export_kb_hard_cases


def keys(db, *filters):
    result = CliRunner().invoke(cli, ["export", "--db", str(db), "--format", "csv", *filters])
    assert result.exit_code == 0, result.output
    return [line.split(",", 1)[0] for line in result.stdout.splitlines()[1:]]


def fails(db, *args):
    result = CliRunner().invoke(cli, ["export", "--db", str(db), *args])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    return result.stderr.strip()


ALL = ["fuenteArms2008", "kuleszaRusskaya1990", "kulhanekImpossibleDream2010", "mod2009", "natoLisbonDeclaration2010"]


@pytest.mark.parametrize(
    "filters, expected",
    [
        ((), ALL),
        (("--tag", "chapter-3"), ["fuenteArms2008", "kulhanekImpossibleDream2010", "natoLisbonDeclaration2010"]),
        (
            ("--tag", "chapter-3", "--tag", "background"),
            ["fuenteArms2008", "kuleszaRusskaya1990", "kulhanekImpossibleDream2010", "natoLisbonDeclaration2010"],
        ),
        (("--tag", "chapter-3", "--tag", "Russia", "--type", "post-weblog"), ["kulhanekImpossibleDream2010"]),
        (("--author", "Kulhanek"), ["kulhanekImpossibleDream2010"]),
        (("--author", "Jakub Kulhanek"), ["kulhanekImpossibleDream2010"]),
        (("--author", "Fuente, Juan"), ["fuenteArms2008"]),
        (("--author", "de la Fuente"), ["fuenteArms2008"]),
        (("--author", "Simkanic"), ["kuleszaRusskaya1990"]),
        (("--author", "North Atlantic Treaty Organization"), ["natoLisbonDeclaration2010"]),
        (("--organisation", "NATO"), ["fuenteArms2008", "kulhanekImpossibleDream2010", "natoLisbonDeclaration2010"]),
        (("--org", "russian federation"), ["kulhanekImpossibleDream2010"]),
        (("--event", "Lisbon Summit"), ["kulhanekImpossibleDream2010", "natoLisbonDeclaration2010"]),
        (("--event", "2008 war in Georgia"), ["fuenteArms2008"]),
        (("--type", "report"), ["mod2009", "natoLisbonDeclaration2010"]),
        (("--year", "2008..2009"), ["fuenteArms2008", "mod2009"]),
        (("--year", "2010"), ["kulhanekImpossibleDream2010", "natoLisbonDeclaration2010"]),
        (("--year", "..1999"), ["kuleszaRusskaya1990"]),
        (("--year", "2009.."), ["kulhanekImpossibleDream2010", "mod2009", "natoLisbonDeclaration2010"]),
        (("--added-since", "2026-03-01"), ["kulhanekImpossibleDream2010", "natoLisbonDeclaration2010"]),
        (("--added-by", "anna"), ["fuenteArms2008", "kuleszaRusskaya1990"]),
        (("--search", "lisbon summit"), ["kulhanekImpossibleDream2010", "natoLisbonDeclaration2010"]),
        (("--search", '"unbalanced OR'), []),
        (("--key", "mod2009", "--key", "fuenteArms2008"), ["fuenteArms2008", "mod2009"]),
        (("--citing", "fuenteArms2008"), ["natoLisbonDeclaration2010"]),
        (("--cited-by", "kulhanekImpossibleDream2010"), ["natoLisbonDeclaration2010"]),
        (("--where", "publisher LIKE 'The Stationery%' OR volume = '50'"), ["fuenteArms2008", "mod2009"]),
        (
            ("--where", "id IN (SELECT article_id FROM article_tags)", "--year", "2010"),
            ["kulhanekImpossibleDream2010", "natoLisbonDeclaration2010"],
        ),
    ],
)
def test_filters(hard_db, filters, expected):
    assert keys(hard_db, *filters) == expected


@pytest.mark.parametrize(
    "args, message",
    [
        (("--format", "bibtex", "--tag", "nope"), "no tag 'nope' in the knowledge base"),
        (("--format", "bibtex", "--author", "Nobody"), "--author: no author 'Nobody' in the knowledge base"),
        (("--format", "bibtex", "--org", "OSCE"), "--organisation: no organisation 'OSCE' in the knowledge base"),
        (("--format", "bibtex", "--event", "Yalta"), "--event: no event 'Yalta' in the knowledge base"),
        (("--format", "bibtex", "--key", "nokey"), "--key: no work with citekey, DOI or URL 'nokey'"),
        (("--format", "bibtex", "--cited-by", "nokey"), "--cited-by: no work with citekey, DOI or URL 'nokey'"),
        (("--format", "bibtex", "--type", "blog"), "--type: unknown work type 'blog'"),
        (("--format", "bibtex", "--year", "2010..2008"), "--year: the range '2010..2008' ends before it starts"),
        (("--format", "bibtex", "--year", "recent"), "--year: cannot read 'recent'"),
        (("--format", "bibtex", "--where", "title ="), "--where 'title =': near \")\": syntax error"),
        (("--format", "bibtex", "--where", "1) ; DELETE FROM articles; SELECT (1"), "--where"),
        (("--format", "bibtex", "--where", "id IN (SELECT writefile('/tmp/x', 'y'))"), "--where"),
        (("--format", "docx"), "unknown export format 'docx' (one of bibtex, biblatex, ris, csl-json, csv, yaml)"),
        (("--style", "apa-7th"), "unknown citation style 'apa-7th'; did you mean"),
        ((), "say either --format FORMAT"),
    ],
)
def test_bad_filters_fail_on_one_line(hard_db, args, message):
    error = fails(hard_db, *args)
    assert message in error
    assert len(error.splitlines()) == 1


def test_a_where_that_writes_is_refused_and_writes_nothing(hard_db):
    error = fails(
        hard_db,
        "--format",
        "bibtex",
        "--where",
        "id IN (SELECT id FROM articles) AND (SELECT count(*) FROM pragma_table_info('articles')) > 0 AND 1 = (DELETE FROM articles)",
    )
    assert error.startswith("Error: --where")
    conn = sqlite3.connect(hard_db)
    assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 5
    # a where condition may only read: the authorizer refuses anything else
    from kb.query import where_ids

    with pytest.raises(Exception, match="may only read|not authorized"):
        where_ids(
            conn, "id IN (SELECT 1 FROM sqlite_master) AND randomblob(1) AND 0 = (SELECT 0 FROM pragma_user_version)"
        )
    conn.close()


def test_nothing_is_written_to_o_on_error_and_the_file_is_replaced_on_success(hard_db, tmp_path):
    target = tmp_path / "ch3.bib"
    target.write_text("old contents\n")
    fails(hard_db, "--format", "bibtex", "--tag", "missing", "-o", str(target))
    fails(hard_db, "--style", "nope", "-o", str(target))
    assert target.read_text() == "old contents\n"
    result = CliRunner().invoke(
        cli, ["export", "--db", str(hard_db), "--format", "biblatex", "--tag", "chapter-3", "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert target.read_text().count("\n@") == 2 and "Exported 3 works as biblatex to" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".ch3")) == []  # no temporary file left


def test_python_api(hard_db):
    from kb import bibliography, export, open_kb, select_works

    kb = open_kb(hard_db)
    assert select_works(kb, tag="chapter-3", year="2010") == [
        "kulhanekImpossibleDream2010",
        "natoLisbonDeclaration2010",
    ]
    assert select_works(kb, author=["Kulhanek", "Kulesza"]) == ["kuleszaRusskaya1990", "kulhanekImpossibleDream2010"]
    cli_text = (
        CliRunner().invoke(cli, ["export", "--db", str(hard_db), "--format", "ris", "--event", "Lisbon Summit"]).stdout
    )
    assert export(kb, "ris", event="Lisbon Summit") == cli_text
    assert bibliography(kb, style="apa", key="mod2009").startswith("Ministry of Defence, United Kingdom. (2009).")
