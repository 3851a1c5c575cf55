"""Is any distinct work of a file lost on import? (issue 9)

    python bench/lost_works.py [FILE ...]   (default: the four files in $KB_CORPORA or ../shared/corpora)

Imports each file into a fresh knowledge base and checks every entry of the file: its
title exists among the works, or its record was merged into a work whose title agrees
with it (a record it really duplicates). Prints, per file: entries, works landed,
merges by reason (with examples), candidate pairs left for `kb dedupe`, and the
entries lost (title nowhere, or merged into a work with another title).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kb import dedupe  # noqa: E402
from kb.db import connect  # noqa: E402
from kb.identity_rules import titles_agree  # noqa: E402
from kb.importers import parse_file  # noqa: E402
from kb.importing import import_files  # noqa: E402
from kb.keys import title_key  # noqa: E402
from kb.model import WorkRecord  # noqa: E402
from kb.store import Store  # noqa: E402

DEFAULT_CORPORA = Path(os.environ.get("KB_CORPORA", REPO.parent / "shared" / "corpora"))
CORPORA = ("muccigrosso_zotero_library.csl.json", "jgrey_main_all.bib", "cdl.bib", "biodiversity_scopus.ris")


def check(path: Path) -> dict:
    _, records = parse_file(str(path))
    entries = [r for r in records if isinstance(r, WorkRecord)]
    # A title that folds to nothing ("...", only symbols) cannot be looked up by its key.
    wanted = [title_key(r.item.get("title")) for r in entries if title_key(r.item.get("title"))]
    with tempfile.TemporaryDirectory() as tmp:
        db = connect(Path(tmp) / "kb.db")
        store = Store(db, user="bench")
        reports = import_files(store, [str(path)], skip_invalid=True)
        conn = db.conn
        landed = {row[0] for row in conn.execute("SELECT title_key FROM articles")}
        merged = collections.defaultdict(list)  # record title -> [(survivor title, reason)]
        reasons = collections.Counter()
        examples: dict[str, list[str]] = collections.defaultdict(list)
        for csl, reason, survivor in conn.execute(
            "SELECT m.csl_json, m.reason, a.title_key FROM merged_records m JOIN articles a ON a.id = m.article_id"
        ):
            title = title_key(json.loads(csl).get("title"))
            merged[title].append((survivor, reason))
            reasons[reason] += 1
            if len(examples[reason]) < 2:
                examples[reason].append(f"{json.loads(csl).get('title')!r} into {survivor!r}")
        lost, wrongly_merged = [], []
        for title in dict.fromkeys(wanted):
            if title in landed:
                continue
            if any(titles_agree(title, survivor) for survivor, _ in merged.get(title, [])):
                continue
            (wrongly_merged if title in merged else lost).append(title)
        candidates = conn.execute("SELECT count(*) FROM duplicate_candidates").fetchone()[0]
        candidate_reasons = collections.Counter(
            re.sub(r"\d+", "N", re.sub(r" \(.*\)| differ in .*$", "", reason))
            for (reason,) in conn.execute("SELECT reason FROM duplicate_candidates")
        )
        likely = sum(1 for _ in dedupe.likely_duplicates(conn))
        counts = reports[0].counts
        return {
            "file": path.name,
            "entries": len(entries),
            "distinct titles": len(set(wanted)),
            "works": conn.execute("SELECT count(*) FROM articles").fetchone()[0],
            "summary": f"{counts.added} added, {counts.merged} merged, {counts.unchanged} unchanged (duplicates that added nothing), "
            f"{counts.skipped} skipped",
            "merges by reason": dict(reasons.most_common()),
            "examples": dict(examples),
            "candidate pairs (import)": candidates,
            "candidate reasons": dict(candidate_reasons.most_common()),
            "pairs kb dedupe lists": likely,
            "titles lost": len(lost),
            "titles merged into another title": len(wrongly_merged),
            "lost examples": (lost + wrongly_merged)[:5],
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*")
    args = parser.parse_args()
    paths = [Path(f) for f in args.files] or [DEFAULT_CORPORA / name for name in CORPORA]
    for path in paths:
        result = check(path)
        print(json.dumps(result, indent=1, ensure_ascii=False))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
