"""The small frictions of daily use: a missing knowledge base, honest messages, checked
options, -h, file modes, summaries that fit a screen, shell completion, prompts."""

from __future__ import annotations

import json
import os
import pty
import select
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from kb.cli import cli

KB = [sys.executable, "-m", "kb.cli"]


def kb(*args: str, env: dict[str, str | None] | None = None):
    return CliRunner().invoke(cli, list(args), env={"KB_DB": None, **(env or {})})


def count(db: Path, sql: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def test_import_without_a_knowledge_base_refuses_like_the_other_commands(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("thesis.bib").write_text("@article{a, title = {A}, author = {B, C}, year = {2001}}\n")
    for args in (["import", "thesis.bib"], ["add", "--title", "A", "--type", "report"], ["stats"]):
        result = kb(*args)
        assert result.exit_code == 1, args
        assert result.stderr == "Error: no knowledge base at kb.db (run `kb init` or `kb build` first)\n", args
    assert not Path("kb.db").exists()
    assert kb("init").exit_code == 0 and kb("import", "thesis.bib").exit_code == 0
    assert count(tmp_path / "kb.db", "SELECT count(*) FROM articles") == 1


def test_note_says_what_it_did(sample_db):
    result = kb("note", "kulhanekImpossibleDream", "--status", "reading", "--db", str(sample_db))
    assert result.exit_code == 0
    assert result.stderr == "kulhanekImpossibleDream: status set to reading\n"
    assert count(sample_db, "SELECT count(*) FROM notes WHERE article_id = 1") == 0
    result = kb("note", "kulhanekImpossibleDream", "Sceptical", "--status", "read", "--db", str(sample_db))
    assert result.stderr == "kulhanekImpossibleDream: note added, status set to read\n"
    assert (
        kb("note", "kulhanekImpossibleDream", "Again", "--db", str(sample_db)).stderr
        == "kulhanekImpossibleDream: note added\n"
    )


def test_serve_checks_the_port_before_anything_starts(sample_db):
    result = kb("serve", "--port", "99999999", "--db", str(sample_db))
    assert result.exit_code == 2
    assert "Serving" not in result.output
    assert "Invalid value for '--port': 99999999 is not in the range 1<=x<=65535" in result.stderr


def test_dash_h_is_help():
    for args in (["-h"], ["show", "-h"], ["export", "-h"]):
        result = kb(*args)
        assert result.exit_code == 0 and result.output.startswith("Usage: ") and "Example:" in result.output, args


def test_files_written_with_o_follow_the_umask(sample_db, tmp_path):
    old = os.umask(0o022)
    try:
        out = tmp_path / "refs.bib"
        assert kb("export", "--format", "bibtex", "-o", str(out), "--db", str(sample_db)).exit_code == 0
        assert out.stat().st_mode & 0o777 == 0o644
        os.umask(0o077)
        private = tmp_path / "private.bib"
        assert kb("export", "--format", "bibtex", "-o", str(private), "--db", str(sample_db)).exit_code == 0
        assert private.stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(old)


def _works_with_many_losses(tmp_path: Path) -> Path:
    """Three works holding seven CSL variables BibTeX has no field for."""
    items = [
        {
            "id": f"w{n}",
            "type": "book",
            "title": f"Work {n}",
            "issued": {"date-parts": [[2000 + n]]},
            "event-place": "Lisbon",
            "call-number": f"JZ{n}",
            "archive": "NATO Archives",
            "source": "WorldCat",
            "number-of-pages": "300",
            "version": "2",
            "section": "A",
        }
        for n in range(3)
    ]
    (tmp_path / "works.json").write_text(json.dumps(items))
    db = tmp_path / "losses.db"
    assert kb("init", "--db", str(db)).exit_code == 0
    result = kb("import", str(tmp_path / "works.json"), "--db", str(db))
    assert result.exit_code == 0, result.output
    return db


def test_a_long_loss_list_is_summarised_with_details_on_request(tmp_path):
    db = _works_with_many_losses(tmp_path)
    result = kb("export", "--format", "bibtex", "-o", str(tmp_path / "out.bib"), "--db", str(db))
    assert result.exit_code == 0
    summary = [line for line in result.stderr.splitlines() if line.startswith("Not exported")]
    assert summary == [
        "Not exported: 3 works hold fields BibTeX cannot carry: archive (3 works), call-number (3), "
        "event-place (3), number-of-pages (3), section (3) and 2 more kinds; --verbose lists each kind, "
        "--report FILE every work"
    ]
    verbose = kb("export", "--format", "bibtex", "--verbose", "--report", str(tmp_path / "lost.tsv"), "--db", str(db))
    lines = [line for line in verbose.stderr.splitlines() if line.startswith("Not exported")]
    assert len(lines) == 7 and "3 works: version not representable in BibTeX (w0, w1, w2)" in lines[-1]
    report = (tmp_path / "lost.tsv").read_text().splitlines()
    assert report[0] == "citekey\tnot representable in BibTeX" and len(report) == 1 + 3 * 7
    assert "w2\tversion" in report


def test_shell_completion_as_the_readme_says():
    installed = [str(Path(sys.executable).parent / "kb")]  # the `kb` script, as a shell runs it
    script = subprocess.run(
        installed, env={**os.environ, "_KB_COMPLETE": "bash_source"}, capture_output=True, text=True
    )
    assert "complete -o nosort -F _kb_completion kb" in script.stdout
    words = subprocess.run(
        installed,
        env={**os.environ, "_KB_COMPLETE": "bash_complete", "COMP_WORDS": "kb sh", "COMP_CWORD": "1"},
        capture_output=True,
        text=True,
    )
    assert "plain,show" in words.stdout.splitlines()
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    for shell in ("bash_source", "zsh_source", "fish_source"):
        assert f"_KB_COMPLETE={shell} kb" in readme


def _talk(command: list[str], answers: list[str], timeout: float = 30) -> tuple[int, str]:
    """Run a command at a pseudo-terminal, typing each answer after the next prompt."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(command, stdin=follower, stdout=follower, stderr=follower, close_fds=True)
    os.close(follower)
    screen, pending, deadline = b"", list(answers), time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            screen += chunk
            if pending and screen.rstrip().endswith(b":") or pending and screen.rstrip().endswith(b"]:"):
                os.write(leader, (pending.pop(0) + "\n").encode())
        elif process.poll() is not None:
            break
    os.close(leader)
    return process.wait(timeout=5), screen.decode(errors="replace")


def test_a_mistyped_type_at_the_prompt_is_asked_again_and_the_title_kept(tmp_path):
    db = tmp_path / "p.db"
    assert kb("init", "--db", str(db)).exit_code == 0
    status, screen = _talk([*KB, "add", "--db", str(db)], ["A typed title", "reprot", "report"])
    assert status == 0, screen
    assert "Error: 'reprot' is not one of" in screen or "'reprot' is not" in screen
    assert count(db, "SELECT count(*) FROM articles WHERE title = 'A typed title' AND type = 'report'") == 1


def _complete(words: str, db: Path) -> list[str]:
    """What bash completion offers for `words`: click's completion, run in process (the
    installed script answering a shell is tested above)."""
    env = {
        "_KB_COMPLETE": "bash_complete",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
        "KB_DB": str(db),
    }
    result = CliRunner().invoke(cli, [], prog_name="kb", env=env)
    assert result.exit_code == 0, result.output
    return [line.split(",", 1)[1] for line in result.stdout.splitlines() if line]


def test_completion_reads_citekeys_and_names_from_the_knowledge_base(sample_db, tmp_path):
    assert _complete("kb show kulhanekImpossibleDream", sample_db) == [
        "kulhanekImpossibleDream",
        "kulhanekImpossibleDreamEarlier",
    ]
    assert _complete("kb export --org n", sample_db) == [
        "NATO",
        "North Atlantic Alliance",
        "North Atlantic Treaty Organization",
    ]
    assert _complete("kb link kulhanekImpossibleDream --event Lis", sample_db) == ["Lisbon Summit"]
    assert _complete("kb list works --tag European", sample_db) == ["European Politics", "European security"]
    assert _complete("kb cite kulhanekImpossibleDream kulhanekImpossibleDreamE", sample_db) == [
        "kulhanekImpossibleDreamEarlier"
    ]
    assert _complete("kb show kul", tmp_path / "missing.db") == []  # no knowledge base: nothing, and no error


def test_an_output_path_is_checked_before_anything_is_exported(sample_db, tmp_path):
    result = kb("export", "--format", "bibtex", "-o", str(tmp_path / "missing" / "refs.bib"), "--db", str(sample_db))
    assert result.exit_code == 2 and "Exported" not in result.stderr
    assert f"Invalid value for '-o' / '--output': the folder '{tmp_path / 'missing'}' does not exist" in result.stderr
    result = kb("export", "--format", "bibtex", "--report", str(tmp_path / "missing" / "r.tsv"), "--db", str(sample_db))
    assert result.exit_code == 2 and "Invalid value for '--report'" in result.stderr


def test_a_folder_that_cannot_be_written_is_one_line_not_a_traceback(sample_db, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = kb("dump", str(blocker / "dump"), "--db", str(sample_db))
    assert result.exit_code == 1
    assert (
        result.stderr.startswith("Error: ")
        and len(result.stderr.splitlines()) == 1
        and "Traceback" not in result.output
    )
