"""One lookup rule (kb/lookup.py): the same name, however spelt, finds the same works
through every interface: `kb export`, the Python API, the Datasette filters and the
.bib renderer, and mention detection; a work is found by citekey, DOI (any form) or
URL everywhere; a name that finds nothing gets the closest names; an older kb.db gains
the key columns in place."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import urllib.parse
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from datasette.app import Datasette

from kb import db as kb_db
from kb import open_kb, select_works
from kb.cli import cli
from kb.errors import KbError
from kb.lookup import find_target, name_key

METADATA = Path(__file__).resolve().parent.parent / "metadata.yml"


def kb(db: Path, *args: str, input: str | None = None):
    return CliRunner().invoke(cli, [*args, "--db", str(db)], input=input)


def ok(db: Path, *args: str) -> str:
    result = kb(db, *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def build(db: Path) -> Path:
    ok(db, "init") if "init" in cli.commands else None
    ok(db, "add-org", "North Atlantic Treaty Organization", "--acronym", "NATO", "--alias", "the Alliance")
    ok(db, "add-org", "Organisation pour la Sécurité et la Coopération en Europe", "--acronym", "OSCE")
    ok(db, "add-event", "Russo-Georgian War", "--date", "August 2008", "--alias", "2008 war in Georgia")
    ok(
        db,
        "add",
        "--title",
        "Alliance after Georgia",
        "--type",
        "report",
        "--author",
        "Jakub Kulhánek",
        "--date",
        "2010",
        "--key",
        "w1",
        "--org",
        "NATO",
        "--event",
        "Russo-Georgian War",
        "--tag",
        "Remote sensing",
        "--doi",
        "10.1000/ABC.1",
        "--url",
        "https://www.example.org/reports/a",
    )
    ok(
        db,
        "add",
        "--title",
        "Second look",
        "--type",
        "report",
        "--author",
        "Smith, Jane",
        "--date",
        "2011",
        "--key",
        "w2",
        "--org",
        "the alliance",
        "--tag",
        "remote-sensing",
        "--url",
        "https://example.org/b",
    )
    ok(
        db,
        "add",
        "--title",
        "Helsinki again",
        "--type",
        "report",
        "--author",
        "Doe, John",
        "--date",
        "2012",
        "--key",
        "w3",
        "--org",
        "osce",
        "--event",
        "2008 WAR IN GEORGIA",
        "--tag",
        "other",
    )
    ok(db, "add", "--title", "A response", "--type", "report", "--author", "Roe, Ann", "--date", "2013", "--key", "w4")
    ok(db, "cite", "w4", "https://doi.org/10.1000/abc.1")
    return db


@pytest.fixture(scope="module")
def kb_path(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("lookup") / "kb.db")


class Http:
    """Datasette's test client on its own event loop, as `kb serve` would run it."""

    def __init__(self, db: Path):
        self.loop = asyncio.new_event_loop()
        self.ds = Datasette(
            [str(db)], metadata=yaml.safe_load(METADATA.read_text()), settings={"suggest_facets": False}
        )
        self.loop.run_until_complete(self.ds.invoke_startup())

    def get(self, path: str):
        return self.loop.run_until_complete(self.ds.client.get(path))


@pytest.fixture(scope="module")
def http(kb_path):
    client = Http(kb_path)
    yield client
    client.loop.close()


# The same names in different spellings: case, accents, white space, hyphens, acronym, alias.
SPELLINGS = [
    (
        "organisation",
        [
            "NATO",
            "nato",
            " Nato ",
            "North Atlantic Treaty Organization",
            "north atlantic treaty organization",
            "the Alliance",
            "THE  ALLIANCE",
        ],
        ["w1", "w2"],
    ),
    (
        "organisation",
        [
            "OSCE",
            "osce",
            "Organisation pour la Sécurité et la Coopération en Europe",
            "organisation pour la securite et la cooperation en europe",
        ],
        ["w3"],
    ),
    (
        "event",
        [
            "Russo-Georgian War",
            "russo georgian war",
            "RUSSO-GEORGIAN  WAR",
            "2008 war in Georgia",
            "2008 War In Georgia",
        ],
        ["w1", "w3"],
    ),
    ("tag", ["Remote sensing", "remote sensing", "Remote-sensing", "REMOTE SENSING", "remote-sensing"], ["w1", "w2"]),
    (
        "author",
        ["Kulhánek", "kulhanek", "Jakub Kulhanek", "Kulhanek, Jakub", "KULHÁNEK, JAKUB", "Kulhánek, Jakub"],
        ["w1"],
    ),
]
TITLES = {"w1": "Alliance after Georgia", "w2": "Second look", "w3": "Helsinki again", "w4": "A response"}
CLI_OPTION = {"organisation": "--org", "event": "--event", "tag": "--tag", "author": "--author"}
CASES = [(kind, spelling, expected) for kind, spellings, expected in SPELLINGS for spelling in spellings]


def bib_keys(text: str) -> list[str]:
    return sorted(re.findall(r"^@\w+\{([^,]+),", text, re.MULTILINE))


def cli_keys(db: Path, *filters: str) -> list[str]:
    items = json.loads(ok(db, "export", "--format", "csl-json", *filters))
    return sorted(item["id"] for item in items)


@pytest.mark.parametrize("kind, spelling, expected", CASES)
def test_every_interface_finds_the_same_works_for_every_spelling(kb_path, http, kind, spelling, expected):
    # kb export (CliRunner)
    assert cli_keys(kb_path, CLI_OPTION[kind], spelling) == expected
    # the Python API
    assert select_works(open_kb(kb_path), **{kind: spelling}) == expected
    quoted = urllib.parse.quote(spelling)
    # the Datasette relation filter (?_organisation= ...) on the table page
    rows = http.get(f"/kb/articles.json?_{kind}={quoted}&_shape=array&_col=citekey").json()
    assert sorted(row["citekey"] for row in rows) == expected
    # the citation network page, which shows the works the same query string selects
    network = http.get(f"/kb/-/network?_{kind}={quoted}")
    assert network.status_code == 200
    assert sorted(key for key, title in TITLES.items() if title in network.text) == expected
    # the .bib renderer with the same filter, and with kb's own filter parameter
    for url in (f"/kb/articles.bib?_{kind}={quoted}", f"/kb/articles.bib?_kb_{kind}={quoted}"):
        response = http.get(url)
        assert response.status_code == 200, response.text
        assert bib_keys(response.text) == expected


@pytest.mark.parametrize(
    "kind, spelling",
    [(k, s) for k, s, _ in CASES if k in ("organisation", "event") and s.strip() == s and "  " not in s],
)
def test_mention_detection_maps_a_phrase_to_the_record_the_filters_find(tmp_path, kind, spelling):
    db = build(tmp_path / "kb.db")
    ok(
        db,
        "add",
        "--title",
        "Untitled",
        "--type",
        "report",
        "--date",
        "2014",
        "--key",
        "w5",
        "--abstract",
        f"A report on {spelling} and more.",
    )
    detected = ok(db, "link", "--detect", "w5")
    want = find_target(open_kb(db).conn, kind, spelling)
    name = open_kb(db).conn.execute(f"SELECT name FROM {kind}s WHERE id = ?", (want,)).fetchone()[0]
    acronym_in_lower_case = spelling.islower() and kind == "organisation" and name_key(spelling) in ("nato", "osce")
    if acronym_in_lower_case:  # "nato" in running text is not a mention (detection's own precision rule)
        assert detected == ""
        return
    assert [line.split("\t")[1:3] for line in detected.splitlines()] == [[kind, name]]
    ok(db, "link", "--apply", "w5")
    assert "w5" in cli_keys(db, CLI_OPTION[kind], spelling)


DOI_FORMS = [
    "10.1000/ABC.1",
    "10.1000/abc.1",
    "doi:10.1000/abc.1",
    "DOI: 10.1000/ABC.1",
    "https://doi.org/10.1000/ABC.1",
    "http://dx.doi.org/10.1000/abc.1",
    "https://www.example.org/reports/a/",
    "http://example.org/reports/a",
    "w1",
]


@pytest.mark.parametrize("form", DOI_FORMS)
def test_a_work_is_found_by_citekey_doi_or_url_everywhere(kb_path, http, form):
    assert cli_keys(kb_path, "--key", form) == ["w1"]
    assert cli_keys(kb_path, "--citing", form) == ["w4"]
    assert select_works(open_kb(kb_path), key=form) == ["w1"]
    assert select_works(open_kb(kb_path), citing=form) == ["w4"]
    quoted = urllib.parse.quote(form)
    assert bib_keys(http.get(f"/kb/articles.bib?_kb_key={quoted}").text) == ["w1"]
    assert bib_keys(http.get(f"/kb/articles.bib?_kb_citing={quoted}").text) == ["w4"]
    assert "Alliance after Georgia" in ok(kb_path, "ref", form)


def test_cite_link_note_and_cited_by_take_a_doi_or_url(tmp_path):
    db = build(tmp_path / "kb.db")
    ok(db, "cite", "https://example.org/b", "doi:10.1000/abc.1", "--relation", "disputes")
    assert cli_keys(db, "--cited-by", "http://www.example.org/b/") == ["w1"]
    ok(db, "link", "https://doi.org/10.1000/ABC.1", "--org", "osce")
    assert cli_keys(db, "--org", "OSCE") == ["w1", "w3"]
    ok(db, "note", "10.1000/abc.1", "Checked", "--event", "russo-georgian war")
    assert open_kb(db).conn.execute("SELECT count(*) FROM notes WHERE comment = 'Checked'").fetchone()[0] == 1


def unchanged_after(db: Path, args: tuple[str, ...], message: str) -> None:
    before = sqlite3.connect(db).execute("SELECT count(*) FROM articles").fetchone()[0]
    links_before = sqlite3.connect(db).execute("SELECT count(*) FROM article_organisations").fetchone()[0]
    result = kb(db, *args)
    assert result.exit_code == 1, result.output
    assert result.output.strip().splitlines() == [f"Error: {message}"]
    assert sqlite3.connect(db).execute("SELECT count(*) FROM articles").fetchone()[0] == before
    assert sqlite3.connect(db).execute("SELECT count(*) FROM article_organisations").fetchone()[0] == links_before


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ("export", "--format", "bibtex", "--org", "NATOO"),
            "--organisation: no organisation 'NATOO'; did you mean NATO?",
        ),
        (
            ("export", "--format", "bibtex", "--org", "N.A.T.O."),
            "--organisation: no organisation 'N.A.T.O.'; did you mean NATO?",
        ),
        (
            ("export", "--format", "bibtex", "--event", "Russo-Georgian Warr"),
            "--event: no event 'Russo-Georgian Warr'; did you mean Russo-Georgian War?",
        ),
        (
            ("export", "--format", "bibtex", "--tag", "remote sensin"),
            "--tag: no tag 'remote sensin'; did you mean Remote sensing or remote-sensing?",
        ),
        (
            ("export", "--format", "bibtex", "--org", "Zzyzx"),
            "--organisation: no organisation 'Zzyzx' in the knowledge base (add it with `kb add-org`)",
        ),
        (
            ("export", "--format", "bibtex", "--key", "w1x"),
            "--key: no work with citekey, DOI or URL 'w1x'; did you mean w1?",
        ),
        (
            ("export", "--format", "bibtex", "--citing", "10.9999/none"),
            "--citing: no work with citekey, DOI or URL '10.9999/none'",
        ),
        (
            ("add", "--title", "New", "--type", "report", "--org", "NATOO"),
            "kb add: no organisation 'NATOO'; did you mean NATO?",
        ),
        (
            ("link", "w1", "--org", "Nato Alliance"),
            "no organisation 'Nato Alliance'; did you mean NATO or the Alliance?",
        ),
        (
            ("note", "w1", "A comment", "--event", "Russo-Georgian Warr"),
            "no event 'Russo-Georgian Warr'; did you mean Russo-Georgian War?",
        ),
        (("add-event", "Summit", "--org", "NATOO:host"), "kb add-event: no organisation 'NATOO'; did you mean NATO?"),
    ],
)
def test_a_name_not_found_gets_the_closest_names_and_changes_nothing(tmp_path, args, message):
    db = build(tmp_path / "kb.db")
    unchanged_after(db, args, message)


def test_the_python_api_and_http_answer_an_unknown_name_as_before(kb_path, http):
    with pytest.raises(KbError, match=r"no organisation 'NATOO'; did you mean NATO\?"):
        select_works(open_kb(kb_path), organisation="NATOO")
    # The table page's own filter: no works (as Datasette answers any filter nothing matches).
    assert http.get("/kb/articles.json?_organisation=NATOO&_shape=array").json() == []
    # kb's export filter parameters are kb export's filters: a 400 with the one-line error.
    response = http.get("/kb/articles.bib?_kb_organisation=NATOO")
    assert response.status_code == 400 and "did you mean NATO?" in response.text


def test_tags_spelt_differently_stay_as_written_but_are_found_together(kb_path):
    conn = open_kb(kb_path).conn
    assert sorted(row[0] for row in conn.execute("SELECT name FROM tags WHERE name_key = 'remote sensing'")) == [
        "Remote sensing",
        "remote-sensing",
    ]


def test_the_store_writes_the_keys_and_uses_the_indexes(kb_path):
    conn = open_kb(kb_path).conn
    assert conn.execute("SELECT name_key, acronym_key FROM organisations WHERE acronym = 'OSCE'").fetchone() == (
        "organisation pour la securite et la cooperation en europe",
        "osce",
    )
    assert conn.execute("SELECT alias_key FROM organisation_aliases").fetchall() == [("the alliance",)]
    assert conn.execute("SELECT alias_key FROM event_aliases").fetchall() == [("2008 war in georgia",)]
    assert conn.execute("SELECT family_key FROM authors WHERE family = 'Kulhánek'").fetchone() == ("kulhanek",)
    for sql in (
        "SELECT id FROM organisations WHERE acronym_key = 'x'",
        "SELECT id FROM organisation_aliases WHERE alias_key = 'x'",
        "SELECT id FROM events WHERE name_key = 'x'",
        "SELECT id FROM event_aliases WHERE alias_key = 'x'",
        "SELECT id FROM tags WHERE name_key = 'x'",
        "SELECT id FROM authors WHERE family_key = 'x'",
        "SELECT id FROM organisations WHERE name_key = 'x'",
    ):
        plan = " ".join(row[-1] for row in conn.execute("EXPLAIN QUERY PLAN " + sql))
        assert "USING" in plan and "INDEX" in plan, (sql, plan)


def make_v1_kb(path: Path) -> None:
    """A kb.db as the first release wrote it: schema version 1, no key columns."""
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in kb_db._statements(kb_db.SCHEMA_V1):
        conn.execute(statement)
    conn.execute(f"PRAGMA application_id = {kb_db.APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    conn.executescript("""
        INSERT INTO organisations (id, name, acronym) VALUES (1, 'North Atlantic Treaty Organization', 'NATO');
        INSERT INTO organisation_aliases (organisation_id, alias) VALUES (1, 'the Alliance');
        INSERT INTO events (id, name) VALUES (1, 'Russo-Georgian War');
        INSERT INTO event_aliases (event_id, alias) VALUES (1, 'Guerre d''Août');
        INSERT INTO tags (id, name) VALUES (1, 'Remote-Sensing');
        INSERT INTO authors (id, name, family, given, name_key) VALUES (1, 'Kulhánek, Jakub', 'Kulhánek', 'Jakub', 'kulhanek|jakub');
        INSERT INTO articles (id, citekey, type, title, doi, doi_key, added_at, updated_at, csl_json)
            VALUES (1, 'old2008', 'report', 'Old', '10.5555/X', '10.5555/x', '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z',
                    '{"type": "report", "title": "Old", "DOI": "10.5555/X"}');
        INSERT INTO article_organisations (article_id, organisation_id) VALUES (1, 1);
        INSERT INTO article_events (article_id, event_id) VALUES (1, 1);
        INSERT INTO article_tags (article_id, tag_id) VALUES (1, 1);
        INSERT INTO article_authors (article_id, author_id, position) VALUES (1, 1, 0);
    """)
    conn.close()


def test_the_migration_fills_the_keys_of_an_existing_kb_in_place(tmp_path):
    path = tmp_path / "kb.db"
    make_v1_kb(path)
    upgraded = kb_db.connect(path)
    assert upgraded.execute("PRAGMA user_version").fetchone()[0] == kb_db.SCHEMA_VERSION
    conn = upgraded.conn
    assert conn.execute("SELECT name, name_key, acronym_key FROM organisations").fetchall() == [
        ("North Atlantic Treaty Organization", "north atlantic treaty organization", "nato")
    ]
    assert conn.execute("SELECT alias, alias_key FROM organisation_aliases").fetchall() == [
        ("the Alliance", "the alliance")
    ]
    assert conn.execute("SELECT alias_key FROM event_aliases").fetchall() == [("guerre d aout",)]
    assert conn.execute("SELECT name, name_key FROM tags").fetchall() == [("Remote-Sensing", "remote sensing")]
    assert conn.execute("SELECT family_key FROM authors").fetchall() == [("kulhanek",)]
    assert conn.execute("SELECT citekey, title FROM articles").fetchall() == [("old2008", "Old")]
    conn.close()
    for option, spelling in (
        ("--org", "nato"),
        ("--org", "THE ALLIANCE"),
        ("--event", "guerre d'août"),
        ("--tag", "remote sensing"),
        ("--author", "kulhanek"),
        ("--key", "doi:10.5555/x"),
    ):
        assert cli_keys(path, option, spelling) == ["old2008"], (option, spelling)
    client = Http(path)
    try:
        rows = client.get("/kb/articles.json?_organisation=the%20alliance&_shape=array").json()
        assert [row["citekey"] for row in rows] == ["old2008"]
    finally:
        client.loop.close()


def test_the_facets_show_the_value_a_differently_spelt_filter_selects(http):
    data = http.get("/kb/articles.json?_tag=REMOTE%20SENSING&_facet_kb_related=tag&_extra=facet_results").json()
    results = data["facet_results"]
    tag_facet = results["results"]["tag"] if "results" in results else results["tag"]
    values = {v["value"]: v for v in tag_facet["results"]}
    # "Remote sensing" and "remote-sensing" are one facet value (issue 10), shown selected.
    spellings = [value for value in values if value.lower().replace("-", " ") == "remote sensing"]
    assert len(spellings) == 1 and values[spellings[0]]["selected"]
    assert not values.get("other", {"selected": False})["selected"]
    # Clicking a selected value drops the filter as it was spelt in the URL.
    assert "_tag" not in values[spellings[0]]["toggle_url"]


def test_a_citation_to_a_missing_work_suggests_the_closest_citekeys(tmp_path):
    db = build(tmp_path / "kb.db")
    (tmp_path / "w.yaml").write_text("kind: work\ntitle: T\ntype: report\ncites: [w1x]\n", encoding="utf-8")
    result = kb(db, "import", str(tmp_path / "w.yaml"))
    assert result.exit_code == 1
    assert "cites 'w1x', which is not in the knowledge base; did you mean w1?" in result.output
