"""The works list in a real headless Chromium at a desktop and a phone size: titles get
room (no seven-line wraps), and on a phone the first work is on the first screen, as a
card of the readable fields only. KB_SCREENSHOTS=DIR keeps the screenshots."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from .test_browser import browser, server, shot  # noqa: F401 (fixtures)

READABLE = {"title", "authors", "year", "container_title", "type", "tags", "status"}


def _first_row(driver):
    return driver.find_element(By.CSS_SELECTOR, "table.kb-works tbody tr")


@pytest.fixture
def sized(browser):  # noqa: F811
    """The browser, put back to the desktop size the other browser tests expect."""
    yield browser
    browser.set_window_size(1400, 1000)


def test_works_list_at_desktop_size(sized, server):  # noqa: F811
    base, _, _ = server
    sized.set_window_size(1400, 1000)
    sized.get(base + "/kb/articles")
    shot(sized, "works-list-1400")
    headers = [th.get_attribute("data-column") for th in sized.find_elements(By.CSS_SELECTOR, "table.kb-works th")]
    assert set(headers) == READABLE
    title = sized.find_element(By.CSS_SELECTOR, "table.kb-works td.col-title")
    line_height = 24  # 16 px text at Datasette's line height, with room to spare
    assert title.size["width"] >= 300, title.size
    for cell in sized.find_elements(By.CSS_SELECTOR, "table.kb-works td.col-title"):
        # title plus the citekey under it: at most three lines, never seven
        assert cell.size["height"] <= 4 * line_height, (cell.text, cell.size)
    link = title.find_element(By.TAG_NAME, "a")
    assert "/kb/articles/" in link.get_attribute("href")


def test_works_list_on_a_phone(sized, server):  # noqa: F811
    base, _, _ = server
    sized.set_window_size(390, 844)
    sized.get(base + "/kb/articles")
    shot(sized, "works-list-390")
    viewport = sized.execute_script("return window.innerHeight")
    row = _first_row(sized)
    assert row.location["y"] + 40 < viewport, (row.location, viewport)  # the first work is on the first screen
    assert row.size["width"] <= 390
    shown = {cell.get_attribute("data-column") for cell in row.find_elements(By.TAG_NAME, "td") if cell.is_displayed()}
    assert shown <= {"title", "authors", "year", "outlet", "type", "tags", "status"}
    assert "csl_json" not in row.text and "{" not in row.text
    assert row.size["height"] < 300, row.size  # a short card, not 34 fields
