"""Dates as people and databases write them (kb/date_forms.py): each form read into the
partial-date model, what kb cannot read kept as written and flagged, and every stored
form surviving dump -> build and every exporter."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from kb.date_forms import normalise_csl_date, read_date
from kb.dates import parse_partial_date, partial_date_from_csl
from kb.errors import KbError
from kb.importers import bibtex, csl_json, ris
from kb.model import WorkRecord

# text as written -> (EDTF of the stored date, start, end, what CSL keeps besides date-parts)
FORMS = {
    r"\noopsort{1973b}1973": ("1973", "1973-01-01", "1973-12-31", {}),
    "198?": ("1980/1989", "1980-01-01", "1989-12-31", {"raw": "198?"}),
    "1965--1981": ("1965/1981", "1965-01-01", "1981-12-31", {"raw": "1965--1981"}),
    "2016–18": ("2016/2018", "2016-01-01", "2018-12-31", {"raw": "2016–18"}),
    "1948/49": ("1948/1949", "1948-01-01", "1949-12-31", {"raw": "1948/49"}),
    "c2000": ("2000~", "2000-01-01", "2000-12-31", {"raw": "c2000", "circa": True}),
    "juillet 1990": ("1990-07", "1990-07-01", "1990-07-31", {"raw": "juillet 1990"}),
    "5. Juni 1990": ("1990-06-05", "1990-06-05", "1990-06-05", {"raw": "5. Juni 1990"}),
    "12 de mayo de 1990": ("1990-05-12", "1990-05-12", "1990-05-12", {"raw": "12 de mayo de 1990"}),
    "5.~jun 1990": ("1990-06-05", "1990-06-05", "1990-06-05", {}),
    "Summer/Autumn 1990": (
        "1990",
        "1990-01-01",
        "1990-12-31",
        {"raw": "Summer/Autumn 1990", "season": "Summer/Autumn"},
    ),
    "Fall 1998": ("1998", "1998-01-01", "1998-12-31", {"raw": "Fall 1998", "season": 3}),
    "2012-22": ("2012", "2012-01-01", "2012-12-31", {"raw": "2012-22", "season": 2}),
    "186X": ("1860/1869", "1860-01-01", "1869-12-31", {"raw": "186X"}),
    "19XX": ("1900/1999", "1900-01-01", "1999-12-31", {"raw": "19XX"}),
    "1917~/1954": ("1917/1954~", "1917-01-01", "1954-12-31", {"raw": "1917~/1954", "circa": True}),
    "-0379": ("-0379", "-0379-01-01", "-0379-12-31", {}),
    "-379": ("-0379", "-0379-01-01", "-0379-12-31", {"raw": "-379"}),
    "-0379/-0300": ("-0379/-0300", "-0379-01-01", "-0300-12-31", {}),
    "Jan-Feb 2003": ("2003-01/2003-02", "2003-01-01", "2003-02-28", {"raw": "Jan-Feb 2003"}),
    "[1990]": ("1990", "1990-01-01", "1990-12-31", {"raw": "[1990]"}),
    "1973b": ("1973", "1973-01-01", "1973-12-31", {"raw": "1973b"}),
    "2010/": ("2010", "2010-01-01", "2010-12-31", {"raw": "2010/"}),
    "2010-": ("2010", "2010-01-01", "2010-12-31", {"raw": "2010-"}),
    "../2010": ("2010", "2010-01-01", "2010-12-31", {"raw": "../2010"}),
}


@pytest.mark.parametrize("text", sorted(FORMS))
def test_each_form_is_read_into_the_partial_date_model(text):
    edtf, start, end, kept = FORMS[text]
    date = read_date(text)
    assert date is not None and not date.kept_as_written
    assert {k: v for k, v in date.csl.items() if k != "date-parts"} == kept
    parsed = partial_date_from_csl(date.csl)
    assert (parsed.edtf, parsed.start, parsed.end) == (edtf, start, end)


@pytest.mark.parametrize("text", ["2012-05", "2008-08-07", "1990/1995", "August 2008", "19-20 November 2010"])
def test_forms_kb_always_read_are_unchanged(text):
    assert read_date(text).csl == parse_partial_date(text).to_csl()


@pytest.mark.parametrize("text", ["sometime", "SEP", "2001-05-32", "1995/1990", "0000"])
def test_an_unreadable_date_is_kept_as_written(text):
    date = read_date(text)
    assert date.kept_as_written and date.csl == {"literal": text}
    parsed = partial_date_from_csl(date.csl)  # no error
    assert parsed is None or text == "0000"  # no bounds (a literal year 0 keeps its own)


def test_bce_ranges_order_by_year_not_text():
    assert parse_partial_date("-0379/-0300").end == "-0300-12-31"
    with pytest.raises(KbError):
        parse_partial_date("-0300/-0379")


@pytest.mark.parametrize(
    "value, expected",
    [
        ({"date-parts": [[1948], [49]]}, {"date-parts": [[1948], [1949]]}),
        ({"date-parts": [[1999], [2]]}, {"date-parts": [[1999], [2002]]}),
        (
            {"date-parts": [[1985, 4, 18], [24]]},
            {"date-parts": [[1985, 4, 18], [1985, 4, 24]]},
        ),  # Zotero's "April 18-24, 1985"
        ({"date-parts": [[1985, 4], [6]]}, {"date-parts": [[1985, 4], [1985, 6]]}),
        ({"date-parts": [[2001, 22]]}, {"date-parts": [[2001]], "season": 2}),
        ({"date-parts": [[2001, 14]]}, {"date-parts": [[2001]], "season": 2}),
        ({"date-parts": [[2001], [2001]]}, {"date-parts": [[2001]]}),
        ({"date-parts": [[2001, 2, 3, 4]]}, {"date-parts": [[2001, 2, 3]]}),
    ],
)
def test_csl_date_parts_as_the_source_meant_them(value, expected):
    date = normalise_csl_date(value)
    assert not date.kept_as_written and date.csl == expected


@pytest.mark.parametrize(
    "value, literal",
    [
        ({"date-parts": [[2001, 5], [2001, 3]]}, "2001-5/2001-3"),
        ({"date-parts": [[2001, 2, 30]]}, "2001-2-30"),
        ({"date-parts": [[1999], [1990]], "raw": "1999-1990"}, "1999-1990"),
    ],
)
def test_csl_date_parts_kb_cannot_read_are_kept_as_written(value, literal):
    date = normalise_csl_date(value)
    assert date.kept_as_written and date.csl == {"literal": literal}


def test_csl_json_season_as_month_no_longer_crashes():
    (record,) = csl_json.parse(
        '[{"id": "s", "type": "book", "title": "S", "issued": {"date-parts": [[2001, 22]]}}]', "s.json"
    )
    assert isinstance(record, WorkRecord) and record.item["issued"] == {"date-parts": [[2001]], "season": 2}


def test_csl_json_raw_forms_are_read():
    (record,) = csl_json.parse('[{"id": "r", "type": "book", "title": "R", "issued": {"raw": "198?"}}]', "r.json")
    assert record.item["issued"] == {"date-parts": [[1980], [1989]], "raw": "198?"} and not record.needs_review


@pytest.mark.parametrize(
    "tags, issued, flagged",
    [
        ("PY  - 2001\nDA  - SEP\n", {"date-parts": [[2001, 9]]}, False),
        ("PY  - 1998\nDA  - Spring\n", {"date-parts": [[1998]], "season": 1, "raw": "Spring 1998"}, False),
        ("PY  - 2001\nDA  - the third moon\n", {"date-parts": [[2001]], "raw": "the third moon 2001"}, True),
        ("DA  - SEP\n", {"literal": "SEP"}, True),
        ("PY  - 2001///\n", {"date-parts": [[2001]]}, False),
        ("PY  - -379///\n", {"date-parts": [[-379]]}, False),  # what kb's RIS export writes for 379 BCE
        ("DA  - 2001 Jul-Aug\n", {"date-parts": [[2001, 7], [2001, 8]], "raw": "2001 Jul-Aug"}, False),
    ],
)
def test_ris_month_only_and_free_text_dates(tags, issued, flagged):
    (record,) = ris.parse(f"TY  - JOUR\nTI  - T\n{tags}ER  - \n", "d.ris")
    assert record.item["issued"] == issued and record.needs_review is flagged


def test_bibtex_month_forms():
    text = "@book{a, title = {A}, year = {1990}, month = {5.~jun}}\n@book{b, title = {B}, year = 1990, month = {Summer/Autumn}}"
    a, b = bibtex.parse(text, "m.bib")
    assert a.item["issued"] == {"date-parts": [[1990, 6, 5]]}
    assert b.item["issued"] == {"date-parts": [[1990]], "season": "Summer/Autumn", "raw": "Summer/Autumn 1990"}


# One work per stored form, from all three importers: they must dump, build, dump the
# same, and every exporter must take them.
ODD_BIB = "\n".join(f"@book{{b{i}, title = {{Form {i}}}, date = {{{text}}}}}" for i, text in enumerate(sorted(FORMS)))
ODD_BIB += "\n@book{unread, title = {Unread}, year = {sometime}}\n@book{badmonth, title = {Bad month}, year = 1990, month = {Blursday}}\n"
ODD_CSL = json.dumps(
    [
        {"id": "c1", "type": "book", "title": "Short end", "issued": {"date-parts": [[1948], [49]]}},
        {"id": "c2", "type": "book", "title": "Season month", "issued": {"date-parts": [[2001, 22]]}},
        {"id": "c3", "type": "book", "title": "Backwards", "issued": {"date-parts": [[2001, 5], [2001, 3]]}},
        {"id": "c4", "type": "book", "title": "Raw only", "issued": {"raw": "circa 1850?"}},
        {"id": "c5", "type": "book", "title": "Literal", "issued": {"literal": "Ancient times"}},
    ]
)
ODD_RIS = (
    "TY  - JOUR\nTI  - Month only\nPY  - 2001\nDA  - SEP\nER  - \n\nTY  - JOUR\nTI  - No year\nDA  - SEP\nER  - \n"
)


@pytest.fixture
def odd_dates_db(run, db_path, tmp_path) -> Path:
    for name, text in (("odd.bib", ODD_BIB), ("odd.json", ODD_CSL), ("odd.ris", ODD_RIS)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        result = run("import", str(tmp_path / name))
        assert result.exit_code == 0 and "skipped" in result.output, result.output
    return db_path


def test_odd_dates_dump_build_dump_identical(run, odd_dates_db, tmp_path):
    conn = sqlite3.connect(odd_dates_db)
    assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == len(FORMS) + 2 + 5 + 2
    assert (
        conn.execute("SELECT count(*) FROM articles WHERE needs_review").fetchone()[0] == 4
    )  # unread, badmonth, c3, No year
    first, second = tmp_path / "first", tmp_path / "second"
    assert run("dump", str(first)).exit_code == 0
    built = tmp_path / "built.db"
    result = run("build", str(first), db=built)
    assert result.exit_code == 0, result.output
    assert run("dump", str(second), db=built).exit_code == 0
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex", "ris", "csl-json", "csv", "yaml"])
def test_odd_dates_export_in_every_format(run, odd_dates_db, tmp_path, fmt):
    out = tmp_path / f"out.{fmt}"
    result = run("export", "--format", fmt, "-o", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "Short end" in text and "Form 0" in text and "Unread" in text


def test_odd_dates_format_as_references(run, odd_dates_db):
    result = run("export", "--style", "apa")
    assert result.exit_code == 0, result.output
    assert "(sometime)" in result.output and "Ancient times" in result.output


@pytest.mark.parametrize("fmt", ["bibtex", "ris", "csl-json", "yaml"])
def test_odd_dates_exported_import_again(run, odd_dates_db, tmp_path, fmt):
    out = tmp_path / f"out.{ {'bibtex': 'bib', 'csl-json': 'json'}.get(fmt, fmt) }"
    assert run("export", "--format", fmt, "-o", str(out)).exit_code == 0
    run("init", db=tmp_path / "again.db")
    again = run("import", str(out), db=tmp_path / "again.db")
    assert again.exit_code == 0, again.output
    assert (
        sqlite3.connect(tmp_path / "again.db").execute("SELECT count(*) FROM articles").fetchone()[0]
        == len(FORMS) + 2 + 5 + 2
    )


@pytest.mark.parametrize(
    "issued", [{"date-parts": [[2001, 22]]}, {"date-parts": [[2001, 5], [2001, 3]]}, {"date-parts": [[1948], [49]]}]
)
def test_build_refuses_date_parts_kb_could_not_dump_back(run, db_path, tmp_path, issued):
    """A hand-written YAML date that kb's date model refuses: one line, nothing stored
    (it used to be stored, and then `kb build` refused kb's own dump, or it crashed)."""
    folder = tmp_path / "yaml" / "works"
    folder.mkdir(parents=True)
    (folder / "x.yaml").write_text(
        f"kind: work\ncitekey: x\ntype: book\ntitle: X\nissued: {json.dumps(issued)}\n", encoding="utf-8"
    )
    result = run("build", str(tmp_path / "yaml"), db=tmp_path / "built.db")
    assert result.exit_code == 1
    # kb's record checks (kb/record_checks.py) or the store's date model: either way one
    # line naming the file, the line and the date.
    assert result.output.strip().splitlines()[-1].startswith(f"Error: {folder / 'x.yaml'}:1: issued: ")
    assert not (tmp_path / "built.db").exists()


def test_bibtex_day_that_does_not_exist_is_kept_as_written():
    (work,) = bibtex.parse("@book{d, title={D}, year=1990, month=feb, day=30}", "d.bib")
    assert work.item["issued"] == {"date-parts": [[1990, 2]], "raw": "30 feb 1990"} and work.needs_review


def test_csv_date_kb_cannot_read_is_kept_as_written(run, db_path, tmp_path):
    path = tmp_path / "works.csv"
    path.write_text("Title,Date\nGood,2001\nOdd,198?\nBad,next week-ish\n", encoding="utf-8")
    result = run("import", str(path))
    assert result.exit_code == 0, result.output
    assert (
        "3 added" in result.output
        and f"warning {path}:4: cannot read the issued 'next week-ish'; kept as written" in result.output
    )
    rows = dict(
        sqlite3.connect(db_path).execute(
            "SELECT title, issued || '|' || coalesce(issued_edtf, '') || '|' || needs_review FROM articles"
        )
    )
    assert rows == {"Good": "2001|2001|0", "Odd": "198?|1980/1989|0", "Bad": "next week-ish||1"}
