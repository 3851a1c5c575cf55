"""The `kb` command line (being restructured: the commands still live in kb/cli/adding.py)."""

from .adding import cli, main

__all__ = ["cli", "main"]
