"""What a format cannot carry and the export used to drop without a word (issue 12,
item 6): each is now named in the loss report, with the bytes of export -> import ->
export compared where they stay the same."""

from __future__ import annotations

import pytest

from kb.importers.ris import serial_numbers
from tests.test_roundtrip_causes import csl, twice


def test_an_issn_holding_an_isbn_is_in_the_ris_loss_report(tmp_path):
    # RIS's one SN tag: the number's shape decides, so it comes back as the ISBN
    source = csl(ISSN="978-2-7283-0869-9")
    one, two, report = twice(tmp_path, "s.json", source, "ris")
    assert "SN  - 978-2-7283-0869-9\n" in one and two == one
    assert "1 work: ISSN (SN '978-2-7283-0869-9' reads back as ISBN) not representable in RIS (w2001)" in report
    # an ISBN and an ISSN that is an ISBN too: the second comes back in the ISSN, as written
    source = csl(type="chapter", ISBN="978-88-8303-679-8", ISSN="978-88-8303-680-4")
    (tmp_path / "ris").mkdir()
    one, _, report = twice(tmp_path / "ris", "s.json", source, "ris")
    assert "SN  - 978-88-8303-679-8\nSN  - 978-88-8303-680-4\n" in one and "not representable" not in report
    assert serial_numbers(["978-88-8303-679-8", "978-88-8303-680-4"], "chapter") == {
        "ISBN": "978-88-8303-679-8",
        "ISSN": "978-88-8303-680-4",
    }
    assert serial_numbers(["0039-6338"], "article-journal") == {"ISSN": "0039-6338"}


@pytest.mark.parametrize(
    ("literal", "reported"),
    [("Spring/Summer 2012", True), ("April-May, 1985", True), ("forthcoming", False), ("1985", False)],
)
def test_a_date_as_written_that_csv_reads_as_a_date_is_in_the_csv_loss_report(tmp_path, literal, reported):
    one, two, report = twice(tmp_path, "d.json", csl(issued={"literal": literal}), "csv")
    assert f'"{literal}"' in one or f",{literal}," in one
    line = "1 work: issued (a date as written that CSV reads back as a date) not representable in CSV (w2001)"
    assert (line in report) is reported
    assert (two == one) is not reported  # read back as a date, it is written as EDTF the second time
