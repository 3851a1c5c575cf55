"""A small knowledge base holding the hard cases of export: particles, corporate
authors, accents, TeX specials, partial dates and ranges, circa, an event date, fields
kept from an import, and one work of every CSL type kb maps."""

from __future__ import annotations

from pathlib import Path

from kb.db import connect
from kb.model import CSL_TYPES, CitationRef, EventRecord, Link, OrganisationRecord, WorkRecord
from kb.store import Store

HARD_WORKS = [
    WorkRecord(
        item={
            "id": "fuenteArms2008",
            "type": "article-journal",
            "title": "Arms & Influence: 100% of $5 for #1 under_score {braces} ~ \\ back ^ caret",
            "author": [
                {"family": "Fuente", "non-dropping-particle": "de la", "given": "Juan", "suffix": "Jr."},
                {"family": "Berg", "non-dropping-particle": "van der", "given": "Anna"},
            ],
            "container-title": "Survival",
            "volume": "50",
            "issue": "4",
            "page": "12-30",
            "issued": {"date-parts": [[2008, 8]]},
            "DOI": "10.1080/00396330802329006",
            "language": "en",
        },
        tags=["chapter-3", "Russia"],
        events=[Link("Russo-Georgian War")],
        organisations=[Link("NATO")],
        added_by="anna",
        added_at="2026-01-10T10:00:00Z",
    ),
    WorkRecord(
        item={
            "id": "natoLisbonDeclaration2010",
            "type": "report",
            "title": "Lisbon Summit Declaration",
            "author": [{"literal": "North Atlantic Treaty Organization"}],
            "publisher": "NATO Public Diplomacy Division",
            "publisher-place": "Brussels",
            "issued": {"date-parts": [[2010, 11, 19], [2010, 11, 20]]},
            "event-title": "2010 NATO Lisbon Summit",
            "event-place": "Lisbon",
            "event-date": {"date-parts": [[2010, 11, 19], [2010, 11, 20]]},
            "URL": "https://www.nato.int/cps/en/natohq/official_texts_68828.htm?selectedLocale=en&x=1_2",
        },
        tags=["chapter-3"],
        events=[Link("2010 NATO Lisbon Summit")],
        organisations=[Link("NATO", "author")],
        cites=[CitationRef("fuenteArms2008")],
        added_by="ben",
        added_at="2026-03-01T09:00:00Z",
    ),
    WorkRecord(
        item={
            "id": "kuleszaRusskaya1990",
            "type": "book",
            "title": "Émigré politics: Łódź, Tbilisi and Москва",
            "author": [{"family": "Kulesza", "given": "Łukasz"}, {"family": "Šimkanič", "given": "Ján"}],
            "publisher": "Éditions du Seuil",
            "publisher-place": "Paris",
            "ISBN": "978-2-02-000000-0",
            "issued": {"date-parts": [[1990]], "circa": True},
        },
        tags=["background"],
        added_by="anna",
        added_at="2025-05-05T12:00:00Z",
    ),
    WorkRecord(
        item={
            "id": "kulhanekImpossibleDream2010",
            "type": "post-weblog",
            "title": "An impossible dream?",
            "author": [{"family": "Kulhanek", "given": "Jakub"}],
            "container-title": "European Politics blog",
            "issued": {"date-parts": [[2010, 11]]},
            "accessed": {"date-parts": [[2026, 11, 1]]},
            "URL": "https://blogs.example.ac.uk/europe/2010/11/impossible-dream/",
            "abstract": "NATO and Russia after the Lisbon summit.",
        },
        tags=["chapter-3", "Russia"],
        events=[Link("Lisbon Summit")],
        organisations=[Link("Russia"), Link("the Alliance", "mentions")],
        cites=[CitationRef("natoLisbonDeclaration2010", "responds-to")],
        extra={
            "bibtex": {"ENTRYTYPE": "online", "eprinttype": "arxiv", "eprint": "1011.0001", "file": "blog/dream.pdf"},
            "ris": {"M1": ["blog post"], "DB": ["LSE blogs"]},
        },
        added_by="jakub",
        added_at="2026-11-20T08:00:00Z",
    ),
    WorkRecord(
        item={
            "id": "mod2009",
            "type": "report",
            "title": "Defence Review <script>alert(1)</script>",
            "author": [{"literal": "Ministry of Defence, United Kingdom"}],
            "issued": {"date-parts": [[2009, 2, 3]]},
            "number": "Cm 7794",
            "publisher": "The Stationery Office",
            "genre": "Green paper",
        },
        added_by="ben",
        added_at="2026-02-02T00:00:00Z",
    ),
]


def every_type_works() -> list[WorkRecord]:
    return [
        WorkRecord(
            item={
                "id": f"type-{csl_type}",
                "type": csl_type,
                "title": f"A work of type {csl_type}",
                # a year each, so no two of them look like duplicates to the store
                "author": [{"family": "Typer", "given": "Tess"}],
                "issued": {"date-parts": [[1950 + n, 1, 2]]},
                "container-title": "Container",
                "publisher": "Publisher",
            },
            added_by="tess",
            added_at="2026-04-04T00:00:00Z",
        )
        for n, csl_type in enumerate(sorted(CSL_TYPES))
    ]


def build_export_kb(path: Path, with_every_type: bool = True) -> Path:
    store = Store(connect(path), user="tester")
    with store.transaction():
        store.save_organisation(
            OrganisationRecord(
                "North Atlantic Treaty Organization", acronym="NATO", type="alliance", aliases=["the Alliance"]
            )
        )
        store.save_organisation(OrganisationRecord("Russia", type="state", aliases=["Russian Federation"]))
        store.save_event(
            EventRecord("Russo-Georgian War", type="war", date="August 2008", aliases=["2008 war in Georgia"])
        )
        store.save_event(
            EventRecord("2010 NATO Lisbon Summit", type="summit", date="19-20 November 2010", aliases=["Lisbon Summit"])
        )
        for record in HARD_WORKS + (every_type_works() if with_every_type else []):
            store.save_work(record, on_duplicate="error")
    store.conn.close()
    return path
