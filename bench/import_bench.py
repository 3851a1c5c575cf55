"""Import benchmark: kb import against bibtexparser 2's parse_file, whole processes, same run.

    python bench/import_bench.py [--corpora ../shared/corpora] [--runs 5]

For each BibTeX corpus: bibtexparser.parse_file (default middlewares) in a fresh
process, then `kb import` into a fresh database (LaTeX decoding, names, dedupe, FTS
on), then the same import again (re-import); wall time and peak RSS of each process.
CSL-JSON and RIS: kb import rate. Prints medians and ratios, and the landing counts
(added + merged/unchanged duplicates + skipped) of each corpus. Each process's CPU time
(user + system) is measured beside its wall time and its ratios printed too: on a shared
machine the CPU figures move far less with the load than the wall times.
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


def measured(command: list[str]) -> tuple[float, float, float, str]:
    """Wall time, peak memory and CPU time (user + system) of `command`, read by a
    wrapper process of its own (its only child is the command)."""
    wrapper = [
        sys.executable,
        "-c",
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "r = subprocess.run(sys.argv[1:], capture_output=True, text=True); e = time.perf_counter() - t; "
        "sys.stderr.write(r.stderr); u = resource.getrusage(resource.RUSAGE_CHILDREN); "
        "print(e, u.ru_maxrss / 1024, u.ru_utime + u.ru_stime); sys.exit(r.returncode)",
        *command,
    ]
    done = subprocess.run(wrapper, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{done.stderr[-2000:]}")
    seconds, mib, cpu = done.stdout.split()
    return float(seconds), float(mib), float(cpu), done.stderr


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
    # kb's modules compiled to bytecode first, as pip does when it installs a package (and
    # as bibtexparser's are): with PYTHONDONTWRITEBYTECODE set, an editable install would
    # otherwise compile kb's source again in every process timed (about 0.1 s of CPU).
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import compileall, os, kb; compileall.compile_dir(os.path.dirname(kb.__file__), quiet=1)",
        ],
        check=True,
    )
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} cores, {args.runs} runs, medians; "
        f"load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for name in BIBTEX:
            path = corpora / name
            if not path.exists():
                print(f"{name}: missing, skipped")
                continue
            parse_t, parse_m, parse_c, fresh_t, fresh_m, fresh_c, again_t, again_m = [], [], [], [], [], [], [], []
            for i in range(args.runs):
                db = Path(tmp) / f"{name}-{i}.db"
                t, m, c, _ = measured(
                    [sys.executable, "-c", f"import bibtexparser; bibtexparser.parse_file({str(path)!r})"]
                )
                parse_t.append(t), parse_m.append(m), parse_c.append(c)
                subprocess.run([*KB, "init", "--db", str(db)], check=True, capture_output=True)  # not timed
                t, m, c, err = measured([*KB, "import", str(path), "--db", str(db)])
                fresh_t.append(t), fresh_m.append(m), fresh_c.append(c)
                fresh_summary = summary_line(err)
                t, m, _, err = measured([*KB, "import", str(path), "--db", str(db)])
                again_t.append(t), again_m.append(m)
                again_summary = summary_line(err)
            p, f, a = statistics.median(parse_t), statistics.median(fresh_t), statistics.median(again_t)
            pm, fm = statistics.median(parse_m), statistics.median(fresh_m)
            pc, fc = statistics.median(parse_c), statistics.median(fresh_c)
            print(f"{name}: parse_file {p:.2f}s {pm:.0f}MiB | kb import {f:.2f}s {fm:.0f}MiB | re-import {a:.2f}s")
            print(
                f"  ratios: import/parse {f / p:.2f}x (goal <= 2.0), re-import/import {a / f:.2f}x (goal <= 1.3), "
                f"memory import/parse {fm / pm:.2f}x (goal <= 1.5)"
            )
            print(f"  CPU: parse_file {pc:.2f}s | kb import {fc:.2f}s | import/parse {fc / pc:.2f}x")
            print(f"  fresh: {fresh_summary}\n  again: {again_summary}")
        for name in OTHERS:
            path = corpora / name
            if not path.exists():
                print(f"{name}: missing, skipped")
                continue
            times, cpus, in_process, in_process_cpu = [], [], [], []
            for i in range(args.runs):
                db = Path(tmp) / f"{name}-{i}.db"
                subprocess.run([*KB, "init", "--db", str(db)], check=True, capture_output=True)  # not timed
                t, _, c, err = measured([*KB, "import", str(path), "--db", str(db)])
                times.append(t), cpus.append(c)
                summary = summary_line(err)
                wall, cpu = _in_process(path, Path(tmp) / f"{name}-{i}-inproc.db")
                in_process.append(wall), in_process_cpu.append(cpu)
            added = int(summary.split(" added")[0])
            wall, cpu = statistics.median(in_process), statistics.median(in_process_cpu)
            print(
                f"{name}: kb import {statistics.median(times):.2f}s whole process; in process {wall:.2f}s "
                f"= {added / wall:,.0f} works/s" + (" (goal >= 25,000)" if name.endswith(".json") else "")
            )
            print(
                f"  CPU: whole process {statistics.median(cpus):.2f}s; in process {cpu:.2f}s = {added / cpu:,.0f} works per CPU-second"
            )
            print(f"  {summary}")


def _in_process(path: Path, db: Path) -> tuple[float, float]:
    """Wall and CPU seconds of `import_files` alone, in a fresh process."""
    code = (
        "import sys, time; from kb.db import connect; from kb.store import Store; from kb.importing import import_files; "
        f"s = Store(connect({str(db)!r}), user='bench'); t = time.perf_counter(); c = time.process_time(); "
        f"import_files(s, [{str(path)!r}]); print(time.perf_counter() - t, time.process_time() - c)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    wall, cpu = done.stdout.split()
    return float(wall), float(cpu)


if __name__ == "__main__":
    main()
