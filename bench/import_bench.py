"""Import benchmark: kb import against bibtexparser 2's parse_file, whole processes, same run.

    python bench/import_bench.py [--corpora ../shared/corpora] [--runs 5]

For each BibTeX corpus: bibtexparser.parse_file (default middlewares) in a fresh
process, then `kb import` into a fresh database (LaTeX decoding, names, dedupe, FTS
on), then the same import again (re-import); wall time and peak RSS of each process.
CSL-JSON and RIS: kb import rate. Prints medians and ratios, and the landing counts
(added + merged/unchanged duplicates + skipped) of each corpus.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPORA = REPO.parent / "shared" / "corpora"
BIBTEX = ("cdl.bib", "jgrey_main_all.bib")
OTHERS = ("muccigrosso_zotero_library.csl.json", "biodiversity_scopus.ris")
KB = [sys.executable, "-c", "from kb.cli import main; main()"]


def measured(command: list[str]) -> tuple[float, float, str]:
    """Time and peak memory of `command`, the peak read by a wrapper process of its own."""
    wrapper = [
        sys.executable,
        "-c",
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "r = subprocess.run(sys.argv[1:], capture_output=True, text=True); e = time.perf_counter() - t; "
        "sys.stderr.write(r.stderr); "
        "print(e, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024); sys.exit(r.returncode)",
        *command,
    ]
    done = subprocess.run(wrapper, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{done.stderr[-2000:]}")
    seconds, mib = done.stdout.split()
    return float(seconds), float(mib), done.stderr


def summary_line(stderr: str) -> str:
    return next((line for line in stderr.splitlines() if "works:" in line), "").split("works: ")[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", default=os.environ.get("KB_CORPORA", str(DEFAULT_CORPORA)))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    corpora = Path(args.corpora)
    if not corpora.is_dir():
        sys.exit(f"corpora folder {corpora} is missing: pass --corpora PATH (or KB_CORPORA); nothing measured")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, {args.runs} runs, medians")
    with tempfile.TemporaryDirectory() as tmp:
        for name in BIBTEX:
            path = corpora / name
            if not path.exists():
                print(f"{name}: missing, skipped")
                continue
            parse_t, parse_m, fresh_t, fresh_m, again_t, again_m = [], [], [], [], [], []
            for i in range(args.runs):
                db = Path(tmp) / f"{name}-{i}.db"
                t, m, _ = measured(
                    [sys.executable, "-c", f"import bibtexparser; bibtexparser.parse_file({str(path)!r})"]
                )
                parse_t.append(t), parse_m.append(m)
                subprocess.run([*KB, "init", "--db", str(db)], check=True, capture_output=True)  # not timed
                t, m, err = measured([*KB, "import", str(path), "--db", str(db)])
                fresh_t.append(t), fresh_m.append(m)
                fresh_summary = summary_line(err)
                t, m, err = measured([*KB, "import", str(path), "--db", str(db)])
                again_t.append(t), again_m.append(m)
                again_summary = summary_line(err)
            p, f, a = statistics.median(parse_t), statistics.median(fresh_t), statistics.median(again_t)
            pm, fm = statistics.median(parse_m), statistics.median(fresh_m)
            print(f"{name}: parse_file {p:.2f}s {pm:.0f}MiB | kb import {f:.2f}s {fm:.0f}MiB | re-import {a:.2f}s")
            print(
                f"  ratios: import/parse {f / p:.2f}x (goal <= 2.0), re-import/import {a / f:.2f}x (goal <= 1.3), "
                f"memory import/parse {fm / pm:.2f}x (goal <= 1.5)"
            )
            print(f"  fresh: {fresh_summary}\n  again: {again_summary}")
        for name in OTHERS:
            path = corpora / name
            if not path.exists():
                print(f"{name}: missing, skipped")
                continue
            times, in_process = [], []
            for i in range(args.runs):
                db = Path(tmp) / f"{name}-{i}.db"
                subprocess.run([*KB, "init", "--db", str(db)], check=True, capture_output=True)  # not timed
                t, _, err = measured([*KB, "import", str(path), "--db", str(db)])
                times.append(t)
                summary = summary_line(err)
                in_process.append(_in_process(path, Path(tmp) / f"{name}-{i}-inproc.db"))
            added = int(summary.split(" added")[0])
            print(
                f"{name}: kb import {statistics.median(times):.2f}s whole process; in process {statistics.median(in_process):.2f}s "
                f"= {added / statistics.median(in_process):,.0f} works/s"
                + (" (goal >= 25,000)" if name.endswith(".json") else "")
            )
            print(f"  {summary}")


def _in_process(path: Path, db: Path) -> float:
    code = (
        "import sys, time; from kb.db import connect; from kb.store import Store; from kb.importing import import_files; "
        f"s = Store(connect({str(db)!r}), user='bench'); t = time.perf_counter(); import_files(s, [{str(path)!r}]); "
        "print(time.perf_counter() - t)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(done.stdout.strip())


if __name__ == "__main__":
    main()
