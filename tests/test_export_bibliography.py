"""Formatted bibliographies and references: styles, outputs, escaping, the cache."""

from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner

from kb.cli import cli
from kb.db import connect
from kb.store import Store


@pytest.fixture
def hard_db(export_kb_hard_cases):
    return export_kb_hard_cases


def invoke(db, *args):
    result = CliRunner().invoke(cli, [*args, "--db", str(db)])
    assert result.exit_code == 0, result.output
    return result


def test_apa_text_bibliography_is_alphabetical(hard_db):
    text = invoke(hard_db, "export", "--style", "apa").stdout
    lines = text.splitlines()
    assert len(lines) == 5
    assert lines == sorted(lines, key=str.casefold)
    assert "de la Fuente, J., Jr., & van der Berg, A. (2008). Arms & Influence" in text
    assert "North Atlantic Treaty Organization. (2010)." in text


def test_html_output_escapes_what_citeproc_does_not(hard_db):
    text = invoke(
        hard_db, "export", "--style", "apa", "--to", "html", "--key", "mod2009", "--key", "fuenteArms2008"
    ).stdout
    assert "<script>" not in text
    assert "Defence Review &lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "Arms &amp; Influence" in text and "&amp;amp;" not in text
    assert text.startswith('<div class="csl-bib-body">') and text.count('<div class="csl-entry">') == 2
    assert "<i>Survival</i>" in text


def test_markdown_output(hard_db):
    text = invoke(
        hard_db, "export", "--style", "apa", "--to", "markdown", "--key", "fuenteArms2008", "--key", "mod2009"
    ).stdout
    assert "*Survival*" in text and "<i>" not in text and "<script>" not in text
    assert "\\<script\\>" in text and "\\#1 under_score" in text  # Markdown specials in a title stay text
    assert "\n\n" in text


def test_numeric_styles_are_numbered_in_order(hard_db):
    text = invoke(hard_db, "export", "--style", "ieee", "--tag", "chapter-3").stdout
    assert [line[:4] for line in text.splitlines()] == ["[1] ", "[2] ", "[3] "]


def test_ref_formats_keys_in_the_order_given_and_lists_styles(hard_db):
    text = invoke(hard_db, "ref", "mod2009", "fuenteArms2008", "--style", "chicago-author-date").stdout.splitlines()
    # Chicago writes given names in full, as citeproc-js does
    assert text[0].startswith("Ministry of Defence, United Kingdom.") and text[1].startswith("Fuente, Juan de la, Jr.")
    styles = invoke(hard_db, "ref", "--list-styles").stdout.split()
    assert {"apa", "chicago-author-date", "harvard-cite-them-right", "modern-language-association", "ieee"} <= set(
        styles
    )


def test_ref_errors(hard_db):
    for args, message in (
        (("ref", "nokey"), "no work with citekey, DOI or URL 'nokey'"),
        (("ref", "mod2009", "--style", "chicago"), "did you mean"),
        (("ref",), "name at least one work"),
    ):
        result = CliRunner().invoke(cli, [*args, "--db", str(hard_db)])
        assert result.exit_code == 1 and message in result.stderr, result.output


def cache_rows(db):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT article_id, style, output_format, content_hash FROM reference_cache ORDER BY 1"
        ).fetchall()
    finally:
        conn.close()


def test_references_are_cached_and_made_again_when_a_work_changes(hard_db):
    first = invoke(hard_db, "export", "--style", "apa")
    assert "5 works in apa (0 from the cache)" in first.stderr
    rows = cache_rows(hard_db)
    assert len(rows) == 5 and {r[1:3] for r in rows} == {("apa", "text")}
    second = invoke(hard_db, "export", "--style", "apa")
    assert second.stdout == first.stdout and "5 works in apa (5 from the cache)" in second.stderr
    # change one work through the store: only that one is formatted again
    store = Store(connect(hard_db))
    with store.transaction():
        store.conn.execute(
            "UPDATE articles SET csl_json = json_set(csl_json, '$.title', 'Lisbon Declaration, revised') "
            "WHERE citekey = 'natoLisbonDeclaration2010'"
        )
    store.conn.close()
    third = invoke(hard_db, "export", "--style", "apa")
    assert "5 works in apa (4 from the cache)" in third.stderr
    assert "Lisbon Declaration, revised" in third.stdout and "Lisbon Summit Declaration" not in third.stdout
    assert invoke(hard_db, "export", "--style", "apa", "--to", "html").stderr.endswith("(0 from the cache)\n")
    assert len(cache_rows(hard_db)) == 10
