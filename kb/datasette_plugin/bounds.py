"""Bounds on what one request may ask of kb's server: a cap on the number of relation
filter values (each is a name looked up, some by a scan of every author), and the SQL
time limit (`sql_time_limit_ms`) on kb's own work of selecting works, as on Datasette's.

400 names in one `/kb/articles.bib?_kb_author=...` URL took 61 s in a thread with no
time limit, and three such requests made another visitor wait two minutes.
"""

from __future__ import annotations

from datasette.utils.asgi import BadRequest, Response

MAX_FILTER_VALUES = 20
TIME_LIMIT_MESSAGE = (
    "SQL query took too long. The time limit is controlled by the sql_time_limit_ms configuration option."
)


def too_many(count: int) -> str | None:
    if count > MAX_FILTER_VALUES:
        return f"too many filter values ({count}); at most {MAX_FILTER_VALUES} tag, author, organisation and event values per request"
    return None


def check_filter_count(count: int) -> None:
    """Raise Datasette's 400 for a page with too many relation filter values."""
    message = too_many(count)
    if message:
        raise BadRequest(message)


def time_limit_response() -> Response:
    return Response.text(f"Error: {TIME_LIMIT_MESSAGE}\n", status=400)
