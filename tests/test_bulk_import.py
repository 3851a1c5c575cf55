"""The bulk write path of an import (kb/store/bulk.py) gives the same knowledge base as
writing each record as it is saved: `kb dump` of the two, byte for byte.

The per-record path is the one `--skip-invalid` takes (a savepoint per record); here it
is asked for with `import_files(..., bulk=False)`. The only thing allowed to differ is
the time each import stamped its works with, set to one value in both before dumping.
The shared corpora are compared too (marked `corpus`, like tests/test_corpus_roundtrip.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import cli
from kb.db import connect
from kb.importing import import_files
from kb.model import WorkRecord
from kb.store import Store
from tests.test_corpus_roundtrip import CORPORA, CORPUS_FILES

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "tests" / "fixtures" / "examples"
STAMP = "2000-01-01T00:00:00Z"


def _kb(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _dump(db: Path, folder: Path) -> dict[str, bytes]:
    _kb("dump", str(folder), "--db", str(db))
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _imported(tmp_path: Path, name: str, files: list[Path], bulk: bool, start: Path | None = None, **options) -> Path:
    """A knowledge base (a copy of `start`, or a new one) after importing `files` one way."""
    db = tmp_path / f"{name}-{'bulk' if bulk else 'per-record'}.db"
    if start is not None:
        shutil.copyfile(start, db)
    store = Store(connect(db), user="tester")
    import_files(store, files, bulk=bulk, **options)
    # The one difference by design: the second each import ran (stamped on new works and notes).
    with store.transaction():
        store.conn.execute("UPDATE articles SET added_at = ?, updated_at = ?", (STAMP, STAMP))
        store.conn.execute("UPDATE notes SET added_at = ?", (STAMP,))
    store.db.conn.close()
    return db


def _same_both_ways(tmp_path: Path, name: str, files: list[Path], start: Path | None = None, **options) -> int:
    """Import both ways, assert the dumps are byte for byte equal; the number of works."""
    bulk = _dump(_imported(tmp_path, name, files, True, start, **options), tmp_path / f"{name}-bulk")
    per_record = _dump(_imported(tmp_path, name, files, False, start, **options), tmp_path / f"{name}-per-record")
    assert sorted(bulk) == sorted(per_record)
    differing = [path for path in bulk if bulk[path] != per_record[path]]
    assert differing == [], f"{len(differing)} files differ, such as {differing[:5]}"
    return sum(1 for path in bulk if path.startswith("works/"))


@pytest.mark.parametrize("example", ["thesis.bib", "scopus.ris", "zotero.json", "sources.csv"])
def test_each_example_file_lands_the_same(tmp_path, example):
    assert _same_both_ways(tmp_path, example.replace(".", "_"), [EXAMPLES / example]) > 0


def test_files_that_name_one_another_land_the_same(tmp_path):
    files = [EXAMPLES / name for name in ("events.csv", "thesis.bib", "scopus.ris", "zotero.json", "sources.csv")]
    assert _same_both_ways(tmp_path, "all", files, tags=["imported"], added_by="someone") > 0


def test_importing_into_a_full_knowledge_base_lands_the_same(tmp_path):
    """Into the sample (duplicates merge into works it holds; people and tags it knows)."""
    sample = tmp_path / "sample.db"
    _kb("build", str(REPO / "data"), "--db", str(sample))
    files = [EXAMPLES / name for name in ("thesis.bib", "zotero.json", "scopus.ris")]
    assert _same_both_ways(tmp_path, "into-sample", files, start=sample) > 0
    # and the same file again: every record found, nothing new
    again = tmp_path / "again.db"
    shutil.copyfile(_imported(tmp_path, "twice", files, True, sample), again)
    assert _same_both_ways(tmp_path, "again", files, start=again) > 0


def test_building_the_sample_lands_the_same(tmp_path):
    """kb build's import (kb YAML, no history, no provenance) both ways."""
    files = sorted((REPO / "data").rglob("*.yaml"))
    assert _same_both_ways(tmp_path, "build", files, fmt="yaml", record_import=False) > 0


def test_undo_of_a_bulk_import_gives_the_knowledge_base_back(tmp_path):
    db = tmp_path / "kb.db"
    _kb("build", str(REPO / "data"), "--db", str(db))
    before = _dump(db, tmp_path / "before")
    _kb("import", str(EXAMPLES / "thesis.bib"), str(EXAMPLES / "zotero.json"), "--db", str(db))
    assert _dump(db, tmp_path / "imported") != before
    _kb("undo", "--db", str(db))
    assert _dump(db, tmp_path / "after") == before


def test_bulk_writes_queue_new_works_until_a_statement_needs_them(tmp_path):
    """Inside bulk writes a new work's rows wait (the raw connection does not see them);
    the next statement run through the store writes them first, with the id it was given."""
    store = Store(connect(tmp_path / "kb.db"), user="tester")
    raw = store.db.conn
    with store.transaction(), store.bulk_writes():
        first = store.save(WorkRecord({"type": "book", "title": "Waiting rows", "author": [{"family": "Queue"}]}))
        second = store.save(WorkRecord({"type": "book", "title": "More waiting rows"}))
        assert raw.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
        assert second.article_id == first.article_id + 1
        titles = store.conn.execute("SELECT id, title FROM articles ORDER BY id").fetchall()
        assert titles == [(first.article_id, "Waiting rows"), (second.article_id, "More waiting rows")]
        assert raw.execute("SELECT count(*) FROM article_authors").fetchone()[0] == 1


def test_bulk_writes_need_a_transaction(tmp_path):
    store = Store(connect(tmp_path / "kb.db"), user="tester")
    with pytest.raises(RuntimeError):
        with store.bulk_writes():
            pass


@pytest.mark.corpus
@pytest.mark.skipif(CORPORA is None, reason="the shared corpora are not here (see tests/test_corpus_roundtrip.py)")
@pytest.mark.parametrize("corpus", CORPUS_FILES)
def test_each_corpus_lands_the_same(tmp_path, corpus):
    assert CORPORA is not None
    assert _same_both_ways(tmp_path, corpus.replace(".", "_"), [CORPORA / corpus]) > 100
