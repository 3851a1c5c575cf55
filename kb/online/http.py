"""The one HTTP client for online look-ups: cache, politeness, time-outs and retries.

- A cache beside the knowledge base (``kb.db.http-cache.sqlite``, a file of its own:
  the knowledge base holds the user's data, not the services' answers), so the same
  look-up is never made twice. Only answers that were read successfully are kept.
- A polite User-Agent naming kb and, from ``KB_MAILTO``, a contact address (Crossref's
  and OpenAlex's "polite pool", Open Library's request).
- At most a few requests a second to each service (arXiv asks for one every three).
- Retries with exponential back-off on 429 and 5xx, honouring Retry-After up to a bound.
- Every failure becomes one `LookupFailed` line saying what failed and what to do.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import httpx

from .. import __version__
from ..errors import KbError


class LookupFailed(KbError):
    """An online look-up that did not give a work: the message says why and what to do."""


@dataclass(frozen=True)
class Service:
    name: str  # as the user knows it
    env: str  # the setting holding its base URL
    default_url: str
    per_second: float  # the most requests a second we send it


SERVICES = {
    "crossref": Service("Crossref", "KB_CROSSREF_URL", "https://api.crossref.org", 5),
    "datacite": Service("DataCite", "KB_DATACITE_URL", "https://api.datacite.org", 5),
    "openalex": Service("OpenAlex", "KB_OPENALEX_URL", "https://api.openalex.org", 5),
    "openlibrary": Service("Open Library", "KB_OPENLIBRARY_URL", "https://openlibrary.org", 3),
    "arxiv": Service("arXiv", "KB_ARXIV_URL", "https://export.arxiv.org", 1 / 3),
    "web": Service("the web page's server", "", "", 2),
}


# The most a response may hold: enough for any record or report PDF.
MAX_BYTES = 64 * 2**20


def base_url(service: str) -> str:
    """The service's base URL: its setting, or the real service."""
    spec = SERVICES[service]
    return (os.environ.get(spec.env) or spec.default_url).rstrip("/")


def cache_path_for(db_path: str | Path) -> Path:
    return Path(f"{db_path}.http-cache.sqlite")


def user_agent() -> str:
    mailto = os.environ.get("KB_MAILTO", "").strip()
    contact = f"; mailto:{mailto}" if mailto else ""
    return f"kb/{__version__} (research knowledge base{contact})"


@dataclass
class Response:
    url: str  # the address finally answered (after redirects)
    status: int
    content_type: str
    body: bytes
    from_cache: bool = False

    @property
    def text(self) -> str:
        """The body as text, in the charset the server named (UTF-8 when it named none)."""
        match = re.search(r"charset=[\"']?([\w.:-]+)", self.content_type, re.I)
        try:
            return self.body.decode(match.group(1) if match else "utf-8", errors="replace")
        except LookupError:  # a charset Python does not know
            return self.body.decode("utf-8", errors="replace")

    def json(self, what: str) -> Any:
        """The body as JSON; a body that is not JSON is a malformed answer."""
        try:
            return json.loads(self.body)
        except ValueError:
            raise LookupFailed(
                f"{host_of(self.url)} answered with something that is not {what} (not JSON): "
                "try again later, or log the work by hand with kb add --title"
            ) from None


def host_of(url: str) -> str:
    return httpx.URL(url).netloc.decode() or url


def _env_number(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        raise KbError(f"{name}={os.environ[name]!r} is not a number") from None


class HttpClient:
    """GET with cache, rate limits and retries. Use as a context manager."""

    def __init__(
        self,
        cache_path: Path | None,
        *,
        timeout: float | None = None,
        retries: int | None = None,
        backoff: float | None = None,
        max_wait: float = 30.0,
    ) -> None:
        self.timeout = timeout if timeout is not None else _env_number("KB_HTTP_TIMEOUT", 20)
        self.retries = max(0, int(retries if retries is not None else _env_number("KB_HTTP_RETRIES", 3)))
        self.backoff = backoff if backoff is not None else _env_number("KB_HTTP_BACKOFF", 1)
        self.max_wait = max_wait
        self.requests_made = 0
        self.remembered: list[str] = []  # URLs cached by this client, in order
        self._last_request: dict[str, float] = {}
        self._client: httpx.Client | None = (
            None  # made at the first request: a cached run needs none (its TLS set-up takes 0.7 s)
        )
        self._cache: sqlite3.Connection | None = None
        if cache_path is not None:
            try:
                self._cache = sqlite3.connect(cache_path, isolation_level=None)
                self._cache.execute(
                    "CREATE TABLE IF NOT EXISTS responses (url TEXT PRIMARY KEY, final_url TEXT NOT NULL, "
                    "status INTEGER NOT NULL, content_type TEXT, body BLOB NOT NULL, fetched_at TEXT NOT NULL)"
                )
            except sqlite3.Error as exc:
                raise KbError(
                    f"cannot use the look-up cache ({exc}): delete it (it only holds the services' answers) "
                    "and try again",
                    str(cache_path),
                ) from None

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        if self._cache is not None:
            self._cache.close()

    def get(
        self,
        service: str,
        url: str,
        params: dict[str, str] | None = None,
        validate: Callable[[Response], None] | None = None,
        final: Callable[[Response], bool] | None = None,
    ) -> Response:
        """GET `url` from `service`. A 200 answer that `validate` accepts is cached; any
        other status is returned for the caller to read (404), or raised after retries.
        A 429 or 5xx answer that `final` accepts (a bot-check page) is returned at once."""
        full = str(httpx.URL(url, params=params)) if params else url
        cached = self._cached(full)
        if cached is not None:
            return cached
        response = self._fetch(service, full, final)
        if response.status == 200:
            if validate is not None:
                validate(response)
            self._remember(full, response)
        return response

    def _cached(self, url: str) -> Response | None:
        if self._cache is None:
            return None
        row = self._cache.execute(
            "SELECT final_url, status, content_type, body FROM responses WHERE url = ?", (url,)
        ).fetchone()
        return Response(row[0], row[1], row[2] or "", row[3], from_cache=True) if row else None

    def forget_since(self, mark: int) -> None:
        """Drop what was cached after `mark` (a len(self.remembered)): answers a later
        step could not read must be asked again next time, not served from the cache."""
        if self._cache is not None:
            self._cache.executemany("DELETE FROM responses WHERE url = ?", [(url,) for url in self.remembered[mark:]])
        del self.remembered[mark:]

    def _remember(self, url: str, response: Response) -> None:
        self.remembered.append(url)
        if self._cache is not None:
            self._cache.execute(
                "INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?, ?)",
                (
                    url,
                    response.url,
                    response.status,
                    response.content_type,
                    response.body,
                    datetime.now(timezone.utc).isoformat(timespec="seconds"),
                ),
            )

    def _wait_turn(self, service: str) -> None:
        interval = 1 / SERVICES[service].per_second
        last = self._last_request.get(service)
        if last is not None:
            delay = interval - (time.monotonic() - last)
            if delay > 0:
                time.sleep(delay)
        self._last_request[service] = time.monotonic()

    def _fetch(self, service: str, url: str, final: Callable[[Response], bool] | None = None) -> Response:
        if self._client is None:
            self._client = httpx.Client(
                timeout=self.timeout, follow_redirects=True, headers={"User-Agent": user_agent()}
            )
        host = host_of(url)
        for attempt in range(self.retries + 1):
            self._wait_turn(service)
            self.requests_made += 1
            try:
                with self._client.stream("GET", url) as answer:
                    body = self._read_bounded(answer, url)
            except httpx.TimeoutException:
                raise LookupFailed(
                    f"{host} did not answer within {self.timeout:g} s: try again later (or raise KB_HTTP_TIMEOUT)"
                ) from None
            except httpx.TransportError as exc:
                reason = str(exc).split("]")[-1].strip() or type(exc).__name__
                raise LookupFailed(
                    f"cannot reach {host} ({reason}): check your internet connection, then try again"
                ) from None
            status = answer.status_code
            response = Response(str(answer.url), status, answer.headers.get("content-type", ""), body)
            if (status == 429 or status >= 500) and not (final and final(response)):
                wait = self._retry_wait(answer, attempt)
                if attempt < self.retries and wait <= self.max_wait:
                    time.sleep(wait)
                    continue
                tries = f"{attempt + 1} {'try' if attempt == 0 else 'tries'}"
                if status == 429:
                    raise LookupFailed(
                        f"{host} is limiting requests (HTTP 429, {tries}): wait a few minutes, then try again"
                    )
                raise LookupFailed(
                    f"{host} failed (HTTP {status}, {tries}): the service is having trouble; try again later"
                )
            return response
        raise AssertionError("unreachable")

    def _read_bounded(self, answer: httpx.Response, url: str) -> bytes:
        """The body, refused past MAX_BYTES (a link to a huge file is not a work's record)."""
        chunks, size = [], 0
        for chunk in answer.iter_bytes():
            size += len(chunk)
            if size > MAX_BYTES:
                raise LookupFailed(
                    f"{url} is larger than {MAX_BYTES // 2**20} MB: log it by hand with kb add --title ... --url ..."
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def _retry_wait(self, answer: httpx.Response, attempt: int) -> float:
        """Retry-After when the server gives it (seconds or a date), else exponential back-off."""
        value = answer.headers.get("retry-after", "").strip()
        if value.isdigit():
            return float(value)
        if value:
            try:
                return max(0.0, (parsedate_to_datetime(value) - datetime.now(timezone.utc)).total_seconds())
            except (TypeError, ValueError):
                pass
        return self.backoff * 2**attempt
