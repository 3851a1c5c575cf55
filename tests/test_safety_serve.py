"""`kb serve` serves only what the operator meant: kb's packaged configuration and an
explicitly named --metadata, never a metadata.yml lying in the current folder; no
writable canned query unless the operator's own file has one; Datasette's /-/ debug
pages hidden on a server listening beyond localhost. Real `kb serve` subprocesses."""

from __future__ import annotations

import contextlib
import sqlite3
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kb.cli import cli

from .conftest import DATA
from .serving import running_server

HOSTILE_METADATA = {
    "title": "HOSTILE TITLE",
    "extra_js_urls": ["https://evil.example.org/steal.js"],
    "description_html": "<script>window.hostile = 1</script>",
    "databases": {
        "kb": {
            "queries": {
                "hostile_write": {"sql": "insert into tags (name) values ('written by a visitor')", "write": True}
            }
        }
    },
}


@pytest.fixture(scope="module")
def served_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("served") / "kb.db"
    result = CliRunner().invoke(cli, ["build", str(DATA), "--db", str(db)])
    assert result.exit_code == 0, result.output
    return db


@contextlib.contextmanager
def kb_serve(db: Path, folder: Path, *args: str, host: str = "127.0.0.1"):
    """A real `kb serve` run in `folder`; yields (base URL, the process, its log path)."""
    log_path = folder / f"serve-{len(list(folder.glob('serve-*.log')))}.log"
    with running_server(db, "--host", host, *args, log=log_path, cwd=folder) as server:
        yield server.url, server.process, log_path


def status_and_body(url: str, data: bytes | None = None) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def tag_count(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("select count(*) from tags").fetchone()[0]
    finally:
        conn.close()


def test_a_metadata_yml_in_the_current_folder_is_not_loaded(served_db, tmp_path):
    (tmp_path / "metadata.yml").write_text(yaml.safe_dump(HOSTILE_METADATA), encoding="utf-8")
    before = tag_count(served_db)
    with kb_serve(served_db, tmp_path) as (base, _, _):
        status, page = status_and_body(base + "/kb/articles")
        assert status == 200
        assert "evil.example.org" not in page and "window.hostile" not in page and "HOSTILE TITLE" not in page
        assert "Works logged by researchers" in page  # kb's packaged configuration is loaded
        status, body = status_and_body(base + "/kb/hostile_write", data=b"")
        assert (status, body) == (405, "This knowledge base is served read-only.\n")
        assert status_and_body(base + "/-/messages", data=b"message=hi")[0] == 405
        status, _ = status_and_body(base + "/kb/hostile_write")
        assert status == 404
    assert tag_count(served_db) == before


def test_an_explicit_metadata_is_laid_over_the_packaged_one_and_writes_are_announced(served_db, tmp_path):
    mine = tmp_path / "mine.yml"
    mine.write_text(
        yaml.safe_dump({"title": "Department of War Studies", **{k: HOSTILE_METADATA[k] for k in ("databases",)}}),
        encoding="utf-8",
    )
    with kb_serve(served_db, tmp_path, "--metadata", str(mine)) as (base, _, log_path):
        assert "Department of War Studies" in status_and_body(base + "/")[1]
        status, page = status_and_body(base + "/kb/articles")
        assert status == 200 and "Works logged by researchers" in page
        status, _ = status_and_body(base + "/kb/hostile_write")
        assert status == 200  # the operator asked for it
    assert "Warning: the canned query 'hostile_write'" in log_path.read_text()


def test_bad_explicit_metadata_is_a_one_line_error(served_db, tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("- a list\n- not a mapping\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["serve", "--db", str(served_db), "--metadata", str(bad)])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {bad}: the metadata must be a mapping, not list"


def test_debug_pages_are_hidden_when_listening_beyond_localhost(served_db, tmp_path):
    with kb_serve(served_db, tmp_path, "--public", host="0.0.0.0") as (base, _, _):
        for path in (
            "/-/messages",
            "/-/allow-debug",
            "/-/permissions",
            "/-/threads",
            "/-/actor.json",
            "/-/metadata.json",
            "/-/versions.json",
        ):
            assert status_and_body(base + path)[0] == 404, path
        assert status_and_body(base + "/kb/articles")[0] == 200
        assert status_and_body(base + "/-/static/app.css")[0] == 200
        assert status_and_body(base + "/-/static-plugins/kb/kb.css")[0] == 200
    with kb_serve(served_db, tmp_path) as (base, _, _):  # on localhost, the operator keeps them
        assert status_and_body(base + "/-/messages")[0] == 200
        assert status_and_body(base + "/-/versions.json")[0] == 200
