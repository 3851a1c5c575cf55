"""Fixtures: real SQLite files in a temporary folder, and the kb CLI run through click."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import cli
from kb.db import connect
from kb.store import Store

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A fresh, empty kb database file."""
    path = tmp_path / "kb.db"
    connect(path).conn.close()
    return path


@pytest.fixture
def store(db_path: Path) -> Store:
    return Store(connect(db_path), user="tester")


@pytest.fixture
def sample_db(tmp_path: Path) -> Path:
    """The sample knowledge base, built from data/ with `kb build`."""
    path = tmp_path / "sample.db"
    result = CliRunner().invoke(cli, ["build", str(DATA), "--db", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def run(db_path: Path):
    """Run a kb command against `db_path`; returns click's Result."""

    def invoke(*args: str, input: str | None = None, db: Path | None = None):
        return CliRunner().invoke(cli, [*args, "--db", str(db or db_path)], input=input, catch_exceptions=False)

    return invoke
