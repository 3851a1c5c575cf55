"""Bad input: one line naming file and line, exit 1, database unchanged; --skip-invalid lists what it skipped."""

from __future__ import annotations

import sqlite3

import pytest

GOOD = "@article{good, title = {Good}, year = 2000}\n"


def count(db_path):
    return sqlite3.connect(db_path).execute("SELECT count(*) FROM articles").fetchone()[0]


CASES = {
    "truncated.bib": (GOOD + "@article{cut, title = {Cut off in the mid", "truncated.bib:2"),
    "unbalanced.bib": (
        GOOD + "@article{bad, title = {One {brace too many}, year = 2000}\n@book{next, title={N}, year=2001}\n",
        "unbalanced.bib:2",
    ),
    "header.csv": ("Foo,Bar\n1,2\n", "header.csv:1"),
    # (A work's date kb cannot read no longer fails a file: the work lands with the date
    # kept as written, flagged; see test_import_bibtex_robust.py and test_dates_real.py.)
    "truncated.ris": ("TY  - JOUR\nTI  - A\nER  - \nTY  - JOUR\nTI  - B", "truncated.ris:4"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_file_fails_whole_with_file_and_line(run, db_path, tmp_path, name):
    text, where = CASES[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    good = tmp_path / "fine.bib"
    good.write_text("@book{other, title = {Other}, year = 1999}\n", encoding="utf-8")
    result = run("import", str(good), str(path))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[-1].startswith("Error: ") and where in lines[-1], result.output
    assert "Traceback" not in result.output
    assert count(db_path) == 0


def test_skip_invalid_lands_the_valid_and_lists_the_skipped(run, db_path, tmp_path):
    path = tmp_path / "mixed.bib"
    path.write_text(CASES["truncated.bib"][0] + "\n" + CASES["unbalanced.bib"][0], encoding="utf-8")
    result = run("import", str(path), "--skip-invalid")
    assert result.exit_code == 0
    assert "skipped mixed.bib" not in result.output  # the full path is named
    skipped = [line for line in result.output.splitlines() if line.strip().startswith("skipped ")]
    assert len(skipped) == 2 and all(str(path) in line for line in skipped)
    assert count(db_path) == 2  # good (twice: one work), next


@pytest.mark.parametrize(
    "name, data, message",
    [
        (
            "latin1.bib",
            "@article{k, title = {Caf\xe9}, year = 2000}\n".encode("latin-1"),
            "latin1.bib:1: byte 0xe9 is not UTF-8",
        ),
        ("binary.bib", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary.bib: is a binary file"),
        ("empty.bib", b"  \n\n", "empty.bib: the file is empty"),
        ("nothing.bib", b"just some words, no entries\n", "nothing.bib: no BibTeX entries found"),
    ],
)
def test_unreadable_files(run, db_path, tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    result = run("import", str(path))
    assert result.exit_code == 1 and message in result.output, result.output
    assert count(db_path) == 0


def test_latin1_with_encoding_option_lands(run, db_path, tmp_path):
    path = tmp_path / "latin1.bib"
    path.write_bytes("@article{k, title = {Caf\xe9}, year = 2000}\n".encode("latin-1"))
    assert run("import", str(path), "--encoding", "latin-1").exit_code == 0
    assert sqlite3.connect(db_path).execute("SELECT title FROM articles").fetchone() == ("Café",)
