"""kb starts fast: a command imports the libraries it uses and no others
(bench/startup_bench.py measures the time; this checks what is imported)."""

from __future__ import annotations

import json
import subprocess
import sys

from kb.importers import format_names, registry

from .conftest import REPO

HEAVY = (
    "sqlite_utils",
    "datasette",
    "citeproc",
    "lxml",
    "trafilatura",
    "extruct",
    "rapidfuzz",
    "bibtexparser",
    "pylatexenc",
    "rispy",
    "yaml",
    "dateutil",
    "ahocorasick",
)

IMPORTED_BY = """
import json, sys
from click.testing import CliRunner
from kb.cli import cli
result = CliRunner().invoke(cli, sys.argv[1:], catch_exceptions=False)
assert result.exit_code == 0, result.output
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def heavy_libraries_imported(*args: str) -> list[str]:
    """The heavy libraries a fresh interpreter has imported after running `kb ARGS`."""
    result = subprocess.run([sys.executable, "-c", IMPORTED_BY, *args], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return [name for name in HEAVY if name in json.loads(result.stdout)]


def test_version_and_help_import_no_heavy_library():
    assert heavy_libraries_imported("--version") == []
    assert heavy_libraries_imported("import", "--help") == []


def test_add_imports_only_what_writing_a_work_needs(tmp_path):
    db = str(tmp_path / "kb.db")
    assert heavy_libraries_imported("init", "--db", db) == ["sqlite_utils", "dateutil"]  # sqlite-utils imports dateutil
    # rapidfuzz only once a title is compared with another that is not the same (kb.dedupe)
    assert heavy_libraries_imported("add", "--title", "A work", "--author", "Ann Smith", "--db", db, "--by", "me") == [
        "sqlite_utils",
        "dateutil",
    ]


def test_import_formats_are_listed_without_importing_the_importers():
    assert format_names() == list(registry())
