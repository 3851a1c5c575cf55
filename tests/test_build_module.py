"""kb/build.py: `kb build`'s staging and swap, called without the command line."""

from __future__ import annotations

import sqlite3

import pytest

from kb.build import build_from_dump, staging_path
from kb.errors import KbError

from .conftest import REPO


def test_builds_the_sample_through_a_staging_file(tmp_path):
    target = tmp_path / "kb.db"
    result = build_from_dump(REPO / "data", target)
    assert result.works == sqlite3.connect(target).execute("SELECT count(*) FROM articles").fetchone()[0] > 0
    assert result.files > result.works and not result.in_place  # a new file: nothing was there
    assert not staging_path(target).exists()


def test_a_folder_without_a_dump_leaves_the_target_as_it_was(tmp_path):
    target = tmp_path / "kb.db"
    target.write_bytes(b"not touched")
    (tmp_path / "empty").mkdir()
    with pytest.raises(KbError, match="no .yaml files"):
        build_from_dump(tmp_path / "empty", target)
    assert target.read_bytes() == b"not touched" and not staging_path(target).exists()
