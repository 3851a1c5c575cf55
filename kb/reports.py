"""Reports that fit a screen, with the details on request.

A long list on stderr (what an export could not carry, the duplicates an import
merged) is grouped and counted; `--verbose` prints it in full and `--report FILE`
writes every line to a file. Nothing is cut off without a way to see the rest.
"""

from __future__ import annotations

# At most this many lines of detail on screen before a list becomes a summary.
SCREEN_LINES = 5


def loss_summary(lost: dict[str, list[str]], label: str, shown: int = 5) -> str:
    """One line for many losses: how many works lost something, and what, most common first.

    "Not exported: 3,450 works hold fields BibTeX cannot carry: source (3,107 works),
    event-place (1,746), call-number (898) and 16 more kinds; --verbose lists each kind,
    --report FILE every work"
    """
    works = len({key for keys in lost.values() for key in keys})
    ranked = sorted(lost.items(), key=lambda item: (-len(item[1]), item[0]))
    parts = [
        f"{what} ({len(keys):,}{'' if n else ' work' if len(keys) == 1 else ' works'})"
        for n, (what, keys) in enumerate(ranked[:shown])
    ]
    more = len(ranked) - shown
    return (
        f"Not exported: {works:,} work{'s' if works != 1 else ''} hold fields {label} cannot carry: "
        + ", ".join(parts)
        + (f" and {more} more kind{'s' if more != 1 else ''}" if more > 0 else "")
        + "; --verbose lists each kind, --report FILE every work"
    )


def loss_report(lost: dict[str, list[str]], label: str) -> str:
    """Every work and what it lost, one tab-separated line each, sorted by citekey."""
    lines = sorted(f"{key}\t{what}" for what, keys in lost.items() for key in keys)
    return f"citekey\tnot representable in {label}\n" + "".join(line + "\n" for line in lines)
