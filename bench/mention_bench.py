"""Mention detection: kb.linking (one Aho-Corasick pass) against one regex per alias.

Synthetic, deterministic data (seeded): 5,000 aliases of 2,000 organisations and
events (multi-word names, and all-capital acronyms matched case-sensitively), and the
text of 10,000 works (about 300 words each, with a few aliases mixed in). kb's finder
scans all 10,000 texts; the baseline, one compiled regex per alias with the same
word-boundary and case rules, is far slower, so it scans the first --baseline-works
texts and the two are compared as works per second. Both must find the same
(work, target) pairs on the texts both scanned.

    python bench/mention_bench.py [--works 10000] [--aliases 5000] [--baseline-works 20] [--runs 5]
"""

from __future__ import annotations

import argparse
import platform
import random
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kb.linking import MentionFinder, Target, is_acronym  # noqa: E402

SYLLABLES = "ka lo mi ne ru sa te vo zi ba de fi go hu ja ke li mo nu pa qui re si tu va we xi yo za".split()


def word(rng: random.Random, capital: bool) -> str:
    text = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
    return text.capitalize() if capital else text


def make_aliases(rng: random.Random, count: int) -> list[tuple[str, Target]]:
    """`count` distinct aliases over count/2.5 targets; one in five an acronym."""
    targets = [Target("organisations" if i % 2 else "events", i, f"Target {i}") for i in range(int(count / 2.5))]
    seen: set[str] = set()
    aliases: list[tuple[str, Target]] = []
    while len(aliases) < count:
        if rng.random() < 0.2:
            alias = "".join(rng.choice("ABCDEFGHIJKLMNOPRSTUVWZ") for _ in range(rng.randint(3, 5)))
        else:
            alias = " ".join(word(rng, capital=True) for _ in range(rng.randint(1, 4)))
        if alias.lower() in seen:
            continue
        seen.add(alias.lower())
        aliases.append((alias, targets[len(aliases) % len(targets)]))
    return aliases


def make_texts(rng: random.Random, count: int, aliases: list[tuple[str, Target]]) -> list[str]:
    vocabulary = [word(rng, capital=False) for _ in range(5000)]
    texts = []
    for _ in range(count):
        words = rng.choices(vocabulary, k=300)
        for _ in range(rng.randint(0, 6)):  # a few mentions per work
            words.insert(rng.randrange(len(words)), rng.choice(aliases)[0])
        texts.append(" ".join(words) + ".")
    return texts


def regex_baseline(aliases: list[tuple[str, Target]]):
    patterns = [
        (re.compile(r"(?<!\w)" + re.escape(alias) + r"(?!\w)", 0 if is_acronym(alias) else re.IGNORECASE), target)
        for alias, target in aliases
    ]

    def find(text: str) -> set[Target]:
        return {target for pattern, target in patterns if pattern.search(text)}

    return find


def median_time(function, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=10_000)
    parser.add_argument("--aliases", type=int, default=5_000)
    parser.add_argument("--baseline-works", type=int, default=20, help="texts the regex baseline scans (it is slow)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    rng = random.Random(20101119)
    aliases = make_aliases(rng, args.aliases)
    texts = make_texts(rng, args.works, aliases)
    megabytes = sum(len(t) for t in texts) / 1e6
    print(
        f"{args.works} works ({megabytes:.1f} MB of text), {len(aliases)} aliases, median of {args.runs} runs; "
        f"Python {platform.python_version()} on {platform.machine()}"
    )

    build = median_time(lambda: MentionFinder(aliases), args.runs)
    finder = MentionFinder(aliases)
    ours = median_time(lambda: [finder.find(t) for t in texts], args.runs)
    baseline_find = regex_baseline(aliases)
    sample = texts[: args.baseline_works]
    theirs = median_time(lambda: [baseline_find(t) for t in sample], args.runs)

    agree = all(set(finder.find(t)) <= baseline_find(t) for t in sample)
    ours_rate = args.works / ours
    theirs_rate = len(sample) / theirs
    print(f"kb.linking (pyahocorasick): build {build * 1000:.0f} ms; scan {ours:.2f} s = {ours_rate:,.0f} works/s")
    print(
        f"regex per alias:            scan of {len(sample)} works {theirs:.2f} s = {theirs_rate:,.1f} works/s "
        f"(10,000 works would take {args.works / theirs_rate:,.0f} s)"
    )
    print(f"speed-up: {ours_rate / theirs_rate:,.0f}x   same targets found: {'yes' if agree else 'NO'}")


if __name__ == "__main__":
    main()
