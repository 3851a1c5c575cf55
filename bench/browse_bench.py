"""Browse latency of kb's Datasette pages against Datasette's own array facet.

Usage:
    python bench/make_synthetic.py --works 100000 --out /tmp/kb-100k.db
    python bench/browse_bench.py /tmp/kb-100k.db [--runs 9]

Runs the real Datasette app with kb's plugin and metadata.yml in process (its ASGI
test client, so the figures are server time without network). Datasette's default
limits (facet_time_limit_ms=200, sql_time_limit_ms=1000) stay as they are; facet
suggestions are off, as `kb serve` has them. For each page: median and p90 over the
runs (after one warm-up), and the facets that timed out in any run.

The baseline is the same page over `articles_json` (made by make_synthetic.py), whose
tags/authors/organisations/events are JSON arrays faceted with `_facet_array`, the
way Datasette 0.65 offers many-to-many facets.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import platform
import sqlite3
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

import yaml
from datasette.app import Datasette

REPO = Path(__file__).resolve().parent.parent
COLUMN_FACETS = ["type", "year", "container_title", "added_by", "status"]
ARRAY_FACETS = ["tags", "authors", "organisations", "events"]


def metadata_for(db_name: str) -> dict:
    """metadata.yml, with its `kb` database settings under the benchmark file's name."""
    metadata = yaml.safe_load((REPO / "metadata.yml").read_text())
    databases = metadata.get("databases", {})
    config = copy.deepcopy(databases.get("kb", {}))
    config.setdefault("tables", {})["articles_json"] = {"facets": COLUMN_FACETS, "sort_desc": "id"}
    metadata["databases"] = {db_name: config}
    return metadata


def pick_filters(path: Path) -> dict[str, str]:
    """The most used tag and organisation, and the id of a work in the middle."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tag_id, tag = conn.execute("select tags.id, tags.name from tags join (select tag_id, count(*) n from article_tags "
                                   "group by tag_id order by n desc limit 1) t on t.tag_id = tags.id").fetchone()
        org_id, org = conn.execute("select organisations.id, organisations.name from organisations join (select organisation_id, "
                                   "count(*) n from article_organisations group by organisation_id order by n desc limit 1) o "
                                   "on o.organisation_id = organisations.id").fetchone()
        works = conn.execute("select max(id) from articles").fetchone()[0]
        expected = conn.execute("select count(*) from article_tags t join article_organisations o on o.article_id = t.article_id "
                                "where t.tag_id = ? and o.organisation_id = ?", (tag_id, org_id)).fetchone()[0]
    finally:
        conn.close()
    return {"tag": tag, "tag_id": str(tag_id), "org": org, "org_id": str(org_id), "article": str(works // 2),
            "works": works, "expected": expected}


def pages(db: str, f: dict[str, str]) -> list[tuple[str, str]]:
    kb_filter = urllib.parse.urlencode({"_tag": f["tag"], "_organisation": f["org"]})
    array = "&".join(f"_facet_array={name}" for name in ARRAY_FACETS)
    array_filter = f"tags__arraycontains=t{f['tag_id']}&organisations__arraycontains=o{f['org_id']}"
    return [
        ("articles, all facets (HTML)", f"/{db}/articles"),
        ("articles, all facets (JSON)", f"/{db}/articles.json"),
        ("articles, tag + organisation (HTML)", f"/{db}/articles?{kb_filter}"),
        ("articles, tag + organisation (JSON)", f"/{db}/articles.json?{kb_filter}"),
        ("article page", f"/{db}/articles/{f['article']}"),
        ("timeline", f"/{db}/-/timeline"),
        ("baseline: array facets (HTML)", f"/{db}/articles_json?{array}"),
        ("baseline: array facets (JSON)", f"/{db}/articles_json.json?{array}"),
        ("baseline: array facets, tag + organisation (JSON)", f"/{db}/articles_json.json?{array}&{array_filter}"),
    ]


async def measure(path: Path, runs: int) -> list[dict]:
    db = path.stem
    ds = Datasette([str(path)], metadata=metadata_for(db), settings={"suggest_facets": False})
    await ds.invoke_startup()
    filters = pick_filters(path)
    print(f"{path}: {filters['works']:,} works; filter tag {filters['tag']!r} + organisation {filters['org']!r} "
          f"({filters['expected']:,} works)", file=sys.stderr)
    results = []
    for label, url in pages(db, filters):
        timings, timed_out, status = [], set(), None
        for run in range(runs + 1):
            started = time.perf_counter()
            response = await ds.client.get(url)
            elapsed = time.perf_counter() - started
            status = response.status_code
            if url.split("?")[0].endswith(".json") and status == 200:
                timed_out.update(response.json().get("facets_timed_out", []))
            elif status == 200 and "These facets timed out" in response.text:
                timed_out.add("(see page)")
            if run:  # the first is a warm-up
                timings.append(elapsed * 1000)
        timings.sort()
        results.append({"page": label, "status": status, "median": statistics.median(timings),
                        "p90": timings[max(0, int(round(0.9 * len(timings))) - 1)], "timed_out": sorted(timed_out)})
        print(f"  {label:<52} median {results[-1]['median']:8.1f} ms  p90 {results[-1]['p90']:8.1f} ms  "
              f"timed out: {', '.join(results[-1]['timed_out']) or 'none'}", file=sys.stderr)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description="Browse latency of kb's Datasette pages.")
    parser.add_argument("databases", nargs="+", type=Path, help="synthetic kb databases (bench/make_synthetic.py)")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    for path in args.databases:
        if not path.exists():
            sys.exit(f"no database at {path}: make one with `python bench/make_synthetic.py --works N --out {path}`")
    print(f"machine: {platform.machine()}, {platform.system()}, Python {platform.python_version()}, "
          f"SQLite {sqlite3.sqlite_version}, {args.runs} runs per page", file=sys.stderr)
    for path in args.databases:
        results = asyncio.run(measure(path, args.runs))
        by_page = {r["page"]: r for r in results}
        for kind in ("HTML", "JSON"):
            kb = by_page[f"articles, all facets ({kind})"]["median"]
            base = by_page[f"baseline: array facets ({kind})"]["median"]
            print(f"  ratio baseline / kb, articles page {kind}: {base / kb:.1f}x", file=sys.stderr)
        print("| page | median ms | p90 ms | facets timed out |")
        print("|---|---:|---:|---|")
        for r in results:
            print(f"| {r['page']} | {r['median']:.0f} | {r['p90']:.0f} | {', '.join(r['timed_out']) or 'none'} |")


if __name__ == "__main__":
    main()
