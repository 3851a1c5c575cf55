import re

import pytest

from kb import keys
from kb.keys import citekey_base, normalise_doi, normalise_isbn, normalise_url, title_key, unique_citekey


def test_citekey_follows_better_bibtex_default():
    item = {
        "author": [{"family": "Kulhánek", "given": "Jakub"}],
        "title": "An impossible dream? NATO and Russia",
        "issued": {"date-parts": [[2010]]},
    }
    assert citekey_base(item) == "kulhanekImpossibleDreamNATO2010"


def test_citekey_uses_corporate_first_word_and_skips_function_words():
    item = {
        "author": [{"literal": "North Atlantic Treaty Organization"}],
        "title": "The Strategic Concept of the Alliance",
    }
    assert citekey_base(item) == "northStrategicConceptAlliance"


def test_clashes_get_letters():
    taken = {"smith2010", "smith2010a"}
    assert unique_citekey("smith2010", taken.__contains__) == "smith2010b"
    assert unique_citekey("jones2010", taken.__contains__) == "jones2010"
    many = {"k"} | {f"k{chr(c)}" for c in range(ord("a"), ord("z") + 1)}
    assert unique_citekey("k", many.__contains__) == "kaa"


def test_identifiers_normalise():
    assert normalise_doi("https://doi.org/10.1000/ABC.") == "10.1000/abc"
    assert normalise_doi("doi:10.1000/xyz") == "10.1000/xyz"
    assert normalise_doi("not a doi") is None
    assert normalise_url("https://www.Example.com/a/?utm_source=x&b=1#top") == "example.com/a?b=1"
    assert normalise_url("http://example.com/a") == normalise_url("https://www.example.com/a/")
    assert normalise_isbn("0-306-40615-2") == "9780306406157"
    assert normalise_isbn("978-0-306-40615-7") == "9780306406157"
    assert title_key("An {Impossible} Dream?") == title_key("an impossible dream")


@pytest.mark.parametrize(
    "url",
    [
        "HTTP://WWW.Example.COM/A/B/",
        "https://www.x.org",
        "https://www.x.org/",
        "http://x.org//",
        "https://a.b/ü/ß",
        "https://a.b/c;d",
        "https://a.b/%7Efoo",
        "https://a.b/c@d",
        "http://www.x.y/a.pdf",
        "https://a.b:8080/x",
        "https://a.b/x?q=1",
        "https://a.b/x#f",
        "https://user@a.b/x",
        "http://a.b/x\\y",
    ],
)
def test_plain_url_fast_path_agrees_with_urllib(url, monkeypatch):
    fast = normalise_url(url)
    monkeypatch.setattr(keys, "_PLAIN_URL", re.compile(r"(?!)"))  # never matches: the urllib path
    assert fast == normalise_url(url)
