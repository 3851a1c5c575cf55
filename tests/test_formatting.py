"""kb's formatted references (pandoc's citeproc): the cases citeproc-py got wrong, each as
citeproc-js writes it (issue 12, item 7), and the links, escaping and fallbacks kb adds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import cli
from kb.formatting import bibliography_text, format_reference, format_references, prepare_item

WORKS = {
    item["id"]: item
    for item in json.loads((Path(__file__).parent / "fixtures/formatting/oracle_works.json").read_text())
}


@pytest.mark.parametrize(
    "key, style, expected",
    [
        # "(Ed.)", not citeproc-py's "(ed.)"; the editor stands for the author once, not twice
        ("editedBook2001", "apa", "Jones, R. A. (Ed.). (2001). Security in the new Europe. Routledge."),
        ("editorTitle2005", "chicago-author-date", "Jones, Robert, ed. 2005. Alliances. Polity."),
        # curly apostrophes; page ranges as the style writes them (APA in full, Chicago abbreviated)
        (
            "apostrophe2014",
            "apa",
            "O’Neill, M. (2014). Russia’s war and Europe’s answer. Survival, 56(3), 225–228. "
            "https://doi.org/10.1080/00396338.2014.920143",
        ),
        (
            "apostrophe2014",
            "chicago-author-date",
            "O’Neill, Mary. 2014. “Russia’s War and Europe’s Answer.” Survival 56 (3): 225–28. "
            "https://doi.org/10.1080/00396338.2014.920143.",
        ),
        # Chicago writes given names in full; the period goes inside the closing quote
        (
            "particle2008",
            "chicago-author-date",
            "Fuente, Juan de la, Jr., and Anna van der Berg. 2008. “Arms and Influence.” Survival 50 (4): 12–30.",
        ),
        # a title ending in "?" gets no period after it
        (
            "dream2010",
            "chicago-author-date",
            "Kulhanek, Jakub. 2010. “An Impossible Dream?” European Politics Blog, November 19. "
            "https://blogs.example.ac.uk/europe/2010/11/impossible-dream/.",
        ),
        # a title standing for the missing author is printed once
        ("noAuthor1999", "apa", "The military balance 1999-2000. (1999). Oxford University Press."),
        # a date range is printed as a range, not cut to its first date
        (
            "rangePost2010",
            "apa",
            "Kulhanek, J. (2010, November 19–20). Live from the Lisbon summit. European Politics Blog. "
            "https://blogs.example.ac.uk/europe/2010/11/lisbon/",
        ),
        (
            "rangePost2010",
            "modern-language-association",
            "Kulhanek, Jakub. “Live from the Lisbon Summit.” European Politics Blog, 19–20 Nov. 2010, "
            "https://blogs.example.ac.uk/europe/2010/11/lisbon/.",
        ),
        # an untitled work has no invented title
        ("untitled2001", "apa", "Smith, J. (2001). Journal of Things."),
        ("untitled2001", "ieee", "[1] J. Smith, Journal of Things, 2001."),
        # "English" as a language is English: Chicago title-cases the title
        (
            "englishName1995",
            "chicago-author-date",
            "Aicher, Peter J. 1995. Guide to the Aqueducts of Ancient Rome. Bolchazy-Carducci.",
        ),
    ],
)
def test_references_as_citeproc_js_writes_them(key, style, expected):
    text, ok = format_reference(WORKS[key], style, "text")
    assert ok and text == expected


def test_language_names_become_tags_and_nothing_else_changes():
    item = {"id": "k", "type": "book", "language": "English", "issued": {"date-parts": [[2001], [2003]]}}
    assert prepare_item(item) == {**item, "language": "en"}
    assert prepare_item({**item, "language": "en_gb"})["language"] == "en-GB"
    assert prepare_item({**item, "language": "it"})["language"] == "it"  # a tag stays
    for name in ("French", "Contributions in Italian; abstracts in English."):  # not English, as citeproc-js reads it
        assert prepare_item({**item, "language": name})["language"] == "und"
    assert prepare_item({**item, "issue": "125-1", "volume": "7", "note": None}) == {
        **item,
        "language": "en",
        "issue": "125–1",
        "volume": "7",
    }


def test_non_english_titles_are_not_title_cased():
    item = {"id": "k", "type": "book", "title": "Il tempio romano di Nora", "issued": {"date-parts": [[2016]]}}
    for language in ("Italian", "it", "Contributions in Italian; abstracts in English."):
        text, _ = format_reference({**item, "language": language}, "chicago-author-date")
        assert text == "Il tempio romano di Nora. 2016.", text
    assert format_reference(item, "chicago-author-date")[0] == "Il Tempio Romano Di Nora. 2016."


def test_html_links_dois_and_web_addresses_only():
    item = {
        "id": "k",
        "type": "webpage",
        "title": "T <b>x</b> & y",
        "URL": "https://example.org/a?b=1&c=<2>",
        "issued": {"date-parts": [[2020]]},
    }
    text, ok = format_reference(item, "apa", "html")
    assert ok
    assert '<a href="https://example.org/a?b=1&amp;c=&lt;2&gt;">https://example.org/a?b=1&amp;c=&lt;2&gt;</a>' in text
    assert "<b>x</b> &amp; y" in text  # CSL-JSON's own markup (<b>, <i>) is markup, as in citeproc-js
    doi, _ = format_reference({**item, "type": "article-journal", "URL": None, "DOI": "10.1/abc"}, "apa", "html")
    assert '<a href="https://doi.org/10.1/abc">https://doi.org/10.1/abc</a>' in doi
    for target in ("javascript:alert(1)", "data:text/html,x", "ftp://example.org/f"):
        unsafe, _ = format_reference({**item, "URL": target}, "apa", "html")
        assert "<a " not in unsafe and "href" not in unsafe, unsafe


def test_html_escapes_the_works_text():
    item = {"id": "k", "type": "book", "title": "Review <script>alert(1)</script>", "issued": {"date-parts": [[2009]]}}
    text, _ = format_reference(item, "apa", "html")
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_numeric_bibliography_is_renumbered():
    items = [WORKS["editedBook2001"], WORKS["untitled2001"], WORKS["noAuthor1999"]]
    for output in ("text", "html", "markdown"):
        text = bibliography_text(format_references(items, "ieee", output), "ieee", output)
        assert [text.count(f"[{n}]") or text.count(f"\\[{n}\\]") for n in (1, 2, 3)] == [1, 1, 1], text


def test_each_reference_is_made_as_if_alone():
    """Formatted together, two works by one author in one year still print 2001, not 2001a and 2001b,
    and Chicago prints the author's name in each, not "———"."""
    first = {"id": "a", "type": "book", "title": "First", "author": [{"family": "Smith", "given": "Jo"}]}
    first["issued"] = {"date-parts": [[2001]]}
    second = {**first, "id": "b", "title": "Second"}
    for style in ("apa", "chicago-author-date", "modern-language-association"):
        together = format_references([first, second], style)
        assert together == [format_reference(first, style)[0], format_reference(second, style)[0]]
        assert all("2001a" not in text and "———" not in text and "Smith" in text for text in together)


def test_a_work_the_formatter_cannot_read_falls_back_to_its_title():
    broken = {"id": "k", "type": "book", "title": "Broken", "author": "not a list of names"}
    good = {"id": "g", "type": "book", "title": "Good", "issued": {"date-parts": [[2001]]}}
    made = [format_reference(item, "apa") for item in (broken, good)]
    assert made[1] == ("Good. (2001).", True)
    assert made[0][0] in ("Broken", "Broken. (n.d.).")


def test_missing_pandoc_is_a_one_line_error(tmp_path, monkeypatch):
    db = tmp_path / "kb.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["init", "--db", str(db)]).exit_code == 0
    works = tmp_path / "w.json"
    works.write_text(json.dumps([WORKS["editedBook2001"]]))
    assert runner.invoke(cli, ["import", str(works), "--db", str(db)]).exit_code == 0
    monkeypatch.setenv("KB_PANDOC", str(tmp_path / "no-pandoc-here"))
    from kb.pandoc_citeproc import pandoc_path

    pandoc_path.cache_clear()
    try:
        result = runner.invoke(cli, ["export", "--style", "apa", "--db", str(db)])
    finally:
        pandoc_path.cache_clear()
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: pandoc could not format the references") and result.stderr.count("\n") == 1
