"""Make a synthetic kb database of realistic shape for the browsing benchmarks.

Usage: python bench/make_synthetic.py --works 100000 --out /tmp/kb-100k.db [--seed 1]

Shapes follow what researchers' knowledge bases look like, only bigger: tags,
authors, organisations, events and outlets are long-tailed (Zipf-like weights: a few
are on thousands of works, most on a handful); each work has 1-5 tags, 1-3 authors,
0-3 organisations, 0-2 events and cites 0-4 earlier works. Events have partial dates
(year, month, day or a day range) with their bounds.

The schema comes from kb.db.connect; rows are written straight with executemany (the
store's per-record checks would take an hour at a million works). A table
`articles_json` repeats the facet columns with tags, authors, organisations and events
as JSON arrays: the baseline for Datasette's own array facet.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kb.db import connect  # noqa: E402
from kb.lookup import name_key  # noqa: E402  (the look-up keys the store would write)

WORDS = (
    "security alliance deterrence war summit treaty sanctions energy pipeline missile defence enlargement "
    "sovereignty frontier memory identity strategy doctrine partnership crisis reset neighbourhood "
    "hybrid cyber election protest regime revolution transition ceasefire peacekeeping border "
    "europe russia georgia ukraine nato union baltic black sea caucasus arctic china turkey"
).split()
TYPES = [
    ("article-journal", 45),
    ("report", 15),
    ("post-weblog", 12),
    ("chapter", 10),
    ("book", 6),
    ("article-newspaper", 8),
    ("webpage", 3),
    ("document", 1),
]
STATUSES = [(None, 40), ("unread", 20), ("reading", 10), ("read", 25), ("skimmed", 5)]
ORG_TYPES = ["state", "alliance", "think-tank", "university", "ngo", "ministry", "international-organisation"]
EVENT_TYPES = ["war", "summit", "treaty", "election", "protest", "crisis", "conference"]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def zipf_weights(n: int, exponent: float = 1.1) -> list[float]:
    """Cumulative Zipf weights over n items (rank 1 most frequent)."""
    return list(itertools.accumulate(1.0 / (rank**exponent) for rank in range(1, n + 1)))


def pick_distinct(rng: random.Random, population: range, cum: list[float], k: int) -> list[int]:
    return sorted(set(rng.choices(population, cum_weights=cum, k=k)))


def make(path: Path, works: int, seed: int = 1) -> dict[str, int]:
    rng = random.Random(seed)
    path.unlink(missing_ok=True)
    db = connect(path)
    conn = db.conn
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -400000")
    conn.execute("BEGIN")
    now = "2025-03-01T12:00:00Z"
    conn.execute(
        "INSERT INTO imports (id, file, format, imported_at, user, added) VALUES (1, 'synthetic.bib', 'bibtex', ?, 'bench', ?)",
        (now, works),
    )

    n_tags, n_authors = max(60, works // 200), max(200, works // 3)
    n_orgs, n_events, n_outlets = max(100, works // 400), max(60, works // 1000), max(50, works // 100)
    researchers = [f"researcher{i:02d}" for i in range(20)]

    tag_names = [(i, f"{rng.choice(WORDS)}-{i}") for i in range(1, n_tags + 1)]
    conn.executemany(
        "INSERT INTO tags (id, name, name_key) VALUES (?, ?, ?)", ((i, n, name_key(n)) for i, n in tag_names)
    )
    conn.executemany(
        "INSERT INTO authors (id, name, family, given, name_key, family_key) VALUES (?, ?, ?, ?, ?, ?)",
        (
            (i, f"Given{i} Family{i}", f"Family{i}", f"Given{i}", f"family{i}|given{i}", f"family{i}")
            for i in range(1, n_authors + 1)
        ),
    )
    organisations = [
        (
            i,
            f"Organisation {i} of {rng.choice(WORDS).title()}",
            f"O{i}",
            rng.choice(ORG_TYPES),
            rng.choice(["RU", "GE", "UA", "US", "GB", "DE", "FR", None]),
            (rng.randint(1, i - 1) if i > 10 and rng.random() < 0.1 else None),
        )
        for i in range(1, n_orgs + 1)
    ]
    conn.executemany(
        "INSERT INTO organisations (id, name, acronym, type, country, parent_id, name_key, acronym_key) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        ((*row, name_key(row[1]), name_key(row[2])) for row in organisations),
    )
    conn.executemany(
        "INSERT INTO organisation_aliases (organisation_id, alias, alias_key) VALUES (?, ?, ?)",
        ((i, f"Org{i} alias", name_key(f"Org{i} alias")) for i in range(1, n_orgs + 1, 3)),
    )
    events = []
    for i in range(1, n_events + 1):
        year = rng.randint(1990, 2024)
        kind = rng.random()
        if kind < 0.25:
            date, edtf, precision, start, end = str(year), str(year), "year", f"{year}-01-01", f"{year}-12-31"
        elif kind < 0.55:
            month = rng.randint(1, 12)
            date, edtf, precision = f"{MONTHS[month - 1]} {year}", f"{year}-{month:02d}", "month"
            start, end = f"{year}-{month:02d}-01", f"{year}-{month:02d}-28"
        else:
            month, day = rng.randint(1, 12), rng.randint(1, 20)
            length = rng.choice([0, 0, 1, 2, 5])
            date = f"{day}{'-' + str(day + length) if length else ''} {MONTHS[month - 1]} {year}"
            start, end = f"{year}-{month:02d}-{day:02d}", f"{year}-{month:02d}-{day + length:02d}"
            edtf, precision = (f"{start}/{end}", "range") if length else (start, "day")
        events.append(
            (
                i,
                f"Event {i}: {rng.choice(WORDS)} {rng.choice(WORDS)} {year}",
                rng.choice(EVENT_TYPES),
                date,
                edtf,
                precision,
                start,
                end,
            )
        )
    conn.executemany(
        "INSERT INTO events (id, name, type, date, date_edtf, date_precision, start_date, end_date, name_key) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ((*event, name_key(event[1])) for event in events),
    )
    conn.executemany(
        "INSERT INTO event_organisations (event_id, organisation_id, role) VALUES (?, ?, 'participant')",
        {(e, rng.randint(1, min(n_orgs, 50))) for e in range(1, n_events + 1) for _ in range(2)},
    )

    tag_cum, author_cum = zipf_weights(n_tags), zipf_weights(n_authors, 0.9)
    org_cum, event_cum, outlet_cum = zipf_weights(n_orgs), zipf_weights(n_events), zipf_weights(n_outlets)
    type_names, type_cum = [t for t, _ in TYPES], list(itertools.accumulate(w for _, w in TYPES))
    status_names, status_cum = [s for s, _ in STATUSES], list(itertools.accumulate(w for _, w in STATUSES))
    counts = dict.fromkeys(
        ("articles", "article_tags", "article_authors", "article_organisations", "article_events", "citations"), 0
    )

    batch = 20_000
    for first in range(1, works + 1, batch):
        ids = range(first, min(first + batch, works + 1))
        articles, json_rows, tags, authors, orgs, evs, cites = [], [], [], [], [], [], []
        for i in ids:
            work_type = rng.choices(type_names, cum_weights=type_cum)[0]
            year = rng.randint(1990, 2024) if rng.random() > 0.03 else None
            title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 9))).capitalize()
            outlet = f"Outlet {rng.choices(range(1, n_outlets + 1), cum_weights=outlet_cum)[0]}"
            work_authors = (
                pick_distinct(rng, range(1, n_authors + 1), author_cum, rng.randint(1, 3))
                if rng.random() > 0.02
                else []
            )
            item = {
                "id": f"work{i}",
                "type": work_type,
                "title": title,
                "container-title": outlet,
                "author": [{"family": f"Family{a}", "given": f"Given{a}"} for a in work_authors],
            }
            if year:
                item["issued"] = {"date-parts": [[year]]}
            status = rng.choices(status_names, cum_weights=status_cum)[0]
            added_by = researchers[min(int(rng.paretovariate(1.2)) - 1, 19)]
            added_at = f"{rng.randint(2019, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T10:00:00Z"
            articles.append(
                (
                    i,
                    f"work{i}",
                    work_type,
                    title,
                    outlet,
                    str(year) if year else None,
                    str(year) if year else None,
                    f"{year}-01-01" if year else None,
                    f"{year}-12-31" if year else None,
                    year,
                    status,
                    added_by,
                    added_at,
                    added_at,
                    1,
                    json.dumps(item),
                    # the display line the store writes (kb/csl.py), shown by the works list
                    "; ".join(f"Family{a}, Given{a}" for a in work_authors) or None,
                )
            )
            work_tags = pick_distinct(rng, range(1, n_tags + 1), tag_cum, rng.randint(1, 5))
            work_orgs = pick_distinct(rng, range(1, n_orgs + 1), org_cum, rng.choice([0, 1, 1, 2, 2, 3]))
            work_events = pick_distinct(rng, range(1, n_events + 1), event_cum, rng.choice([0, 0, 1, 1, 2]))
            tags += [(i, t) for t in work_tags]
            authors += [(i, a, p) for p, a in enumerate(work_authors)]
            orgs += [(i, o) for o in work_orgs]
            evs += [(i, e) for e in work_events]
            if i > 10:
                cites += [
                    (i, c) for c in {rng.randint(max(1, i - 50_000), i - 1) for _ in range(rng.choice([0, 0, 1, 2, 4]))}
                ]
            json_rows.append(
                (
                    i,
                    work_type,
                    year,
                    outlet,
                    added_by,
                    status,
                    title,
                    json.dumps([f"t{t}" for t in work_tags]),
                    json.dumps([f"a{a}" for a in work_authors]),
                    json.dumps([f"o{o}" for o in work_orgs]),
                    json.dumps([f"e{e}" for e in work_events]),
                )
            )
        conn.executemany(
            "INSERT INTO articles (id, citekey, type, title, container_title, issued, issued_edtf, issued_start, issued_end, "
            "year, status, added_by, added_at, updated_at, import_id, csl_json, authors) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            articles,
        )
        conn.executemany(
            "INSERT INTO article_sources (article_id, import_id) VALUES (?, 1)", ((a[0],) for a in articles)
        )
        conn.executemany("INSERT INTO article_tags (article_id, tag_id) VALUES (?, ?)", tags)
        conn.executemany("INSERT INTO article_authors (article_id, author_id, position) VALUES (?, ?, ?)", authors)
        conn.executemany("INSERT INTO article_organisations (article_id, organisation_id) VALUES (?, ?)", orgs)
        conn.executemany("INSERT INTO article_events (article_id, event_id) VALUES (?, ?)", evs)
        conn.executemany("INSERT INTO citations (citing_id, cited_id) VALUES (?, ?)", cites)
        _ensure_baseline_table(conn)
        conn.executemany("INSERT INTO articles_json VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", json_rows)
        for key, rows in (
            ("articles", articles),
            ("article_tags", tags),
            ("article_authors", authors),
            ("article_organisations", orgs),
            ("article_events", evs),
            ("citations", cites),
        ):
            counts[key] += len(rows)
    for column in ("type", "year", "container_title", "added_by", "status"):
        conn.execute(f"CREATE INDEX IF NOT EXISTS idx_articles_json_{column} ON articles_json({column})")
    conn.execute("COMMIT")
    conn.close()
    return counts


def _ensure_baseline_table(conn) -> None:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS articles_json (id INTEGER PRIMARY KEY, type TEXT, year INTEGER, "
        "container_title TEXT, added_by TEXT, status TEXT, title TEXT, tags TEXT, authors TEXT, "
        "organisations TEXT, events TEXT)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=100_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    counts = make(args.out, args.works, args.seed)
    print(
        f"{args.out}: "
        + ", ".join(f"{n:,} {k}" for k, n in counts.items())
        + f" in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
