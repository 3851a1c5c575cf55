"""The supervisors' pages through Datasette's own test client: facets, filters, the
article, organisation and event pages, timeline, network, search, canned queries."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import urllib.parse
from pathlib import Path

import pytest
from datasette.app import Datasette

from kb.datasette_plugin import facet_cache

from .browse_fixtures import build_browse_kb, kb, metadata_for


class Client:
    """Datasette's ASGI client on one event loop, called from plain tests."""

    def __init__(self, db: Path, **plugin_config):
        self.loop = asyncio.new_event_loop()
        self.ds = Datasette(
            [str(db)], metadata=metadata_for(db.stem, **plugin_config), settings={"suggest_facets": False}
        )
        self.loop.run_until_complete(self.ds.invoke_startup())

    def get(self, path: str, status: int = 200):
        response = self.loop.run_until_complete(self.ds.client.get(path))
        assert response.status_code == status, (path, response.status_code, response.text[:500])
        return response

    def json(self, path: str) -> dict:
        return self.get(path).json()

    def close(self) -> None:
        self.loop.close()


@pytest.fixture(scope="module")
def browse_db(tmp_path_factory, built_kbs) -> tuple[Path, dict[str, str]]:
    db = built_kbs.copy("browse", build_browse_kb, tmp_path_factory.mktemp("browse") / "kb.db")
    return db, built_kbs.built("browse", build_browse_kb)


@pytest.fixture(scope="module")
def client(browse_db):
    facet_cache.clear()
    c = Client(browse_db[0])
    yield c
    c.close()


def sql(db: Path, query: str, *params) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(query, params).fetchall()
    finally:
        conn.close()


def article_id(db: Path, citekey: str) -> int:
    return sql(db, "select id from articles where citekey = ?", citekey)[0][0]


def facet(data: dict, name: str) -> dict[str, dict]:
    return {str(v["value"]): v for v in data["facet_results"][name]["results"]}


def as_json(url: str) -> str:
    """A facet's toggle URL (absolute, to the HTML page) as a path to its JSON."""
    parts = urllib.parse.urlsplit(url)
    path = parts.path if parts.path.endswith(".json") else parts.path + ".json"
    return path + "?" + parts.query


def citekeys(data: dict) -> set[str]:
    index = data["columns"].index("citekey")
    return {row[index] for row in data["rows"]}


def test_articles_page_has_every_facet_with_counts(client, browse_db):
    db, _ = browse_db
    data = client.json("/kb/articles.json")
    assert set(data["facet_results"]) == {
        "type",
        "year",
        "container_title",
        "added_by",
        "status",
        "tag",
        "author",
        "organisation",
        "event",
    }
    tags = facet(data, "tag")
    assert (
        tags["Russia"]["count"]
        == sql(db, "select count(*) from article_tags join tags on tags.id = tag_id where name = 'Russia'")[0][0]
        == 3
    )
    assert facet(data, "organisation")["North Atlantic Treaty Organization"]["count"] == 2
    assert facet(data, "event")["Russo-Georgian War"]["count"] == 2
    assert facet(data, "author")["Kulhanek, Jakub"]["count"] == 3
    assert facet(data, "type")["report"]["count"] == 1
    html = client.get("/kb/articles").text
    assert 'id="facet-tag"' in html and 'id="facet-organisation"' in html
    assert "(kb_related)" not in html and "(kb_column)" not in html


def test_clicking_facets_filters_and_combines(client, browse_db):
    db, keys = browse_db
    russia = facet(client.json("/kb/articles.json"), "tag")["Russia"]
    assert not russia["selected"]
    step1 = client.json(as_json(russia["toggle_url"]))
    assert step1["filtered_table_rows_count"] == 3
    assert citekeys(step1) == {keys["blog"], keys["script"], keys["georgia"]}
    nato = facet(step1, "organisation")["North Atlantic Treaty Organization"]
    assert nato["count"] == 2
    assert facet(step1, "tag")["Russia"]["selected"]
    step2 = client.json(as_json(nato["toggle_url"]))
    expected = sql(
        db,
        """select count(*) from articles where
        id in (select article_id from article_tags join tags on tags.id = tag_id where tags.name = 'Russia') and
        id in (select article_id from article_organisations join organisations o on o.id = organisation_id
               where o.acronym = 'NATO')""",
    )[0][0]
    assert step2["filtered_table_rows_count"] == expected == 2
    assert citekeys(step2) == {keys["blog"], keys["script"]}
    assert step2["human_description_en"].startswith(
        'where tag is "Russia" and organisation is "North Atlantic Treaty Organization"'
    )
    # Unselecting the tag keeps the organisation.
    unselect = facet(step2, "tag")["Russia"]
    assert unselect["selected"]
    back = client.json(as_json(unselect["toggle_url"]))
    assert back["filtered_table_rows_count"] == 2 and "tag" not in back["human_description_en"]


def test_relation_filters_combine_with_column_filters_and_search(client, browse_db):
    _, keys = browse_db
    assert citekeys(client.json("/kb/articles.json?_tag=Russia&type=report")) == {keys["script"]}
    assert citekeys(client.json("/kb/articles.json?_tag=Russia&year__gte=2009")) == {keys["script"], keys["georgia"]}
    assert citekeys(client.json("/kb/articles.json?_tag=Russia&_tag=Georgia")) == {keys["georgia"]}
    assert citekeys(client.json("/kb/articles.json?_tag=Georgia&_search=clipping")) == {keys["bare"]}
    assert citekeys(client.json("/kb/articles.json?_author=Smith%2C+Anna&_event=Lisbon+Summit")) == {keys["script"]}
    data = client.json("/kb/articles.json?_tag=Russia&type=article-journal")
    assert facet(data, "type")["article-journal"]["selected"]
    assert facet(data, "event") == {"Russo-Georgian War": facet(data, "event")["Russo-Georgian War"]}


def test_filters_accept_acronyms_and_aliases(client, browse_db):
    _, keys = browse_db
    by_name = citekeys(client.json("/kb/articles.json?_organisation=North+Atlantic+Treaty+Organization"))
    assert by_name == citekeys(client.json("/kb/articles.json?_organisation=NATO"))
    assert (
        by_name
        == citekeys(client.json("/kb/articles.json?_organisation=the+Alliance"))
        == {keys["blog"], keys["script"]}
    )
    assert citekeys(client.json("/kb/articles.json?_event=Five-Day+War")) == {keys["blog"], keys["georgia"]}
    assert client.json("/kb/articles.json?_tag=no+such+tag")["filtered_table_rows_count"] == 0


def test_facet_counts_follow_writes(browse_kb):
    db, _ = browse_kb
    c = Client(db)
    try:
        assert facet(c.json("/kb/articles.json"), "tag")["Russia"]["count"] == 3
        kb(db, "add", "--title", "One more on Russia", "--tag", "Russia", "--by", "carol")
        assert facet(c.json("/kb/articles.json"), "tag")["Russia"]["count"] == 4
    finally:
        c.close()


def test_readme_sample_lists_the_blog_post_and_links_its_row(sample_db, tmp_path):
    db = tmp_path / "kb.db"
    sample_db.rename(db)
    c = Client(db)
    try:
        rows = c.json("/kb/articles.json?_shape=array")
        blog = next(row for row in rows if row["title"] == "An impossible dream?")
        assert "Kulhanek" in blog["csl_json"]
        page = c.get(f"/kb/articles/{blog['id']}").text
        earlier = sql(db, "select id from articles where citekey = 'kulhanekImpossibleDreamEarlier'")[0][0]
        for table, name in (
            ("authors", "Kulhanek, Jakub"),
            ("tags", None),
            ("events", "2010 NATO Lisbon Summit"),
            ("events", "Russo-Georgian War"),
            ("organisations", "North Atlantic Treaty Organization"),
        ):
            if name:
                row_id = sql(db, f"select id from {table} where name = ?", name)[0][0]
                assert re.search(rf'<a href="/kb/{table}/{row_id}">{re.escape(name)}</a>', page), name
        assert '<a href="/kb/articles?_tag=Russia">Russia</a>' in page
        assert re.search(rf'revises <a href="/kb/articles/{earlier}">', page)
    finally:
        c.close()


def test_article_page(client, browse_db):
    db, keys = browse_db
    page = client.get(f"/kb/articles/{article_id(db, keys['script'])}").text
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#34;kb&#34;)&lt;/script&gt; Missile defence &amp; Russia" in page
    reference = re.search(r'<div class="kb-formatted">(.*?)</div>', page, re.S).group(1)
    assert "Smith, A. (2011)" in reference and "&lt;script&gt;" in reference and "<script" not in reference
    assert f'href="/kb/articles.bib?citekey={keys["script"]}"' in page
    assert f'href="/kb/articles.ris?citekey={keys["script"]}"' in page
    assert "Lisbon Summit" in page and "— discusses" in page
    assert "Georgia after the war" in page and "disputes" in page  # cites
    assert (
        "a &lt;b&gt;hollow&lt;/b&gt; reset" in page
        and "p. 4" in page
        and "about North Atlantic Treaty Organization" in page
    )
    cited = client.get(f"/kb/articles/{article_id(db, keys['georgia'])}").text
    assert re.search(r"Cited by</h2>\s*<ul>\s*<li><a href=\"/kb/articles/\d+\">&lt;script&gt;", cited)
    assert "Entered by hand" in cited


def test_article_page_shows_the_import_it_came_from(tmp_path):
    db = tmp_path / "kb.db"
    source = tmp_path / "reading.yaml"
    source.write_text(
        "kind: work\ncitekey: doeImported2020\ntype: book\ntitle: Imported book\n"
        "author:\n- family: Doe\n  given: Jane\nissued: '2020'\n"
    )
    kb(db, "init")
    kb(db, "import", str(source))
    c = Client(db)
    try:
        page = c.get(f"/kb/articles/{article_id(db, 'doeImported2020')}").text
        assert "Imported from" in page and "reading.yaml" in page
    finally:
        c.close()


def test_citation_style_comes_from_metadata(browse_db):
    db, keys = browse_db
    path = f"/kb/articles/{article_id(db, keys['georgia'])}"
    mla = Client(db, citation_style="modern-language-association")
    unknown = Client(db, citation_style="no-such-style")
    try:
        reference = re.search(r'<div class="kb-formatted">(.*?)</div>', mla.get(path).text, re.S).group(1)
        # MLA: the given name in full, the period inside the closing quote (as citeproc-js writes it)
        assert reference.startswith("Kulhanek, Jakub. “Georgia after the War.” <i>Caucasus Survey</i>")
        page = unknown.get(path).text
        assert "unknown citation style" in page and "Georgia after the war" in page
    finally:
        mla.close()
        unknown.close()


def test_organisation_page(client, browse_db):
    db, _ = browse_db
    nato = sql(db, "select id from organisations where acronym = 'NATO'")[0][0]
    page = client.get(f"/kb/organisations/{nato}").text
    assert "the Alliance" in page and "North Atlantic Alliance" in page
    assert "NATO Defence College" in page  # sub-organisation
    assert "2010 NATO Lisbon Summit</a> (19-20 November 2010) — organiser" in page
    assert "Works (2)" in page and 'href="/kb/articles?_organisation=North+Atlantic+Treaty+Organization"' in page
    college = sql(db, "select id from organisations where name = 'NATO Defence College'")[0][0]
    assert (
        f'<a href="/kb/organisations/{nato}">North Atlantic Treaty Organization</a>'
        in client.get(f"/kb/organisations/{college}").text
    )


def test_event_page(client, browse_db):
    db, _ = browse_db
    war = sql(db, "select id from events where name = 'Russo-Georgian War'")[0][0]
    page = client.get(f"/kb/events/{war}").text
    assert "Five-Day War" in page and "belligerent" in page
    assert "2 works on this event" in page and "2008-08-07 to 2008-08-12" in page


def test_timeline(client, browse_db):
    db, _ = browse_db
    page = client.get("/kb/-/timeline").text
    assert "<svg" in page and "cdn" not in page.lower()
    assert 'href="/kb/articles?_event=Russo-Georgian+War"' in page
    assert re.search(r"Russo-Georgian War: 7-12 August 2008; 2 sources", page)
    assert re.search(r"Missile defence talks: March 2011; 0 sources", page)
    # A month-precision event is drawn over its whole month, wider than a two-day summit.
    widths = {
        m.group(1): float(m.group(2))
        for m in re.finditer(r'class="kb-span (kb-\w+)" x="[\d.]+" y="\d+" width="([\d.]+)"', page)
    }
    assert widths["kb-month"] > widths["kb-day"]
    summits = client.get("/kb/-/timeline?type=war").text
    assert "Russo-Georgian War" in summits and "Missile defence talks" not in summits


def test_network_of_the_works_in_view(client, browse_db):
    db, keys = browse_db
    page = client.get("/kb/-/network?_tag=Russia").text
    assert "3 works" in page and "2 citations among them" in page
    assert page.count('class="kb-node"') == 3
    assert f'href="/kb/articles/{article_id(db, keys["georgia"])}"' in page
    assert "&lt;script&gt;" in page and "<script>alert" not in page
    assert 'href="/kb/articles?_tag=Russia"' in page
    everything = client.get("/kb/-/network").text
    assert everything.count('class="kb-node"') == 5 and "3 citations among them" in everything
    assert "Citation network of these works" in client.get("/kb/articles?_tag=Russia").text


def test_one_search_box_over_everything(client, browse_db):
    db, keys = browse_db
    assert 'action="/kb/-/search"' in client.get("/kb/articles").text
    assert 'action="/kb/-/search"' in client.get("/").text
    page = client.get("/kb/-/search?q=Alliance").text
    nato = sql(db, "select id from organisations where acronym = 'NATO'")[0][0]
    assert f'<a href="/kb/organisations/{nato}">North Atlantic Treaty Organization</a>' in page
    page = client.get("/kb/-/search?q=Kulhanek").text
    assert "Kulhanek, Jakub" in page and 'href="/kb/articles?_author=Kulhanek%2C+Jakub"' in page
    assert "Lisbon" in client.get("/kb/-/search?q=Lisbon").text
    page = client.get("/kb/-/search?q=missile").text
    assert f'href="/kb/articles/{article_id(db, keys["script"])}"' in page and "<script>alert" not in page
    assert "Missile defence talks" in page  # the event too
    client.get("/kb/-/search?q=%22unbalanced")  # user input never breaks FTS syntax


@pytest.mark.parametrize(
    "query, check",
    [
        (
            "sources_per_event",
            lambda rows: (
                {r["name"]: r["sources"] for r in rows}
                == {"Russo-Georgian War": 2, "2010 NATO Lisbon Summit": 2, "Missile defence talks": 0}
            ),
        ),
        ("events_without_sources", lambda rows: [r["name"] for r in rows] == ["Missile defence talks"]),
        (
            "added_this_week",
            lambda rows: {r["added_by"]: r["works"] for r in rows} == {"alice": 1, "bob": 2, "sample": 2},
        ),
        ("most_cited", lambda rows: rows[0]["cited_by"] == 1 and len(rows) == 3),
        (
            "missing_details",
            lambda rows: (
                {r["citekey"]: r["missing"] for r in rows}
                == {
                    "kulhanekImpossibleDream": "date",
                    "kulhanekImpossibleDreamEarlier": "date",
                    "UntitledClipping": "date author type",
                }
            ),
        ),
        (
            "reading_status",
            lambda rows: (
                {r["researcher"]: (r["read"], r["works"]) for r in rows}
                == {"alice": (1, 1), "bob": (0, 2), "sample": (0, 2)}
            ),
        ),
    ],
)
def test_canned_queries(client, query, check):
    rows = client.json(f"/kb/{query}.json?_shape=array")
    assert check(rows), rows
    assert client.get(f"/kb/{query}").status_code == 200


def test_pages_of_other_tables_keep_datasettes_templates(client):
    assert "<h1" in client.get("/kb/tags/1").text
    assert "kb-links" not in client.get("/kb/tags").text
    client.get("/kb/articles/999999", status=404)


def test_synthetic_knowledge_base_browses(tmp_path):
    import bench.make_synthetic as synthetic

    db = tmp_path / "synthetic.db"
    synthetic.make(db, 3000, seed=7)
    c = Client(db)
    try:
        data = c.json("/synthetic/articles.json")
        assert len(data["facet_results"]) == 9
        tag = max(facet(data, "tag").values(), key=lambda v: v["count"])
        assert (
            tag["count"]
            == sql(
                db, "select count(*) from article_tags join tags on tags.id = tag_id where tags.name = ?", tag["value"]
            )[0][0]
        )
        org = facet(data, "organisation")[
            "Organisation 1 of " + sql(db, "select substr(name, 19) from organisations where id = 1")[0][0]
        ]
        query = urllib.parse.urlencode({"_tag": tag["value"], "_organisation": org["value"]})
        filtered = c.json(f"/synthetic/articles.json?{query}")
        assert (
            filtered["filtered_table_rows_count"]
            == sql(
                db,
                """select count(*) from article_tags t
            join article_organisations o on o.article_id = t.article_id
            join tags on tags.id = t.tag_id where tags.name = ? and o.organisation_id = 1""",
                tag["value"],
            )[0][0]
        )
        c.get("/synthetic/articles/1500")
        assert "<svg" in c.get("/synthetic/-/timeline").text
        assert "<svg" in c.get(f"/synthetic/-/network?{query}").text
    finally:
        c.close()
