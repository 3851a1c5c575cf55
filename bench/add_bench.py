"""`kb add` of N DOIs against a local stand-in for Crossref and OpenAlex: cold, then cached.

The stand-in (werkzeug, through pytest-httpserver) answers each /works/{doi} with the
Crossref and OpenAlex records of tests/fixtures/online/, the DOI and title changed per
DOI, and counts the requests it gets. Each run is the real CLI in a subprocess:

- cold: a fresh knowledge base and no HTTP cache; every DOI asks Crossref and OpenAlex,
  at the polite rates kb keeps (at most 5 requests a second to each);
- cached: a fresh knowledge base beside a copy of the cold run's HTTP cache: the same
  50 works are looked up and saved, and the stand-in must see no request at all.

Each run checks that it logged N different works.

    python bench/add_bench.py [--dois 50] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "online"


def stand_in(count: int) -> tuple[HTTPServer, list[str]]:
    crossref = json.loads((FIXTURES / "crossref_work.json").read_text())
    openalex = json.loads((FIXTURES / "openalex_work.json").read_text())
    dois = [f"10.5555/bench.{n:04d}" for n in range(count)]
    # Titles that differ in words, not only in a number (kb rightly takes those for one work).
    rng = random.Random(11)
    syllables = "ka lo mi ne ru sa te vo zi ba de fi go hu ja ke li mo nu pa re si tu va".split()
    titles = [
        " ".join("".join(rng.choice(syllables) for _ in range(3)).capitalize() for _ in range(5)) for _ in range(count)
    ]
    server = HTTPServer()
    server.start()

    def answer(request: Request) -> Response:
        path = request.path
        if path.startswith("/crossref/works/"):
            doi = path.removeprefix("/crossref/works/")
            number = doi.rsplit(".", 1)[-1]
            # Each work its own DOI, title and landing page (a shared URL would make them one work).
            message = dict(
                crossref["message"],
                DOI=doi,
                title=[titles[int(number)]],
                subtitle=[],
                URL=f"https://doi.org/{doi}",
                resource={"primary": {"URL": f"https://journal.example/article/{number}"}},
            )
            return Response(json.dumps(dict(crossref, message=message)), content_type="application/json")
        if path.startswith("/openalex/works/doi:"):
            doi = path.removeprefix("/openalex/works/doi:")
            return Response(json.dumps(dict(openalex, doi=f"https://doi.org/{doi}")), content_type="application/json")
        return Response("Resource not found.", status=404)

    server.expect_request(re.compile(r"^/(crossref|openalex)/.*")).respond_with_handler(answer)
    return server, dois


def run_add(db: Path, dois: list[str], env: dict[str, str]) -> float:
    subprocess.run([sys.executable, "-m", "kb.cli", "init", "--db", str(db)], env=env, check=True, capture_output=True)
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "kb.cli", "add", *dois, "--db", str(db)], env=env, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"kb add failed:\n{result.stderr}")
    if len(set(result.stdout.split())) != len(dois):
        sys.exit(f"expected {len(dois)} different citekeys, got:\n{result.stdout}")
    with sqlite3.connect(db) as conn:
        held = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    if held != len(dois):
        sys.exit(f"expected {len(dois)} works in {db}, found {held}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dois", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server, dois = stand_in(args.dois)
    env = dict(
        os.environ,
        KB_CROSSREF_URL=server.url_for("/crossref"),
        KB_OPENALEX_URL=server.url_for("/openalex"),
        KB_DATACITE_URL=server.url_for("/datacite"),
        KB_USER="bench",
    )
    cold, cached, cold_requests, cached_requests = [], [], [], []
    try:
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as folder:
                first, second = Path(folder, "cold.db"), Path(folder, "cached.db")
                before = len(server.log)
                cold.append(run_add(first, dois, env))
                cold_requests.append(len(server.log) - before)
                shutil.copy(f"{first}.http-cache.sqlite", f"{second}.http-cache.sqlite")
                before = len(server.log)
                cached.append(run_add(second, dois, env))
                cached_requests.append(len(server.log) - before)
    finally:
        server.stop()
    print(
        f"Python {platform.python_version()}, {platform.processor() or platform.machine()}; {args.dois} DOIs, {args.runs} runs (median)"
    )
    print(
        f"cold:   {statistics.median(cold):6.2f} s  ({args.dois / statistics.median(cold):5.1f} DOIs/s), requests per run: {cold_requests}"
    )
    print(
        f"cached: {statistics.median(cached):6.2f} s  ({args.dois / statistics.median(cached):5.1f} DOIs/s), "
        f"requests per run: {cached_requests}"
    )
    if any(cached_requests):
        sys.exit("the cached runs made requests")


if __name__ == "__main__":
    main()
