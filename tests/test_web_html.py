"""Saved HTML pages: metadata from citation_*, JSON-LD, Dublin Core, OpenGraph; body text; pages that are not articles."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from kb.importers import html_page
from kb.model import Invalid, OrganisationRecord, PersonRecord

WEB = Path(__file__).resolve().parent / "fixtures" / "web"


def records(name: str, **options):
    path = WEB / name
    return list(html_page.parse(path.read_text(encoding="utf-8"), str(path), **options))


def test_think_tank_report_uses_citation_meta_first():
    (work,) = records("think-tank-report.html")
    item = work.item
    assert item["type"] == "report"
    assert item["title"] == "Deterrence on the Eastern Flank: Options for the Alliance after Madrid"
    assert item["author"] == [{"family": "Kowalska", "given": "Anna"}, {"family": "Tamm", "given": "Rein"}]
    assert item["issued"] == {"date-parts": [[2023, 2, 14]]}
    assert item["publisher"] == "Baltic Policy Institute" and not item.get("container-title")
    assert item["language"] == "en-GB"
    assert work.tags == ["deterrence", "NATO", "Baltic states"]
    assert work.text.startswith("Since the Madrid summit the North Atlantic Treaty Organization")
    assert "cookies" not in work.text and "Skip to content" not in work.text


def test_news_article_from_json_ld_graph_and_opengraph():
    (work,) = records("news-article.html")
    item = work.item
    assert item["type"] == "article-newspaper"
    assert item["author"] == [{"family": "Lopez", "given": "Maria"}, {"family": "Brown", "given": "Tom"}]
    assert item["issued"] == {"date-parts": [[2022, 3, 9]]}
    assert item["container-title"] == "The Daily Ledger" and item["publisher"] == "Ledger Media Group"
    assert item["URL"].startswith("https://ledger.example.com/world/2022/03/09/ceasefire-talks-stall")
    assert work.tags == ["Diplomacy", "Geneva", "OSCE"]
    assert "Related stories" not in work.text and "monitoring mission" in work.text


def test_url_option_wins():
    (work,) = records("news-article.html", url="https://example.org/saved")
    assert work.item["URL"] == "https://example.org/saved"


def test_blog_post_author_from_bio_with_affiliation_and_earlier_version():
    found = records("blog-post.html")
    organisation, person, placeholder, work = found
    assert isinstance(organisation, OrganisationRecord) and organisation.name == "Department of War Studies"
    assert isinstance(person, PersonRecord) and person.name == {"family": "Carter", "given": "Sam"}
    assert person.affiliations[0].organisation == "Department of War Studies"
    assert person.affiliations[0].role == "doctoral researcher"
    assert work.item["type"] == "post-weblog" and work.item["container-title"] == "Security Matters"
    assert work.item["author"] == [{"family": "Carter", "given": "Sam"}]
    assert work.tags == ["Black Sea", "Maritime security", "Europe", "Security"]
    assert placeholder.needs_review and placeholder.item["container-title"] == "Maritime Review"
    assert (
        placeholder.item["title"] == "Why the Black Sea matters again (earlier version on the Maritime Review website)"
    )
    assert [(c.key, c.relation) for c in work.cites] == [(placeholder.item["id"], "revises")]
    assert "Leave a Reply" not in work.text


def test_dublin_core_page():
    (work,) = records("journal-dublin-core.html")
    item = work.item
    assert item["title"] == "Alliance cohesion and burden sharing after the Cold War"
    assert item["author"] == [{"family": "Okafor", "given": "Chidi"}]
    assert item["issued"] == {"date-parts": [[2019, 6]]}
    assert item["DOI"] == "10.5555/example.2019.42" and item["publisher"] == "Northern Academic Press"
    assert item["abstract"] == "An account of how allies bargain over defence spending."


@pytest.mark.parametrize(
    "name, message",
    [
        ("just-a-moment.html", 'bot-check page ("Just a moment...")'),
        ("login-wall-bare.html", "login or subscription wall"),
        ("empty.html", "the page is empty"),
        ("not-html.html", "not an HTML page"),
    ],
)
def test_pages_that_are_not_articles(name: str, message: str):
    (result,) = records(name)
    assert isinstance(result, Invalid) and message in result.message


def test_login_wall_with_metadata_is_a_work_to_review():
    (work,) = records("login-wall-with-metadata.html")
    assert work.item["title"] == "The new arithmetic of air defence"
    assert work.needs_review and work.notes and not work.text


def test_detect():
    assert html_page.detect("<!DOCTYPE html><html>") and html_page.detect("  <!-- saved -->\n<html lang=en>")
    assert not html_page.detect("Skip to content\n\nA title")


# -- through the CLI ---------------------------------------------------------------------


def test_import_html_keeps_text_for_search_and_links_mentions(sample_db: Path, run):
    result = run("import", str(WEB / "think-tank-report.html"), db=sample_db)
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(sample_db)
    (article_id,) = conn.execute("SELECT id FROM articles WHERE title LIKE 'Deterrence%'").fetchone()
    assert conn.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'prepositioned'").fetchall() == [
        (article_id,)
    ]
    links = conn.execute(
        "SELECT name, relation, source FROM article_organisations JOIN organisations ON id = organisation_id "
        "WHERE article_id = ?",
        (article_id,),
    ).fetchall()
    assert links == [("North Atlantic Treaty Organization", "mentions", "detected")]


def test_import_with_url(db_path: Path, run):
    result = run("import", str(WEB / "blog-post.html"), "--url", "https://security.example.net/black-sea/")
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(db_path)
    row = conn.execute("SELECT url, csl_json FROM articles WHERE needs_review = 0").fetchone()
    assert row[0] == "https://security.example.net/black-sea/"
    assert "earlier version" not in json.loads(row[1])["title"]


def test_url_is_for_one_web_page(db_path: Path, run, tmp_path: Path):
    result = run("import", str(WEB / "blog-post.html"), str(WEB / "news-article.html"), "--url", "https://x.example/")
    assert result.exit_code == 1 and "one page" in result.stderr
    other = tmp_path / "records.yaml"
    other.write_text("kind: organisation\nname: Somewhere\n")
    result = run("import", str(other), "--url", "https://x.example/")
    assert result.exit_code == 1 and "--url is for a saved or pasted web page" in result.stderr


@pytest.mark.parametrize("name", ["just-a-moment.html", "empty.html", "not-html.html", "login-wall-bare.html"])
def test_cli_refuses_non_articles_with_one_line_and_writes_nothing(sample_db: Path, run, name: str):
    before = sqlite3.connect(sample_db).execute("SELECT count(*) FROM articles").fetchone()[0]
    result = run("import", str(WEB / name), db=sample_db)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {WEB / name}") and len(result.stderr.strip().splitlines()) == 1
    assert "Just a moment" not in "".join(
        r[0] for r in sqlite3.connect(sample_db).execute("SELECT title FROM articles")
    )
    assert sqlite3.connect(sample_db).execute("SELECT count(*) FROM articles").fetchone()[0] == before


def test_skip_invalid_counts_the_interstitial(sample_db: Path, run):
    result = run(
        "import", str(WEB / "just-a-moment.html"), str(WEB / "news-article.html"), "--skip-invalid", db=sample_db
    )
    assert result.exit_code == 0, result.output
    assert "1 skipped" in result.stderr and "bot-check" in result.stderr


def test_pdf_given_as_html(db_path: Path, run, tmp_path: Path):
    pdf = tmp_path / "report.html"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    result = run("import", str(pdf))
    assert result.exit_code == 1 and "is a PDF" in result.stderr
