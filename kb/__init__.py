"""kb: a research-tracking knowledge base (works, authors, events, organisations, citations)."""

__version__ = "0.1.0"
