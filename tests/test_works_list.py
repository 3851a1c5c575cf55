"""The works list (/kb/articles) reads like a bibliography, through Datasette's own test
client: the readable columns by default, every column one link away, titles linking to
the works, readable facets; the database page as a dashboard; saved questions that link
their works; timestamps as people write them."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from kb.datasette_plugin import facet_cache
from kb.datasette_plugin.pages import readable_time, short_authors
from kb.lookup import name_key

from .browse_fixtures import build_browse_kb
from .test_browse import Client

INTERNAL_COLUMNS = ("csl_json", "extra_json", "doi_key", "url_key", "isbn_key", "title_key", "import_id")
TAG_SPELLINGS = {"Remote sensing": 3, "remote-sensing": 2, "Remote Sensing": 1}


def _add_tag_spellings(db: Path) -> None:
    """Tags that differ only in case or hyphen, as imports from different tools leave them
    (written straight into the file: kb's own commands fold them on the way in)."""
    conn = sqlite3.connect(db)
    with conn:
        ids = [row[0] for row in conn.execute("select id from articles order by id")]
        for spelling, works in TAG_SPELLINGS.items():
            tag_id = conn.execute(
                "insert into tags (name, name_key) values (?, ?)", (spelling, name_key(spelling))
            ).lastrowid
            offset = list(TAG_SPELLINGS).index(spelling)
            for article_id in ids[offset : offset + works]:
                conn.execute(
                    "insert or ignore into article_tags (article_id, tag_id) values (?, ?)", (article_id, tag_id)
                )
    conn.close()


@pytest.fixture(scope="module")
def works_db(tmp_path_factory, built_kbs) -> Path:
    db = built_kbs.copy("browse", build_browse_kb, tmp_path_factory.mktemp("works-list") / "kb.db")
    _add_tag_spellings(db)
    return db


@pytest.fixture(scope="module")
def client(works_db):
    facet_cache.clear()
    c = Client(works_db)
    yield c
    c.close()


def _works_table(page: str) -> str:
    return page.split('<table class="rows-and-columns kb-works">', 1)[1].split("</table>", 1)[0]


def _header_columns(table: str) -> list[str]:
    return re.findall(r'<th class="col-[^"]*" scope="col" data-column="([^"]+)"', table)


def test_articles_page_shows_the_readable_columns_not_the_internal_ones(client, works_db):
    page = client.get("/kb/articles").text
    table = _works_table(page)
    assert _header_columns(table) == ["title", "authors", "year", "container_title", "type", "tags", "status"]
    for internal in INTERNAL_COLUMNS:
        assert f'data-column="{internal}"' not in table
    assert "CREATE TABLE" not in page.split("<details", 1)[0]  # the schema, if anywhere, is folded away
    conn = sqlite3.connect(works_db)
    works = conn.execute("select count(*) from articles").fetchone()[0]
    conn.close()
    assert table.count("<tr>") == works + 1


def test_every_title_links_to_its_work_and_tags_to_their_filter(client, works_db):
    conn = sqlite3.connect(works_db)
    georgia = conn.execute("select id from articles where title = 'Georgia after the war'").fetchone()[0]
    conn.close()
    table = _works_table(client.get("/kb/articles").text)
    assert f'<a href="/kb/articles/{georgia}">Georgia after the war</a>' in table
    assert '<a class="kb-tag" href="/kb/articles?_tag=Georgia">Georgia</a>' in table
    assert "&lt;script&gt;" in table and "<script>alert" not in table  # titles escaped


def test_all_columns_are_one_link_away(client):
    page = client.get("/kb/articles").text
    assert '<a href="/kb/articles?_kb_columns=all">Show all columns</a>' in page
    everything = client.get("/kb/articles?_kb_columns=all").text
    assert 'class="rows-and-columns kb-works"' not in everything
    for internal in INTERNAL_COLUMNS:
        assert f'data-column="{internal}"' in everything
    assert 'href="/kb/articles">Show the reading list' in everything
    # Datasette's own ?_col= chooses columns as it always did.
    chosen = client.get("/kb/articles?_col=citekey&_col=doi").text
    assert 'data-column="doi"' in chosen and 'data-column="authors"' not in chosen


def test_column_documentation_is_folded_away(client):
    page = client.get("/kb/articles").text
    docs = page.index('<dl class="column-descriptions">')
    assert page.rfind("<details", 0, docs) > page.rfind("</details>", 0, docs)
    assert page.index('class="rows-and-columns kb-works"') > docs


def _facet(page_json: dict, name: str) -> list[tuple]:
    return [(v["value"], v["count"]) for v in page_json["facet_results"][name]["results"]]


def test_year_facet_in_year_order(client):
    years = [value for value, _ in _facet(client.json("/kb/articles.json"), "year")]
    assert len(years) >= 2
    assert years == sorted(years, reverse=True)


def test_tags_differing_in_case_or_hyphen_are_one_facet_value(client):
    tags = dict(_facet(client.json("/kb/articles.json?_facet_size=max"), "tag"))
    spellings = [name for name in tags if name_key(name) == name_key("Remote sensing")]
    assert spellings == ["Remote sensing"]  # the spelling most works use
    assert tags["Remote sensing"] == sum(TAG_SPELLINGS.values())
    # Clicking it selects the works under every spelling.
    page = client.json("/kb/articles.json?_tag=remote-sensing")
    assert page["filtered_table_rows_count"] == max(
        offset + works for offset, works in enumerate(TAG_SPELLINGS.values())
    )  # the works under any spelling (they overlap: 0-2, 1-2, 2)
    selected = [v for v in page["facet_results"]["tag"]["results"] if v["selected"]]
    assert [v["value"] for v in selected] == ["Remote sensing"]


def test_empty_facets_are_hidden(client):
    # No work is both "Untitled clipping" and linked to an event: the event facet says nothing.
    page = client.json("/kb/articles.json?title=Untitled+clipping")
    assert page["filtered_table_rows_count"] == 1
    assert "event" not in page["facet_results"]
    assert "tag" in page["facet_results"]


def test_facet_size_max_is_capped(client, works_db):
    conn = sqlite3.connect(works_db)
    with conn:
        conn.executemany(
            "insert into tags (name, name_key) values (?, ?)", [(f"t{n:03}", f"t{n:03}") for n in range(80)]
        )
        conn.execute(
            "insert into article_tags (article_id, tag_id) select (select min(id) from articles), id from tags "
            "where name like 't0%'"
        )
    conn.close()
    facet_cache.clear()
    page = client.json("/kb/articles.json?_facet_size=max")
    tag = page["facet_results"]["tag"]
    assert len(tag["results"]) == 50 and tag["truncated"]
    html = client.get("/kb/articles?_facet_size=max").text
    assert '<a href="/kb/tags">all tags …</a>' in html


def test_facet_values_and_counts_do_not_break(client):
    page = client.get("/kb/articles").text
    assert '<span class="facet-count">' in page
    css = client.get("/-/static-plugins/kb/kb.css").text
    assert ".facet-info ul.tight-bullets li { word-break: normal;" in css
    assert ".facet-count { white-space: nowrap;" in css


def test_header_links_to_the_works_and_database_page_is_a_dashboard(client):
    home = client.get("/").text
    assert 'class="kb-works-link" href="/kb/articles">Works</a>' in home
    db_page = client.get("/kb").text
    assert "select * from affiliations" not in db_page
    assert "This knowledge base holds" in db_page
    assert re.search(r'<a href="/kb/articles">\d+ works</a>', db_page)
    assert "Recently added" in db_page and "Saved questions" in db_page


def test_event_page_lists_its_works(client, works_db):
    conn = sqlite3.connect(works_db)
    event_id, work_id, title = conn.execute(
        "select events.id, articles.id, articles.title from events "
        "join article_events on article_events.event_id = events.id "
        "join articles on articles.id = article_events.article_id where events.name = '2010 NATO Lisbon Summit' "
        "order by articles.id limit 1"
    ).fetchone()
    conn.close()
    page = client.get(f"/kb/events/{event_id}").text
    works = page.split("<h2>Works</h2>", 1)[1].split("</section>", 1)[0]
    assert f'<a href="/kb/articles/{work_id}">' in works
    assert works.count("<li>") >= 2


def test_saved_questions_link_their_works(client, works_db):
    conn = sqlite3.connect(works_db)
    work_id = conn.execute("select id from articles where citekey = 'kulhanekImpossibleDream'").fetchone()[0]
    conn.close()
    cited = client.get("/kb/most_cited").text
    assert f'<a href="/kb/articles/{work_id}">kulhanekImpossibleDream</a>' in cited
    week = client.get("/kb/added_this_week").text  # a list of citekeys: each one linked
    assert '<a href="/kb/articles?citekey=kulhanekImpossibleDream">kulhanekImpossibleDream</a>' in week
    missing = client.get("/kb/missing_details").text
    assert "<code>document</code>" in missing and "`document`" not in missing


def test_timestamps_read_as_people_write_them(client):
    assert readable_time("2026-12-01T14:22:05Z") == "2026-12-01 14:22"
    assert readable_time("2026-12-01T14:22:05.123+00:00") == "2026-12-01 14:22"
    assert readable_time("2026-12-01") == "2026-12-01"
    assert readable_time(None) is None
    recent = client.get("/kb/recently_added").text
    assert re.search(r'<td class="col-added_at[^"]*">\d{4}-\d\d-\d\d \d\d:\d\d</td>', recent)
    assert not re.search(r"\d\d:\d\d:\d\dZ", recent)
    # The JSON keeps the stored value.
    rows = client.json("/kb/recently_added.json?_shape=array")
    assert rows[0]["added_at"].endswith("Z")
    # A work's page: its provenance and its notes' stamps too.
    work_id = client.json("/kb/articles.json?_shape=array&_size=1")[0]["id"]
    page = client.get(f"/kb/articles/{work_id}").text
    provenance = page[page.index("<h2>Provenance</h2>") :]
    assert re.search(r"on \d{4}-\d\d-\d\d \d\d:\d\d; last changed \d{4}-\d\d-\d\d \d\d:\d\d\.", provenance)
    assert not re.search(r"\d\d:\d\d:\d\dZ", page)


def test_long_author_lists_are_shortened_in_the_list_only():
    assert short_authors("A, B; C, D; E, F; G, H") == "A, B; C, D; E, F et al."
    assert short_authors("A, B; C, D") == "A, B; C, D"
    assert short_authors(None) is None


def test_home_page_leads_with_the_works_not_link_tables(client):
    home = client.get("/").text
    listed = home.split("hidden tables", 1)[1] if "hidden tables" in home else home
    assert '<a href="/kb/articles"' in listed
    assert '<a href="/kb/article_tags"' not in listed and '<a href="/kb/affiliations"' not in listed
