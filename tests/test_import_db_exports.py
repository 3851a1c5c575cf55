"""Real database exports: RIS with preambles and numbering (Ovid, EndNote), month-only and
free-text dates, PubMed author lists; Web of Science tagged text; CSV tables from Scopus,
PubMed, Zotero and revtools with their own headers and delimiters; `--format biblatex`.

The fixtures in tests/fixtures/db_exports/ are small files written in the shape of real
exports (the tools' own test data and documentation)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import cli
from kb.importers import parse_file

FIXTURES = Path(__file__).parent / "fixtures" / "db_exports"


@pytest.fixture
def kb(tmp_path: Path):
    """A knowledge base made by `kb init`, and a function running kb commands on it."""
    db = tmp_path / "kb.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["init", "--db", str(db)]).exit_code == 0

    def invoke(*args: str):
        return runner.invoke(cli, [*args, "--db", str(db)], catch_exceptions=False)

    invoke.db = db
    return invoke


def works(db: Path) -> dict[str, dict]:
    """Each work's CSL item by title, with its needs_review flag and tags."""
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT id, title, csl_json, needs_review FROM articles").fetchall()
    found = {}
    for article_id, title, csl, needs_review in rows:
        item = json.loads(csl)
        item["needs_review"] = needs_review
        item["tags"] = sorted(
            name
            for (name,) in conn.execute(
                "SELECT t.name FROM tags t JOIN article_tags a ON a.tag_id = t.id WHERE a.article_id = ?", (article_id,)
            )
        )
        found[title] = item
    conn.close()
    return found


def test_ris_preamble_ovid_numbers_and_bom_are_skipped_and_reported(kb, tmp_path):
    path = tmp_path / "ovid.ris"
    path.write_text((FIXTURES / "ovid_medline.ris").read_text(encoding="utf-8").split("\n3.\n")[0], encoding="utf-8")
    assert path.read_bytes().startswith(b" \xef\xbb\xbfProvider: Ovid")  # a space before the BOM
    result = kb("import", str(path))
    assert result.exit_code == 0, result.output
    assert "2 added" in result.output
    assert "2 passages of text outside records skipped" in result.output
    assert "line 1 'Provider: Ovid Technologies' and 3 more line(s)" in result.output
    assert "line 17 '2.'" in result.output
    assert set(works(kb.db)) == {"Sleep and memory in older adults", "Night shifts and health"}


def test_ris_text_after_the_last_record_is_reported(kb, tmp_path):
    path = tmp_path / "endnote.ris"
    path.write_text("Record #1 of 1\nTY  - JOUR\nTI  - A title\nPY  - 2001\nER  - \n\nEnd of file\n")
    result = kb("import", str(path))
    assert result.exit_code == 0, result.output
    assert "'Record #1 of 1'" in result.output and "'End of file'" in result.output


def test_ris_month_only_and_free_text_dates(kb):
    kb("import", "--skip-invalid", str(FIXTURES / "ovid_medline.ris"))
    found = works(kb.db)
    sleep = found["Sleep and memory in older adults"]
    assert sleep["issued"] == {"date-parts": [[2001, 9]], "raw": "2001/SEP"}  # DA 2001/SEP with PY 2001///
    assert sleep["needs_review"] == 0
    assert found["Night shifts and health"]["issued"] == {"date-parts": [[2003, 9]]}  # DA SEP with PY 2003


def test_ris_pubmed_author_list_in_one_au_is_two_people(kb):
    kb("import", "--skip-invalid", str(FIXTURES / "ovid_medline.ris"))
    sleep = works(kb.db)["Sleep and memory in older adults"]
    assert sleep["author"] == [{"family": "Smith", "given": "A."}, {"family": "Walter", "given": "B. C."}]


def test_ris_and_wos_records_without_a_title_are_flagged_for_review():
    # They land once the store takes untitled works (issue 12 item 5); the importers flag them.
    _, records = parse_file(FIXTURES / "ovid_medline.ris")
    untitled = [r for r in records if not r.item.get("title")]
    assert len(untitled) == 2 and all(r.needs_review for r in untitled)
    assert untitled[0].origin != untitled[1].origin
    _, records = parse_file(FIXTURES / "savedrecs.txt")
    (untitled,) = [r for r in records if not r.item.get("title")]
    assert untitled.needs_review and untitled.item["container-title"] == "NATURE"


def test_web_of_science_tagged_text_is_detected_and_read(kb):
    result = kb("import", "--skip-invalid", str(FIXTURES / "savedrecs.txt"))
    assert result.exit_code == 0, result.output
    assert "(wos): works: " in result.output  # (2 added; 3 once untitled works land, issue 12 item 5)
    found = works(kb.db)
    article = found["Sleep, memory and ageing: a longitudinal study"]  # TI continued on an indented line
    assert article["type"] == "article-journal"
    assert article["author"] == [{"family": "Smith", "given": "Anna"}, {"family": "Walter", "given": "Bob C."}]
    assert article["container-title"] == "JOURNAL OF SLEEP RESEARCH"
    assert article["issued"] == {"date-parts": [[2001, 9]]}  # PD SEP, PY 2001
    assert (article["volume"], article["issue"], article["page"]) == ("10", "3", "101-110")
    assert article["DOI"] == "10.1046/j.1365-2869.2001.00001.x" and article["ISSN"] == "0962-1105"
    assert article["abstract"] == "Sleep changes with age. We followed 200 adults."
    assert article["tags"] == sorted(["sleep", "memory", "OLDER-ADULTS", "CONSOLIDATION"])
    book = found["Night Work"]
    assert book["type"] == "book" and book["publisher"] == "OXFORD UNIV PRESS" and book["ISBN"].startswith("978")
    extra = sqlite3.connect(kb.db).execute("SELECT extra_json FROM articles WHERE title = 'Night Work'").fetchone()[0]
    assert json.loads(extra)["wos"]["UT"] == ["WOS:000180000000002"]


def test_web_of_science_truncated_record_is_an_error_and_nothing_lands(kb, tmp_path):
    path = tmp_path / "savedrecs.txt"
    path.write_text("FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nAU Doe, J\nTI Cut short\nPY 2001\n")
    result = kb("import", "--format", "wos", str(path))
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        f"Error: {path}:3: the record is not closed by an `ER` line (is the file truncated?)"
    )
    assert works(kb.db) == {}


def test_csv_delimiter_is_the_one_that_gives_a_known_header_and_snake_case_headers(kb):
    result = kb("import", str(FIXTURES / "revtools_semicolon.csv"))
    assert result.exit_code == 0, result.output
    found = works(kb.db)
    article = found["Sleep, memory, and ageing, revisited"]
    assert article["author"] == [{"family": "Smith", "given": "Anna"}, {"family": "Walter", "given": "Bob"}]
    assert article["type"] == "article-journal" and article["page"] == "101-110"
    assert article["issued"] == {"date-parts": [[2001]]} and article["container-title"] == "Journal of Sleep Research"
    assert found["Shift work, health, and safety"]["type"] == "chapter"


def test_csv_scopus_export(kb):
    result = kb("import", str(FIXTURES / "scopus.csv"))
    assert result.exit_code == 0, result.output
    found = works(kb.db)
    article = found["Sleep and memory in older adults"]
    assert article["author"] == [{"family": "Smith", "given": "Anna"}, {"family": "Walter", "given": "Bob C."}]
    assert article["container-title"] == "Journal of Sleep Research"  # not "...; Scopus" (its Source column)
    assert article["page"] == "101-110" and article["issue"] == "3"
    assert found["Night shifts and health"]["type"] == "paper-conference"


def test_csv_pubmed_family_initials_authors(kb):
    result = kb("import", str(FIXTURES / "pubmed.csv"))
    assert result.exit_code == 0, result.output
    found = works(kb.db)
    article = found["Sleep and memory in older adults."]
    assert article["author"] == [{"family": "Smith", "given": "A."}, {"family": "Walter", "given": "B. C."}]
    assert article["container-title"] == "J Sleep Res"
    assert found["Night shifts and health."]["author"] == [{"family": "Jones", "given": "C."}]


def test_csv_zotero_export_and_last_first_lists_unchanged(kb):
    result = kb("import", str(FIXTURES / "zotero.csv"))
    assert result.exit_code == 0, result.output
    found = works(kb.db)
    article = found["Sleep and memory in older adults"]
    assert article["author"] == [{"family": "Smith", "given": "Anna"}, {"family": "Walter", "given": "Bob"}]
    assert article["type"] == "article-journal" and article["abstract"] == "Sleep changes with age."
    assert article["container-title-short"] == "J Sleep Res" and article["issued"] == {"date-parts": [[2001, 9]]}
    assert article["tags"] == ["memory", "sleep"]
    assert found["Shift work and safety"]["type"] == "chapter"


def test_format_biblatex_reads_with_the_bibtex_reader(kb, tmp_path):
    path = tmp_path / "refs.txt"
    path.write_text("@online{doe2020,\n  title = {A post},\n  author = {Doe, Jane},\n  date = {2020-05},\n}\n")
    result = kb("import", "--format", "biblatex", str(path))
    assert result.exit_code == 0, result.output
    assert "(bibtex): works: 1 added" in result.output
    assert works(kb.db)["A post"]["issued"] == {"date-parts": [[2020, 5]]}


def test_web_of_science_tab_delimited_export_reads_as_a_table(kb):
    result = kb("import", str(FIXTURES / "wos_tab_delimited.txt"))
    assert result.exit_code == 0, result.output
    assert "(csv): works: 1 added" in result.output
    article = works(kb.db)["Sleep and memory in older adults"]
    assert article["author"] == [{"family": "Smith", "given": "Anna"}, {"family": "Walter", "given": "Bob C."}]
    assert article["page"] == "101-110" and article["container-title"] == "JOURNAL OF SLEEP RESEARCH"
    assert article["tags"] == ["memory", "sleep"]


def test_web_of_science_records_without_the_file_header_are_detected(kb, tmp_path):
    path = tmp_path / "part.txt"
    path.write_text("PT J\nAU Doe, J\nAF Doe, Jane\nTI A cut-out record\nSO SURVIVAL\nPY 2010\nER\n")
    result = kb("import", str(path))
    assert result.exit_code == 0, result.output
    assert "(wos): works: 1 added" in result.output
    assert works(kb.db)["A cut-out record"]["author"] == [{"family": "Doe", "given": "Jane"}]


def test_ris_endnote_year_with_slashes_and_month_alone(kb, tmp_path):
    path = tmp_path / "endnote.ris"
    path.write_text(
        "TY  - JOUR\nAU  - Doe, Jane\nTI  - Month alone\nPY  - 2001///\nDA  - SEP\nER  - \n\n"
        "TY  - JOUR\nAU  - Doe, Jane\nTI  - Year alone\nPY  - 2002///\nER  - \n"
    )
    result = kb("import", str(path))
    assert result.exit_code == 0, result.output
    found = works(kb.db)
    assert found["Month alone"]["issued"] == {"date-parts": [[2001, 9]]}
    assert found["Year alone"]["issued"] == {"date-parts": [[2002]]}
    assert found["Month alone"]["needs_review"] == 0
