"""Search that knows the links, a citation network people can read, and the table of
every column folded to one line a work: through Datasette's own test client over the
browsing test knowledge base (the sample plus three works added with the CLI)."""

from __future__ import annotations

import html
import json
import re
import sqlite3
import urllib.parse
from pathlib import Path

import pytest

from kb.datasette_plugin import facet_cache
from kb.datasette_plugin.network import label_works, short_reference

from .browse_fixtures import build_browse_kb
from .test_browse import Client


@pytest.fixture(scope="module")
def db(tmp_path_factory, built_kbs) -> Path:
    return built_kbs.copy("browse", build_browse_kb, tmp_path_factory.mktemp("search") / "kb.db")


@pytest.fixture(scope="module")
def client(db):
    facet_cache.clear()
    c = Client(db)
    yield c
    c.close()


def _ids(db: Path, sql: str) -> list[int]:
    conn = sqlite3.connect(db)
    try:
        return [row[0] for row in conn.execute(sql)]
    finally:
        conn.close()


def _works_section(page: str) -> str:
    return page.split('<section class="kb-search-articles">', 1)[1].split("</section>", 1)[0]


def _found_work_ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<li><a href="/kb/articles/(\d+)">', _works_section(page))]


def test_search_finds_works_through_their_linked_organisation(client, db):
    """'NATO' is in no title of the sample's blog post, but the post is linked to NATO."""
    linked = _ids(
        db,
        "select article_id from article_organisations join organisations on organisations.id = organisation_id "
        "where organisations.acronym = 'NATO'",
    )
    page = client.get("/kb/-/search?q=NATO").text
    found = _found_work_ids(page)
    assert set(linked) <= set(found), (linked, found)
    works = _works_section(page)
    assert "organisation <strong>North Atlantic Treaty Organization (NATO)</strong>" in works
    assert 'href="/kb/articles?_organisation=North+Atlantic+Treaty+Organization"' in works


@pytest.mark.parametrize(
    "query, kind, name",
    [
        ("the Alliance", "organisation", "North Atlantic Treaty Organization"),  # an alias
        ("Lisbon Summit", "event", "2010 NATO Lisbon Summit"),  # an alias of the event
        ("Kulhanek", "author", "Kulhanek, Jakub"),
        ("european security", "tag", "European security"),
    ],
)
def test_search_finds_works_by_alias_author_and_tag(client, db, query, kind, name):
    works = _works_section(client.get("/kb/-/search?" + urllib.parse.urlencode({"q": query})).text)
    assert f"{kind} <strong>{name}" in works, works
    assert _found_work_ids(f'<section class="kb-search-articles">{works}</section>')


def test_search_ranks_an_exact_name_above_a_word_in_the_text(client, db):
    """Works linked to the organisation named exactly 'Georgia' come before a work that only
    has the word in its title and no link to it."""
    page = client.get("/kb/-/search?q=Georgia").text
    found = _found_work_ids(page)
    linked = set(
        _ids(
            db,
            "select article_id from article_organisations join organisations on organisations.id = organisation_id "
            "where organisations.name = 'Georgia'",
        )
    )
    assert found and found[0] in linked
    assert "<mark>Georgia</mark>" in _works_section(page)  # what matched in the text is shown


def test_search_text_is_escaped_and_a_query_never_breaks(client):
    page = client.get("/kb/-/search?q=missile").text
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert client.get("/kb/-/search?q=%22unbalanced").status_code == 200
    assert "No work matches." in client.get("/kb/-/search?q=zzzqqq").text


def test_short_references_as_author_year_styles_write_them():
    assert short_reference("Kulhanek, Jakub", 2024, "A title", "k") == "Kulhanek 2024"
    assert short_reference("Smith, A; Jones, B", 2010, "t", "k") == "Smith & Jones 2010"
    assert short_reference("Smith, A; Jones, B; Brown, C", None, "t", "k") == "Smith et al. n.d."
    assert short_reference(None, 2001, "Untitled clipping", "k") == "Untitled clipping 2001"
    assert (
        short_reference("Organisation for Security and Co-operation in Europe", 1999, "t", "k")
        == "Organisation for… 1999"
    )
    works = [
        {"id": 1, "authors": "Kulhanek, Jakub", "year": None, "title": "An impossible dream?", "citekey": "a"},
        {"id": 2, "authors": "Kulhanek, Jakub", "year": None, "title": "Earlier version", "citekey": "b"},
    ]
    label_works(works)
    assert [w["label"] for w in works] == ["Kulhanek n.d.-a", "Kulhanek n.d.-b"]


def test_network_labels_every_work_by_short_reference(client, db):
    page = client.get("/kb/-/network").text
    labels = re.findall(r'<text class="kb-node-label"[^>]*>([^<]+)</text>', page)
    assert len(labels) == len(_ids(db, "select id from articles"))
    assert "Kulhanek n.d.-a" in labels and "Kulhanek n.d.-b" in labels  # told apart, not two "kulhanekImpo…"
    assert "Smith 2011" in labels and "Kulhanek 2009" in labels
    assert all(not label.startswith("kulhanek") for label in labels)
    links = re.findall(r'<a href="(/kb/articles/\d+)" class="kb-node">', page)
    assert len(links) == len(labels)


def test_network_draws_the_most_connected_works_when_there_are_more(client, db, monkeypatch):
    from kb.datasette_plugin import routes

    monkeypatch.setattr(routes, "NETWORK_LIMIT", 3)
    page = client.get("/kb/-/network").text
    drawn = {int(i) for i in re.findall(r'<a href="/kb/articles/(\d+)" class="kb-node">', page)}
    cited_or_citing = set(_ids(db, "select citing_id from citations union select cited_id from citations"))
    assert len(drawn) == 3 and drawn <= cited_or_citing
    assert "the 3 most connected of" in page


def test_every_column_view_folds_long_values(client):
    page = client.get("/kb/articles?_kb_columns=all").text
    folded = re.findall(r'<details class="kb-long"><summary>([^<]*)</summary><pre>(.*?)</pre></details>', page, re.S)
    assert folded and all(len(html.unescape(summary)) <= 41 for summary, _ in folded)
    # the whole CSL-JSON item is inside, one click away
    items = [json.loads(html.unescape(full)) for summary, full in folded if summary.startswith("{")]
    assert "An impossible dream?" in {item.get("title") for item in items}
    # titles are what rows are read by: never folded
    assert not any("An impossible dream?" == html.unescape(summary) for summary, _ in folded)
    assert re.search(r'<td class="col-title[^"]*">An impossible dream\?</td>', page)


def test_rows_come_before_the_filters_and_facets(client):
    page = client.get("/kb/articles").text
    assert page.index('class="rows-and-columns kb-works"') < page.index('<form class="filters"')
    assert page.index('<form class="filters"') < page.index('class="facet-results"')
    layout = page.split('<div class="kb-table-layout">', 1)[1]
    assert layout.index('<div class="kb-table-rows">') < layout.index('<aside class="kb-table-side"')


def test_home_page_says_what_the_knowledge_base_holds(client, db):
    home = client.get("/").text
    works = len(_ids(db, "select id from articles"))
    organisations = len(_ids(db, "select id from organisations"))
    holds = home.split('<p class="kb-holds">', 1)[1].split("</p>", 1)[0]
    assert f'<a href="/kb/articles">{works} works</a>' in holds
    assert f'<a href="/kb/organisations">{organisations} organisations</a>' in holds
    assert "hidden table" not in home and "rows in" not in home
    assert '<a href="/kb/-/search">Search</a>' in home


def test_a_facet_slower_than_the_sql_limit_is_still_kept_by_the_background_retry(db):
    """Datasette lets a query lower its time limit, never raise it: the retry of a facet
    that missed its limit must not stop at sql_time_limit_ms, or it is never kept."""
    import asyncio

    from datasette.app import Datasette

    async def run() -> list:
        ds = Datasette([str(db)], settings={"sql_time_limit_ms": 20, "facet_time_limit_ms": 20})
        kb_db = ds.get_database("kb")
        slow = (
            "with recursive n(i) as (select 1 union all select i + 1 from n where i < 3000000) "
            "select count(*) as value, 1 as count from n"
        )
        key = facet_cache._key(kb_db, slow, {})
        await facet_cache._compute_in_background(kb_db, key, slow, {})
        return facet_cache._results.get(key)

    facet_cache.clear()
    assert asyncio.run(run()) == [{"value": 3000000, "count": 1}]
