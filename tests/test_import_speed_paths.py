"""The cheaper paths of an import (importers told by their file name, duplicate
candidates by first author and year, cached keys) decide what the plain ones decide.
tests/test_bulk_import.py compares whole imports; these check each path on its own."""

from __future__ import annotations

import json
import subprocess
import sys

from kb import dedupe
from kb.importers import IMPORTER_EXTENSIONS, IMPORTER_FORMATS, importer
from kb.importing import import_files

from .conftest import REPO

IMPORTED_BY_AN_IMPORT = """
import json, sys
from kb.importers import parse_file
fmt, records = parse_file(sys.argv[1])
list(records)
print(json.dumps([fmt, sorted(m for m in sys.modules if m.startswith("kb.importers."))]))
"""


def test_the_extension_table_is_each_importers_own():
    for fmt, module_name in IMPORTER_FORMATS.items():
        module = importer(fmt)
        assert module.__name__ == f"kb.importers.{module_name}"
        assert module.FORMAT == fmt
        assert tuple(module.EXTENSIONS) == IMPORTER_EXTENSIONS[fmt], fmt
    assert list(IMPORTER_EXTENSIONS) == list(IMPORTER_FORMATS)


def test_a_file_told_by_its_name_imports_only_its_importer(tmp_path):
    path = tmp_path / "library.json"
    path.write_text(json.dumps([{"id": "a2010", "type": "book", "title": "A"}]), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", IMPORTED_BY_AN_IMPORT, str(path)], cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    fmt, modules = json.loads(done.stdout)
    assert fmt == "csl-json"
    assert [m for m in modules if m in {f"kb.importers.{name}" for name in IMPORTER_FORMATS.values()}] == [
        "kb.importers.csl_json"
    ]


def _years_apart_rule(rows, family, year):
    """The rule FuzzyIndex.near stands for: every work by `family` whose year is within one
    of `year`, or unknown on either side (kb.dedupe's loop before the index by year)."""
    return sorted(
        (article_id, title)
        for article_id, other_year, title in rows
        if not (year and other_year and abs(other_year - year) > 1)
    )


def test_works_near_a_year_are_the_ones_the_year_rule_keeps():
    index = dedupe.FuzzyIndex()
    rows_by_family: dict[str | None, list] = {}
    article_id = 0
    for family in ("smith", "jones", None):
        for year in (None, 0, 1, 2, 1999, 2000, 2000, 2001, 2002, 2010, -5, -4):
            article_id += 1
            index.add(family, article_id, year, f"title {article_id}")
            rows_by_family.setdefault(family, []).append((article_id, year, f"title {article_id}"))
    for family in ("smith", None, "nobody"):
        rows = rows_by_family.get(family, [])
        for year in (None, 0, 1, 2, 3, 1998, 2000, 2003, 2011, -4, -6):
            assert sorted(index.near(family, year)) == _years_apart_rule(rows, family, year), (family, year)
    assert index["smith"][:2] == [(1, None, "title 1"), (2, 0, "title 2")]  # still the index by first author


def test_a_work_merged_into_is_judged_as_it_is_now(store, tmp_path):
    """A record that fills a work's pages changes what later records of the same import are
    compared with: a third record with other pages is another work (different pages), not
    merged because the work was remembered without pages."""
    url = "https://example.org/proceedings"
    items = [
        {"id": "first", "type": "paper-conference", "title": "Deterrence at sea", "URL": url},
        {"id": "second", "type": "paper-conference", "title": "Deterrence at sea", "URL": url, "page": "1-10"},
        {"id": "third", "type": "paper-conference", "title": "Deterrence at sea", "URL": url, "page": "20-30"},
    ]
    path = tmp_path / "papers.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    (report,) = import_files(store, [path])
    assert (report.counts.added, report.counts.merged) == (2, 1)
    pages = dict(store.conn.execute("SELECT citekey, pages FROM articles"))
    assert pages == {"first": "1-10", "third": "20-30"}
