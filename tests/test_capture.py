"""`kb serve --capture`: the bookmarklet's route, refusals first (Datasette's test client),
then a real headless Chromium clicking the bookmarklet on a locally served page."""

from __future__ import annotations

import functools
import http.server
import sqlite3
import threading
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from datasette.app import Datasette

from kb.capture import ensure_token

from .browsers import only_first_window
from .serving import running_server
from .test_add_online import sha256

WEB = Path(__file__).parent / "fixtures" / "web"
PAGE = (WEB / "think-tank-report.html").read_text()


@pytest.fixture
def capturing(sample_db, monkeypatch):
    monkeypatch.setenv("KB_CAPTURE", "1")
    return Datasette([str(sample_db)]), ensure_token(sample_db)


def form(
    token: str | None, html: str = PAGE, url: str = "https://bpi.example.org/reports/eastern-flank", **extra
) -> dict:
    data = {
        "database": "sample",
        "url": url,
        "title": "Deterrence on the Eastern Flank",
        "quote": "",
        "html": html,
        **extra,
    }
    if token is not None:
        data["token"] = token
    return data


def titles(db: Path) -> list[str]:
    return [r[0] for r in sqlite3.connect(db).execute("SELECT title FROM articles WHERE title LIKE 'Deterrence%'")]


@pytest.mark.asyncio
async def test_a_capture_with_the_token_logs_the_page_with_its_quote_and_mentions(capturing, sample_db):
    datasette, token = capturing
    response = await datasette.client.post("/-/kb/capture", data=form(token, quote="  forward   defence  "))
    assert response.status_code == 200, response.text
    assert "Logged" in response.text and "kb link --review" in response.text
    conn = sqlite3.connect(sample_db)
    article_id, url = conn.execute("SELECT id, url FROM articles WHERE title LIKE 'Deterrence%'").fetchone()
    assert url == "https://bpi.example.org/reports/eastern-flank"
    assert conn.execute("SELECT quote FROM notes WHERE article_id = ?", (article_id,)).fetchall() == [
        ("forward defence",)
    ]
    assert conn.execute(
        "SELECT o.name FROM article_organisations JOIN organisations o ON o.id = organisation_id "
        "WHERE article_id = ? AND source = 'detected'",
        (article_id,),
    ).fetchall() == [("North Atlantic Treaty Organization",)]
    assert f"/sample/articles/{article_id}" in response.text


@pytest.mark.asyncio
@pytest.mark.parametrize("token", [None, "", "not-the-token"])
async def test_a_capture_without_the_token_is_refused(capturing, sample_db, token):
    datasette, _ = capturing
    before = sha256(sample_db)
    response = await datasette.client.post(
        "/-/kb/capture", data=form(token), headers={"Origin": "https://elsewhere.example"}
    )
    assert response.status_code == 403 and "token" in response.text
    assert sha256(sample_db) == before


@pytest.mark.asyncio
async def test_a_capture_that_is_too_large_is_refused(capturing, sample_db):
    datasette, token = capturing
    before = sha256(sample_db)
    response = await datasette.client.post("/-/kb/capture", data=form(token, html=PAGE + "x" * (5 * 2**20)))
    assert response.status_code == 413
    assert sha256(sample_db) == before


@pytest.mark.asyncio
async def test_a_bot_check_page_is_not_logged(capturing, sample_db):
    datasette, token = capturing
    before = sha256(sample_db)
    response = await datasette.client.post(
        "/-/kb/capture", data=form(token, html=(WEB / "just-a-moment.html").read_text())
    )
    assert response.status_code == 400 and "bot-check page" in response.text and "Nothing was written" in response.text
    assert sha256(sample_db) == before


@pytest.mark.asyncio
async def test_the_setup_page_shows_the_bookmarklet_to_local_names_only(capturing):
    datasette, token = capturing
    page = await datasette.client.get("/-/kb/capture", headers={"Host": "127.0.0.1:8001"})
    assert page.status_code == 200 and 'id="kb-bookmarklet"' in page.text.replace("'", '"') and token in page.text
    rebound = await datasette.client.get("/-/kb/capture", headers={"Host": "attacker.example:8001"})
    assert rebound.status_code == 403 and token not in rebound.text
    posted = await datasette.client.post("/-/kb/capture", data=form(token), headers={"Host": "attacker.example:8001"})
    assert posted.status_code == 403


@pytest.mark.asyncio
async def test_capture_is_off_unless_asked_for(sample_db, monkeypatch):
    monkeypatch.delenv("KB_CAPTURE", raising=False)
    token = ensure_token(sample_db)
    response = await Datasette([str(sample_db)]).client.post("/-/kb/capture", data=form(token))
    assert response.status_code == 404 and titles(sample_db) == []


def test_serve_capture_refuses_other_hosts_and_snapshots(sample_db, run):
    result = run("serve", "--capture", "--host", "0.0.0.0", db=sample_db)
    assert result.exit_code == 1 and "127.0.0.1" in result.stderr
    result = run("serve", "--capture", "--immutable", db=sample_db)
    assert result.exit_code == 1 and "--immutable" in result.stderr


# -- the bookmarklet in a real browser --------------------------------------------------------------


@pytest.fixture
def page_server(tmp_path):
    """The think-tank page served from another origin than kb's."""
    (tmp_path / "report.html").write_text(PAGE)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/report.html"
    server.shutdown()


@pytest.fixture
def capture_server(sample_db, tmp_path):
    with running_server(sample_db, "--capture", log=tmp_path / "serve.log") as server:
        yield server.url


def test_the_bookmarklet_logs_the_page_being_read(capture_server, page_server, sample_db, chromium):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver = chromium
    try:
        driver.get(capture_server + "/-/kb/capture")
        href = driver.find_element(By.ID, "kb-bookmarklet").get_attribute("href")
        assert href.startswith("javascript:")
        driver.get(page_server)
        # Select a passage, as the researcher would, then run the bookmark on the page.
        driver.execute_script(
            "var p = document.querySelector('main p'); var r = document.createRange(); r.selectNodeContents(p);"
            "getSelection().removeAllRanges(); getSelection().addRange(r);"
        )
        selected = driver.execute_script("return String(getSelection())")
        assert selected.strip()
        driver.execute_script(urllib.parse.unquote(href.removeprefix("javascript:")))
        WebDriverWait(driver, 30).until(lambda d: len(d.window_handles) == 2)
        driver.switch_to.window(driver.window_handles[1])
        result = WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.ID, "kb-result"))[0]
        assert result.text.startswith("Logged")
        result.find_element(By.TAG_NAME, "a").click()
        WebDriverWait(driver, 30).until(
            lambda d: "Deterrence on the Eastern Flank" in d.find_element(By.TAG_NAME, "h1").text
        )
    finally:
        only_first_window(driver)  # the bookmarklet opened a second one
    conn = sqlite3.connect(sample_db)
    article_id, url = conn.execute("SELECT id, url FROM articles WHERE title LIKE 'Deterrence%'").fetchone()
    assert url == page_server
    assert conn.execute("SELECT quote FROM notes WHERE article_id = ?", (article_id,)).fetchone()[0] == " ".join(
        selected.split()
    )
