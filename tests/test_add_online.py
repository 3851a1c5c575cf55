"""`kb add DOI|ISBN|arXiv id|URL` against a local stand-in for each service.

The stand-in (pytest-httpserver) answers with responses shaped like the real APIs'
(tests/fixtures/online/); each service's base URL points at it through its setting.
"""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import time
from pathlib import Path

import pytest
from pypdf import PdfWriter
from werkzeug import Response

from kb.online.identifiers import recognise

ONLINE = Path(__file__).parent / "fixtures" / "online"
WEB = Path(__file__).parent / "fixtures" / "web"
DOI = "10.1080/09662839.2011.625956"
CROSSREF_PATH = f"/crossref/works/{DOI}"
OPENALEX_PATH = f"/openalex/works/doi:{DOI}"
ISBN = "9780199227389"


def fixture(name: str) -> str:
    return (ONLINE / name).read_text()


@pytest.fixture
def services(httpserver, monkeypatch):
    """The stand-in server, with every service's base URL pointing at it."""
    for setting, prefix in (
        ("KB_CROSSREF_URL", "/crossref"),
        ("KB_DATACITE_URL", "/datacite"),
        ("KB_OPENALEX_URL", "/openalex"),
        ("KB_OPENLIBRARY_URL", "/openlibrary"),
        ("KB_ARXIV_URL", "/arxiv"),
    ):
        monkeypatch.setenv(setting, httpserver.url_for(prefix))
    monkeypatch.setenv("KB_HTTP_BACKOFF", "0")
    monkeypatch.setenv("KB_MAILTO", "researcher@example.org")
    return httpserver


def serve_doi(server, crossref: bool = True) -> None:
    if crossref:
        server.expect_request(CROSSREF_PATH).respond_with_data(
            fixture("crossref_work.json"), content_type="application/json"
        )
    server.expect_request(OPENALEX_PATH).respond_with_data(
        fixture("openalex_work.json"), content_type="application/json"
    )


def sha256(path: Path) -> str:
    """The database's content (its SQL dump), hashed: a WAL checkpoint that an earlier
    command's connection makes when it is collected changes the file's bytes, not this."""
    conn = sqlite3.connect(path)
    try:
        return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()
    finally:
        conn.close()


def work(db: Path, where: str = "1 = 1") -> dict:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    row = conn.execute(f"SELECT * FROM articles WHERE {where}").fetchone()
    return dict(row) if row else {}


# -- recognising identifiers --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, kind, value",
    [
        ("10.1080/09662839.2011.625956", "doi", "10.1080/09662839.2011.625956"),
        ("doi:10.1000/xyz(123)", "doi", "10.1000/xyz(123)"),
        ("https://doi.org/10.1080/09662839.2011.625956", "doi", "10.1080/09662839.2011.625956"),
        ("978-0-19-922738-9", "isbn", "9780199227389"),
        ("0199227381", "isbn", "0199227381"),
        ("ISBN 0-306-40615-2", "isbn", "0306406152"),
        ("2101.00001", "arxiv", "2101.00001"),
        ("arXiv:2101.00001v2", "arxiv", "2101.00001"),
        ("hep-th/9901001", "arxiv", "hep-th/9901001"),
        ("math.GT/0309136v1", "arxiv", "math.GT/0309136"),
        ("https://arxiv.org/abs/2101.00001v3", "arxiv", "2101.00001"),
        ("https://www.atlanticcouncil.org/blogs/x/", "url", "https://www.atlanticcouncil.org/blogs/x/"),
    ],
)
def test_identifiers_are_recognised_by_shape(text, kind, value):
    identifier = recognise(text)
    assert (identifier.kind, identifier.value) == (kind, value)


@pytest.mark.parametrize(
    "text, message", [("978-0-19-922738-0", "check digit"), ("hello", "cannot tell what 'hello' is")]
)
def test_unrecognised_identifiers_say_what_is_accepted(text, message):
    from kb.errors import KbError

    with pytest.raises(KbError, match=message):
        recognise(text)


# -- each kind against the stand-in ------------------------------------------------------------------


def test_add_doi_from_crossref_with_openalex_abstract_orcids_and_institutions(services, db_path, run):
    serve_doi(services)
    result = run("add", DOI, "--tag", "chapter-2", "--status", "reading")
    assert result.exit_code == 0, result.stderr
    citekey = result.stdout.strip()
    assert citekey == "kulhanekNATORussiaLisbon2011"
    assert f"{DOI}: added as {citekey}, from Crossref + OpenAlex" in result.stderr
    row = work(db_path)
    item = json.loads(row["csl_json"])
    assert (
        item["type"] == "article-journal"
        and item["title"] == "NATO and Russia after the Lisbon Summit: A reset that held?"
    )
    assert (
        item["container-title"] == "European Security"
        and item["page"] == "521-540"
        and item["issued"] == {"date-parts": [[2011, 12]]}
    )
    assert item["author"] == [{"family": "Kulhanek", "given": "Jakub"}, {"family": "Nowak", "given": "Anna"}]
    assert (
        row["abstract"].startswith("The Lisbon Summit of November 2010 promised a new start")
        and row["status"] == "reading"
    )
    lookup = json.loads(row["extra_json"])["lookup"]
    assert lookup["source"] == "crossref" and lookup["filled"] == {"abstract": "openalex", "orcid": "openalex"}
    assert lookup["references"] == ["10.1080/14650045.2010.000002", "10.1093/ia/iiq001"]
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT family, orcid FROM authors ORDER BY family").fetchall() == [
        ("Kulhanek", "0000-0002-1825-0097"),
        ("Nowak", "0000-0001-5109-3700"),
    ]
    assert conn.execute(
        "SELECT o.name, o.url, o.country, o.type, au.name FROM affiliations a JOIN organisations o ON o.id = a.organisation_id "
        "JOIN authors au ON au.id = a.author_id ORDER BY o.name"
    ).fetchall() == [
        ("Polish Institute of International Affairs", "https://ror.org/01abcde23", "PL", "ngo", "Nowak, Anna"),
        ("University of Reading", "https://ror.org/05v62cm79", "GB", "university", "Kulhanek, Jakub"),
    ]
    assert conn.execute("SELECT file, format, added FROM imports").fetchall() == [(f"doi:{DOI}", "crossref", 1)]
    assert [r[0] for r in conn.execute("SELECT name FROM tags JOIN article_tags ON tag_id = tags.id")] == ["chapter-2"]
    user_agent = services.log[0][0].headers["User-Agent"]
    assert user_agent.startswith("kb/") and "mailto:researcher@example.org" in user_agent


def test_add_doi_merges_with_the_work_already_held_and_cites_held_references(services, db_path, run):
    run(
        "add",
        "--title",
        "NATO & Russia after Lisbon",
        "--type",
        "article-journal",
        "--doi",
        DOI.upper(),
        "--note",
        "My copy",
    )
    run(
        "add",
        "--title",
        "Reset or rupture",
        "--type",
        "article-journal",
        "--doi",
        "10.1093/ia/iiq001",
        "--author",
        "Ann Other",
    )
    serve_doi(services)
    result = run("add", f"https://doi.org/{DOI}")
    assert result.exit_code == 0, result.stderr
    assert "merged into kulhanek" not in result.stderr  # the work keeps the key a person gave it
    assert "merged into NATORussiaLisbon" in result.stderr or "merged into" in result.stderr
    assert "(same DOI)" in result.stderr and "1 citation to works already held" in result.stderr
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 2
    row = work(db_path, f"doi_key = '{DOI}'")
    assert row["title"] == "NATO & Russia after Lisbon"  # what a person wrote is kept
    assert row["abstract"].startswith("The Lisbon Summit") and row["container_title"] == "European Security"
    assert conn.execute("SELECT count(*) FROM citations").fetchone()[0] == 1


def test_add_doi_falls_back_to_datacite(services, db_path, run):
    doi = "10.5281/zenodo.3712345"
    services.expect_request(f"/crossref/works/{doi}").respond_with_data(
        "Resource not found.", status=404, content_type="text/plain"
    )
    services.expect_request(f"/datacite/dois/{doi}").respond_with_data(
        fixture("datacite_doi.json"), content_type="application/vnd.api+json"
    )
    services.expect_request(f"/openalex/works/doi:{doi}").respond_with_json({"error": "not found"}, status=404)
    result = run("add", doi)
    assert result.exit_code == 0, result.stderr
    assert "from DataCite" in result.stderr and "OpenAlex" not in result.stderr
    item = json.loads(work(db_path)["csl_json"])
    assert item["type"] == "dataset" and item["title"] == "Russia-Georgia war 2008: event dataset"
    assert item["author"] == [{"family": "Petrov", "given": "Ivan"}, {"literal": "Conflict Data Project"}]
    assert item["issued"] == {"date-parts": [[2020, 3, 18]]} and item["publisher"] == "Zenodo"
    assert sqlite3.connect(db_path).execute("SELECT orcid FROM authors WHERE family = 'Petrov'").fetchone() == (
        "0000-0003-1234-5678",
    )


def test_add_isbn_from_open_library(services, db_path, run):
    services.expect_request(
        "/openlibrary/api/books", query_string={"bibkeys": f"ISBN:{ISBN}", "format": "json", "jscmd": "data"}
    ).respond_with_data(fixture("openlibrary_books.json"), content_type="application/json")
    result = run("add", "978-0-19-922738-9")
    assert result.exit_code == 0, result.stderr
    row = work(db_path)
    item = json.loads(row["csl_json"])
    assert item["type"] == "book" and item["title"] == "The Oxford handbook of international relations"
    assert (
        item["author"][0] == {"family": "Reus-Smit", "given": "Christian"}
        and item["publisher"] == "Oxford University Press"
    )
    assert item["publisher-place"] == "Oxford, New York" and row["year"] == 2008 and row["isbn_key"] == ISBN


@pytest.mark.parametrize(
    "given, path_id, name",
    [("2101.00001", "2101.00001", "arxiv_entry.xml"), ("physics/0601001v1", "physics/0601001", "arxiv_old_style.xml")],
)
def test_add_arxiv_id(services, db_path, run, given, path_id, name):
    services.expect_request(
        "/arxiv/api/query", query_string={"id_list": path_id, "max_results": "1"}
    ).respond_with_data(fixture(name), content_type="application/atom+xml")
    result = run("add", given)
    assert result.exit_code == 0, result.stderr
    row = work(db_path)
    item = json.loads(row["csl_json"])
    assert (
        item["type"] == "article"
        and item["DOI"] == f"10.48550/arXiv.{path_id}"
        and item["URL"] == f"https://arxiv.org/abs/{path_id}"
    )
    extra = json.loads(row["extra_json"])
    assert extra["bibtex"]["eprint"] == path_id and extra["bibtex"]["eprinttype"] == "arxiv"
    if name == "arxiv_entry.xml":
        assert item["title"] == "Measuring Alliance Cohesion: NATO Voting Patterns 1990-2020"
        assert item["issued"] == {"date-parts": [[2020, 12, 31]]} and item["author"][1] == {
            "family": "Smith",
            "given": "Tom",
        }
        assert extra["arxiv"]["doi"] == "10.1017/S0020818321000011" and row["abstract"].startswith(
            "We measure the cohesion"
        )


def test_add_url_reads_the_page_and_links_its_mentions(services, sample_db, run):
    services.expect_request("/pages/eastern-flank").respond_with_data(
        (WEB / "think-tank-report.html").read_text(), content_type="text/html; charset=utf-8"
    )
    url = services.url_for("/pages/eastern-flank")
    result = run("add", url, db=sample_db)
    assert result.exit_code == 0, result.stderr
    conn = sqlite3.connect(sample_db)
    article_id, work_type, stored_url = conn.execute(
        "SELECT id, type, url FROM articles WHERE title LIKE 'Deterrence on the Eastern%'"
    ).fetchone()
    assert work_type == "report" and stored_url == url
    links = conn.execute(
        "SELECT name, relation, source FROM article_organisations JOIN organisations ON id = organisation_id "
        "WHERE article_id = ?",
        (article_id,),
    ).fetchall()
    assert links == [("North Atlantic Treaty Organization", "mentions", "detected")]
    assert "1 mention of organisations and events linked" in result.stderr


def test_a_redirected_address_is_logged_where_it_led(services, db_path, run):
    services.expect_request("/short/x").respond_with_response(
        Response(status=301, headers={"Location": services.url_for("/pages/news")})
    )
    services.expect_request("/pages/news").respond_with_data(
        (WEB / "news-article.html").read_text(), content_type="text/html"
    )
    result = run("add", services.url_for("/short/x"))
    assert result.exit_code == 0, result.stderr
    assert work(db_path)["url"] == services.url_for("/pages/news")


def test_a_missing_page(services, db_path, run):
    services.expect_request("/pages/gone").respond_with_data(
        "<html><title>404 Not Found</title></html>", status=404, content_type="text/html"
    )
    line = _fails_cleanly(run, db_path, services.url_for("/pages/gone"))
    assert "the server answered HTTP 404: check the address" in line


def test_add_pdf_url_is_logged_for_review(services, db_path, run):
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata(
        {"/Title": "Annual Report 2019", "/Author": "Anna Kowalska", "/CreationDate": "D:20190412093000Z"}
    )
    pdf = io.BytesIO()
    writer.write(pdf)
    services.expect_request("/files/annual-report-2019.pdf").respond_with_data(
        pdf.getvalue(), content_type="application/pdf"
    )
    url = services.url_for("/files/annual-report-2019.pdf")
    result = run("add", url)
    assert result.exit_code == 0, result.stderr
    assert "flagged needs_review" in result.stderr
    row = work(db_path)
    assert (row["title"], row["url"], row["year"], row["needs_review"], row["authors"]) == (
        "Annual Report 2019",
        url,
        2019,
        1,
        "Kowalska, Anna",
    )


# -- the cache ------------------------------------------------------------------------------------


def test_the_same_lookup_is_never_made_twice(services, db_path, run):
    serve_doi(services)
    assert run("add", DOI).exit_code == 0
    requests = len(services.log)
    assert requests == 2  # Crossref, then OpenAlex
    assert Path(f"{db_path}.http-cache.sqlite").exists()
    again = run("add", DOI, "--tag", "again")
    assert again.exit_code == 0, again.stderr
    assert len(services.log) == requests
    assert "already held as" in again.stderr or "merged into" in again.stderr or "updated" in again.stderr


# -- failures: one line, exit 1, the database unchanged --------------------------------------------


def _fails_cleanly(run, db_path: Path, *args: str) -> str:
    before = sha256(db_path)
    result = run("add", *args)
    assert result.exit_code == 1, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.stderr
    assert sha256(db_path) == before
    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM articles").fetchone()[0] == 0
    return lines[0]


def test_no_network(services, db_path, run, monkeypatch):
    monkeypatch.setenv("KB_CROSSREF_URL", "http://127.0.0.1:9")  # nothing listens on the discard port
    line = _fails_cleanly(run, db_path, DOI)
    assert "cannot reach 127.0.0.1:9" in line and "check your internet connection" in line


def test_timeout(services, db_path, run, monkeypatch):
    monkeypatch.setenv("KB_HTTP_TIMEOUT", "0.3")

    def slow(request):
        time.sleep(1)
        return Response("{}", content_type="application/json")

    services.expect_request(CROSSREF_PATH).respond_with_handler(slow)
    line = _fails_cleanly(run, db_path, DOI)
    assert "did not answer within 0.3 s" in line and "try again later" in line


def test_unknown_doi(services, db_path, run):
    services.expect_request(CROSSREF_PATH).respond_with_data(
        "Resource not found.", status=404, content_type="text/plain"
    )
    services.expect_request(f"/datacite/dois/{DOI}").respond_with_json(
        {"errors": [{"status": "404", "title": "The resource you are looking for doesn't exist."}]}, status=404
    )
    line = _fails_cleanly(run, db_path, DOI)
    assert f"neither Crossref nor DataCite knows the DOI {DOI}" in line and "typo" in line


def test_persistent_rate_limit_is_retried_then_reported(services, db_path, run):
    services.expect_request(CROSSREF_PATH).respond_with_data(
        "Too Many Requests", status=429, headers={"Retry-After": "0"}
    )
    line = _fails_cleanly(run, db_path, DOI)
    assert "limiting requests (HTTP 429, 4 tries)" in line and "wait" in line
    assert len(services.log) == 4


def test_a_server_error_is_retried_and_a_later_answer_used(services, db_path, run):
    answers = iter(
        [Response("busy", status=503), Response(fixture("crossref_work.json"), content_type="application/json")]
    )
    services.expect_request(CROSSREF_PATH).respond_with_handler(lambda request: next(answers))
    services.expect_request(OPENALEX_PATH).respond_with_json({}, status=404)
    result = run("add", DOI)
    assert result.exit_code == 0, result.stderr
    assert len(services.log) == 3 and work(db_path)["container_title"] == "European Security"


def test_malformed_response(services, db_path, run):
    services.expect_request(CROSSREF_PATH).respond_with_data(
        "<html><body>Service maintenance</body></html>", content_type="text/html"
    )
    line = _fails_cleanly(run, db_path, DOI)
    assert "is not a Crossref work record (not JSON)" in line
    services.clear()
    services.expect_request(CROSSREF_PATH).respond_with_json({"status": "ok", "message": {"items": []}})
    line = _fails_cleanly(run, db_path, DOI)
    assert "not a work record (no message.DOI)" in line


@pytest.mark.parametrize("status", [200, 503])
def test_bot_check_page(services, db_path, run, status):
    services.expect_request("/pages/blocked").respond_with_data(
        (WEB / "just-a-moment.html").read_text(), status=status, content_type="text/html"
    )
    url = services.url_for("/pages/blocked")
    line = _fails_cleanly(run, db_path, url)
    assert "bot-check page" in line and f"kb import page.html --url {url}" in line
    assert len(services.log) == 1  # a bot check is not asked again


def test_login_wall(services, db_path, run):
    services.expect_request("/pages/wall").respond_with_data(
        (WEB / "login-wall-bare.html").read_text(), content_type="text/html"
    )
    line = _fails_cleanly(run, db_path, services.url_for("/pages/wall"))
    assert "login or subscription wall" in line


def test_unknown_isbn_and_arxiv_id(services, db_path, run):
    services.expect_request("/openlibrary/api/books").respond_with_json({})
    assert "Open Library does not know the ISBN 9780306406157" in _fails_cleanly(run, db_path, "978-0-306-40615-7")
    services.expect_request(
        "/arxiv/api/query", query_string={"id_list": "2101.99999", "max_results": "1"}
    ).respond_with_data(fixture("arxiv_empty.xml"), content_type="application/atom+xml")
    assert "arXiv does not know the id 2101.99999" in _fails_cleanly(run, db_path, "2101.99999")


def test_several_identifiers_keep_the_ones_that_worked(services, db_path, run):
    serve_doi(services)
    bad = "10.9999/does-not-exist"
    services.expect_request(f"/crossref/works/{bad}").respond_with_data("Resource not found.", status=404)
    services.expect_request(f"/datacite/dois/{bad}").respond_with_json({"errors": []}, status=404)
    result = run("add", DOI, bad, "not-an-identifier")
    assert result.exit_code == 1
    assert result.stdout.strip() == "kulhanekNATORussiaLisbon2011"
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert errors == [
        "Error: not-an-identifier: cannot tell what 'not-an-identifier' is: give a DOI (10.1234/...), an ISBN (978...), "
        "an arXiv id (2101.00001) or a URL (https://...)",
        f"Error: {bad}: neither Crossref nor DataCite knows the DOI {bad}: "
        f"check it for a typo (https://doi.org/{bad} says whether it exists)",
    ]
    assert "1 of 3 logged; 2 failed" in result.stderr
    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM articles").fetchone()[0] == 1


def test_identifiers_and_hand_options_do_not_mix(services, db_path, run):
    line = _fails_cleanly(run, db_path, DOI, "--title", "Something")
    assert "--title describes a work by hand" in line
    assert len(services.log) == 0


def test_unknown_event_fails_before_any_request(services, db_path, run):
    line = _fails_cleanly(run, db_path, DOI, "--event", "No such summit")
    assert "no event 'No such summit'" in line and len(services.log) == 0


def test_add_by_hand_still_works(db_path, run):
    result = run(
        "add",
        "--title",
        "An impossible dream?",
        "--type",
        "post-weblog",
        "--author",
        "Jakub Kulhanek",
        "--date",
        "2010",
    )
    assert result.exit_code == 0 and result.stdout.strip() == "kulhanekImpossibleDream2010"


def test_a_retry_after_past_the_bound_is_not_waited_for(services, db_path, run):
    services.expect_request(CROSSREF_PATH).respond_with_data("slow down", status=429, headers={"Retry-After": "3600"})
    line = _fails_cleanly(run, db_path, DOI)
    assert "HTTP 429, 1 try" in line and len(services.log) == 1


def test_requests_to_one_service_are_spaced(services, tmp_path):
    from kb.online.http import HttpClient

    services.expect_request("/crossref/ping").respond_with_json({"ok": True})
    with HttpClient(None) as client:
        start = time.monotonic()
        for _ in range(3):
            assert client.get("crossref", services.url_for("/crossref/ping")).status == 200
        assert time.monotonic() - start >= 0.4  # at most 5 a second
        assert client.requests_made == 3


def test_a_page_in_latin_1_is_read_in_its_charset(services, db_path, run):
    page = (
        "<!DOCTYPE html><html><head><title>S\xe9curit\xe9 europ\xe9enne</title></head><body><article><h1>S\xe9curit\xe9 europ\xe9enne</h1>"
        "<p>" + "Un texte assez long sur la d\xe9fense. " * 20 + "</p></article></body></html>"
    )
    services.expect_request("/pages/fr").respond_with_data(
        page.encode("latin-1"), content_type="text/html; charset=ISO-8859-1"
    )
    result = run("add", services.url_for("/pages/fr"))
    assert result.exit_code == 0, result.stderr
    assert work(db_path)["title"] == "Sécurité européenne"


def test_a_single_unrecognised_identifier_is_one_line(services, db_path, run):
    assert "cannot tell what 'nonsense' is" in _fails_cleanly(run, db_path, "nonsense")


def test_what_a_lookup_logged_survives_dump_and_build(services, db_path, run, tmp_path):
    serve_doi(services)
    assert run("add", DOI).exit_code == 0
    assert run("dump", str(tmp_path / "dump")).exit_code == 0
    rebuilt = tmp_path / "rebuilt.db"
    result = run("build", str(tmp_path / "dump"), db=rebuilt)
    assert result.exit_code == 0, result.stderr
    columns = "citekey, csl_json, extra_json, abstract"
    assert (
        sqlite3.connect(rebuilt).execute(f"SELECT {columns} FROM articles").fetchall()
        == sqlite3.connect(db_path).execute(f"SELECT {columns} FROM articles").fetchall()
    )


def test_a_record_of_the_wrong_shape_is_a_malformed_answer_and_not_cached(services, db_path, run):
    message = json.loads(fixture("crossref_work.json"))
    message["message"]["author"] = "Kulhanek, Jakub"  # a string where Crossref documents a list of objects
    services.expect_request(CROSSREF_PATH).respond_with_json(message)
    line = _fails_cleanly(run, db_path, DOI)
    assert f"the answer for {DOI} is not shaped as the service documents (AttributeError" in line
    services.clear()
    message = json.loads(fixture("crossref_work.json"))
    message["message"]["issued"] = {"date-parts": [["spring"]]}
    services.expect_request(CROSSREF_PATH).respond_with_json(message)
    services.expect_request(OPENALEX_PATH).respond_with_json({}, status=404)
    line = _fails_cleanly(run, db_path, DOI)
    assert "is not shaped as the service documents (ValueError" in line
    services.clear()
    serve_doi(services)  # the service mends its record: asked again, not served from the cache
    result = run("add", DOI)
    assert result.exit_code == 0, result.stderr
    assert json.loads(work(db_path)["csl_json"])["issued"] == {"date-parts": [[2011, 12]]}


def test_a_damaged_cache_is_one_line_saying_to_delete_it(services, db_path, run):
    Path(f"{db_path}.http-cache.sqlite").write_bytes(b"this is not a database" * 100)
    line = _fails_cleanly(run, db_path, DOI)
    assert "http-cache.sqlite: cannot use the look-up cache" in line and "delete it" in line
    assert len(services.log) == 0
