"""Bounded requests: a cap on relation filter values, kb's selection of works under the
SQL time limit, a slow ?sql= export answered with the time-limit message, and
`kb export --where` stopped by its time limit and by Ctrl-C."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
from click.testing import CliRunner
from datasette.app import Datasette

from kb.cli import cli
from kb.datasette_plugin.bounds import MAX_FILTER_VALUES

from .browse_fixtures import metadata_for
from .conftest import REPO

SLOW_CONDITION = "(select count(*) from articles a, articles b, articles c, articles d) > 0"


@pytest.fixture(scope="module")
def many_authors_db(tmp_path_factory) -> Path:
    """3,000 works by 3,000 authors: a family-name lookup scans them all in Python."""
    folder = tmp_path_factory.mktemp("many")
    items = [
        {
            "id": f"w{i}",
            "type": "report",
            "title": f"Report number {i} about item {i * 37 % 1001}",
            "author": [{"family": f"Family{i}", "given": f"G{i}"}],
            "issued": {"date-parts": [[2000 + i % 20]]},
        }
        for i in range(3000)
    ]
    source = folder / "many.json"
    source.write_text(json.dumps(items), encoding="utf-8")
    db = folder / "kb.db"
    assert CliRunner().invoke(cli, ["init", "--db", str(db)]).exit_code == 0
    result = CliRunner().invoke(cli, ["import", str(source), "--db", str(db), "--on-duplicate", "keep-both"])
    assert result.exit_code == 0, result.output
    return db


def get(db: Path, path: str, time_limit_ms: int = 1000):
    async def fetch():
        ds = Datasette(
            [str(db)],
            metadata=metadata_for(db.stem),
            settings={"suggest_facets": False, "sql_time_limit_ms": time_limit_ms},
        )
        await ds.invoke_startup()
        return await ds.client.get(path)

    return asyncio.run(fetch())


def test_too_many_relation_filter_values_is_a_400(many_authors_db):
    names = [f"Family{i}" for i in range(MAX_FILTER_VALUES + 1)]
    query = urllib.parse.urlencode([("_author", name) for name in names])
    response = get(many_authors_db, f"/kb/articles?{query}")
    assert response.status_code == 400
    assert f"at most {MAX_FILTER_VALUES} tag, author, organisation and event values" in response.text
    export_query = urllib.parse.urlencode([("_nofacet", "1"), *[("_kb_author", f"Family{i}") for i in range(400)]])
    response = get(many_authors_db, f"/kb/articles.bib?{export_query}")
    assert response.status_code == 400 and "too many filter values (400)" in response.text
    # (a generous time limit: what is tested is the cap, not the time, and a loaded machine is slow)
    ok = get(many_authors_db, "/kb/articles.bib?" + urllib.parse.urlencode([("_kb_author", "Family3")]), 10_000)
    assert ok.status_code == 200 and ok.headers["x-kb-works"] == "1"


def test_the_selection_of_works_runs_under_the_time_limit(many_authors_db):
    # kb's own selection of 3,000 works named one by one (each citekey looked up: well
    # over 100 ms) stopped by a 20 ms limit: the time-limit message, not a thread busy
    # for as long as it takes.
    query = urllib.parse.urlencode([("_kb_key", f"w{i}") for i in range(3000)])
    response = get(many_authors_db, f"/kb/articles.bib?_nofacet=1&{query}", time_limit_ms=20)
    assert response.status_code == 400, response.text[:300]
    assert "SQL query took too long" in response.text


def test_a_slow_sql_export_answers_with_the_time_limit_message(many_authors_db):
    query = urllib.parse.urlencode({"sql": f"select id from articles where {SLOW_CONDITION}"})
    response = get(many_authors_db, f"/kb.bib?{query}", time_limit_ms=200)
    assert response.status_code == 400
    assert "SQL query took too long" in response.text


def test_export_where_has_a_time_limit(many_authors_db, monkeypatch):
    monkeypatch.setenv("KB_WHERE_TIME_LIMIT_S", "1")
    result = CliRunner().invoke(
        cli, ["export", "--format", "bibtex", "--where", SLOW_CONDITION, "--db", str(many_authors_db)]
    )
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: --where {SLOW_CONDITION!r}: took longer than 1 s, the time limit"


def test_ctrl_c_stops_export_where(many_authors_db):
    # Ctrl-C must come once the query runs. A loaded machine can take longer than the
    # first wait just to start Python and kb: then wait longer and try again. Without
    # kb's handler every try ends in click's "Aborted!", so the test still fails.
    expected = f"Error: --where {SLOW_CONDITION!r}: stopped (Ctrl-C)"
    for wait in (1.5, 4.0, 10.0):
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kb.cli",
                "export",
                "--format",
                "bibtex",
                "--where",
                SLOW_CONDITION,
                "--db",
                str(many_authors_db),
            ],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "KB_WHERE_TIME_LIMIT_S": "600"},
        )
        time.sleep(wait)
        assert process.poll() is None
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=10)
        too_early = process.returncode == -signal.SIGINT or stderr.strip().splitlines()[-1:] in (
            ["Aborted!"],  # click's answer to a Ctrl-C that kb's handler did not catch
            ["KeyboardInterrupt"],  # still importing
        )
        if not too_early:
            break
    assert process.returncode == 1, stderr
    assert stderr.strip().splitlines()[-1] == expected
    assert "Traceback" not in stderr
