"""Fixtures: real SQLite files in a temporary folder, and the kb CLI run through click.

Knowledge bases that take time to build (the sample, the export cases, the browsing
cases) are built once per session and copied for each test (`built_kbs`); `kb_server`
starts a real `kb serve` (tests/serving.py). One headless Chromium (`chromium`) and one
`kb serve` of the browsing cases (`browse_server`) serve every browser test of a session."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import cli
from kb.db import connect
from kb.store import Store

from .built_kbs import BuiltKbs
from .serving import Server, running_server

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto` (pyproject.toml): the whole suite gets xdist's one worker per core; a run of
    named files or tests stays in one process, where starting workers (each importing kb
    and Datasette) costs more than it saves."""
    if config.args_source == pytest.Config.ArgsSource.ARGS:
        return 0
    return None


def build_empty(path: Path) -> Path:
    """An empty knowledge base: kb's schema, no records."""
    connect(path).conn.close()
    return path


@pytest.fixture
def db_path(tmp_path: Path, built_kbs: BuiltKbs) -> Path:
    """A fresh, empty kb database file (a copy of one made once per session: making the
    schema costs twenty times the copy)."""
    return built_kbs.copy("empty", build_empty, tmp_path / "kb.db")


@pytest.fixture
def store(db_path: Path) -> Store:
    return Store(connect(db_path), user="tester")


def build_sample(path: Path) -> Path:
    """The sample knowledge base, built from data/ with `kb build`."""
    result = CliRunner().invoke(cli, ["build", str(DATA), "--db", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="session")
def built_kbs(tmp_path_factory: pytest.TempPathFactory) -> BuiltKbs:
    """Knowledge bases built once per session: `built_kbs.copy(name, build, to)`."""
    return BuiltKbs(tmp_path_factory.mktemp("built-kbs"))


@pytest.fixture
def sample_db(tmp_path: Path, built_kbs: BuiltKbs) -> Path:
    """The sample knowledge base, built from data/ with `kb build` (this test's own copy)."""
    return built_kbs.copy("sample", build_sample, tmp_path / "sample.db")


@pytest.fixture
def export_kb(tmp_path: Path, built_kbs: BuiltKbs) -> Path:
    """tests/export_cases.py's knowledge base, every CSL type included, as tmp_path/hard.db."""
    from .export_cases import build_export_kb

    return built_kbs.copy("export", build_export_kb, tmp_path / "hard.db")


@pytest.fixture
def export_kb_hard_cases(tmp_path: Path, built_kbs: BuiltKbs) -> Path:
    """tests/export_cases.py's knowledge base, only the hard cases, as tmp_path/hard.db."""
    from .export_cases import build_export_kb

    def build(path: Path) -> Path:
        return build_export_kb(path, with_every_type=False)

    return built_kbs.copy("export-hard-cases", build, tmp_path / "hard.db")


@pytest.fixture
def browse_kb(tmp_path: Path, built_kbs: BuiltKbs) -> tuple[Path, dict[str, str]]:
    """tests/browse_fixtures.py's knowledge base as tmp_path/kb.db, and its citekeys by role."""
    from .browse_fixtures import build_browse_kb

    keys = built_kbs.built("browse", build_browse_kb)
    return built_kbs.copy("browse", build_browse_kb, tmp_path / "kb.db"), keys


@pytest.fixture(scope="session")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """The session's headless Chromium (a selenium WebDriver; tests/browsers.py)."""
    from .browsers import start_chromium

    driver = start_chromium(tmp_path_factory.mktemp("chromium-profile"))
    yield driver
    driver.quit()


@pytest.fixture(scope="session")
def browse_server(tmp_path_factory: pytest.TempPathFactory, built_kbs: BuiltKbs) -> Iterator[tuple[str, Path, dict]]:
    """`kb serve` of the browsing cases for the session: (base URL, db path, citekeys by role)."""
    from .browse_fixtures import build_browse_kb

    folder = tmp_path_factory.mktemp("served")
    db = built_kbs.copy("browse", build_browse_kb, folder / "kb.db")
    with running_server(db, log=folder / "serve.log") as served:
        yield served.url, db, built_kbs.built("browse", build_browse_kb)


@pytest.fixture
def kb_server(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Start `kb serve`: `kb_server(db, *options)` gives a Server answering on a free
    port (`.url`, `.output()`), stopped after the test."""
    with ExitStack() as stack:
        started = 0

        def start(db: Path, *options: str) -> Server:
            nonlocal started
            started += 1
            return stack.enter_context(running_server(db, *options, log=tmp_path / f"serve-{started}.log"))

        yield start


@pytest.fixture
def run(db_path: Path):
    """Run a kb command against `db_path`; returns click's Result."""

    def invoke(*args: str, input: str | None = None, db: Path | None = None):
        return CliRunner().invoke(cli, [*args, "--db", str(db or db_path)], input=input, catch_exceptions=False)

    return invoke
