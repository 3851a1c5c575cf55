"""Two writers at once: the second waits its turn (and says so after a second) instead
of failing after 5 s; `kb import` reads and parses its files before taking the lock."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from click.testing import CliRunner

from kb.cli import cli

from .conftest import DATA, REPO


def kb_process(db: Path, *args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "kb.cli", *args, "--db", str(db)],
        cwd=REPO,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **env},
    )


def hold_write_lock(db: Path, seconds: float, release: threading.Event | None = None) -> threading.Event:
    """Another writer: takes the write lock, holds it `seconds` (or until `release` is
    set), lets go. Returns once taken."""
    taken = threading.Event()

    def hold():
        conn = sqlite3.connect(db, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        taken.set()
        if release is not None:
            release.wait(seconds)
        else:
            time.sleep(seconds)
        conn.execute("ROLLBACK")
        conn.close()

    threading.Thread(target=hold, daemon=True).start()
    taken.wait(10)
    return taken


def built(tmp_path: Path) -> Path:
    db = tmp_path / "kb.db"
    assert CliRunner().invoke(cli, ["build", str(DATA), "--db", str(db)]).exit_code == 0
    return db


def test_a_second_writer_waits_and_says_so(tmp_path):
    db = built(tmp_path)
    release = threading.Event()
    hold_write_lock(db, 120.0, release)  # held until the second writer says it waits
    process = kb_process(db, "add", "--title", "Added while another command wrote")
    first_line = process.stderr.readline()  # blocks until kb writes to stderr
    assert "Waiting for another kb command to finish writing" in first_line
    release.set()
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, first_line + stderr
    assert stdout.strip()  # the new citekey


def test_a_writer_gives_up_after_its_wait_with_one_line(tmp_path):
    db = built(tmp_path)
    release = threading.Event()
    hold_write_lock(db, 120.0, release)  # held for longer than the writer waits, however slow it starts
    process = kb_process(db, "add", "--title", "Too late", KB_LOCK_WAIT_S="2")
    _, stderr = process.communicate(timeout=60)
    release.set()
    assert process.returncode == 1, stderr
    lines = stderr.strip().splitlines()
    assert lines[0].startswith("Waiting for another kb command")
    assert lines[-1].startswith("Error: the knowledge base is busy") and len(lines) == 2


def test_import_and_add_at_once_both_land(tmp_path):
    db = built(tmp_path)
    items = [
        {
            "id": f"w{i:05d}",
            "type": "report",
            "title": f"Report {i} on subject {i * 7919 % 10007}",
            "author": [{"family": f"Family{i}", "given": "Ann"}],
            "issued": {"date-parts": [[1990 + i % 30]]},
        }
        for i in range(2000)
    ]
    source = tmp_path / "big.json"
    source.write_text(json.dumps(items), encoding="utf-8")
    importing = kb_process(db, "import", str(source), "--on-duplicate", "keep-both")
    time.sleep(0.5)
    adding = kb_process(db, "add", "--title", "Logged during an import")
    add_out, add_err = adding.communicate(timeout=120)
    import_out, import_err = importing.communicate(timeout=120)
    assert adding.returncode == 0, add_err
    assert importing.returncode == 0, import_err
    conn = sqlite3.connect(db)
    assert conn.execute("select count(*) from articles").fetchone()[0] == 2 + 2000 + 1
    conn.close()
