"""The sample knowledge base through the real Datasette app (its test client)."""

from pathlib import Path

import pytest
import yaml
from datasette.app import Datasette

METADATA = Path(__file__).parent.parent / "kb" / "metadata.yml"


@pytest.fixture
def datasette(sample_db):
    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    # The sample file is named sample.db; metadata.yml describes the database "kb".
    metadata["databases"]["sample"] = metadata["databases"].pop("kb")
    return Datasette([str(sample_db)], metadata=metadata)


@pytest.mark.asyncio
async def test_articles_json_lists_the_blog_post_with_its_author(datasette):
    response = await datasette.client.get("/sample/articles.json?_shape=array&citekey=kulhanekImpossibleDream")
    assert response.status_code == 200
    [row] = response.json()
    assert row["title"] == "An impossible dream?"
    assert row["authors"] == "Kulhanek, Jakub"
    assert row["type"] == "post-weblog"


@pytest.mark.asyncio
async def test_the_row_page_links_authors_tags_events_organisations_and_citations(datasette, sample_db):
    import sqlite3

    conn = sqlite3.connect(sample_db)
    ids = dict(conn.execute("select citekey, id from articles").fetchall())
    author = conn.execute("select id from authors where name = 'Kulhanek, Jakub'").fetchone()[0]
    events = [
        r[0]
        for r in conn.execute(
            "select event_id from article_events where article_id = ?", (ids["kulhanekImpossibleDream"],)
        )
    ]
    organisations = [
        r[0]
        for r in conn.execute(
            "select organisation_id from article_organisations where article_id = ?", (ids["kulhanekImpossibleDream"],)
        )
    ]
    conn.close()
    page = await datasette.client.get(f"/sample/articles/{ids['kulhanekImpossibleDream']}")
    assert page.status_code == 200
    links = [
        f"/sample/authors/{author}",
        "/sample/articles?_tag=Russia",
        "/sample/articles?_tag=European+security",
        f"/sample/articles/{ids['kulhanekImpossibleDreamEarlier']}",
        *(f"/sample/events/{e}" for e in events),
        *(f"/sample/organisations/{o}" for o in organisations),
    ]
    assert len(events) == 2 and len(organisations) == 3
    for link in links:
        assert f'href="{link}"' in page.text, link


@pytest.mark.asyncio
async def test_saved_queries_answer(datasette):
    response = await datasette.client.get("/sample/sources_per_event.json?_shape=array")
    assert response.status_code == 200
    assert {row["name"]: row["sources"] for row in response.json()} == {
        "Russo-Georgian War": 1,
        "2010 NATO Lisbon Summit": 1,
    }
    most_cited = (await datasette.client.get("/sample/most_cited.json?_shape=array")).json()
    assert [row["citekey"] for row in most_cited] == ["kulhanekImpossibleDreamEarlier"]


@pytest.mark.asyncio
async def test_full_text_search_finds_the_work(datasette):
    response = await datasette.client.get("/sample/articles.json?_shape=array&_search=impossible")
    assert sorted(row["citekey"] for row in response.json()) == [
        "kulhanekImpossibleDream",
        "kulhanekImpossibleDreamEarlier",
    ]
    response = await datasette.client.get("/sample/articles.json?_shape=array&_search=scepticism")
    assert response.json() == []
