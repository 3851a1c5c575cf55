"""kb edit, rename, remove, unlink, and add-* with differing values: from the CLI, on real
SQLite files built from data/, with a stand-in $EDITOR that writes what a user would type."""

from __future__ import annotations

import hashlib
import json
import os
import pty
import shlex
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kb.cli import cli

DATA = Path(__file__).resolve().parent.parent / "data"

# Writes the next of the texts in $FAKE_EDITS (0.yaml, 1.yaml, ...) into the file it is
# asked to edit, and keeps what it was shown (shown-0.yaml ...). "SAME" saves the file as is.
EDITOR_SCRIPT = """
import os, sys
from pathlib import Path
folder = Path(os.environ["FAKE_EDITS"])
counter = folder / "count"
n = int(counter.read_text()) if counter.exists() else 0
counter.write_text(str(n + 1))
target = Path(sys.argv[1])
shown = target.read_text(encoding="utf-8")
(folder / f"shown-{n}.yaml").write_text(shown, encoding="utf-8")
text = (folder / f"{n}.yaml").read_text(encoding="utf-8")
target.write_text(shown if text == "SAME" else text, encoding="utf-8")
"""


def rows(db_path: Path, sql: str, *params) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(path: Path) -> tuple[str, str]:
    """The file's bytes and every committed row (a write may sit in the -wal file)."""
    conn = sqlite3.connect(path)
    try:
        return digest(path), "\n".join(conn.iterdump())
    finally:
        conn.close()


def kb(db: Path, *args: str, env: dict[str, str] | None = None, input: str | None = None):
    return CliRunner().invoke(cli, [*args, "--db", str(db)], env=env, input=input)


def dumped(db: Path, tmp_path: Path, folder: str, name: str) -> dict | None:
    out = tmp_path / "dump"
    assert kb(db, "dump", str(out)).exit_code == 0
    path = out / folder / f"{name}.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None


@pytest.fixture
def editor(tmp_path: Path):
    """An $EDITOR that types the given texts, one per time the editor opens."""
    folder = tmp_path / "edits"
    folder.mkdir()
    script = tmp_path / "editor.py"
    script.write_text(EDITOR_SCRIPT, encoding="utf-8")

    def set_texts(*texts: str) -> dict[str, str]:
        for n, text in enumerate(texts):
            (folder / f"{n}.yaml").write_text(text, encoding="utf-8")
        return {"EDITOR": f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}", "FAKE_EDITS": str(folder)}

    set_texts.folder = folder
    return set_texts


def one_line_error(result, message: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1, result.output
    assert message in result.output, result.output


# -- help examples ------------------------------------------------------------------------


def _examples(command: str) -> list[str]:
    text = cli.commands[command].help.split("Example:", 1)[1].replace("\\\n", " ")
    return [line.strip().split("  #")[0] for line in text.splitlines() if line.strip().startswith("kb ")]


@pytest.mark.parametrize("command", ["edit", "rename", "remove", "unlink", "add-event"])
def test_every_example_in_the_help_runs_against_the_sample(command, sample_db, tmp_path):
    examples = _examples(command)
    assert examples
    for n, line in enumerate(examples):
        db = tmp_path / f"example-{n}.db"
        db.write_bytes(sample_db.read_bytes())
        result = kb(db, *shlex.split(line)[1:], env={"EDITOR": "true"})  # `true` saves nothing: "no changes"
        assert result.exit_code == 0, (line, result.output)


# -- kb edit in the editor ------------------------------------------------------------------


def test_edit_in_the_editor_rederives_the_columns_and_the_dump(sample_db, tmp_path, editor):
    shown = dumped(sample_db, tmp_path, "works", "kulhanekImpossibleDream")
    edited = dict(
        shown,
        title="An impossible dream? NATO and Russia",
        issued="19 November 2010",
        tags=["Russia", "missile defence"],
        events=["Lisbon Summit"],
        status="read",
    )
    edited["author"] = [{"family": "Kulhanek", "given": "Jakub"}, "Jane Doe"]
    edited["notes"] = [{"comment": "Sceptical of the deal", "locator": "para. 3"}]
    env = editor(yaml.safe_dump(edited, sort_keys=False))
    result = kb(sample_db, "edit", "kulhanekImpossibleDream", env=env)
    assert result.exit_code == 0, result.output
    assert "kulhanekImpossibleDream: updated title, author, tags, events, issued, notes, status" in result.output
    # What the editor was shown is what kb dump writes.
    assert yaml.safe_load((editor.folder / "shown-0.yaml").read_text()) == shown
    assert rows(
        sample_db,
        "SELECT title, issued, issued_edtf, issued_start, issued_end, year, authors, status FROM articles "
        "WHERE citekey = 'kulhanekImpossibleDream'",
    ) == [
        (
            "An impossible dream? NATO and Russia",
            "2010-11-19",
            "2010-11-19",
            "2010-11-19",
            "2010-11-19",
            2010,
            "Kulhanek, Jakub; Doe, Jane",
            "read",
        )
    ]
    assert rows(
        sample_db,
        "SELECT authors.name, position FROM article_authors JOIN authors ON authors.id = author_id "
        "JOIN articles ON articles.id = article_id WHERE citekey = 'kulhanekImpossibleDream' ORDER BY position",
    ) == [("Kulhanek, Jakub", 0), ("Doe, Jane", 1)]
    after = dumped(sample_db, tmp_path, "works", "kulhanekImpossibleDream")
    assert after["issued"] == "2010-11-19"
    assert after["tags"] == ["Russia", "missile defence"]
    assert after["events"] == ["2010 NATO Lisbon Summit"]
    assert after["cites"] == shown["cites"]  # what the document kept, stays
    assert [n["comment"] for n in after["notes"]] == ["Sceptical of the deal"]
    # The full-text index follows the title; the export the date.
    found = kb(sample_db, "export", "--format", "csl-json", "--search", "Russia")
    assert found.exit_code == 0
    assert json.loads(found.stdout)[0]["issued"] == {"date-parts": [[2010, 11, 19]]}


def test_without_an_editor_a_script_gets_an_error_not_a_hang(sample_db, monkeypatch):
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    one_line_error(
        kb(sample_db, "edit", "kulhanekImpossibleDream"), "no editor to open: set $EDITOR, or change fields with --set"
    )


def test_an_unchanged_document_changes_nothing(sample_db, editor):
    before = snapshot(sample_db)
    result = kb(sample_db, "edit", "--event", "Lisbon Summit", env=editor("SAME"))
    assert result.exit_code == 0
    assert "the event '2010 NATO Lisbon Summit': no changes" in result.output
    assert snapshot(sample_db) == before


WORK = "kind: work\ncitekey: kulhanekImpossibleDream\ntype: post-weblog\ntitle: An impossible dream?\n"


@pytest.mark.parametrize(
    "text, message",
    [
        (WORK + "tags: [unclosed\n", "not valid YAML"),
        (WORK.replace("post-weblog", "blogpost"), "unknown work type 'blogpost'"),
        (WORK + "issued: someday\n", "issued: cannot read the date 'someday'"),
        (WORK + "events: [Battle of Nowhere]\n", "no event 'Battle of Nowhere'"),
        (WORK + "organisations: [NATOO]\n", "no organisation 'NATOO'"),
        (WORK + "cites: [missing2001]\n", "cites 'missing2001', which is not in the knowledge base"),
        (WORK + "status: done\n", "unknown reading status 'done'"),
        (
            WORK.replace("citekey: kulhanekImpossibleDream", "citekey: dream2010"),
            "kb rekey kulhanekImpossibleDream dream2010",
        ),
        ("kind: event\nname: Russo-Georgian War\n", "should hold a work record (kind: work), not an event"),
        (WORK + "---\n" + WORK, "should hold one work record, found 2"),
    ],
)
def test_an_invalid_document_is_one_line_and_changes_nothing(sample_db, editor, text, message):
    before = snapshot(sample_db)
    result = kb(sample_db, "edit", "kulhanekImpossibleDream", env=editor(text))
    one_line_error(result, message)
    assert "kulhanekImpossibleDream.yaml" in result.output  # names the document (and line) at fault
    assert snapshot(sample_db) == before


def _run_at_a_terminal(args: list[str], env: dict[str, str], answers: bytes) -> tuple[int, str]:
    """Run kb with its input and output on a pseudo-terminal, as a person at a shell would."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-c", "from kb.cli import main; main()", *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env={**os.environ, **env},
        close_fds=True,
    )
    os.close(slave)
    os.write(master, answers)
    output = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the terminal closes when kb exits
            break
        if not chunk:
            break
        output += chunk
    os.close(master)
    return process.wait(timeout=60), output.decode("utf-8", "replace").replace("\r\n", "\n")


def test_at_a_terminal_an_invalid_edit_offers_the_editor_again_with_the_text_kept(sample_db, editor):
    bad = "kind: event\nname: Russo-Georgian War\ntype: war\ndate: the other day\n"
    good = "kind: event\nname: Russo-Georgian War\ntype: war\ndate: August 2008\n"
    env = editor(bad, good)
    code, output = _run_at_a_terminal(["edit", "--event", "Five-Day War", "--db", str(sample_db)], env, b"y\n")
    assert code == 0, output
    assert "cannot read the date 'the other day'" in output and "Edit again? [Y/n]" in output
    assert (editor.folder / "shown-1.yaml").read_text() == bad  # the second time, the user's text
    assert rows(sample_db, "SELECT date, date_precision FROM events WHERE name = 'Russo-Georgian War'") == [
        ("August 2008", "month")
    ]
    # The document left out the aliases and participants: they are gone.
    assert rows(
        sample_db,
        "SELECT count(*) FROM event_aliases JOIN events ON events.id = event_id WHERE name = 'Russo-Georgian War'",
    ) == [(0,)]


def test_at_a_terminal_declining_to_edit_again_changes_nothing(sample_db, editor):
    before = snapshot(sample_db)
    env = editor("kind: event\nname: Russo-Georgian War\ndate: the other day\n")
    code, output = _run_at_a_terminal(["edit", "--event", "Russo-Georgian War", "--db", str(sample_db)], env, b"n\n")
    assert code == 1
    assert "Edit again? [Y/n]" in output and "nothing changed" in output
    assert snapshot(sample_db) == before


# -- kb edit --set / --unset ------------------------------------------------------------------


def test_set_and_unset_for_scripts(sample_db, tmp_path):
    result = kb(
        sample_db,
        "edit",
        "kulhanekImpossibleDreamEarlier",
        "--set",
        "issued=7-12 Aug 2008",
        "--set",
        "volume=12",
        "--set",
        "container-title=Atlantic Council Blog",
        "--set",
        "DOI=10.1000/xyz",
        "--unset",
        "needs_review",
        "--set",
        "tags=Russia; NATO",
    )
    assert result.exit_code == 0, result.output
    assert rows(
        sample_db,
        "SELECT issued_edtf, issued_start, issued_end, year, volume, container_title, doi, doi_key, needs_review "
        "FROM articles WHERE citekey = 'kulhanekImpossibleDreamEarlier'",
    ) == [
        (
            "2008-08-07/2008-08-12",
            "2008-08-07",
            "2008-08-12",
            2008,
            "12",
            "Atlantic Council Blog",
            "10.1000/xyz",
            "10.1000/xyz",
            0,
        )
    ]
    assert kb(sample_db, "ref", "10.1000/xyz").exit_code == 0  # found by its new DOI
    doc = dumped(sample_db, tmp_path, "works", "kulhanekImpossibleDreamEarlier")
    assert doc["tags"] == ["NATO", "Russia"] and "needs_review" not in doc
    result = kb(
        sample_db, "edit", "https://doi.org/10.1000/XYZ", "--unset", "volume", "--unset", "issued"
    )  # a DOI names it too
    assert result.exit_code == 0, result.output
    assert rows(
        sample_db, "SELECT volume, issued, year FROM articles WHERE citekey = 'kulhanekImpossibleDreamEarlier'"
    ) == [(None, None, None)]


@pytest.mark.parametrize(
    "args, message",
    [
        (["edit", "noSuchKey2000", "--set", "volume=2"], "no work with citekey, DOI or URL 'noSuchKey2000'"),
        (
            ["edit", "kulhanekImpossibleDream", "--set", "issued=someday"],
            "kulhanekImpossibleDream: issued: cannot read the date 'someday'",
        ),
        (["edit", "kulhanekImpossibleDream", "--set", "titel=X"], "unknown field 'titel' for a work"),
        (["edit", "kulhanekImpossibleDream", "--set", "type=blog"], "unknown work type 'blog'"),
        (["edit", "kulhanekImpossibleDream", "--set", "volume"], "--set 'volume': write it as FIELD=VALUE"),
        (["edit", "kulhanekImpossibleDream", "--unset", "volume"], "--unset volume: the work has no volume"),
        (["edit", "kulhanekImpossibleDream", "--set", "citekey=x2010"], "kb rekey"),
        (["edit", "kulhanekImpossibleDream", "--set", "status=done"], "unknown reading status 'done'"),
        (["edit", "kulhanekImpossibleDream", "--set", "needs_review=maybe"], "write true or false"),
        (["edit", "--event", "Russo-Georgian War", "--set", "date=32 May 2010"], "cannot read the date '32 May 2010'"),
        (["edit", "--event", "Russo-Georgian War", "--set", "organisations=NATOO:host"], "no organisation 'NATOO'"),
        (["edit", "--event", "Russo-Georgian War", "--set", "parent=Russo-Georgian War"], "cannot be its own parent"),
        (["edit", "--org", "NATO", "--set", "aliases=Moscow"], "'Moscow' already names the organisation 'Russia'"),
        (["edit", "--org", "NATO", "--set", "website=x"], "unknown field 'website' for an organisation"),
        (["edit", "--org", "NATOO", "--set", "type=x"], "no organisation 'NATOO'"),
        (["edit", "--person", "Nobody Known", "--set", "orcid=x"], "no person named 'Nobody Known'"),
        (["edit", "kulhanekImpossibleDream", "--org", "NATO", "--set", "type=x"], "name one record"),
        (["rename", "--org", "Georgia", "Russia"], "'Russia' already names the organisation 'Russia'"),
        (
            ["rename", "--event", "Russo-Georgian War", "Lisbon Summit"],
            "already names the event '2010 NATO Lisbon Summit'",
        ),
        (["rename", "kulhanekImpossibleDream"], "kb rekey"),
    ],
)
def test_bad_edits_are_one_line_and_change_nothing(sample_db, args, message):
    before = snapshot(sample_db)
    one_line_error(kb(sample_db, *args), message)
    assert snapshot(sample_db) == before


# -- renaming -----------------------------------------------------------------------------------


def test_a_renamed_organisation_keeps_its_old_name_as_an_alias(sample_db, tmp_path):
    result = kb(sample_db, "rename", "--org", "Atlantic Council", "The Atlantic Council")
    assert result.exit_code == 0 and "updated name, aliases" in result.output
    assert dumped(sample_db, tmp_path, "organisations", "the-atlantic-council")["aliases"] == ["Atlantic Council"]
    # Exports, links and a later import by the old name find it.
    exported = kb(sample_db, "export", "--format", "csl-json", "--org", "Atlantic Council")
    assert exported.exit_code == 0 and len(json.loads(exported.stdout)) == 2
    assert kb(sample_db, "import", str(DATA / "works" / "kulhanekImpossibleDreamEarlier.yaml")).exit_code == 0
    assert kb(sample_db, "note", "kulhanekImpossibleDream", "About them", "--org", "Atlantic Council").exit_code == 0
    assert dumped(sample_db, tmp_path, "works", "kulhanekImpossibleDreamEarlier")["organisations"] == [
        {"name": "The Atlantic Council", "relation": "publisher"}
    ]


def test_a_renamed_event_and_person(sample_db, tmp_path, editor):
    shown = dumped(sample_db, tmp_path, "events", "russo-georgian-war")
    env = editor(yaml.safe_dump(dict(shown, name="Russo-Georgian War of 2008"), sort_keys=False))
    assert kb(sample_db, "edit", "--event", "August War", env=env).exit_code == 0
    assert "Russo-Georgian War" in dumped(sample_db, tmp_path, "events", "russo-georgian-war-of-2008")["aliases"]
    assert kb(sample_db, "link", "kulhanekImpossibleDreamEarlier", "--event", "Russo-Georgian War").exit_code == 0
    result = kb(sample_db, "rename", "--person", "Jakub Kulhanek", "Kulhánek, Jakub")
    assert result.exit_code == 0, result.output
    assert dumped(sample_db, tmp_path, "works", "kulhanekImpossibleDream")["author"] == [
        {"family": "Kulhánek", "given": "Jakub"}
    ]
    assert rows(sample_db, "SELECT DISTINCT authors FROM articles") == [("Kulhánek, Jakub",)]
    assert rows(sample_db, "SELECT count(*) FROM authors") == [(1,)]
    # Names are compared with accents folded: the old spelling still finds the person.
    result = kb(sample_db, "edit", "--person", "Jakub Kulhanek", "--set", "orcid=0000-0001")
    assert result.output.strip() == "the person 'Kulhánek, Jakub': updated orcid"


# -- kb remove -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["remove", "kulhanekImpossibleDreamEarlier"],
            "kulhanekImpossibleDreamEarlier is cited by kulhanekImpossibleDream (revises): --force removes it anyway",
        ),
        (
            ["remove", "--org", "Atlantic Council"],
            "the organisation 'Atlantic Council' is linked to 2 works (kulhanekImpossibleDream, kulhanekImpossibleDreamEarlier): "
            "--force removes it anyway",
        ),
        (
            ["remove", "--org", "School of Politics and International Relations"],
            "is the affiliation of Kulhanek, Jakub: --force",
        ),
        (
            ["remove", "--event", "Lisbon Summit"],
            "the event '2010 NATO Lisbon Summit' is linked to 1 work (kulhanekImpossibleDream)",
        ),
        (
            ["remove", "--person", "Jakub Kulhanek"],
            "the person 'Kulhanek, Jakub' is a creator of 2 works (kulhanekImpossibleDream, kulhanekImpossibleDreamEarlier)",
        ),
        (["remove", "noSuchKey2000"], "no work with citekey, DOI or URL 'noSuchKey2000'"),
        (["remove", "--event", "Battle of Nowhere"], "no event 'Battle of Nowhere'"),
        (["remove"], "name one record"),
    ],
)
def test_remove_refuses_what_others_depend_on_without_force(sample_db, args, message):
    before = snapshot(sample_db)
    one_line_error(kb(sample_db, *args), message)
    assert snapshot(sample_db) == before


def test_remove_dry_run_lists_and_changes_nothing(sample_db):
    before = snapshot(sample_db)
    result = kb(sample_db, "remove", "--org", "Russia", "--dry-run")
    assert result.exit_code == 0
    assert result.output.strip() == (
        "Would remove the organisation 'Russia' with 3 aliases, 1 link to a work, 2 participant roles; "
        "it is linked to 1 work (kulhanekImpossibleDream), so it needs --force"
    )
    assert snapshot(sample_db) == before


def test_remove_a_work_takes_its_links_notes_and_citations(sample_db, tmp_path):
    result = kb(sample_db, "remove", "kulhanekImpossibleDream")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        "Removed kulhanekImpossibleDream with 3 tags, 2 event links, 3 organisation links, "
        "1 citation it makes, 1 creator entry"
    )
    assert rows(sample_db, "SELECT citekey FROM articles") == [("kulhanekImpossibleDreamEarlier",)]
    for table in ("article_tags", "article_events", "citations"):
        assert rows(sample_db, f"SELECT count(*) FROM {table}") == [(0,)]
    assert dumped(sample_db, tmp_path, "works", "kulhanekImpossibleDream") is None
    assert kb(sample_db, "export", "--format", "bibtex", "--key", "kulhanekImpossibleDream").exit_code == 1


def test_remove_with_force(sample_db, tmp_path):
    assert kb(sample_db, "note", "kulhanekImpossibleDream", "On the summit", "--org", "NATO").exit_code == 0
    result = kb(sample_db, "remove", "--org", "NATO", "--force")
    assert result.exit_code == 0, result.output
    assert (
        "Removed the organisation 'North Atlantic Treaty Organization' with 2 aliases, 1 link to a work, 1 participant role, "
        "1 note's organisation (the note stays)" in result.output
    )
    assert rows(sample_db, "SELECT count(*) FROM organisations WHERE name LIKE 'North Atlantic%'") == [(0,)]
    assert rows(sample_db, "SELECT comment, organisation_id FROM notes WHERE comment = 'On the summit'") == [
        ("On the summit", None)
    ]
    assert "North Atlantic Treaty Organization" not in json.dumps(
        dumped(sample_db, tmp_path, "works", "kulhanekImpossibleDream")
    )
    assert kb(sample_db, "remove", "kulhanekImpossibleDreamEarlier", "--force").exit_code == 0
    assert "cites" not in dumped(sample_db, tmp_path, "works", "kulhanekImpossibleDream")
    result = kb(sample_db, "remove", "--person", "Jakub Kulhanek", "--force")
    assert result.exit_code == 0, result.output
    assert "with 1 affiliation, 1 creator entry (the work stays)" in result.output
    assert rows(sample_db, "SELECT authors, csl_json LIKE '%Kulhanek%' FROM articles") == [(None, 0)]
    assert rows(sample_db, "SELECT count(*) FROM article_authors") == [(0,)]
    assert rows(sample_db, "PRAGMA foreign_key_check") == []
    # What is left dumps and builds again.
    out = tmp_path / "dump"
    assert kb(sample_db, "dump", str(out)).exit_code == 0
    assert kb(tmp_path / "rebuilt.db", "build", str(out)).exit_code == 0


# -- kb unlink -------------------------------------------------------------------------------------


def test_unlink_several_links_of_a_work_in_one_call(sample_db, tmp_path):
    result = kb(
        sample_db,
        "unlink",
        "kulhanekImpossibleDream",
        "--event",
        "Five-Day War",
        "--org",
        "NATO",
        "--tag",
        "Russia",
        "--cites",
        "kulhanekImpossibleDreamEarlier",
    )
    assert result.exit_code == 0 and "4 links removed" in result.output
    doc = dumped(sample_db, tmp_path, "works", "kulhanekImpossibleDream")
    assert doc["events"] == ["2010 NATO Lisbon Summit"]
    assert doc["organisations"] == [{"name": "Atlantic Council", "relation": "mentions"}, "Russia"]
    assert doc["tags"] == ["European Politics", "European security"]
    assert "cites" not in doc


def test_unlink_an_affiliation_and_a_participant(sample_db, tmp_path):
    assert (
        kb(
            sample_db,
            "unlink",
            "--person",
            "Kulhanek, Jakub",
            "--org",
            "School of Politics and International Relations",
        ).exit_code
        == 0
    )
    assert rows(sample_db, "SELECT count(*) FROM affiliations") == [(0,)]
    assert kb(sample_db, "unlink", "--event", "Russo-Georgian War", "--org", "Georgia").exit_code == 0
    assert dumped(sample_db, tmp_path, "events", "russo-georgian-war")["organisations"] == [
        {"organisation": "Russia", "role": "belligerent"}
    ]


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["unlink", "kulhanekImpossibleDream", "--tag", "Russia", "--tag", "Georgia"],
            "kulhanekImpossibleDream is not linked to the tag 'Georgia'",
        ),
        (
            ["unlink", "kulhanekImpossibleDream", "--org", "Georgia"],
            "kulhanekImpossibleDream is not linked to the organisation 'Georgia'",
        ),
        (
            ["unlink", "kulhanekImpossibleDreamEarlier", "--cites", "kulhanekImpossibleDream"],
            "kulhanekImpossibleDreamEarlier does not cite 'kulhanekImpossibleDream'",
        ),
        (["unlink", "kulhanekImpossibleDream", "--event", "Battle of Nowhere"], "no event 'Battle of Nowhere'"),
        (["unlink", "kulhanekImpossibleDream"], "say what to unlink"),
        (
            ["unlink", "--person", "Jakub Kulhanek", "--org", "NATO"],
            "has no affiliation with 'North Atlantic Treaty Organization'",
        ),
        (
            ["unlink", "--event", "Lisbon Summit", "--org", "Georgia"],
            "'Georgia' is not a participant of the event '2010 NATO Lisbon Summit'",
        ),
    ],
)
def test_an_unknown_link_is_one_line_and_nothing_is_unlinked(sample_db, args, message):
    before = snapshot(sample_db)
    one_line_error(kb(sample_db, *args), message)
    assert snapshot(sample_db) == before


# -- add-event / add-org / add-person with values that differ ---------------------------------------


def test_add_event_with_a_differing_date_refuses_and_update_applies_it(sample_db, tmp_path):
    assert kb(sample_db, "edit", "--event", "Russo-Georgian War", "--set", "date=August 2008").exit_code == 0
    before = snapshot(sample_db)
    result = kb(sample_db, "add-event", "Russo-Georgian War", "--date", "7-12 Aug 2008")
    one_line_error(
        result,
        "the event 'Russo-Georgian War' differs from what you gave: date: stored 'August 2008', "
        "given '7-12 Aug 2008'; use --update to replace them (or kb edit --event 'Russo-Georgian War')",
    )
    assert snapshot(sample_db) == before
    result = kb(sample_db, "add-event", "Russo-Georgian War", "--date", "7-12 Aug 2008", "--update")
    assert result.exit_code == 0
    assert result.output.strip() == "Russo-Georgian War: updated (date: 'August 2008' -> '7-12 Aug 2008')"
    assert rows(sample_db, "SELECT date_edtf, start_date, end_date FROM events WHERE name = 'Russo-Georgian War'") == [
        ("2008-08-07/2008-08-12", "2008-08-07", "2008-08-12")
    ]
    # The same date written another way is no difference; a new alias is an update.
    assert (
        kb(sample_db, "add-event", "Russo-Georgian War", "--date", "7-12 August 2008").output.strip()
        == "Russo-Georgian War: unchanged"
    )
    assert (
        kb(sample_db, "add-event", "Five-Day War", "--alias", "Georgian War").output.strip() == "Five-Day War: updated"
    )


def test_add_org_and_add_person_with_differing_values(sample_db):
    one_line_error(
        kb(sample_db, "add-org", "NATO", "--type", "military alliance", "--url", "https://nato.int"),
        "type: stored 'alliance', given 'military alliance'; url: stored 'https://www.nato.int', given 'https://nato.int'",
    )
    result = kb(sample_db, "add-org", "NATO", "--type", "military alliance", "--update")
    assert result.output.strip() == "NATO: updated (type: 'alliance' -> 'military alliance')"
    assert kb(sample_db, "add-org", "Georgia", "--parent", "Russia").output.strip() == "Georgia: updated"
    one_line_error(
        kb(sample_db, "add-org", "Georgia", "--parent", "Atlantic Council"),
        "parent: stored 'Russia', given 'Atlantic Council'",
    )
    school = "School of Politics and International Relations"
    args = ["add-person", "Jakub Kulhanek", "--org", school, "--role", "postgraduate student"]
    assert kb(sample_db, *args).output.strip() == "Jakub Kulhanek: unchanged"
    assert (
        kb(sample_db, *args, "--start", "2019").output.strip() == "Jakub Kulhanek: updated"
    )  # an empty date is filled
    one_line_error(kb(sample_db, *args, "--start", "2020"), f"{school} start: stored '2019', given '2020'")
    assert kb(sample_db, *args, "--start", "2020", "--update").exit_code == 0
    assert rows(sample_db, "SELECT start_date FROM affiliations") == [("2020",)]


def test_import_keeps_filling_only(sample_db, tmp_path):
    source = tmp_path / "events.yaml"
    source.write_text(
        "kind: event\nname: Russo-Georgian War\ndate: August 2008\nlocation: Caucasus\n", encoding="utf-8"
    )
    result = kb(sample_db, "import", str(source))
    assert result.exit_code == 0, result.output
    assert rows(sample_db, "SELECT date, location FROM events WHERE name = 'Russo-Georgian War'") == [
        ("7-12 August 2008", "Georgia")
    ]


def test_a_record_changed_by_someone_else_while_it_was_edited_is_not_overwritten(sample_db, tmp_path):
    # An editor during whose session another kb command renames the event.
    script = tmp_path / "slow_editor.py"
    script.write_text(
        "import sqlite3, sys\n"
        f"conn = sqlite3.connect({str(sample_db)!r})\n"
        "conn.execute(\"UPDATE events SET location = 'Tbilisi' WHERE name = 'Russo-Georgian War'\")\n"
        "conn.commit()\n"
        "open(sys.argv[1], 'a').write('description: edited\\n')\n",
        encoding="utf-8",
    )
    result = kb(
        sample_db,
        "edit",
        "--event",
        "Russo-Georgian War",
        env={"EDITOR": f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}"},
    )
    one_line_error(result, "the event 'Russo-Georgian War' changed while you edited it: run kb edit again")
    assert rows(sample_db, "SELECT location, description FROM events WHERE name = 'Russo-Georgian War'") == [
        ("Tbilisi", None)
    ]


def test_renamed_and_edited_names_are_found_through_the_lookup_keys(sample_db):
    """A rename writes the folded key columns the look-ups (CLI, API, Datasette) compare."""
    assert kb(sample_db, "rename", "--org", "Atlantic Council", "The Atlantic Council").exit_code == 0
    assert kb(sample_db, "edit", "--org", "NATO", "--set", "acronym=OTAN").exit_code == 0
    keys = dict(rows(sample_db, "SELECT name, name_key FROM organisations"))
    assert keys["The Atlantic Council"] == "the atlantic council"
    assert rows(sample_db, "SELECT acronym_key FROM organisations WHERE acronym = 'OTAN'") == [("otan",)]
    aliases = dict(rows(sample_db, "SELECT alias, alias_key FROM organisation_aliases"))
    assert aliases["Atlantic Council"] == "atlantic council"
    for name in ("the atlantic council", "atlantic council", "otan"):
        result = kb(sample_db, "export", "--format", "csl-json", "--org", name)
        assert result.exit_code == 0, (name, result.output)
        assert "kulhanekImpossibleDream" in result.output
