"""A department server in a real headless Chromium: a real `kb serve FOLDER` with
accounts; logging in through the login page as a supervisor and as a researcher, and
what each sees and may not see (pages, .json, .bib, SQL, the group view). Anonymous
visitors get the login page. KB_SCREENSHOTS=DIR keeps the screenshots."""

from __future__ import annotations

import urllib.parse

import pytest
from selenium.webdriver.common.by import By

from .serving import running_kb_serve
from .test_browser import browser, shot  # noqa: F401 (fixtures)
from .test_department import PASSWORD, folder  # noqa: F401 (fixtures)


@pytest.fixture(scope="module")
def department_server(folder, tmp_path_factory):  # noqa: F811
    with running_kb_serve(str(folder), log=tmp_path_factory.mktemp("department-log") / "serve.log") as server:
        yield server.url


def log_in(driver, base: str, name: str) -> None:
    driver.delete_all_cookies()
    driver.get(base + "/-/login")
    driver.find_element(By.ID, "id_username").send_keys(name)
    driver.find_element(By.ID, "id_password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form.password-login input[type=submit]").click()
    assert driver.current_url == base + "/", driver.page_source[:500]


def fetched(driver, url: str) -> tuple[int, str]:
    """Status and body of `url` fetched by the page, with the browser's login cookie
    (a .bib or .ris answer is a download the window would not show)."""
    script = (
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0], {redirect: 'manual'}).then(r => r.text().then(t => done([r.status, t])));"
    )
    status, body = driver.execute_async_script(script, url)
    return status, body


def is_forbidden(driver, url: str) -> bool:
    driver.get(url)
    return "Forbidden" in driver.title or driver.find_element(By.TAG_NAME, "body").text.startswith("Forbidden")


def test_anonymous_visitors_get_the_login_page_or_403(browser, department_server):  # noqa: F811
    base = department_server
    browser.delete_all_cookies()
    for path in ("/", "/alice", "/alice/articles", "/alice/articles/1", "/-/kb/group", "/alice?sql=select+1"):
        browser.get(base + path)
        back_to = "" if path == "/" else "?" + urllib.parse.urlencode({"next": path})  # the page, after login
        assert browser.current_url == base + "/-/login" + back_to, path
    shot(browser, "department-login")
    browser.get(base + "/-/login")
    for path in ("/alice/articles.json", "/alice/articles.bib", "/alice.json?sql=select+1", "/alice/most_cited.json"):
        status, body = fetched(browser, base + path)
        assert status == 403 and "Only in alice" not in body and "kulhanek" not in body.lower(), path


def test_a_supervisor_logs_in_and_sees_the_group_view(browser, department_server):  # noqa: F811
    base = department_server
    log_in(browser, base, "carol")
    listed = {a.text for a in browser.find_elements(By.CSS_SELECTOR, "h2 a")}
    assert {"alice", "bob"} <= listed and "dave" not in listed
    browser.get(base + "/-/kb/group?since=2000-01-01")
    shot(browser, "department-group-view")
    sections = [s.get_attribute("id") for s in browser.find_elements(By.CSS_SELECTOR, "section.kb-group-kb")]
    assert sections == ["kb-alice", "kb-bob"]
    label, box = (browser.find_element(By.CSS_SELECTOR, f"form.kb-group-since {css}") for css in ("label", "input"))
    assert abs(label.rect["y"] - box.rect["y"]) < box.rect["height"]  # side by side, on one line
    assert box.rect["x"] - (label.rect["x"] + label.rect["width"]) < 30  # with no wide gap between
    assert "Only in alice's knowledge base" in browser.page_source.replace("&#39;", "'")
    shared = browser.find_element(By.CSS_SELECTOR, "section.kb-group-shared")
    assert "Sources in more than one knowledge base (2)" in shared.text
    shared.find_element(By.LINK_TEXT, "bob").click()
    assert "/bob/articles/" in browser.current_url and "Forbidden" not in browser.title
    status, bib = fetched(browser, base + "/alice/articles.bib")
    assert status == 200 and "@" in bib and "Only in alice" in bib
    browser.get(base + "/bob?sql=select+count(*)+as+works+from+articles")
    assert "works" in browser.find_element(By.CSS_SELECTOR, "table").text
    for path in ("/dave/articles", "/dave?sql=select+1", "/dave"):
        assert is_forbidden(browser, base + path), path
    for path in ("/dave/articles.json", "/dave/articles.bib", "/dave/articles.ris", "/dave.json?sql=select+1"):
        assert fetched(browser, base + path)[0] == 403, path


def test_a_researcher_sees_their_own_knowledge_base_only(browser, department_server):  # noqa: F811
    base = department_server
    log_in(browser, base, "alice")
    browser.get(base + "/alice/articles")
    assert "Only in alice" in browser.page_source
    assert fetched(browser, base + "/alice/articles.ris")[0] == 200
    for path in ("/bob/articles", "/bob?sql=select+1", "/bob/most_cited"):
        assert is_forbidden(browser, base + path), path
    for path in ("/bob/articles.json", "/bob/articles.ris", "/bob.json?sql=select+1"):
        assert fetched(browser, base + path)[0] == 403, path
    browser.get(base + "/-/kb/group")
    sections = [s.get_attribute("id") for s in browser.find_elements(By.CSS_SELECTOR, "section.kb-group-kb")]
    assert sections == ["kb-alice"]


def test_logging_in_from_a_private_page_returns_to_it(browser, department_server):  # noqa: F811
    base = department_server
    browser.delete_all_cookies()
    browser.get(base + "/alice/articles?_sort=year")
    assert browser.current_url.startswith(base + "/-/login?next="), browser.current_url
    browser.find_element(By.ID, "id_username").send_keys("alice")
    browser.find_element(By.ID, "id_password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form.password-login input[type=submit]").click()
    assert browser.current_url == base + "/alice/articles?_sort=year"
    assert "Only in alice" in browser.page_source
