"""Every command end to end on a temporary database, through click's runner."""

import hashlib
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import cli


def rows(db_path, sql):
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_every_command_is_documented_with_an_example():
    for name in cli.commands:
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Example:" in result.output, f"kb {name} --help has no example"
        if name == "users":  # the one command that writes no knowledge base: the users file (--users)
            sub = CliRunner().invoke(cli, [name, "add", "--help"]).output
            assert "--users" in sub and "--db" not in sub
            continue
        assert "--db" in result.output or name == "serve" and "--db" in result.output


def test_every_command_is_in_the_readme():
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    for name in cli.commands:
        assert f"`kb {name}" in readme, f"kb {name} is missing from the README's command reference"


def test_log_a_source_by_hand(run, db_path):
    assert (
        run("add-org", "North Atlantic Treaty Organization", "--acronym", "NATO", "--alias", "the Alliance").exit_code
        == 0
    )
    assert (
        run("add-org", "School of Politics and International Relations", "--type", "university-school").exit_code == 0
    )
    result = run(
        "add-event",
        "2010 NATO Lisbon Summit",
        "--date",
        "19-20 November 2010",
        "--alias",
        "Lisbon Summit",
        "--org",
        "NATO:organiser",
    )
    assert result.exit_code == 0, result.output
    result = run(
        "add-person",
        "Jakub Kulhanek",
        "--org",
        "School of Politics and International Relations",
        "--role",
        "postgraduate student",
    )
    assert result.exit_code == 0, result.output
    result = run(
        "add",
        "--title",
        "An impossible dream?",
        "--type",
        "post-weblog",
        "--author",
        "Jakub Kulhanek",
        "--date",
        "November 2010",
        "--tag",
        "Russia",
        "--org",
        "NATO",
        "--event",
        "Lisbon Summit",
        "--by",
        "jakub",
    )
    assert result.exit_code == 0, result.output
    key = result.stdout.strip()
    assert key == "kulhanekImpossibleDream2010"
    earlier = run(
        "add", "--title", "NATO and Russia", "--type", "webpage", "--container", "Atlantic Council"
    ).stdout.strip()
    assert run("cite", key, earlier, "--relation", "revises", "--locator", "para. 1").exit_code == 0
    assert (
        run("link", earlier, "--org", "the Alliance", "--relation", "publisher", "--tag", "missile defence").exit_code
        == 0
    )
    assert (
        run("note", key, "Sceptical of the deal", "--locator", "para. 3", "--org", "NATO", "--status", "read").exit_code
        == 0
    )

    assert rows(
        db_path,
        "select citekey, type, issued_edtf, added_by, status from articles where citekey = 'kulhanekImpossibleDream2010'",
    ) == [("kulhanekImpossibleDream2010", "post-weblog", "2010-11", "jakub", "read")]
    assert rows(
        db_path, "select authors.name, role, position from article_authors join authors on authors.id = author_id"
    ) == [("Kulhanek, Jakub", "author", 0)]
    assert rows(
        db_path,
        "select organisations.name, affiliations.role from affiliations join organisations on organisations.id = organisation_id",
    ) == [("School of Politics and International Relations", "postgraduate student")]
    assert rows(db_path, "select relation, locator from citations") == [("revises", "para. 1")]
    assert rows(db_path, "select relation from article_organisations order by relation") == [
        ("discusses",),
        ("publisher",),
    ]
    assert rows(db_path, "select comment, locator from notes") == [("Sceptical of the deal", "para. 3")]
    assert sorted(rows(db_path, "select name from tags")) == [("Russia",), ("missile defence",)]
    stats = run("stats").stdout
    assert "articles" in stats and " 2\n" in stats


def test_add_prompts_for_a_missing_title_only_at_a_terminal(run):
    result = run("add", "--type", "book")
    assert result.exit_code == 1
    assert "a work needs a title" in result.output


def test_add_refuses_a_duplicate_and_names_it(run):
    assert run("add", "--title", "One", "--doi", "10.1000/one").exit_code == 0
    result = run("add", "--title", "One.", "--doi", "https://doi.org/10.1000/ONE")  # issue 9: titles must agree too
    assert result.exit_code == 1
    assert "already in the knowledge base as" in result.output


def test_import_kb_yaml(run, db_path, tmp_path):
    source = tmp_path / "records.yaml"
    source.write_text(
        "- kind: organisation\n  name: Atlantic Council\n  type: think-tank\n"
        "- kind: work\n  title: A report\n  type: report\n  author: [Jane Doe]\n  issued: March 2011\n"
        "  organisations: [{name: Atlantic Council, relation: publisher}]\n  tags: [nato]\n",
        encoding="utf-8",
    )
    result = run("import", str(source))
    assert result.exit_code == 0, result.output
    assert "1 added" in result.output
    assert rows(db_path, "select title, issued_edtf from articles") == [("A report", "2011-03")]
    assert rows(db_path, "select file, format, added from imports") == [(str(source), "yaml", 1)]
    again = run("import", str(source))
    assert "0 added" in again.output and "1 unchanged" in again.output


def test_import_dry_run_writes_nothing(run, db_path, tmp_path):
    source = tmp_path / "w.yaml"
    source.write_text("kind: work\ntitle: Dry\n", encoding="utf-8")
    result = run("import", "--dry-run", str(source))
    assert result.exit_code == 0 and "Would import" in result.output and "1 added" in result.output
    assert rows(db_path, "select count(*) from articles") == [(0,)]


def test_import_skip_invalid_lands_the_rest_and_lists_the_skipped(run, db_path, tmp_path):
    source = tmp_path / "w.yaml"
    source.write_text("- kind: work\n  title: Good\n- kind: work\n  title: Bad\n  issued: someday\n", encoding="utf-8")
    assert run("import", str(source)).exit_code == 1
    result = run("import", "--skip-invalid", str(source))
    assert result.exit_code == 0
    assert "1 skipped" in result.output and f"{source}:3" in result.output
    assert rows(db_path, "select title from articles") == [("Good",)]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    "args, message",
    [
        (["add", "--title", "X", "--date", "someday"], "--date: cannot read the date 'someday'"),
        (["add", "--title", "X", "--event", "Nonexistent War"], "no event 'Nonexistent War'"),
        (["add", "--title", "X", "--type", "blogpost"], "unknown work type 'blogpost'"),
        (["link", "kulhanekImpossibleDream", "--event", "Battle of Nowhere"], "no event 'Battle of Nowhere'"),
        (["link", "noSuchKey2000", "--org", "NATO"], "no work with citekey, DOI or URL 'noSuchKey2000'"),
        (
            ["cite", "kulhanekImpossibleDream", "kulhanekImpossibleDream"],
            "a work cannot cite itself (kulhanekImpossibleDream)",
        ),
        (["cite", "kulhanekImpossibleDream", "missing2001"], "no work with citekey, DOI or URL 'missing2001'"),
        (["note", "kulhanekImpossibleDream"], "a note needs a comment or --quote"),
        (["add-event", "Some Summit", "--date", "32 May 2010"], "cannot read the date '32 May 2010'"),
        (
            ["add-org", "Moscow City Duma", "--alias", "Moscow"],
            "the alias 'Moscow' already names the organisation 'Russia'",
        ),
    ],
)
def test_bad_input_is_one_line_exit_1_and_leaves_the_file_unchanged(sample_db, args, message):
    before = digest(sample_db)
    result = CliRunner().invoke(cli, [*args, "--db", str(sample_db)])
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert result.output.count("\n") == 1 and result.output.startswith("Error: ")
    assert digest(sample_db) == before


@pytest.mark.parametrize(
    "content, message",
    [
        ("kind: work\ntitle: [unclosed\n", "not valid YAML"),
        ("kind: work\n", "a work needs a title"),
        ("kind: spaceship\nname: x\n", "a record needs `kind:`"),
        ("- just a string\n", "expected a record"),
        ("kind: event\nname: A war\ndate: the other day\n", "cannot read the date"),
        ("kind: organisation\nname: X\nwebsite: y\n", "unknown key 'website'"),
        ("kind: work\ntitle: T\ncites: [missing2001]\n", "cites 'missing2001', which is not in the knowledge base"),
    ],
)
def test_bad_yaml_names_the_file_and_line_and_changes_nothing(sample_db, tmp_path, content, message):
    source = tmp_path / "bad.yaml"
    source.write_text(content, encoding="utf-8")
    before = digest(sample_db)
    result = CliRunner().invoke(cli, ["import", str(source), "--db", str(sample_db)])
    assert result.exit_code == 1
    assert message in result.output and str(source) in result.output
    assert result.output.count("\n") == 1
    assert digest(sample_db) == before


def test_a_file_that_is_not_a_kb_database_is_refused_untouched(tmp_path):
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("create table things (id integer)")
    conn.commit()
    conn.close()
    text = tmp_path / "notes.db"
    text.write_text("hello", encoding="utf-8")
    for path, message in (
        (other, "is a SQLite database but not a kb knowledge base"),
        (text, "is not a SQLite database"),
    ):
        before = digest(path)
        result = CliRunner().invoke(cli, ["stats", "--db", str(path)])
        assert result.exit_code == 1 and message in result.output
        assert digest(path) == before


def test_commands_need_an_existing_knowledge_base(tmp_path):
    result = CliRunner().invoke(cli, ["stats", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1 and "no knowledge base at" in result.output
    assert not (tmp_path / "none.db").exists()


def test_kb_db_environment_variable(tmp_path):
    path = tmp_path / "env.db"
    result = CliRunner().invoke(cli, ["init"], env={"KB_DB": str(path)})
    assert result.exit_code == 0 and path.exists()


def test_bad_usage_is_exit_2(run):
    assert run("cite", "only-one").exit_code == 2


def test_rekey_changes_a_key_only_when_asked(run, db_path):
    key = run("add", "--title", "An impossible dream?", "--author", "Jakub Kulhanek").stdout.strip()
    assert key == "kulhanekImpossibleDream"
    other = run("add", "--title", "Other", "--type", "book").stdout.strip()
    run("cite", key, other)
    assert run("rekey", key, "kd2010").stdout.strip() == "kd2010"
    assert rows(
        db_path,
        "select a.citekey, b.citekey from citations join articles a on a.id = citing_id join articles b on b.id = cited_id",
    ) == [("kd2010", other)]
    assert run("rekey", "kd2010").stdout.strip() == "kulhanekImpossibleDream"
    taken = run("rekey", "kulhanekImpossibleDream", other)
    assert taken.exit_code == 1 and f"the citekey {other!r} is taken" in taken.output
