"""Options every kb command shares, declared once (kb/cli.py and kb/cli_export.py use them)."""

from __future__ import annotations

import click

from ..db import DEFAULT_DB


def db_option(fn):
    """--db PATH on every command, from KB_DB, default ./kb.db."""
    return click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False),
        envvar="KB_DB",
        default=DEFAULT_DB,
        show_default=True,
        show_envvar=True,
        help="The knowledge base file.",
    )(fn)
