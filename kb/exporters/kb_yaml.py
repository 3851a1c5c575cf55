"""kb's own YAML (the format of `kb dump` and `kb import`), for the selected works.

The documents are the ones `kb dump` writes (kb/yaml_format.py), in one file, with the
organisations, events and people the works link to, so the file imports on its own
into another knowledge base. Citations to works outside the selection are left out and
reported: the other knowledge base could not resolve them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..yaml_format import to_yaml, work_document
from . import ExportWork, Losses

FORMAT = "yaml"
EXTENSION = ".yaml"
MEDIA_TYPE = "application/yaml; charset=utf-8"
LABEL = "kb YAML"
LINKS = True  # each work comes with its stored row, its links and the records they name


def write(works: Iterable[ExportWork], losses: Losses, **_: Any) -> str:
    works = list(works)  # citations are kept only to works in the file: all keys first
    keys = {work.citekey for work in works}
    related: dict[tuple[int, int], dict[str, Any]] = {}
    documents: list[dict[str, Any]] = []
    for work in works:
        links = dict(work.links or {})
        cites = links.get("cites") or []
        inside = [c for c in cites if c["key"] in keys]
        if len(inside) < len(cites):
            losses.add(work.citekey, "a citation of a work outside the export")
        links["cites"] = inside
        documents.append(work_document(work.record or {}, links))
        related.update(((kind, place), doc) for kind, place, doc in work.related or ())
    documents = [related[k] for k in sorted(related)] + documents  # each record before what names it
    return to_yaml(documents) if documents else ""
