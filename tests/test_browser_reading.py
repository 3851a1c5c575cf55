"""What a person sees in a real headless Chromium against a real `kb serve`: on a
desktop the works are on the first screen with the facets beside them; on a phone a work
is a short card; the table of every column scrolls inside its own box and never widens
the page, each long value folded to one line that opens on a click; facet values and
counts never break inside a word or a number; search results and the network say what
matched and who wrote what. KB_SCREENSHOTS=DIR keeps the screenshots."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from .test_browser import browser, server, shot  # noqa: F401 (fixtures)

DESKTOP, PHONE = (1400, 1000), (390, 844)


@pytest.fixture
def sized(browser):  # noqa: F811
    """The browser, put back to the desktop size the other browser tests expect."""
    yield browser
    browser.set_window_size(*DESKTOP)


def _open(driver, base: str, path: str, size: tuple[int, int]):
    driver.set_window_size(*size)
    driver.get(base + path)


def _page_width(driver) -> int:
    return driver.execute_script("return document.documentElement.scrollWidth")


def _viewport(driver) -> tuple[int, int]:
    return driver.execute_script("return [window.innerWidth, window.innerHeight]")


def test_desktop_rows_on_the_first_screen_with_facets_beside_them(sized, server):  # noqa: F811
    base, db, _ = server
    _open(sized, base, "/kb/articles", DESKTOP)
    shot(sized, "reading-articles-1400")
    width, height = _viewport(sized)
    rows = sized.find_elements(By.CSS_SELECTOR, "table.kb-works tbody tr")
    assert rows
    first = rows[0]
    assert first.location["y"] + first.size["height"] <= height, (first.location, first.size)
    assert first.find_element(By.CSS_SELECTOR, "td.col-title a").is_displayed()
    table = sized.find_element(By.CSS_SELECTOR, "table.kb-works")
    facets = sized.find_element(By.CSS_SELECTOR, ".facet-results")
    # beside the rows, not under them: the facet column starts right of the table, at its top
    assert facets.location["x"] >= table.location["x"] + table.size["width"], (facets.location, table.size)
    search = sized.find_element(By.CSS_SELECTOR, "form.filters")
    assert search.location["y"] < height
    # every readable column shows whole: the works table needs no sideways scrolling
    wrapper = sized.find_element(By.CSS_SELECTOR, ".kb-works-wrapper")
    assert sized.execute_script("return arguments[0].scrollWidth <= arguments[0].clientWidth + 1", wrapper)
    assert _page_width(sized) <= width


def test_phone_card_is_short_and_comes_before_the_filters(sized, server):  # noqa: F811
    base, _, _ = server
    _open(sized, base, "/kb/articles", PHONE)
    shot(sized, "reading-articles-390")
    width, height = _viewport(sized)
    cards = sized.find_elements(By.CSS_SELECTOR, "table.kb-works tbody tr")
    assert cards[0].location["y"] + cards[0].size["height"] <= height
    for card in cards:
        assert card.size["height"] <= 200, (card.text, card.size)  # title, authors, one line, tags
    form = sized.find_element(By.CSS_SELECTOR, "form.filters")
    assert form.location["y"] > cards[-1].location["y"]  # the rows first, then the form
    assert _page_width(sized) <= width


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_column_view_does_not_widen_the_page(sized, server, size):  # noqa: F811
    base, _, _ = server
    _open(sized, base, "/kb/articles?_kb_columns=all", size)
    shot(sized, f"reading-all-columns-{size[0]}")
    width, _ = _viewport(sized)
    assert _page_width(sized) <= width  # the page itself never scrolls sideways
    # on a phone as on a desktop (not Datasette's phone card of all 34 fields): the columns
    # scroll inside the table's own box, one line a work, the title aside
    wrapper = sized.find_element(By.CSS_SELECTOR, ".table-wrapper")
    assert sized.execute_script("return arguments[0].scrollWidth > arguments[0].clientWidth", wrapper)
    rows = sized.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")
    assert rows
    limit = 80 if size == DESKTOP else 130  # the title column is narrower on a phone: more lines
    for row in rows:
        assert row.size["height"] <= limit, (row.text[:200], row.size)
    assert sized.find_element(By.CSS_SELECTOR, "table.rows-and-columns thead th").is_displayed()


def test_a_folded_value_opens_to_the_whole_value_in_one_click(sized, server):  # noqa: F811
    base, _, _ = server
    _open(sized, base, "/kb/articles?_kb_columns=all", DESKTOP)
    cell = sized.find_element(By.CSS_SELECTOR, "td.col-csl_json details.kb-long")
    summary = cell.find_element(By.TAG_NAME, "summary")
    assert summary.text.endswith("…") and len(summary.text) <= 45
    full = cell.find_element(By.TAG_NAME, "pre")
    assert not full.is_displayed()
    sized.execute_script("arguments[0].scrollIntoView({block: 'center', inline: 'center'})", summary)
    summary.click()
    assert full.is_displayed() and '"title"' in full.text
    assert _page_width(sized) <= _viewport(sized)[0]


def test_facet_values_and_counts_are_never_broken(sized, server):  # noqa: F811
    base, _, _ = server
    for size in (DESKTOP, PHONE):
        _open(sized, base, "/kb/articles", size)
        values = sized.find_elements(By.CSS_SELECTOR, ".facet-info li a:not(.cross)")
        counts = sized.find_elements(By.CSS_SELECTOR, ".facet-info .facet-count")
        assert values and counts
        for count in counts:  # "336" on one line, never "33 / 6"
            assert sized.execute_script("return arguments[0].getClientRects().length", count) == 1, count.text
        for value in values:
            words = len(value.text.split())
            lines = sized.execute_script("return arguments[0].getClientRects().length", value)
            # a value may wrap between its words, never inside one
            assert lines <= max(words, 1), (value.text, lines, size)


def test_search_shows_works_found_through_their_links(sized, server):  # noqa: F811
    base, _, _ = server
    _open(sized, base, "/kb/-/search?q=NATO", DESKTOP)
    shot(sized, "reading-search-nato")
    works = sized.find_element(By.CSS_SELECTOR, ".kb-search-articles")
    titles = [a.text for a in works.find_elements(By.CSS_SELECTOR, "ol.kb-search-works > li > a")]
    assert "An impossible dream?" in titles
    matched = works.find_elements(By.CSS_SELECTOR, ".kb-matched")
    assert any("organisation North Atlantic Treaty Organization (NATO)" in m.text for m in matched)


def test_network_labels_read_as_author_and_year(sized, server):  # noqa: F811
    base, _, _ = server
    _open(sized, base, "/kb/-/network", DESKTOP)
    shot(sized, "reading-network")
    labels = [t.text for t in sized.find_elements(By.CSS_SELECTOR, "svg.kb-network text.kb-node-label")]
    assert "Kulhanek n.d.-a" in labels and "Kulhanek n.d.-b" in labels
    assert len(set(labels)) == len(labels)  # no two works under one label
