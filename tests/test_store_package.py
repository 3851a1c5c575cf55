"""The store package's seams: the typed identity cache, the references table, no import
cycle with kb.dedupe, and a neutral id in what `save` returns (issue 14)."""

import subprocess
import sys

from kb.model import EventRecord, OrganisationRecord, WorkRecord
from kb.store import IdentityCache, SaveResult
from kb.store.references import HANDLERS


def test_an_organisation_is_saved_under_record_id_and_article_id_is_only_an_alias(store):
    with store.transaction():
        result = store.save(OrganisationRecord(name="Centre for Eastern Studies", acronym="OSW"))
    row_id = store.conn.execute("SELECT id FROM organisations WHERE acronym = 'OSW'").fetchone()[0]
    assert (result.outcome, result.record_id, result.citekey) == ("added", row_id, None)
    assert result.article_id == result.record_id
    assert "article_id" not in SaveResult.__dataclass_fields__


def test_the_identity_cache_is_typed_and_knows_the_works_it_saved(store):
    with store.transaction():
        result = store.save(WorkRecord(item={"title": "An impossible dream?", "DOI": "10.1000/abc", "type": "book"}))
        cache = store.caches
        assert isinstance(cache, IdentityCache)
        assert cache.citekey[result.citekey] == result.record_id
        assert cache.indexed  # one work saved: each look-up a query on an indexed column
        assert cache.by_identifier("doi_key")["10.1000/abc"] == result.record_id
        assert "10.1000/other" not in cache.by_identifier("doi_key")
        assert store.find_work("https://doi.org/10.1000/ABC") == result.record_id
        with store.identity_read_whole():  # an import: every identifier read once
            cache = store.caches
            assert not cache.indexed
            assert cache.by_identifier("doi_key") == {"10.1000/abc": result.record_id}
            second = store.save(WorkRecord(item={"title": "A second dream", "DOI": "10.1000/def", "type": "book"}))
            assert cache.by_identifier("doi_key")["10.1000/def"] == second.record_id


def test_every_kind_of_reference_the_store_queues_has_a_handler(store):
    with store.transaction():
        store.save(OrganisationRecord(name="Parent Org"))
        store.save(OrganisationRecord(name="Child Org", parent="Parent Org"))
        store.save(EventRecord(name="Summit 2024", parent="Summit series"))
        store.save(EventRecord(name="Summit series"))
        kinds = {pending.kind for pending in store._pending}
        assert kinds == {"organisation_parent", "event_parent"} and kinds <= set(HANDLERS)
    parents = store.conn.execute(
        "SELECT c.name, p.name FROM organisations c JOIN organisations p ON p.id = c.parent_id"
    ).fetchall()
    assert parents == [("Child Org", "Parent Org")]


def test_kb_dedupe_does_not_import_the_store():
    code = "import sys, kb.dedupe; print('kb.store' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
