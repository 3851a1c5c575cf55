"""One way to find a thing: a work by citekey, DOI or URL; an organisation, event,
tag or person by name, acronym or alias.

Every interface resolves names here: the store (linking, notes, parents), the query
layer (`kb export`, the Python API, the .bib renderers), the Datasette filters
(`?_organisation=`, `?_event=`, `?_tag=`, `?_author=`) and mention detection.

The folding rule (`name_key`) is `kb.names.fold`: case folded, accents dropped,
punctuation read as a space, white space collapsed. So "nato", "NATO" and " Nato "
are one name; "Sécurité" is "securite"; "Remote-sensing", "remote sensing" and
"Remote Sensing" are one name. Dots are punctuation like any other, so "N.A.T.O."
folds to "n a t o", not "nato": an initialism written with dots is another spelling
(add it as an alias); a look-up of it suggests the closest names instead.

The keys are stored beside the names, in indexed columns the store writes
(`organisations.name_key`, `acronym_key`, `organisation_aliases.alias_key`,
`events.name_key`, `event_aliases.alias_key`, `tags.name_key`, `authors.family_key`;
`authors.name_key` is a person's identity key, `kb.names.name_key`), so Datasette's
SQL compares typed values to the same keys through the same indexes.

Organisations and events: a typed name means the record whose name, then acronym,
then alias has its key (lowest id first). Tags are kept as each researcher wrote them,
but a look-up finds every tag with the key ("remote sensing" finds works tagged
"Remote sensing" and "Remote-sensing"). People: the exact display name, the same
person however written, or everyone with that family name.

Works: the citekey exactly, then the DOI in any form (bare, `doi:`, `https://doi.org/`),
then the URL as `kb.keys.normalise_url` reads it.

A name that finds nothing raises KbError with the closest names (rapidfuzz) as
suggestions: "no organisation 'NATOO'; did you mean NATO?".
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from typing import Any

from .errors import KbError
from .keys import normalise_doi, normalise_url
from .names import fold, parse_name
from .names import name_key as person_key

SQL_FUNCTION = "kb_name_key"  # registered while migrating, to fill the key columns of older files
SUGGESTIONS = 3
SUGGESTION_SCORE = 70.0  # rapidfuzz WRatio, percent, on folded names

_ADD_HINT = {"organisation": "kb add-org", "event": "kb add-event"}


def name_key(text: str | None) -> str | None:
    """The folded form a name is looked up by (None for no name)."""
    if text is None:
        return None
    return fold(str(text))


# -- the keys a row stores (the store writes them; the migration fills older rows) ----------


def organisation_keys(name: str, acronym: str | None) -> dict[str, str | None]:
    return {"name_key": name_key(name), "acronym_key": name_key(acronym) or None}


def event_keys(name: str) -> dict[str, str | None]:
    return {"name_key": name_key(name)}


def alias_keys(alias: str) -> dict[str, str | None]:
    return {"alias_key": name_key(alias)}


def tag_keys(name: str) -> dict[str, str | None]:
    return {"name_key": name_key(name)}


def author_keys(name: dict[str, Any]) -> dict[str, str | None]:
    """A person's identity key and the key of their family name (for "Kulhanek")."""
    return {"name_key": person_key(name), "family_key": family_key(name)}


def family_key(name: dict[str, Any]) -> str | None:
    """The key of a person's family name (the store has their identity key already)."""
    return name_key(name.get("family")) or None


def register_sql_function(conn: sqlite3.Connection) -> None:
    """`kb_name_key(text)` in SQL: the same rule, for migrations filling key columns."""
    conn.create_function(SQL_FUNCTION, 1, name_key, deterministic=True)


# -- organisations and events ------------------------------------------------------------

# Where a name can match, in order of precedence: name, then acronym, then alias.
# (table, id column, text column, key column)
_NAME_SOURCES = {
    "organisation": (
        ("organisations", "id", "name", "name_key"),
        ("organisations", "id", "acronym", "acronym_key"),
        ("organisation_aliases", "organisation_id", "alias", "alias_key"),
    ),
    "event": (
        ("events", "id", "name", "name_key"),
        ("event_aliases", "event_id", "alias", "alias_key"),
    ),
}


def find_target(conn: sqlite3.Connection, kind: str, text: str) -> int | None:
    """The organisation or event named `text` (name, acronym or alias), or None."""
    key = name_key(text)
    if not key:
        return None
    for table, id_column, _, key_column in _NAME_SOURCES[kind]:
        row = conn.execute(f"SELECT min({id_column}) FROM {table} WHERE {key_column} = ?", (key,)).fetchone()
        if row[0] is not None:
            return row[0]
    return None


def name_index(conn: sqlite3.Connection, kind: str) -> dict[str, int]:
    """Every key of every organisation (or event) -> its id, with the precedence of
    `find_target`: for a store that looks many names up in one command."""
    index: dict[str, int] = {}
    for table, id_column, _, key_column in _NAME_SOURCES[kind]:
        for key, row_id in conn.execute(
            f"SELECT {key_column}, {id_column} FROM {table} WHERE {key_column} IS NOT NULL ORDER BY {id_column}"
        ):
            index.setdefault(key, row_id)
    return index


def names_of(conn: sqlite3.Connection, kind: str) -> list[tuple[str, int]]:
    """Every name, acronym and alias as written, with its record's id."""
    names = []
    for table, id_column, text_column, _ in _NAME_SOURCES[kind]:
        names += [
            (text, row_id)
            for text, row_id in conn.execute(
                f"SELECT {text_column}, {id_column} FROM {table} WHERE {text_column} IS NOT NULL AND {text_column} != '' "
                f"ORDER BY {id_column}"
            )
        ]
    return names


# -- tags and people -------------------------------------------------------------------------


def find_tags(conn: sqlite3.Connection, text: str) -> list[int]:
    """Every tag that folds to the key of `text` ("Remote sensing", "remote-sensing" ...)."""
    key = name_key(text)
    if not key:
        return []
    return [row[0] for row in conn.execute("SELECT id FROM tags WHERE name_key = ? ORDER BY id", (key,))]


def find_authors(conn: sqlite3.Connection, text: str) -> list[int]:
    """People named `text`: its exact display name ("Kulhanek, Jakub"), the same person
    however written ("Jakub Kulhanek", "kulhánek, jakub"), or, failing those, everyone
    with that family name, with or without particle or given name ("Fuente",
    "de la Fuente", "Fuente, Juan")."""
    wanted_fold = name_key(text)
    if not wanted_fold:
        return []
    keys = {wanted_fold, "org:" + wanted_fold}
    try:
        keys.add(person_key(parse_name(text)))
    except ValueError:
        pass
    ids = [
        row[0]
        for row in conn.execute(
            "SELECT id FROM authors WHERE name = ? OR name_key IN (SELECT value FROM json_each(?)) ORDER BY id",
            (text, json.dumps(sorted(keys))),
        )
    ]
    if ids:
        return ids
    try:
        wanted = parse_name(text, corporate=False)
    except ValueError:
        wanted = {}
    wanted_family = name_key(wanted.get("family") or "")
    wanted_given = name_key(wanted.get("given") or "")
    candidates = {wanted_fold, wanted_family, wanted_fold.split(" ")[-1]} - {""}
    for row_id, family, particle, given in conn.execute(
        "SELECT id, family, particle, given FROM authors WHERE family_key IN (SELECT value FROM json_each(?)) ORDER BY id",
        (json.dumps(sorted(candidates)),),
    ):
        families = {name_key(family), name_key(" ".join(p for p in (particle, family) if p))}
        if wanted_fold in families or (
            wanted_family in families and (not wanted_given or wanted_given == name_key(given or ""))
        ):
            ids.append(row_id)
    return ids


# -- any kind ----------------------------------------------------------------------------------


def find_named(conn: sqlite3.Connection, kind: str, text: str) -> list[int]:
    """The ids of the records of `kind` that `text` names (empty when none)."""
    if kind in _NAME_SOURCES:
        found = find_target(conn, kind, text)
        return [] if found is None else [found]
    if kind == "tag":
        return find_tags(conn, text)
    if kind == "author":
        return find_authors(conn, text)
    raise ValueError(kind)


def require_named(conn: sqlite3.Connection, kind: str, text: str, option: str | None = None) -> list[int]:
    """Like `find_named`, but a name that finds nothing raises KbError with suggestions."""
    found = find_named(conn, kind, text)
    if not found:
        raise not_found(kind, text, lambda: _choices(conn, kind), option)
    return found


def _choices(conn: sqlite3.Connection, kind: str) -> list[str]:
    if kind in _NAME_SOURCES:
        return [text for text, _ in names_of(conn, kind)]
    if kind == "tag":
        return [row[0] for row in conn.execute("SELECT name FROM tags")]
    return [row[0] for row in conn.execute("SELECT name FROM authors")]


def suggest(text: str, choices: Iterable[str], limit: int = SUGGESTIONS) -> list[str]:
    """The names closest to `text` (folded alike), best first."""
    from rapidfuzz import fuzz, process  # imported where it is used: kb --version and most commands never suggest

    unique = list(dict.fromkeys(c for c in choices if c))
    matches = process.extract(
        text,
        unique,
        scorer=fuzz.WRatio,
        processor=lambda s: name_key(s) or "",
        limit=limit,
        score_cutoff=SUGGESTION_SCORE,
    )
    return [match[0] for match in matches]


def _did_you_mean(suggestions: list[str]) -> str:
    if len(suggestions) == 1:
        return suggestions[0]
    return ", ".join(suggestions[:-1]) + " or " + suggestions[-1]


def not_found(
    kind: str, text: str, choices: Callable[[], Iterable[str]], option: str | None = None, where: str | None = None
) -> KbError:
    """The one-line error for a name that names nothing, with the closest names."""
    prefix = f"{option}: " if option else ""
    suggestions = suggest(text, choices())
    if suggestions:
        message = f"{prefix}no {kind} {text!r}; did you mean {_did_you_mean(suggestions)}?"
    else:
        hint = f" (add it with `{_ADD_HINT[kind]}`)" if kind in _ADD_HINT else ""
        message = f"{prefix}no {kind} {text!r} in the knowledge base{hint}"
    return KbError(message, where)


# -- works -----------------------------------------------------------------------------------------


def work_identifiers(text: str) -> list[tuple[str, str]]:
    """The (column, value) pairs a typed work identifier is looked up by, in order:
    the citekey as given, the DOI in any form, the normalised URL."""
    text = str(text).strip()
    pairs = [("citekey", text)] if text else []
    doi = normalise_doi(text)
    if doi:
        pairs.append(("doi_key", doi))
    url = normalise_url(text) if "/" in text else None
    if url:
        pairs.append(("url_key", url))
    return pairs


def find_work(conn: sqlite3.Connection, text: str) -> int | None:
    """A work's id by citekey, DOI or URL, or None."""
    for column, value in work_identifiers(text):
        row = conn.execute(f"SELECT id FROM articles WHERE {column} = ? ORDER BY id LIMIT 1", (value,)).fetchone()
        if row is not None:
            return row[0]
    # The citekey of a work merged into another by hand (kb merge) names the work it went into.
    row = conn.execute("SELECT article_id FROM citekey_aliases WHERE alias = ?", (str(text).strip(),)).fetchone()
    return row[0] if row is not None else None


def require_work(conn: sqlite3.Connection, text: str, option: str | None = None, where: str | None = None) -> int:
    found = find_work(conn, text)
    if found is None:
        raise work_not_found(conn, text, option, where)
    return found


def work_not_found(conn: sqlite3.Connection, text: str, option: str | None = None, where: str | None = None) -> KbError:
    prefix = f"{option}: " if option else ""
    return KbError(f"{prefix}no work with citekey, DOI or URL {text!r}{did_you_mean_work(conn, text)}", where)


def did_you_mean_work(conn: sqlite3.Connection, text: str) -> str:
    """ "; did you mean KEY?" with the closest citekeys, or "" when none is close."""
    suggestions = suggest(text, (row[0] for row in conn.execute("SELECT citekey FROM articles")))
    return f"; did you mean {_did_you_mean(suggestions)}?" if suggestions else ""
