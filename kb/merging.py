"""Merges kept and reversible: the records merged into a work, `kb merge`, `kb unmerge`.

Whenever a record is merged into a work that already exists (an import's duplicate, or
`kb merge KEEP OTHER`), the record is kept as it came in `merged_records`: its CSL
item, its extra fields, its links, and the fields it filled into the surviving work.
`kb unmerge` makes it a work of its own again from that row.

What unmerging gives back, and what it cannot:
- the record becomes a work with its own citekey (its source key, or the citekey it had
  before `kb merge`, when free), with its tags, events, organisations, notes and
  citations; the pair is recorded as not duplicates and the import's source row moves
  to the new work, so no later import of the file merges it again (a record with no
  key in its file is found by its exact content, see Store._find_duplicate);
- the fields the record filled into the survivor are removed from the survivor, unless
  the survivor's value has changed since or another record kept with it has the same
  value; the tags the merge added to the survivor are removed from it again, and after
  `kb merge` also the event and organisation links, citations and sources it moved;
- after an import's merge, the event and organisation links and notes the imported
  record brought stay on the survivor as well (kb cannot tell them from the survivor's
  own): remove them by hand if they do not belong there;
- a survivor's field the record would have overwritten was never overwritten (merging
  only fills gaps), so there is nothing to restore there.

These functions write through the Store's connection, inside its transaction: the Store
calls into them (`Store.merge_works`, `Store.unmerge`).
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from .errors import KbError
from .model import CitationRef, Link, NoteRecord, WorkRecord

if TYPE_CHECKING:
    from .store import Store


def tag_names(store: Store, article_id: int) -> set[str]:
    return {
        row[0]
        for row in store.conn.execute(
            "SELECT t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = ?", (article_id,)
        )
    }


def record_links(record: WorkRecord, tags_before: set[str]) -> dict[str, Any]:
    """The links an imported record brought, and which tags were new to the survivor."""
    return {
        "tags": list(record.tags),
        "added_tags": [
            t for t in dict.fromkeys(" ".join(str(t).split()) for t in record.tags) if t and t not in tags_before
        ],
        "events": [vars(link) for link in record.events],
        "organisations": [vars(link) for link in record.organisations],
        "cites": [vars(ref) for ref in record.cites],
        "notes": [vars(note) for note in record.notes],
    }


def keep_merged_record(
    store: Store,
    article_id: int,
    *,
    import_id: int | None,
    source_key: str | None,
    citekey: str | None,
    origin: str | None,
    reason: str,
    item: dict[str, Any],
    extra: dict[str, Any] | None,
    links: dict[str, Any],
    filled: dict[str, Any],
    filled_extra: dict[str, Any] | None = None,
) -> None:
    """Keep a record merged into the work `article_id` as it came (once per distinct record)."""
    from .store import now  # the store imports this module

    csl = json.dumps(item, sort_keys=True, ensure_ascii=False)
    extra_text = json.dumps(extra, sort_keys=True, ensure_ascii=False) if extra else None
    links_text = json.dumps(links, sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha1(
        "\x1f".join((csl, extra_text or "", links_text, source_key or "", citekey or "")).encode()
    ).hexdigest()
    filled_all = {"csl": filled, "extra": {k: v for k, v in (filled_extra or {}).items() if v}}
    store.conn.execute(
        "INSERT OR IGNORE INTO merged_records (article_id, import_id, source_key, citekey, origin, reason, csl_json, extra_json, "
        "links_json, filled_json, record_hash, merged_by, merged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            article_id,
            import_id,
            source_key,
            citekey,
            origin,
            reason,
            csl,
            extra_text,
            links_text,
            json.dumps(filled_all, sort_keys=True, ensure_ascii=False),
            digest,
            store.user,
            now(),
        ),
    )


# -- kb merge KEEP OTHER --------------------------------------------------------------


def merge_works(store: Store, keep_id: int, other_id: int) -> dict[str, int]:
    """Merge the work `other_id` into `keep_id`: what OTHER has that KEEP lacks fills
    KEEP; its links, citations, notes and sources move; its citekey becomes an alias of
    KEEP; OTHER's record is kept in merged_records. Returns counts of what moved."""
    if keep_id == other_id:
        raise KbError(f"{store.citekey_of(keep_id)} and {store.citekey_of(other_id)} are the same work")
    conn = store.conn
    keep_row = conn.execute(
        "SELECT csl_json, extra_json, text, status FROM articles WHERE id = ?", (keep_id,)
    ).fetchone()
    other_row = conn.execute(
        "SELECT csl_json, extra_json, text, status, citekey, import_id FROM articles WHERE id = ?", (other_id,)
    ).fetchone()
    keep_item, other_item = json.loads(keep_row[0]), json.loads(other_row[0])
    keep_extra = json.loads(keep_row[1]) if keep_row[1] else {}
    other_extra = json.loads(other_row[1]) if other_row[1] else {}
    other_key = other_row[4]
    filled = {k: v for k, v in other_item.items() if k not in keep_item}
    filled_extra = {
        fmt: {k: v for k, v in fields.items() if k not in keep_extra.get(fmt, {})}
        for fmt, fields in other_extra.items()
    }
    moved: dict[str, Any] = {
        "tags": [],
        "events": [],
        "organisations": [],
        "cites": [],
        "cited_by": [],
        "notes": [],
        "sources": [],
        "aliases": [],
        "merged_records": [],
    }
    # Links: each of OTHER's, given to KEEP when KEEP lacks it (remembered, for unmerge).
    for table, column in (
        ("article_tags", "tag_id"),
        ("article_events", "event_id"),
        ("article_organisations", "organisation_id"),
    ):
        kind = {"article_tags": "tags", "article_events": "events", "article_organisations": "organisations"}[table]
        extra_cols = "" if table == "article_tags" else ", relation, source"
        for row in conn.execute(
            f"SELECT {column}{extra_cols} FROM {table} WHERE article_id = ?", (other_id,)
        ).fetchall():
            added = (
                conn.execute(
                    f"INSERT OR IGNORE INTO {table} (article_id, {column}{extra_cols}) VALUES (?{', ?' * len(row)})",
                    (keep_id, *row),
                ).rowcount
                > 0
            )
            moved[kind].append({"row": list(row), "added": added})
    for row in conn.execute(
        "SELECT cited_id, relation, locator, context FROM citations WHERE citing_id = ?", (other_id,)
    ).fetchall():
        added = (
            row[0] != keep_id
            and conn.execute(
                "INSERT OR IGNORE INTO citations (citing_id, cited_id, relation, locator, context) VALUES (?, ?, ?, ?, ?)",
                (keep_id, *row),
            ).rowcount
            > 0
        )
        moved["cites"].append({"row": list(row), "added": added})
    for row in conn.execute(
        "SELECT citing_id, relation, locator, context FROM citations WHERE cited_id = ?", (other_id,)
    ).fetchall():
        added = (
            row[0] != keep_id
            and conn.execute(
                "INSERT OR IGNORE INTO citations (citing_id, cited_id, relation, locator, context) VALUES (?, ?, ?, ?, ?)",
                (row[0], keep_id, *row[1:]),
            ).rowcount
            > 0
        )
        moved["cited_by"].append({"row": list(row), "added": added})
    moved["notes"] = [row[0] for row in conn.execute("SELECT id FROM notes WHERE article_id = ?", (other_id,))]
    conn.execute("UPDATE notes SET article_id = ? WHERE article_id = ?", (keep_id, other_id))
    for import_id, source_key in conn.execute(
        "SELECT import_id, source_key FROM article_sources WHERE article_id = ?", (other_id,)
    ).fetchall():
        added = (
            conn.execute(
                "INSERT OR IGNORE INTO article_sources (article_id, import_id, source_key) VALUES (?, ?, ?)",
                (keep_id, import_id, source_key),
            ).rowcount
            > 0
        )
        moved["sources"].append({"row": [import_id, source_key], "added": added})
    # What was merged into OTHER before, and OTHER's own old citekeys, now belong to KEEP.
    moved["merged_records"] = [
        row[0] for row in conn.execute("SELECT id FROM merged_records WHERE article_id = ?", (other_id,))
    ]
    conn.execute("UPDATE OR IGNORE merged_records SET article_id = ? WHERE article_id = ?", (keep_id, other_id))
    moved["aliases"] = [
        row[0] for row in conn.execute("SELECT alias FROM citekey_aliases WHERE article_id = ?", (other_id,))
    ]
    conn.execute("UPDATE citekey_aliases SET article_id = ? WHERE article_id = ?", (keep_id, other_id))
    moved["status"], moved["text"] = other_row[3], other_row[2]
    keep_merged_record(
        store,
        keep_id,
        import_id=other_row[5],
        source_key=None,
        citekey=other_key,
        origin="kb merge",
        reason="merged by hand (kb merge)",
        item=other_item,
        extra=other_extra,
        links=moved,
        filled=filled,
        filled_extra=filled_extra,
    )
    conn.execute("DELETE FROM articles WHERE id = ?", (other_id,))
    conn.execute("INSERT OR REPLACE INTO citekey_aliases (alias, article_id) VALUES (?, ?)", (other_key, keep_id))
    if filled or any(filled_extra.values()):
        merged_extra = {
            fmt: {**other_extra.get(fmt, {}), **keep_extra.get(fmt, {})} for fmt in {*keep_extra, *other_extra}
        }
        store.replace_item(keep_id, {**keep_item, **filled}, merged_extra)
    fills = {"text": other_row[2], "status": other_row[3]}
    for column, value in fills.items():
        if value:
            conn.execute(f"UPDATE articles SET {column} = ? WHERE id = ? AND {column} IS NULL", (value, keep_id))
    store._caches = None  # OTHER's identifiers are gone: read them again when next needed
    return {
        "fields": len(filled),
        "links": sum(1 for kind in ("tags", "events", "organisations") for m in moved[kind] if m["added"]),
        "citations": sum(1 for kind in ("cites", "cited_by") for m in moved[kind] if m["added"]),
        "notes": len(moved["notes"]),
    }


# -- kb unmerge KEY SOURCE ------------------------------------------------------------


def merged_records_of(store: Store, article_id: int) -> list[tuple]:
    """(id, source, reason, title, import file) of each record kept with a work."""
    rows = store.conn.execute(
        "SELECT m.id, coalesce(m.citekey, m.source_key), m.reason, json_extract(m.csl_json, '$.title'), i.file "
        "FROM merged_records m LEFT JOIN imports i ON i.id = m.import_id WHERE m.article_id = ? ORDER BY m.id",
        (article_id,),
    )
    return rows.fetchall()


def _find_record(store: Store, article_id: int, source: str) -> tuple:
    rows = store.conn.execute(
        "SELECT id, import_id, source_key, citekey, csl_json, extra_json, links_json, filled_json FROM merged_records "
        "WHERE article_id = ? AND (CAST(id AS TEXT) = ? OR source_key = ? OR citekey = ?) ORDER BY id",
        (article_id, source, source, source),
    ).fetchall()
    if not rows:
        kept = merged_records_of(store, article_id)
        listing = "; ".join(f"{r[0]} ({r[1] or 'no key'}: {r[3]!r})" for r in kept) or "none"
        raise KbError(
            f"{store.citekey_of(article_id)} has no merged record {source!r} (records kept with it: {listing})"
        )
    if len(rows) > 1:
        raise KbError(
            f"{source!r} names {len(rows)} records merged into {store.citekey_of(article_id)}: give the record's number "
            f"({', '.join(str(r[0]) for r in rows)})"
        )
    return rows[0]


def unmerge(store: Store, survivor_id: int, source: str) -> tuple[int, str]:
    """Make the record `source` (its number, source key or former citekey) merged into
    the work `survivor_id` a work of its own again. Returns (its id, its citekey)."""
    conn = store.conn
    record_id, import_id, source_key, old_citekey, csl, extra_text, links_text, filled_text = _find_record(
        store, survivor_id, source
    )
    item = json.loads(csl)
    extra = json.loads(extra_text) if extra_text else {}
    links = json.loads(links_text) if links_text else {}
    filled = json.loads(filled_text) if filled_text else {}
    by_hand = old_citekey is not None
    if by_hand:
        conn.execute("DELETE FROM citekey_aliases WHERE alias = ?", (old_citekey,))
        store._caches = None
    wanted = old_citekey or source_key
    record = WorkRecord(item=dict(item), extra=extra, origin="kb unmerge")
    if not by_hand:  # an imported record: its own links, as it brought them
        record.tags = links.get("tags", [])
        record.events = [Link(**link) for link in links.get("events", [])]
        record.organisations = [Link(**link) for link in links.get("organisations", [])]
        record.cites = [CitationRef(**ref) for ref in links.get("cites", [])]
        record.notes = [NoteRecord(**note) for note in links.get("notes", [])]
    else:
        record.text, record.status = links.get("text"), links.get("status")
    from .csl import article_columns

    taken = store.caches.citekey.__contains__
    result = store._insert_work(
        wanted if wanted and not taken(wanted) else None, item, article_columns(item), record, None
    )
    new_id = result.article_id
    _remove_filled(store, survivor_id, record_id, filled)
    survivor_tags = {
        name: tag_id
        for name, tag_id in conn.execute(
            "SELECT t.name, t.id FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = ?",
            (survivor_id,),
        )
    }
    for name in links.get("added_tags", []):
        if name in survivor_tags:
            conn.execute(
                "DELETE FROM article_tags WHERE article_id = ? AND tag_id = ?", (survivor_id, survivor_tags[name])
            )
    if by_hand:
        _move_back(store, survivor_id, new_id, links)
    if import_id is not None and source_key:
        # The import's record now names the new work: re-importing the file finds it there.
        conn.execute(
            "DELETE FROM article_sources WHERE article_id = ? AND import_id = ? AND source_key IS ?",
            (survivor_id, import_id, source_key),
        )
        conn.execute(
            "INSERT OR IGNORE INTO article_sources (article_id, import_id, source_key) VALUES (?, ?, ?)",
            (new_id, import_id, source_key),
        )
    conn.execute("DELETE FROM merged_records WHERE id = ?", (record_id,))
    store.mark_not_duplicates(survivor_id, new_id)
    store._caches = None
    return new_id, result.citekey


def _remove_filled(store: Store, survivor_id: int, record_id: int, filled: dict[str, Any]) -> None:
    """Take out of the survivor the fields only this record gave it."""
    conn = store.conn
    row = conn.execute("SELECT csl_json, extra_json FROM articles WHERE id = ?", (survivor_id,)).fetchone()
    item = json.loads(row[0])
    extra = json.loads(row[1]) if row[1] else {}
    others = [
        (json.loads(c), json.loads(e) if e else {})
        for c, e in conn.execute(
            "SELECT csl_json, extra_json FROM merged_records WHERE article_id = ? AND id != ?", (survivor_id, record_id)
        )
    ]
    changed = False
    for key, value in (filled.get("csl") or {}).items():
        if item.get(key) == value and not any(other.get(key) == value for other, _ in others):
            del item[key]
            changed = True
    for fmt, fields in (filled.get("extra") or {}).items():
        for key, value in fields.items():
            if extra.get(fmt, {}).get(key) == value and not any(e.get(fmt, {}).get(key) == value for _, e in others):
                del extra[fmt][key]
                changed = True
        if fmt in extra and not extra[fmt]:
            del extra[fmt]
    if changed:
        store.replace_item(survivor_id, item, extra)


def _move_back(store: Store, survivor_id: int, new_id: int, moved: dict[str, Any]) -> None:
    """Undo what `kb merge` moved: links, citations, notes, sources, older merged records."""
    conn = store.conn
    for table, column, kind in (
        ("article_tags", "tag_id", "tags"),
        ("article_events", "event_id", "events"),
        ("article_organisations", "organisation_id", "organisations"),
    ):
        extra_cols = "" if table == "article_tags" else ", relation, source"
        for entry in moved.get(kind, []):
            row = entry["row"]
            conn.execute(
                f"INSERT OR IGNORE INTO {table} (article_id, {column}{extra_cols}) VALUES (?{', ?' * len(row)})",
                (new_id, *row),
            )
            if entry["added"]:
                where = " AND ".join(f"{c.strip()} = ?" for c in f"{column}{extra_cols}".split(","))
                conn.execute(f"DELETE FROM {table} WHERE article_id = ? AND {where}", (survivor_id, *row))
    for entry in moved.get("cites", []):
        cited, relation, locator, context = entry["row"]
        if cited != new_id:
            conn.execute(
                "INSERT OR IGNORE INTO citations (citing_id, cited_id, relation, locator, context) VALUES (?, ?, ?, ?, ?)",
                (new_id, cited, relation, locator, context),
            )
        if entry["added"]:
            conn.execute(
                "DELETE FROM citations WHERE citing_id = ? AND cited_id = ? AND relation = ?",
                (survivor_id, cited, relation),
            )
    for entry in moved.get("cited_by", []):
        citing, relation, locator, context = entry["row"]
        if citing != new_id:
            conn.execute(
                "INSERT OR IGNORE INTO citations (citing_id, cited_id, relation, locator, context) VALUES (?, ?, ?, ?, ?)",
                (citing, new_id, relation, locator, context),
            )
        if entry["added"]:
            conn.execute(
                "DELETE FROM citations WHERE citing_id = ? AND cited_id = ? AND relation = ?",
                (citing, survivor_id, relation),
            )
    for note_id in moved.get("notes", []):
        conn.execute("UPDATE notes SET article_id = ? WHERE id = ? AND article_id = ?", (new_id, note_id, survivor_id))
    for entry in moved.get("sources", []):
        import_id, source_key = entry["row"]
        conn.execute(
            "INSERT OR IGNORE INTO article_sources (article_id, import_id, source_key) VALUES (?, ?, ?)",
            (new_id, import_id, source_key),
        )
        if entry["added"]:
            conn.execute("DELETE FROM article_sources WHERE article_id = ? AND import_id = ?", (survivor_id, import_id))
    for merged_id in moved.get("merged_records", []):
        conn.execute(
            "UPDATE OR IGNORE merged_records SET article_id = ? WHERE id = ? AND article_id = ?",
            (new_id, merged_id, survivor_id),
        )
    for alias in moved.get("aliases", []):
        conn.execute(
            "UPDATE citekey_aliases SET article_id = ? WHERE alias = ? AND article_id = ?", (new_id, alias, survivor_id)
        )
