"""How long kb takes to start, against the floor each command stands on.

Usage: python bench/startup_bench.py [--runs 7] [--works 16000] [--kb PATH]

Whole processes, run round-robin (one of each in turn, so load on a shared machine
falls on all alike), medians:

- `kb --version` against `python -c "import click"` (kb's command line is click; goal <= 2x);
- `kb add` of one work into a knowledge base of 16,000 works against `sqlite-utils insert`
  of one row into the same file (goal <= 1.5x).

The knowledge base is made by bench/make_synthetic.py (`--works`), or given with `--kb`
(it is copied: the runs add works to the copy). kb is run as its console script, the
way users start it (`kb` beside this Python; `python -m kb.cli` if there is none).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def tool(name: str) -> list[str]:
    """A console script installed beside this Python, else None."""
    path = Path(sys.executable).parent / name
    return [str(path)] if path.exists() else []


def timed(argv: list[str], stdin: str | None = None) -> float:
    started = time.perf_counter()
    result = subprocess.run(argv, input=stdin, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({result.returncode}):\n{result.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--works", type=int, default=16_000)
    parser.add_argument("--kb", type=Path, help="a knowledge base to copy instead of a synthetic one")
    args = parser.parse_args()

    kb = tool("kb") or [sys.executable, "-m", "kb.cli"]
    sqlite_utils = tool("sqlite-utils") or [sys.executable, "-m", "sqlite_utils"]
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "kb.db"
        if args.kb:
            shutil.copyfile(args.kb, db)
        else:
            make = [sys.executable, str(BENCH / "make_synthetic.py"), "--works", str(args.works), "--out", str(db)]
            subprocess.run(make, check=True, capture_output=True)
        # The row sqlite-utils inserts: a table of its own in the same file (created before timing).
        subprocess.run(
            [*sqlite_utils, "insert", str(db), "bench_rows", "-"],
            input='{"title": "warm-up"}',
            check=True,
            capture_output=True,
            text=True,
        )
        commands = {
            "python -c 'import click'": lambda n: timed([sys.executable, "-c", "import click"]),
            "kb --version": lambda n: timed([*kb, "--version"]),
            "sqlite-utils insert (one row)": lambda n: timed(
                [*sqlite_utils, "insert", str(db), "bench_rows", "-"], stdin=f'{{"title": "Row {n}"}}'
            ),
            "kb add (one work)": lambda n: timed(
                [*kb, "add", "--title", f"Startup bench work {n}", "--db", str(db), "--by", "bench"]
            ),
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for n in range(args.runs):
            for name, run in commands.items():
                times[name].append(run(n))
    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"{args.runs} runs each, round-robin; median (min-max) of whole processes")
    for name, values in times.items():
        print(f"  {name:32} {median[name] * 1000:7.0f} ms  ({min(values) * 1000:.0f}-{max(values) * 1000:.0f})")
    version = median["kb --version"] / median["python -c 'import click'"]
    add = median["kb add (one work)"] / median["sqlite-utils insert (one row)"]
    print(f"kb --version / import click: {version:.2f}x (goal <= 2x)")
    print(f"kb add / sqlite-utils insert: {add:.2f}x (goal <= 1.5x)")


if __name__ == "__main__":
    main()
