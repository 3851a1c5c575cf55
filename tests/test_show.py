"""kb show, kb list and kb search on the sample knowledge base, through click's runner."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import sqlite3
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from kb.cli import cli
from kb.show import Table, clip, fit_table


def kb(db: Path, *args: str, columns: int = 80):
    result = CliRunner().invoke(cli, [*args, "--db", str(db)], env={"COLUMNS": str(columns)})
    return result


def test_show_a_work_as_json_when_piped(sample_db):
    result = kb(sample_db, "show", "kulhanekImpossibleDream")
    assert result.exit_code == 0, result.output
    work = json.loads(result.stdout)
    assert work["citekey"] == "kulhanekImpossibleDream" and work["type"] == "post-weblog"
    assert work["creators"] == [{"name": "Kulhanek, Jakub", "role": "author"}]
    assert work["tags"] == ["European Politics", "European security", "Russia"]
    assert [e["name"] for e in work["events"]] == ["Russo-Georgian War", "2010 NATO Lisbon Summit"]
    assert {"name": "Atlantic Council", "relation": "mentions", "source": "manual"} in work["organisations"]
    assert work["cites"][0]["citekey"] == "kulhanekImpossibleDreamEarlier" and work["cites"][0]["relation"] == "revises"
    assert work["reference"].startswith("Kulhanek, J.")


def test_show_the_cited_work_lists_who_cites_it_and_its_notes(sample_db):
    work = json.loads(kb(sample_db, "show", "kulhanekImpossibleDreamEarlier").stdout)
    assert [c["citekey"] for c in work["cited_by"]] == ["kulhanekImpossibleDream"]
    assert "Placeholder record" in work["notes"][0]["comment"]


def test_show_a_work_as_text_fits_80_columns(sample_db):
    result = kb(sample_db, "show", "kulhanekImpossibleDream", "--format", "text")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Work: An impossible dream?"
    assert any(line.split() == ["citekey", "kulhanekImpossibleDream"] for line in lines)
    assert "Cites" in lines and "Reference" in lines
    assert max(len(line) for line in lines) <= 80


def test_show_finds_an_organisation_event_or_person_by_alias(sample_db):
    org = json.loads(kb(sample_db, "show", "the Alliance").stdout)
    assert (
        org["kind"] == "organisation"
        and org["name"] == "North Atlantic Treaty Organization"
        and org["acronym"] == "NATO"
    )
    assert org["events"] == [{"name": "2010 NATO Lisbon Summit", "date": "19-20 November 2010", "role": "organiser"}]
    assert [w["citekey"] for w in org["works"]] == ["kulhanekImpossibleDream"]
    event = json.loads(kb(sample_db, "show", "--event", "Five-Day War").stdout)
    assert event["name"] == "Russo-Georgian War" and "August War" in event["aliases"]
    assert {"name": "Georgia", "role": "belligerent"} in event["organisations"]
    person = json.loads(kb(sample_db, "show", "--person", "Jakub Kulhanek").stdout)
    assert person["name"] == "Kulhanek, Jakub" and len(person["works"]) == 2
    assert person["affiliations"][0]["organisation"] == "School of Politics and International Relations"
    school = json.loads(kb(sample_db, "show", "--org", "School of Politics and International Relations").stdout)
    assert school["people"][0]["name"] == "Kulhanek, Jakub"


def test_show_an_unknown_name_is_one_line_and_exit_1(sample_db):
    result = kb(sample_db, "show", "noSuchWork")
    assert result.exit_code == 1
    assert result.stderr == "Error: no work, organisation, event or person 'noSuchWork' in the knowledge base\n"
    result = kb(sample_db, "show", "--event", "NATO")  # an organisation, not an event
    assert result.exit_code == 1 and "no event 'NATO'" in result.stderr
    assert kb(sample_db, "show").exit_code == 2


def _content(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def test_look_ups_write_nothing(sample_db):
    before = _content(sample_db)
    assert kb(sample_db, "show", "kulhanekImpossibleDream", "--format", "text").exit_code == 0
    assert kb(sample_db, "list", "orgs").exit_code == 0
    assert kb(sample_db, "search", "Lisbon").exit_code == 0
    assert _content(sample_db) == before  # not even the reference cache


def test_list_orgs_with_counts_most_linked_first(sample_db):
    result = kb(sample_db, "list", "orgs")
    assert result.exit_code == 0, result.output
    orgs = json.loads(result.stdout)
    assert [(o["name"], o["works"]) for o in orgs][:3] == [
        ("Atlantic Council", 2),
        ("North Atlantic Treaty Organization", 1),
        ("Russia", 1),
    ]
    assert len(orgs) == 5 and result.stderr == "5 orgs\n"


def test_list_table_at_80_columns_and_csv(sample_db):
    result = kb(sample_db, "list", "orgs", "--format", "table")
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["name", "acronym", "type", "country", "works"]
    assert max(len(line) for line in lines) <= 80
    assert lines[2].startswith("Atlantic Council") and lines[2].endswith("2")
    narrow = kb(sample_db, "list", "works", "--format", "table", columns=60).stdout.splitlines()
    assert max(len(line) for line in narrow) <= 60
    assert narrow[2].startswith("kulhanekImpossibleDream ")  # the citekey is never cut
    rows = list(csv.DictReader(io.StringIO(kb(sample_db, "list", "events", "--format", "csv").stdout)))
    assert [r["name"] for r in rows] == ["Russo-Georgian War", "2010 NATO Lisbon Summit"]  # by date


def test_list_takes_the_export_filters(sample_db):
    works = json.loads(kb(sample_db, "list", "works", "--org", "NATO").stdout)
    assert [w["citekey"] for w in works] == ["kulhanekImpossibleDream"]
    tags = json.loads(kb(sample_db, "list", "tags", "--key", "kulhanekImpossibleDream").stdout)
    assert [t["tag"] for t in tags] == ["European Politics", "European security", "Russia"]
    orgs = json.loads(kb(sample_db, "list", "orgs", "--key", "kulhanekImpossibleDreamEarlier").stdout)
    assert orgs == [{"name": "Atlantic Council", "acronym": None, "type": "think-tank", "country": "US", "works": 1}]
    people = json.loads(kb(sample_db, "list", "people", "--limit", "1").stdout)
    assert people == [{"name": "Kulhanek, Jakub", "orcid": None, "works": 2}]
    result = kb(sample_db, "list", "works", "--tag", "no-such-tag")
    assert result.exit_code == 1 and result.stderr == "Error: --tag: no tag 'no-such-tag' in the knowledge base\n"
    assert kb(sample_db, "list", "books").exit_code == 2


def test_search_uses_the_full_text_index_with_what_matched(sample_db):
    result = kb(sample_db, "search", "Lisbon")
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert hits[0]["kind"] == "events" and hits[0]["name"] == "2010 NATO Lisbon Summit"
    assert "[Lisbon]" in hits[0]["match"]
    notes = json.loads(kb(sample_db, "search", "placeholder").stdout)  # a note's text is indexed with its work
    assert [(h["kind"], h["name"]) for h in notes] == [("works", "kulhanekImpossibleDreamEarlier")]
    only_people = json.loads(kb(sample_db, "search", "Kulhanek", "--kind", "people").stdout)
    assert [h["name"] for h in only_people] == ["Kulhanek, Jakub"]
    table = kb(sample_db, "search", "Lisbon", "--format", "table").stdout.splitlines()
    assert table[0].split() == ["kind", "name", "title", "match"] and max(len(line) for line in table) <= 80
    none = kb(sample_db, "search", "zzzunfound")
    assert none.exit_code == 0 and json.loads(none.stdout) == [] and none.stderr == "0 matches\n"


def test_search_ranks_the_better_match_first(tmp_path):
    db = tmp_path / "rank.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["init", "--db", str(db)]).exit_code == 0
    for title in ("Missile defence in passing", "Missile defence, missile defence, missile defence"):
        assert runner.invoke(cli, ["add", "--title", title, "--type", "report", "--db", str(db)]).exit_code == 0
    hits = json.loads(kb(db, "search", "missile", "--kind", "works").stdout)
    assert hits[0]["title"].startswith("Missile defence, missile")


def test_piped_output_is_json_and_a_terminal_gets_a_table(sample_db):
    command = [sys.executable, "-m", "kb.cli", "list", "orgs", "--db", str(sample_db)]
    piped = subprocess.run(command, capture_output=True, text=True, check=True)
    assert json.loads(piped.stdout)[0]["name"] == "Atlantic Council"
    leader, follower = pty.openpty()
    try:
        subprocess.run(
            command, stdout=follower, stderr=subprocess.DEVNULL, check=True, env={**os.environ, "COLUMNS": "80"}
        )
        os.close(follower)
        screen = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed: everything is read
                break
            if not chunk:
                break
            screen += chunk
    finally:
        os.close(leader)
    lines = screen.decode().splitlines()
    assert lines[0].split() == ["name", "acronym", "type", "country", "works"]


def test_fit_table_cuts_with_an_ellipsis():
    table = Table(["name", "n"], [["a" * 50, 3], ["short", 12]], flexible="name")
    lines = fit_table(table, 30)
    assert all(len(line) <= 30 for line in lines)
    assert lines[2].endswith(" 3") and "…" in lines[2]
    assert clip("a  b\nc", 10) == "a b c" and clip("abcdef", 4) == "abc…"


def test_show_a_work_by_doi_or_url(tmp_path):
    db = tmp_path / "doi.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["init", "--db", str(db)]).exit_code == 0
    added = runner.invoke(
        cli,
        [
            "add",
            "--title",
            "Deterrence",
            "--type",
            "article-journal",
            "--doi",
            "10.1000/XYZ.1",
            "--url",
            "https://www.example.org/deterrence/",
            "--key",
            "deterrence",
            "--db",
            str(db),
        ],
    )
    assert added.exit_code == 0, added.output
    for name in ("https://doi.org/10.1000/xyz.1", "http://example.org/deterrence"):
        work = json.loads(kb(db, "show", name).stdout)
        assert work["citekey"] == "deterrence", name
