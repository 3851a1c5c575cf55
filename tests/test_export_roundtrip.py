"""Round trip: export, import into an empty knowledge base, export again: identical."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from kb.cli import cli

from .export_cases import build_export_kb


@pytest.fixture(scope="module")
def hard_db(tmp_path_factory, built_kbs):
    return built_kbs.copy("export", build_export_kb, tmp_path_factory.mktemp("roundtrip") / "hard.db")


def run(*args):
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result


def round_trip(source_db, tmp_path, export_format, import_format, suffix):
    first = tmp_path / f"first{suffix}"
    second = tmp_path / f"second{suffix}"
    run("export", "--db", str(source_db), "--format", export_format, "-o", str(first))
    fresh = tmp_path / "fresh.db"
    run("init", "--db", str(fresh))
    run("import", str(first), "--format", import_format, "--db", str(fresh))
    run("export", "--db", str(fresh), "--format", export_format, "-o", str(second))
    return first.read_text(encoding="utf-8"), second.read_text(encoding="utf-8")


def test_yaml_round_trip(hard_db, tmp_path):
    first, second = round_trip(hard_db, tmp_path, "yaml", "yaml", ".yaml")
    assert "fuenteArms2008" in first and "2010 NATO Lisbon Summit" in first
    assert second == first


@pytest.mark.parametrize(
    "export_format, import_format, suffix",
    [
        ("bibtex", "bibtex", ".bib"),
        ("biblatex", "bibtex", ".bib"),
        ("ris", "ris", ".ris"),
        ("csl-json", "csl-json", ".json"),
        ("csv", "csv", ".csv"),
    ],
)
def test_round_trip(hard_db, tmp_path, export_format, import_format, suffix):
    first, second = round_trip(hard_db, tmp_path, export_format, import_format, suffix)
    assert "fuenteArms2008" in first
    assert second == first
