"""A real headless Chromium (Debian's chromium + chromium-driver) against a real
`kb serve` on a free local port: facets clicked, pages opened, markup shown as text.

Where Chromium or its driver is missing the tests that need them are skipped, saying
why; under CI=true (.ci/run installs them) that is a failure instead."""

from __future__ import annotations

import os
import shutil
import sqlite3
import urllib.request
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from .browse_fixtures import SCRIPT_TITLE, build_browse_kb
from .serving import running_server

SCREENSHOTS = Path(os.environ.get("KB_SCREENSHOTS", "")) if os.environ.get("KB_SCREENSHOTS") else None


def require_browser() -> tuple[str, str]:
    """The Chromium and chromedriver to drive (KB_CHROMIUM, KB_CHROMEDRIVER, else found on
    PATH); the test is skipped where one is missing, and fails under CI=true."""
    chromium = os.environ.get("KB_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    chromedriver = os.environ.get("KB_CHROMEDRIVER") or shutil.which("chromedriver") or "/usr/bin/chromedriver"
    missing = [path for path in (chromium, chromedriver) if not os.access(path, os.X_OK)]
    if missing:
        reason = (
            f"no headless Chromium for the browser tests ({', '.join(missing)} not found; "
            "on Debian: apt-get install chromium chromium-driver)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return chromium, chromedriver


@pytest.fixture(scope="module")
def server(tmp_path_factory, built_kbs):
    """`kb serve` on the browsing test knowledge base; yields (base URL, db path, citekeys)."""
    folder = tmp_path_factory.mktemp("served")
    db = built_kbs.copy("browse", build_browse_kb, folder / "kb.db")
    with running_server(db, log=folder / "serve.log") as served:
        yield served.url, db, built_kbs.built("browse", build_browse_kb)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium, chromedriver = require_browser()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1400,1000",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(chromedriver), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


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
