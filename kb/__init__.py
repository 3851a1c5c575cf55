"""kb: a research-tracking knowledge base (works, authors, events, organisations, citations).

Scripts use `from kb import open_kb, select_works, export, bibliography` (see kb/api.py).
"""

__version__ = "0.1.0"

_API = ("open_kb", "select_works", "export", "bibliography", "work_filter")


def __getattr__(name: str):
    # Imported on first use, so `kb --help` does not pay for citeproc and the exporters.
    if name in _API:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'kb' has no attribute {name!r}")
