-- index idx_affiliations_organisation_id
CREATE INDEX idx_affiliations_organisation_id ON affiliations(organisation_id);

-- index idx_article_authors_author_id
CREATE INDEX idx_article_authors_author_id ON article_authors(author_id, article_id);

-- index idx_article_events_event_id
CREATE INDEX idx_article_events_event_id ON article_events(event_id, article_id);

-- index idx_article_organisations_organisation_id
CREATE INDEX idx_article_organisations_organisation_id ON article_organisations(organisation_id, article_id);

-- index idx_article_sources_import_id
CREATE INDEX idx_article_sources_import_id ON article_sources(import_id);

-- index idx_article_tags_tag_id
CREATE INDEX idx_article_tags_tag_id ON article_tags(tag_id, article_id);

-- index idx_articles_added_at
CREATE INDEX idx_articles_added_at ON articles(added_at);

-- index idx_articles_added_by
CREATE INDEX idx_articles_added_by ON articles(added_by);

-- index idx_articles_container_title
CREATE INDEX idx_articles_container_title ON articles(container_title);

-- index idx_articles_doi_key
CREATE INDEX idx_articles_doi_key ON articles(doi_key);

-- index idx_articles_import_id
CREATE INDEX idx_articles_import_id ON articles(import_id);

-- index idx_articles_isbn_key
CREATE INDEX idx_articles_isbn_key ON articles(isbn_key);

-- index idx_articles_issued_start
CREATE INDEX idx_articles_issued_start ON articles(issued_start);

-- index idx_articles_status
CREATE INDEX idx_articles_status ON articles(status);

-- index idx_articles_title_key
CREATE INDEX idx_articles_title_key ON articles(title_key);

-- index idx_articles_type
CREATE INDEX idx_articles_type ON articles(type);

-- index idx_articles_url_key
CREATE INDEX idx_articles_url_key ON articles(url_key);

-- index idx_articles_year
CREATE INDEX idx_articles_year ON articles(year);

-- index idx_authors_family_key
CREATE INDEX idx_authors_family_key ON authors(family_key);

-- index idx_authors_name
CREATE INDEX idx_authors_name ON authors(name);

-- index idx_citations_cited_id
CREATE INDEX idx_citations_cited_id ON citations(cited_id);

-- index idx_citations_relation
CREATE INDEX idx_citations_relation ON citations(relation);

-- index idx_citekey_aliases_article_id
CREATE INDEX idx_citekey_aliases_article_id ON citekey_aliases(article_id);

-- index idx_duplicate_candidates_article_b
CREATE INDEX idx_duplicate_candidates_article_b ON duplicate_candidates(article_b);

-- index idx_event_aliases_alias
CREATE INDEX idx_event_aliases_alias ON event_aliases(alias);

-- index idx_event_aliases_alias_key
CREATE INDEX idx_event_aliases_alias_key ON event_aliases(alias_key);

-- index idx_event_organisations_organisation_id
CREATE INDEX idx_event_organisations_organisation_id ON event_organisations(organisation_id);

-- index idx_events_name_key
CREATE INDEX idx_events_name_key ON events(name_key);

-- index idx_events_parent_id
CREATE INDEX idx_events_parent_id ON events(parent_id);

-- index idx_events_start_date
CREATE INDEX idx_events_start_date ON events(start_date);

-- index idx_events_type
CREATE INDEX idx_events_type ON events(type);

-- index idx_history_changes_command_id
CREATE INDEX idx_history_changes_command_id ON history_changes(command_id);

-- index idx_history_changes_row
CREATE INDEX idx_history_changes_row ON history_changes(table_name, row_id);

-- index idx_history_commands_undoes_id
CREATE INDEX idx_history_commands_undoes_id ON history_commands(undoes_id);

-- index idx_history_commands_undone_by_id
CREATE INDEX idx_history_commands_undone_by_id ON history_commands(undone_by_id);

-- index idx_merged_records_import_id
CREATE INDEX idx_merged_records_import_id ON merged_records(import_id);

-- index idx_not_duplicates_article_b
CREATE INDEX idx_not_duplicates_article_b ON not_duplicates(article_b);

-- index idx_notes_article_id
CREATE INDEX idx_notes_article_id ON notes(article_id);

-- index idx_notes_event_id
CREATE INDEX idx_notes_event_id ON notes(event_id);

-- index idx_notes_organisation_id
CREATE INDEX idx_notes_organisation_id ON notes(organisation_id);

-- index idx_organisation_aliases_alias
CREATE INDEX idx_organisation_aliases_alias ON organisation_aliases(alias);

-- index idx_organisation_aliases_alias_key
CREATE INDEX idx_organisation_aliases_alias_key ON organisation_aliases(alias_key);

-- index idx_organisations_acronym_key
CREATE INDEX idx_organisations_acronym_key ON organisations(acronym_key);

-- index idx_organisations_country
CREATE INDEX idx_organisations_country ON organisations(country);

-- index idx_organisations_name_key
CREATE INDEX idx_organisations_name_key ON organisations(name_key);

-- index idx_organisations_parent_id
CREATE INDEX idx_organisations_parent_id ON organisations(parent_id);

-- index idx_organisations_type
CREATE INDEX idx_organisations_type ON organisations(type);

-- index idx_tags_name_key
CREATE INDEX idx_tags_name_key ON tags(name_key);

-- table affiliations
CREATE TABLE affiliations (
    id INTEGER PRIMARY KEY,
    author_id INTEGER NOT NULL REFERENCES authors(id) ON DELETE CASCADE,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    role TEXT,
    start_date TEXT,
    end_date TEXT,
    UNIQUE (author_id, organisation_id, role)
);

-- table article_authors
CREATE TABLE article_authors (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    author_id INTEGER NOT NULL REFERENCES authors(id),
    role TEXT NOT NULL DEFAULT 'author',
    position INTEGER NOT NULL,
    PRIMARY KEY (article_id, role, position)
);

-- table article_events
CREATE TABLE article_events (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    event_id INTEGER NOT NULL REFERENCES events(id),
    relation TEXT NOT NULL DEFAULT 'discusses',
    source TEXT NOT NULL DEFAULT 'manual',
    PRIMARY KEY (article_id, event_id, relation)
);

-- table article_organisations
CREATE TABLE article_organisations (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    relation TEXT NOT NULL DEFAULT 'discusses',
    source TEXT NOT NULL DEFAULT 'manual',
    PRIMARY KEY (article_id, organisation_id, relation)
);

-- table article_sources
CREATE TABLE article_sources (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    import_id INTEGER NOT NULL REFERENCES imports(id),
    source_key TEXT,
    PRIMARY KEY (article_id, import_id)
);

-- table article_tags
CREATE TABLE article_tags (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tags(id),
    PRIMARY KEY (article_id, tag_id)
);

-- table articles
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

-- table articles_fts
CREATE VIRTUAL TABLE articles_fts USING fts5(title, container_title, abstract, notes, text);

-- table authors
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
, family_key TEXT);

-- table authors_fts
CREATE VIRTUAL TABLE authors_fts USING fts5(name);

-- table citations
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

-- table citekey_aliases
CREATE TABLE citekey_aliases (
    alias TEXT PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE
);

-- table duplicate_candidates
CREATE TABLE duplicate_candidates (
    article_a INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    article_b INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    PRIMARY KEY (article_a, article_b),
    CHECK (article_a < article_b)
);

-- table event_aliases
CREATE TABLE event_aliases (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    alias TEXT NOT NULL, alias_key TEXT,
    UNIQUE (event_id, alias)
);

-- table event_organisations
CREATE TABLE event_organisations (
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    role TEXT NOT NULL DEFAULT 'participant',
    PRIMARY KEY (event_id, organisation_id, role)
);

-- table events
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
, name_key TEXT);

-- table events_fts
CREATE VIRTUAL TABLE events_fts USING fts5(name, aliases, location);

-- table history_changes
CREATE TABLE history_changes (
    id INTEGER PRIMARY KEY,
    command_id INTEGER NOT NULL REFERENCES history_commands(id),
    table_name TEXT NOT NULL,
    row_id INTEGER NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('insert', 'update', 'delete')),
    before_json TEXT,
    after_json TEXT
);

-- table history_commands
CREATE TABLE history_commands (
    id INTEGER PRIMARY KEY,
    command TEXT NOT NULL,
    user TEXT,
    at TEXT NOT NULL,
    undoes_id INTEGER REFERENCES history_commands(id),
    undone_by_id INTEGER REFERENCES history_commands(id)
);

-- table imports
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

-- table merged_records
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

-- table not_duplicates
CREATE TABLE not_duplicates (
    article_a INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    article_b INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    PRIMARY KEY (article_a, article_b),
    CHECK (article_a < article_b)
);

-- table notes
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

-- table organisation_aliases
CREATE TABLE organisation_aliases (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    alias TEXT NOT NULL, alias_key TEXT,
    UNIQUE (organisation_id, alias)
);

-- table organisations
CREATE TABLE organisations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    acronym TEXT,
    type TEXT,
    country TEXT,
    parent_id INTEGER REFERENCES organisations(id),
    url TEXT,
    description TEXT
, name_key TEXT, acronym_key TEXT);

-- table organisations_fts
CREATE VIRTUAL TABLE organisations_fts USING fts5(name, acronym, aliases);

-- table reference_cache
CREATE TABLE reference_cache (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    style TEXT NOT NULL,
    output_format TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    reference TEXT NOT NULL,
    PRIMARY KEY (article_id, style, output_format)
);

-- table rejected_links
CREATE TABLE rejected_links (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    target_table TEXT NOT NULL CHECK (target_table IN ('events', 'organisations')),
    target_id INTEGER NOT NULL,
    PRIMARY KEY (article_id, target_table, target_id)
);

-- table tags
CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
, name_key TEXT);
