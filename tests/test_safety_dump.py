"""kb dump and kb build under symlinks, odd citekeys, kills and a running server."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from click.testing import CliRunner

from kb.cli import cli
from kb.dump_manifest import MANIFEST_NAME
from kb.portable_names import is_portable, portable_stem

from .conftest import DATA, REPO
from .test_safety_serve import kb_serve

ODD_KEYS = ["x<>|?*y", "CON", "nul.txt", "tab\there", "Case", "case", "trailing.", "ü-umlaut", "k" * 130, "a b"]
# Keys the importers accept (at most 100 printable characters) that still need a safe file name.
IMPORTABLE_ODD_KEYS = [
    "x<>|?*y",
    "CON",
    "nul.txt",
    "semi;colon",
    "Case",
    "case",
    "trailing.",
    "ü-umlaut",
    "k" * 100,
    "a b",
]


def run(*args: str, code: int = 0):
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == code, result.output
    return result


def count_works(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("select count(*) from articles").fetchone()[0]
    finally:
        conn.close()


def test_portable_stems():
    for key in ODD_KEYS:
        stem = portable_stem(key)
        assert is_portable(stem) and len(stem) <= 80, stem
        assert not set(stem) & set(':<>|?*"\\/\t ') and stem.split(".")[0].upper() not in ("CON", "NUL")
    assert portable_stem("kulhanekImpossibleDream") == "kulhanekImpossibleDream"
    assert portable_stem("x<>|?*y") != portable_stem("x<>|?*z")


def test_odd_citekeys_get_portable_file_names_and_survive_the_round_trip(tmp_path):
    items = [{"id": key, "type": "book", "title": f"Book {n}"} for n, key in enumerate(IMPORTABLE_ODD_KEYS)]
    source = tmp_path / "odd.json"
    source.write_text(json.dumps(items), encoding="utf-8")
    db = tmp_path / "odd.db"
    run("init", "--db", str(db))
    run("import", str(source), "--db", str(db))
    conn = sqlite3.connect(db)
    keys = sorted(row[0] for row in conn.execute("select citekey from articles"))
    conn.close()
    out = tmp_path / "out"
    run("dump", str(out), "--db", str(db))
    names = [path.name for path in (out / "works").iterdir()]
    assert len(names) == len(keys)
    assert all(is_portable(name[: -len(".yaml")]) for name in names), names
    assert len({name.casefold() for name in names}) == len(names)  # distinct on a case-blind file system
    run("build", str(out), "--db", str(tmp_path / "rebuilt.db"))
    conn = sqlite3.connect(tmp_path / "rebuilt.db")
    assert sorted(row[0] for row in conn.execute("select citekey from articles")) == keys
    conn.close()


def test_a_symlinked_folder_is_refused_and_what_it_points_to_is_untouched(sample_db, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "precious.yaml").write_text("my thesis\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "works").symlink_to(elsewhere, target_is_directory=True)
    result = run("dump", str(out), "--db", str(sample_db), code=1)
    assert (
        result.output.strip()
        == f"Error: {out / 'works'} is a symbolic link; kb dump only writes inside {out} (remove the link)"
    )
    assert [p.name for p in elsewhere.iterdir()] == ["precious.yaml"]
    assert (elsewhere / "precious.yaml").read_text(encoding="utf-8") == "my thesis\n"


def test_a_symlinked_file_is_replaced_not_written_through(sample_db, tmp_path):
    out = tmp_path / "out"
    run("dump", str(out), "--db", str(sample_db))
    outside = tmp_path / "outside.txt"
    outside.write_text("not kb's\n", encoding="utf-8")
    link = out / "works" / "kulhanekImpossibleDream.yaml"
    link.unlink()
    link.symlink_to(outside)
    stale_link = out / "works" / "gone.yaml"
    stale_link.symlink_to(outside)
    run("dump", str(out), "--db", str(sample_db))
    assert outside.read_text(encoding="utf-8") == "not kb's\n"
    assert not link.is_symlink() and link.read_bytes() == (DATA / "works" / link.name).read_bytes()
    assert not stale_link.exists() and not stale_link.is_symlink() and outside.exists()


def test_dump_into_an_unwritable_place_is_a_one_line_error(sample_db, tmp_path):
    result = run("dump", "/proc/kb-dump-here", "--db", str(sample_db), code=1)
    assert result.output.startswith("Error: cannot write the dump to /proc/kb-dump-here: ")
    assert len(result.output.strip().splitlines()) == 1
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = run("dump", str(blocker / "sub"), "--db", str(sample_db), code=1)
    assert result.output.startswith("Error: cannot write the dump to") and "Traceback" not in result.output


def test_manifest_lists_every_file_and_build_notes_hand_edits(sample_db, tmp_path):
    out = tmp_path / "out"
    run("dump", str(out), "--db", str(sample_db))
    lines = (out / MANIFEST_NAME).read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(list(out.rglob("*.yaml"))) == 10
    check = subprocess.run(["sha256sum", "-c", "--quiet", MANIFEST_NAME], cwd=out, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    work = out / "works" / "kulhanekImpossibleDream.yaml"
    work.write_text(
        work.read_text(encoding="utf-8").replace("An impossible dream?", "A possible dream"), encoding="utf-8"
    )
    result = run("build", str(out), "--db", str(tmp_path / "edited.db"))
    assert "Note: 1 changed since kb dump wrote the folder" in result.stderr


def big_kb(tmp_path: Path, works: int) -> Path:
    items = [
        {
            "id": f"w{i:05d}",
            "type": "report",
            "title": f"Report {i} on {'abcdefghij'[i % 10] * (i % 7 + 1)} {i * 7919 % 10007}",
            "author": [{"family": f"Family{i}", "given": "Ann"}],
            "issued": {"date-parts": [[1990 + i % 30]]},
            "abstract": "words " * 60,
        }
        for i in range(works)
    ]
    source = tmp_path / "big.json"
    source.write_text(json.dumps(items), encoding="utf-8")
    db = tmp_path / "big.db"
    run("init", "--db", str(db))
    run("import", str(source), "--db", str(db), "--on-duplicate", "keep-both")
    assert count_works(db) == works
    return db


def test_a_killed_dump_is_refused_by_build(tmp_path):
    db = big_kb(tmp_path, 1500)
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "kb.cli", "dump", str(out), "--db", str(db)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        try:
            if len(os.listdir(out / "works")) >= 200:
                break
        except FileNotFoundError:
            pass
        time.sleep(0.005)
    assert process.poll() is None, "the dump finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert (out / MANIFEST_NAME).read_text(encoding="utf-8").startswith("# kb dump in progress")
    assert all(path.read_text(encoding="utf-8").startswith("kind: work") for path in (out / "works").glob("*.yaml"))
    rebuilt = tmp_path / "rebuilt.db"
    result = run("build", str(out), "--db", str(rebuilt), code=1)
    assert result.output.strip() == (
        f"Error: {out} is an unfinished kb dump (it was stopped before writing {MANIFEST_NAME}); run kb dump again"
    )
    assert not rebuilt.exists()
    run("dump", str(out), "--db", str(db))
    run("build", str(out), "--db", str(rebuilt))
    assert count_works(rebuilt) == 1500


def served_count(base: str) -> int:
    with urllib.request.urlopen(
        base + "/kb.json?sql=select+count(*)+as+n+from+articles&_shape=array", timeout=10
    ) as response:
        return json.load(response)[0]["n"]


def test_build_force_under_a_running_server_is_seen_on_the_next_request(tmp_path):
    db = tmp_path / "kb.db"
    run("build", str(DATA), "--db", str(db))
    bigger = tmp_path / "bigger"
    run("dump", str(bigger), "--db", str(big_kb(tmp_path, 40)))
    with kb_serve(db, tmp_path) as (base, _, _):
        assert [served_count(base) for _ in range(4)] == [2] * 4
        result = run("build", str(bigger), "--db", str(db), "--force")
        assert "restart" not in result.stderr
        assert [served_count(base) for _ in range(6)] == [40] * 6
        run("add", "--title", "Added while served", "--db", str(db))
        assert [served_count(base) for _ in range(3)] == [41] * 3
