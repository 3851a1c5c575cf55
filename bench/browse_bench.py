"""Browse latency of kb's Datasette pages against Datasette's own array facet.

Usage:
    python bench/make_synthetic.py --works 100000 --out /tmp/kb-100k.db
    python bench/browse_bench.py /tmp/kb-100k.db [--runs 9] [--auth on|off|both]

Runs the real Datasette app with kb's plugin and metadata.yml in process (its ASGI
test client, so the figures are server time without network). Datasette's default
limits (facet_time_limit_ms=200, sql_time_limit_ms=1000) stay as they are unless
--kb-serve-settings asks for the ones `kb serve` sets; facet suggestions are off, as
`kb serve` has them. For each page: median and p90 over the
runs, and the facets that timed out in any run, each page both cold (kb's facet
and filter caches emptied first, as on the first load after a write) and warm (loaded again).

With `--auth on` the knowledge base is served as on a department server: a users file
with one researcher account, made with `kb users add NAME --role researcher
--password-stdin --users FILE` in a temporary folder, the accounts and secret laid on
the metadata as `kb serve --users FILE` does (kb/department.py), and the pages timed as
that researcher, logged in through /-/login with the form's CSRF token first (as
bench/department_bench.py does); every page must answer 200. `--auth both` measures
each database without and then with accounts, in the same run.

The baseline is the same page over `articles_json` (made by make_synthetic.py), whose
tags/authors/organisations/events are JSON arrays faceted with `_facet_array`, the
way Datasette 0.65 offers many-to-many facets.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import os
import platform
import re
import sqlite3
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import yaml
from click.testing import CliRunner
from datasette.app import Datasette

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from kb import department  # noqa: E402
from kb.cli import cli  # noqa: E402
from kb.cli.serving import SERVE_SETTINGS  # noqa: E402
from kb.datasette_plugin import facet_cache, filtered_ids  # noqa: E402
from kb.datasette_plugin.facets import RelatedFacet  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
COLUMN_FACETS = ["type", "year", "container_title", "added_by", "status"]
ARRAY_FACETS = ["tags", "authors", "organisations", "events"]


def metadata_for(db_name: str) -> dict:
    """metadata.yml, with its `kb` database settings under the benchmark file's name."""
    metadata = yaml.safe_load((REPO / "metadata.yml").read_text())
    databases = metadata.get("databases", {})
    config = copy.deepcopy(databases.get("kb", {}))
    config.setdefault("tables", {})["articles_json"] = {
        "facets": COLUMN_FACETS,
        "sort_desc": "id",
    }  # Datasette's column facet
    metadata["databases"] = {db_name: config}
    return metadata


READER = "reader"  # the researcher account the pages are timed as, with --auth on
PASSWORD = "bench password, not a secret"


@contextlib.contextmanager
def accounts_for(db_name: str, metadata: dict):
    """`metadata` as kb serve --users lays it out for one researcher owning `db_name`, with
    the cookie secret and password hash in the environment while the block runs."""
    with tempfile.TemporaryDirectory(prefix="kb-browse-bench-") as folder:
        users = Path(folder) / department.USERS_FILE
        result = CliRunner().invoke(
            cli,
            [
                "users",
                "add",
                READER,
                "--role",
                "researcher",
                "--kb",
                db_name,
                "--password-stdin",
                "--users",
                str(users),
            ],
            input=PASSWORD + "\n",
            env={"KB_USERS": None, "KB_DB": None},
        )
        if result.exit_code != 0:
            raise SystemExit(f"kb users add {READER} failed: {result.output}")
        plan = department.plan_serving([Path(f"{db_name}.db")], users, published=[], host_is_local=True, public=False)
        saved = {name: os.environ.get(name) for name in plan.environment}
        os.environ.update(plan.environment)
        try:
            yield plan.applied(metadata)
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


async def log_in(ds) -> dict[str, str]:
    """The cookies of READER logged in through /-/login with the form's CSRF token."""
    page = await ds.client.get("/-/login")
    token = re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)
    answer = await ds.client.post(
        "/-/login",
        data={"username": READER, "password": PASSWORD, "csrftoken": token},
        cookies={"ds_csrftoken": page.cookies["ds_csrftoken"]},
    )
    if answer.status_code != 302 or "ds_actor" not in answer.cookies:
        raise SystemExit(f"{READER} could not log in: {answer.status_code} {answer.text[:200]}")
    return {"ds_actor": answer.cookies["ds_actor"]}


def pick_filters(path: Path) -> dict[str, str]:
    """The most used tag and organisation, and the id of a work in the middle."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tag_id, tag = conn.execute(
            "select tags.id, tags.name from tags join (select tag_id, count(*) n from article_tags "
            "group by tag_id order by n desc limit 1) t on t.tag_id = tags.id"
        ).fetchone()
        org_id, org = conn.execute(
            "select organisations.id, organisations.name from organisations join (select organisation_id, "
            "count(*) n from article_organisations group by organisation_id order by n desc limit 1) o "
            "on o.organisation_id = organisations.id"
        ).fetchone()
        works = conn.execute("select max(id) from articles").fetchone()[0]
        expected = conn.execute(
            "select count(*) from article_tags t join article_organisations o on o.article_id = t.article_id "
            "where t.tag_id = ? and o.organisation_id = ?",
            (tag_id, org_id),
        ).fetchone()[0]
    finally:
        conn.close()
    return {
        "tag": tag,
        "tag_id": str(tag_id),
        "org": org,
        "org_id": str(org_id),
        "article": str(works // 2),
        "works": works,
        "expected": expected,
    }


def pages(db: str, f: dict[str, str]) -> list[tuple[str, str]]:
    kb_filter = urllib.parse.urlencode({"_tag": f["tag"], "_organisation": f["org"]})
    array = "&".join(f"_facet_array={name}" for name in ARRAY_FACETS)
    array_filter = f"tags__arraycontains=t{f['tag_id']}&organisations__arraycontains=o{f['org_id']}"
    return [
        ("articles, all facets (HTML)", f"/{db}/articles"),
        ("articles, all facets (JSON)", f"/{db}/articles.json"),
        ("articles, tag + organisation (HTML)", f"/{db}/articles?{kb_filter}"),
        ("articles, tag + organisation (JSON)", f"/{db}/articles.json?{kb_filter}"),
        ("articles, every column (HTML)", f"/{db}/articles?_kb_columns=all"),
        ("article page", f"/{db}/articles/{f['article']}"),
        ("search 'nato' (works by text and links)", f"/{db}/-/search?q=nato"),
        ("citation network, all works", f"/{db}/-/network"),
        ("timeline", f"/{db}/-/timeline"),
        ("baseline: array facets (HTML)", f"/{db}/articles_json?{array}"),
        ("baseline: array facets (JSON)", f"/{db}/articles_json.json?{array}"),
        ("baseline: array facets, tag + organisation (JSON)", f"/{db}/articles_json.json?{array}&{array_filter}"),
    ]


_cpu: list[float] = []  # CPU time of each page, all of this process's threads (SQL runs in threads)


async def _timed(ds, url: str, expected_facets: set[str], cookies: dict) -> tuple[float, int, set[str]]:
    started, started_cpu = time.perf_counter(), time.process_time()
    response = await ds.client.get(url, cookies=cookies)
    elapsed = (time.perf_counter() - started) * 1000
    _cpu.append((time.process_time() - started_cpu) * 1000)
    timed_out: set[str] = set()
    if response.status_code == 200 and url.split("?")[0].endswith(".json"):
        # Datasette 0.65's JSON leaves out a facet that timed out.
        timed_out = expected_facets - set(response.json().get("facet_results", {}))
    elif response.status_code == 200 and "These facets timed out" in response.text:
        timed_out = set(response.text.split("These facets timed out: ", 1)[1].split("<", 1)[0].split(", "))
    return elapsed, response.status_code, timed_out


def _summary(timings: list[float]) -> tuple[float, float]:
    timings = sorted(timings)
    return statistics.median(timings), timings[max(0, int(round(0.9 * len(timings))) - 1)]


async def measure(path: Path, runs: int, settings: dict, only: list[str] = (), auth: bool = False) -> list[dict]:
    """Each page cold (facet cache emptied first: the first load after a write) and
    warm (loaded again, the file unchanged); with `auth`, as a logged-in researcher."""
    db = path.stem
    with contextlib.ExitStack() as stack:
        metadata = metadata_for(db)
        if auth:
            metadata = stack.enter_context(accounts_for(db, metadata))
        ds = Datasette([str(path)], metadata=metadata, settings=settings)
        await ds.invoke_startup()
        await asyncio.sleep(0)
        await facet_cache.settle()
        cookies = await log_in(ds) if auth else {}
        if auth and (await ds.client.get(f"/{db}/articles.json?_size=1")).status_code != 403:
            raise SystemExit("with accounts on, an anonymous request was not refused: the bench is not measuring auth")
        return await _measure_pages(ds, path, runs, only, cookies, auth)


async def _measure_pages(ds, path: Path, runs: int, only: list[str], cookies: dict, auth: bool) -> list[dict]:
    db = path.stem
    filters = pick_filters(path)
    print(
        f"{path}: {filters['works']:,} works; filter tag {filters['tag']!r} + organisation {filters['org']!r} "
        f"({filters['expected']:,} works); accounts {'on, logged in as researcher ' + READER if auth else 'off'}",
        file=sys.stderr,
    )
    results = []
    for label, url in pages(db, filters):
        if only and not any(part in label for part in only):
            continue
        expected = set(COLUMN_FACETS) | (
            set(ARRAY_FACETS) if "articles_json" in url else {"tag", "author", "organisation", "event"}
        )
        if "/articles" not in url or url.split("?")[0].rstrip("/").split("/")[-1].split(".")[0] not in (
            "articles",
            "articles_json",
        ):
            expected = set()
        row = {"page": label}
        for mode in ("cold", "warm"):
            timings, cpu, timed_out, status = [], [], set(), None
            for run in range(runs + (1 if mode == "warm" else 0)):
                if mode == "cold":  # what a write does: the file changes, so nothing cached is used
                    facet_cache.clear()
                    filtered_ids.clear()
                elapsed, status, missing = await _timed(ds, url, expected, cookies)
                if auth and status != 200:
                    raise SystemExit(f"{url} answered {status} to the logged-in researcher")
                await facet_cache.settle()
                if mode == "cold" or run:  # the first warm load fills the cache
                    timings.append(elapsed)
                    cpu.append(_cpu[-1])
                    timed_out |= missing
            row[mode] = {
                "median": _summary(timings)[0],
                "p90": _summary(timings)[1],
                "cpu": statistics.median(cpu),
                "timed_out": sorted(timed_out),
            }
            row["status"] = status
        results.append(row)
        print(
            f"  {label:<50} "
            + "  ".join(
                f"{mode} median {row[mode]['median']:7.1f} ms p90 {row[mode]['p90']:7.1f} ms"
                f" timed out: {', '.join(row[mode]['timed_out']) or 'none'}"
                for mode in ("cold", "warm")
            ),
            file=sys.stderr,
        )
    return results


_ORDER_AND_LIMIT = re.compile(r"\s+order by .*$", re.IGNORECASE | re.DOTALL)


async def tag_facet_alone(path: Path, runs: int, settings: dict) -> list[dict]:
    """The grouped tag facet's own query (tags folded by case, hyphen and space, counted
    over every tag before the limit), run straight, with no cache, for the whole table,
    for kb's relation filters and for a column filter: the three ways kb builds it."""
    db = path.stem
    metadata = metadata_for(db)
    metadata.setdefault("plugins", {}).setdefault("kb", {})["warm_at_works"] = 10**12  # no warm-up running beside
    # Datasette lets a query lower its time limit, never raise it: the whole count is timed.
    ds = Datasette([str(path)], metadata=metadata, settings={**settings, "sql_time_limit_ms": 60_000})
    filters = pick_filters(path)
    kb_filter = urllib.parse.urlencode({"_tag": filters["tag"], "_organisation": filters["org"]})
    results = []
    for label, args in (("all works", ""), ("tag + organisation", kb_filter), ("year = 2010", "year=2010")):
        data = (await ds.client.get(f"/{db}/articles.json?{args}&_size=1&_nofacet=1")).json()
        sql, params = _ORDER_AND_LIMIT.sub("", data["query"]["sql"]), data["query"]["params"]
        facet = RelatedFacet(ds, None, db, sql=sql, table="articles", params=params)
        facet_sql = facet.facet_sql("tag", 30)
        timings, cpu = [], []
        for _ in range(runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            await ds.get_database(db).execute(facet_sql, params, custom_time_limit=60_000)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)  # what the load of other processes does not inflate
        median, p90 = _summary(timings)
        results.append(
            {
                "filter": label,
                "works": data.get("filtered_table_rows_count"),
                "median": median,
                "p90": p90,
                "cpu": statistics.median(cpu),
            }
        )
        print(
            f"  tag facet alone, {label:<20} median {median:7.1f} ms p90 {p90:7.1f} ms cpu {statistics.median(cpu):6.1f} ms",
            file=sys.stderr,
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description="Browse latency of kb's Datasette pages.")
    parser.add_argument("databases", nargs="+", type=Path, help="synthetic kb databases (bench/make_synthetic.py)")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument(
        "--kb-serve-settings",
        action="store_true",
        help="the limits `kb serve` sets (facets 1 s, SQL 3 s) instead of Datasette's defaults",
    )
    parser.add_argument(
        "--only", action="append", default=[], help="measure only the pages whose label contains this (repeatable)"
    )
    parser.add_argument(
        "--auth",
        choices=("off", "on", "both"),
        default="off",
        help="serve with accounts (a users file, as kb serve --users) and time the pages as a logged-in researcher",
    )
    args = parser.parse_args()
    settings = {"suggest_facets": False}
    if args.kb_serve_settings:
        settings.update({name: int(value) for name, value in SERVE_SETTINGS.items() if value.isdigit()})
    for path in args.databases:
        if not path.exists():
            sys.exit(f"no database at {path}: make one with `python bench/make_synthetic.py --works N --out {path}`")
    print(
        f"machine: {platform.machine()}, {platform.system()}, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {args.runs} runs per page, settings {settings}",
        file=sys.stderr,
    )
    modes = {"off": [False], "on": [True], "both": [False, True]}[args.auth]
    for path, auth in [(path, auth) for path in args.databases for auth in modes]:
        results = asyncio.run(measure(path, args.runs, settings, args.only, auth))
        by_page = {r["page"]: r for r in results}
        for kind in ("HTML", "JSON"):
            for mode in ("cold", "warm"):
                if f"baseline: array facets ({kind})" not in by_page or f"articles, all facets ({kind})" not in by_page:
                    continue
                kb = by_page[f"articles, all facets ({kind})"][mode]["median"]
                base = by_page[f"baseline: array facets ({kind})"][mode]["median"]
                print(f"  ratio baseline / kb, articles page {kind}, {mode}: {base / kb:.1f}x", file=sys.stderr)
        facet_results = [] if auth else asyncio.run(tag_facet_alone(path, args.runs, settings))
        print(f"\n{path.name}, accounts {'on (logged-in researcher)' if auth else 'off'}:\n")
        print(
            "| page | cold median ms | cold p90 ms | warm median ms | warm p90 ms | CPU ms cold / warm "
            "| facets timed out (cold / warm) |"
        )
        print("|---|---:|---:|---:|---:|---:|---|")
        for r in results:
            c, w = r["cold"], r["warm"]
            print(
                f"| {r['page']} | {c['median']:.0f} | {c['p90']:.0f} | {w['median']:.0f} | {w['p90']:.0f} | "
                f"{c['cpu']:.0f} / {w['cpu']:.0f} | "
                f"{', '.join(c['timed_out']) or 'none'} / {', '.join(w['timed_out']) or 'none'} |"
            )
        if not facet_results:
            continue
        print("\n| grouped tag facet query alone (no cache) | works in view | median ms | p90 ms | CPU median ms |")
        print("|---|---:|---:|---:|---:|")
        for r in facet_results:
            print(f"| {r['filter']} | {r['works']:,} | {r['median']:.0f} | {r['p90']:.0f} | {r['cpu']:.0f} |")


if __name__ == "__main__":
    main()
