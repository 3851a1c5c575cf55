"""The schema, exactly, and its migrations."""

from pathlib import Path

import pytest

from kb import db as kb_db
from kb.db import SCHEMA_VERSION, connect
from kb.errors import KbError

SNAPSHOT = Path(__file__).parent / "snapshots" / "schema.sql"


def schema_text(db) -> str:
    rows = db.execute(
        "select type, name, sql from sqlite_master where sql is not null and name not like '%_fts_%' order by type, name"
    ).fetchall()
    return "\n".join(f"-- {kind} {name}\n{sql};\n" for kind, name, sql in rows)


def test_schema_matches_the_snapshot(db_path):
    """A schema change must come with a migration and an updated snapshot
    (regenerate: KB_UPDATE_SNAPSHOT=1 pytest tests/test_schema.py)."""
    import os

    actual = schema_text(connect(db_path))
    if os.environ.get("KB_UPDATE_SNAPSHOT"):
        SNAPSHOT.write_text(actual, encoding="utf-8")
    assert actual == SNAPSHOT.read_text(encoding="utf-8")


def test_connections_use_wal_foreign_keys_and_a_busy_timeout(db_path):
    db = connect(db_path)
    assert db.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert db.execute("pragma foreign_keys").fetchone()[0] == 1
    assert db.execute("pragma busy_timeout").fetchone()[0] == 5000
    assert db.execute("pragma user_version").fetchone()[0] == SCHEMA_VERSION


def test_every_foreign_key_is_indexed(db_path):
    db = connect(db_path)
    for table in db.table_names():
        if table.endswith(("_fts", "_data", "_idx", "_content", "_docsize", "_config")):
            continue
        indexed_first = {index.columns[0] for index in db[table].indexes}
        pk = db[table].pks
        for fk in db[table].foreign_keys:
            assert fk.column in indexed_first or fk.column == pk[0], f"{table}.{fk.column} has no index"


def test_a_later_migration_upgrades_in_place_without_losing_data(db_path, monkeypatch):
    db = connect(db_path)
    db.execute("insert into tags (name) values ('kept')")
    db.conn.close()
    monkeypatch.setattr(kb_db, "MIGRATIONS", [*kb_db.MIGRATIONS, "ALTER TABLE tags ADD COLUMN colour TEXT;"])
    monkeypatch.setattr(kb_db, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    upgraded = connect(db_path)
    assert upgraded.execute("pragma user_version").fetchone()[0] == SCHEMA_VERSION + 1
    assert upgraded.execute("select name, colour from tags").fetchall() == [("kept", None)]


def test_a_newer_knowledge_base_is_refused(db_path):
    db = connect(db_path)
    db.execute(f"pragma user_version = {SCHEMA_VERSION + 5}")
    db.conn.close()
    with pytest.raises(KbError, match="upgrade kb"):
        connect(db_path)
