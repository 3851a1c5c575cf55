"""kb's own YAML: the format of `kb dump`, of `data/`, and of hand-written records.

A file holds one record (a mapping) or a list of them. Each record says its `kind`:
``work``, ``event``, ``organisation`` or ``person``. A work's other keys are CSL-JSON
variables (``title``, ``author``, ``issued``, ``container-title``, ``URL`` ...) plus kb's
own (``citekey``, ``tags``, ``events``, ``organisations``, ``cites``, ``notes``, ...).
Dates may be written as people write them ("19-20 November 2010").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import yaml

from ..dates import parse_partial_date
from ..errors import KbError
from ..limits import refuse_yaml_aliases
from ..model import (
    CSL_DATE_VARIABLES,
    CSL_NAME_VARIABLES,
    Affiliation,
    CitationRef,
    EventRecord,
    Invalid,
    Link,
    NoteRecord,
    OrganisationRecord,
    Participant,
    PersonRecord,
    Record,
    WorkRecord,
)
from ..names import parse_name
from ..yaml_format import KINDS, WORK_KEYS, Loader

FORMAT = "yaml"
EXTENSIONS = (".yaml", ".yml")


def detect(head: str) -> bool:
    return head.lstrip().startswith(("kind:", "- kind:", "---"))


def _strip_lines(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def parse(text: str, source: str) -> Iterator[Record]:
    refuse_yaml_aliases(text, source, Loader)
    try:
        documents = [d for d in yaml.load_all(text, Loader=Loader) if d is not None]
    except RecursionError:
        raise KbError("not valid YAML: nested too deeply", source) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark else source
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise KbError(f"not valid YAML: {problem}", where) from None
    for document in documents:
        entries = document if isinstance(document, list) else [document]
        for entry in entries:
            if not isinstance(entry, dict):
                raise KbError(f"expected a record (a mapping with a `kind`), found {type(entry).__name__}", source)
            try:
                yield parse_record(entry, source)
            except KbError as exc:  # one bad record: the runner fails or skips it
                yield Invalid(exc.message, exc.where or source)


def parse_record(entry: dict[str, Any], source: str) -> Record:
    where = f"{source}:{entry.get('__line__', 1)}"
    data = _strip_lines(entry)
    kind = data.pop("kind", None)
    if kind not in KINDS:
        raise KbError(f"a record needs `kind:` (one of {', '.join(KINDS)}), found {kind!r}", where)
    try:
        if kind == "work":
            return _work(data, where)
        if kind == "event":
            return _event(data, where)
        if kind == "organisation":
            return _organisation(data, where)
        return _person(data, where)
    except (TypeError, ValueError, AttributeError) as exc:
        raise KbError(f"malformed {kind} record: {exc}", where) from None


def _list(value: Any, what: str, where: str) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (str, dict)):
        return [value]
    if not isinstance(value, list):
        raise KbError(f"`{what}` should be a list", where)
    return value


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _check_keys(data: dict[str, Any], allowed: set[str], kind: str, where: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise KbError(f"unknown key {unknown[0]!r} in a {kind} record (allowed: {', '.join(sorted(allowed))})", where)


def _name(value: Any, where: str) -> dict[str, Any]:
    if isinstance(value, dict):
        return {k: str(v) for k, v in value.items() if v not in (None, "")}
    if isinstance(value, str):
        return parse_name(value)
    raise KbError(f"a name should be text or a mapping, found {value!r}", where)


def _date(value: Any, variable: str, where: str) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    try:
        return parse_partial_date(str(value)).to_csl()
    except KbError as exc:
        raise KbError(f"{variable}: {exc.message}", where) from None


def _links(value: Any, what: str, where: str) -> list[Link]:
    links = []
    for entry in _list(value, what, where):
        if isinstance(entry, str):
            links.append(Link(entry))
        elif isinstance(entry, dict) and entry.get("name"):
            links.append(
                Link(str(entry["name"]), entry.get("relation") or "discusses", entry.get("source") or "manual")
            )
        else:
            raise KbError(f"each of `{what}` should be a name or a mapping with `name`", where)
    return links


def _work(data: dict[str, Any], where: str) -> WorkRecord:
    item: dict[str, Any] = {}
    for key, value in data.items():
        if key in WORK_KEYS:
            continue
        if key in CSL_NAME_VARIABLES:
            item[key] = [_name(n, where) for n in _list(value, key, where)]
        elif key in CSL_DATE_VARIABLES:
            item[key] = _date(value, key, where)
        else:
            item[key] = value
    if data.get("citekey"):
        item["id"] = str(data["citekey"])
    cites = []
    for entry in _list(data.get("cites"), "cites", where):
        if isinstance(entry, str):
            cites.append(CitationRef(entry))
        elif isinstance(entry, dict) and entry.get("key"):
            cites.append(
                CitationRef(
                    str(entry["key"]),
                    entry.get("relation") or "cites",
                    _text(entry.get("locator")),
                    _text(entry.get("context")),
                )
            )
        else:
            raise KbError("each of `cites` should be a citekey or a mapping with `key`", where)
    notes = []
    for entry in _list(data.get("notes"), "notes", where):
        if isinstance(entry, str):
            entry = {"comment": entry}
        _check_keys(
            entry, {"comment", "quote", "locator", "event", "organisation", "added_by", "added_at"}, "note", where
        )
        notes.append(NoteRecord(**{k: _text(v) for k, v in entry.items()}))
    extra = data.get("extra") or {}
    if not isinstance(extra, dict):
        raise KbError("`extra` should be a mapping of format to fields", where)
    return WorkRecord(
        item=item,
        tags=[str(t) for t in _list(data.get("tags"), "tags", where)],
        events=_links(data.get("events"), "events", where),
        organisations=_links(data.get("organisations"), "organisations", where),
        cites=cites,
        notes=notes,
        extra=extra,
        text=_text(data.get("text")),
        status=_text(data.get("status")),
        added_by=_text(data.get("added_by")),
        added_at=_text(data.get("added_at")),
        needs_review=bool(data.get("needs_review")),
        origin=where,
    )


def _event(data: dict[str, Any], where: str) -> EventRecord:
    _check_keys(
        data, {"name", "type", "date", "location", "parent", "description", "aliases", "organisations"}, "event", where
    )
    if not data.get("name"):
        raise KbError("an event needs a `name`", where)
    participants = []
    for entry in _list(data.get("organisations"), "organisations", where):
        if isinstance(entry, str):
            participants.append(Participant(entry))
        elif isinstance(entry, dict) and entry.get("organisation"):
            participants.append(Participant(str(entry["organisation"]), entry.get("role") or "participant"))
        else:
            raise KbError("each of an event's `organisations` should be a name or a mapping with `organisation`", where)
    return EventRecord(
        name=str(data["name"]),
        type=_text(data.get("type")),
        date=_text(data.get("date")),
        location=_text(data.get("location")),
        parent=_text(data.get("parent")),
        description=_text(data.get("description")),
        aliases=[str(a) for a in _list(data.get("aliases"), "aliases", where)],
        organisations=participants,
        origin=where,
    )


def _organisation(data: dict[str, Any], where: str) -> OrganisationRecord:
    _check_keys(
        data, {"name", "acronym", "type", "country", "parent", "url", "description", "aliases"}, "organisation", where
    )
    if not data.get("name"):
        raise KbError("an organisation needs a `name`", where)
    return OrganisationRecord(
        name=str(data["name"]),
        acronym=_text(data.get("acronym")),
        type=_text(data.get("type")),
        country=_text(data.get("country")),
        parent=_text(data.get("parent")),
        url=_text(data.get("url")),
        description=_text(data.get("description")),
        aliases=[str(a) for a in _list(data.get("aliases"), "aliases", where)],
        origin=where,
    )


def _person(data: dict[str, Any], where: str) -> PersonRecord:
    _check_keys(data, {"name", "affiliations", "orcid", "url"}, "person", where)
    if not data.get("name"):
        raise KbError("a person needs a `name`", where)
    affiliations = []
    for entry in _list(data.get("affiliations"), "affiliations", where):
        if isinstance(entry, str):
            entry = {"organisation": entry}
        _check_keys(entry, {"organisation", "role", "start", "end"}, "affiliation", where)
        if not entry.get("organisation"):
            raise KbError("an affiliation needs an `organisation`", where)
        affiliations.append(
            Affiliation(
                str(entry["organisation"]), _text(entry.get("role")), _text(entry.get("start")), _text(entry.get("end"))
            )
        )
    return PersonRecord(
        name=_name(data["name"], where),
        affiliations=affiliations,
        orcid=_text(data.get("orcid")),
        url=_text(data.get("url")),
        origin=where,
    )
