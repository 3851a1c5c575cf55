"""The Datasette export renderers return exactly what `kb export` returns for the same filter."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_asyncio
import yaml
from click.testing import CliRunner
from datasette.app import Datasette

from kb.cli import cli

from .export_cases import build_export_kb

METADATA = Path(__file__).resolve().parent.parent / "kb" / "metadata.yml"


@pytest.fixture
def kb_db(tmp_path, built_kbs):
    return built_kbs.copy("export", build_export_kb, tmp_path / "kb.db")  # served as the database "kb"


@pytest_asyncio.fixture
async def datasette(kb_db):
    ds = Datasette([str(kb_db)], metadata=yaml.safe_load(METADATA.read_text()))
    await ds.invoke_startup()
    return ds


def cli_export(db, fmt, *filters):
    result = CliRunner().invoke(cli, ["export", "--db", str(db), "--format", fmt, *filters])
    assert result.exit_code == 0, result.output
    return result.stdout


CASES = [
    # (URL path and query, the same filter on the command line)
    ("/kb/articles.{ext}", ()),
    ("/kb/articles.{ext}?type=report", ("--type", "report")),
    ("/kb/articles.{ext}?year__gte=2008&year__lte=2010&_size=2", ("--year", "2008..2010")),
    ("/kb/articles.{ext}?_search=lisbon", ("--search", "lisbon")),
    # the relation filters a supervisor clicks (the plugin's facets), kept by the re-run page SQL
    ("/kb/articles.{ext}?_tag=chapter-3&_organisation=NATO", ("--tag", "chapter-3", "--organisation", "NATO")),
    ("/kb/articles.{ext}?_kb_tag=chapter-3&_kb_year=2010", ("--tag", "chapter-3", "--year", "2010")),
    (
        "/kb/articles.{ext}?_kb_event=Lisbon+Summit&_kb_organisation=NATO",
        ("--event", "Lisbon Summit", "--organisation", "NATO"),
    ),
    ("/kb/articles.{ext}?_kb_author=Kulhanek&_kb_author=Typer", ("--author", "Kulhanek", "--author", "Typer")),
    ("/kb/articles.{ext}?_kb_cited_by=kulhanekImpossibleDream2010", ("--cited-by", "kulhanekImpossibleDream2010")),
    ("/kb.{ext}?sql=select+id+from+articles+where+type+like+'article%25'", ("--where", "type like 'article%'")),
]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "ext, fmt", [("bib", "bibtex"), ("biblatex", "biblatex"), ("ris", "ris"), ("csljson", "csl-json")]
)
@pytest.mark.parametrize("url, filters", CASES)
async def test_http_export_matches_the_cli(datasette, kb_db, ext, fmt, url, filters):
    response = await datasette.client.get(url.format(ext=ext))
    assert response.status_code == 200, response.text
    expected = cli_export(kb_db, fmt, *filters)
    assert expected.strip(), "the case should select something"
    assert response.text == expected
    assert response.headers["x-kb-works"] == str(expected.count("\n@") + expected.startswith("@")) or fmt != "bibtex"


@pytest.mark.asyncio
async def test_the_export_is_the_whole_result_not_the_first_page(datasette, kb_db):
    page = await datasette.client.get("/kb/articles.json?_size=5&_shape=objects")
    assert len(page.json()["rows"]) == 5
    response = await datasette.client.get("/kb/articles.bib?_size=5&_nofacet=1")
    total = cli_export(kb_db, "bibtex").count("\n}\n")
    assert total > 40 and response.text.count("\n}\n") == total
    # a SQL query is not cut at max_returned_rows either
    small = Datasette([str(kb_db)], settings={"max_returned_rows": 10})
    await small.invoke_startup()
    response = await small.client.get("/kb.ris?sql=select+id+from+articles")
    assert response.text.count("ER  - ") == total


@pytest.mark.asyncio
async def test_an_article_page_exports_that_article(datasette):
    response = await datasette.client.get("/kb/articles.json?citekey=mod2009&_shape=objects")
    article_id = response.json()["rows"][0]["id"]
    response = await datasette.client.get(f"/kb/articles/{article_id}.bib")
    assert response.status_code == 200 and response.text.startswith("@techreport{mod2009,")


@pytest.mark.asyncio
async def test_export_links_are_offered_and_bad_filters_are_a_400(datasette):
    page = await datasette.client.get("/kb/articles")
    assert "articles.bib" in page.text and "articles.ris" in page.text
    response = await datasette.client.get("/kb/articles.bib?_kb_tag=no-such-tag")
    assert response.status_code == 400 and "no tag 'no-such-tag'" in response.text
    response = await datasette.client.get("/kb/tags.bib")
    assert response.status_code != 200  # only works export
