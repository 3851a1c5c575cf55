"""CSV/TSV importer: delimiters, header names, --map, author lists, events and organisations tables."""

from __future__ import annotations

import sqlite3

from kb.importers import csv_table
from kb.model import EventRecord, OrganisationRecord, WorkRecord


def test_comma_table_with_common_headers_and_author_forms():
    text = (
        "Title,Author(s),Year,Journal,DOI,Keywords,Item Type\n"
        '"Missile defence, again","Kulhanek, Jakub; Smith, John",2010,Survival,10.1/x,"nato; russia",Journal Article\n'
        "Second,Jakub Kulhanek and John Smith,2011,,,,Report\n"
    )
    a, b = list(csv_table.parse(text, "t.csv"))
    assert a.item["title"] == "Missile defence, again"
    assert a.item["author"] == [{"family": "Kulhanek", "given": "Jakub"}, {"family": "Smith", "given": "John"}]
    assert a.item["issued"] == {"date-parts": [[2010]]} and a.item["container-title"] == "Survival"
    assert a.item["DOI"] == "10.1/x" and a.tags == ["nato", "russia"] and a.item["type"] == "article-journal"
    assert b.item["author"] == [{"family": "Kulhanek", "given": "Jakub"}, {"family": "Smith", "given": "John"}]
    assert b.item["type"] == "report" and b.origin == "t.csv:3"


def test_semicolon_and_tab_delimiters_are_sniffed():
    semi = "Title;Authors;Date\nA title;Doe, Jane;August 2008\n"
    (record,) = list(csv_table.parse(semi, "s.csv"))
    assert record.item["issued"] == {"date-parts": [[2008, 8]]}
    tab = "title\tauthor\tyear\nA title\tJane Doe\t2001\n"
    (record,) = list(csv_table.parse(tab, "s.tsv"))
    assert record.item["author"] == [{"family": "Doe", "given": "Jane"}]


def test_map_names_columns_the_header_does_not_say():
    text = "Headline,Writer,When,Outlet\nA post,Jane Doe,2020-05-01,War on the Rocks\n"
    (record,) = list(
        csv_table.parse(
            text,
            "m.csv",
            column_map={"Headline": "title", "Writer": "author", "When": "issued", "Outlet": "container-title"},
        )
    )
    assert record.item["title"] == "A post" and record.item["container-title"] == "War on the Rocks"
    assert record.item["issued"] == {"date-parts": [[2020, 5, 1]]}


def test_events_and_organisations_tables():
    events = list(
        csv_table.parse(
            "Name,Type,Date,Location,Aliases,Parent\n"
            "Lisbon Summit,summit,19-20 November 2010,Lisbon,Lisbon 2010|NATO Lisbon,\n",
            "e.csv",
        )
    )
    assert events == [
        EventRecord(
            name="Lisbon Summit",
            type="summit",
            date="19-20 November 2010",
            location="Lisbon",
            aliases=["Lisbon 2010", "NATO Lisbon"],
            origin="e.csv:2",
        )
    ]
    orgs = list(
        csv_table.parse(
            "Name,Acronym,Type,Country,Aliases,Parent\n"
            "North Atlantic Treaty Organization,NATO,alliance,,the Alliance,\n",
            "o.csv",
        )
    )
    assert orgs == [
        OrganisationRecord(
            name="North Atlantic Treaty Organization",
            acronym="NATO",
            type="alliance",
            aliases=["the Alliance"],
            origin="o.csv:2",
        )
    ]


def test_unreadable_date_row_is_kept_as_written():
    (record,) = list(csv_table.parse("Title,Date\nA,the day after tomorrow\n", "d.csv"))
    assert isinstance(record, WorkRecord) and record.origin == "d.csv:2" and record.needs_review
    assert record.item["issued"] == {"literal": "the day after tomorrow"} and "tomorrow" in record.warnings[0].message


def test_events_csv_lands_with_the_cli(run, db_path, tmp_path):
    orgs = tmp_path / "orgs.csv"
    orgs.write_text("Name,Acronym,Type\nNorth Atlantic Treaty Organization,NATO,alliance\n", encoding="utf-8")
    events = tmp_path / "events.csv"
    events.write_text(
        "Event,When,Place,Participants\nLisbon Summit,19-20 November 2010,Lisbon,NATO:host\n", encoding="utf-8"
    )
    result = run("import", str(orgs), str(events), "--map", "When=date", "--map", "kind=events")
    assert result.exit_code != 0  # --map applies to every file: orgs.csv has no When column
    assert "When" in result.output
    assert run("import", str(orgs)).exit_code == 0
    result = run("import", str(events), "--map", "When=date", "--map", "kind=events")
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT name, start_date, end_date, location FROM events").fetchone() == (
        "Lisbon Summit",
        "2010-11-19",
        "2010-11-20",
        "Lisbon",
    )
    assert conn.execute("SELECT role FROM event_organisations").fetchone() == ("host",)


def test_a_csl_type_name_in_a_type_column_is_taken_as_it_is():
    from kb.importers import csv_table

    text = "Title,Type\nA,article\nB,Journal Article\nC,post-weblog\n"
    types = [record.item["type"] for record in csv_table.parse(text, "works.csv")]
    assert types == ["article", "article-journal", "post-weblog"]
