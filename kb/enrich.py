"""Fill what logged works are missing from Crossref, DataCite and OpenAlex, never
overwriting what a person wrote.

For a work with a DOI: the DOI's record (Crossref, else DataCite) and OpenAlex's. For a
work without one: a Crossref search by title, first author and year, accepted only when
exactly one candidate agrees on all three. What can be filled: the DOI, the abstract,
outlet, volume, issue, pages, publisher, ISSN and language when the work has none, and
the ORCIDs and institutions of its authors when they have none. Each filled field is
recorded in the work's `extra_json` under `enriched` as coming from its service.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .errors import KbError
from .model import OrganisationRecord, PersonRecord, WorkRecord
from .names import fold, name_key
from .online import crossref
from .online.http import HttpClient
from .online.identifiers import Identifier
from .online.lookup import look_up
from .store import Store

FILLABLE = ("DOI", "abstract", "container-title", "volume", "issue", "page", "publisher", "ISSN", "language")
SERVICE_NAMES = {
    "crossref": "Crossref",
    "datacite": "DataCite",
    "openalex": "OpenAlex",
    "crossref-search": "Crossref search",
}


@dataclass
class Enrichment:
    """What one work would gain: fields (value, service), and its authors' identifiers."""

    article_id: int
    citekey: str
    fields: dict[str, tuple[Any, str]] = field(default_factory=dict)
    people: list[PersonRecord] = field(default_factory=list)  # authors with an ORCID or affiliation to add
    organisations: list[OrganisationRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was found but not filled, and why

    def describe(self) -> str:
        by_service: dict[str, list[str]] = {}
        for name, (_, service) in self.fields.items():
            by_service.setdefault(SERVICE_NAMES.get(service, service), []).append(name)
        parts = [f"{', '.join(names)} ({service})" for service, names in by_service.items()]
        orcids = sum(1 for p in self.people if p.orcid)
        affiliations = sum(len(p.affiliations) for p in self.people)
        if orcids:
            parts.append(f"{orcids} ORCID{'s' if orcids != 1 else ''}")
        if affiliations:
            parts.append(f"{affiliations} affiliation{'s' if affiliations != 1 else ''} (OpenAlex)")
        return "; ".join(parts)

    def is_empty(self) -> bool:
        return not (self.fields or self.people)


def propose(store: Store, client: HttpClient, article_id: int) -> Enrichment | None:
    """What the services can add to the work; None when there is nothing to look it up by."""
    citekey, csl_json = store.conn.execute(
        "SELECT citekey, csl_json FROM articles WHERE id = ?", (article_id,)
    ).fetchone()
    item = json.loads(csl_json)
    enrichment = Enrichment(article_id, citekey)
    doi, doi_source = item.get("DOI"), None
    if not doi:
        family = next((a.get("family") for a in item.get("author") or [] if a.get("family")), None)
        year = ((item.get("issued") or {}).get("date-parts") or [[None]])[0][0]
        if not (item.get("title") and family and year):
            return None
        doi = crossref.search(client, item["title"], family, int(year))
        if doi is None:
            enrichment.notes.append("no certain match in Crossref (title, first author and year)")
            return enrichment
        doi_source = "crossref-search"
        holder = store.find_work(doi)
        if holder is not None and holder != article_id:
            enrichment.notes.append(
                f"Crossref's match {doi} is already the DOI of {store.citekey_of(holder)} (a duplicate? see kb dedupe)"
            )
            return enrichment
    found = look_up(client, Identifier("doi", doi, doi))
    lookup = found.work.extra.get("lookup", {})
    for name in FILLABLE:
        value = found.work.item.get(name)
        if value and not item.get(name):
            enrichment.fields[name] = (
                value,
                lookup.get("filled", {}).get(name, doi_source if name == "DOI" else lookup["source"]),
            )
    _authors(store, item.get("author") or [], found.others, enrichment)
    return enrichment


def _authors(store: Store, authors: list[dict[str, Any]], others: list[Any], enrichment: Enrichment) -> None:
    """The looked-up authors matched to the work's own, by family name and first initial;
    an ORCID only for an author who has none, affiliations only where new."""
    organisations = {o.name: o for o in others if isinstance(o, OrganisationRecord)}
    for person in (p for p in others if isinstance(p, PersonRecord)):
        own = next(
            (
                a
                for a in authors
                if fold(a.get("family") or "") == fold(person.name.get("family") or "")
                and fold(a.get("given") or "")[:1] == fold(person.name.get("given") or "")[:1]
            ),
            None,
        )
        if own is None:
            continue
        author_id = store.caches.author.get(name_key(own))  # the work's own author row
        if author_id is None:
            continue
        current_orcid = store.conn.execute("SELECT orcid FROM authors WHERE id = ?", (author_id,)).fetchone()[0]
        held = {
            row[0]
            for row in store.conn.execute(
                "SELECT o.name FROM affiliations a JOIN organisations o ON o.id = a.organisation_id WHERE a.author_id = ?",
                (author_id,),
            )
        }
        affiliations = [a for a in person.affiliations if a.organisation not in held]
        orcid = person.orcid if not current_orcid else None
        if orcid or affiliations:
            enrichment.people.append(
                PersonRecord(name=own, orcid=orcid, affiliations=affiliations, origin=enrichment.citekey)
            )
            enrichment.organisations += [
                organisations[a.organisation] for a in affiliations if a.organisation in organisations
            ]


def apply(store: Store, enrichment: Enrichment) -> None:
    """Write the enrichment through the store (inside the caller's transaction)."""
    row = store.conn.execute("SELECT title, type FROM articles WHERE id = ?", (enrichment.article_id,)).fetchone()
    if enrichment.fields:
        item = {
            "id": enrichment.citekey,
            "title": row[0],
            "type": row[1],
            **{k: v for k, (v, _) in enrichment.fields.items()},
        }
        # needs_review=True: filling gaps is no reason to clear a flag a person or an import set.
        record = WorkRecord(
            item=item,
            extra={"enriched": {k: s for k, (_, s) in enrichment.fields.items()}},
            needs_review=True,
            origin=enrichment.citekey,
        )
        result = store.save_work(record, on_duplicate="merge")
        if result.article_id != enrichment.article_id:
            raise KbError(f"enriching {enrichment.citekey} matched {result.citekey} instead", enrichment.citekey)
    for organisation in {o.name: o for o in enrichment.organisations}.values():
        store.save_organisation(organisation)
    for person in enrichment.people:
        store.save_person(person)
