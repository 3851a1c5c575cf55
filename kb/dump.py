"""`kb dump`: the whole knowledge base as sorted, deterministic YAML, one file per record.

One file per record keeps git diffs and merges small: editing a work touches one file.
The files are what `kb build` and `kb import` read (kb/importers/kb_yaml.py), and
dump -> build -> dump gives the same bytes.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import sqlite_utils
import yaml

from .atomic_files import remove_leftover_temporaries, write_atomically
from .dates import partial_date_from_csl
from .dump_manifest import IN_PROGRESS, MANIFEST_NAME, checksum, manifest_text
from .errors import KbError
from .keys import slug
from .model import CSL_DATE_VARIABLES
from .portable_names import portable_stem

FOLDERS = ("organisations", "events", "people", "works")
_FIRST_KEYS = ("type", "title", "author", "editor", "translator", "issued", "container-title")


# libyaml's emitter (shipped in PyYAML's wheels) writes the same YAML about 5x faster.
class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    def ignore_aliases(self, data: Any) -> bool:  # kb build refuses aliases: write every value out
        return True


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def to_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)


def _compact_date(value: Any) -> Any:
    """A plain CSL date as its EDTF text ("2010-11-19/2010-11-20"); anything richer as is."""
    if isinstance(value, dict) and set(value) <= {"date-parts", "circa"}:
        parsed = partial_date_from_csl(value)
        if parsed is not None:
            return parsed.edtf
    return value


def work_document(row: dict[str, Any], links: dict[str, Any]) -> dict[str, Any]:
    item = json.loads(row["csl_json"])
    item.pop("id", None)
    doc: dict[str, Any] = {"kind": "work", "citekey": row["citekey"]}
    for key in [*(k for k in _FIRST_KEYS if k in item), *sorted(k for k in item if k not in _FIRST_KEYS)]:
        value = item[key]
        doc[key] = _compact_date(value) if key in CSL_DATE_VARIABLES else value
    for key in ("tags", "events", "organisations", "cites", "notes"):
        if links.get(key):
            doc[key] = links[key]
    if row["extra_json"]:
        doc["extra"] = json.loads(row["extra_json"])
    for key in ("status", "added_by", "added_at"):
        if row[key]:
            doc[key] = row[key]
    if row["needs_review"]:
        doc["needs_review"] = True
    if row["text"]:
        doc["text"] = row["text"]
    return doc


def _link(name: str, relation: str, source: str) -> Any:
    if relation == "discusses" and source == "manual":
        return name
    entry: dict[str, Any] = {"name": name}
    if relation != "discusses":
        entry["relation"] = relation
    if source != "manual":
        entry["source"] = source
    return entry


def _work_links(db: sqlite_utils.Database, only: int | None = None) -> dict[int, dict[str, list[Any]]]:
    links: dict[int, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    # `only`: one work's links (kb edit), read through the same queries as the dump's.
    match = "" if only is None else f"WHERE {{}} = {int(only)} "
    for article_id, name in db.execute(
        "SELECT article_id, name FROM article_tags JOIN tags ON tags.id = tag_id "
        + match.format("article_id")
        + "ORDER BY article_id, name"
    ):
        links[article_id]["tags"].append(name)
    for article_id, name, relation, source in db.execute(
        "SELECT article_id, name, relation, source FROM article_events JOIN events ON events.id = event_id "
        + match.format("article_id")
        + "ORDER BY article_id, name, relation"
    ):
        links[article_id]["events"].append(_link(name, relation, source))
    for article_id, name, relation, source in db.execute(
        "SELECT article_id, name, relation, source FROM article_organisations JOIN organisations ON organisations.id = organisation_id "
        + match.format("article_id")
        + "ORDER BY article_id, name, relation"
    ):
        links[article_id]["organisations"].append(_link(name, relation, source))
    for citing_id, citekey, relation, locator, context in db.execute(
        "SELECT citing_id, articles.citekey, relation, locator, context FROM citations "
        "JOIN articles ON articles.id = cited_id "
        + match.format("citing_id")
        + "ORDER BY citing_id, articles.citekey, relation"
    ):
        entry: dict[str, Any] = {"key": citekey, "relation": relation}
        if locator:
            entry["locator"] = locator
        if context:
            entry["context"] = context
        links[citing_id]["cites"].append(entry)
    for row in db.query(
        "SELECT notes.*, events.name AS event, organisations.name AS organisation FROM notes "
        "LEFT JOIN events ON events.id = notes.event_id LEFT JOIN organisations ON organisations.id = notes.organisation_id "
        + match.format("article_id")
        + "ORDER BY article_id, added_at, notes.id"
    ):
        note = {
            k: row[k]
            for k in ("comment", "quote", "locator", "event", "organisation", "added_by", "added_at")
            if row[k]
        }
        links[row["article_id"]]["notes"].append(note)
    return links


def _aliases(db: sqlite_utils.Database, table: str, column: str) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    for owner, alias in db.execute(f"SELECT {column}, alias FROM {table} ORDER BY {column}, alias"):
        out[owner].append(alias)
    return out


def _drop_empty(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if v not in (None, "", [], {})}


def _only(only: int | None) -> str:
    """The condition that picks one record's row (kb edit), or every row (kb dump)."""
    return "" if only is None else f"WHERE id = {int(only)} "


def organisation_documents(db: sqlite_utils.Database, only: int | None = None) -> list[tuple[str, dict[str, Any]]]:
    aliases = _aliases(db, "organisation_aliases", "organisation_id")
    names = dict(db.execute("SELECT id, name FROM organisations").fetchall())
    docs = []
    for row in db.query(f"SELECT * FROM organisations {_only(only)}ORDER BY name"):
        docs.append(
            (
                row["name"],
                _drop_empty(
                    {
                        "kind": "organisation",
                        "name": row["name"],
                        "acronym": row["acronym"],
                        "type": row["type"],
                        "country": row["country"],
                        "parent": names.get(row["parent_id"]),
                        "url": row["url"],
                        "description": row["description"],
                        "aliases": aliases.get(row["id"]),
                    }
                ),
            )
        )
    return docs


def event_documents(db: sqlite_utils.Database, only: int | None = None) -> list[tuple[str, dict[str, Any]]]:
    aliases = _aliases(db, "event_aliases", "event_id")
    names = dict(db.execute("SELECT id, name FROM events").fetchall())
    participants: dict[int, list[dict[str, str]]] = defaultdict(list)
    for event_id, organisation, role in db.execute(
        "SELECT event_id, organisations.name, role FROM event_organisations "
        "JOIN organisations ON organisations.id = organisation_id ORDER BY event_id, organisations.name, role"
    ):
        participants[event_id].append({"organisation": organisation, "role": role})
    docs = []
    for row in db.query(f"SELECT * FROM events {_only(only)}ORDER BY name"):
        docs.append(
            (
                row["name"],
                _drop_empty(
                    {
                        "kind": "event",
                        "name": row["name"],
                        "type": row["type"],
                        "date": row["date"],
                        "location": row["location"],
                        "parent": names.get(row["parent_id"]),
                        "description": row["description"],
                        "aliases": aliases.get(row["id"]),
                        "organisations": participants.get(row["id"]),
                    }
                ),
            )
        )
    return docs


def person_documents(db: sqlite_utils.Database, only: int | None = None) -> list[tuple[str, dict[str, Any]]]:
    """People with something beyond their name (affiliations, ORCID, a page); with
    `only`, that one person whatever they have."""
    affiliations: dict[int, list[dict[str, str]]] = defaultdict(list)
    for row in db.query(
        "SELECT author_id, organisations.name AS organisation, role, start_date, end_date FROM affiliations "
        "JOIN organisations ON organisations.id = organisation_id ORDER BY author_id, organisations.name, role"
    ):
        affiliations[row["author_id"]].append(
            _drop_empty(
                {
                    "organisation": row["organisation"],
                    "role": row["role"],
                    "start": row["start_date"],
                    "end": row["end_date"],
                }
            )
        )
    docs = []
    for row in db.query(f"SELECT * FROM authors {_only(only)}ORDER BY name_key"):
        if only is None and not (affiliations.get(row["id"]) or row["orcid"] or row["url"]):
            continue
        if row["is_organisation"]:
            name: dict[str, Any] = {"literal": row["name"]}
        else:
            name = _drop_empty(
                {
                    "family": row["family"],
                    "given": row["given"],
                    "non-dropping-particle": row["particle"],
                    "suffix": row["suffix"],
                }
            )
        docs.append(
            (
                row["name"],
                _drop_empty(
                    {
                        "kind": "person",
                        "name": name,
                        "orcid": row["orcid"],
                        "url": row["url"],
                        "affiliations": affiliations.get(row["id"]),
                    }
                ),
            )
        )
    return docs


def work_documents(db: sqlite_utils.Database, only: int | None = None) -> list[tuple[str, dict[str, Any]]]:
    links = _work_links(db, only)
    return [
        (row["citekey"], work_document(row, links.get(row["id"], {})))
        for row in db.query(f"SELECT * FROM articles {_only(only)}ORDER BY citekey")
    ]


def _real_folder(directory: Path, folder: str) -> Path:
    """directory/folder, made if need be; a symbolic link there is refused, so a dump never
    writes or deletes outside the folder it was given."""
    target = directory / folder
    if target.is_symlink():
        raise KbError(f"{target} is a symbolic link; kb dump only writes inside {directory} (remove the link)")
    target.mkdir(exist_ok=True)
    return target


def _unchanged(path: Path, data: bytes) -> bool:
    return path.is_file() and not path.is_symlink() and path.read_bytes() == data


def dump(db: sqlite_utils.Database, directory: str | Path) -> dict[str, int]:
    """Write every record to `directory`/<kind>/<name>.yaml; remove files of records gone.

    Safe to kill at any moment: the manifest says "in progress" until the last file is
    written (kb build refuses such a folder), each file is replaced atomically, and files
    of records gone are removed only after every new one is written. Symbolic links in
    the folder are never written through or followed out of it.
    """
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        write_atomically(directory / MANIFEST_NAME, IN_PROGRESS.encode())
        checksums: dict[str, str] = {}
        stale: list[Path] = []
        counts = {}
        for folder, documents in (
            ("organisations", organisation_documents(db)),
            ("events", event_documents(db)),
            ("people", person_documents(db)),
            ("works", work_documents(db)),
        ):
            target = _real_folder(directory, folder)
            remove_leftover_temporaries(target)
            written: set[str] = set()  # casefolded: Windows and macOS see Key.yaml and key.yaml as one file
            for name, doc in documents:
                stem = portable_stem(slug(name) if folder != "works" else name)
                file_name, n = f"{stem}.yaml", 2
                while file_name.casefold() in written:
                    file_name, n = f"{stem}-{n}.yaml", n + 1
                written.add(file_name.casefold())
                data = to_yaml(doc).encode("utf-8")
                path = target / file_name
                if not _unchanged(path, data):
                    write_atomically(path, data)
                checksums[f"{folder}/{file_name}"] = checksum(data)
            stale += [path for path in target.glob("*.yaml") if path.name.casefold() not in written]
            counts[folder] = len(written)
        for path in stale:
            path.unlink()  # a link is removed, not what it points to
        write_atomically(directory / MANIFEST_NAME, manifest_text(checksums).encode(), sync=True)
    except OSError as exc:
        raise KbError(
            f"cannot write the dump to {directory}: {exc.strerror or exc}"
            + (f" ({exc.filename})" if exc.filename else "")
        ) from None
    return counts


def dump_files(directory: str | Path) -> list[Path]:
    """The YAML files of a dump (or any folder of kb YAML), in load order."""
    directory = Path(directory)
    order = {folder: i for i, folder in enumerate(FOLDERS)}
    files = sorted(directory.rglob("*.y*ml"), key=lambda p: (order.get(p.parent.name, len(order)), str(p)))
    return [p for p in files if p.suffix in (".yaml", ".yml")]
