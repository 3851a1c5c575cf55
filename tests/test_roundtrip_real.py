"""Round trips from real-looking sources: import -> export -> import -> export gives the
same bytes, for the drifts found on real files (issue 12, item 6)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kb.cli import cli

BIB = r"""@article{a:b/c,
  author = {Afraz, SR and Kiani, R and Di Lazzaro, V},
  title = {Kept fields},
  journal = {J},
  year = {2006},
  howmuch = {50\% of them},
  keywords = {x, {Animals, Wild}}
}
@inproceedings{child,
  author = {Doe, Jane},
  title = {Child},
  crossref = {proc},
  year = {2001}
}
@proceedings{proc,
  title = {Proceedings},
  booktitle = {Proceedings},
  booksubtitle = {The Sub},
  year = {2001}
}
"""

RIS = """TY  - CHAP
ID  - poggi2021
AU  - Ribeiro, J.W., Jr
AU  - Ministry of Defence, United Kingdom,
TI  - How can models help
KW  - Animals, Wild
KW  - DNA
PY  - 2021
"""
RIS += "ER  - \n"  # RIS's end tag has a trailing space

CSL = [
    {
        "id": "http://zotero.org/users/1/items/ABC",
        "citation-key": "doe:2001/x",
        "type": "book",
        "title": "A series book",
        "collection-title": "Studien zur antiken Stadt",
        "abstract": 'He said "no" -- twice, and\nthen "yes".',
        "keyword": "Animals, Wild",
        "issued": {"date-parts": [[2001]]},
    }
]


def run(*args):
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result


def twice(tmp_path, source, export_format):
    """The first and second exports of `source` through two fresh knowledge bases."""
    first_db, second_db = tmp_path / "first.db", tmp_path / "second.db"
    one, two = tmp_path / f"one.{export_format}", tmp_path / f"two.{export_format}"
    run("init", "--db", str(first_db))
    run("import", "--db", str(first_db), str(source))
    run("export", "--db", str(first_db), "--format", export_format, "-o", str(one))
    run("init", "--db", str(second_db))
    import_format = "bibtex" if export_format == "biblatex" else export_format
    run("import", "--db", str(second_db), "--format", import_format, str(one))
    run("export", "--db", str(second_db), "--format", export_format, "-o", str(two))
    return one.read_bytes(), two.read_bytes()


@pytest.fixture
def sources(tmp_path):
    (tmp_path / "src").mkdir()
    bib = tmp_path / "src" / "k.bib"
    bib.write_text(BIB, encoding="utf-8")
    ris = tmp_path / "src" / "r.ris"
    ris.write_text(RIS, encoding="utf-8")
    csl = tmp_path / "src" / "c.json"
    csl.write_text(json.dumps(CSL), encoding="utf-8")
    return {"bib": bib, "ris": ris, "csl": csl}


FORMATS = ["bibtex", "biblatex", "ris", "csl-json", "csv"]


@pytest.mark.parametrize("source", ["bib", "ris", "csl"])
@pytest.mark.parametrize("export_format", FORMATS)
def test_second_export_is_byte_identical(tmp_path, sources, source, export_format):
    one, two = twice(tmp_path, sources[source], export_format)
    assert one and two == one


def test_kept_bibtex_field_written_raw_not_escaped_again(tmp_path, sources):
    one, _ = twice(tmp_path, sources["bib"], "bibtex")
    assert b"howmuch = {50\\% of them}," in one
    assert b"textbackslash" not in one


def test_initials_stay_given_names(tmp_path, sources):
    one, _ = twice(tmp_path, sources["bib"], "bibtex")
    assert b"author = {Afraz, SR and Kiani, R and Di Lazzaro, V}," in one


def test_keyword_holding_a_comma_stays_one_tag(tmp_path, sources):
    bib, _ = twice(tmp_path, sources["bib"], "bibtex")
    assert b"keywords = {{Animals, Wild}, x}," in bib
    (tmp_path / "again").mkdir()
    csl, _ = twice(tmp_path / "again", sources["bib"], "csl-json")
    assert [item.get("keyword") for item in json.loads(csl) if item["id"] == "a:b/c"] == ["Animals, Wild; x"]


def test_csl_json_keeps_citekeys_with_colons_and_slashes_and_kept_fields(tmp_path, sources):
    one, two = twice(tmp_path, sources["bib"], "csl-json")
    items = {item["id"]: item for item in json.loads(two)}
    assert items["a:b/c"]["custom"]["kb-extra"]["bibtex"]["howmuch"] == "50\\% of them"
    one, _ = twice(tmp_path / "src", sources["csl"], "csl-json")  # citation-key wins over a URI id
    assert [item["id"] for item in json.loads(one)] == ["doe:2001/x"]


def test_ris_organisation_stays_an_organisation_with_its_comma(tmp_path, sources):
    one, _ = twice(tmp_path, sources["ris"], "ris")
    assert "AU  - Ministry of Defence, United Kingdom,\n" in one.decode()
    assert "AU  - Ribeiro, J.W., Jr\n" in one.decode()
    (tmp_path / "csl").mkdir()
    csl, _ = twice(tmp_path / "csl", sources["ris"], "csl-json")
    assert {"literal": "Ministry of Defence, United Kingdom"} in json.loads(csl)[0]["author"]


def test_csv_keeps_series_quotes_and_tags_with_commas(tmp_path, sources):
    one, _ = twice(tmp_path, sources["csl"], "csv")
    assert "Studien zur antiken Stadt" in one.decode()
    (tmp_path / "ris").mkdir()
    one, _ = twice(tmp_path / "ris", sources["ris"], "csv")
    assert '"Animals, Wild; DNA"' in one.decode()


def test_ris_affiliation_like_editor_keeps_its_parts_in_order(tmp_path):
    source = tmp_path / "a.ris"
    source.write_text(
        "TY  - CHAP\nID  - x2021\nA2  - Agroécologie, INRAE, Université de Bourgogne, Dijon, AgroSup Dijon\n"
        "TI  - T\nPY  - 2021\nER  - \n",
        encoding="utf-8",
    )
    one, two = twice(tmp_path, source, "ris")
    assert "A2  - Agroécologie, INRAE, Université de Bourgogne, Dijon, AgroSup Dijon\n" in one.decode()
    assert two == one
