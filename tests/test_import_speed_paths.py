"""The cheaper paths of an import (importers told by their file name, duplicate
candidates by first author and year, cached keys) decide what the plain ones decide.
tests/test_bulk_import.py compares whole imports; these check each path on its own."""

from __future__ import annotations

import json
import subprocess
import sys

from kb.importers import IMPORTER_EXTENSIONS, IMPORTER_FORMATS, importer

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
