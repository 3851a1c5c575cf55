"""Every example in `kb ... --help` and every shell block in the README runs.

Each command's examples (and each README block) run in order in a temporary folder
holding a copy of the sample knowledge base as ./kb.db (and as thesis.db), data/, and
the files the examples name (tests/fixtures/examples/); an example that starts from
nothing (it runs `kb init`) gets a folder without a knowledge base. Every kb command
must exit 0. Only the steps listed in SKIPPED are not run, each for the reason given.
"""

from __future__ import annotations

import json
import shlex
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import cli

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_FILES = Path(__file__).parent / "fixtures" / "examples"
# Names the examples give a saved web page -> the web importer's own fixture of one.
SAVED_PAGES = {"nato-russia.html", "saved-page.html"}
BLOG_POST = Path(__file__).parent / "fixtures" / "web" / "blog-post.html"

# Steps not run, and why. The key is the start of the command.
SKIPPED = {
    "kb serve": "starts a web server that runs until stopped",
    "kb link --review": "asks y/n about each proposal: needs a person at a terminal",
    "kb users add": "asks for the new password twice: needs a person at a terminal (tests/test_department.py)",
    "python3": "makes a virtualenv or runs this test suite",
    "python": "runs this test suite",
    ".": "activates the virtualenv",
    "pip": "installs kb (already installed here)",
    "ruff": "lints and checks the formatting of the code (part of the test command, not of kb)",
    "export": "points KB_DB at the reader's own folder; the test works in a temporary one",
}
PROGRAMS = {"kb"} | {key.split()[0] for key in SKIPPED}


def _joined(lines: list[str]) -> list[str]:
    """Lines with shell continuations (a trailing backslash) joined."""
    commands, current = [], ""
    for line in lines:
        stripped = line.strip()
        if stripped.endswith("\\"):
            current += stripped[:-1].rstrip() + " "
            continue
        current += stripped
        if current.strip():
            commands.append(current.strip())
        current = ""
    return commands


def help_examples(args: list[str]) -> list[str]:
    """The command lines under "Example:" in `kb ARGS --help`."""
    text = CliRunner().invoke(cli, [*args, "--help"], terminal_width=200).output
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "Example:")
    block = []
    for line in lines[start + 1 :]:
        if line.strip() and not line.startswith("    "):  # the next section (Options:, Formats:)
            break
        block.append(line)
    return _joined(block)


def readme_blocks() -> list[tuple[int, list[str]]]:
    """The README's shell blocks (every line a command of a known program), with their line."""
    lines = (REPO / "README.md").read_text().splitlines()
    blocks, fence, body, start = [], None, [], 0
    for number, line in enumerate(lines, 1):
        if fence is None and line.startswith("```"):
            fence, body, start = line[3:].strip(), [], number
        elif fence is not None and line.strip() == "```":
            commands = _joined(body)
            if fence in ("bash", "sh", "") and commands and all(c.split()[0] in PROGRAMS for c in commands):
                blocks.append((start, commands))
            fence = None
        elif fence is not None:
            body.append(line)
    return blocks


CASES = [pytest.param(help_examples([]), id="help:kb")]
CASES += [pytest.param(help_examples([name]), id=f"help:{name}") for name in sorted(cli.commands)]
CASES += [pytest.param(commands, id=f"README:line{line}") for line, commands in readme_blocks()]


def _steps(command_line: str) -> list[list[list[str]]]:
    """A command line as its `&&`/`;` steps, each a pipeline of argument lists."""
    lexer = shlex.shlex(command_line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    steps: list[list[list[str]]] = [[[]]]
    for token in lexer:
        if token in ("&&", ";"):
            steps.append([[]])
        elif token == "|":
            steps[-1].append([])
        else:
            steps[-1][-1].append(token)
    return [step for step in steps if step[0]]


ONLINE = (
    "looks works up on the internet, which test machines do not reach; tests/test_add_online.py and "
    "tests/test_enrich.py run these commands against local stand-ins for the services"
)


def _skip_reason(args: list[str]) -> str | None:
    if args[:2] == ["kb", "add"] and len(args) > 2 and not args[2].startswith("-"):
        return ONLINE  # kb add DOI|ISBN|arXiv id|URL
    if args[:2] == ["kb", "enrich"]:
        return ONLINE
    text = " ".join(args)
    for start, reason in SKIPPED.items():
        if text == start or text.startswith(start + " "):
            return reason
    return None


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sample") / "kb.db"
    result = CliRunner().invoke(cli, ["build", str(REPO / "data"), "--db", str(path)])
    assert result.exit_code == 0, result.output
    return path


def _copy_db(source: Path, target: Path) -> None:
    """A consistent copy (the sample's last writes may still be in its WAL file)."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


@pytest.mark.parametrize("commands", CASES)
# EDITOR=true: `kb edit KEY` opens an editor that saves nothing ("no changes").
def test_example_runs(commands: list[str], sample: Path, tmp_path: Path, monkeypatch) -> None:
    assert commands, "no example found"
    shutil.copytree(REPO / "data", tmp_path / "data")
    for path in EXAMPLE_FILES.iterdir():
        shutil.copy(path, tmp_path / path.name)
    for name in SAVED_PAGES:
        shutil.copy(BLOG_POST, tmp_path / name)
    if not any(step[0][:2] == ["kb", "init"] for command in commands for step in _steps(command)):
        _copy_db(sample, tmp_path / "kb.db")
        _copy_db(sample, tmp_path / "thesis.db")
    monkeypatch.chdir(tmp_path)
    ran = 0
    for command in commands:
        for pipeline in _steps(command):
            first, *rest = pipeline
            assert first[0] in PROGRAMS, f"{command!r}: {first[0]} is neither kb nor a listed setup step"
            if _skip_reason(first):
                continue
            result = CliRunner().invoke(cli, first[1:], env={"KB_DB": None, "KB_USER": "examples", "EDITOR": "true"})
            assert result.exit_code == 0, f"{command!r} failed: {result.output}"
            for piped in rest:  # `| grep WORD` and `| python3 -m json.tool` are understood; teach others here
                if piped[:3] == ["python3", "-m", "json.tool"]:
                    json.loads(result.stdout)
                    continue
                assert piped[0] == "grep" and len(piped) == 2, f"{command!r}: cannot run the pipe {' '.join(piped)!r}"
                assert piped[1] in result.stdout, f"{command!r}: {piped[1]!r} not in the output"
            ran += 1
    assert ran or all(_skip_reason(s[0]) for c in commands for s in _steps(c))


def test_the_runner_reads_steps_pipes_and_comments():
    assert _steps('kb init && kb add --title "A b" --org NATO:host   # a comment') == [
        [["kb", "init"]],
        [["kb", "add", "--title", "A b", "--org", "NATO:host"]],
    ]
    assert _steps("kb ref --list-styles | grep harvard") == [[["kb", "ref", "--list-styles"], ["grep", "harvard"]]]
    assert _joined(["kb add --title x \\", "    --tag y", "", "kb stats"]) == ["kb add --title x --tag y", "kb stats"]
    assert _skip_reason(["kb", "link", "--review"]) and not _skip_reason(["kb", "link", "--detect"])
    assert len(readme_blocks()) >= 6  # the two commands, Logging, Importing, Web pages, Exporting
