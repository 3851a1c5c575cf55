"""kb starts fast: a command imports the libraries it uses and no others
(bench/startup_bench.py measures the time; this checks what is imported)."""

from __future__ import annotations

import json
import subprocess
import sys

import click

from kb.cli import COMMANDS, cli
from kb.filters import FILTERS
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
print(json.dumps(sorted(sys.modules)))
"""


def modules_imported(*args: str) -> list[str]:
    """Every module a fresh interpreter has imported after running `kb ARGS`."""
    result = subprocess.run([sys.executable, "-c", IMPORTED_BY, *args], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def heavy_libraries_imported(*args: str) -> list[str]:
    """The heavy libraries a fresh interpreter has imported after running `kb ARGS`."""
    top_level = {name.split(".")[0] for name in modules_imported(*args)}
    return [name for name in HEAVY if name in top_level]


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


def test_version_and_help_import_no_command_module():
    """The group lists the commands from its table: `kb --version` and `kb --help` load
    kb's group and nothing else of kb (no command module, no store, no query layer)."""
    for args in (["--version"], ["--help"]):
        assert [m for m in modules_imported(*args) if m.startswith("kb")] == [
            "kb",
            "kb.cli",
            "kb.cli.group",
            "kb.errors",
        ]


def test_a_command_imports_its_own_module_only():
    imported = modules_imported("export", "--help")
    assert "kb.cli.export" in imported
    assert not [
        m for m in imported if m.startswith("kb.cli.") and m not in ("kb.cli.group", "kb.cli.export", "kb.cli.options")
    ]


def test_heavy_libraries_load_only_with_the_commands_that_use_them(tmp_path):
    db = str(tmp_path / "kb.db")
    assert heavy_libraries_imported("init", "--db", db) == ["sqlite_utils", "dateutil"]
    assert heavy_libraries_imported("stats", "--db", db) == ["sqlite_utils", "dateutil"]
    assert "datasette" not in heavy_libraries_imported("export", "--format", "bibtex", "--db", db)
    assert "yaml" in heavy_libraries_imported("dump", str(tmp_path / "dump"), "--db", db)


def test_the_table_names_every_command_with_its_summary():
    """`kb --help` shows the table's summaries: each must be its command's own first sentence."""
    assert list(cli.commands) == list(COMMANDS)
    for name, entry in COMMANDS.items():
        command = cli.commands[name]
        assert command.name == name
        assert command.get_short_help_str(10_000) == entry.summary, name


def test_help_lists_every_command_by_section():
    from click.testing import CliRunner

    output = CliRunner().invoke(cli, ["--help"]).output
    for name, entry in COMMANDS.items():
        section = output.index(f"\n{entry.section}:\n")
        assert output.index(f"\n  {name} ", section) > section


def test_the_filter_options_are_the_filter_vocabulary():
    """kb export's filter options, the API's keywords and the `_kb_` URL parameters come
    from one table (kb/filters.py)."""
    from kb.datasette_plugin.renderers import KB_PARAMETERS

    export = cli.commands["export"]
    options = {p.name: p for p in export.params if isinstance(p, click.Option)}
    for spec in FILTERS:
        assert options[spec.field].opts == list(spec.flags)
        assert options[spec.field].multiple == spec.repeatable
    assert set(KB_PARAMETERS) == {f.name for f in FILTERS} - {"where"}
