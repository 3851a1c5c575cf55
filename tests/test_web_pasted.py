"""Pages pasted from a browser: title, byline, date, body, biography, categories, earlier versions."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import cli
from kb.importers import detect_format, pasted
from kb.importers.page_text import parse_bio, split_categories
from kb.model import Invalid, OrganisationRecord, PersonRecord, WorkRecord

WEB = Path(__file__).resolve().parent / "fixtures" / "web"


def records(name: str, **options):
    path = WEB / name
    return list(pasted.parse(path.read_text(encoding="utf-8"), str(path), **options))


def works(name: str) -> list[WorkRecord]:
    return [r for r in records(name) if isinstance(r, WorkRecord)]


@pytest.mark.parametrize(
    "line, tags",
    [
        ("European PoliticsEuropean securityRussia", ["European Politics", "European security", "Russia"]),
        ("European securityOSCEArms control", ["European security", "OSCE", "Arms control"]),
        ("Arms control, Russia, Nuclear weapons", ["Arms control", "Russia", "Nuclear weapons"]),
        ("Europe | Security · Baltic states", ["Europe", "Security", "Baltic states"]),
        ("2008 warGeorgia", ["2008 war", "Georgia"]),
        ("Russia", ["Russia"]),
    ],
)
def test_split_categories(line: str, tags: list[str]):
    assert split_categories(line) == tags


@pytest.mark.parametrize(
    "sentence, expected",
    [
        (
            "Jakub Kulhanek is a post-graduate student in the School of Politics and International Relations "
            "researching Russia’s relationship with NATO.",
            ("Jakub Kulhanek", "postgraduate student", "School of Politics and International Relations"),
        ),
        ("Jane Smith is a senior fellow at the Atlantic Council.", ("Jane Smith", "senior fellow", "Atlantic Council")),
        (
            "Mary Ann O'Neill is a lecturer in International Relations at Aberystwyth University.",
            ("Mary Ann O'Neill", "lecturer in International Relations", "Aberystwyth University"),
        ),
        (
            "Dr Tom Brown is Professor of War Studies at King’s College London.",
            ("Tom Brown", "Professor of War Studies", "King’s College London"),
        ),
    ],
)
def test_bios(sentence: str, expected: tuple[str, str, str]):
    bio = parse_bio(sentence)
    assert (bio.name, bio.role, bio.organisation) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "Russia is a state in the east of Europe.",
        "North Atlantic Treaty Organization is an alliance of thirty states.",
        "The summit is a chance for allies to agree.",
    ],
)
def test_sentences_that_are_not_bios(sentence: str):
    assert parse_bio(sentence) is None


def test_wordpress_shape():
    organisation, person, placeholder, work = records("pasted-wordpress.txt")
    assert isinstance(organisation, OrganisationRecord) and organisation.name == "School of Law and Government"
    assert isinstance(person, PersonRecord) and person.affiliations[0].organisation == "School of Law and Government"
    assert person.affiliations[0].role == "doctoral candidate"
    assert work.item == {
        "type": "post-weblog",
        "title": "A summit too far?",
        "author": [{"family": "Novak", "given": "Mira"}],
    }
    assert work.tags == ["European security", "OSCE", "Arms control"]
    assert work.origin.endswith("pasted-wordpress.txt:3")
    for boilerplate in ("Skip to content", "Leave a Reply", "Comments", "Save my name", "Post Comment", "Published in"):
        assert boilerplate not in work.text
    assert work.text.startswith("Relations between the OSCE") and work.text.endswith("Euro Policy Forum website.")
    assert placeholder.needs_review and placeholder.item["container-title"] == "Euro Policy Forum"
    assert placeholder.item["title"] == "A summit too far? (earlier version on the Euro Policy Forum website)"
    (citation,) = work.cites
    assert (citation.key, citation.relation) == (placeholder.item["id"], "revises")
    assert citation.context == "This is a revised version of an article published on the Euro Policy Forum website."


def test_news_shape_byline_date_and_standfirst():
    (work,) = records("pasted-news.txt")
    assert work.item["title"] == "Allies agree new air policing rota for the Baltic"
    assert work.item["author"] == [{"family": "Holloway", "given": "Jane"}, {"family": "Zielinski", "given": "Piotr"}]
    assert work.item["issued"] == {"date-parts": [[2021, 3, 5]]}
    assert work.item["type"] == "webpage" and work.tags == []
    for boilerplate in ("Menu", "Share this article", "Facebook", "Related stories", "cookies", "Ministers meet"):
        assert boilerplate not in work.text
    assert work.text.endswith("the first rotation would begin in January.")


def test_think_tank_shape():
    organisation, person, work = records("pasted-think-tank.txt")
    assert work.item["title"] == "Why arms control still matters"
    assert work.item["author"] == [{"family": "Kowalska", "given": "Anna"}]
    assert work.item["issued"] == {"date-parts": [[2019, 5, 12]]}
    assert work.tags == ["Arms control", "Russia", "Nuclear weapons"]
    assert organisation.name == "Baltic Policy Institute" and person.affiliations[0].role == "senior fellow"
    assert "newsletter" not in work.text and "All rights reserved" not in work.text


def test_medium_shape_name_line_reading_time_and_tags_one_a_line():
    organisation, person, work = records("pasted-medium.txt")
    assert work.item["title"] == "The quiet diplomacy of small states"
    assert work.item["author"] == [{"family": "Ferri", "given": "Luca"}]
    assert work.item["issued"] == {"date-parts": [[2022, 3, 3]]}
    assert work.tags == ["Diplomacy", "Mediation", "Small states"]
    assert organisation.name == "Institute for Peace and Mediation"
    assert "Sign up" not in work.text and "Follow" not in work.text


def test_url_option():
    work = works("pasted-think-tank.txt")[-1]
    assert "URL" not in work.item
    (work,) = [
        r
        for r in pasted.parse((WEB / "pasted-think-tank.txt").read_text(), "p.txt", url="https://bpi.example.org/c/1")
        if isinstance(r, WorkRecord)
    ]
    assert work.item["URL"] == "https://bpi.example.org/c/1"


@pytest.mark.parametrize(
    "name, message",
    [
        ("pasted-just-a-moment.txt", "bot-check page"),
        ("pasted-login-wall.txt", "login or subscription wall"),
    ],
)
def test_pasted_non_articles(name: str, message: str):
    (result,) = records(name)
    assert isinstance(result, Invalid) and message in result.message


def test_text_without_a_title_or_prose():
    (result,) = list(pasted.parse("Home\nMenu\nNews\n", "x.txt"))
    assert isinstance(result, Invalid) and "no article text" in result.message
    (result,) = list(pasted.parse(" ".join(["word"] * 40) + ".\n", "y.txt"))
    assert isinstance(result, Invalid) and "cannot find the title" in result.message


def test_detection_picks_pasted_for_pages_only():
    for name in ("pasted-wordpress.txt", "pasted-news.txt", "pasted-just-a-moment.txt", "pasted-login-wall.txt"):
        path = WEB / name
        assert detect_format(path, path.read_text()) == "pasted"
    assert not pasted.detect("<html><body>" + "word " * 40)
    assert not pasted.detect("kind: work\ntitle: x\n")


# -- into a knowledge base ---------------------------------------------------------------


def _build(tmp_path: Path) -> Path:
    db = tmp_path / "web.db"
    result = CliRunner().invoke(cli, ["build", str(WEB / "kb"), "--db", str(db)])
    assert result.exit_code == 0, result.output
    return db


def test_import_merges_with_the_work_and_placeholder_already_there(tmp_path: Path, run):
    db = _build(tmp_path)
    result = run("import", str(WEB / "pasted-wordpress.txt"), db=db)
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT citekey, needs_review FROM articles ORDER BY citekey").fetchall() == [
        ("novak2021summit", 0),
        ("novak2021summitEarlier", 1),
    ]
    assert conn.execute(
        "SELECT c.citekey, d.citekey, relation FROM citations JOIN articles c ON c.id = citing_id "
        "JOIN articles d ON d.id = cited_id"
    ).fetchall() == [("novak2021summit", "novak2021summitEarlier", "revises")]
    assert conn.execute("SELECT count(*) FROM affiliations").fetchone()[0] == 1
    assert (
        conn.execute("SELECT count(*) FROM organisations WHERE name = 'School of Law and Government'").fetchone()[0]
        == 1
    )
    tags = {r[0] for r in conn.execute("SELECT name FROM tags JOIN article_tags ON tag_id = tags.id")}
    assert tags == {"European security", "OSCE", "Arms control"}
    detected = {
        r[0]
        for r in conn.execute(
            "SELECT name FROM article_organisations JOIN organisations ON id = organisation_id WHERE source = 'detected' "
            "UNION SELECT name FROM article_events JOIN events ON id = event_id WHERE source = 'detected'"
        )
    }
    assert {
        "Organization for Security and Co-operation in Europe",
        "Russia",
        "Caucasus",
        "2021 OSCE Ministerial Council in Helsinki",
    } <= detected
    # A second import changes nothing.
    run("import", str(WEB / "pasted-wordpress.txt"), db=db)
    assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 2
    assert conn.execute("SELECT count(*) FROM citations").fetchone()[0] == 1


def test_import_into_an_empty_kb_creates_the_placeholder(db_path: Path, run):
    result = run("import", str(WEB / "pasted-wordpress.txt"))
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(db_path)
    rows = conn.execute("SELECT title, needs_review, container_title FROM articles ORDER BY id").fetchall()
    assert rows == [
        ("A summit too far? (earlier version on the Euro Policy Forum website)", 1, "Euro Policy Forum"),
        ("A summit too far?", 0, None),
    ]
    assert conn.execute("SELECT count(*) FROM citations WHERE relation = 'revises'").fetchone()[0] == 1


def test_citation_follows_the_placeholder_when_its_citekey_is_taken(db_path: Path, run, tmp_path: Path):
    other = tmp_path / "other.yaml"
    other.write_text("kind: work\ncitekey: novakSummitTooFar\ntype: book\ntitle: Something else entirely\n")
    assert run("import", str(other)).exit_code == 0
    assert run("import", str(WEB / "pasted-wordpress.txt")).exit_code == 0
    conn = sqlite3.connect(db_path)
    cited = conn.execute("SELECT title FROM citations JOIN articles ON articles.id = cited_id").fetchone()[0]
    assert cited.startswith("A summit too far? (earlier version")


def test_the_example_shape_with_the_sample_kb(sample_db: Path, run):
    """Our own page of the shape of ../shared/examples/pasted-blog-post.txt, into the sample kb."""
    result = run("import", str(WEB / "pasted-sample-shape.txt"), db=sample_db)
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(sample_db)
    assert conn.execute("SELECT citekey FROM articles ORDER BY citekey").fetchall() == [
        ("kulhanekImpossibleDream",),
        ("kulhanekImpossibleDreamEarlier",),
    ]
    assert conn.execute(
        "SELECT name, role FROM affiliations JOIN organisations o ON o.id = organisation_id"
    ).fetchall() == [("School of Politics and International Relations", "postgraduate student")]
    tags = sorted(
        r[0]
        for r in conn.execute(
            "SELECT name FROM tags JOIN article_tags ON tag_id = tags.id "
            "JOIN articles a ON a.id = article_id WHERE citekey = 'kulhanekImpossibleDream'"
        )
    )
    assert tags == ["European Politics", "European security", "Russia"]
    assert conn.execute("SELECT relation FROM citations").fetchall() == [("revises",)]
    linked = {
        r[0]
        for r in conn.execute(
            "SELECT name FROM article_organisations JOIN organisations o ON o.id = organisation_id JOIN articles a ON a.id = article_id "
            "WHERE citekey = 'kulhanekImpossibleDream' UNION SELECT name FROM article_events JOIN events e ON e.id = event_id "
            "JOIN articles a ON a.id = article_id WHERE citekey = 'kulhanekImpossibleDream'"
        )
    }
    assert {
        "North Atlantic Treaty Organization",
        "Russia",
        "Atlantic Council",
        "2010 NATO Lisbon Summit",
        "Russo-Georgian War",
    } <= linked
    assert "Georgia" not in linked  # "2008 war in Georgia" names the war
    assert conn.execute("SELECT count(*) FROM articles WHERE text LIKE '%Leave a Reply%'").fetchone()[0] == 0


def test_the_example_shape_without_the_work_gets_detected_links(tmp_path: Path, run):
    data = Path(__file__).resolve().parent.parent / "data"
    folder = tmp_path / "data"
    for kind in ("organisations", "events", "people"):
        (folder / kind).mkdir(parents=True)
        for file in (data / kind).glob("*.yaml"):
            (folder / kind / file.name).write_text(file.read_text())
    db = tmp_path / "fresh.db"
    assert CliRunner().invoke(cli, ["build", str(folder), "--db", str(db)]).exit_code == 0
    assert run("import", str(WEB / "pasted-sample-shape.txt"), db=db).exit_code == 0
    conn = sqlite3.connect(db)
    detected = {
        r[0]
        for r in conn.execute(
            "SELECT name FROM article_organisations JOIN organisations ON id = organisation_id "
            "WHERE source = 'detected' AND relation = 'mentions' "
            "UNION SELECT name FROM article_events JOIN events ON id = event_id WHERE source = 'detected' AND relation = 'mentions'"
        )
    }
    assert {
        "North Atlantic Treaty Organization",
        "Russia",
        "Atlantic Council",
        "2010 NATO Lisbon Summit",
        "Russo-Georgian War",
    } <= detected
    assert "Georgia" not in detected


def test_dry_run_writes_nothing(sample_db: Path, run):
    before = sqlite3.connect(sample_db).execute("SELECT count(*) FROM article_organisations").fetchone()[0]
    result = run("import", str(WEB / "pasted-sample-shape.txt"), "--dry-run", db=sample_db)
    assert result.exit_code == 0 and "Would import" in result.stderr
    assert sqlite3.connect(sample_db).execute("SELECT count(*) FROM article_organisations").fetchone()[0] == before


def test_format_pasted_on_a_txt_file(db_path: Path, run):
    result = run("import", str(WEB / "pasted-news.txt"), "--format", "pasted")
    assert result.exit_code == 0, result.output
    assert sqlite3.connect(db_path).execute("SELECT title FROM articles").fetchall() == [
        ("Allies agree new air policing rota for the Baltic",)
    ]


def test_pasted_bot_check_through_the_cli(db_path: Path, run):
    result = run("import", str(WEB / "pasted-just-a-moment.txt"))
    assert result.exit_code == 1 and result.stderr.startswith(
        f"Error: {WEB / 'pasted-just-a-moment.txt'}:1: this is a bot-check page"
    )
    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM articles").fetchone()[0] == 0
