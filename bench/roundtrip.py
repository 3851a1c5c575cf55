"""Round-trip drift: import -> export -> import -> export, per format, counting works that change.

For each file and each format: the file is imported into a fresh knowledge base
(`kb init`, `kb import --skip-invalid`), exported, the export imported into another
fresh knowledge base, and exported again. A work drifts when its record in the second
export is not byte-identical to its record in the first. The first knowledge base is
shared by the formats (it is the same import).

    python bench/roundtrip.py                      # the four corpora in ../shared/corpora
    python bench/roundtrip.py a.bib b.ris --format ris --examples 3

Runs kb in process through click's CliRunner (the same code as the command line).
"""

from __future__ import annotations

import argparse
import csv
import difflib
import io
import json
import re
import sys
import tempfile
from pathlib import Path

from click.testing import CliRunner

from kb.cli import cli

FORMATS = ["bibtex", "biblatex", "ris", "csl-json", "csv"]
SUFFIX = {"bibtex": "bib", "biblatex": "bib", "ris": "ris", "csl-json": "json", "csv": "csv"}
CORPORA = Path("/work/shared/corpora")


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    if result.exit_code != 0:
        raise SystemExit(f"kb {' '.join(args)} failed: {result.output[-2000:]}")
    return result.output


def fresh_kb(folder: Path, name: str) -> Path:
    db = folder / f"{name}.db"
    run("init", "--db", str(db))
    return db


def export(db: Path, fmt: str, out: Path) -> str:
    run("export", "--db", str(db), "--format", fmt, "-o", str(out))
    return out.read_text(encoding="utf-8")


def records(fmt: str, text: str) -> dict[str, str]:
    """Each work's record in an export, by its key (citekey, RIS ID, CSL id, CSV citekey)."""
    out: dict[str, str] = {}
    if fmt in ("bibtex", "biblatex"):
        for chunk in re.split(r"\n(?=@)", text):
            m = re.match(r"@\w+\{([^,]*),", chunk.strip())
            if m:
                out[m.group(1)] = chunk.strip()
    elif fmt == "ris":
        for chunk in re.split(r"\nER  -[^\n]*", text):
            m = re.search(r"^ID  - (.*)$", chunk, re.M)
            if chunk.strip():
                out[m.group(1) if m else chunk.strip()[:80]] = chunk.strip()
    elif fmt == "csl-json":
        for item in json.loads(text or "[]"):
            out[str(item.get("citation-key") or item.get("id"))] = json.dumps(item, ensure_ascii=False, indent=1)
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(text)))
        if rows:
            header = rows[0]
            key = header.index("citekey") if "citekey" in header else 0
            for row in rows[1:]:
                out[row[key]] = "\n".join(f"{h}: {v}" for h, v in zip(header, row, strict=False))
    return out


def drift(fmt: str, first: str, second: str) -> tuple[int, int, list[str]]:
    """(works in the first export, works that differ or vanished in the second, example diffs)."""
    a, b = records(fmt, first), records(fmt, second)
    changed = [k for k in a if b.get(k) != a[k]]
    examples = []
    for k in changed:
        diff = difflib.unified_diff(a[k].splitlines(), b.get(k, "(missing)").splitlines(), lineterm="", n=0)
        examples.append(f"  [{k}]\n" + "\n".join("    " + line for line in list(diff)[2:12]))
    return len(a), len(changed), examples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--format", action="append", choices=FORMATS, help="repeatable; default all five")
    parser.add_argument("--examples", type=int, default=2)
    args = parser.parse_args()
    files = args.files or sorted(p for p in CORPORA.iterdir() if p.suffix in (".bib", ".ris", ".json", ".csv"))
    formats = args.format or FORMATS
    print("| file | format | works | drifting | share |")
    print("|---|---|---:|---:|---:|")
    details = []
    for path in files:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            first_db = fresh_kb(folder, "first")
            run("import", "--db", str(first_db), "--skip-invalid", "--on-duplicate", "keep-both", str(path))
            for fmt in formats:
                out1 = folder / f"one.{SUFFIX[fmt]}"
                text1 = export(first_db, fmt, out1)
                second_db = fresh_kb(folder, f"second-{fmt}")
                run("import", "--db", str(second_db), "--skip-invalid", "--on-duplicate", "keep-both", str(out1))
                text2 = export(second_db, fmt, folder / f"two.{SUFFIX[fmt]}")
                total, changed, examples = drift(fmt, text1, text2)
                share = f"{100 * changed / total:.1f}%" if total else "-"
                print(f"| {path.name} | {fmt} | {total} | {changed} | {share} |", flush=True)
                if examples:
                    details.append(f"{path.name} {fmt}:\n" + "\n".join(examples[: args.examples]))
    for block in details:
        print("\n" + block, file=sys.stderr)


if __name__ == "__main__":
    main()
