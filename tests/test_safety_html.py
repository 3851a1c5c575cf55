"""Hostile addresses and markup: no `javascript:` link on any page (Datasette's test
client and a real headless Chromium clicking every link), escaped HTML bibliographies,
and the security headers on every response."""

from __future__ import annotations

import sqlite3

import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By

from kb.safe_html import doi_link, safe_link

from .browse_fixtures import build_browse_kb, kb
from .serving import running_server
from .test_browse import Client
from .test_browser import browser  # noqa: F401  (the browser fixture)

HOSTILE_URL = "JaVaScRiPt:alert(1)"
BREAKOUT = 'https://example.org/"><script>alert(1)</script>'


def add_hostile_records(db) -> dict[str, str]:
    work = kb(
        db,
        "add",
        "--title",
        "A work with a hostile address",
        "--type",
        "webpage",
        "--url",
        HOSTILE_URL,
        "--doi",
        '10.1/"><script>alert(2)</script>',
        "--date",
        "2020",
    )
    breakout = kb(
        db, "add", "--title", "Breaking out of an attribute", "--type", "webpage", "--url", BREAKOUT, "--date", "2021"
    )
    kb(db, "add-org", "Hostile Institute", "--url", " java\tscript:alert(3)")
    kb(db, "add-org", "Good Institute", "--url", "https://good.example.org/")
    conn = sqlite3.connect(db)
    ids = {
        name: str(conn.execute(sql, (value,)).fetchone()[0])
        for name, sql, value in (
            ("work", "select id from articles where citekey = ?", work),
            ("breakout", "select id from articles where citekey = ?", breakout),
            ("org", "select id from organisations where name = ?", "Hostile Institute"),
            ("good", "select id from organisations where name = ?", "Good Institute"),
        )
    }
    conn.close()
    return {**ids, "work_key": work, "breakout_key": breakout}


@pytest.mark.parametrize(
    "url,expected",
    [
        ("https://example.org/a?b=1", "https://example.org/a?b=1"),
        ("http://x.org", "http://x.org"),
        (HOSTILE_URL, None),
        ("java\tscript:alert(1)", None),
        (" javascript:alert(1)", None),
        ("data:text/html,x", None),
        ("vbscript:x", None),
        ("//evil.example.org", None),
        ("/kb/articles", None),
        ("", None),
        (None, None),
        (12, None),
        ("https://x.org/\nabc", None),
    ],
)
def test_only_http_and_https_addresses_become_links(url, expected):
    assert safe_link(url) == expected


def test_mailto_only_where_meant_and_doi_links_are_encoded():
    assert safe_link("mailto:a@b.org") is None and safe_link("mailto:a@b.org", ("mailto",)) == "mailto:a@b.org"
    assert doi_link("10.1000/xyz(1)") == "https://doi.org/10.1000/xyz(1)"
    assert '"' not in doi_link('10.1/"><script>') and "<" not in doi_link('10.1/"><script>')


@pytest.fixture(scope="module")
def hostile_kb(tmp_path_factory):
    db = tmp_path_factory.mktemp("hostile") / "kb.db"
    build_browse_kb(db)
    return db, add_hostile_records(db)


def test_pages_show_unsafe_addresses_as_text_not_links(hostile_kb):
    db, ids = hostile_kb
    client = Client(db)
    try:
        article = client.get(f"/kb/articles/{ids['work']}")
        assert HOSTILE_URL in article.text
        assert 'href="JaVaScRiPt' not in article.text and 'href="javascript' not in article.text.lower()
        assert "<script>alert(2)" not in article.text
        assert article.headers["content-security-policy"].startswith("default-src 'self'")
        breakout = client.get(f"/kb/articles/{ids['breakout']}")
        assert "<script>alert(1)" not in breakout.text
        assert 'href="https://example.org/&#34;&gt;&lt;script&gt;' in breakout.text
        organisation = client.get(f"/kb/organisations/{ids['org']}").text
        assert "script:alert(3)" in organisation and 'href=" java' not in organisation
        assert 'href="java' not in organisation.replace("\t", "")
        good = client.get(f"/kb/organisations/{ids['good']}").text
        assert '<a href="https://good.example.org/" rel="nofollow noopener">' in good
        for path in ("/", "/kb", "/kb/articles", "/kb/articles.json", "/kb/-/timeline"):
            assert "frame-ancestors 'none'" in client.get(path).headers["content-security-policy"]
    finally:
        client.close()


def test_html_bibliography_escapes_url_and_doi(hostile_kb):
    db, ids = hostile_kb
    from click.testing import CliRunner

    from kb.cli import cli

    for args in (
        ["export", "--style", "apa", "--to", "html", "--key", ids["breakout_key"], "--key", ids["work_key"]],
        ["ref", ids["breakout_key"], ids["work_key"], "--to", "html"],
    ):
        result = CliRunner().invoke(cli, [*args, "--db", str(db)])
        assert result.exit_code == 0, result.output
        assert "<script>" not in result.output
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in result.output
        assert "&lt;script&gt;alert(2)&lt;/script&gt;" in result.output


@pytest.fixture(scope="module")
def hostile_server(hostile_kb, tmp_path_factory):
    db, ids = hostile_kb
    log_path = tmp_path_factory.mktemp("serve-log") / "serve.log"
    with running_server(db, log=log_path) as server:
        yield server.url, ids


def assert_no_alert(driver) -> None:
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text  # noqa: B018  (reading it raises when there is no alert)


def test_clicking_every_link_on_hostile_pages_runs_no_script(hostile_server, browser):  # noqa: F811
    base, ids = hostile_server
    browser.get(base + f"/kb/articles/{ids['work']}")
    unsafe = browser.find_element(By.CLASS_NAME, "kb-unsafe-url")
    assert unsafe.text == HOSTILE_URL and unsafe.tag_name == "span"
    unsafe.click()
    assert_no_alert(browser)
    pages = [
        f"/kb/articles/{ids['work']}",
        f"/kb/articles/{ids['breakout']}",
        f"/kb/organisations/{ids['org']}",
        "/kb/articles",
        "/kb/organisations",
    ]
    clicked = 0
    for page in pages:
        browser.get(base + page)
        assert_no_alert(browser)
        hrefs = [a.get_attribute("href") or "" for a in browser.find_elements(By.TAG_NAME, "a")]
        assert not [h for h in hrefs if h.lower().replace("\t", "").strip().startswith(("javascript:", "data:"))], hrefs
        for index in range(min(4, len(browser.find_elements(By.CSS_SELECTOR, "main a, .content a, p a")))):
            links = browser.find_elements(By.CSS_SELECTOR, "main a, .content a, p a")
            if index >= len(links) or not links[index].is_displayed():
                continue
            href = links[index].get_attribute("href") or ""
            if not href.startswith(base):
                continue  # never leave the test server
            links[index].click()
            clicked += 1
            assert_no_alert(browser)
            browser.get(base + page)
    assert clicked >= 8
    # The pages' own scripts and styles still run under the content security policy:
    # no CSP errors logged on Datasette's pages (CodeMirror on the SQL page) or kb's.
    browser.get_log("browser")  # drop what came before
    for page in ("/", "/kb", "/kb?sql=select+1", "/kb/articles?_facet=type", "/kb/-/timeline", "/kb/-/network"):
        browser.get(base + page)
    assert browser.find_elements(By.CSS_SELECTOR, "svg.kb-network")
    logs = browser.get_log("browser")
    assert not [entry for entry in logs if "Content Security Policy" in entry.get("message", "")], logs
    browser.get(base + "/kb?sql=select+1")
    assert browser.find_elements(By.CSS_SELECTOR, ".CodeMirror"), "Datasette's SQL editor did not start"
