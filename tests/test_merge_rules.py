"""Issue 9: merging never loses a distinct work; every merge is visible and reversible.

Each row of the README table "When are two records the same work" has a pair that must
merge and a pair that must not, imported through the CLI into a real SQLite file.
"""

from __future__ import annotations

import json
import sqlite3

import pytest

from kb.identity_rules import CANDIDATE, DIFFERENT, MERGE, Facts, judge, title_numbers


def rows(db_path, sql, params=()):
    return sqlite3.connect(db_path).execute(sql, params).fetchall()


def works(db_path) -> int:
    return rows(db_path, "SELECT count(*) FROM articles")[0][0]


def titles(db_path) -> set[str]:
    return {t for (t,) in rows(db_path, "SELECT title FROM articles")}


@pytest.fixture
def files(tmp_path):
    def write(name, text):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write


@pytest.fixture
def pair(run, db_path, files):
    """Import two records from two files (formats by extension); return the second summary."""

    def load(first: tuple[str, str], second: tuple[str, str]):
        assert run("import", files(*first)).exit_code == 0
        result = run("import", files(*second))
        assert result.exit_code == 0, result.output
        return result.output

    return load


def listed(run) -> str:
    return run("dedupe").output


# -- the minimal cases of the issue --------------------------------------------------


def test_two_misc_entries_sharing_only_a_url_stay_two_works(run, db_path, files):
    url = "url = {https://web.archive.org/web/2019/http://example.org/constitutions}"
    bib = (
        f"@misc{{magna, title = {{Magna Carta}}, author = {{John, King}}, year = 1215, {url}}}\n"
        f"@misc{{ky, title = {{Second Constitution of Kentucky}}, author = {{Kentucky Convention}}, year = 1799, {url}}}\n"
    )
    result = run("import", files("a.bib", bib))
    assert "2 added" in result.output and "0 merged" in result.output, result.output
    assert titles(db_path) == {"Magna Carta", "Second Constitution of Kentucky"}


def test_chapters_of_one_book_sharing_isbn_and_url_are_distinct(pair, db_path):
    common = "booktitle = {The Oxford Handbook of War}, isbn = {978-0-19-956293-0}, url = {https://example.org/handbook}, year = 2012"
    output = pair(
        (
            "a.bib",
            f"@incollection{{c1, title = {{Strategy and war}}, author = {{Strachan, Hew}}, pages = {{1--20}}, {common}}}",
        ),
        (
            "b.bib",
            f"@incollection{{c2, title = {{Strategy and its limits}}, author = {{Gray, Colin}}, pages = {{21--40}}, {common}}}",
        ),
    )
    assert "1 added" in output and works(db_path) == 2


def test_articles_of_different_years_sharing_a_jstor_url_are_distinct(pair, db_path, run):
    url = "url = {https://www.jstor.org/stable/i20042}"
    output = pair(
        (
            "a.bib",
            f"@article{{a, title = {{Deterrence revisited}}, author = {{Jervis, R}}, year = 1973, journal = {{World Politics}}, {url}}}",
        ),
        (
            "b.bib",
            f"@article{{b, title = {{Deterrence revisited}}, author = {{Jervis, R}}, year = 1984, journal = {{World Politics}}, {url}}}",
        ),
    )
    assert "1 added" in output and works(db_path) == 2
    assert "\ta\t" not in listed(run) and "\tb\t" not in listed(run)  # clearly different: not listed


def test_a_book_and_its_chapter_are_distinct(pair, db_path):
    url = "url = {https://example.org/book}"
    output = pair(
        ("a.bib", f"@book{{book, title = {{The Russian way of war}}, author = {{Grau, Lester}}, year = 2016, {url}}}"),
        (
            "b.bib",
            f"@incollection{{chap, title = {{The Russian way of war}}, author = {{Grau, Lester}}, year = 2016, "
            f"booktitle = {{The Russian way of war}}, pages = {{10--30}}, {url}}}",
        ),
    )
    assert "1 added" in output and works(db_path) == 2


def test_part_1_and_part_2_by_the_same_author_and_year_are_distinct(pair, db_path):
    output = pair(
        (
            "a.bib",
            "@article{p1, title = {Russia's new military doctrine, part 1}, author = {Smith, John}, year = 2010}",
        ),
        (
            "b.bib",
            "@article{p2, title = {Russia's new military doctrine, part 2}, author = {Smith, John}, year = 2010}",
        ),
    )
    assert "1 added" in output and works(db_path) == 2


def test_annual_reports_of_different_years_are_distinct(pair, db_path):
    output = pair(
        (
            "a.bib",
            "@report{r19, title = {NATO annual report 2019}, author = {{NATO}}, year = 2020, url = {https://nato.int/report}}",
        ),
        (
            "b.bib",
            "@report{r20, title = {NATO annual report 2020}, author = {{NATO}}, year = 2021, url = {https://nato.int/report}}",
        ),
    )
    assert "1 added" in output and works(db_path) == 2


def test_the_same_bibtex_entry_imported_twice_is_unchanged(run, db_path, files):
    path = files(
        "a.bib",
        "@article{k, title = {The crisis in Georgia}, author = {Smith, John}, year = 2008, url = {https://example.org/x}}",
    )
    run("import", path)
    result = run("import", path)
    assert "0 added, 0 updated, 0 merged as duplicates, 1 unchanged" in result.output
    assert rows(db_path, "SELECT count(*) FROM merged_records") == [(0,)]


def test_the_same_work_from_bibtex_and_ris_with_one_doi_merges_and_keeps_both_records(pair, db_path, run):
    output = pair(
        (
            "a.bib",
            "@article{smith2008, title = {The crisis in Georgia}, author = {Smith, John}, year = 2008, doi = {10.1000/xyz}}",
        ),
        (
            "b.ris",
            "TY  - JOUR\nAU  - Smith, John\nTI  - The Crisis in Georgia\nPY  - 2008\nDO  - 10.1000/XYZ\nVL  - 50\nER  - \n",
        ),
    )
    assert "1 merged as duplicates" in output and "duplicate of smith2008 (same DOI)" in output, output
    assert works(db_path) == 1
    kept = rows(db_path, "SELECT reason, csl_json, filled_json FROM merged_records")
    assert len(kept) == 1 and kept[0][0] == "same DOI"
    assert json.loads(kept[0][1])["volume"] == "50" and json.loads(kept[0][2])["csl"] == {"volume": "50"}


# -- each row of the table: a pair that merges, a pair that does not ---------------------


def test_row_doi_different_titles_is_a_candidate_listed_by_dedupe(pair, db_path, run):
    output = pair(
        (
            "a.bib",
            "@article{a, title = {Russia and the West after Georgia}, author = {Smith, J}, year = 2000, doi = {10.1000/abc}}",
        ),
        ("b.ris", "TY  - JOUR\nTI  - Russia and the East after Georgia\nPY  - 2000\nDO  - 10.1000/abc\nER  - \n"),
    )
    assert "1 added" in output and "may be a (same DOI but different titles)" in output, output
    assert works(db_path) == 2
    assert "same DOI but different titles" in listed(run)
    # Unrelated titles with one DOI (chapters carrying their book's DOI): different, not listed.
    run(
        "import",
        _write(
            db_path,
            "c.ris",
            "TY  - JOUR\nTI  - Completely different words here\nPY  - 2000\nDO  - 10.1000/abc\nER  - \n",
        ),
    )
    assert works(db_path) == 3 and "Completely" not in listed(run)


def test_row_doi_with_a_shortened_title_merges(pair, db_path):
    output = pair(
        (
            "a.bib",
            "@article{a, title = {NATO and Russia after the Lisbon Summit: a reset that held}, year = 2011, doi = {10.1000/abc}}",
        ),
        ("b.ris", "TY  - JOUR\nTI  - NATO & Russia after Lisbon\nDO  - 10.1000/ABC\nER  - \n"),
    )
    assert "duplicate of a (same DOI)" in output, output
    assert works(db_path) == 1


def test_row_doi_with_a_contradiction_is_a_candidate(pair, db_path, run):
    pair(
        ("a.bib", "@article{a, title = {First title}, author = {Smith, J}, year = 2000, doi = {10.1000/abc}}"),
        ("b.bib", "@article{b, title = {First title}, author = {Smith, J}, year = 2010, doi = {10.1000/abc}}"),
    )
    assert works(db_path) == 2 and "same DOI but years 2000 and 2010" in listed(run)


def test_row_doi_with_a_contradiction_and_other_titles_is_different(pair, db_path, run):
    """jgrey_main_all.bib: chapters that carry their book's DOI."""
    doi = "doi = {10.1007/978-3-540-00000-0}, booktitle = {Agents}, year = 2003"
    pair(
        ("a.bib", f"@incollection{{c1, title = {{Agent societies}}, author = {{Ann, A}}, pages = {{1--10}}, {doi}}}"),
        (
            "b.bib",
            f"@incollection{{c2, title = {{Negotiation protocols}}, author = {{Bob, B}}, pages = {{11--30}}, {doi}}}",
        ),
    )
    assert works(db_path) == 2 and "0 likely duplicate pairs" in listed(run)


def test_row_url_same_title_merges_different_title_is_a_candidate(pair, db_path, run):
    output = pair(
        (
            "a.bib",
            "@online{a, title = {An impossible dream?}, author = {Kulhanek, J}, year = 2010, url = {https://e.org/p}}",
        ),
        ("b.ris", "TY  - ELEC\nTI  - An impossible dream\nPY  - 2010\nUR  - http://www.e.org/p/\nER  - \n"),
    )
    assert "same URL and title" in output and works(db_path) == 1
    run(
        "import",
        _write(
            db_path, "c.ris", "TY  - ELEC\nTI  - An impossible NATO dream\nPY  - 2010\nUR  - https://e.org/p\nER  - \n"
        ),
    )
    assert works(db_path) == 2 and "same URL but different titles" in listed(run)
    # Unrelated titles under one URL (a site's address): different works, not listed.
    run(
        "import",
        _write(
            db_path, "d.ris", "TY  - ELEC\nTI  - A very different headline\nPY  - 2010\nUR  - https://e.org/p\nER  - \n"
        ),
    )
    assert works(db_path) == 3 and "headline" not in listed(run)


def _write(db_path, name, text):
    path = db_path.parent / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_row_url_with_different_volumes_is_different(pair, db_path):
    output = pair(
        (
            "a.bib",
            "@book{v2, title = {Collected works}, author = {Clausewitz, Carl}, volume = 2, year = 1990, url = {https://e.org/cw}}",
        ),
        (
            "b.bib",
            "@book{v3, title = {Collected works}, author = {Clausewitz, Carl}, volume = 3, year = 1990, url = {https://e.org/cw}}",
        ),
    )
    assert "1 added" in output and works(db_path) == 2


def test_row_isbn_same_book_merges_other_edition_does_not(pair, db_path, run):
    output = pair(
        ("a.bib", "@book{b1, title = {On war}, author = {Clausewitz, Carl}, year = 1989, isbn = {0-691-01854-5}}"),
        ("b.ris", "TY  - BOOK\nTI  - On War\nPY  - 1989\nSN  - 9780691018546\nER  - \n"),
    )
    assert "duplicate of b1 (same ISBN and title)" in output and works(db_path) == 1
    run(
        "import",
        _write(
            db_path,
            "c.bib",
            "@book{b2, title = {On war}, author = {Clausewitz, Carl}, year = 1989, edition = {2}, "
            "isbn = {0-691-01854-5}}\n@book{b3, title = {On war}, author = {Clausewitz, Carl}, year = 1989, "
            "edition = {3}, isbn = {0-691-01854-5}}",
        ),
    )
    # b2 fills b1 (b1 has no edition: nothing contradicts), then b3's edition contradicts b1's
    assert rows(db_path, "SELECT citekey, json_extract(csl_json, '$.edition') FROM articles ORDER BY id") == [
        ("b1", "2"),
        ("b3", "3"),
    ]


def test_row_citekey_same_title_merges_other_title_does_not(pair, db_path):
    pair(
        ("a.bib", "@article{k, title = {The crisis in Georgia}, author = {Smith, John}, year = 2008}"),
        ("b.bib", "@article{k, title = {The Crisis in Georgia.}, author = {Smith, John}, year = 2008, volume = 50}"),
    )
    assert works(db_path) == 1
    pair(
        ("c.bib", "@article{k2, title = {Alpha}, author = {Doe, Jane}, year = 2001}"),
        ("d.bib", "@article{k2, title = {Something else}, author = {Roe, Ann}, year = 2001}"),
    )
    assert works(db_path) == 3


def test_row_fuzzy_title_author_year_merges_unless_the_containers_differ(pair, db_path):
    pair(
        (
            "a.bib",
            "@article{a, title = {The Crisis in {G}eorgia}, author = {Smith, John}, year = 2008, journal = {Survival}}",
        ),
        ("b.ris", "TY  - JOUR\nAU  - Smith, John\nTI  - The crisis in Georgia.\nPY  - 2009\nJO  - Survival\nER  - \n"),
    )
    assert works(db_path) == 1
    pair(
        ("c.bib", "@article{c, title = {Editorial}, author = {Board, Editorial}, year = 2008, journal = {Survival}}"),
        (
            "d.bib",
            "@article{d, title = {Editorial}, author = {Board, Editorial}, year = 2008, journal = {International Affairs}}",
        ),
    )
    assert works(db_path) == 3


def test_journal_abbreviations_agree_with_the_full_name():
    a = Facts("article-journal", "deterrence", 2000, "journal of strategic studies", None, {})
    b = Facts("article-journal", "deterrence", 2000, "j strateg stud", None, {})
    assert judge(a, b, "DOI").kind == MERGE


def test_the_verdicts_of_the_table_directly():
    base = Facts("article-journal", "russia s new military doctrine part ii", 2010, None, None, {})
    other = Facts("article-journal", "russia s new military doctrine part iii", 2010, None, None, {})
    assert title_numbers(base.title) == frozenset({2})
    assert judge(base, other, "title, first author and year").kind == DIFFERENT
    assert judge(base, other, "DOI").kind == CANDIDATE
    assert judge(base, base, "URL").kind == MERGE


# -- kb add ---------------------------------------------------------------------------


def test_kb_add_lands_part_2_and_refuses_a_real_duplicate_with_what_matched(run, db_path):
    args = ["--author", "John Smith", "--date", "2010", "--type", "article-journal"]
    assert run("add", "--title", "Russia's new military doctrine, part 1", *args).exit_code == 0
    assert run("add", "--title", "Russia's new military doctrine, part 2", *args).exit_code == 0
    refused = run("add", "--title", "Russia's new military doctrine, part 2", *args)
    assert refused.exit_code == 1
    assert (
        "already in the knowledge base as smithRussiasNewMilitary2010a (same title, first author and year"
        in refused.output
    )
    assert "--force" in refused.output and "--not-duplicate-of" in refused.output
    assert works(db_path) == 2
    forced = run("add", "--title", "Russia's new military doctrine, part 2", *args, "--force")
    assert forced.exit_code == 0 and works(db_path) == 3
    insisted = run(
        "add",
        "--title",
        "Russia's new military doctrine, part 2",
        *args,
        "--not-duplicate-of",
        "smithRussiasNewMilitary2010a",
    )
    assert insisted.exit_code == 0 and works(db_path) == 4
    assert rows(db_path, "SELECT count(*) FROM not_duplicates") == [(1,)]
    unknown = run("add", "--title", "X", "--not-duplicate-of", "nosuchkey")
    assert unknown.exit_code == 1 and "nosuchkey" in unknown.output and works(db_path) == 4


# -- kb's own YAML: its citekey is the work ---------------------------------------------


def test_reimporting_an_edited_yaml_export_updates_the_work(run, db_path, tmp_path):
    assert (
        run(
            "add", "--title", "Earlier version", "--author", "Jo Bloggs", "--date", "2001", "--key", "earlierVersion"
        ).exit_code
        == 0
    )
    exported = tmp_path / "w.yaml"
    assert run("export", "--key", "earlierVersion", "--format", "yaml", "--output", str(exported)).exit_code == 0
    exported.write_text(
        exported.read_text().replace("title: Earlier version", "title: A wholly retitled work"), encoding="utf-8"
    )
    result = run("import", str(exported))
    assert "1 updated" in result.output, result.output
    assert rows(db_path, "SELECT citekey, title FROM articles") == [("earlierVersion", "A wholly retitled work")]


# -- visible: every merge named, long lists in a report file ------------------------------


def test_every_merge_is_named_and_a_long_list_goes_to_a_report_file(run, db_path, files):
    bib = "".join(
        f"@article{{k{i}, title = {{Work number {chr(97 + i % 26)}{i // 26} of many}}, author = {{Smith, J}}, year = 2000, "
        f"doi = {{10.1000/w{i}}}}}\n"
        for i in range(30)
    )
    run("import", files("a.bib", bib))
    ris = "".join(
        f"TY  - JOUR\nTI  - Work number {chr(97 + i % 26)}{i // 26} of many\nPY  - 2000\nDO  - 10.1000/w{i}\nVL  - 9\nER  - \n"
        for i in range(30)
    )
    result = run("import", files("b.ris", ris))
    assert "30 merged as duplicates" in result.output and "more duplicates" not in result.output
    report = db_path.with_name("kb.db.import-2-merges.tsv")
    assert f"with reasons: {report}" in result.output and "kb merges --import 2" in result.output
    lines = report.read_text().splitlines()
    assert len(lines) == 31 and all("same DOI" in line for line in lines[1:])
    assert len(run("merges", "--import", "2").output.strip().splitlines()) == 31  # 30 rows and the count


# -- reversible: kb unmerge, kb merge ---------------------------------------------------------


def test_unmerge_gives_an_imported_record_back_and_a_reimport_keeps_it_apart(run, db_path, files):
    run(
        "import",
        files(
            "a.bib",
            "@article{smith2008, title = {The crisis in Georgia}, author = {Smith, John}, year = 2008, doi = {10.1000/x}}",
        ),
    )
    ris = files(
        "b.ris",
        "TY  - JOUR\nID  - risrec\nAU  - Smith, John\nTI  - The Crisis in Georgia\nPY  - 2008\nDO  - 10.1000/x\n"
        "VL  - 50\nKW  - from-ris\nER  - \n",
    )
    run("import", ris)
    assert works(db_path) == 1 and rows(db_path, "SELECT volume FROM articles") == [("50",)]
    listing = run("unmerge", "smith2008")
    assert "risrec" in listing.output and "same DOI" in listing.output
    result = run("unmerge", "smith2008", "risrec")
    assert result.exit_code == 0 and result.output.strip().splitlines()[-1] == "risrec"
    assert rows(db_path, "SELECT citekey, volume FROM articles ORDER BY id") == [("smith2008", None), ("risrec", "50")]
    tags = rows(
        db_path,
        "SELECT a.citekey, t.name FROM article_tags x JOIN tags t ON t.id = x.tag_id JOIN articles a ON a.id = x.article_id",
    )
    assert tags == [("risrec", "from-ris")]
    again = run("import", ris)
    assert "0 added" in again.output and "0 merged" in again.output and works(db_path) == 2, again.output
    bad = run("unmerge", "smith2008", "nothing")
    assert bad.exit_code == 1 and "no merged record 'nothing'" in bad.output


def test_kb_merge_moves_everything_and_unmerge_splits_again(run, db_path, files):
    run(
        "import",
        files(
            "a.bib",
            "@article{keep, title = {Keep me}, author = {Smith, J}, year = 2000}\n"
            "@article{other, title = {Other work}, author = {Doe, J}, year = 2001, volume = 7, keywords = {tagged}}\n"
            "@article{citer, title = {Citing work}, author = {Roe, A}, year = 2005}\n",
        ),
    )
    run("add-org", "NATO")
    sample_link = run("link", "other", "--org", "NATO")
    assert sample_link.exit_code == 0, sample_link.output
    run("note", "other", "A note on the other work")
    before = rows(db_path, "SELECT citekey, csl_json FROM articles ORDER BY id")
    result = run("merge", "keep", "other")
    assert result.exit_code == 0 and "other merged into keep" in result.output, result.output
    assert rows(db_path, "SELECT citekey, volume FROM articles ORDER BY id") == [("keep", "7"), ("citer", None)]
    assert rows(
        db_path, "SELECT count(*) FROM notes n JOIN articles a ON a.id = n.article_id WHERE a.citekey = 'keep'"
    ) == [(1,)]
    assert rows(db_path, "SELECT count(*) FROM article_organisations") == [(1,)]
    exported = run("export", "--key", "other", "--format", "bibtex")
    assert exported.exit_code == 0 and "@article{keep," in exported.output
    assert run("merge", "keep", "keep").exit_code == 1
    unknown = run("merge", "keep", "nosuch")
    assert unknown.exit_code == 1 and "nosuch" in unknown.output and len(unknown.output.strip().splitlines()) == 1
    assert run("unmerge", "keep", "other").exit_code == 0
    assert rows(db_path, "SELECT citekey, csl_json FROM articles ORDER BY citekey") == sorted(before)
    links = rows(db_path, "SELECT a.citekey FROM article_organisations x JOIN articles a ON a.id = x.article_id")
    assert links == [("other",)]
    assert rows(db_path, "SELECT a.citekey FROM notes n JOIN articles a ON a.id = n.article_id") == [("other",)]
    assert rows(db_path, "SELECT count(*) FROM citekey_aliases") == [(0,)]


def test_row_url_titles_that_differ_in_a_word_are_not_merged(pair, db_path, run):
    """jgrey_main_all.bib: two catalogues sharing a URL, 93% alike, differ in "day"."""
    url = "url = {https://archive.org/details/catalog}"
    output = pair(
        (
            "a.bib",
            f"@book{{day, title = {{Illustrated Catalog of Day Light Bomb Shells}}, author = {{Unge, W}}, year = 1890, {url}}}",
        ),
        (
            "b.bib",
            f"@book{{night, title = {{Illustrated Catalog of Night Bomb Shells}}, author = {{Unge, W}}, year = 1890, {url}}}",
        ),
    )
    assert "1 added" in output and works(db_path) == 2
    assert "night" in listed(run) and "same URL but different titles" in listed(run)


def test_ordinal_words_in_other_languages_tell_works_apart(pair, db_path):
    """The Zotero library: the eighth and ninth meeting of one series, same editor and year."""
    output = pair(
        (
            "a.bib",
            "@proceedings{m8, title = {Atti del Convegno Ottavo Incontro di Studi sul Lazio e la Sabina}, "
            "editor = {Ghini, G}, year = 2012}",
        ),
        (
            "b.bib",
            "@proceedings{m9, title = {Atti del Convegno Nono Incontro di Studi sul Lazio e la Sabina}, editor = {Ghini, G}, year = 2013}",
        ),
    )
    assert "1 added" in output and works(db_path) == 2


def test_kb_add_says_when_a_work_may_be_one_it_has(run, db_path):
    assert run("add", "--title", "One thing", "--doi", "10.1000/one").exit_code == 0
    result = run("add", "--title", "Two things", "--doi", "10.1000/one")
    assert result.exit_code == 0 and "may be" in result.output and "same DOI but different titles" in result.output
    assert works(db_path) == 2


def test_a_yaml_record_with_a_taken_citekey_for_another_work_is_not_that_work(run, db_path, tmp_path):
    """Another kb's citekey in kb YAML: title, first author and year all differ -> a new work."""
    assert (
        run("add", "--title", "Mine", "--author", "Jo Bloggs", "--date", "2001", "--key", "shared2001").exit_code == 0
    )
    other = tmp_path / "other.yaml"
    other.write_text(
        "- kind: work\n  citekey: shared2001\n  type: book\n  title: Somebody else's book\n"
        "  author:\n  - family: Else\n    given: Some\n  issued: '1990'\n",
        encoding="utf-8",
    )
    result = run("import", str(other))
    assert "1 added" in result.output, result.output
    assert rows(db_path, "SELECT title FROM articles WHERE citekey = 'shared2001'") == [("Mine",)]


def test_reimporting_the_file_of_a_work_merged_by_hand_changes_nothing(run, db_path, files):
    path = files(
        "a.bib",
        "@article{keep, title = {Keep me}, author = {Smith, J}, year = 2000}\n"
        "@article{other, title = {Quite another title}, author = {Doe, J}, year = 2001}\n",
    )
    run("import", path)
    assert run("merge", "keep", "other").exit_code == 0
    again = run("import", path)
    assert "0 added" in again.output and works(db_path) == 1, again.output


def test_a_record_without_a_key_given_back_is_not_merged_again_by_a_reimport(run, db_path, files):
    run(
        "import",
        files(
            "a.bib",
            "@article{smith2008, title = {The crisis in Georgia}, author = {Smith, John}, year = 2008, doi = {10.1000/x}}",
        ),
    )
    ris = files(
        "b.ris",
        "TY  - JOUR\nAU  - Smith, John\nTI  - The Crisis in Georgia\nPY  - 2008\nDO  - 10.1000/x\nVL  - 50\nER  - \n",
    )
    run("import", ris)
    number = rows(db_path, "SELECT id FROM merged_records")[0][0]
    assert run("unmerge", "smith2008", str(number)).exit_code == 0
    before = rows(db_path, "SELECT id, citekey, csl_json FROM articles ORDER BY id")
    again = run("import", ris)
    assert "0 added" in again.output and "0 merged" in again.output, again.output
    assert rows(db_path, "SELECT id, citekey, csl_json FROM articles ORDER BY id") == before
    assert rows(db_path, "SELECT count(*) FROM merged_records") == [(0,)]


def test_a_dry_run_names_every_merge_and_writes_no_file(run, db_path, files):
    bib = "".join(
        f"@article{{k{i}, title = {{Distinct work {i} on its own}}, author = {{Smith, J}}, year = 2000, doi = {{10.1000/w{i}}}}}\n"
        for i in range(25)
    )
    run("import", files("a.bib", bib))
    ris = "".join(
        f"TY  - JOUR\nTI  - Distinct work {i} on its own\nPY  - 2000\nDO  - 10.1000/w{i}\nVL  - 9\nER  - \n"
        for i in range(25)
    )
    result = run("import", files("b.ris", ris), "--dry-run")
    assert result.output.count("(same DOI)") == 25
    assert not list(db_path.parent.glob("*.tsv")) and works(db_path) == 25
