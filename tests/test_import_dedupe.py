"""Dedupe across files and formats; re-import is a no-op; not-duplicate decisions hold."""

from __future__ import annotations

import sqlite3

import pytest

BIB = """@article{smith2008crisis, title = {The Crisis in {G}eorgia}, author = {Smith, John}, year = 2008,
  journal = {Survival}, file = {crisis.pdf}}
@article{other, title = {Something else entirely}, author = {Doe, Jane}, year = 2001}
"""
RIS = """TY  - JOUR
AU  - Smith, John
TI  - The crisis in Georgia.
PY  - 2009
VL  - 50
ZZ  - from ris
ER  - 
"""


def rows(db_path, sql):
    return sqlite3.connect(db_path).execute(sql).fetchall()


@pytest.fixture
def files(tmp_path):
    def write(name, text):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write


def test_bibtex_and_ris_of_the_same_work_merge_with_both_sources(run, db_path, files):
    assert run("import", files("a.bib", BIB)).exit_code == 0
    result = run("import", files("b.ris", RIS))
    assert result.exit_code == 0, result.output
    assert "1 merged as duplicates" in result.output and "duplicate of smith2008crisis" in result.output
    assert rows(db_path, "SELECT count(*) FROM articles") == [(2,)]
    assert rows(db_path, "SELECT volume, container_title FROM articles WHERE citekey = 'smith2008crisis'") == [
        ("50", "Survival")
    ]
    extra = rows(db_path, "SELECT extra_json FROM articles WHERE citekey = 'smith2008crisis'")[0][0]
    assert '"bibtex"' in extra and '"ris"' in extra
    sources = rows(
        db_path,
        "SELECT i.format FROM article_sources s JOIN imports i ON i.id = s.import_id "
        "JOIN articles a ON a.id = s.article_id WHERE a.citekey = 'smith2008crisis' ORDER BY i.id",
    )
    assert sources == [("bibtex",), ("ris",)]


@pytest.mark.parametrize(
    "field, first, second",
    [
        ("doi", "doi = {10.1000/ABC}", "DO  - https://doi.org/10.1000/abc"),
        ("url", "url = {https://www.example.org/post/?utm_source=x}", "UR  - http://example.org/post"),
        ("isbn", "isbn = {0-19-955555-3}", "SN  - 9780199555550"),
    ],
)
def test_exact_identifier_rules(run, db_path, files, field, first, second):
    entry_type, ris_type = ("book", "BOOK") if field == "isbn" else ("article", "JOUR")
    run(
        "import",
        files("a.bib", f"@{entry_type}{{k, title = {{First title}}, author = {{Smith, J}}, year = 2000, {first}}}"),
    )
    # The identifier is evidence, the agreeing title and year make it the same work (issue 9:
    # a shared identifier with a different title and year is no longer merged).
    result = run("import", files("b.ris", f"TY  - {ris_type}\nTI  - First title.\nPY  - 2001\n{second}\nER  - \n"))
    assert "0 added" in result.output and "duplicate of k" in result.output, result.output
    assert rows(db_path, "SELECT count(*) FROM articles") == [(1,)]
    assert rows(db_path, "SELECT count(*) FROM article_sources") == [(2,)]


def test_fuzzy_rule_needs_first_author_and_year_within_one(run, db_path, files):
    run("import", files("a.bib", BIB))
    other_author = RIS.replace("Smith, John", "Jones, Ann")
    later = RIS.replace("2009", "2011")
    for name, text in (("c.ris", other_author), ("d.ris", later)):
        result = run("import", files(name, text))
        assert "1 added" in result.output, result.output
    assert rows(db_path, "SELECT count(*) FROM articles") == [(4,)]


def test_reimport_adds_and_changes_nothing(run, db_path, files):
    path = files("a.bib", BIB)
    run("import", path)
    before = rows(db_path, "SELECT id, citekey, updated_at, csl_json, extra_json FROM articles ORDER BY id")
    result = run("import", path)
    assert "0 added, 0 updated, 0 merged as duplicates, 2 unchanged" in result.output
    assert "duplicate of" not in result.output
    assert rows(db_path, "SELECT id, citekey, updated_at, csl_json, extra_json FROM articles ORDER BY id") == before


def test_not_duplicate_decision_is_listed_and_respected(run, db_path, files):
    first = files("a.bib", BIB)
    second = files(
        "b.bib", "@article{smith2008crisis, title = {The crisis of Georgia}, author = {Smith, John}, year = 2009}"
    )
    run("import", first)
    result = run("import", second, "--on-duplicate", "keep-both")
    assert "1 added" in result.output
    listing = run("dedupe")
    assert "smith2008crisis\tsmithCrisisGeorgia2009" in listing.output
    assert run("dedupe", "--not-duplicate", "smith2008crisis", "smithCrisisGeorgia2009").exit_code == 0
    assert "smith2008crisis" not in run("dedupe").output
    # Importing the second file again: its record is the second work, never merged into the first.
    result = run("import", second)
    assert "0 merged" in result.output and "1 unchanged" in result.output, result.output
    assert rows(db_path, "SELECT count(*) FROM articles") == [(3,)]
    assert rows(db_path, "SELECT title FROM articles WHERE citekey = 'smith2008crisis'") == [("The Crisis in Georgia",)]


def test_dry_run_reports_and_writes_nothing(run, db_path, files):
    result = run("import", files("a.bib", BIB), "--dry-run")
    assert "Would import" in result.output and "2 added" in result.output
    assert rows(db_path, "SELECT count(*) FROM articles") == [(0,)]
