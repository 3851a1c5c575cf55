"""Does decoding LaTeX lose a word of a title? (issue 12, item 3)

    python bench/title_words.py [FILE.bib ...]   (default: /work/shared/corpora/*.bib)

For every entry of each file, the words of its raw title (``title`` and ``subtitle``
as written, macros expanded) by a simple rule independent of kb's decoder: drop
``\\cmd`` names and one-character escapes (``\\'``), drop braces, keep runs of letters,
fold case and accents. Each such word must appear in kb's decoded title (folded the
same way; a word glued to another, "The {\\TeX book}" -> "The TeXbook", still counts as
there). Prints, per file: entries, entries with a title, entries losing words, words
lost, and the first examples.
"""

from __future__ import annotations

import argparse
import glob
import re
import sys
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kb.errors import KbError  # noqa: E402
from kb.importers.bibtex import BibFile, entry_to_work  # noqa: E402

_COMMAND = re.compile(r"\\(?:[A-Za-z]+|.)")
# Escaped punctuation prints as itself ("A\&M" is two words, not "AM"), a spacing command
# ("Mac\,OS") as a space; \href's target does not print.
_ESCAPED_PUNCTUATION = re.compile(r"\\([&%$#_{},;:!])")
_HREF_TARGET = re.compile(r"\\href\s*\{[^{}]*\}")
# Letters LaTeX writes as commands, and the letters they fold to on both sides.
_LETTER_COMMANDS = re.compile(r"\\(i|j|o|O|l|L|ss|ae|AE|oe|OE|aa|AA)(?![A-Za-z])")
_LETTER_FOLDS = str.maketrans({"ı": "i", "ȷ": "j", "ø": "o", "ł": "l", "æ": "ae", "œ": "oe"})
_LETTERS = re.compile(r"[^\W\d_]+")


def words(text: str) -> list[str]:
    """Folded runs of letters, LaTeX commands and braces dropped."""
    text = _LETTER_COMMANDS.sub(lambda m: m.group(1)[0] if m.group(1) in "aaAA" else m.group(1), text)
    text = re.sub(r"\\\s", " ", text)  # a control space is a space
    text = _HREF_TARGET.sub("", _ESCAPED_PUNCTUATION.sub(" ", text))
    text = _COMMAND.sub("", text).replace("{", "").replace("}", "")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _LETTERS.findall(text.casefold().translate(_LETTER_FOLDS))


def lost_words(raw: str, decoded: str) -> list[str]:
    kept = " ".join(words(decoded))
    return [word for word in words(raw) if word not in kept]


def check_file(path: str, examples: int) -> tuple[int, int, int, int, list[str]]:
    bib = BibFile(Path(path).read_text(encoding="utf-8", errors="replace"), path)
    entries = list(bib._entries or [])  # (head, fields with macros expanded): the raw values
    titled = losing = lost = 0
    shown: list[str] = []
    for head, fields in entries:
        raw = " ".join(fields[name] for name in ("title", "subtitle") if fields.get(name))
        if not raw:
            continue
        titled += 1
        try:
            decoded = entry_to_work(head, fields, path).item.get("title") or ""
        except KbError:
            decoded = ""
        missing = lost_words(raw, decoded)
        if missing:
            losing += 1
            lost += len(missing)
            if len(shown) < examples:
                shown.append(f"  {head.key}: {raw!r} -> {decoded!r} (lost {', '.join(missing)})")
    return len(entries), titled, losing, lost, shown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", default=sorted(glob.glob("/work/shared/corpora/*.bib")))
    parser.add_argument("--examples", type=int, default=5)
    args = parser.parse_args()
    totals = [0, 0, 0, 0]
    for path in args.files:
        entries, titled, losing, lost, shown = check_file(path, args.examples)
        print(f"{path}: {entries} entries, {titled} with a title, {losing} losing words, {lost} words lost")
        for line in shown:
            print(line)
        totals = [a + b for a, b in zip(totals, (entries, titled, losing, lost), strict=True)]
    print(f"total: {totals[0]} entries, {totals[1]} with a title, {totals[2]} losing words, {totals[3]} words lost")


if __name__ == "__main__":
    main()
