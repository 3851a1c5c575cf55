"""CSL-JSON export: the items as kb keeps them, which is what Zotero, pandoc and
citeproc read.

Dates are `date-parts` (ranges as two parts, `circa` kept), organisations are
`literal` names, the `id` is the citekey, and `custom` carries what CSL has no
variable for: the citekey again (Zotero drops `id` on import) and the source-format
fields an import kept (`custom.kb-extra`), so a CSL-JSON round trip loses nothing.
kb's row ids are left out on purpose: they differ between knowledge bases, and would
make two exports of the same works differ.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ..dates import partial_date_from_csl
from ..model import CSL_DATE_VARIABLES
from . import ExportWork, Losses

FORMAT = "csl-json"
EXTENSION = ".json"
MEDIA_TYPE = "application/vnd.citationstyles.csl+json; charset=utf-8"
LABEL = "CSL-JSON"


def csl_item(work: ExportWork) -> dict[str, Any]:
    item: dict[str, Any] = {"id": work.citekey}
    for key, value in work.item.items():
        if key == "id":
            continue
        if key in CSL_DATE_VARIABLES and isinstance(value, str):
            parsed = partial_date_from_csl(value)  # a date kept as text goes out as date-parts
            value = parsed.to_csl() if parsed else {"literal": value}
        item[key] = value
    keywords = work.keywords()
    if keywords:  # kb's tags; "; " when one holds a comma, so the importer splits them back right
        separator = "; " if any("," in k for k in keywords) else ", "
        text = separator.join(keywords)
        item["keyword"] = f"{text};" if len(keywords) == 1 and "," in text else text
    custom = dict(item.get("custom") or {})
    custom["citekey"] = work.citekey
    if work.extra:
        custom["kb-extra"] = work.extra
    item["custom"] = custom
    return item


def write(works: Iterable[ExportWork], losses: Losses, **_: Any) -> str:
    items = [csl_item(work) for work in works]
    return json.dumps(items, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
