"""OpenAlex (`/works/doi:{doi}`): what Crossref often lacks, the abstract (kept by
OpenAlex as an inverted index), authors' ORCIDs and their institutions with ROR ids."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from ..names import fold
from .crossref import orcid_of
from .http import HttpClient, LookupFailed, Response, base_url

# OpenAlex's institution types -> kb's organisation types.
INSTITUTION_TYPES = {
    "education": "university",
    "government": "government",
    "nonprofit": "ngo",
    "company": "company",
    "facility": "facility",
    "healthcare": "healthcare",
    "archive": "archive",
    "funder": "funder",
}


@dataclass
class Institution:
    name: str
    ror: str | None = None  # "https://ror.org/052gg0110"
    country: str | None = None
    type: str | None = None


@dataclass
class Authorship:
    name: str
    orcid: str | None = None
    institutions: list[Institution] = field(default_factory=list)


@dataclass
class OpenAlexWork:
    abstract: str | None
    authorships: list[Authorship]
    openalex_id: str | None


def fetch(client: HttpClient, doi: str) -> OpenAlexWork | None:
    """OpenAlex's record of `doi`, or None when OpenAlex does not know it."""
    url = f"{base_url('openalex')}/works/doi:{quote(doi, safe='/')}"
    response = client.get("openalex", url, validate=lambda r: _work(r))
    if response.status == 404:
        return None
    if response.status != 200:
        raise LookupFailed(f"OpenAlex answered HTTP {response.status} for {doi}: try again later")
    return parse(_work(response))


def _work(response: Response) -> dict[str, Any]:
    data = response.json("an OpenAlex work")
    if not isinstance(data, dict) or not str(data.get("id", "")).startswith("https://openalex.org/W"):
        raise LookupFailed("OpenAlex answered with something that is not a work (no OpenAlex id): try again later")
    return data


def abstract_from_inverted_index(index: dict[str, list[int]] | None) -> str | None:
    """{"Despite": [0], "growing": [1], ...} -> "Despite growing ..."."""
    if not index:
        return None
    positions = {position: word for word, places in index.items() for position in places}
    return " ".join(positions[p] for p in sorted(positions)) or None


def parse(work: dict[str, Any]) -> OpenAlexWork:
    authorships = []
    for entry in work.get("authorships") or []:
        author = entry.get("author") or {}
        institutions = [
            Institution(
                name=" ".join(inst["display_name"].split()),
                ror=inst.get("ror") or None,
                country=inst.get("country_code") or None,
                type=INSTITUTION_TYPES.get(inst.get("type") or ""),
            )
            for inst in entry.get("institutions") or []
            if inst.get("display_name")
        ]
        authorships.append(
            Authorship(
                author.get("display_name") or entry.get("raw_author_name") or "",
                orcid_of(author.get("orcid")),
                institutions,
            )
        )
    return OpenAlexWork(abstract_from_inverted_index(work.get("abstract_inverted_index")), authorships, work.get("id"))


def match_authors(names: list[dict[str, Any]], authorships: list[Authorship]) -> dict[int, Authorship]:
    """Each CSL author's OpenAlex authorship: by position when the family name agrees,
    else the first authorship naming that family name; authors with no match are left out."""
    found: dict[int, Authorship] = {}
    for i, name in enumerate(names):
        family = fold(name.get("family") or name.get("literal") or "")
        if not family:
            continue
        candidates = ([authorships[i]] if i < len(authorships) else []) + authorships
        for authorship in candidates:
            if family in fold(authorship.name):
                found[i] = authorship
                break
    return found
