"""`kb enrich`: filling logged works' gaps from the stand-in Crossref and OpenAlex."""

from __future__ import annotations

import json
import sqlite3

from tests.test_add_online import DOI, fixture, serve_doi, services, sha256, work  # noqa: F401  (fixture)

TITLE = "NATO and Russia after the Lisbon Summit: A reset that held?"


def test_dry_run_lists_what_would_be_filled_and_writes_nothing(services, db_path, run):
    run(
        "add",
        "--title",
        "NATO and Russia after Lisbon",
        "--type",
        "article-journal",
        "--doi",
        DOI,
        "--author",
        "Jakub Kulhanek",
    )
    serve_doi(services)
    before = sha256(db_path)
    result = run("enrich", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == (
        "kulhanekNATORussiaLisbon: would fill abstract (OpenAlex); container-title, volume, issue, page, "
        "publisher, ISSN, language (Crossref); 1 ORCID; 1 affiliation (OpenAlex)"
    )
    assert "1 work: 1 to fill" in result.stderr
    assert sha256(db_path) == before


def test_enrich_fills_gaps_never_overwrites_and_records_the_service(services, db_path, run):
    run(
        "add",
        "--title",
        "NATO and Russia after Lisbon",
        "--type",
        "article-journal",
        "--doi",
        DOI,
        "--author",
        "Jakub Kulhanek",
        "--abstract",
        "My own summary.",
        "--pages",
        "521-541",
    )
    serve_doi(services)
    result = run("enrich")
    assert result.exit_code == 0, result.stderr
    row = work(db_path)
    assert (
        row["title"] == "NATO and Russia after Lisbon"
        and row["abstract"] == "My own summary."
        and row["pages"] == "521-541"
    )
    assert row["container_title"] == "European Security" and row["volume"] == "20"
    enriched = json.loads(row["extra_json"])["enriched"]
    assert enriched == {
        "container-title": "crossref",
        "volume": "crossref",
        "issue": "crossref",
        "publisher": "crossref",
        "ISSN": "crossref",
        "language": "crossref",
    }
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT orcid FROM authors").fetchall() == [("0000-0002-1825-0097",)]
    assert conn.execute(
        "SELECT o.name, o.url FROM affiliations JOIN organisations o ON o.id = organisation_id"
    ).fetchall() == [("University of Reading", "https://ror.org/05v62cm79")]
    again = run("enrich")
    assert again.stdout == "" and "0 filled, 1 with nothing to fill" in again.stderr


def test_a_missing_doi_is_found_by_a_certain_search(services, db_path, run):
    run("add", "--title", TITLE, "--type", "article-journal", "--author", "Kulhanek, Jakub", "--date", "2011")
    services.expect_request(
        "/crossref/works",
        query_string={
            "query.bibliographic": TITLE,
            "query.author": "Kulhanek",
            "rows": "5",
            "filter": "from-pub-date:2011,until-pub-date:2011",
        },
    ).respond_with_data(fixture("crossref_search.json"), content_type="application/json")
    serve_doi(services)
    result = run("enrich")
    assert result.exit_code == 0, result.stderr
    assert "DOI (Crossref search)" in result.stdout
    row = work(db_path)
    assert row["doi"] == DOI and json.loads(row["extra_json"])["enriched"]["DOI"] == "crossref-search"


def test_an_uncertain_search_fills_nothing(services, db_path, run):
    run(
        "add",
        "--title",
        "NATO and Russia after Lisbon: partners?",
        "--type",
        "article-journal",
        "--author",
        "John Smith",
        "--date",
        "2011",
    )
    services.expect_request("/crossref/works").respond_with_data(
        fixture("crossref_search.json"), content_type="application/json"
    )
    before = sha256(db_path)
    result = run("enrich")
    assert result.exit_code == 0, result.stderr
    assert "no certain match in Crossref" in result.stderr and result.stdout == ""
    assert sha256(db_path) == before


def test_a_failed_lookup_is_reported_and_the_database_left_alone(services, db_path, run):
    run("add", "--title", "Something", "--type", "article-journal", "--doi", "10.9999/missing")
    services.expect_request("/crossref/works/10.9999/missing").respond_with_data("Resource not found.", status=404)
    services.expect_request("/datacite/dois/10.9999/missing").respond_with_json({"errors": []}, status=404)
    before = sha256(db_path)
    result = run("enrich")
    assert result.exit_code == 1
    assert "Error: Something: neither Crossref nor DataCite knows the DOI 10.9999/missing" in result.stderr
    assert sha256(db_path) == before


def test_enrich_looks_up_only_the_works_the_filters_select(services, db_path, run):
    run(
        "add",
        "--title",
        "NATO and Russia after Lisbon",
        "--type",
        "article-journal",
        "--doi",
        DOI,
        "--tag",
        "chapter-2",
    )
    run("add", "--title", "Elsewhere", "--type", "article-journal", "--doi", "10.9999/elsewhere", "--tag", "chapter-3")
    serve_doi(services)
    result = run("enrich", "--tag", "chapter-2", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("NATORussiaLisbon: would fill") and "1 work: 1 to fill" in result.stderr
    assert all("elsewhere" not in entry[0].path for entry in services.log)
