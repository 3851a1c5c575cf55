"""A real headless Chromium (Debian's chromium + chromium-driver) against a real
`kb serve` on a free local port: facets clicked, pages opened, markup shown as text."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from .browse_fixtures import SCRIPT_TITLE, build_browse_kb

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
REPO = Path(__file__).resolve().parent.parent
SCREENSHOTS = Path(os.environ.get("KB_SCREENSHOTS", "")) if os.environ.get("KB_SCREENSHOTS") else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`kb serve` on the browsing test knowledge base; yields (base URL, db path)."""
    folder = tmp_path_factory.mktemp("served")
    db = folder / "kb.db"
    keys = build_browse_kb(db)
    port = free_port()
    log = open(folder / "serve.log", "w")
    process = subprocess.Popen([sys.executable, "-c", "from kb.cli import main; main()", "serve", "--db", str(db), "--port", str(port)],
                               cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=1)
                break
            except OSError:
                if process.poll() is not None:
                    break
                time.sleep(0.1)
        else:
            pytest.fail("kb serve did not start")
        assert process.poll() is None, (folder / "serve.log").read_text()
        yield base, db, keys
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1400,1000",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
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


def test_click_a_tag_then_an_organisation(server, browser):
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


def test_article_page_shows_markup_as_text(server, browser):
    base, db, keys = server
    conn = sqlite3.connect(db)
    article = conn.execute("select id from articles where citekey = ?", (keys["script"],)).fetchone()[0]
    conn.close()
    browser.get(f"{base}/kb/articles/{article}")
    assert browser.find_element(By.TAG_NAME, "h1").text == SCRIPT_TITLE
    assert SCRIPT_TITLE.split(" Missile")[0] in browser.find_element(By.CLASS_NAME, "kb-formatted").text
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text
    assert browser.find_element(By.LINK_TEXT, "BibTeX").get_attribute("href").endswith(f"/kb/articles.bib?citekey={keys['script']}")
    shot(browser, "article")


def test_timeline_links_each_event_to_its_works(server, browser):
    base, _, _ = server
    browser.get(base + "/kb/-/timeline")
    svg = browser.find_element(By.CSS_SELECTOR, "svg.kb-timeline")
    assert svg.size["width"] > 500
    shot(browser, "timeline")
    browser.find_element(By.XPATH, "//*[local-name()='text' and @class='kb-event-name' and "
                                   "contains(., 'Russo-Georgian War')]").click()
    assert "_event=Russo-Georgian+War" in browser.current_url
    assert shown_count(browser) == 2


def test_network_and_search(server, browser):
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
