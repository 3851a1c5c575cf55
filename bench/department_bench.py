"""A department server under load: many knowledge bases in one real `kb serve` with
logins, concurrent logged-in clients on the loopback, while one researcher imports.

Usage:
    python bench/department_bench.py     # 20 x 5,000 works, 20 clients, 60 s, a page per 5 s each
    python bench/department_bench.py --kbs 4 --works 1000 --clients 5 --duration 15   # a quick look

What it does, all with kb's own commands and a real server process:

- makes `--kbs` knowledge bases of `--works` works each with bench/make_synthetic.py
  (seeds 1, 2, ...), once, under `--cache` (bench/out/department by default, ignored by
  git), and copies them into a fresh run folder (the import writes to one of them);
- adds the accounts with `kb users add NAME --role ... --password-stdin`: a researcher
  for each knowledge base (r00, r01, ...), supervisors of five researchers each
  (s0 sees r00-r04, ...) and one admin;
- starts `kb serve RUNFOLDER --users FILE` on a free loopback port;
- `--clients` threads, each an httpx client logged in through /-/login with its CSRF
  token (as a browser does), as an account: one admin, the supervisors, the rest
  researchers. Each opens, until `--duration` seconds have passed, a random page of a
  knowledge base it may see: the articles page, a facet click (a tag, an
  organisation, a type or a year, values read from that knowledge base), a search
  (/-/search and the articles page's own full-text search), the group view, and now and
  then another researcher's page, which must answer 403. Before its first page and
  between two pages a client waits a random 0-2x `--think` seconds (a person reading;
  `--think 0` hammers, all clients starting at once);
- `--import-after` seconds in, researcher r00 runs `kb import` (a subprocess) of a .bib
  file of `--import-works` new works into r00.db while the clients go on;
- at the end an admin checks that the server shows r00's new works.

It prints the requests, errors (a status other than the expected one, a timeout or a
refused connection; all must be 0) and p50/p95/max latency per kind of page, the import's
time, and the machine's load average (before and after), which matters on a shared
machine. Every thread and the server are bounded in time: a request times out after
--timeout seconds and the run stops after --duration.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from click.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import make_synthetic  # noqa: E402
from kb_server import START_TIMEOUT, serving  # noqa: E402

from kb.cli import cli  # noqa: E402

PASSWORD = "bench password, not a secret"
SUPERVISED_EACH = 5  # researchers per supervisor
SEARCH_WORDS = ["nato", "summit", "energy", "deterrence", "georgia", "sanctions", "baltic", "cyber"]


@dataclass
class Account:
    name: str
    role: str
    sees: list[str]  # the knowledge bases it may read


@dataclass
class FacetValues:
    """Real values of one knowledge base to click on."""

    tags: list[str]
    organisations: list[str]
    types: list[str]
    years: list[int]


@dataclass
class Tally:
    """What the clients saw: latencies (seconds) per kind of page, and the errors."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            if error:
                self.errors.append(f"{kind}: {error}")


def kb_names(count: int) -> list[str]:
    return [f"r{i:02d}" for i in range(count)]


def build_cache(cache: Path, count: int, works: int) -> Path:
    """The knowledge bases, made once per (count is extended, works is in the folder name)."""
    folder = cache / f"w{works}"
    folder.mkdir(parents=True, exist_ok=True)
    for seed, name in enumerate(kb_names(count), start=1):
        path = folder / f"{name}.db"
        if not path.exists():
            building = folder / f"{name}.db.building"
            make_synthetic.make(building, works, seed=seed)
            building.replace(path)
    return folder


def accounts_for(names: list[str]) -> list[Account]:
    accounts = [Account(name, "researcher", [name]) for name in names]
    for start in range(0, len(names), SUPERVISED_EACH):
        group = names[start : start + SUPERVISED_EACH]
        accounts.append(Account(f"s{start // SUPERVISED_EACH}", "supervisor", group))
    accounts.append(Account("admin", "admin", list(names)))
    return accounts


def add_accounts(users: Path, accounts: list[Account]) -> None:
    """`kb users add ... --password-stdin` for each account (in process: the same command)."""
    for account in accounts:
        options = ["--role", account.role]
        if account.role == "supervisor":
            options += ["--supervises", ",".join(account.sees)]
        result = CliRunner().invoke(
            cli,
            ["users", "add", account.name, *options, "--password-stdin", "--users", str(users)],
            input=PASSWORD + "\n",
            env={"KB_USERS": None, "KB_DB": None},
        )
        if result.exit_code != 0:
            raise SystemExit(f"kb users add {account.name} failed: {result.output}")


def facet_values(path: Path) -> FacetValues:
    """The most used tags and organisations, the types and some years of one knowledge base."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:

        def names(link: str, table: str, column: str) -> list[str]:
            sql = (
                f"select {table}.name from {table} join (select {column} id, count(*) n from {link} "
                f"group by {column} order by n desc limit 10) t on t.id = {table}.id"
            )
            return [row[0] for row in conn.execute(sql)]

        return FacetValues(
            tags=names("article_tags", "tags", "tag_id"),
            organisations=names("article_organisations", "organisations", "organisation_id"),
            types=[row[0] for row in conn.execute("select distinct type from articles where type is not null")],
            years=[row[0] for row in conn.execute("select distinct year from articles where year is not null")],
        )
    finally:
        conn.close()


def write_bib(path: Path, works: int, seed: int) -> None:
    """A .bib of `works` new works (their own titles and DOIs: nothing merges)."""
    rng = random.Random(seed)
    words = make_synthetic.WORDS
    entries = []
    for i in range(works):
        title = " ".join(rng.choice(words) for _ in range(6)).capitalize() + f" (imported {i})"
        entries.append(
            f"@article{{bench{i},\n  title = {{{title}}},\n  author = {{Imported, Author{i % 50} and Second, Person}},\n"
            f"  year = {{{rng.randint(1990, 2025)}}},\n  journal = {{Journal of Benchmarks}},\n"
            f"  doi = {{10.99999/department-bench.{seed}.{i}}},\n  keywords = {{imported, {rng.choice(words)}}}\n}}\n"
        )
    path.write_text("\n".join(entries), encoding="utf-8")


def logged_in(url: str, name: str, timeout: float) -> httpx.Client:
    """An httpx client logged in through /-/login with the form's CSRF token."""
    client = httpx.Client(base_url=url, timeout=timeout)
    page = client.get("/-/login")
    token = re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)
    answer = client.post("/-/login", data={"username": name, "password": PASSWORD, "csrftoken": token})
    if answer.status_code != 302 or "ds_actor" not in client.cookies:
        raise SystemExit(f"{name} could not log in: {answer.status_code} {answer.text[:200]}")
    return client


def a_page(rng: random.Random, account: Account, all_kbs: list[str], values: dict[str, FacetValues]):
    """(kind, path, expected status) of one random page for this account."""
    kb = rng.choice(account.sees)
    facets = values[kb]
    roll = rng.random()
    if roll < 0.25:
        return "articles", f"/{kb}/articles", 200
    if roll < 0.55:
        key, value = rng.choice(
            [
                ("_tag", rng.choice(facets.tags)),
                ("_organisation", rng.choice(facets.organisations)),
                ("type", rng.choice(facets.types)),
                ("year", rng.choice(facets.years)),
            ]
        )
        return "facet", f"/{kb}/articles?" + urllib.parse.urlencode({key: value}), 200
    if roll < 0.70:
        return "search", f"/{kb}/-/search?q={rng.choice(SEARCH_WORDS)}", 200
    if roll < 0.80:
        return "articles search", f"/{kb}/articles?_search={rng.choice(SEARCH_WORDS)}", 200
    if roll < 0.95:
        return "group view", "/-/kb/group", 200
    others = [name for name in all_kbs if name not in account.sees]
    if not others:
        return "articles", f"/{kb}/articles", 200
    return "refused", f"/{rng.choice(others)}/articles", 403


def client_loop(
    url: str,
    account: Account,
    all_kbs: list[str],
    values: dict[str, FacetValues],
    args: argparse.Namespace,
    seed: int,
    start: threading.Barrier,
    tally: Tally,
) -> None:
    rng = random.Random(seed)
    try:
        client = logged_in(url, account.name, args.timeout)
    except Exception as error:  # noqa: BLE001 (a failed login is an error of the run, counted)
        tally.record("login", 0.0, f"{account.name}: {error!r}")
        start.wait()
        return
    start.wait()
    deadline = time.monotonic() + args.duration
    # People do not all click at the same moment: each client opens its first page
    # somewhere within its first pause (--think 0: all at once).
    time.sleep(rng.uniform(0, 2 * args.think))
    try:
        while time.monotonic() < deadline:
            kind, path, expected = a_page(rng, account, all_kbs, values)
            began = time.perf_counter()
            error = None
            try:
                answer = client.get(path)
                if answer.status_code != expected:
                    error = f"{path} as {account.name}: {answer.status_code}, expected {expected}"
            except httpx.HTTPError as failure:
                error = f"{path} as {account.name}: {failure!r}"
            tally.record(kind, time.perf_counter() - began, error)
            if args.think:
                time.sleep(min(rng.uniform(0, 2 * args.think), max(0.0, deadline - time.monotonic())))
    finally:
        client.close()


def run_import(bib: Path, db: Path, after: float, result: dict) -> None:
    time.sleep(after)
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "kb.cli", "import", str(bib), "--db", str(db)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    result.update(seconds=time.perf_counter() - began, returncode=done.returncode, output=done.stdout + done.stderr)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kbs", type=int, default=20, help="knowledge bases (default 20)")
    parser.add_argument("--works", type=int, default=5000, help="works in each (default 5,000)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent logged-in clients (default 20)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    parser.add_argument("--think", type=float, default=5.0, help="mean seconds between a client's pages (default 5)")
    parser.add_argument("--import-works", type=int, default=500, help="works r00 imports meanwhile (default 500)")
    parser.add_argument("--import-after", type=float, default=5.0, help="seconds into the load (default 5)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds a request may take (default 30)")
    parser.add_argument("--cache", type=Path, default=REPO / "bench" / "out" / "department")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    load_before = os.getloadavg()
    names = kb_names(args.kbs)
    began = time.perf_counter()
    cached = build_cache(args.cache, args.kbs, args.works)
    print(f"{args.kbs} knowledge bases of {args.works:,} works in {cached} ({time.perf_counter() - began:.0f} s)")
    run = args.cache / "run"
    shutil.rmtree(run, ignore_errors=True)
    run.mkdir(parents=True)
    for name in names:
        shutil.copyfile(cached / f"{name}.db", run / f"{name}.db")
    users = run / "kb-users.yml"
    accounts = accounts_for(names)
    began = time.perf_counter()
    add_accounts(users, accounts)
    print(f"{len(accounts)} accounts added with kb users add ({time.perf_counter() - began:.0f} s)")
    values = {name: facet_values(run / f"{name}.db") for name in names}
    bib = run / "import.bib"
    write_bib(bib, args.import_works, args.seed)
    # The clients: one admin, then the supervisors, then researchers (each of its own kb).
    supervisors = [a for a in accounts if a.role == "supervisor"]
    admins = [a for a in accounts if a.role == "admin"]
    researchers = [a for a in accounts if a.role == "researcher"]
    chosen = [(admins + supervisors + researchers)[i % len(accounts)] for i in range(args.clients)]

    tally = Tally()
    imported: dict = {}
    with serving([str(run), "--users", str(users)], args.cache / "serve.log") as url:
        start = threading.Barrier(args.clients + 1)
        threads = [
            threading.Thread(
                target=client_loop,
                args=(url, account, names, values, args, args.seed * 1000 + i, start, tally),
                daemon=True,
            )
            for i, account in enumerate(chosen)
        ]
        for thread in threads:
            thread.start()
        start.wait(timeout=START_TIMEOUT)  # every client logged in: the load starts now
        load_began = time.perf_counter()
        importer = threading.Thread(
            target=run_import, args=(bib, run / "r00.db", args.import_after, imported), daemon=True
        )
        importer.start()
        for thread in threads:
            thread.join(timeout=args.duration + args.timeout + 30)
        importer.join(timeout=600)
        load_seconds = time.perf_counter() - load_began
        # The import is visible: an admin sees r00's works count grow.
        admin = logged_in(url, "admin", args.timeout)
        shown = admin.get("/r00/articles.json?_size=1").json()["filtered_table_rows_count"]
        admin.close()
    hung = [thread.name for thread in threads if thread.is_alive()]
    if hung:
        tally.errors.append(f"{len(hung)} clients still running after the time limit")
    if imported.get("returncode") != 0:
        tally.errors.append(f"kb import failed: {imported.get('output', 'did not finish')}")
    expected_works = args.works + args.import_works
    if shown != expected_works:
        tally.errors.append(f"r00 shows {shown} works after the import, expected {expected_works}")

    load_after = os.getloadavg()
    every = [seconds for values_ in tally.latencies.values() for seconds in values_]
    print(
        f"\n{len(chosen)} clients ({', '.join(sorted({a.role for a in chosen}))}), {load_seconds:.0f} s of load, "
        f"think time {args.think} s mean; machine: {platform.platform()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )
    print(
        f"load average before: {' '.join(f'{x:.2f}' for x in load_before)}; after: "
        f"{' '.join(f'{x:.2f}' for x in load_after)}"
    )
    print(
        f"import of {args.import_works} works into r00 during the load: {imported.get('seconds', 0):.1f} s, "
        f"exit {imported.get('returncode')}; r00 then shows {shown:,} works"
    )
    print("\n| page | requests | p50 ms | p95 ms | max ms |\n|---|---:|---:|---:|---:|")
    for kind in sorted(tally.latencies, key=lambda k: -len(tally.latencies[k])):
        times = tally.latencies[kind]
        print(
            f"| {kind} | {len(times)} | {statistics.median(times) * 1000:.0f} | "
            f"{percentile(times, 0.95) * 1000:.0f} | {max(times) * 1000:.0f} |"
        )
    if every:
        print(
            f"| all | {len(every)} | {statistics.median(every) * 1000:.0f} | {percentile(every, 0.95) * 1000:.0f} | "
            f"{max(every) * 1000:.0f} |"
        )
    print(f"\nrequests: {len(every)}, errors: {len(tally.errors)}")
    for error in tally.errors[:20]:
        print(f"  {error}")
    if tally.errors:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
