"""What kb commands share, declared once: --db, --by, --update, the filter options,
and how a command opens the store.

The filter options are generated from the filter vocabulary (kb/filters.py), the
table the Python API and the Datasette renderers read too, so `--tag X` on the
command line, `tag="X"` in a script and `?_kb_tag=X` in a URL are one filter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..db import DEFAULT_DB
from ..filters import FILTERS

if TYPE_CHECKING:
    from ..query import WorkFilter
    from ..store import Store

F = TypeVar("F", bound=Callable[..., Any])


def db_option(fn: F) -> F:
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


def by_option(fn: F) -> F:
    """--by NAME: who the history and provenance name for a change (KB_USER, else the login)."""
    return click.option(
        "--by", "added_by", envvar="KB_USER", help="Who is making the change (default: $KB_USER or your login)."
    )(fn)


def update_option(fn: F) -> F:
    return click.option("--update", is_flag=True, help="Replace stored values that differ from the ones given.")(fn)


def filter_options(fn: F) -> F:
    """The filters of the query layer (kb/query.py), the same as the Datasette export URLs take."""
    for spec in reversed(FILTERS):
        fn = click.option(*spec.flags, spec.field, multiple=spec.repeatable, help=spec.help)(fn)
    return fn


def work_filter_from(options: dict[str, Any]) -> WorkFilter:
    """The WorkFilter of a command's filter options (taken out of `options`)."""
    from ..query import WorkFilter  # imported by the commands that run (not every kb command starting)

    return WorkFilter.from_options(**{spec.field: options.pop(spec.field) for spec in FILTERS})


def open_store(db_path: str, added_by: str | None = None, must_exist: bool = True) -> Store:
    """The store of an existing knowledge base (KbError naming the path when there is none)."""
    from ..db import connect
    from ..store import Store

    return Store(connect(db_path, must_exist=must_exist), user=added_by)
