import pytest

from kb.dates import parse_partial_date, partial_date_from_csl
from kb.errors import KbError


@pytest.mark.parametrize(
    "text, edtf, precision, start, end",
    [
        ("2010", "2010", "year", "2010-01-01", "2010-12-31"),
        ("Nov 2010", "2010-11", "month", "2010-11-01", "2010-11-30"),
        ("19 November 2010", "2010-11-19", "day", "2010-11-19", "2010-11-19"),
        ("19-20 November 2010", "2010-11-19/2010-11-20", "day", "2010-11-19", "2010-11-20"),
        ("November 19-20, 2010", "2010-11-19/2010-11-20", "day", "2010-11-19", "2010-11-20"),
        ("August 2008", "2008-08", "month", "2008-08-01", "2008-08-31"),
        ("2008-08-07/2008-08-12", "2008-08-07/2008-08-12", "day", "2008-08-07", "2008-08-12"),
        ("7 August - 12 September 2008", "2008-08-07/2008-09-12", "day", "2008-08-07", "2008-09-12"),
        ("c. 1990", "1990~", "year", "1990-01-01", "1990-12-31"),
        ("circa 1990", "1990~", "year", "1990-01-01", "1990-12-31"),
        ("February 2008", "2008-02", "month", "2008-02-01", "2008-02-29"),
        ("2010-11", "2010-11", "month", "2010-11-01", "2010-11-30"),
        ("1990s", "1990/1999", "year", "1990-01-01", "1999-12-31"),
    ],
)
def test_partial_dates_keep_what_was_stated(text, edtf, precision, start, end):
    date = parse_partial_date(text)
    assert (date.text, date.edtf, date.precision, date.start, date.end) == (text, edtf, precision, start, end)


def test_a_range_is_a_range_and_circa_reaches_csl():
    assert parse_partial_date("19-20 November 2010").is_range
    assert not parse_partial_date("November 2010").is_range
    assert parse_partial_date("c. 1990").to_csl() == {"date-parts": [[1990]], "circa": True}
    assert parse_partial_date("19-20 November 2010").to_csl() == {"date-parts": [[2010, 11, 19], [2010, 11, 20]]}


@pytest.mark.parametrize("text", ["banana", "November", "2010-13-01", "32 May 2010", "", "2010-12-01/2010-01-01"])
def test_unreadable_dates_are_errors(text):
    with pytest.raises(KbError):
        parse_partial_date(text)


def test_csl_dates_read_back():
    assert partial_date_from_csl({"date-parts": [[2010, 11]]}).edtf == "2010-11"
    assert partial_date_from_csl({"date-parts": [[2010, 11, 19], [2010, 11, 20]]}).edtf == "2010-11-19/2010-11-20"
    assert partial_date_from_csl({"raw": "August 2008"}).edtf == "2008-08"
    assert partial_date_from_csl({"literal": "n.d."}) is None
    assert partial_date_from_csl(None) is None


def test_csl_dates_with_the_same_parts_read_the_same_each_time():
    first = partial_date_from_csl({"date-parts": [[2010, 2]]})
    again = partial_date_from_csl({"date-parts": [[2010, 2]]})
    assert (again.text, again.edtf, again.start, again.end) == ("2010-02", "2010-02", "2010-02-01", "2010-02-28")
    assert again == first
    circa = partial_date_from_csl({"date-parts": [[2010, 2]], "circa": True})
    assert circa.edtf == "2010-02~"
    raw = partial_date_from_csl({"date-parts": [[2010, 2]], "raw": "Feb. 2010"})
    assert raw.text == "Feb. 2010"
    assert partial_date_from_csl({"date-parts": [["2010", "2"]]}).edtf == "2010-02"
