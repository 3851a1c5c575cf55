"""History and undo (kb/history.py): every write command is recorded and undone exactly.

The key test is table-driven: for every write command in WRITE_COMMANDS, on a knowledge
base built from data/ plus some imports, `kb dump` and every table's rows are the same
before the command and after the command + `kb undo`; undoing that undo brings the
command's effect back. Add a new write command to WRITE_COMMANDS (or, when it asks
questions, to WRITE_COMMANDS_WITH_INPUT).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import cli

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
WEB = Path(__file__).parent / "fixtures" / "web"
CORPUS = REPO.parent / "shared" / "corpora" / "cdl.bib"  # CI clones the repository beside shared/

FIXTURES = {
    "refs.bib": """
@article{smith2009missile,
  title = {Missile defence in Europe after the Russo-Georgian War},
  author = {Smith, John and Doe, Jane},
  journal = {Survival},
  year = {2009},
  volume = {51},
  doi = {10.1080/00396330903011545},
  keywords = {NATO, Russia},
}
@book{roe2008nato,
  title = {NATO and Russia: a troubled partnership},
  author = {Roe, Richard},
  publisher = {Routledge},
  year = {2008},
  isbn = {9780415123456},
}
""",
    "more.bib": """
@article{smith2009again,
  title = {Missile defence in Europe after the Russo-Georgian War},
  author = {Smith, John},
  journal = {Survival},
  year = {2009},
  doi = {10.1080/00396330903011545},
  abstract = {A merged record fills in the abstract.},
  pages = {5--24},
}
@misc{blog2011,
  title = {The Lisbon Summit, a year on},
  author = {Kulhanek, Jakub},
  year = {2011},
  url = {https://example.org/lisbon-a-year-on},
}
""",
    # The second entry merges into the first, made by the same import (a row updated in the import that made it).
    "selfdup.bib": """
@article{lee2015hybrid,
  title = {Hybrid warfare and the Baltic states},
  author = {Lee, Anna},
  year = {2015},
  doi = {10.1000/hybrid.2015},
}
@article{lee2015hybridagain,
  title = {Hybrid warfare and the Baltic states},
  author = {Lee, Anna and Kim, Bo},
  year = {2015},
  doi = {10.1000/hybrid.2015},
  abstract = {Filled in by the second entry.},
}
""",
    "refs.ris": """TY  - RPRT
TI  - Russia's new military doctrine, part 1
AU  - Giles, Keir
PY  - 2010
PB  - NATO Defense College
UR  - https://example.org/doctrine-1
ER  - 
""",
    "refs.json": json.dumps(
        [
            {
                "id": "cooley2012great",
                "type": "book",
                "title": "Great games, local rules",
                "author": [{"family": "Cooley", "given": "Alexander"}],
                "issued": {"date-parts": [[2012]]},
                "publisher": "Oxford University Press",
            }
        ]
    ),
    "refs.csv": "Title,Author(s),Year,Journal,Keywords,Item Type\n"
    '"The August war","Asmus, Ronald",2010,Foreign Affairs,"georgia; war",Journal Article\n',
    "events.csv": "name,date,type,aliases\nBucharest Summit 2008,2-4 April 2008,summit,NATO Bucharest Summit\n",
    "more.yaml": "kind: organisation\nname: European Union\nacronym: EU\naliases: [the Union]\n",
}
YAML_WORK = """kind: work
citekey: asmus2010little
type: book
title: A little war that shook the world
author:
- family: Asmus
  given: Ronald
issued: '2010'
tags: [Georgia]
events: [Russo-Georgian War]
organisations: [Georgia, Russia]
cites:
- key: kulhanekImpossibleDream
notes:
- comment: Read chapter 3.
"""

# Every write command, as typed after `kb` ({dir} is the fixtures folder).
WRITE_COMMANDS: list[list[str]] = [
    [
        "add",
        "--title",
        "A new report on NATO",
        "--type",
        "report",
        "--author",
        "Jane Doe",
        "--date",
        "2011",
        "--tag",
        "new",
        "--tag",
        "Russia",
        "--org",
        "NATO",
        "--event",
        "Lisbon Summit",
        "--note",
        "first reading",
        "--status",
        "unread",
    ],
    [
        "add",
        "--title",
        "Another work",
        "--key",
        "another2020",
        "--corporate-author",
        "RAND Corporation",
        "--editor",
        "Roe, Richard",
    ],
    [
        "add-event",
        "Munich Security Conference 2007",
        "--date",
        "10 February 2007",
        "--type",
        "conference",
        "--alias",
        "Munich 2007",
        "--org",
        "Russia:participant",
        "--parent",
        "Russo-Georgian War",
    ],
    ["add-event", "Russo-Georgian War", "--alias", "The Georgian War", "--description", "Five days in August"],
    ["add-org", "European Union", "--acronym", "EU", "--alias", "the Union", "--type", "union", "--parent", "NATO"],
    ["add-org", "Georgia", "--acronym", "GEO", "--url", "https://gov.ge", "--alias", "Sakartvelo"],
    [
        "add-person",
        "Jakub Kulhanek",
        "--org",
        "Atlantic Council",
        "--role",
        "fellow",
        "--start",
        "2012",
        "--orcid",
        "0000-0002-1825-0097",
    ],
    ["add-person", "Jane Roe", "--url", "https://example.org/roe"],
    [
        "link",
        "kulhanekImpossibleDreamEarlier",
        "--org",
        "Georgia",
        "--event",
        "Russo-Georgian War",
        "--tag",
        "linked",
        "--relation",
        "mentions",
    ],
    ["link", "--apply"],
    ["link", "--detect", "--apply", "smith2009missile"],
    ["cite", "kulhanekImpossibleDreamEarlier", "smith2009missile", "--locator", "p. 2", "--context", "as Smith argues"],
    [
        "note",
        "kulhanekImpossibleDream",
        "A comment",
        "--quote",
        "a quote",
        "--locator",
        "para. 3",
        "--org",
        "NATO",
        "--status",
        "read",
    ],
    ["note", "smith2009missile", "--status", "reading"],
    ["rekey", "kulhanekImpossibleDream", "kulhanek2010"],
    ["rekey", "roe2008nato"],
    ["dedupe", "--not-duplicate", "kulhanekImpossibleDream", "kulhanekImpossibleDreamEarlier"],
    ["import", "{dir}/more.bib", "--tag", "second"],
    ["import", "{dir}/refs.bib"],
    ["import", "{dir}/refs.bib", "--on-duplicate", "keep-both"],
    ["import", "{dir}/refs.ris"],
    ["import", "{dir}/selfdup.bib"],
    ["import", "{dir}/refs.csv", "--by", "someone"],
    ["import", "{dir}/events.csv", "--map", "aliases=aliases"],
    ["import", "{dir}/work.yaml"],
    ["import", "{dir}/more.yaml"],
    ["import", "{dir}/refs.bib", "{dir}/refs.ris", "--skip-invalid"],
    ["import", str(WEB / "think-tank-report.html"), "--url", "https://example.org/report"],
    ["import", str(WEB / "pasted-sample-shape.txt")],
    # Correcting and merging (kb/curation_cli.py, kb/merge_cli.py)
    ["edit", "kulhanekImpossibleDream", "--set", "issued=November 2010", "--set", "container-title=Atlantic Council"],
    ["edit", "--org", "NATO", "--set", "acronym=OTAN"],
    ["edit", "--event", "Russo-Georgian War", "--set", "location=South Ossetia, Georgia"],
    ["rename", "--org", "Atlantic Council", "The Atlantic Council"],
    ["rename", "--person", "Jakub Kulhanek", "Kulhánek, Jakub"],
    ["remove", "smith2009missile", "--force"],
    ["remove", "--org", "Georgia", "--force"],
    ["unlink", "kulhanekImpossibleDream", "--event", "Russo-Georgian War", "--tag", "European Politics"],
    ["add-event", "Russo-Georgian War", "--date", "August 2008", "--update"],
    ["merge", "smith2009missile", "roe2008nato"],
    [
        "add",
        "--title",
        "NATO and Russia: a troubled partnership",
        "--author",
        "Richard Roe",
        "--date",
        "2008",
        "--type",
        "book",
        "--force",
    ],
]
# Commands that ask questions: (argv, what the user types).
WRITE_COMMANDS_WITH_INPUT: list[tuple[list[str], str]] = [
    (["link", "--review"], "y\nn\ny\nn\ny\nn\n"),
]
ALL_WRITES = [(argv, None) for argv in WRITE_COMMANDS] + WRITE_COMMANDS_WITH_INPUT


def kb(db: Path, *args: str, input: str | None = None, ok: bool = True):
    result = CliRunner().invoke(cli, [*args, "--db", str(db)], input=input)
    if ok:
        assert result.exit_code == 0, f"kb {' '.join(args)}: {result.output}{result.exception!r}"
    return result


def dumped(db: Path, folder: Path) -> dict[str, bytes]:
    if folder.exists():
        shutil.rmtree(folder)
    kb(db, "dump", str(folder))
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def table_rows(db: Path) -> dict[str, list[tuple]]:
    """Every data table's rows, sorted (the history itself and FTS tables left out)."""
    conn = sqlite3.connect(db)
    try:
        tables = [
            name
            for name, kind in conn.execute("SELECT name, type FROM pragma_table_list WHERE schema = 'main'")
            if kind == "table" and not name.startswith(("sqlite_", "history_"))
        ]
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}
    finally:
        conn.close()


def fts_is_sound(db: Path) -> None:
    conn = sqlite3.connect(db)
    try:
        for table in ("articles_fts", "authors_fts", "organisations_fts", "events_fts"):
            conn.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")
        # The index holds exactly the rows of its table, with the same text.
        assert (
            conn.execute("SELECT count(*) FROM articles_fts").fetchone()[0]
            == conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        )
        stale = conn.execute(
            "SELECT count(*) FROM articles a JOIN articles_fts f ON f.rowid = a.id "
            "WHERE f.title IS NOT a.title OR f.abstract IS NOT a.abstract OR coalesce(f.notes, '') != coalesce("
            "(SELECT group_concat(coalesce(quote, '') || ' ' || coalesce(comment, ''), ' ') FROM notes "
            "WHERE article_id = a.id), '')"
        ).fetchone()[0]
        assert stale == 0
    finally:
        conn.close()


def last_command(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT coalesce(max(id), 0) FROM history_commands").fetchone()[0]
    finally:
        conn.close()


def file_hash(db: Path) -> str:
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return hashlib.sha256(db.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def base_kb(tmp_path_factory) -> tuple[Path, Path]:
    """data/ built, then a few recorded imports: (database, fixtures folder)."""
    folder = tmp_path_factory.mktemp("history")
    for name, text in FIXTURES.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "work.yaml").write_text(YAML_WORK, encoding="utf-8")
    db = folder / "base.db"
    kb(db, "build", str(DATA))
    kb(db, "import", str(folder / "refs.bib"), "--tag", "first")
    kb(db, "import", str(folder / "refs.json"))
    return db, folder


@pytest.fixture
def fresh(base_kb, tmp_path) -> tuple[Path, Path]:
    source, folder = base_kb
    db = tmp_path / "kb.db"
    src, dst = sqlite3.connect(source), sqlite3.connect(db)
    src.backup(dst)
    src.close(), dst.close()
    return db, folder


def _ids(case) -> str:
    argv, _ = case
    return " ".join(argv[:3]).replace("/", "_")[:60]


@pytest.mark.parametrize("case", ALL_WRITES, ids=[_ids(c) for c in ALL_WRITES])
def test_every_write_command_is_undone_exactly_and_the_undo_redone(fresh, tmp_path, case):
    db, folder = fresh
    argv, typed = case
    argv = [a.replace("{dir}", str(folder)) for a in argv]
    before_dump, before_rows = dumped(db, tmp_path / "before"), table_rows(db)
    last = last_command(db)

    kb(db, *argv, input=typed)
    after_rows = table_rows(db)
    assert after_rows != before_rows, "the command changed nothing: it does not test undo"
    assert last_command(db) == last + 1, "the command left no history entry"

    result = kb(db, "undo")
    assert f"Undid #{last + 1}" in result.output
    assert table_rows(db) == before_rows
    assert dumped(db, tmp_path / "undone") == before_dump
    fts_is_sound(db)

    kb(db, "undo", str(last + 2))  # undo the undo: the command's effect is back
    assert table_rows(db) == after_rows
    fts_is_sound(db)


def test_the_command_is_recorded_as_typed_with_who_and_each_row(fresh):
    db, _ = fresh
    kb(db, "note", "kulhanekImpossibleDream", "Sceptical", "--by", "alice")
    conn = sqlite3.connect(db)
    command, user = conn.execute("SELECT command, user FROM history_commands ORDER BY id DESC LIMIT 1").fetchone()
    assert command == f"kb note kulhanekImpossibleDream Sceptical --by alice --db {db}"
    assert user == "alice"
    ((table, action, before, after),) = conn.execute(
        "SELECT table_name, action, before_json, after_json FROM history_changes WHERE command_id = "
        "(SELECT max(id) FROM history_commands)"
    ).fetchall()
    assert (table, action, before) == ("notes", "insert", None)
    assert json.loads(after)["comment"] == "Sceptical"


def test_a_command_that_changes_nothing_leaves_no_entry(fresh, tmp_path):
    db, folder = fresh
    last = last_command(db)
    kb(db, "add-org", "Georgia")  # unchanged
    kb(db, "import", str(folder / "refs.bib"), "--dry-run")
    kb(db, "export", "--style", "apa", "-o", str(tmp_path / "refs.txt"))  # fills the reference cache only
    kb(db, "stats")
    assert last_command(db) == last


def test_kb_undo_steps_back_and_refuses_what_is_undone_already(fresh):
    db, _ = fresh
    kb(db, "add-org", "European Union")
    kb(db, "add-org", "African Union")
    first = last_command(db) - 1
    kb(db, "undo")  # African Union
    kb(db, "undo")  # European Union: an undo is skipped by `kb undo`
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM organisations WHERE name LIKE '%Union'").fetchone()[0] == 0
    result = kb(db, "undo", str(first), ok=False)
    assert result.exit_code == 1 and "undone already" in result.output and "redoes it" in result.output
    result = kb(db, "undo", "999", ok=False)
    assert result.exit_code == 1 and result.output.startswith("Error: no command #999")


def test_undo_is_refused_when_a_later_command_changed_the_same_row(fresh):
    db, _ = fresh
    kb(db, "add", "--title", "A work to correct", "--type", "report", "--key", "toCorrect")
    added = last_command(db)
    kb(db, "note", "toCorrect", "--status", "read")  # changes the work's row
    digest = file_hash(db)
    result = kb(db, "undo", str(added), ok=False)
    assert result.exit_code == 1
    assert f"#{added + 1} (kb note toCorrect --status read" in result.output and "undo that first" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert file_hash(db) == digest
    kb(db, "undo")  # the note, then the work: fine in that order
    kb(db, "undo")
    assert kb(db, "log", "--limit", "1").output.startswith(f"#{added + 3}")


def test_undo_is_refused_when_it_would_take_rows_added_since(fresh):
    db, _ = fresh
    kb(db, "add", "--title", "A work to note", "--type", "report", "--key", "toNote")
    added = last_command(db)
    kb(db, "note", "toNote", "Added later")  # a note row only: the work's row is as #added left it
    digest = file_hash(db)
    result = kb(db, "undo", str(added), ok=False)
    assert result.exit_code == 1 and "notes" in result.output and f"#{added + 1}" in result.output
    assert file_hash(db) == digest


def test_undo_is_refused_when_a_later_row_refers_to_what_it_removes(fresh):
    db, _ = fresh
    kb(db, "add-org", "Shanghai Cooperation Organisation", "--acronym", "SCO")
    added = last_command(db)
    kb(db, "link", "kulhanekImpossibleDream", "--org", "SCO")  # no cascade from organisations
    digest = file_hash(db)
    result = kb(db, "undo", str(added), ok=False)
    assert result.exit_code == 1 and "article_organisations" in result.output and f"#{added + 1}" in result.output
    assert file_hash(db) == digest


def test_undo_is_refused_when_a_freed_value_was_taken_since(fresh):
    db, _ = fresh
    kb(db, "rekey", "kulhanekImpossibleDream", "kulhanek2010")
    renamed = last_command(db)
    kb(db, "add", "--title", "Someone else's work", "--type", "report", "--key", "kulhanekImpossibleDream")
    digest = file_hash(db)
    result = kb(db, "undo", str(renamed), ok=False)
    assert result.exit_code == 1 and "UNIQUE" in result.output and "kulhanek" in result.output
    assert file_hash(db) == digest


def test_search_finds_what_an_undo_brings_back_and_not_what_it_removes(fresh):
    db, folder = fresh
    kb(db, "import", str(folder / "more.bib"))
    assert "blog2011" in kb(db, "export", "--search", "year on", "--format", "csv").output
    kb(db, "undo")
    assert "blog2011" not in kb(db, "export", "--search", "year on", "--format", "csv").output
    kb(db, "undo", str(last_command(db)))
    assert "blog2011" in kb(db, "export", "--search", "year on", "--format", "csv").output
    # a merged abstract is searchable, and not after its merge is undone
    assert "smith2009missile" in kb(db, "export", "--search", "fills", "--format", "csv").output
    fts_is_sound(db)


def test_log_lists_commands_newest_first_and_for_one_record(fresh):
    db, folder = fresh
    kb(db, "add-org", "European Union", "--acronym", "EU")
    kb(db, "link", "smith2009missile", "--org", "EU")
    kb(db, "undo")
    out = kb(db, "log").output.splitlines()
    link, undo = last_command(db) - 1, last_command(db)
    assert out[0].startswith(f"#{undo} ") and "kb undo --db" in out[0] and f"(undoes #{link})" in out[0]
    assert out[1].strip() == "article_organisations -1"
    assert out[2].startswith(f"#{link} ") and f"(undone by #{undo})" in out[2]
    assert "import" in kb(db, "log").output and "refs.bib --tag first" in kb(db, "log").output
    # one work: the commands that changed it or its links, and no others
    work_log = kb(db, "log", "smith2009missile").output
    assert f"#{link} " in work_log and "refs.bib" in work_log and "European Union" not in work_log
    org_log = kb(db, "log", "--org", "EU").output
    assert f"#{link} " in org_log and "add-org 'European Union'" in org_log and "refs.json" not in org_log
    assert "add-person" not in kb(db, "log", "--person", "Jane Doe").output
    shown = kb(db, "log", "--show", str(link)).output.splitlines()
    assert (
        shown[0].startswith(f"#{link} ")
        and shown[1].startswith("  + article_organisations")
        and "of smith2009missile" in shown[1]
    )
    entries = json.loads(kb(db, "log", "--json").output)
    assert (
        entries[0]["id"] == undo
        and entries[0]["undoes"] == link
        and entries[0]["changes"] == {"article_organisations": {"delete": 1}}
    )
    rows = json.loads(kb(db, "log", "--show", str(link), "--json").output)["rows"]
    assert rows[0]["action"] == "insert" and rows[0]["after"]["relation"] == "discusses"
    result = kb(db, "log", "noSuchWork", ok=False)
    assert result.exit_code == 1 and result.output.startswith("Error: no work")


def test_log_of_an_update_shows_before_and_after(fresh):
    db, _ = fresh
    kb(db, "rekey", "kulhanekImpossibleDream", "kulhanek2010")
    out = kb(db, "log", "--show", str(last_command(db))).output
    assert "~ articles" in out and "citekey: 'kulhanekImpossibleDream' -> 'kulhanek2010'" in out
    # the history of a renamed work is found by its new key and its old one
    assert "rekey" in kb(db, "log", "kulhanek2010").output


def test_a_built_knowledge_base_starts_with_no_history(base_kb, tmp_path):
    db = tmp_path / "built.db"
    kb(db, "build", str(DATA))
    assert last_command(db) == 0


def test_writes_outside_a_kb_command_are_not_recorded(fresh):
    db, _ = fresh
    last = last_command(db)
    kb(db, "stats")  # the store's connection has made its triggers by now in other tests; a plain connection has none
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO tags (name) VALUES ('by hand')")
    conn.commit()
    assert last_command(db) == last
    assert (
        conn.execute(
            "SELECT count(*) FROM history_changes WHERE table_name = 'tags' AND after_json LIKE '%by hand%'"
        ).fetchone()[0]
        == 0
    )


@pytest.mark.skipif(not CORPUS.exists(), reason="the shared corpora are not here")
def test_undoing_the_import_of_a_real_corpus_leaves_the_knowledge_base_as_before(fresh, tmp_path):
    """The first 1,500 entries of a real bibliography (the whole file takes ~10 s to
    import and undo; bench/RESULTS.md has its figures), over works it partly merges into."""
    db, folder = fresh
    entries = CORPUS.read_text(encoding="utf-8").split("\n@")
    part = tmp_path / "cdl-part.bib"
    part.write_text("\n@".join(entries[:1500]) + "\n" + FIXTURES["more.bib"], encoding="utf-8")
    before_dump, before_rows = dumped(db, tmp_path / "before"), table_rows(db)
    kb(db, "import", str(part))
    kb(db, "undo")
    assert table_rows(db) == before_rows
    assert dumped(db, tmp_path / "after") == before_dump
    fts_is_sound(db)


def test_a_write_by_any_code_in_a_store_transaction_is_recorded_with_its_cascades(fresh, tmp_path):
    """What a new command (kb remove, kb merge ...) writes is recorded with nothing done on its part."""
    from kb.db import connect
    from kb.store import Store

    db, _ = fresh
    before_dump, before_rows = dumped(db, tmp_path / "before"), table_rows(db)
    store = Store(connect(db), user="tester")
    with store.transaction():  # a removal: the work's links, notes, citations and sources go by cascade
        store.conn.execute(
            "DELETE FROM articles WHERE citekey IN ('kulhanekImpossibleDream', 'kulhanekImpossibleDreamEarlier')"
        )
        store.conn.execute("UPDATE organisations SET acronym = 'OTAN' WHERE acronym = 'NATO'")
    store.db.conn.close()
    conn = sqlite3.connect(db)
    deleted = dict(
        conn.execute(
            "SELECT table_name, count(*) FROM history_changes WHERE action = 'delete' AND command_id = "
            "(SELECT max(id) FROM history_commands) GROUP BY table_name"
        )
    )
    conn.close()
    assert (
        deleted["articles"] == 2
        and deleted["article_tags"] == 3
        and deleted["citations"] == 1
        and deleted["notes"] == 1
    )
    kb(db, "undo")
    assert table_rows(db) == before_rows
    assert dumped(db, tmp_path / "after") == before_dump
    fts_is_sound(db)


def test_an_earlier_import_can_be_undone_once_the_later_one_that_merged_into_it_is(fresh, tmp_path):
    db, folder = fresh
    first = 1  # the base's `kb import refs.bib --tag first`
    assert "refs.bib --tag first" in kb(db, "log", "--show", str(first)).output.splitlines()[0]
    kb(db, "import", str(folder / "more.bib"))  # merges into smith2009missile, which #1 added
    digest = file_hash(db)
    result = kb(db, "undo", str(first), ok=False)
    assert result.exit_code == 1 and "import" in result.output and "more.bib" in result.output
    assert file_hash(db) == digest
    kb(db, "undo")  # more.bib
    kb(db, "undo", str(first))
    conn = sqlite3.connect(db)
    assert (
        conn.execute("SELECT count(*) FROM articles WHERE citekey IN ('smith2009missile', 'roe2008nato')").fetchone()[0]
        == 0
    )
    assert conn.execute("SELECT count(*) FROM imports WHERE file LIKE '%refs.bib'").fetchone()[0] == 0
    conn.close()
    fts_is_sound(db)


def test_an_unmerge_is_undone_back_to_the_merged_work_and_the_merge_back_to_two(fresh, tmp_path):
    db, _ = fresh
    before = dumped(db, tmp_path / "before")
    kb(db, "merge", "smith2009missile", "roe2008nato")
    merged = dumped(db, tmp_path / "merged")
    kb(db, "unmerge", "smith2009missile", "roe2008nato")
    assert dumped(db, tmp_path / "unmerged") != merged
    kb(db, "undo")
    assert dumped(db, tmp_path / "undone-unmerge") == merged
    kb(db, "undo")
    assert dumped(db, tmp_path / "undone-merge") == before
    fts_is_sound(db)
