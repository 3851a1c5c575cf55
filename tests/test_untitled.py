"""No invented data: a work without a title has no title (issue 12, item 5)."""

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from datasette.app import Datasette

from kb.cli import cli
from kb.identity_rules import CANDIDATE, Facts, judge, titles_agree

METADATA = Path(__file__).parent.parent / "kb" / "metadata.yml"

UNTITLED_BIB = (
    "@article{gamma, author = {Smith, Jo}, journal = {Journal of Things}, year = 2001}\n"
    "@article{delta, author = {Smith, Jo}, journal = {Journal of Things}, year = 2001}\n"
)


def works(db_path):
    conn = sqlite3.connect(db_path)
    try:
        return {
            key: (title, json.loads(csl), review)
            for key, title, csl, review in conn.execute("SELECT citekey, title, csl_json, needs_review FROM articles")
        }
    finally:
        conn.close()


def digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture
def untitled_kb(run, db_path, tmp_path):
    bib = tmp_path / "nameless.bib"
    bib.write_text(UNTITLED_BIB)
    result = run("import", str(bib))
    assert result.exit_code == 0, result.output
    return db_path


def test_a_bibtex_entry_without_a_title_lands_without_one_and_flagged(untitled_kb):
    landed = works(untitled_kb)
    assert set(landed) == {"gamma", "delta"}  # two untitled works by one author and year: not merged
    for title, csl, needs_review in landed.values():
        assert title is None
        assert "title" not in csl
        assert needs_review == 1


def test_a_csl_json_item_without_a_title_lands_without_one(run, db_path, tmp_path):
    source = tmp_path / "items.json"
    source.write_text(json.dumps([{"id": "noTitle2001", "type": "report", "author": [{"family": "Roe"}]}]))
    assert run("import", str(source)).exit_code == 0
    title, csl, _ = works(db_path)["noTitle2001"]
    assert title is None and "title" not in csl


def test_importing_the_same_untitled_file_again_changes_nothing(run, untitled_kb, tmp_path):
    result = run("import", str(tmp_path / "nameless.bib"))
    assert result.exit_code == 0
    assert "0 added" in result.output and "2 unchanged" in result.output
    assert set(works(untitled_kb)) == {"gamma", "delta"}


def test_an_empty_title_never_agrees():
    assert not titles_agree(None, "nato and russia")
    assert not titles_agree("", "")
    untitled = Facts(type="report", title=None, year=2001, doi=None, container=None, numbers={}, pages=None)
    titled = Facts(type="report", title="a real title", year=2001, doi=None, container=None, numbers={}, pages=None)
    assert judge(untitled, titled, "URL").kind == CANDIDATE
    assert judge(untitled, untitled, "citekey").kind == CANDIDATE


def test_a_shared_doi_with_an_untitled_record_is_a_candidate_not_a_merge(run, db_path, tmp_path):
    first, second = tmp_path / "a.bib", tmp_path / "b.bib"
    first.write_text("@article{a1, author = {Smith, Jo}, year = 2001, doi = {10.1234/thing.5}}\n")
    second.write_text(
        "@article{z9, author = {Smith, Jo}, title = {Real title}, year = 2001, doi = {10.1234/thing.5}}\n"
    )
    assert run("import", str(first), str(second)).exit_code == 0
    assert set(works(db_path)) == {"a1", "z9"}
    listed = run("dedupe").output
    assert "a1" in listed and "z9" in listed


def test_formatted_references_invent_no_title(run, untitled_kb):
    result = run("export", "--style", "apa")
    assert result.exit_code == 0, result.output
    assert "untitled" not in result.output
    assert "Smith, J. (2001)" in result.output and "Journal of Things" in result.output


def test_kb_show_heads_an_untitled_work_with_its_citekey(run, untitled_kb):
    text = run("show", "gamma", "--format", "text").output
    assert text.splitlines()[0] == "Work: gamma (no title)"
    data = json.loads(run("show", "gamma", "--format", "json").output)
    assert "title" not in data and data["citekey"] == "gamma"


def test_a_title_can_be_removed_by_editing(run, untitled_kb, tmp_path):
    source = tmp_path / "titled.bib"
    source.write_text("@book{titled, author = {Roe, Ann}, title = {A title}, year = 1999}\n")
    assert run("import", str(source)).exit_code == 0
    result = run("edit", "titled", "--unset", "title")
    assert result.exit_code == 0, result.output
    title, csl, _ = works(untitled_kb)["titled"]
    assert title is None and "title" not in csl


def test_a_work_with_nothing_to_tell_it_by_is_refused(run, db_path, tmp_path):
    source = tmp_path / "empty.yaml"
    source.write_text("kind: work\n")
    before = digest(db_path)
    result = run("import", str(source))
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1
    assert "a work needs a title, a citekey or another field" in result.output
    assert digest(db_path) == before


@pytest.mark.parametrize(
    "content",
    [
        {
            "status": "ok",
            "message-type": "work",
            "message": {"DOI": "10.1/x", "title": ["A"], "type": "journal-article"},
        },
        {"status": "ok"},
        {"settings": {"theme": "dark"}},
    ],
)
def test_json_that_is_not_csl_is_refused_in_one_line(run, db_path, tmp_path, content):
    source = tmp_path / "answer.json"
    source.write_text(json.dumps(content))
    before = digest(db_path)
    result = run("import", "--format", "csl-json", str(source))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {source}: not CSL-JSON") and result.output.count("\n") == 1
    assert digest(db_path) == before


def test_dump_and_build_round_trip_an_untitled_work(untitled_kb, tmp_path):
    runner = CliRunner()
    first, second, rebuilt = tmp_path / "dump1", tmp_path / "dump2", tmp_path / "rebuilt.db"
    assert runner.invoke(cli, ["dump", str(first), "--db", str(untitled_kb)]).exit_code == 0
    dumped = yaml.safe_load((first / "works" / "gamma.yaml").read_text(encoding="utf-8"))
    assert "title" not in dumped
    result = runner.invoke(cli, ["build", str(first), "--db", str(rebuilt)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(cli, ["dump", str(second), "--db", str(rebuilt)]).exit_code == 0
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert works(rebuilt)["gamma"][0] is None


@pytest.mark.asyncio
async def test_the_article_page_and_search_show_the_citekey(untitled_kb):
    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    datasette = Datasette([str(untitled_kb)], metadata=metadata)
    article_id = sqlite3.connect(untitled_kb).execute("SELECT id FROM articles WHERE citekey = 'gamma'").fetchone()[0]
    page = await datasette.client.get(f"/kb/articles/{article_id}")
    assert page.status_code == 200
    assert "<title>gamma" in page.text and ">gamma</h1>" in page.text
    assert "untitled" not in page.text and "None" not in page.text.split("<h1")[1].split("</h1>")[0]
