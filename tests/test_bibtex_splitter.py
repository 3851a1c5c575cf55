"""kb's BibTeX splitter gives bibtexparser's Splitter's blocks, line numbers and errors."""

from __future__ import annotations

import pytest
from bibtexparser.model import Entry, ImplicitComment, ParsingFailedBlock
from bibtexparser.splitter import Splitter

from kb.importers import bibtex_splitter


def described(block):
    """Everything the importer reads from a block (and its raw text and lines)."""
    out = [type(block).__name__, block.start_line, block.raw]
    if isinstance(block, Entry):
        out += [block.entry_type, block.key, [(f.key, f.value, f.start_line) for f in block.fields]]
    elif not isinstance(block, ParsingFailedBlock):
        out += [getattr(block, name, None) for name in ("key", "value", "comment")]
    if isinstance(block, ParsingFailedBlock):
        out.append(str(getattr(block.error, "abort_reason", block.error)))
        for inner in (getattr(block, "ignore_error_block", None), getattr(block, "entry", None)):
            if inner is not None:
                out.append(described(inner))
    return out


def library_blocks(text):
    return [described(b) for b in Splitter(text).split().blocks if not isinstance(b, ImplicitComment)]


def fast_blocks(text):
    return [described(b) for b in bibtex_splitter.split(text).blocks]


GOOD = "@article{good, title = {Good}, year = 2000}\n"

TEXTS = {
    "plain": GOOD
    + "@book{b2,\n  author = {Smith, John and Doe, Jane},\n  title = {{NATO} and {R}ussia},\n  year = {2010}\n}\n",
    "quoted and bare": '@misc{q, title = "A \\"quoted\\" title", month = jan, year = 2001,}\n',
    "escapes": '@article{e, title = {M{\\"u}ller \\{not a group\\} and \\\\{x}}, note = {50\\% off}}\n',
    "deep braces": "@article{d, title = {a{b{c{d{e}}}}}, year = 1999}\n",
    "concatenation": '@string{pub = {Press}}\n@book{c, publisher = pub # { of } # "Oxford", year = 2000}\n',
    "comments": '% a comment\n@comment{nothing here}\n@preamble{"\\newcommand{\\x}{y}"}\n' + GOOD,
    "parentheses": "@article(p, title = {Round (brackets)}, year = 2001)\n" + GOOD,
    "empty entry": "@article{key}\n@misc{k2,}\n" + GOOD,
    "duplicate keys": GOOD + GOOD.replace("Good", "Again"),
    "duplicate fields": "@article{df, title = {One}, title = {Two}}\n",
    "duplicate fields later on": GOOD + "\n@article{df2,\n  title = {One},\n  title = {Two}}\n",
    "quote escape rule": '@article{qe, title = "A {"} inside"}\n',
    "at sign in a value": "@article{at, title = {LeQua @ {CLEF} 2022}, year = 2022}\n",
    "two on one line": "@article{x1, title = {X}} @article{x2, title = {Y}}\n",
    "text after an entry": GOOD + "stray text\n@book{n, title = {N}}\n",
    "truncated": GOOD + "@article{cut, title = {Cut off in the mid",
    "unbalanced": GOOD
    + "@article{bad, title = {One {brace too many}, year = 2000}\n@book{next, title={N}, year=2001}\n",
    "missing comma": "@article{mc title = {T}}\n" + GOOD,
    "name without value": "@article{nv, title = {T}, dangling}\n" + GOOD,
    "indented and CRLF": "  @Article{cr,\r\n  Title = {T},\r\n  Year = 2000\r\n}\r\n\r\n" + GOOD,
    "text before the first entry": "Exported by a tool\n\n" + GOOD,
    "no entries": "just text\n",
    "unicode": "@book{u, title = {Ça va — Übersicht}, author = {Łukasz Żółć}}\n",
}


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_same_blocks_as_bibtexparser(name):
    text = TEXTS[name]
    assert fast_blocks(text) == library_blocks(text)


def test_a_failed_block_keeps_its_line_in_the_file():
    text = "".join(GOOD.replace("good", f"g{i}") for i in range(3))
    text += "@article{bad, title = {One {brace too many}, year = 2000}\n" + GOOD.replace("good", "later")
    blocks = list(bibtex_splitter.split(text).blocks)
    failed = [b for b in blocks if type(b) is ParsingFailedBlock]
    assert [b.start_line for b in failed] == [3]
    assert blocks[-1].key == "later" and blocks[-1].start_line == 4


@pytest.mark.parametrize(
    "name", ["plain", "quoted and bare", "deep braces", "at sign in a value", "duplicate keys", "unicode"]
)
def test_ordinary_entries_are_read_without_bibtexparser(name, monkeypatch):
    """These take the fast path: the library's Splitter is not called (else the test above proves little)."""

    def refuse(*args):
        raise AssertionError("fell back to bibtexparser")

    monkeypatch.setattr(bibtex_splitter, "_library_blocks", refuse)
    assert fast_blocks(TEXTS[name]) == library_blocks(TEXTS[name])


def test_line_numbers_move_through_bibtexparsers_private_attributes():
    """The splitter moves line numbers by writing bibtexparser's private attributes (there are
    no setters); this fails when a bibtexparser release renames or stops reading them, which
    is why pyproject.toml pins bibtexparser below the next minor version."""
    from bibtexparser.model import DuplicateFieldKeyBlock, Field, String

    entry = Entry(
        start_line=2, entry_type="article", key="k", fields=[Field(start_line=3, key="title", value="{T}")], raw=""
    )
    string = String(start_line=5, key="pub", value="{Press}", raw="")
    wrapped = DuplicateFieldKeyBlock(
        duplicate_keys={"title"},
        entry=Entry(
            start_line=7, entry_type="misc", key="w", fields=[Field(start_line=8, key="title", value="{A}")], raw=""
        ),
    )
    for block in (entry, string, wrapped):
        bibtex_splitter._move_lines(block, 100)
    assert (entry.start_line, entry.fields[0].start_line) == (102, 103)
    assert string.start_line == 105
    assert (
        wrapped.start_line,
        wrapped.ignore_error_block.start_line,
        wrapped.ignore_error_block.fields[0].start_line,
    ) == (107, 107, 108)
