"""RIS and CSL-JSON importers."""

from __future__ import annotations

from kb.importers import csl_json, ris
from kb.model import Invalid, WorkRecord

RIS = """\ufeffTY  - JOUR
AU  - Smith, John
A1  - Doe, Jane
A2  - Editor, Ed
A3  - Series, Sam
TI  - A study of alliances
T2  - Survival
T3  - Adelphi Series
JO  - Survival: Global Politics
JF  - Survival: Global Politics and Strategy
JA  - Surviv.
PY  - 2010
DA  - 2010/11/19/
VL  - 52
IS  - 6
SP  - 5
EP  - 30
DO  - 10.1080/00396338.2010.540776
UR  - https://example.org/a
UR  - https://example.org/b
KW  - NATO
KW  - Russia
AB  - An abstract that goes on
  over two lines.
PB  - Routledge
CY  - London
SN  - 0039-6338
ET  - 2nd
LA  - en
N1  - A note
ZZ  - unknown one
ZZ  - unknown two
ER  - 

TY  - CHAP
TI  - A chapter
T1  - ignored primary title
Y1  - 2008///Summer
SN  - 978-0-19-955555-5
ER  - 
"""


def test_ris_tags_map_to_csl():
    a, b = list(ris.parse(RIS, "s.ris"))
    item = a.item
    assert item["type"] == "article-journal"
    assert item["author"] == [{"family": "Smith", "given": "John"}, {"family": "Doe", "given": "Jane"}]
    assert item["editor"] == [{"family": "Editor", "given": "Ed"}]
    assert item["collection-editor"] == [{"family": "Series", "given": "Sam"}]
    assert item["title"] == "A study of alliances"
    assert item["container-title"] == "Survival: Global Politics and Strategy"
    assert item["container-title-short"] == "Surviv."
    assert item["collection-title"] == "Adelphi Series"
    assert item["issued"] == {"date-parts": [[2010, 11, 19]]}
    assert (item["volume"], item["issue"], item["page"]) == ("52", "6", "5-30")
    assert item["DOI"] == "10.1080/00396338.2010.540776"
    assert item["URL"] == "https://example.org/a"
    assert a.tags == ["NATO", "Russia"]
    assert item["abstract"] == "An abstract that goes on over two lines."
    assert (
        item["publisher"],
        item["publisher-place"],
        item["ISSN"],
        item["edition"],
        item["language"],
        item["note"],
    ) == ("Routledge", "London", "0039-6338", "2nd", "en", "A note")
    assert a.extra["ris"]["ZZ"] == ["unknown one", "unknown two"]
    assert a.extra["ris"]["UR"] == ["https://example.org/b"]
    assert a.origin == "s.ris:1"
    assert b.item["type"] == "chapter" and b.item["title"] == "A chapter"
    assert b.item["issued"] == {"date-parts": [[2008]], "raw": "2008///Summer"}
    assert b.item["ISBN"] == "978-0-19-955555-5"
    assert b.origin == "s.ris:35"


def test_ris_truncated_record_is_invalid_and_a_bad_date_is_kept_as_written():
    records = list(
        ris.parse(
            "TY  - JOUR\nTI  - Fine\nER  - \nTY  - JOUR\nTI  - Bad date\nPY  - soon\nER  - \nTY  - JOUR\nTI  - Cut",
            "t.ris",
        )
    )
    assert isinstance(records[0], WorkRecord)
    assert isinstance(records[1], WorkRecord) and records[1].origin == "t.ris:4"
    assert (
        records[1].item["issued"] == {"literal": "soon"}
        and records[1].needs_review
        and "soon" in records[1].warnings[0].message
    )
    assert isinstance(records[2], Invalid) and "ER" in records[2].message and records[2].origin == "t.ris:8"


CSL = """[
 {"id": "http://zotero.org/users/1/items/ABC", "type": "article-journal", "title": "Dated parts",
  "author": [{"family": "Kulhanek", "given": "Jakub"}, {"literal": "North Atlantic Treaty Organization"}],
  "issued": {"date-parts": [["2010", "11", "19"]]}, "keyword": "nato, russia"},
 {"id": "raw2008", "type": "report", "title": "Raw", "issued": {"raw": "August 2008"}},
 {"id": "lit", "type": "book", "title": "Literal", "issued": {"literal": "Ancient times"}},
 {"id": "season", "type": "book", "title": "Season", "issued": {"date-parts": [[1999]], "season": "Summer"}},
 {"id": "circa", "type": "book", "title": "Circa", "issued": {"date-parts": [[1850]], "circa": true}},
 {"id": "range", "type": "book", "title": "Range", "issued": {"date-parts": [[2008, 8, 7], [2008, 8, 12]]}},
 {"id": "odd", "type": "journal-article", "title": "Odd type"},
 {"id": "bad", "type": "book", "title": "Bad", "issued": {"date-parts": [["soon"]]}}
]"""


def test_csl_json_dates_names_and_keys():
    records = list(csl_json.parse(CSL, "z.json"))
    zotero, raw, literal, season, circa, date_range, odd, bad = records
    assert "id" not in zotero.item and zotero.extra["csl-json"]["id"].startswith("http://zotero.org")
    assert zotero.item["issued"] == {"date-parts": [[2010, 11, 19]]}
    assert zotero.item["author"][1] == {"literal": "North Atlantic Treaty Organization"}
    assert zotero.tags == ["nato", "russia"]
    assert raw.item["id"] == "raw2008" and raw.item["issued"] == {"raw": "August 2008"}
    assert literal.item["issued"] == {"literal": "Ancient times"}
    assert season.item["issued"] == {"date-parts": [[1999]], "season": 2}
    assert circa.item["issued"]["circa"] is True
    assert date_range.item["issued"]["date-parts"] == [[2008, 8, 7], [2008, 8, 12]]
    assert odd.item["type"] == "article-journal"
    assert isinstance(bad, WorkRecord) and "item 8" in bad.origin  # a date kb cannot read is kept as written
    assert bad.item["issued"] == {"literal": '[["soon"]]'} and bad.needs_review and "soon" in bad.warnings[0].message


def test_csl_json_lands_in_the_database(run, db_path, tmp_path):
    path = tmp_path / "lib.json"
    path.write_text(
        CSL.replace(',\n {"id": "bad", "type": "book", "title": "Bad", "issued": {"date-parts": [["soon"]]}}', ""),
        encoding="utf-8",
    )
    result = run("import", str(path))
    assert result.exit_code == 0, result.output
    assert "7 added" in result.output
    import sqlite3

    conn = sqlite3.connect(db_path)
    assert (
        conn.execute("SELECT citekey FROM articles WHERE title = 'Dated parts'").fetchone()[0]
        == "kulhanekDatedParts2010"
    )
    assert conn.execute("SELECT year, issued_start FROM articles WHERE citekey = 'raw2008'").fetchone() == (
        2008,
        "2008-08-01",
    )


def test_ris_id_is_the_citekey_unless_it_is_a_record_number():
    from kb.importers import ris

    text = "TY  - JOUR\nID  - smithArms2008\nTI  - Arms\nER  - \n\nTY  - JOUR\nID  - 4711\nTI  - Numbered\nER  - \n"
    keyed, numbered = list(ris.parse(text, "refs.ris"))
    assert keyed.item["id"] == "smithArms2008" and "ID" not in keyed.extra.get("ris", {})
    assert "id" not in numbered.item and numbered.extra["ris"]["ID"] == ["4711"]
