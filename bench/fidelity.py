"""Fidelity on real files: what lands, what is skipped, what words are lost, what drifts (issue 12).

    python bench/fidelity.py                         # the four corpora in /work/shared/corpora
    python bench/fidelity.py DIR_OR_FILE ... [--no-corpora] [--format ris] [--examples 3]

Each .bib/.ris/.csv/.json file (folders are searched recursively) is imported into a
fresh knowledge base with `--skip-invalid --on-duplicate keep-both` (kb's import code,
in process). Per file it reports:

- refused: the whole file rejected (with the one-line error);
- landed / skipped: works saved, and records skipped with their reasons (counted by
  reason, the citekey or line left out);
- title words lost: words of the source's titles missing from kb's titles. BibTeX by
  the rule of bench/title_words.py (raw title, macros and braces dropped, entry by
  entry); RIS, CSL-JSON and CSV by the titles read independently of kb (rispy, json,
  csv), every word of the file's titles against every word of kb's;
- round-trip drift per export format: export, import the export into another fresh
  knowledge base, export again; a work drifts when its record in the second export is
  not byte-identical to the first (records matched by citekey / RIS `ID` / CSL `id` /
  CSV `citekey`; a work re-keyed or gone counts as drifting). A cell "3/100 (+2
  reported)" is 3 drifting works the export's loss report does not name, and 2 it
  names (what the format cannot carry). Drifting works are also counted by the field
  that differs, and those the loss report names only for other fields (a work named for
  its `call-number` while its date drifts) are listed apart;
- unreported losses per format: a CSL variable a work had in the first knowledge base
  and no longer has after the round trip, that the export's loss report did not name.
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
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import rispy

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from title_words import check_file as bib_title_check  # noqa: E402
from title_words import words  # noqa: E402

from kb.db import connect  # noqa: E402
from kb.errors import KbError  # noqa: E402
from kb.exporting import export  # noqa: E402
from kb.importing import import_files  # noqa: E402
from kb.store import Store  # noqa: E402

FORMATS = ["bibtex", "biblatex", "ris", "csl-json", "csv"]
SUFFIX = {"bibtex": "bib", "biblatex": "bib", "ris": "ris", "csl-json": "json", "csv": "csv"}
IMPORT_FORMAT = {"bibtex": "bibtex", "biblatex": "bibtex", "ris": "ris", "csl-json": "csl-json", "csv": "csv"}
CORPORA = Path("/work/shared/corpora")
EXTENSIONS = (".bib", ".ris", ".csv", ".json")


@dataclass
class FileResult:
    path: Path
    refused: str = ""
    landed: int = 0
    skipped: Counter = field(default_factory=Counter)
    titled: int = 0
    words_lost: int = 0
    word_examples: list[str] = field(default_factory=list)
    # format -> (works, drifting works the loss report does not name, drifting works it names)
    drift: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    drift_fields: dict[str, Counter] = field(default_factory=dict)
    unreported: dict[str, Counter] = field(default_factory=dict)  # format -> variable -> works
    # format -> drifting works the loss report names, but not for a field that drifts
    named_elsewhere: dict[str, list[str]] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)


def new_store(folder: Path, name: str) -> Store:
    return Store(connect(folder / f"{name}.db"))


def import_into(store: Store, path: Path, fmt: str | None = None) -> tuple[int, Counter]:
    """(works landed, skipped reasons counted) of importing one file."""
    reports = import_files(store, [path], fmt=fmt, on_duplicate="keep-both", skip_invalid=True)
    landed, skipped = 0, Counter()
    for report in reports:
        c = report.counts
        landed += c.added + c.updated + c.merged + c.unchanged
        for reason in c.skipped_reasons:
            skipped[_reason_kind(reason)] += 1
        missing = c.skipped - len(c.skipped_reasons)
        if missing > 0:
            skipped["(no reason given)"] += missing
    return landed, skipped


def _reason_kind(reason: str) -> str:
    """A skip reason without its place ("file.bib:12: ...") and quoted values, to count alike ones."""
    text = re.sub(r"^\S+:\d+:\s*", "", reason)
    text = re.sub(r"'[^']*'|\"[^\"]*\"", "'...'", text)
    return re.sub(r"\d+", "N", text)[:120]


def items_by_key(store: Store) -> dict[str, dict]:
    """Each work's CSL item, with each source field an import kept as a variable of its
    own, named as the loss report names it ("bibtex field file"). The record type
    (BibTeX's ENTRYTYPE, RIS's TY) is left out: every format writes its own."""
    out = {}
    for key, csl, extra in store.conn.execute("SELECT citekey, csl_json, extra_json FROM articles"):
        item = json.loads(csl)
        for fmt, kept in (json.loads(extra) if extra else {}).items():
            for name, value in kept.items():
                if name.upper() not in ("ENTRYTYPE", "TY"):
                    item[f"{fmt} field {name}"] = value
        out[key] = item
    return out


# --- title words -----------------------------------------------------------------------


def source_titles(path: Path) -> list[str] | None:
    """The titles of a RIS, CSL-JSON or CSV file read without kb (None: not readable so)."""
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    try:
        if path.suffix == ".ris":
            entries = rispy.loads(text.lstrip("\ufeff \n"), skip_unknown_tags=True)
            return [e.get("title") or e.get("primary_title") or "" for e in entries]
        if path.suffix == ".json":
            data = json.loads(text)
            data = data if isinstance(data, list) else data.get("items", [data]) if isinstance(data, dict) else []
            return [str(item.get("title") or "") for item in data if isinstance(item, dict)]
        if path.suffix == ".csv":
            rows = list(csv.DictReader(io.StringIO(text)))
            column = next((h for h in (rows[0] if rows else {}) if h and h.strip().lower() == "title"), None)
            return [row.get(column) or "" for row in rows] if column else None
    except Exception:  # a file kb reads and rispy/json/csv do not: no independent count
        return None
    return None


def check_titles(result: FileResult, path: Path, store: Store, examples: int) -> None:
    if path.suffix == ".bib":
        _, titled, _, lost, shown = bib_title_check(str(path), examples)
        result.titled, result.words_lost, result.word_examples = titled, lost, shown
        return
    titles = source_titles(path)
    if titles is None:
        return
    kept = set()
    for (title,) in store.conn.execute("SELECT title FROM articles"):
        kept.update(words(title or ""))
    result.titled = sum(1 for t in titles if t.strip())
    for title in titles:
        missing = [w for w in words(title) if w not in kept]
        result.words_lost += len(missing)
        if missing and len(result.word_examples) < examples:
            result.word_examples.append(f"  {title[:80]!r} (lost {', '.join(missing)})")


# --- round-trip drift ---------------------------------------------------------------------


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


_FIELD = {
    "bibtex": re.compile(r"^\s*(\w[\w-]*) = "),
    "biblatex": re.compile(r"^\s*(\w[\w-]*) = "),
    "ris": re.compile(r"^([A-Z][A-Z0-9])  - "),
    "csl-json": re.compile(r'^ {1,2}"([^"]+)":'),
    "csv": re.compile(r"^([\w-]+): "),
}


def differing_fields(fmt: str, first: str, second: str | None, first_only: bool = False) -> set[str]:
    if second is None:
        return {"(record gone or re-keyed)"}
    names = set()
    lines = set(first.splitlines()) - set(second.splitlines()) if first_only else None
    for line in lines if lines is not None else set(first.splitlines()) ^ set(second.splitlines()):
        m = _FIELD[fmt].match(line)
        names.add(m.group(1) if m else "(a continued line)")
    return names


# The CSL variables a format's field holds, where its name is not the variable's (CSV's
# columns and CSL-JSON's keys are): a drifting field is "named" when a loss line names
# one of them, or names the field as a kept one ("ris field M1").
_VARIABLES = {
    "ris": {
        "AU": "author",
        "A2": "editor",
        "A3": "collection-editor",
        "A4": "translator",
        "TI": "title",
        "ST": "title-short",
        "T2": "container-title",
        "J2": "container-title-short",
        "T3": "collection-title",
        "PY": "issued",
        "DA": "issued",
        "Y2": "accessed",
        "VL": "volume",
        "IS": "issue number",
        "SP": "page",
        "EP": "page",
        "ET": "edition",
        "M3": "genre",
        "PB": "publisher",
        "CY": "publisher-place",
        "SN": "ISBN ISSN",
        "DO": "DOI",
        "UR": "URL",
        "LA": "language",
        "KW": "keyword",
        "AB": "abstract",
        "N1": "note",
    },
    "bibtex": {
        "journal": "container-title",
        "journaltitle": "container-title",
        "booktitle": "container-title",
        "shortjournal": "container-title-short",
        "series": "collection-title",
        "year": "issued",
        "month": "issued",
        "date": "issued",
        "urldate": "accessed",
        "pages": "page",
        "address": "publisher-place",
        "location": "publisher-place",
        "keywords": "keyword",
        "doi": "DOI",
        "url": "URL",
        "isbn": "ISBN",
        "issn": "ISSN",
        "shorttitle": "title-short",
        "institution": "publisher",
        "school": "publisher",
        "organization": "publisher",
    },
    "csv": {"tags": "keyword"},
}
_VARIABLES["biblatex"] = _VARIABLES["bibtex"]


def named_for(fmt: str, fields: set[str], named: set[str]) -> bool:
    """Whether the loss lines `named` of a work name every field of it that drifts."""
    for name in fields:
        variables = _VARIABLES.get(fmt, {}).get(name, name).split()
        if not any(
            what == v or what.startswith(f"{v} ") or what.endswith(f" field {name}")
            for what in named
            for v in variables
        ):
            return False
    return True


def round_trip(result: FileResult, folder: Path, first: Store, fmt: str, examples: int) -> None:
    exported = export(first.conn, fmt)
    out1 = folder / f"one-{fmt}.{SUFFIX[fmt]}"
    out1.write_text(exported.text, encoding="utf-8")
    second = new_store(folder, f"second-{fmt}")
    try:
        import_into(second, out1, IMPORT_FORMAT[fmt])
    except KbError as exc:
        result.examples.append(f"{result.path.name} {fmt}: its own export refused on import: {exc}")
        result.drift[fmt] = (exported.count, exported.count, 0)
        return
    text2 = export(second.conn, fmt).text
    a, b = records(fmt, exported.text), records(fmt, text2)
    reported: dict[str, set[str]] = {}
    for what, keys in exported.lost.items():
        for key in keys:
            reported.setdefault(key, set()).add(what)
    changed = [k for k in a if b.get(k) != a[k]]
    named = sum(1 for k in changed if k in reported)
    result.drift[fmt] = (len(a), len(changed) - named, named)
    changed.sort(key=lambda k: k in reported)  # the examples: drift nobody reported first
    counted = result.drift_fields.setdefault(fmt, Counter())
    elsewhere = result.named_elsewhere.setdefault(fmt, [])
    for key in changed:
        fields = differing_fields(fmt, a[key], b.get(key))
        counted.update(fields)
        # the fields of the first export that changed (a J2 read back as the journal is
        # named for J2, not for the T2 it became)
        if key in reported and not named_for(
            fmt, differing_fields(fmt, a[key], b.get(key), first_only=True), reported[key]
        ):
            elsewhere.append(key)
    for key in changed[:examples]:
        diff = difflib.unified_diff(a[key].splitlines(), b.get(key, "(missing)").splitlines(), lineterm="", n=0)
        body = "\n".join("    " + line[:300] for line in list(diff)[2:10])
        result.examples.append(f"{result.path.name} {fmt} [{key}]\n{body}")
    # losses nobody reported: a variable gone after the round trip (its value nowhere in
    # the work's item or kept fields: a value moved to another variable is not lost) and
    # not named in the loss report
    before, after = items_by_key(first), items_by_key(second)
    unreported = result.unreported.setdefault(fmt, Counter())
    for key, item in before.items():
        again = after.get(key)
        if again is None:
            continue
        named = reported.get(key, set())
        again_text = json.dumps(again, ensure_ascii=False)
        for variable, value in item.items():
            if variable in again or variable in ("id", "citation-key"):
                continue
            if isinstance(value, str) and json.dumps(value, ensure_ascii=False)[1:-1] in again_text:
                continue
            if not any(what == variable or what.startswith(f"{variable} ") for what in named):
                unreported[variable] += 1
    second.conn.close()


# --- the run ------------------------------------------------------------------------------


def check(path: Path, formats: list[str], examples: int) -> FileResult:
    result = FileResult(path)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        first = new_store(folder, "first")
        try:
            result.landed, result.skipped = import_into(first, path)
        except KbError as exc:
            result.refused = str(exc)[:200]
            return result
        except Exception as exc:  # a crash is a finding, not the end of the run
            result.refused = f"CRASH {type(exc).__name__}: {exc}"[:200]
            return result
        check_titles(result, path, first, examples)
        for fmt in formats:
            try:
                round_trip(result, folder, first, fmt, examples)
            except Exception as exc:
                result.examples.append(f"{path.name} {fmt}: CRASH {type(exc).__name__}: {exc}")
        first.conn.close()
    return result


def files_in(targets: list[Path]) -> list[Path]:
    found = []
    for target in targets:
        if target.is_dir():
            found.extend(sorted(p for p in target.rglob("*") if p.is_file() and p.suffix.lower() in EXTENSIONS))
        else:
            found.append(target)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", type=Path, help="files or folders of .bib/.ris/.csv/.json")
    parser.add_argument("--no-corpora", action="store_true", help="leave out /work/shared/corpora")
    parser.add_argument("--format", action="append", choices=FORMATS, help="repeatable; default all five")
    parser.add_argument("--examples", type=int, default=2, help="examples per file and format")
    args = parser.parse_args()
    targets = list(args.targets)
    if not args.no_corpora:
        targets.insert(0, CORPORA)
    formats = args.format or FORMATS
    started = time.monotonic()
    print("| file | refused | landed | skipped | titles | title words lost | " + " | ".join(formats) + " |")
    print("|---|---|---:|---:|---:|---:|" + "---:|" * len(formats))
    totals = Counter()
    details: list[str] = []
    for path in files_in(targets):
        r = check(path, formats, args.examples)
        cells = []
        for fmt in formats:
            works, drifting, named = r.drift.get(fmt, (0, 0, 0))
            cells.append((f"{drifting}/{works}" + (f" (+{named} reported)" if named else "")) if works else "-")
            totals[f"{fmt} works"] += works
            totals[f"{fmt} drifting"] += drifting
            totals[f"{fmt} named"] += named
        totals["files"] += 1
        totals["refused"] += bool(r.refused)
        totals["landed"] += r.landed
        totals["skipped"] += sum(r.skipped.values())
        totals["titles"] += r.titled
        totals["words lost"] += r.words_lost
        print(
            f"| {path.name} | {'yes' if r.refused else ''} | {r.landed} | {sum(r.skipped.values())} | "
            f"{r.titled} | {r.words_lost} | " + " | ".join(cells) + " |",
            flush=True,
        )
        lines = []
        if r.refused:
            lines.append(f"  refused: {r.refused}")
        lines += [f"  skipped {n}: {reason}" for reason, n in r.skipped.most_common(5)]
        lines += r.word_examples
        for fmt, counted in r.drift_fields.items():
            if counted:
                lines.append(f"  {fmt} drift by field: " + ", ".join(f"{k} {n}" for k, n in counted.most_common(8)))
        for fmt, keys in r.named_elsewhere.items():
            if keys:
                lines.append(
                    f"  {fmt} drift the loss report names the work for, but not the drifting field: "
                    f"{len(keys)} ({', '.join(keys[:8])})"
                )
        for fmt, counted in r.unreported.items():
            if counted:
                lines.append(f"  {fmt} unreported losses: " + ", ".join(f"{k} {n}" for k, n in counted.most_common(8)))
                totals[f"{fmt} unreported"] += sum(counted.values())
        lines += r.examples
        if lines:
            details.append(f"{path}:\n" + "\n".join(lines))
    drift = ", ".join(
        f"{fmt} {totals[f'{fmt} drifting']}/{totals[f'{fmt} works']} (+{totals[f'{fmt} named']} reported)"
        for fmt in formats
    )
    unreported = ", ".join(f"{fmt} {totals[f'{fmt} unreported']}" for fmt in formats)
    print(
        f"\ntotal: {totals['files']} files, {totals['refused']} refused, {totals['landed']} works landed, "
        f"{totals['skipped']} skipped, {totals['titles']} titles, {totals['words lost']} title words lost; "
        f"drifting: {drift}; unreported losses: {unreported}; {time.monotonic() - started:.0f} s"
    )
    for block in details:
        print("\n" + block, file=sys.stderr)


if __name__ == "__main__":
    main()
