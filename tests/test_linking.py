"""Mention detection: one automaton, word boundaries, acronyms, longest match, and the CLI."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from click.testing import CliRunner

from kb.cli import cli
from kb.linking import MentionFinder, Target, is_acronym

NATO = Target("organisations", 1, "North Atlantic Treaty Organization")
RUSSIA = Target("organisations", 2, "Russia")
GEORGIA = Target("organisations", 3, "Georgia")
WAR = Target("events", 1, "Russo-Georgian War")
SUMMIT = Target("events", 2, "2010 NATO Lisbon Summit")
US = Target("organisations", 4, "United States")

FINDER = MentionFinder(
    [
        ("North Atlantic Treaty Organization", NATO),
        ("NATO", NATO),
        ("the Alliance", NATO),
        ("Russia", RUSSIA),
        ("Moscow", RUSSIA),
        ("Georgia", GEORGIA),
        ("Russo-Georgian War", WAR),
        ("2008 war in Georgia", WAR),
        ("2010 NATO Lisbon Summit", SUMMIT),
        ("NATO Summit in Lisbon", SUMMIT),
        ("US", US),
    ]
)


def phrases(text: str) -> dict[str, dict[str, int]]:
    return {target.name: dict(mention.phrases) for target, mention in FINDER.find(text).items()}


def test_acronyms_are_all_capitals():
    assert is_acronym("NATO") and is_acronym("G7") and is_acronym("EU")
    assert not is_acronym("Nato") and not is_acronym("Russia") and not is_acronym("1999")


def test_names_match_in_any_case_and_are_counted():
    found = phrases("Moscow said... MOSCOW and moscow; russia and Russia.")
    assert found == {"Russia": {"Moscow": 1, "MOSCOW": 1, "moscow": 1, "russia": 1, "Russia": 1}}


def test_acronyms_match_only_in_capitals():
    assert phrases("NATO met. Nato met. nato met.") == {"North Atlantic Treaty Organization": {"NATO": 1}}
    assert phrases("Let us go, said the US envoy.") == {"United States": {"US": 1}}


def test_word_boundaries():
    assert phrases("Russians, Russian, Georgian, NATOs, USB") == {}
    assert phrases("NATO-Russia ties; NATO’s role (Russia).") == {
        "North Atlantic Treaty Organization": {"NATO": 2},
        "Russia": {"Russia": 2},
    }


def test_longest_match_wins_over_the_names_inside_it():
    found = phrases("After the 2008 war in Georgia, the NATO Summit in Lisbon met.")
    assert found == {
        "Russo-Georgian War": {"2008 war in Georgia": 1},
        "2010 NATO Lisbon Summit": {"NATO Summit in Lisbon": 1},
    }


def test_an_alias_phrase_in_lower_case():
    assert phrases("Moscow suggested to the Alliance that ...")["North Atlantic Treaty Organization"] == {
        "the Alliance": 1
    }


def test_text_whose_lower_case_is_longer_keeps_offsets():
    # "İ" lower-cases to two characters; the names after it must still be found where they are.
    assert phrases("İİİ NATO and Russia") == {
        "North Atlantic Treaty Organization": {"NATO": 1},
        "Russia": {"Russia": 1},
    }


def test_empty_finder_and_text():
    assert MentionFinder([]).find("NATO") == {}
    assert FINDER.find(None) == {} and FINDER.find("") == {}


def _sample_without_works(tmp_path: Path) -> Path:
    """The sample data/ (organisations, events, people) with one work to detect on."""
    db = tmp_path / "detect.db"
    data = Path(__file__).resolve().parent.parent / "data"
    runner = CliRunner()
    folder = tmp_path / "data"
    for kind in ("organisations", "events", "people"):
        (folder / kind).mkdir(parents=True)
        for file in (data / kind).glob("*.yaml"):
            (folder / kind / file.name).write_text(file.read_text())
    assert runner.invoke(cli, ["build", str(folder), "--db", str(db)]).exit_code == 0
    result = runner.invoke(
        cli,
        [
            "add",
            "--db",
            str(db),
            "--title",
            "Moscow and the Alliance",
            "--type",
            "article-journal",
            "--author",
            "Ann Lee",
            "--key",
            "lee",
            "--abstract",
            "NATO after the August War.",
            "--note",
            "Compare the Atlantic Council view.",
        ],
    )
    assert result.exit_code == 0, result.output
    return db


def test_detect_shows_phrase_and_count_and_writes_nothing(tmp_path: Path):
    db = _sample_without_works(tmp_path)
    result = CliRunner().invoke(cli, ["link", "--detect", "lee", "--db", str(db)])
    assert result.exit_code == 0, result.output
    lines = sorted(result.stdout.splitlines())
    assert lines == sorted(
        [
            'lee\tevent\tRusso-Georgian War\t1\t"August War" x1',
            'lee\torganisation\tAtlantic Council\t1\t"Atlantic Council" x1',
            'lee\torganisation\tNorth Atlantic Treaty Organization\t2\t"the Alliance" x1, "NATO" x1',
            'lee\torganisation\tRussia\t1\t"Moscow" x1',
        ]
    )
    assert sqlite3.connect(db).execute("SELECT count(*) FROM article_organisations").fetchone()[0] == 0


def test_apply_writes_detected_links_once(tmp_path: Path):
    db = _sample_without_works(tmp_path)
    runner = CliRunner()
    assert runner.invoke(cli, ["link", "--apply", "--db", str(db)]).exit_code == 0
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT relation, source, count(*) FROM article_organisations GROUP BY 1, 2").fetchall()
    assert rows == [("mentions", "detected", 3)]
    assert conn.execute("SELECT count(*) FROM article_events WHERE source = 'detected'").fetchone()[0] == 1
    again = runner.invoke(cli, ["link", "--detect", "--db", str(db)])
    assert again.stdout == ""  # linked now: nothing left to propose


def test_review_accepts_rejects_and_remembers(tmp_path: Path):
    db = _sample_without_works(tmp_path)
    runner = CliRunner()
    # Proposals come events first, then organisations by count: war, NATO, then two with one mention.
    result = runner.invoke(cli, ["link", "--review", "lee", "--db", str(db)], input="y\nn\ns\nq\n")
    assert result.exit_code == 0, result.output
    assert "1 accepted, 1 rejected" in result.stderr
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT source FROM article_events").fetchall() == [("manual",)]
    assert conn.execute("SELECT target_table, target_id FROM rejected_links").fetchall() == [
        ("organisations", conn.execute("SELECT id FROM organisations WHERE acronym = 'NATO'").fetchone()[0])
    ]
    detected = runner.invoke(cli, ["link", "--detect", "lee", "--db", str(db)]).stdout
    assert "North Atlantic Treaty Organization" not in detected and "Russo-Georgian War" not in detected
    assert "Russia" in detected


def test_review_of_links_a_web_import_wrote(tmp_path: Path):
    db = _sample_without_works(tmp_path)
    runner = CliRunner()
    assert runner.invoke(cli, ["link", "--apply", "--db", str(db)]).exit_code == 0
    result = runner.invoke(cli, ["link", "--review", "--db", str(db)], input="n\nn\nn\nn\n")
    assert "0 accepted, 4 rejected" in result.stderr
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM article_organisations").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM rejected_links").fetchone()[0] == 4
    assert runner.invoke(cli, ["link", "--apply", "--db", str(db)]).stderr.startswith("0 detected links written")


def test_detect_errors(tmp_path: Path, db_path: Path):
    runner = CliRunner()
    result = runner.invoke(cli, ["link", "--detect", "--db", str(db_path)])
    assert result.exit_code == 1 and "no organisations or events" in result.stderr
    db = _sample_without_works(tmp_path)
    result = runner.invoke(cli, ["link", "--detect", "nosuchkey", "--db", str(db)])
    assert result.exit_code == 1 and "no work with citekey" in result.stderr
    result = runner.invoke(cli, ["link", "--detect", "--org", "NATO", "lee", "--db", str(db)])
    assert result.exit_code == 1 and "leave out --event" in result.stderr
    result = runner.invoke(cli, ["link", "--org", "NATO", "--db", str(db)])
    assert result.exit_code == 1 and "name one work" in result.stderr


def test_manual_link_still_works(tmp_path: Path):
    db = _sample_without_works(tmp_path)
    result = CliRunner().invoke(cli, ["link", "lee", "--org", "NATO", "--db", str(db)])
    assert result.exit_code == 0 and "1 new link" in result.stderr


def test_help_shows_the_detection_examples():
    result = CliRunner().invoke(cli, ["link", "--help"])
    assert "Example:" in result.output and "kb link --detect kulhanekImpossibleDream " in result.output
    result = CliRunner().invoke(cli, ["import", "--help"])
    assert "kb import saved-page.html --url https://example.org/commentary/nato-russia" in result.output
    formats = next(line for line in result.output.splitlines() if line.strip().startswith("Formats:"))
    assert "html" in formats and "pasted" in formats
