"""The records every importer produces and every exporter reads.

A work is a CSL-JSON item (the field vocabulary of citeproc, Zotero and pandoc) plus
kb's own links: tags, events, organisations, citations and notes. Events, organisations
and people are small records of their own. Importers build these from files without
touching the database; the store writes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The CSL 1.0.2 item types.
CSL_TYPES = frozenset(
    """article article-journal article-magazine article-newspaper bill book broadcast
    chapter classic collection dataset document entry entry-dictionary entry-encyclopedia
    event figure graphic hearing interview legal_case legislation manuscript map
    motion_picture musical_score pamphlet paper-conference patent performance periodical
    personal_communication post post-weblog regulation report review review-book software
    song speech standard thesis treaty webpage""".split()
)

# CSL name variables (lists of {family, given, ...} or {literal}).
CSL_NAME_VARIABLES = (
    "author",
    "editor",
    "translator",
    "container-author",
    "collection-editor",
    "composer",
    "director",
    "illustrator",
    "interviewer",
    "recipient",
    "reviewed-author",
    "editorial-director",
    "chair",
    "compiler",
    "contributor",
    "curator",
    "executive-producer",
    "guest",
    "host",
    "narrator",
    "organizer",
    "performer",
    "producer",
    "script-writer",
    "series-creator",
)

# CSL date variables ({date-parts, raw, literal, season, circa}).
CSL_DATE_VARIABLES = (
    "issued",
    "accessed",
    "event-date",
    "original-date",
    "submitted",
    "available-date",
)

# Relations a citation can carry, and a work's relation to an event or organisation.
CITATION_RELATIONS = ("cites", "revises", "responds-to", "quotes", "disputes", "reviews", "extends")
LINK_RELATIONS = ("discusses", "mentions", "publisher", "funder", "author", "subject")
LINK_SOURCES = ("manual", "detected")
READING_STATUSES = ("unread", "reading", "read", "skimmed")
CREATOR_ROLES = ("author", "editor", "translator")


@dataclass
class Link:
    """A work's link to an event or organisation, named the way the user wrote it."""

    name: str
    relation: str = "discusses"
    source: str = "manual"


@dataclass
class CitationRef:
    """A citation from the work that holds it to another work, found by `key`."""

    key: str
    relation: str = "cites"
    locator: str | None = None
    context: str | None = None


@dataclass
class NoteRecord:
    comment: str | None = None
    quote: str | None = None
    locator: str | None = None
    event: str | None = None
    organisation: str | None = None
    added_by: str | None = None
    added_at: str | None = None


@dataclass
class ImportWarning:
    """Something an import read differently from the source, or left as written.

    `kind` groups them in the summary: "date" (a date kb could not read, kept as text),
    "field" (a repeated field whose later values were ignored), "block" (a block that
    is not a work, such as ``@set``)."""

    kind: str
    message: str


@dataclass
class WorkRecord:
    """One work: `item` is its complete CSL-JSON item, `item['id']` its citekey if known.

    `extra` keeps the fields of the source format that CSL has no variable for, keyed by
    format (``{"bibtex": {"eprinttype": "arxiv"}}``), so an export gives them back.
    `text` is the body of a web page: searched and scanned for mentions, never exported.
    `origin` says where the record came from ("refs.bib:120") for error messages.
    """

    item: dict[str, Any]
    tags: list[str] = field(default_factory=list)
    events: list[Link] = field(default_factory=list)
    organisations: list[Link] = field(default_factory=list)
    cites: list[CitationRef] = field(default_factory=list)
    notes: list[NoteRecord] = field(default_factory=list)
    extra: dict[str, dict[str, Any]] = field(default_factory=dict)
    text: str | None = None
    status: str | None = None
    added_by: str | None = None
    added_at: str | None = None
    needs_review: bool = False
    origin: str | None = None
    # What the importer could not take as the source gave it (a date kept as written, a
    # repeated field): reported in the import summary, not stored.
    warnings: list[ImportWarning] = field(default_factory=list)

    @property
    def citekey(self) -> str | None:
        return self.item.get("id") or None


@dataclass
class OrganisationRecord:
    name: str
    acronym: str | None = None
    type: str | None = None
    country: str | None = None
    parent: str | None = None
    url: str | None = None
    description: str | None = None
    aliases: list[str] = field(default_factory=list)
    origin: str | None = None


@dataclass
class Participant:
    organisation: str
    role: str = "participant"


@dataclass
class EventRecord:
    """An event; `date` is the date as the user wrote it ("19-20 November 2010")."""

    name: str
    type: str | None = None
    date: str | None = None
    location: str | None = None
    parent: str | None = None
    description: str | None = None
    aliases: list[str] = field(default_factory=list)
    organisations: list[Participant] = field(default_factory=list)
    origin: str | None = None


@dataclass
class Affiliation:
    organisation: str
    role: str | None = None
    start: str | None = None
    end: str | None = None


@dataclass
class PersonRecord:
    """A person (or corporate creator) as a CSL name, with affiliations."""

    name: dict[str, Any]
    affiliations: list[Affiliation] = field(default_factory=list)
    orcid: str | None = None
    url: str | None = None
    origin: str | None = None


Record = WorkRecord | OrganisationRecord | EventRecord | PersonRecord


@dataclass
class Invalid:
    """A record an importer could not read: fails the import, or is skipped and reported
    with `--skip-invalid`. Importers yield it instead of raising so the rest can go on."""

    message: str
    origin: str
