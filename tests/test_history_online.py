"""`kb add DOI` and `kb enrich` (which write what the services answer) are undone
exactly, like every write command in tests/test_history.py's table."""

from __future__ import annotations

from tests.test_add_online import DOI, serve_doi, services  # noqa: F401  (the stand-in services fixture)
from tests.test_history import dumped, fts_is_sound, table_rows


def test_kb_add_by_doi_is_undone_exactly_and_redone(services, db_path, run, tmp_path):  # noqa: F811
    serve_doi(services)
    before_dump, before_rows = dumped(db_path, tmp_path / "before"), table_rows(db_path)
    assert run("add", DOI).exit_code == 0
    after_rows = table_rows(db_path)
    assert after_rows != before_rows
    undo = run("undo")
    assert undo.exit_code == 0, undo.output
    assert table_rows(db_path) == before_rows
    assert dumped(db_path, tmp_path / "undone") == before_dump
    fts_is_sound(db_path)
    assert run("undo", "2").exit_code == 0  # the undo undone: the work is back
    assert table_rows(db_path) == after_rows


def test_kb_enrich_is_undone_exactly(services, db_path, run, tmp_path):  # noqa: F811
    run(
        "add",
        "--title",
        "NATO and Russia after Lisbon",
        "--type",
        "article-journal",
        "--doi",
        DOI,
        "--author",
        "Jakub Kulhanek",
    )
    serve_doi(services)
    before_dump, before_rows = dumped(db_path, tmp_path / "before"), table_rows(db_path)
    assert run("enrich").exit_code == 0
    assert table_rows(db_path) != before_rows
    assert run("undo").exit_code == 0
    assert table_rows(db_path) == before_rows
    assert dumped(db_path, tmp_path / "undone") == before_dump
    fts_is_sound(db_path)
