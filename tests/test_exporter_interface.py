"""One exporter interface: works in, text out. No exporter reads the database; what an
exporter needs (tags, links, the records they name) comes in on the works."""

from __future__ import annotations

import inspect

import pytest

from kb.exporters import ExportWork, Losses, exporter, format_names


@pytest.mark.parametrize("fmt", format_names())
def test_every_exporter_writes_works_to_text(fmt):
    module = exporter(fmt)
    assert list(inspect.signature(module.write).parameters)[:2] == ["works", "losses"]
    assert not hasattr(module, "write_from_db") and not hasattr(module, "NEEDS_CONNECTION")
    source = inspect.getsource(module)
    assert "sqlite3" not in source and "sqlite_utils" not in source and "conn." not in source


def test_csv_writes_works_given_in_memory():
    work = ExportWork(1, "smith2010", {"type": "report", "title": "Reset", "genre": "brief"}, {}, ["a, b"])
    losses = Losses("CSV")
    text = exporter("csv").write([work], losses)
    header, row = text.splitlines()
    assert header.startswith("citekey,type,title,")
    assert row.startswith("smith2010,report,Reset,") and row.endswith('"a, b;"')
    assert losses.lines() == ["1 work: genre not representable in CSV (smith2010)"]


def test_kb_yaml_writes_works_with_their_links_and_named_records():
    record = {
        "citekey": "smith2010",
        "csl_json": '{"type": "report", "title": "Reset"}',
        "extra_json": None,
        "status": "read",
        "added_by": None,
        "added_at": None,
        "needs_review": 0,
        "text": None,
    }
    nato = {"kind": "organisation", "name": "NATO"}
    work = ExportWork(
        1,
        "smith2010",
        {"type": "report", "title": "Reset", "id": "smith2010"},
        {},
        ["t"],
        record=record,
        links={"tags": ["t"], "organisations": ["NATO"], "cites": [{"key": "elsewhere", "relation": "cites"}]},
        related=[(0, 0, nato)],
    )
    losses = Losses("kb YAML")
    text = exporter("yaml").write([work], losses)
    assert text.index("kind: organisation") < text.index("kind: work")
    assert "citekey: smith2010" in text and "organisations:\n  - NATO" in text and "elsewhere" not in text
    assert losses.found == {"a citation of a work outside the export": {"smith2010"}}
