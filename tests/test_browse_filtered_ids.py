"""The relation filters' id lists (kb_work_ids, kept until the file changes) and the
articles table rendered in one piece: same results as the link tables say."""

from __future__ import annotations

import json
import sqlite3
import urllib.parse

import pytest

from kb.datasette_plugin import filtered_ids

from .browse_fixtures import kb
from .test_browse import Client, citekeys, sql


def linked_ids(db, tag: str, organisation: str | None = None) -> list[int]:
    query = "select t.article_id from article_tags t join tags on tags.id = t.tag_id where tags.name = ?"
    params = [tag]
    if organisation:
        query += (
            " and t.article_id in (select o.article_id from article_organisations o join organisations g "
            "on g.id = o.organisation_id where g.name = ? or g.acronym = ?)"
        )
        params += [organisation, organisation]
    return sorted(row[0] for row in sql(db, query, *params))


# An unknown filter makes the function raise; SQLite reports that as a failed query
# and Python reports the exception as unraisable.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_kb_work_ids_lists_the_works_a_filter_selects(browse_kb):
    db, _ = browse_kb
    filtered_ids.clear()
    c = Client(db)
    try:

        def work_ids(filter_text: str) -> list[int]:
            query = urllib.parse.urlencode(
                {"sql": "select kb_work_ids(:f) as ids", "f": filter_text, "_shape": "array"}
            )
            return json.loads(c.json(f"/kb.json?{query}")[0]["ids"])

        assert work_ids("_tag=Russia") == linked_ids(db, "Russia") and len(work_ids("_tag=Russia")) == 3
        assert work_ids("_tag=Russia&_organisation=NATO") == linked_ids(db, "Russia", "NATO") != []
        assert work_ids("_organisation=NATO&_tag=Russia") == work_ids("_tag=Russia&_organisation=NATO")
        assert work_ids("_tag=no+such+tag") == []
        error = c.get("/kb.json?" + urllib.parse.urlencode({"sql": "select kb_work_ids('_colour=red')"}), status=400)
        assert "user-defined function raised exception" in error.text
    finally:
        c.close()


def test_filtered_page_reads_the_id_list_and_follows_writes(browse_kb):
    db, _ = browse_kb
    filtered_ids.clear()
    c = Client(db)
    try:
        data = c.json("/kb/articles.json?_tag=Russia")
        assert "kb_work_ids(:kb_filter)" in data["query"]["sql"]
        assert data["query"]["params"]["kb_filter"] == "_tag=Russia"
        assert data["filtered_table_rows_count"] == 3
        # The "View and edit SQL" query runs on its own (the list is worked out again if need be).
        filtered_ids.clear()
        rerun = urllib.parse.urlencode({"sql": data["query"]["sql"], **data["query"]["params"]})
        assert len(c.json(f"/kb.json?{rerun}")["rows"]) == 3
        kb(db, "add", "--title", "One more on Russia", "--tag", "Russia", "--by", "carol")
        again = c.json("/kb/articles.json?_tag=Russia")
        assert again["filtered_table_rows_count"] == 4
        assert len(citekeys(again)) == 4
    finally:
        c.close()


def test_articles_table_has_every_row_and_column(browse_kb):
    db, _ = browse_kb
    c = Client(db)
    try:
        page = c.get("/kb/articles?_kb_columns=all").text  # every column, not the reading list
        works = sql(db, "select count(*) from articles")[0][0]
        columns = len(sql(db, "select * from pragma_table_info('articles')"))
        table = page.split('<table class="rows-and-columns">', 1)[1].split("</table>", 1)[0]
        assert table.count("<tr>") == works + 1  # the header row and one row per work
        assert table.count("<td ") == works * columns
    finally:
        c.close()


def test_relation_facets_from_the_id_list_match_the_general_path(browse_kb):
    db, _ = browse_kb
    c = Client(db)
    try:
        for query in ("_tag=Russia", "_organisation=NATO", "_tag=Russia&_organisation=NATO", "_event=Five-Day+War"):
            only_relations = c.json(f"/kb/articles.json?{query}")  # counted straight from kb_work_ids
            assert "kb_work_ids" in only_relations["query"]["sql"]
            with_column_filter = c.json(f"/kb/articles.json?{query}&id__gte=0")  # counted through the works
            for name in ("tag", "author", "organisation", "event"):
                counts = {v["value"]: v["count"] for v in only_relations["facet_results"][name]["results"]}
                assert counts == {v["value"]: v["count"] for v in with_column_filter["facet_results"][name]["results"]}
                assert sum(counts.values()) > 0 or name == "event"
    finally:
        c.close()


def test_a_list_stopped_by_the_time_limit_stops_the_calling_query_as_interrupted(browse_kb):
    """Datasette reports a query whose error is "interrupted" as timed out; a failed
    function would be reported as an error instead."""
    db, _ = browse_kb
    filtered_ids.clear()
    c = Client(db)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        filtered_ids.register(conn, "kb", c.ds)
        assert json.loads(conn.execute("select kb_work_ids('_tag=Russia')").fetchone()[0]) == linked_ids(db, "Russia")
        filtered_ids.clear()
        steps = [0]

        def time_is_up_inside_the_function() -> int:  # what Datasette's time limit does
            steps[0] += 1
            return 1 if steps[0] > 10 else 0  # the calling query reaches the function call within 10 steps

        conn.set_progress_handler(time_is_up_inside_the_function, 1)
        with pytest.raises(sqlite3.OperationalError, match="^interrupted$"):
            conn.execute("select kb_work_ids('_tag=Georgia')")
        assert steps[0] > 10
    finally:
        conn.close()
        c.close()
