"""BibTeX/BibLaTeX importer: LaTeX, names, macros, crossref, dates, tags, extra fields."""

from __future__ import annotations

import json

from kb.importers import bibtex
from kb.model import Invalid, WorkRecord


def works(text: str) -> list[WorkRecord]:
    records = list(bibtex.parse(text, "refs.bib"))
    assert all(isinstance(r, WorkRecord) for r in records), records
    return records


def one(text: str) -> WorkRecord:
    (record,) = works(text)
    return record


def test_latex_accents_in_all_spellings_become_unicode():
    record = one(r"""@article{k, title = {{\"U}ber \"uber \"{u}ber \'{e}t\'e Caf{\'e} na\"{\i}ve {\v{C}}ech R\&D, 1990--2000 --- a~b},
        journal = {J}, year = 2000}""")
    assert record.item["title"] == "Über über über été Café naïve Čech R&D, 1990–2000 — a b"


def test_math_is_kept_and_grouping_braces_dropped():
    record = one(r"@article{k, title = {The $x^2$ law of {B}ayesian {NATO} \emph{policy}}, year = 2000}")
    assert record.item["title"] == "The $x^2$ law of Bayesian NATO policy"


def test_plain_values_pass_through_unchanged():
    record = one("@article{k, title = {A plain title: with colon}, year = 2000}")
    assert record.item["title"] == "A plain title: with colon"


def test_names_with_particles_suffixes_and_corporate_authors():
    record = one(r"""@book{k, title = {T}, year = 2001,
        author = {van der Berg, Jan and Smith, Jr., John and Ludwig van Beethoven and {{North Atlantic Treaty Organization}}
                  and M{\"u}ller, J{\"o}rg and E L Thorndike and others}}""")
    assert record.item["author"] == [
        {"family": "Berg", "non-dropping-particle": "van der", "given": "Jan"},
        {"family": "Smith", "suffix": "Jr.", "given": "John"},
        {"family": "Beethoven", "given": "Ludwig", "non-dropping-particle": "van"},
        {"literal": "North Atlantic Treaty Organization"},
        {"family": "Müller", "given": "Jörg"},
        {"family": "Thorndike", "given": "E L"},
    ]


def test_string_macros_concatenation_and_month_macros():
    record = one("""@string{nato = "North Atlantic" # " Treaty Organization"}
        @STRING{pub = {Oxford University Press}}
        @preamble{"\\newcommand{\\noop}[1]{}"}
        @comment{this is ignored, even with an @ sign}
        @book{k, title = "Report of the " # nato, publisher = pub, year = 2010, month = nov}""")
    assert record.item["title"] == "Report of the North Atlantic Treaty Organization"
    assert record.item["publisher"] == "Oxford University Press"
    assert record.item["issued"] == {"date-parts": [[2010, 11]]}


def test_crossref_and_xdata_inheritance():
    records = works("""@xdata{pubinfo, publisher = {Routledge}, location = {London}}
        @book{parent, title = {The Big Book}, editor = {Jones, Ann}, year = 2005, xdata = {pubinfo}}
        @incollection{child, title = {A Chapter}, author = {Smith, Bob}, crossref = {parent}, pages = {1--20}}""")
    parent, child = records
    assert parent.item["publisher"] == "Routledge" and parent.item["publisher-place"] == "London"
    assert child.item["type"] == "chapter"
    assert child.item["container-title"] == "The Big Book"
    assert child.item["title"] == "A Chapter"
    assert child.item["editor"] == [{"family": "Jones", "given": "Ann"}]
    assert child.item["issued"] == {"date-parts": [[2005]]}
    assert child.item["page"] == "1-20"
    assert child.extra["bibtex"]["crossref"] == "parent"


def test_biblatex_dates_ranges_partial_and_urldate():
    a, b, c = (
        works("""@online{a, title = {A}, date = {2010-11-19/2010-11-20}, urldate = {2020-01-02}, url = {https://x.org/a\\_b}}
        @report{b, title = {B}, date = {2008-08}}
        @misc{c, title = {C}, year = {forthcoming}}""")
    )
    assert a.item["issued"] == {"date-parts": [[2010, 11, 19], [2010, 11, 20]]}
    assert a.item["accessed"] == {"date-parts": [[2020, 1, 2]]}
    assert a.item["URL"] == "https://x.org/a_b" and a.item["type"] == "webpage"
    assert b.item["issued"] == {"date-parts": [[2008, 8]]} and b.item["type"] == "report"
    assert c.item["issued"] == {"literal": "forthcoming"}


def test_keywords_and_tags_become_tags_and_unknown_fields_are_kept():
    record = one(r"""@article{Key2000, title = {T}, year = 2000, keywords = {nato, russia; georgia}, tags = {war},
        doi = {10.1000/ABC}, eprint = {2001.01234}, eprinttype = {arxiv}, file = {a.pdf}, journaltitle = {Survival},
        number = {3}, langid = {english}}""")
    assert record.tags == ["nato", "russia", "georgia", "war"]
    assert record.item["DOI"] == "10.1000/ABC" and record.item["container-title"] == "Survival"
    assert record.item["issue"] == "3" and record.item["language"] == "english"
    assert record.item["id"] == "Key2000"
    assert record.extra["bibtex"] == {
        "ENTRYTYPE": "article",
        "file": "a.pdf",
        "eprint": "2001.01234",
        "eprinttype": "arxiv",
    }
    assert record.item["URL"] == "https://arxiv.org/abs/2001.01234"


def test_entry_types_map_to_csl_types():
    text = "\n".join(
        f"@{t}{{k{i}, title = {{T{i}}}, year = 2000}}"
        for i, t in enumerate(
            ["article", "inproceedings", "phdthesis", "techreport", "misc", "unpublished", "weirdtype"]
        )
    )
    types = [r.item["type"] for r in works(text)]
    assert types == ["article-journal", "paper-conference", "thesis", "report", "document", "manuscript", "document"]


def test_unbalanced_braces_yield_an_invalid_record_with_its_line():
    records = list(
        bibtex.parse(
            "@article{ok, title = {Fine}, year = 2000}\n\n@article{bad, title = {Broken, year = 2000\n", "r.bib"
        )
    )
    assert isinstance(records[0], WorkRecord)
    assert isinstance(records[1], Invalid) and records[1].origin == "r.bib:3"


def test_unreadable_year_is_kept_as_written_and_flagged():
    (record,) = list(bibtex.parse("@article{k, title = {T}, year = {sometime}}", "r.bib"))
    assert isinstance(record, WorkRecord) and record.origin == "r.bib:1"
    assert record.item["issued"] == {"literal": "sometime"} and record.needs_review
    assert [w.kind for w in record.warnings] == ["date"] and "sometime" in record.warnings[0].message


def test_import_keeps_extra_fields_in_the_database(run, db_path, tmp_path):
    path = tmp_path / "a.bib"
    path.write_text("@article{k2000, title = {T}, year = 2000, file = {a.pdf}}", encoding="utf-8")
    assert run("import", str(path)).exit_code == 0
    import sqlite3

    extra = sqlite3.connect(db_path).execute("SELECT extra_json FROM articles WHERE citekey = 'k2000'").fetchone()[0]
    assert json.loads(extra) == {"bibtex": {"ENTRYTYPE": "article", "file": "a.pdf"}}


def test_an_entry_with_a_repeated_field_is_imported_not_a_traceback():
    """bibtexparser wraps such an entry in a DuplicateFieldKeyBlock; the entry is its ignore_error_block."""
    records = works(
        "@article{ok, title = {Fine}, year = 2000}\n\n@article{df,\n  title = {One},\n  title = {Two},\n  year = 2001}\n"
    )
    assert [(r.item["id"], r.item["issued"]) for r in records] == [
        ("ok", {"date-parts": [[2000]]}),
        ("df", {"date-parts": [[2001]]}),
    ]


def test_an_empty_subtitle_adds_nothing_to_the_title():
    # jgrey's corpus: `subtitle = {}` made "...Development: ", which drifted on re-import.
    work = one("@article{k1, title = {An Efficiency Comparison}, subtitle = {}, year = 2014}")
    assert work.item["title"] == "An Efficiency Comparison"
    work = one("@article{k2, title = {Main}, subtitle = {Sub}, year = 2014}")
    assert work.item["title"] == "Main: Sub"
    chapter = one("@incollection{k3, title = {C}, booktitle = {Book}, booksubtitle = { }, year = 2014}")
    assert chapter.item["container-title"] == "Book"
