"""The database: schema, migrations, connections.

The schema is plain SQL, versioned through SQLite's `user_version`: each entry of
MIGRATIONS upgrades a kb.db by one version, inside one transaction, so a later release
opens an older knowledge base and brings it up to date without losing anything.
Full-text indexes are FTS5 tables whose rowid is the record's id, kept in sync by
triggers, so every writer (the store, a migration, a user's SQL) keeps them right.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import KbError
from .lookup import register_sql_function

if TYPE_CHECKING:
    import sqlite_utils

DEFAULT_DB = "kb.db"
APPLICATION_ID = 0x6B62_6462  # "kbdb": marks a file as a kb database

SCHEMA_V1 = """
CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    file TEXT NOT NULL,
    format TEXT NOT NULL,
    checksum TEXT,
    added INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    merged INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    user TEXT,
    imported_at TEXT NOT NULL
);

CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    citekey TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    title TEXT,
    authors TEXT,
    container_title TEXT,
    publisher TEXT,
    issued TEXT,
    issued_edtf TEXT,
    issued_start TEXT,
    issued_end TEXT,
    year INTEGER,
    volume TEXT,
    issue TEXT,
    pages TEXT,
    doi TEXT,
    url TEXT,
    isbn TEXT,
    abstract TEXT,
    language TEXT,
    accessed TEXT,
    status TEXT,
    needs_review INTEGER NOT NULL DEFAULT 0,
    added_by TEXT,
    added_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    import_id INTEGER REFERENCES imports(id),
    csl_json TEXT NOT NULL,
    extra_json TEXT,
    text TEXT,
    doi_key TEXT,
    url_key TEXT,
    isbn_key TEXT,
    title_key TEXT
);
CREATE INDEX idx_articles_type ON articles(type);
CREATE INDEX idx_articles_year ON articles(year);
CREATE INDEX idx_articles_container_title ON articles(container_title);
CREATE INDEX idx_articles_added_by ON articles(added_by);
CREATE INDEX idx_articles_added_at ON articles(added_at);
CREATE INDEX idx_articles_status ON articles(status);
CREATE INDEX idx_articles_issued_start ON articles(issued_start);
CREATE INDEX idx_articles_import_id ON articles(import_id);
CREATE INDEX idx_articles_doi_key ON articles(doi_key);
CREATE INDEX idx_articles_url_key ON articles(url_key);
CREATE INDEX idx_articles_isbn_key ON articles(isbn_key);
CREATE INDEX idx_articles_title_key ON articles(title_key);

-- Where each work came from: one row per import that brought or merged it.
CREATE TABLE article_sources (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    import_id INTEGER NOT NULL REFERENCES imports(id),
    source_key TEXT,
    PRIMARY KEY (article_id, import_id)
);
CREATE INDEX idx_article_sources_import_id ON article_sources(import_id);

CREATE TABLE authors (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    family TEXT,
    given TEXT,
    particle TEXT,
    suffix TEXT,
    is_organisation INTEGER NOT NULL DEFAULT 0,
    orcid TEXT,
    url TEXT,
    name_key TEXT NOT NULL UNIQUE
);
CREATE INDEX idx_authors_name ON authors(name);

CREATE TABLE article_authors (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    author_id INTEGER NOT NULL REFERENCES authors(id),
    role TEXT NOT NULL DEFAULT 'author',
    position INTEGER NOT NULL,
    PRIMARY KEY (article_id, role, position)
);
CREATE INDEX idx_article_authors_author_id ON article_authors(author_id, article_id);

CREATE TABLE organisations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    acronym TEXT,
    type TEXT,
    country TEXT,
    parent_id INTEGER REFERENCES organisations(id),
    url TEXT,
    description TEXT
);
CREATE INDEX idx_organisations_parent_id ON organisations(parent_id);
CREATE INDEX idx_organisations_type ON organisations(type);
CREATE INDEX idx_organisations_country ON organisations(country);

CREATE TABLE organisation_aliases (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    alias TEXT NOT NULL,
    UNIQUE (organisation_id, alias)
);
CREATE INDEX idx_organisation_aliases_alias ON organisation_aliases(alias);

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    type TEXT,
    date TEXT,
    date_edtf TEXT,
    date_precision TEXT,
    start_date TEXT,
    end_date TEXT,
    location TEXT,
    parent_id INTEGER REFERENCES events(id),
    description TEXT
);
CREATE INDEX idx_events_start_date ON events(start_date);
CREATE INDEX idx_events_type ON events(type);
CREATE INDEX idx_events_parent_id ON events(parent_id);

CREATE TABLE event_aliases (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    alias TEXT NOT NULL,
    UNIQUE (event_id, alias)
);
CREATE INDEX idx_event_aliases_alias ON event_aliases(alias);

CREATE TABLE event_organisations (
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    role TEXT NOT NULL DEFAULT 'participant',
    PRIMARY KEY (event_id, organisation_id, role)
);
CREATE INDEX idx_event_organisations_organisation_id ON event_organisations(organisation_id);

CREATE TABLE affiliations (
    id INTEGER PRIMARY KEY,
    author_id INTEGER NOT NULL REFERENCES authors(id) ON DELETE CASCADE,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    role TEXT,
    start_date TEXT,
    end_date TEXT,
    UNIQUE (author_id, organisation_id, role)
);
CREATE INDEX idx_affiliations_organisation_id ON affiliations(organisation_id);

CREATE TABLE citations (
    id INTEGER PRIMARY KEY,
    citing_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    cited_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    relation TEXT NOT NULL DEFAULT 'cites',
    locator TEXT,
    context TEXT,
    UNIQUE (citing_id, cited_id, relation),
    CHECK (citing_id != cited_id)
);
CREATE INDEX idx_citations_cited_id ON citations(cited_id);
CREATE INDEX idx_citations_relation ON citations(relation);

CREATE TABLE article_events (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    event_id INTEGER NOT NULL REFERENCES events(id),
    relation TEXT NOT NULL DEFAULT 'discusses',
    source TEXT NOT NULL DEFAULT 'manual',
    PRIMARY KEY (article_id, event_id, relation)
);
CREATE INDEX idx_article_events_event_id ON article_events(event_id, article_id);

CREATE TABLE article_organisations (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    relation TEXT NOT NULL DEFAULT 'discusses',
    source TEXT NOT NULL DEFAULT 'manual',
    PRIMARY KEY (article_id, organisation_id, relation)
);
CREATE INDEX idx_article_organisations_organisation_id ON article_organisations(organisation_id, article_id);

-- Proposed links a user rejected: detection never proposes them again.
CREATE TABLE rejected_links (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    target_table TEXT NOT NULL CHECK (target_table IN ('events', 'organisations')),
    target_id INTEGER NOT NULL,
    PRIMARY KEY (article_id, target_table, target_id)
);

-- Pairs of works a user said are not duplicates: imports never merge them.
CREATE TABLE not_duplicates (
    article_a INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    article_b INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    PRIMARY KEY (article_a, article_b),
    CHECK (article_a < article_b)
);
CREATE INDEX idx_not_duplicates_article_b ON not_duplicates(article_b);

CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE article_tags (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tags(id),
    PRIMARY KEY (article_id, tag_id)
);
CREATE INDEX idx_article_tags_tag_id ON article_tags(tag_id, article_id);

CREATE TABLE notes (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    locator TEXT,
    quote TEXT,
    comment TEXT,
    event_id INTEGER REFERENCES events(id),
    organisation_id INTEGER REFERENCES organisations(id),
    added_by TEXT,
    added_at TEXT NOT NULL
);
CREATE INDEX idx_notes_article_id ON notes(article_id);
CREATE INDEX idx_notes_event_id ON notes(event_id);
CREATE INDEX idx_notes_organisation_id ON notes(organisation_id);

-- Formatted references, keyed by the work's content hash: an unchanged work is not
-- formatted again.
CREATE TABLE reference_cache (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    style TEXT NOT NULL,
    output_format TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    reference TEXT NOT NULL,
    PRIMARY KEY (article_id, style, output_format)
);

CREATE VIRTUAL TABLE articles_fts USING fts5(title, container_title, abstract, notes, text);
CREATE VIRTUAL TABLE authors_fts USING fts5(name);
CREATE VIRTUAL TABLE organisations_fts USING fts5(name, acronym, aliases);
CREATE VIRTUAL TABLE events_fts USING fts5(name, aliases, location);

CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts(rowid, title, container_title, abstract, notes, text)
    VALUES (new.id, new.title, new.container_title, new.abstract, '', new.text);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, container_title, abstract, text ON articles BEGIN
    DELETE FROM articles_fts WHERE rowid = old.id;
    INSERT INTO articles_fts(rowid, title, container_title, abstract, notes, text)
    SELECT new.id, new.title, new.container_title, new.abstract,
           (SELECT group_concat(coalesce(quote, '') || ' ' || coalesce(comment, ''), ' ')
              FROM notes WHERE article_id = new.id),
           new.text;
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    DELETE FROM articles_fts WHERE rowid = old.id;
END;
CREATE TRIGGER notes_fts_insert AFTER INSERT ON notes BEGIN
    UPDATE articles_fts SET notes = (
        SELECT group_concat(coalesce(quote, '') || ' ' || coalesce(comment, ''), ' ')
        FROM notes WHERE article_id = new.article_id)
    WHERE rowid = new.article_id;
END;
CREATE TRIGGER notes_fts_delete AFTER DELETE ON notes BEGIN
    UPDATE articles_fts SET notes = (
        SELECT group_concat(coalesce(quote, '') || ' ' || coalesce(comment, ''), ' ')
        FROM notes WHERE article_id = old.article_id)
    WHERE rowid = old.article_id;
END;
CREATE TRIGGER notes_fts_update AFTER UPDATE ON notes BEGIN
    UPDATE articles_fts SET notes = (
        SELECT group_concat(coalesce(quote, '') || ' ' || coalesce(comment, ''), ' ')
        FROM notes WHERE article_id = new.article_id)
    WHERE rowid = new.article_id;
END;

CREATE TRIGGER authors_fts_insert AFTER INSERT ON authors BEGIN
    INSERT INTO authors_fts(rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER authors_fts_update AFTER UPDATE OF name ON authors BEGIN
    UPDATE authors_fts SET name = new.name WHERE rowid = new.id;
END;
CREATE TRIGGER authors_fts_delete AFTER DELETE ON authors BEGIN
    DELETE FROM authors_fts WHERE rowid = old.id;
END;

CREATE TRIGGER organisations_fts_insert AFTER INSERT ON organisations BEGIN
    INSERT INTO organisations_fts(rowid, name, acronym, aliases) VALUES (new.id, new.name, new.acronym, '');
END;
CREATE TRIGGER organisations_fts_update AFTER UPDATE OF name, acronym ON organisations BEGIN
    UPDATE organisations_fts SET name = new.name, acronym = new.acronym WHERE rowid = new.id;
END;
CREATE TRIGGER organisations_fts_delete AFTER DELETE ON organisations BEGIN
    DELETE FROM organisations_fts WHERE rowid = old.id;
END;
CREATE TRIGGER organisation_aliases_fts_insert AFTER INSERT ON organisation_aliases BEGIN
    UPDATE organisations_fts SET aliases = (
        SELECT group_concat(alias, ' | ') FROM organisation_aliases WHERE organisation_id = new.organisation_id)
    WHERE rowid = new.organisation_id;
END;
CREATE TRIGGER organisation_aliases_fts_delete AFTER DELETE ON organisation_aliases BEGIN
    UPDATE organisations_fts SET aliases = (
        SELECT group_concat(alias, ' | ') FROM organisation_aliases WHERE organisation_id = old.organisation_id)
    WHERE rowid = old.organisation_id;
END;

CREATE TRIGGER events_fts_insert AFTER INSERT ON events BEGIN
    INSERT INTO events_fts(rowid, name, aliases, location) VALUES (new.id, new.name, '', new.location);
END;
CREATE TRIGGER events_fts_update AFTER UPDATE OF name, location ON events BEGIN
    UPDATE events_fts SET name = new.name, location = new.location WHERE rowid = new.id;
END;
CREATE TRIGGER events_fts_delete AFTER DELETE ON events BEGIN
    DELETE FROM events_fts WHERE rowid = old.id;
END;
CREATE TRIGGER event_aliases_fts_insert AFTER INSERT ON event_aliases BEGIN
    UPDATE events_fts SET aliases = (
        SELECT group_concat(alias, ' | ') FROM event_aliases WHERE event_id = new.event_id)
    WHERE rowid = new.event_id;
END;
CREATE TRIGGER event_aliases_fts_delete AFTER DELETE ON event_aliases BEGIN
    UPDATE events_fts SET aliases = (
        SELECT group_concat(alias, ' | ') FROM event_aliases WHERE event_id = old.event_id)
    WHERE rowid = old.event_id;
END;
"""

# Folded look-up keys beside every name a user types to find a record (kb/lookup.py
# owns the rule; the store writes them). The fill runs kb_name_key(), the same Python
# function, which migrate() registers on the connection.
SCHEMA_LOOKUP_KEYS = """
ALTER TABLE organisations ADD COLUMN name_key TEXT;
ALTER TABLE organisations ADD COLUMN acronym_key TEXT;
ALTER TABLE organisation_aliases ADD COLUMN alias_key TEXT;
ALTER TABLE events ADD COLUMN name_key TEXT;
ALTER TABLE event_aliases ADD COLUMN alias_key TEXT;
ALTER TABLE tags ADD COLUMN name_key TEXT;
ALTER TABLE authors ADD COLUMN family_key TEXT;
UPDATE organisations SET name_key = kb_name_key(name), acronym_key = nullif(kb_name_key(acronym), '');
UPDATE organisation_aliases SET alias_key = kb_name_key(alias);
UPDATE events SET name_key = kb_name_key(name);
UPDATE event_aliases SET alias_key = kb_name_key(alias);
UPDATE tags SET name_key = kb_name_key(name);
UPDATE authors SET family_key = nullif(kb_name_key(family), '');
CREATE INDEX idx_organisations_name_key ON organisations(name_key);
CREATE INDEX idx_organisations_acronym_key ON organisations(acronym_key);
CREATE INDEX idx_organisation_aliases_alias_key ON organisation_aliases(alias_key);
CREATE INDEX idx_events_name_key ON events(name_key);
CREATE INDEX idx_event_aliases_alias_key ON event_aliases(alias_key);
CREATE INDEX idx_tags_name_key ON tags(name_key);
CREATE INDEX idx_authors_family_key ON authors(family_key);
"""

# Merges kept and reversible (issue 9): each record merged into another work, as it came;
# pairs that may be one work, for `kb dedupe`; the citekeys of works merged by hand.
SCHEMA_MERGES = """
CREATE TABLE merged_records (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    import_id INTEGER REFERENCES imports(id),
    source_key TEXT,
    citekey TEXT,
    origin TEXT,
    reason TEXT NOT NULL,
    csl_json TEXT NOT NULL,
    extra_json TEXT,
    links_json TEXT,
    filled_json TEXT,
    record_hash TEXT NOT NULL,
    merged_by TEXT,
    merged_at TEXT NOT NULL,
    UNIQUE (article_id, record_hash)
);
CREATE INDEX idx_merged_records_import_id ON merged_records(import_id);

CREATE TABLE duplicate_candidates (
    article_a INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    article_b INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    PRIMARY KEY (article_a, article_b),
    CHECK (article_a < article_b)
);
CREATE INDEX idx_duplicate_candidates_article_b ON duplicate_candidates(article_b);

CREATE TABLE citekey_aliases (
    alias TEXT PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE
);
CREATE INDEX idx_citekey_aliases_article_id ON citekey_aliases(article_id);
"""

# What each write command changed, for `kb log` and `kb undo` (kb/history.py). The rows
# are written by TEMP triggers the store creates on its own connection, so every
# command is recorded, and writes by other tools are not attributed to one.
SCHEMA_HISTORY = """
CREATE TABLE history_commands (
    id INTEGER PRIMARY KEY,
    command TEXT NOT NULL,
    user TEXT,
    at TEXT NOT NULL,
    undoes_id INTEGER REFERENCES history_commands(id),
    undone_by_id INTEGER REFERENCES history_commands(id)
);
CREATE INDEX idx_history_commands_undoes_id ON history_commands(undoes_id);
CREATE INDEX idx_history_commands_undone_by_id ON history_commands(undone_by_id);

-- One row per row a command inserted, updated or deleted: the row's values before
-- and after as JSON objects (an insert keeps only `after`, a delete only `before`).
CREATE TABLE history_changes (
    id INTEGER PRIMARY KEY,
    command_id INTEGER NOT NULL REFERENCES history_commands(id),
    table_name TEXT NOT NULL,
    row_id INTEGER NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('insert', 'update', 'delete')),
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX idx_history_changes_command_id ON history_changes(command_id);
CREATE INDEX idx_history_changes_row ON history_changes(table_name, row_id);
"""

# MIGRATIONS[n] takes a database from version n to n + 1.
MIGRATIONS: list[str] = [SCHEMA_V1, SCHEMA_LOOKUP_KEYS, SCHEMA_MERGES, SCHEMA_HISTORY]
SCHEMA_VERSION = len(MIGRATIONS)


def connect(path: str | os.PathLike, *, must_exist: bool = False) -> sqlite_utils.Database:
    """Open (and, unless `must_exist`, create) a kb database, migrated to the current schema.

    Raises KbError for a file that is not SQLite or is SQLite but not a kb database,
    without writing to it.
    """
    path = Path(path)
    if must_exist and not path.exists():
        raise KbError(f"no knowledge base at {path} (run `kb init` or `kb build` first)")
    if path.exists() and path.is_dir():
        raise KbError(f"{path} is a directory, not a knowledge base file")
    existed = path.exists() and path.stat().st_size > 0
    if existed:
        _check_is_kb(path)
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    import sqlite_utils  # here, not at the top: `kb --version` and `kb --help` need no database

    db = sqlite_utils.Database(conn)
    migrate(db)
    return db


def _check_is_kb(path: Path) -> None:
    with open(path, "rb") as handle:
        header = handle.read(100)
    if not header.startswith(b"SQLite format 3\x00"):
        raise KbError(f"{path} is not a SQLite database")
    # Read-only look, so a file that is not ours is never touched.
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        application_id = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise KbError(f"{path} is not a readable SQLite database: {exc}") from None
    finally:
        conn.close()
    if application_id != APPLICATION_ID and tables:
        raise KbError(f"{path} is a SQLite database but not a kb knowledge base")


def schema_version(db: sqlite_utils.Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def migrate(db: sqlite_utils.Database) -> None:
    """Bring the database up to SCHEMA_VERSION, one transaction per step."""
    version = schema_version(db)
    if version > SCHEMA_VERSION:
        raise KbError(
            f"this knowledge base has schema version {version}; this kb knows up to {SCHEMA_VERSION}: upgrade kb"
        )
    if version < SCHEMA_VERSION:
        register_sql_function(db.conn)  # kb_name_key(), for migrations that fill look-up keys
    for number in range(version, SCHEMA_VERSION):
        conn = db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            if schema_version(db) != number:  # another process migrated meanwhile
                conn.execute("ROLLBACK")
                continue
            for statement in _statements(MIGRATIONS[number]):
                conn.execute(statement)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {number + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def _statements(script: str) -> list[str]:
    """Split a script into statements (triggers hold semicolons inside BEGIN ... END)."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--") and not current.strip():
            continue
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements
