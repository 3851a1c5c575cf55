"""A real headless Chromium (Debian's chromium + chromium-driver) against a real
`kb serve` on a free local port: facets clicked, pages opened, markup shown as text.

Where Chromium or its driver is missing the tests that need them are skipped, saying
why; under CI=true (.ci/run installs them) that is a failure instead."""

from __future__ import annotations

import os
import sqlite3
import urllib.request
from pathlib import Path

import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By

from .browse_fixtures import SCRIPT_TITLE
from .browsers import require_browser

SCREENSHOTS = Path(os.environ.get("KB_SCREENSHOTS", "")) if os.environ.get("KB_SCREENSHOTS") else None


@pytest.fixture(scope="module")
def server(browse_server):
    """`kb serve` on the browsing test knowledge base (one per session: conftest's
    `browse_server`); yields (base URL, db path, citekeys)."""
    return browse_server


@pytest.fixture(scope="module")
def browser(chromium):
    """The session's headless Chromium (conftest's `chromium`)."""
    return chromium


def shot(driver, name: str) -> None:
    if SCREENSHOTS:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def facet_link(driver, facet: str, label: str):
    return driver.find_element(By.ID, f"facet-{facet}").find_element(By.LINK_TEXT, label)


def shown_count(driver) -> int:
    heading = driver.find_element(By.XPATH, "//h3[contains(., ' row')]").text
    return int(heading.split()[0].replace(",", ""))


def test_serve_answers_json_for_the_readme(server):
    base, _, _ = server
    with urllib.request.urlopen(base + "/kb/articles.json?_shape=array") as response:
        body = response.read().decode()
    assert "An impossible dream?" in body and "Kulhanek" in body


def test_click_a_tag_then_an_organisation(browser, server):
    base, db, _ = server
    browser.get(base + "/kb/articles")
    assert shown_count(browser) == 5
    shot(browser, "articles")
    facet_link(browser, "tag", "Russia").click()
    assert shown_count(browser) == 3
    facet_link(browser, "organisation", "North Atlantic Treaty Organization").click()
    conn = sqlite3.connect(db)
    expected = conn.execute("""select count(*) from articles where
        id in (select article_id from article_tags join tags on tags.id = tag_id where tags.name = 'Russia') and
        id in (select article_id from article_organisations join organisations o on o.id = organisation_id
               where o.name = 'North Atlantic Treaty Organization')""").fetchone()[0]
    conn.close()
    assert shown_count(browser) == expected == 2
    assert "_tag=Russia" in browser.current_url and "_organisation=" in browser.current_url
    shot(browser, "articles-filtered")


def test_article_page_shows_markup_as_text(browser, server):
    base, db, keys = server
    conn = sqlite3.connect(db)
    article = conn.execute("select id from articles where citekey = ?", (keys["script"],)).fetchone()[0]
    conn.close()
    browser.get(f"{base}/kb/articles/{article}")
    assert browser.find_element(By.TAG_NAME, "h1").text == SCRIPT_TITLE
    # the reference shows the markup as text, its straight quotes made typographic (as citeproc-js does)
    shown = SCRIPT_TITLE.split(" Missile")[0].replace('"kb"', "“kb”")
    assert shown in browser.find_element(By.CLASS_NAME, "kb-formatted").text
    with pytest.raises(NoAlertPresentException):
        _ = browser.switch_to.alert.text
    bibtex = browser.find_element(By.LINK_TEXT, "BibTeX").get_attribute("href")
    assert bibtex.endswith(f"/kb/articles.bib?citekey={keys['script']}")
    shot(browser, "article")


def test_timeline_links_each_event_to_its_works(browser, server):
    base, _, _ = server
    browser.get(base + "/kb/-/timeline")
    svg = browser.find_element(By.CSS_SELECTOR, "svg.kb-timeline")
    assert svg.size["width"] > 500
    shot(browser, "timeline")
    browser.find_element(
        By.XPATH, "//*[local-name()='text' and @class='kb-event-name' and contains(., 'Russo-Georgian War')]"
    ).click()
    assert "_event=Russo-Georgian+War" in browser.current_url
    assert shown_count(browser) == 2


def test_network_and_search(browser, server):
    base, _, _ = server
    browser.get(base + "/kb/articles?_tag=Russia")
    browser.find_element(By.LINK_TEXT, "Citation network of these works").click()
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg.kb-network circle")) == 3
    shot(browser, "network")
    box = browser.find_element(By.CSS_SELECTOR, "form.kb-search input[type=search]")
    box.send_keys("Alliance")
    box.submit()
    assert "North Atlantic Treaty Organization" in browser.find_element(By.CLASS_NAME, "kb-search-organisations").text
    shot(browser, "search")


def test_without_chromium_the_browser_tests_are_skipped_with_the_reason(monkeypatch, tmp_path):
    monkeypatch.setenv("KB_CHROMIUM", str(tmp_path / "chromium"))
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"no headless Chromium .*chromium not found; on Debian: apt-get"):
        require_browser()


def test_without_chromium_under_ci_the_browser_tests_fail(monkeypatch, tmp_path):
    monkeypatch.setenv("KB_CHROMEDRIVER", str(tmp_path / "chromedriver"))
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="chromedriver not found"):
        require_browser()
