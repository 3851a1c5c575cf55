"""The filter vocabulary: one table of the filters that select works.

`kb export` (and `kb list`, `kb enrich`) declare their options from it
(kb/cli/options.py), the Python API takes its keyword arguments from it (kb/api.py),
and the Datasette renderers read its `_kb_<name>` URL parameters from it
(kb/datasette_plugin/renderers.py). All three land on the fields of
`kb.query.WorkFilter`, which selects the works. This module imports nothing, so the
command line can declare its options without loading the query layer.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Filter:
    """One filter: how each way in names it, and what it means."""

    name: str  # the Python API keyword and the URL parameter `_kb_<name>` (singular: tag=...)
    field: str  # the kb.query.WorkFilter field it fills
    flags: tuple[str, ...]  # its command-line options
    repeatable: bool  # several values, any of them (a list); else one value
    help: str
    over_http: bool = True  # a URL can give it (an SQL condition cannot)


FILTERS: tuple[Filter, ...] = (
    Filter("tag", "tags", ("--tag",), True, "Works with this tag; repeatable (any of them)."),
    Filter(
        "author",
        "authors",
        ("--author",),
        True,
        'Works by this author ("Kulhanek", "Jakub Kulhanek", "NATO"); repeatable.',
    ),
    Filter(
        "organisation",
        "organisations",
        ("--organisation", "--org"),
        True,
        "Works linked to this organisation (name, acronym or alias); repeatable.",
    ),
    Filter("event", "events", ("--event",), True, "Works linked to this event (name or alias); repeatable."),
    Filter("type", "types", ("--type",), True, "CSL type (article-journal, report, post-weblog ...); repeatable."),
    Filter("year", "year", ("--year",), False, "Year or range: 2008, 2008..2010, 2008.., ..2010."),
    Filter("added_since", "added_since", ("--added-since",), False, "Works logged on or after this date (2026-11-01)."),
    Filter("added_by", "added_by", ("--added-by",), True, "Works logged by this researcher; repeatable."),
    Filter(
        "search", "search", ("--search",), False, "Full-text search of title, outlet, abstract, notes and page text."
    ),
    Filter("key", "keys", ("--key",), True, "This work (citekey, DOI or URL); repeatable."),
    Filter("citing", "citing", ("--citing",), False, "Works that cite the work KEY (citekey, DOI or URL)."),
    Filter("cited_by", "cited_by", ("--cited-by",), False, "Works the work KEY cites (its reference list)."),
    Filter(
        "where",
        "where",
        ("--where",),
        False,
        "An SQL condition over `articles` columns, read-only: \"publisher = 'RAND'\".",
        over_http=False,
    ),
)

# API keyword / URL parameter name -> WorkFilter field
FIELD_OF: dict[str, str] = {f.name: f.field for f in FILTERS}
