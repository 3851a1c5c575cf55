"""DataCite's REST API (`/dois/{doi}`, JSON:API): DOIs Crossref does not hold
(datasets, Zenodo and institutional repositories, arXiv's own DOIs)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from ..model import CSL_TYPES
from .crossref import orcid_of
from .http import HttpClient, LookupFailed, Response, base_url


def fetch(client: HttpClient, doi: str) -> dict[str, Any] | None:
    """DataCite's attributes for `doi`, or None when DataCite does not know it."""
    url = f"{base_url('datacite')}/dois/{quote(doi, safe='/')}"
    response = client.get("datacite", url, validate=lambda r: _attributes(r))
    if response.status == 404:
        return None
    if response.status != 200:
        raise LookupFailed(f"DataCite answered HTTP {response.status} for {doi}: try again later")
    return _attributes(response)


def _attributes(response: Response) -> dict[str, Any]:
    data = response.json("a DataCite DOI record")
    attributes = (data.get("data") or {}).get("attributes") if isinstance(data, dict) else None
    if not isinstance(attributes, dict) or not attributes.get("doi"):
        raise LookupFailed(
            "DataCite answered with something that is not a DOI record (no data.attributes.doi): "
            "try again later, or log the work by hand with kb add --title"
        )
    return attributes


def _creator(person: dict[str, Any]) -> dict[str, Any] | None:
    if person.get("nameType") == "Organizational" or (
        not person.get("familyName") and "," not in (person.get("name") or "")
    ):
        return {"literal": person["name"]} if person.get("name") else None
    family = person.get("familyName") or person["name"].split(",", 1)[0].strip()
    given = person.get("givenName") or (
        person["name"].split(",", 1)[1].strip() if "," in (person.get("name") or "") else None
    )
    return {k: v for k, v in {"family": family, "given": given}.items() if v}


def _text(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("name")
    return " ".join(str(value).split()) or None if value else None


def _issued(attributes: dict[str, Any]) -> dict[str, Any] | None:
    for entry in attributes.get("dates") or []:
        if entry.get("dateType") == "Issued" and re.match(r"^\d{4}", str(entry.get("date") or "")):
            parts = [int(p) for p in re.findall(r"\d+", str(entry["date"]))[:3]]
            return {"date-parts": [parts]}
    if attributes.get("publicationYear"):
        return {"date-parts": [[int(attributes["publicationYear"])]]}
    return None


def to_item(attributes: dict[str, Any]) -> dict[str, Any]:
    """DataCite's attributes as a CSL item."""
    types = attributes.get("types") or {}
    work_type = (
        types.get("citeproc")
        if types.get("citeproc") in CSL_TYPES
        else "dataset"
        if types.get("resourceTypeGeneral") == "Dataset"
        else "document"
    )
    titles = [t for t in attributes.get("titles") or [] if t.get("title")]
    main = next((t["title"] for t in titles if not t.get("titleType")), titles[0]["title"] if titles else None)
    abstract = next(
        (d.get("description") for d in attributes.get("descriptions") or [] if d.get("descriptionType") == "Abstract"),
        None,
    )
    container = attributes.get("container") or {}
    return {
        "type": work_type,
        "title": _text(main),
        "author": [name for person in attributes.get("creators") or [] if (name := _creator(person))],
        "publisher": _text(attributes.get("publisher")),
        "container-title": _text(container.get("title")),
        "volume": container.get("volume"),
        "issue": container.get("issue"),
        "issued": _issued(attributes),
        "DOI": attributes["doi"],
        "URL": attributes.get("url"),
        "abstract": " ".join(abstract.split()) if isinstance(abstract, str) else None,
        "language": attributes.get("language"),
        "version": attributes.get("version"),
    }


def orcids(attributes: dict[str, Any]) -> dict[int, str]:
    found = {}
    for i, person in enumerate(attributes.get("creators") or []):
        for ident in person.get("nameIdentifiers") or []:
            if (ident.get("nameIdentifierScheme") or "").upper() == "ORCID" and orcid_of(ident.get("nameIdentifier")):
                found[i] = orcid_of(ident["nameIdentifier"])
    return found
