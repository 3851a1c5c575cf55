"""The Datasette configuration `kb serve` runs with: kb's packaged metadata
(kb/metadata.yml, shipped inside the package so `pip install .` keeps it), with the
operator's explicitly named `--metadata` laid over it, and nothing else.

A metadata.yml that happens to lie in the folder kb serve runs in is never read: it can
add JavaScript to every page and a writable canned query. A writable canned query
(`write: true`) is served only when the operator's own file asks for it, and kb serve
says so. A server listening beyond this machine gets `plugins: kb: public: true`, which
hides Datasette's /-/ debug pages, and one with no writable query gets `read_only: true`,
which refuses every request but GET and HEAD (kb/datasette_plugin/guard.py).
"""

from __future__ import annotations

import copy
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from .errors import KbError

PACKAGED_METADATA = Path(__file__).resolve().parent / "metadata.yml"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def merged(base: Any, over: Any) -> Any:
    """`over` laid over `base`: mappings merge key by key, anything else replaces."""
    if isinstance(base, dict) and isinstance(over, dict):
        result = dict(base)
        for key, value in over.items():
            result[key] = merged(base.get(key), value) if key in base else copy.deepcopy(value)
        return result
    return copy.deepcopy(over)


def load_metadata_file(path: Path) -> dict[str, Any]:
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise KbError(f"{path}: cannot read the metadata: {str(exc).splitlines()[0]}") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise KbError(f"{path}: the metadata must be a mapping, not {type(loaded).__name__}")
    return loaded


def writable_queries(metadata: dict[str, Any]) -> list[str]:
    """Names of canned queries that write (`write: true`)."""
    names = []
    for database in (metadata.get("databases") or {}).values():
        for name, query in ((database or {}).get("queries") or {}).items():
            if isinstance(query, dict) and query.get("write"):
                names.append(name)
    return names


def serve_metadata(explicit: Path | None, host: str) -> dict[str, Any]:
    """The metadata kb serve hands Datasette."""
    metadata = load_metadata_file(PACKAGED_METADATA)
    if writable_queries(metadata):  # kb's own configuration never writes
        raise KbError(f"{PACKAGED_METADATA}: kb's packaged metadata must not hold a writable canned query")
    if explicit is not None:
        metadata = merged(metadata, load_metadata_file(explicit))
    plugins = metadata.setdefault("plugins", {}) or {}
    metadata["plugins"] = plugins
    kb_config = plugins.setdefault("kb", {}) or {}
    plugins["kb"] = kb_config
    kb_config["public"] = host not in LOOPBACK_HOSTS
    kb_config["read_only"] = not writable_queries(metadata)
    return metadata


def write_serve_metadata(metadata: dict[str, Any]) -> Path:
    """The metadata in a private file of its own for Datasette to read (kb serve becomes
    Datasette, so nothing is left to remove it; it is small and in the temp folder)."""
    handle, name = tempfile.mkstemp(prefix="kb-serve-", suffix=".yml")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        yaml.safe_dump(metadata, file, sort_keys=False, allow_unicode=True)
    return Path(name)
