"""The two forms of the identity cache (kb/store/identity.py) make the same decisions.

An import reads every identifier once (`IdentityCache.load`); `kb add` and the other
commands that save a record or two ask indexed queries instead (`IdentityCache.indexed_on`).
Records saved one by one into a copy of the sample each way must leave the same
knowledge base: the same merges (by citekey, DOI, URL, ISBN, and the fuzzy rule of
title, first author and year), the same candidates, the same new works.
"""

from __future__ import annotations

import copy
import re
import shutil
from pathlib import Path

from kb.db import connect
from kb.importers import parse_file
from kb.model import WorkRecord
from kb.store import Store
from tests.test_bulk_import import EXAMPLES, REPO, STAMP, _kb

# First creators of the generated works: people sharing a family name, a particle, an
# accented name, a corporate author, editors only, and none at all.
CREATORS = [
    {"author": [{"family": "Smith", "given": "Ann"}]},
    {"author": [{"family": "Smith", "given": "Bob"}, {"family": "Jones", "given": "Cy"}]},
    {"author": [{"family": "Müller", "given": "Jörg"}]},
    {"author": [{"family": "Cruz", "non-dropping-particle": "de la", "given": "Ana"}]},
    {"author": [{"literal": "North Atlantic Treaty Organization"}]},
    {"editor": [{"family": "Smith", "given": "Eve"}]},
    {},
]
TOPICS = ["alliances", "sanctions", "summits", "treaties", "elections", "pipelines", "borders", "navies"]


def _generated() -> list[dict]:
    works = []
    for n in range(42):
        item = {
            "type": "book" if n % 5 == 0 else "article-journal",
            "title": f"On {TOPICS[n % len(TOPICS)]} and {TOPICS[(n * 3 + 1) % len(TOPICS)]}, study {n}",
            "issued": {"date-parts": [[2000 + n % 4]]},
            **copy.deepcopy(CREATORS[n % len(CREATORS)]),
        }
        if n % 3 == 0:
            item["DOI"] = f"10.1000/study.{n}"
        if n % 4 == 1:
            item["URL"] = f"https://example.org/studies/{n}"
        if item["type"] == "book":
            item["ISBN"] = f"978000000{n:04d}"
        works.append(item)
    return works


def _records() -> list[WorkRecord]:
    """The example files' works, generated works, and near copies of each: a title with a
    typo and no identifiers (the fuzzy rule), a copy without creators, a copy a year
    later, one with the same identifiers under a longer title (a candidate pair), one
    with a first author of its own (the same work only where the work has none)."""
    records = [
        record
        for name in ("thesis.bib", "zotero.json", "scopus.ris")
        for record in parse_file(EXAMPLES / name)[1]
        if isinstance(record, WorkRecord)
    ]
    for item in _generated():
        records.append(WorkRecord(item=copy.deepcopy(item), origin="generated"))
        for change in ("typo", "no creators", "later", "a longer title", "a new first author"):
            near = {k: v for k, v in copy.deepcopy(item).items() if k not in ("DOI", "URL", "ISBN")}
            if change == "typo":
                near["title"] = near["title"][:-3] + "x" + near["title"][-2:]
            elif change == "no creators":
                near.pop("author", None)
                near.pop("editor", None)
            elif change == "a new first author":  # matches only works without one
                near.pop("editor", None)
                near["author"] = [{"family": "Newcomer", "given": "Nia"}]
            elif change == "later":
                near["issued"] = {"date-parts": [[near["issued"]["date-parts"][0][0] + 1]]}
            else:
                near = {**copy.deepcopy(item), "title": item["title"] + ": the sequel"}
            records.append(WorkRecord(item=near, origin=f"near copy ({change})"))
    return records


def _saved_one_by_one(tmp_path: Path, sample: Path, whole: bool) -> dict[str, bytes]:
    db = tmp_path / f"{'whole' if whole else 'indexed'}.db"
    shutil.copyfile(sample, db)
    store = Store(connect(db), user="tester")
    with store.transaction():
        if whole:
            with store.identity_read_whole():
                assert not store.caches.indexed
                results = [store.save(r) for r in _records()]
        else:
            assert store.caches.indexed
            results = [store.save(r) for r in _records()]
        # The one difference by design: the second each ran (stamped on new works and notes).
        store.conn.execute("UPDATE articles SET added_at = ?, updated_at = ?", (STAMP, STAMP))
        store.conn.execute("UPDATE notes SET added_at = ?", (STAMP,))
    store.db.conn.close()
    # Both kinds of decision are made: new works, and works found (some by the fuzzy rule).
    assert any(r.outcome == "added" for r in results)
    assert any(r.duplicate_of and "title" in (r.reason or "") for r in results)
    assert any(r.candidates for r in results)
    folder = tmp_path / db.stem
    _kb("dump", str(folder), "--db", str(db))
    files = {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
    candidates = connect(db).conn.execute("SELECT article_a, article_b, reason FROM duplicate_candidates").fetchall()
    files["duplicate_candidates"] = repr(sorted(candidates)).encode()
    return files


def test_indexed_and_loaded_identity_decide_alike(tmp_path):
    sample = tmp_path / "sample.db"
    _kb("build", str(REPO / "data"), "--db", str(sample))
    indexed = _saved_one_by_one(tmp_path, sample, whole=False)
    whole = _saved_one_by_one(tmp_path, sample, whole=True)
    assert sorted(indexed) == sorted(whole)
    assert [path for path in indexed if indexed[path] != whole[path]] == []


def test_kb_add_asks_indexed_queries_not_every_identifier(tmp_path):
    """`kb add` of one work reads no table whole (SQLite's trace of its statements)."""
    db = tmp_path / "kb.db"
    _kb("build", str(REPO / "data"), "--db", str(db))
    store = Store(connect(db), user="tester")
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    with store.transaction():
        result = store.save(WorkRecord(item={"type": "book", "title": "A new book", "author": [{"family": "Nova"}]}))
    assert result.outcome == "added"
    kb_tables = re.compile(r"FROM (articles|authors|tags|article_authors|article_sources)\b")
    whole_reads = [s for s in statements if s.startswith("SELECT") and kb_tables.search(s) and "WHERE" not in s]
    assert whole_reads == []
    assert any(kb_tables.search(s) and "title_key =" in s for s in statements)  # it did look
