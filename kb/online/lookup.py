"""An identifier -> the records to save, asking the services in turn.

DOI: Crossref, then DataCite when Crossref does not know it; OpenAlex adds what they
lack (abstract, ORCIDs, institutions with ROR ids). ISBN: Open Library. arXiv id: the
arXiv API. URL: the page through the saved-HTML importer, or a PDF's metadata.
Nothing here touches the database: `kb.cli.add_online` saves what comes back through the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..csl import clean_item
from ..errors import KbError
from ..model import Affiliation, OrganisationRecord, PersonRecord, Record, WorkRecord
from . import arxiv, crossref, datacite, openalex, openlibrary, web
from .http import HttpClient, LookupFailed
from .identifiers import Identifier


@dataclass
class Found:
    """What a look-up gave: the work, the records around it, and where each came from."""

    identifier: Identifier
    work: WorkRecord
    source: str  # "crossref", "datacite", "openlibrary", "arxiv", "html", "pdf"
    others: list[Record] = field(default_factory=list)  # people, organisations, earlier versions
    services: list[str] = field(default_factory=list)  # as the summary names them
    warnings: list[str] = field(default_factory=list)
    reference_dois: list[str] = field(default_factory=list)


def look_up(client: HttpClient, identifier: Identifier) -> Found:
    """The records for one identifier; LookupFailed saying why when there are none.

    A record whose fields are not the shapes the service documents (a string where a
    list should be, a date kb cannot read) is a malformed answer: refused here, so the
    command's other identifiers are still saved, and dropped from the cache, so the
    next try asks the service again."""
    mark = len(client.remembered)
    try:
        found = _look_up(client, identifier)
        clean_item(found.work.item)
        return found
    except LookupFailed:
        client.forget_since(mark)
        raise
    except KbError as exc:
        client.forget_since(mark)
        raise LookupFailed(
            f"the answer for {identifier.value} has a field kb cannot read ({exc}): "
            "log the work by hand with kb add --title"
        ) from None
    except (TypeError, AttributeError, KeyError, IndexError, ValueError) as exc:
        client.forget_since(mark)
        raise LookupFailed(
            f"the answer for {identifier.value} is not shaped as the service documents "
            f"({type(exc).__name__}: {exc}): try again later, or log the work by hand with kb add --title"
        ) from None


def _look_up(client: HttpClient, identifier: Identifier) -> Found:
    if identifier.kind == "doi":
        return look_up_doi(client, identifier)
    if identifier.kind == "isbn":
        book = openlibrary.fetch(client, identifier.value)
        item = openlibrary.to_item(book, identifier.value)
        return Found(
            identifier,
            _work(item, identifier, {"source": "openlibrary", "key": book.get("key")}),
            "openlibrary",
            services=["Open Library"],
        )
    if identifier.kind == "arxiv":
        entry = arxiv.fetch(client, identifier.value)
        item, extra = arxiv.to_item(entry, identifier.value)
        work = _work(item, identifier, {"source": "arxiv"})
        work.extra.update(extra)
        return Found(identifier, work, "arxiv", services=["arXiv"])
    response, records = web.fetch(client, identifier.value)
    works = [r for r in records if isinstance(r, WorkRecord)]
    work = works[-1]  # the page's own work comes last, after any earlier version it cites
    work.extra.setdefault("lookup", {})["source"] = "pdf" if web.is_pdf(response) else "html"
    return Found(
        identifier,
        work,
        work.extra["lookup"]["source"],
        others=[r for r in records if r is not work],
        services=["the page itself"],
    )


def _work(item: dict[str, Any], identifier: Identifier, lookup: dict[str, Any]) -> WorkRecord:
    return WorkRecord(item=item, extra={"lookup": {k: v for k, v in lookup.items() if v}}, origin=identifier.given)


def look_up_doi(client: HttpClient, identifier: Identifier) -> Found:
    doi = identifier.value
    message = crossref.fetch(client, doi)
    if message is not None:
        item, orcids, source = crossref.to_item(message), crossref.orcids(message), "crossref"
        references = crossref.reference_dois(message)
    else:
        attributes = datacite.fetch(client, doi)
        if attributes is None:
            raise LookupFailed(
                f"neither Crossref nor DataCite knows the DOI {doi}: check it for a typo "
                f"(https://doi.org/{doi} says whether it exists)"
            )
        item, orcids, source, references = datacite.to_item(attributes), datacite.orcids(attributes), "datacite", []
    lookup: dict[str, Any] = {"source": source}
    found = Found(
        identifier,
        _work(item, identifier, lookup),
        source,
        services=["Crossref" if source == "crossref" else "DataCite"],
        reference_dois=references,
    )
    try:
        extra = openalex.fetch(client, doi)
    except LookupFailed as exc:  # OpenAlex only adds to what the DOI's agency gave
        found.warnings.append(f"OpenAlex not reached, so no abstract, ORCIDs or institutions from it ({exc})")
        extra = None
    if extra is not None:
        found.services.append("OpenAlex")
        found.work.extra["lookup"]["openalex"] = extra.openalex_id
        filled = found.work.extra["lookup"].setdefault("filled", {})
        if not item.get("abstract") and extra.abstract:
            item["abstract"] = extra.abstract
            filled["abstract"] = "openalex"
        people, organisations = _people(item.get("author") or [], orcids, extra, filled)
        found.others += organisations + people
    else:
        found.others += _people(item.get("author") or [], orcids, None, {})[0]
    if references:
        found.work.extra["lookup"]["references"] = references
    if not found.work.extra["lookup"].get("filled"):
        found.work.extra["lookup"].pop("filled", None)
    return found


def _people(
    authors: list[dict[str, Any]], orcids: dict[int, str], extra: openalex.OpenAlexWork | None, filled: dict[str, Any]
) -> tuple[list[Record], list[Record]]:
    """The authors with an ORCID or an institution, as people; their institutions as organisations."""
    matched = openalex.match_authors(authors, extra.authorships) if extra else {}
    people: list[Record] = []
    organisations: dict[str, OrganisationRecord] = {}
    for position, name in enumerate(authors):
        if name.get("literal"):
            continue
        authorship = matched.get(position)
        orcid = orcids.get(position) or (authorship.orcid if authorship else None)
        if authorship and authorship.orcid and position not in orcids:
            filled.setdefault("orcid", "openalex")
        institutions = authorship.institutions if authorship else []
        for inst in institutions:
            organisations.setdefault(
                inst.name,
                OrganisationRecord(
                    name=inst.name, type=inst.type, country=inst.country, url=inst.ror, origin="OpenAlex"
                ),
            )
        if orcid or institutions:
            people.append(
                PersonRecord(
                    name=name,
                    orcid=orcid,
                    affiliations=[Affiliation(i.name) for i in institutions],
                    origin="OpenAlex" if authorship else "Crossref",
                )
            )
    return people, list(organisations.values())
