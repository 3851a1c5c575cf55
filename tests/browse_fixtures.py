"""A knowledge base for the browsing tests: the sample, plus works added through the
real CLI (one with markup in its title), and Datasette over it with metadata.yml."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner

from kb.cli import cli

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
SCRIPT_TITLE = '<script>alert("kb")</script> Missile defence & Russia'


def kb(db: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, [*args, "--db", str(db)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output.strip()


def build_browse_kb(db: Path) -> dict[str, str]:
    """Build the test knowledge base at `db` (its file name makes the database name)."""
    kb(db, "build", str(DATA), "--force")
    kb(db, "add-event", "Missile defence talks", "--type", "summit", "--date", "March 2011")
    kb(db, "add-org", "NATO Defence College", "--parent", "North Atlantic Treaty Organization")
    script = kb(
        db,
        "add",
        "--title",
        SCRIPT_TITLE,
        "--type",
        "report",
        "--author",
        "Anna Smith",
        "--date",
        "2011",
        "--tag",
        "Russia",
        "--tag",
        "missile defence",
        "--org",
        "NATO",
        "--org",
        "Russia",
        "--event",
        "Lisbon Summit",
        "--status",
        "read",
        "--by",
        "alice",
    )
    georgia = kb(
        db,
        "add",
        "--title",
        "Georgia after the war",
        "--type",
        "article-journal",
        "--author",
        "Jakub Kulhanek",
        "--date",
        "2009",
        "--container",
        "Caucasus Survey",
        "--tag",
        "Russia",
        "--tag",
        "Georgia",
        "--org",
        "Georgia",
        "--org",
        "Russian Federation",
        "--event",
        "2008 war in Georgia",
        "--by",
        "bob",
    )
    bare = kb(db, "add", "--title", "Untitled clipping", "--tag", "Georgia", "--by", "bob")
    kb(db, "cite", script, georgia)
    kb(db, "cite", script, "kulhanekImpossibleDream", "--relation", "disputes")
    kb(
        db,
        "note",
        script,
        "Argues the Lisbon deal was hollow",
        "--quote",
        "a <b>hollow</b> reset",
        "--locator",
        "p. 4",
        "--org",
        "NATO",
        "--by",
        "alice",
    )
    return {
        "script": script,
        "georgia": georgia,
        "bare": bare,
        "blog": "kulhanekImpossibleDream",
        "earlier": "kulhanekImpossibleDreamEarlier",
    }


def metadata_for(database: str, **plugin_config) -> dict:
    """metadata.yml with its `kb` database section under `database`."""
    metadata = yaml.safe_load((REPO / "kb" / "metadata.yml").read_text())
    metadata["databases"] = {database: metadata["databases"]["kb"]}
    if plugin_config:
        metadata["plugins"]["kb"].update(plugin_config)
    return metadata
