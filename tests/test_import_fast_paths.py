"""An import through the fast paths (splitter, LaTeX, dates, URLs) lands what the slow ones would."""

from __future__ import annotations

import pytest

from kb.importers import bibtex
from kb.importing import import_files

BIB = r"""@string{pub = {Oxford {U}niversity Press}}
@article{mueller2010,
  author = {M{\"u}ller, J{\"o}rg and {North Atlantic Treaty Organization}},
  title = {{NATO}'s {\v{C}}ech \'{E}tudes --- scepticism},
  journal = {Survival}, year = 2010, month = aug,
  url = {https://www.Example.org/a/},
}
@book{later, title = {Later}, publisher = pub, crossref = {parent}}
@book{parent, title = {Parent Volume}, year = 2001}
@article{broken, title = {One {brace too many}, year = 2000}
@misc{after, title = "After the broken one", year = 2003}
"""


def test_a_bibtex_import_is_searchable_and_complete(store, tmp_path):
    path = tmp_path / "refs.bib"
    path.write_text(BIB, encoding="utf-8")
    (report,) = import_files(store, [path], skip_invalid=True)
    assert (report.counts.added, report.counts.skipped) == (4, 1)
    assert report.counts.skipped_reasons[0].startswith(f"{path}:10: cannot read this BibTeX block")
    db = store.db
    assert db.execute("select title, year, url_key from articles where citekey = 'mueller2010'").fetchone() == (
        "NATO's Čech Études — scepticism",
        2010,
        "example.org/a",
    )
    assert db.execute("select publisher, container_title from articles where citekey = 'later'").fetchone() == (
        "Oxford University Press",
        "Parent Volume",
    )
    # The full-text indexes hold the new rows (filled in bulk at the end of the import).
    hits = db.execute(
        "select a.citekey from articles_fts f join articles a on a.id = f.rowid "
        "where articles_fts match 'etudes OR scepticism'"
    ).fetchall()
    assert hits == [("mueller2010",)]
    assert db.execute("select count(*) from authors_fts where authors_fts match 'müller'").fetchone()[0] == 1
    db.execute("insert into articles_fts(articles_fts) values ('integrity-check')")
    db.execute("insert into authors_fts(authors_fts) values ('integrity-check')")


def test_a_bib_file_is_read_once(tmp_path):
    parsed = bibtex.parse(BIB, "refs.bib")
    assert len(parsed) == 5  # four entries and the broken block
    list(parsed)
    with pytest.raises(RuntimeError):
        list(parsed)
