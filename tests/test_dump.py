"""Plain-text round trip: dump -> build -> dump gives the same bytes."""

from pathlib import Path

from click.testing import CliRunner

from kb.cli import cli

from .conftest import DATA


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def invoke(*args):
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result


def test_dump_build_dump_is_byte_identical(sample_db, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    invoke("dump", str(first), "--db", str(sample_db))
    invoke("build", str(first), "--db", str(tmp_path / "rebuilt.db"))
    invoke("dump", str(second), "--db", str(tmp_path / "rebuilt.db"))
    assert files(first) == files(second)
    assert files(first) == files(DATA), "data/ is not in the canonical form `kb dump` writes"


def test_round_trip_keeps_everything_a_user_can_record(run, db_path, tmp_path):
    run("add-org", "Atlantic Council", "--type", "think-tank", "--alias", "AC")
    run("add-org", "Eurasia Center", "--parent", "Atlantic Council")
    run(
        "add-event",
        "Russo-Georgian War",
        "--date",
        "7-12 August 2008",
        "--alias",
        "2008 war in Georgia",
        "--org",
        "Eurasia Center:observer",
    )
    run("add-event", "Battle of Tskhinvali", "--date", "August 2008", "--parent", "Russo-Georgian War")
    run("add-person", "Juan de la Fuente", "--org", "AC", "--role", "fellow", "--start", "2009")
    key = run(
        "add",
        "--title",
        "Ünïcode & <things>",
        "--type",
        "report",
        "--author",
        "Juan de la Fuente",
        "--corporate-author",
        "North Atlantic Treaty Organization",
        "--date",
        "c. 1990",
        "--tag",
        "b",
        "--tag",
        "a",
        "--event",
        "2008 war in Georgia",
        "--abstract",
        "Line one\nline two",
        "--status",
        "reading",
    ).stdout.strip()
    other = run("add", "--title", "Other", "--type", "book", "--isbn", "0-306-40615-2").stdout.strip()
    run("cite", key, other, "--relation", "disputes", "--locator", "p. 4", "--context", "As X argues")
    run("note", key, "a comment", "--quote", "a quote", "--event", "Battle of Tskhinvali")
    run("link", other, "--org", "Eurasia Center", "--relation", "funder")
    first, second = tmp_path / "first", tmp_path / "second"
    invoke("dump", str(first), "--db", str(db_path))
    invoke("build", str(first), "--db", str(tmp_path / "rebuilt.db"))
    invoke("dump", str(second), "--db", str(tmp_path / "rebuilt.db"))
    assert files(first) == files(second)
    text = (first / "works" / f"{key}.yaml").read_text(encoding="utf-8")
    for expected in (
        "issued: 1990~",
        "disputes",
        "p. 4",
        "As X argues",
        "Battle of Tskhinvali",
        "literal: North Atlantic Treaty Organization",
        "non-dropping-particle: de la",
        "status: reading",
        "Line one",
    ):
        assert expected in text


def test_dump_removes_files_of_records_that_are_gone(sample_db, tmp_path):
    out = tmp_path / "out"
    invoke("dump", str(out), "--db", str(sample_db))
    stale = out / "works" / "deleted2001.yaml"
    stale.write_text("kind: work\ntitle: gone\n", encoding="utf-8")
    invoke("dump", str(out), "--db", str(sample_db))
    assert not stale.exists()


def test_build_refuses_to_overwrite_without_force(sample_db):
    result = CliRunner().invoke(cli, ["build", str(DATA), "--db", str(sample_db)])
    assert result.exit_code == 1 and "--force" in result.output
    assert CliRunner().invoke(cli, ["build", str(DATA), "--db", str(sample_db), "--force"]).exit_code == 0


def test_a_failed_build_leaves_the_old_database(sample_db, tmp_path):
    bad = tmp_path / "bad"
    (bad / "works").mkdir(parents=True)
    (bad / "works" / "x.yaml").write_text("kind: work\ntitle: X\nevents: [Unknown War]\n", encoding="utf-8")
    before = sample_db.read_bytes()
    result = CliRunner().invoke(cli, ["build", str(bad), "--db", str(sample_db), "--force"])
    assert result.exit_code == 1 and "no event 'Unknown War'" in result.output
    assert sample_db.read_bytes() == before
    assert not list(tmp_path.glob("*.building*"))
