"""LaTeX in BibTeX values decoded without losing a word (issue 12, item 3)."""

import json
import sqlite3

import pytest

from kb.importers.bibtex import parse
from kb.importers.latex_text import latex_to_text
from kb.names import split_name_list


@pytest.mark.parametrize(
    "latex, text",
    [
        (r"The {\TeX book}", "The TeXbook"),
        (r"On \emph{emphasis} and \texttt{code} in {\LaTeX} titles", "On emphasis and code in LaTeX titles"),
        (r"\BibTeX\ and \METAFONT", "BibTeX and METAFONT"),
        (r"{\LaTeXe} for authors", "LaTeX2e for authors"),
        (r"The {\XeTeX} and {\ConTeXt} engines", "The XeTeX and ConTeXt engines"),
        (r"\textit{a} \textbf{b} \textsc{c} \textsf{d}", "a b c d"),
        (r"\enquote{Quoted} and \mkbibquote{cited}", "Quoted and cited"),
        (r"See \url{https://example.org/x}", "See https://example.org/x"),
        (r"See \href{https://example.org}{the site}", "See the site"),
        (r"Peace\emdash and war", "Peace\u2014and war"),
        (r"and\slash or", "and/or"),
        (r"1990\textendash 2000\textemdash now", "1990\u20132000\u2014now"),
        (r"Salt \& pepper: 50\% off", "Salt & pepper: 50% off"),
        (r"{\~N}et and \c{S}ahin", "Ñet and Şahin"),
        (r"\foo{bar} stays", r"\foo{bar} stays"),
        (r"{\noopsort{a}}Sorted", "Sorted"),
    ],
)
def test_latex_decodes_keeping_every_word(latex, text):
    assert latex_to_text(latex) == text


def test_soft_hyphens_are_removed():
    decoded = latex_to_text(r"Springer-Ver\-lag \LaTeX")
    assert decoded == "Springer-Verlag LaTeX"
    assert "\u00ad" not in decoded


def test_a_name_list_with_a_newline_before_and_is_two_people():
    assert split_name_list("Philippe {Futtersack} and\nChristophe Espert") == [
        "Philippe {Futtersack}",
        "Christophe Espert",
    ]


def test_accents_in_names_survive_the_tie_rule():
    text = "@book{k, author = {Jo~{\\~N}et and Pe\\~{n}a, Ana and Philippe Futtersack and\n Christophe {Espert}},\n title = {T}}\n"
    (work,) = list(parse(text, "x.bib"))
    assert work.item["author"] == [
        {"family": "Ñet", "given": "Jo"},
        {"family": "Peña", "given": "Ana"},
        {"family": "Futtersack", "given": "Philippe"},
        {"family": "Espert", "given": "Christophe"},
    ]


def test_imported_titles_keep_their_words(run, db_path, tmp_path):
    bib = tmp_path / "tex.bib"
    bib.write_text(
        "@book{knuth, author = {Knuth, Donald}, title = {The {\\TeX book}}, year = 1984,\n"
        " publisher = {Addison-Wes\\-ley}}\n"
        "@article{fmt, author = {Doe, Jane}, title = {On \\emph{emphasis} and \\texttt{code} in {\\LaTeX} titles},\n"
        " journal = {\\TUB}, year = 2001}\n"
    )
    result = run("import", str(bib))
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(db_path)
    rows = dict(conn.execute("SELECT citekey, csl_json FROM articles").fetchall())
    knuth, fmt = json.loads(rows["knuth"]), json.loads(rows["fmt"])
    assert knuth["title"] == "The TeXbook"
    assert knuth["publisher"] == "Addison-Wesley"
    assert fmt["title"] == "On emphasis and code in LaTeX titles"
    assert fmt["container-title"] == "\\TUB"  # a macro kb does not know, kept as written
