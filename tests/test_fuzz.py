"""A seeded, bounded fuzz test of `kb import`: a few hundred files made from our own
fixtures (the hard export cases written in every format, the sample's YAML, the saved
web pages) by cutting, splicing, garbling and retyping them.

For every case: a clean import, or exit 1 with one `Error: ...` line and no traceback,
the database file byte for byte as it was. After every clean import the database passes
SQLite's integrity check, and every later command still works: the accepted files are
imported together into one knowledge base, which is then exported in every format and
as a formatted bibliography, dumped, served (Datasette's test client: the articles table,
its .bib export, timeline, network and a sample of record pages) and built again from
its dump.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import sqlite3
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kb.cli import cli

from .conftest import DATA, REPO
from .export_cases import build_export_kb
from .test_browse import Client

SEED = 20261201
CASES = 250
EXPORT_FORMATS = {"bibtex": ".bib", "biblatex": ".bib", "ris": ".ris", "csl-json": ".json", "csv": ".csv"}
HOSTILE_TOKENS = [
    "{",
    "}",
    '"',
    "'",
    "[",
    "]",
    "@string{a = a # a}",
    "&a ",
    "*a",
    "#",
    "%",
    "\\",
    "\x00",
    "\x1b[31m",
    "\ufeff",
    "\u202e",
    "NaN",
    "Infinity",
    "1e999",
    "-0",
    "99999999999999999999999",
    "javascript:alert(1)",
    "<script>alert(1)</script>",
    "\r",
    "\n\n",
    "\t",
    ":",
    "- ",
    "---\n",
    "kind: work\n",
    "@article{",
    "TY  - ",
    "ER  - ",
    ",",
    ";",
    "x" * 5000,
    "é",
    "\udcff"[:0] + "\U0001f600",
]
HOSTILE_VALUES = [
    12345,
    -1,
    1.5,
    float("inf"),
    True,
    None,
    [1, 2],
    {"a": 1},
    [],
    {},
    "",
    "x" * 3000,
    "a\u0000b",
    {"date-parts": "x"},
    {"date-parts": [[2001, 13, 40]]},
    {"date-parts": [[99999]]},
    [{"family": 5}],
    [[[[1]]]],
    "javascript:alert(1)",
    "2001-02-30",
    "\u202eevil",
    10**30,
]


def _retype_json(text: str, rng: random.Random) -> str | None:
    try:
        items = json.loads(text)
    except ValueError:
        return None
    if not isinstance(items, list) or not items:
        return None
    item = rng.choice(items)
    key = rng.choice([*item.keys(), "title", "author", "issued", "id", "URL", "volume"])
    item[key] = rng.choice(HOSTILE_VALUES)
    return json.dumps(items, allow_nan=True)


def _retype_yaml(text: str, rng: random.Random) -> str | None:
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    if not isinstance(document, dict):
        return None
    key = rng.choice([*document.keys(), "title", "author", "issued", "citekey", "tags", "date", "name"])
    document[key] = rng.choice(HOSTILE_VALUES)
    return yaml.safe_dump(document, allow_unicode=True)


def mutate(text: str, suffix: str, rng: random.Random) -> str | bytes:
    """One of a handful of mutations, picked by the seeded generator."""
    kind = rng.randrange(8)
    n = len(text)
    at = rng.randrange(n + 1)
    if kind == 0:  # cut short
        return text[:at]
    if kind == 1:  # a span removed
        return text[:at] + text[min(n, at + rng.randrange(1, 200)) :]
    if kind == 2:  # a span repeated
        span = text[at : at + rng.randrange(1, 400)]
        return text[:at] + span * rng.randrange(2, 5) + text[at:]
    if kind == 3:  # hostile tokens inserted
        for _ in range(rng.randrange(1, 4)):
            at = rng.randrange(len(text) + 1)
            text = text[:at] + rng.choice(HOSTILE_TOKENS) + text[at:]
        return text
    if kind == 4:  # a line replaced
        lines = text.splitlines(keepends=True) or [""]
        lines[rng.randrange(len(lines))] = rng.choice(HOSTILE_TOKENS) + "\n"
        return "".join(lines)
    if kind == 5:  # bytes garbled: invalid UTF-8 and control bytes
        data = bytearray(text.encode("utf-8"))
        for _ in range(rng.randrange(1, 5)):
            if data:
                data[rng.randrange(len(data))] = rng.choice([0x00, 0x80, 0xC3, 0xFF, 0x7B, 0x7D, 0x22, 0x0A])
        return bytes(data)
    retyped = _retype_json(text, rng) if suffix == ".json" else _retype_yaml(text, rng) if suffix == ".yaml" else None
    if retyped is not None:  # kinds 6 and 7: a value of the wrong type or out of range
        return retyped
    return text[: at // 2] + rng.choice(HOSTILE_TOKENS) + text[at // 2 :]


def assert_pages_serve(db: Path, rng: random.Random, pages: int = 40) -> None:
    """The articles table and a sample of article, organisation and event pages answer 200."""
    conn = sqlite3.connect(db)
    rows = [
        (table, row[0])
        for table in ("articles", "organisations", "events")
        for row in conn.execute(f"select id from {table}")
    ]
    conn.close()
    client = Client(db)
    try:
        for path in ("/together/articles", "/together/articles.bib", "/together/-/timeline", "/together/-/network"):
            client.get(path)
        for table, row_id in rng.sample(rows, min(pages, len(rows))):
            client.get(f"/together/{table}/{row_id}")
    finally:
        client.close()


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def seeds(tmp_path_factory) -> list[tuple[str, str]]:
    """(file suffix, text) for every seed file."""
    folder = tmp_path_factory.mktemp("seeds")
    db = build_export_kb(folder / "hard.db", with_every_type=False)
    found = []
    for fmt, suffix in EXPORT_FORMATS.items():
        out = folder / f"hard-{fmt}{suffix}"
        result = invoke("export", "--format", fmt, "-o", str(out), "--db", str(db))
        assert result.exit_code == 0, result.output
        found.append((suffix, out.read_text(encoding="utf-8")))
    result = invoke("dump", str(folder / "dump"), "--db", str(db))
    assert result.exit_code == 0, result.output
    for path in sorted([*(folder / "dump").rglob("*.yaml"), *DATA.rglob("*.yaml")]):
        found.append((".yaml", path.read_text(encoding="utf-8")))
    for path in sorted((REPO / "tests" / "fixtures" / "web").glob("*.html")):
        found.append((".html", path.read_text(encoding="utf-8")))
    return found


def test_fuzzed_imports_fail_cleanly_or_import_cleanly(seeds, tmp_path):
    rng = random.Random(SEED)
    base = tmp_path / "base.db"
    assert invoke("build", str(DATA), "--db", str(base)).exit_code == 0
    assert invoke("stats", "--db", str(base)).exit_code == 0  # a first open settles the file (WAL, checkpoint)
    accepted: list[Path] = []
    outcomes = {0: 0, 1: 0}
    for number in range(CASES):
        suffix, text = rng.choice(seeds)
        mutated = mutate(text, suffix, rng)
        source = tmp_path / f"case-{number:03d}{suffix}"
        if isinstance(mutated, bytes):
            source.write_bytes(mutated)
        else:
            source.write_text(mutated, encoding="utf-8", errors="surrogatepass")
        db = tmp_path / f"case-{number:03d}.db"  # a file of its own: no -wal of an earlier case applies
        shutil.copyfile(base, db)
        before = digest(db)
        result = invoke(
            "import", str(source), "--db", str(db), *(["--url", "https://example.org/p"] if suffix == ".html" else [])
        )
        case = f"case {number} ({source.name}): {result.output[-500:]!r}"
        assert result.exception is None or isinstance(result.exception, SystemExit), case
        assert result.exit_code in (0, 1), case
        assert "Traceback" not in result.output, case
        outcomes[result.exit_code] += 1
        if result.exit_code == 1:
            errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
            assert len(errors) == 1 and result.output.strip().endswith(errors[0]), case
            assert digest(db) == before, case
        else:
            conn = sqlite3.connect(db)
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok", case
            conn.close()
            accepted.append(source)
        for leftover in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            leftover.unlink(missing_ok=True)
    # Both outcomes are exercised, so the test says something about each.
    assert outcomes[0] >= 30 and outcomes[1] >= 30, outcomes

    # Every accepted file, together: later commands must all still work.
    together = tmp_path / "together.db"
    shutil.copyfile(base, together)
    for source in accepted:
        result = invoke(
            "import",
            str(source),
            "--db",
            str(together),
            *(["--url", "https://example.org/p"] if source.suffix == ".html" else []),
        )
        assert result.exit_code in (0, 1) and "Traceback" not in result.output, (source.name, result.output[-500:])
    for fmt in [*EXPORT_FORMATS, "yaml"]:
        result = invoke("export", "--format", fmt, "--db", str(together))
        assert result.exit_code == 0, (fmt, result.output[-500:])
    for style in ("apa", "ieee"):
        result = invoke("export", "--style", style, "--to", "html", "--db", str(together))
        assert result.exit_code == 0, (style, result.output[-500:])
    assert invoke("dump", str(tmp_path / "dump"), "--db", str(together)).exit_code == 0
    assert_pages_serve(together, rng)
    rebuilt = invoke("build", str(tmp_path / "dump"), "--db", str(tmp_path / "rebuilt.db"))
    assert rebuilt.exit_code == 0, rebuilt.output[-500:]
