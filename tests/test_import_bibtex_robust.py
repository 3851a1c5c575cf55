"""A .bib file is never lost for one odd block: repeated fields, commented-out entries,
@set and @comment, failed blocks, a skipped first record. Real files, the CLI, the db."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest


def works(db_path: Path) -> dict[str, dict]:
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    return {row["citekey"]: dict(row) for row in conn.execute("SELECT * FROM articles")}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


REPEATED = """@article{rep,
  title = {First title},
  author = {Smith, John},
  title = {Second title},
  year = {2001},
  year = {2001}
}
@article{plain, title = {Plain}, year = {2002}}
"""


@pytest.mark.parametrize("skip_invalid", [False, True])
def test_repeated_field_keeps_the_first_value_and_warns(run, db_path, tmp_path, skip_invalid):
    path = write(tmp_path, "rep.bib", REPEATED)
    result = run("import", str(path), *(["--skip-invalid"] if skip_invalid else []))
    assert result.exit_code == 0, result.output
    assert "2 added" in result.output and "0 skipped" in result.output
    assert "warnings: 2 repeated fields ignored" in result.output
    assert (
        f"warning {path}:1: rep: field 'title' given again; kept the first value, ignored 'Second title'"
        in result.output
    )
    rows = works(db_path)
    assert set(rows) == {"rep", "plain"}
    assert rows["rep"]["title"] == "First title" and rows["rep"]["year"] == 2001
    assert rows["rep"]["needs_review"] == 0  # nothing about the work itself is in doubt


COMMENTED = """%@ARTICLE{x1,
%  title = {An old version},
%  year = {1999}
%}
@ARTICLE{x1,
  title = {The real one},
  year = {1999}
}
@comment{x2, title = {Not a work}}
"""


def test_commented_out_entry_is_ignored(run, db_path, tmp_path):
    path = write(tmp_path, "commented.bib", COMMENTED)
    result = run("import", str(path))
    assert result.exit_code == 0, result.output
    assert "1 added" in result.output and "warning" not in result.output
    rows = works(db_path)
    assert list(rows) == ["x1"]  # not re-keyed x1a by a phantom
    assert rows["x1"]["title"] == "The real one"
    assert "%" not in (rows["x1"]["extra_json"] or "")


def test_a_commented_line_keeps_line_numbers(run, db_path, tmp_path):
    path = write(
        tmp_path, "lines.bib", "% a note\n%@misc{old, title={Old}}\n@article{bad, title = {Broken, year = 2000}\n"
    )
    result = run("import", str(path))
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1].startswith(f"Error: {path}:3: cannot read this BibTeX block")


SET = """@set{both, entryset = {a1,a2}}
@article{a1, title = {One}, year = {2001}}
@article{a2, title = {Two}, year = {2002}}
"""


def test_set_is_ignored_and_reported(run, db_path, tmp_path):
    path = write(tmp_path, "set.bib", SET)
    result = run("import", str(path))
    assert result.exit_code == 0, result.output
    assert "2 added" in result.output and "warnings: 1 blocks ignored" in result.output
    assert f"warning {path}:1: @set both ignored (its members are imported as works)" in result.output
    assert set(works(db_path)) == {"a1", "a2"}


FIRST_BAD = """@article{bad key, title = {A key kb refuses}, year = {2001}}
@article{good, title = {Good}, year = {2002}}
@article{good2, title = {Good too}, year = {2003}}
"""


def test_skipping_the_first_record_does_not_crash(run, db_path, tmp_path):
    path = write(tmp_path, "first.bib", FIRST_BAD)
    result = run("import", str(path), "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert "2 added" in result.output and "1 skipped" in result.output
    assert f"skipped {path}:1: citekey 'bad key'" in result.output
    assert set(works(db_path)) == {"good", "good2"}
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT added, skipped FROM imports").fetchall() == [(2, 1)]
    # A second import of the same file knows its records (the import's file survived the rollback).
    again = run("import", str(path), "--skip-invalid")
    assert "2 unchanged" in again.output and set(works(db_path)) == {"good", "good2"}


def test_skipping_the_first_record_fails_whole_without_skip_invalid(run, db_path, tmp_path):
    path = write(tmp_path, "first.bib", FIRST_BAD)
    result = run("import", str(path))
    assert result.exit_code == 1
    assert (
        result.output.strip().splitlines()[-1]
        == f"Error: {path}:1: citekey 'bad key' has spaces or characters a citekey cannot hold"
    )
    assert works(db_path) == {}


FAILED = """@article{c1, title = {Good}, year = {2002}}
@article{c2, title = {Bad, year = {2002}
@article{c3, title = {Good 3}, year = {2003}}
"""


def test_failed_block_is_skipped_with_its_line(run, db_path, tmp_path):
    path = write(tmp_path, "failed.bib", FAILED)
    result = run("import", str(path), "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert "2 added" in result.output and "1 skipped" in result.output
    assert f"skipped {path}:2: cannot read this BibTeX block" in result.output
    assert set(works(db_path)) == {"c1", "c3"}
    run("init", db=tmp_path / "strict.db")
    strict = run("import", str(path), db=tmp_path / "strict.db")
    assert strict.exit_code == 1 and f"Error: {path}:2: cannot read this BibTeX block" in strict.output


def test_failed_block_first_with_repeated_fields_after(run, db_path, tmp_path):
    """Every kind at once, the failed block first: nothing crashes, everything is counted."""
    path = write(tmp_path, "mixed.bib", FAILED.split("\n", 1)[1] + REPEATED + SET + COMMENTED)
    result = run("import", str(path), "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert "1 skipped" in result.output
    assert "warnings: 1 blocks ignored, 2 repeated fields ignored" in result.output
    assert f"warning {path}:3: rep: field 'title' given again" in result.output  # the entry's own line
    assert set(works(db_path)) == {"c3", "rep", "plain", "a1", "a2", "x1"}


DATES = r"""@book{noop, title = {Sort trick}, year = {\noopsort{1973b}1973}}
@book{french, title = {French month}, year = {1990}, month = {juillet}}
@book{season, title = {Seasons}, year = {1990}, month = {Summer/Autumn}}
@book{unread, title = {Unreadable}, year = {the year of the rabbit}}
@book{badmonth, title = {Unreadable month}, year = {1990}, month = {Blursday}}
"""


def test_dates_land_and_the_unreadable_are_flagged(run, db_path, tmp_path):
    path = write(tmp_path, "dates.bib", DATES)
    result = run("import", str(path))
    assert result.exit_code == 0, result.output
    assert "5 added" in result.output and "warnings: 2 dates kept as written (needs review)" in result.output
    assert (
        f"warning {path}:4: cannot read the date 'the year of the rabbit' in field year; kept as written"
        in result.output
    )
    rows = works(db_path)
    assert (rows["noop"]["issued"], rows["noop"]["needs_review"]) == ("1973", 0)
    assert (rows["french"]["issued_start"], rows["french"]["issued_end"]) == ("1990-07-01", "1990-07-31")
    assert rows["unread"]["issued"] == "the year of the rabbit" and rows["unread"]["needs_review"] == 1
    assert json.loads(rows["unread"]["csl_json"])["issued"] == {"literal": "the year of the rabbit"}
    assert rows["badmonth"]["year"] == 1990 and rows["badmonth"]["needs_review"] == 1


def test_a_field_repeated_in_another_case_is_a_repeated_field(run, db_path, tmp_path):
    path = write(tmp_path, "case.bib", "@article{k, title = {First}, Title = {Second}, year = 2000}\n")
    result = run("import", str(path))
    assert result.exit_code == 0 and "warnings: 1 repeated fields ignored" in result.output, result.output
    assert works(db_path)["k"]["title"] == "First"
