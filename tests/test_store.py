"""Identity rules and the one-transaction writer, on real SQLite files."""

import pytest

from kb.errors import KbError
from kb.model import CitationRef, EventRecord, Link, OrganisationRecord, WorkRecord


def work(title="An impossible dream?", **item):
    base = {
        "type": "post-weblog",
        "title": title,
        "author": [{"family": "Kulhanek", "given": "Jakub"}],
        "issued": {"date-parts": [[2010]]},
    }
    base.update(item)
    return WorkRecord(item=base)


def count(store, table):
    return store.db.execute(f"select count(*) from {table}").fetchone()[0]


def test_new_work_gets_a_better_bibtex_key_and_columns(store):
    with store.transaction():
        result = store.save_work(work())
    assert (result.outcome, result.citekey) == ("added", "kulhanekImpossibleDream2010")
    row = store.db.execute("select type, title, year, issued_start, added_by from articles").fetchone()
    assert row == ("post-weblog", "An impossible dream?", 2010, "2010-01-01", "tester")


def test_same_doi_is_the_same_work_and_fields_merge(store):
    with store.transaction():
        store.save_work(work(DOI="10.1000/ABC"))
        # issue 9: the titles must agree (a wholly different title with the same DOI is only a candidate)
        result = store.save_work(
            work("An Impossible Dream: a different rendering", DOI="https://doi.org/10.1000/abc", volume="7")
        )
    assert result.outcome == "merged" and result.duplicate_of == "kulhanekImpossibleDream2010"
    assert count(store, "articles") == 1
    assert store.db.execute("select volume, title from articles").fetchone() == ("7", "An impossible dream?")


def test_same_url_after_normalisation_is_the_same_work(store):
    with store.transaction():
        store.save_work(work(URL="https://www.example.org/post/?utm_source=feed"))
        result = store.save_work(
            work("An impossible dream", URL="http://example.org/post")
        )  # issue 9: titles must agree
    assert (result.outcome, result.duplicate_of) == ("unchanged", "kulhanekImpossibleDream2010")
    assert count(store, "articles") == 1


def test_isbn_identifies_books_but_not_chapters(store):
    with store.transaction():
        store.save_work(work("Book one", type="book", ISBN="0-306-40615-2"))
        # issue 9: the same ISBN with agreeing titles ("Book again" would now be a candidate only)
        assert store.save_work(work("Book One", type="book", ISBN="9780306406157", volume="2")).outcome == "merged"
        assert store.save_work(work("Chapter one", type="chapter", ISBN="9780306406157")).outcome == "added"
        assert store.save_work(work("Chapter two", type="chapter", ISBN="9780306406157")).outcome == "added"


def test_saving_the_same_record_twice_changes_nothing(store):
    with store.transaction():
        store.save_work(work(DOI="10.1/x", id="kd2010"))
    before = store.db.execute("select * from articles").fetchall()
    with store.transaction():
        result = store.save_work(work(DOI="10.1/x", id="kd2010"))
    assert result.outcome == "unchanged"
    assert store.db.execute("select * from articles").fetchall() == before


def test_a_reused_citekey_for_another_work_gets_a_new_key(store):
    first, second = work("First work"), work("Completely different")
    first.item["id"] = second.item["id"] = "smith2010"
    with store.transaction():
        store.save_work(first)
        result = store.save_work(second)
    assert (result.outcome, result.citekey) == ("added", "smith2010a")


def test_on_duplicate_skip_and_keep_both(store):
    with store.transaction():
        store.save_work(work(DOI="10.1/x"))
        skipped = store.save_work(work(DOI="10.1/x"), on_duplicate="skip")
        kept = store.save_work(work(DOI="10.1/x"), on_duplicate="keep-both")
    assert skipped.outcome == "skipped" and skipped.duplicate_of == "kulhanekImpossibleDream2010"
    assert kept.outcome == "added" and kept.citekey == "kulhanekImpossibleDream2010a"


def test_organisations_match_by_name_acronym_or_alias(store):
    with store.transaction():
        store.save_organisation(
            OrganisationRecord("North Atlantic Treaty Organization", acronym="NATO", aliases=["the Alliance"])
        )
        assert store.save_organisation(OrganisationRecord("nato", country="BE"))[0] == "updated"
        assert store.find_organisation("The Alliance") == store.find_organisation("NATO")
    assert count(store, "organisations") == 1
    assert store.db.execute("select country from organisations").fetchone() == ("BE",)


def test_an_alias_cannot_name_two_records(store):
    with pytest.raises(KbError, match="already names"):
        with store.transaction():
            store.save_organisation(OrganisationRecord("Russia", aliases=["Moscow"]))
            store.save_organisation(OrganisationRecord("City of Moscow", aliases=["Moscow"]))
    assert count(store, "organisations") == 0  # the whole command rolled back


def test_links_and_citations_resolve_at_the_end_of_the_command(store):
    citing = work("Citing", cites=None)
    citing.cites = [CitationRef("earlier", "revises")]
    citing.events = [Link("Lisbon Summit")]
    earlier = work("Earlier")
    earlier.item["id"] = "earlier"
    with store.transaction():
        store.save_work(citing)  # names records saved later in the same command
        store.save_work(earlier)
        store.save_event(EventRecord("2010 NATO Lisbon Summit", date="19-20 November 2010", aliases=["Lisbon Summit"]))
    assert store.db.execute("select relation from citations").fetchall() == [("revises",)]
    assert count(store, "article_events") == 1
    event = store.db.execute("select date, date_edtf, date_precision, start_date, end_date from events").fetchone()
    assert event == ("19-20 November 2010", "2010-11-19/2010-11-20", "day", "2010-11-19", "2010-11-20")


def test_a_missing_link_target_fails_the_whole_command(store):
    record = work()
    record.organisations = [Link("Nowhere Institute")]
    with pytest.raises(KbError, match="no organisation 'Nowhere Institute'"):
        with store.transaction():
            store.save_work(record)
    assert count(store, "articles") == 0


def test_a_work_cannot_cite_itself(store):
    with store.transaction():
        article_id = store.save_work(work()).article_id
    with pytest.raises(KbError, match="cannot cite itself"):
        with store.transaction():
            store.cite(article_id, article_id)


def test_parent_cycles_are_refused(store):
    with pytest.raises(KbError, match="cycle"):
        with store.transaction():
            store.save_organisation(OrganisationRecord("A", parent="B"))
            store.save_organisation(OrganisationRecord("B", parent="A"))


def test_full_text_index_follows_titles_and_notes(store):
    from kb.model import NoteRecord

    record = work()
    record.notes = [NoteRecord(comment="missile defence scepticism")]
    with store.transaction():
        store.save_work(record)
    hits = store.db.execute("select rowid from articles_fts where articles_fts match 'scepticism'").fetchall()
    assert hits == [(1,)]
    assert store.db.execute("select rowid from articles_fts where articles_fts match 'impossible'").fetchall() == [(1,)]


def test_a_citation_follows_a_renamed_key_even_when_the_cited_record_comes_later(store):
    with store.transaction():
        store.save_work(work("Taken key", id="smith2010"))
    citing = work("Citing work", id="citing2011")
    citing.cites = [CitationRef("smith2010", "revises")]
    cited = work("Cited work", id="smith2010")  # same key, another work: it gets smith2010a
    with store.transaction():
        store.save_work(citing)
        result = store.save_work(cited)
    assert result.citekey == "smith2010a"
    assert store.db.execute("select b.citekey from citations join articles b on b.id = cited_id").fetchall() == [
        ("smith2010a",)
    ]
