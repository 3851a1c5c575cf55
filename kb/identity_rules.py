"""When are two records the same work: the one place that decides.

A shared identifier is evidence, not proof. `judge(new, old, evidence)` weighs what the
two records share (a DOI, a URL, an ISBN, a citekey, or a title with its first author
and year) against what tells versions apart, and answers:

- MERGE: the same work; the new record is merged into the old one;
- CANDIDATE: maybe the same work; the new record lands as its own work and the pair
  is listed by `kb dedupe` with the reason, for a person to judge;
- DIFFERENT: two works that happen to share something (two chapters of one book
  share its ISBN and URL, a stable JSTOR URL serves a journal's whole run); the new
  record lands as its own work, nothing is listed.

The table (kept in the README as "When are two records the same work"):

| evidence                        | titles agree | contradiction | verdict   |
|---------------------------------|--------------|---------------|-----------|
| kb YAML citekey (kb's own file) | any          | any           | merge (update) |
| same DOI                        | yes          | none          | merge     |
| same DOI                        | no (alike)   | none          | merge when one title only leaves words out, else candidate |
| same DOI                        | unrelated    | none          | different |
| same DOI                        | yes          | yes           | candidate |
| same DOI                        | no           | yes           | different |
| same URL / ISBN / citekey       | yes          | none          | merge     |
| same URL / ISBN / citekey       | no (alike)   | none          | candidate |
| same URL / ISBN / citekey       | unrelated    | none          | different |
| same URL / ISBN / citekey       | any          | yes           | different |
| title, first author, year       | yes          | none          | merge     |
| title, first author, year       | no           | none          | candidate |
| title, first author, year       | any          | yes           | different |

Titles agree when one is the other with a subtitle added, or they are TITLE_AGREEMENT
alike and differ in no word but misspellings; they are unrelated below
UNRELATED_TITLES (many works share a site's URL).

A contradiction is any of: different DOIs; years more than one apart; different numbers in the titles
("part 1"/"part 2", "2019"/"2020", "vol. II"/"vol. III", "first"/"second"); different
volume, issue, edition, number, part, chapter or collection numbers; a book and a
chapter (or paper) of it, or one record's container title is the other's title;
different page ranges; two journal (magazine, newspaper) articles in different
containers. A value only one record has never contradicts.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .names import fold

MERGE, CANDIDATE, DIFFERENT = "merge", "candidate", "different"


def _fuzz():
    from rapidfuzz import fuzz  # imported where it is used: most commands never compare titles

    return fuzz


TITLE_AGREEMENT = 80.0  # percent, rapidfuzz ratio of folded titles
UNRELATED_TITLES = 60.0  # below this, titles sharing a URL/ISBN/citekey name different works
ARTICLE_TYPES = frozenset({"article-journal", "article-magazine", "article-newspaper"})
PART_TYPES = frozenset({"chapter", "paper-conference", "entry", "entry-dictionary", "entry-encyclopedia"})
WHOLE_TYPES = frozenset({"book", "collection", "periodical", "report"})
# CSL number variables that tell one volume/part/edition/issue of a work from another.
NUMBER_FIELDS = ("volume", "issue", "edition", "number", "part-number", "chapter-number", "collection-number")
_WORD_NUMBERS = {
    word: n
    for n, words in enumerate(
        [
            "zero",
            "one first",
            "two second",
            "three third",
            "four fourth",
            "five fifth",
            "six sixth",
            "seven seventh",
            "eight eighth",
            "nine ninth",
            "ten tenth",
        ]
    )
    for word in words.split()
}
_ROMAN = re.compile(r"^(?=[mdclxvi]+$)m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")
_SERIES_WORDS = frozenset(
    {"part", "pt", "vol", "volume", "book", "tome", "no", "number", "chapter", "ch", "issue", "edition", "ed"}
)
# Ordinal words, folded, in the languages of the shared corpora: "First/Second Constitution",
# "Ottavo/Nono Incontro", "Premier/Deuxième congrès", "Erste/Zweite Auflage".
_ORDINALS = {
    word: n
    for language in (
        "first second third fourth fifth sixth seventh eighth ninth tenth",
        "primo secondo terzo quarto quinto sesto settimo ottavo nono decimo",
        "premier deuxieme troisieme quatrieme cinquieme sixieme septieme huitieme neuvieme dixieme",
        "erste zweite dritte vierte funfte sechste siebte achte neunte zehnte",
        "primero segundo tercero cuarto quinto sexto septimo octavo noveno decimo",
    )
    for n, word in enumerate(language.split(), start=1)
}
_ORDINALS.update(premiere=1, erster=1, zweiter=2, dritter=3)
_TITLE_STOP_WORDS = frozenset(
    {"a", "an", "the", "of", "and", "in", "on", "for", "to", "s", "le", "la", "les", "il", "lo", "der", "die", "das"}
)
TYPO_SIMILARITY = (
    85.0  # percent: a word this alike to one in the other title is the same word misspelt ("defence", "defense")
)
_CONTAINER_STOP_WORDS = frozenset(
    {"of", "the", "and", "for", "in", "on", "a", "an", "de", "la", "le", "des", "und", "fur"}
)


@dataclass(frozen=True)
class Verdict:
    kind: str  # MERGE, CANDIDATE or DIFFERENT
    reason: str


@dataclass
class Facts:
    """What the rules look at in one record."""

    type: str | None
    title: str | None  # folded (keys.title_key)
    year: int | None
    container: str | None  # folded
    pages: str | None
    numbers: dict[str, str]  # NUMBER_FIELDS -> normalised value
    doi: str | None = None  # normalised (keys.normalise_doi)


def facts(columns: dict[str, Any], item: dict[str, Any]) -> Facts:
    """The facts of a record from its `articles` columns and CSL item."""
    numbers = {name: _number_value(item.get(name)) for name in NUMBER_FIELDS if item.get(name) not in (None, "")}
    return Facts(
        type=columns.get("type"),
        title=columns.get("title_key"),
        year=columns.get("year"),
        container=fold(str(item.get("container-title") or "")) or None,
        pages=_pages(item.get("page")),
        numbers=numbers,
        doi=columns.get("doi_key"),
    )


def facts_of_row(
    type_: str | None, title_key: str | None, year: int | None, doi_key: str | None, csl_json: str
) -> Facts:
    item = json.loads(csl_json)
    return facts({"type": type_, "title_key": title_key, "year": year, "doi_key": doi_key}, item)


def _number_value(value: Any) -> str:
    text = fold(str(value))
    digits = re.findall(r"\d+", text)
    if digits:
        return "-".join(str(int(d)) for d in digits)
    for word in text.split():
        if word in _WORD_NUMBERS:
            return str(_WORD_NUMBERS[word])
        if _ROMAN.match(word):
            return str(_roman_value(word))
    return text


def _pages(value: Any) -> str | None:
    if value in (None, ""):
        return None
    digits = re.findall(r"\d+", str(value))
    return "-".join(str(int(d)) for d in digits) if digits else fold(str(value)) or None


def _roman_value(word: str) -> int:
    values = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
    total = 0
    for a, b in zip(word, word[1:] + " "):
        total += -values[a] if values.get(b, 0) > values[a] else values[a]
    return total


@lru_cache(maxsize=16384)  # an import compares one work's title with many others, again and again
def title_numbers(title: str | None) -> frozenset[int]:
    """The numbers a folded title carries: digits, ordinal words, and numerals or number
    words after part/vol./book/no. ("part ii", "volume three")."""
    if not title:
        return frozenset()
    found: set[int] = set()
    words = title.split()
    for i, word in enumerate(words):
        if any(c.isdigit() for c in word):  # "2019", and the serial in "sc00085j"
            found.update(int(run) for run in re.findall(r"\d+", word))
        elif word in _ORDINALS:
            found.add(_ORDINALS[word])
        elif i and words[i - 1] in _SERIES_WORDS:
            if word in _WORD_NUMBERS:
                found.add(_WORD_NUMBERS[word])
            elif _ROMAN.match(word):
                found.add(_roman_value(word))
    return frozenset(found)


def titles_agree(a: str | None, b: str | None) -> bool:
    """Whether two folded titles name the same work: one is the other with a subtitle
    added, or they are alike at TITLE_AGREEMENT percent and differ in no word but
    misspellings ("Day Light Bomb Shells" / "Night Bomb Shells" differ in "day").
    An empty title agrees with none: a work without a title is never one with another
    by its title."""
    if not a or not b:
        return False
    if a == b:
        return True
    shorter, longer = sorted((a, b), key=len)
    if len(shorter) >= 12 and longer.startswith(shorter):
        return True
    return _fuzz().ratio(a, b) >= TITLE_AGREEMENT and not different_words(a, b)


def different_words(a: str, b: str) -> list[str]:
    """The words of one folded title that the other lacks, with no misspelt form of
    them there either (small words such as "the" aside)."""
    words_a, words_b = set(a.split()) - _TITLE_STOP_WORDS, set(b.split()) - _TITLE_STOP_WORDS
    only_a, only_b = words_a - words_b, words_b - words_a
    unmatched = [w for w in only_a if not any(_fuzz().ratio(w, other) >= TYPO_SIMILARITY for other in only_b)]
    unmatched += [w for w in only_b if not any(_fuzz().ratio(w, other) >= TYPO_SIMILARITY for other in only_a)]
    return sorted(unmatched)


def _shorter_form(a: str, b: str) -> bool:
    """Whether every word of one folded title is in the other (one is a shorter form)."""
    words_a, words_b = set(a.split()) - _TITLE_STOP_WORDS, set(b.split()) - _TITLE_STOP_WORDS
    return bool(words_a and words_b) and (words_a <= words_b or words_b <= words_a)


def containers_agree(a: str, b: str) -> bool:
    """Folded container titles: equal, alike, one inside the other, or one abbreviates the
    other word by word ("j strateg stud" / "journal of strategic studies")."""
    if a == b or a in b or b in a or _fuzz().ratio(a, b) >= TITLE_AGREEMENT:
        return True
    short, long = sorted((a.split(), b.split()), key=len)
    long = [w for w in long if w not in _CONTAINER_STOP_WORDS]
    short = [w for w in short if w not in _CONTAINER_STOP_WORDS]
    return len(short) == len(long) and all(word.startswith(s) for s, word in zip(short, long, strict=True))


def contradiction(new: Facts, old: Facts) -> str | None:
    """What tells the two records apart, or None when nothing does."""
    if new.doi and old.doi and new.doi != old.doi:
        return "different DOIs"
    if new.year and old.year and abs(new.year - old.year) > 1:
        return f"years {old.year} and {new.year}"
    numbers_new, numbers_old = title_numbers(new.title), title_numbers(old.title)
    if numbers_new and numbers_old and numbers_new != numbers_old:
        return f"different numbers in the titles ({_show(numbers_old)} / {_show(numbers_new)})"
    for name in NUMBER_FIELDS:
        if name in new.numbers and name in old.numbers and new.numbers[name] != old.numbers[name]:
            return f"different {name} ({old.numbers[name]} / {new.numbers[name]})"
    types = {new.type, old.type}
    if types & WHOLE_TYPES and types & PART_TYPES:
        return f"a {old.type} and a {new.type}"
    if new.container and old.title and new.container == old.title:
        return "one is the container of the other"
    if old.container and new.title and old.container == new.title:
        return "one is the container of the other"
    if new.pages and old.pages and new.pages != old.pages:
        return f"different pages ({old.pages} / {new.pages})"
    if (
        new.type in ARTICLE_TYPES
        and old.type in ARTICLE_TYPES
        and new.container
        and old.container
        and not containers_agree(new.container, old.container)
    ):
        return "articles in different containers"
    return None


def _show(numbers: frozenset[int]) -> str:
    return ", ".join(str(n) for n in sorted(numbers))


def _unrelated(new: Facts, old: Facts) -> bool:
    return _fuzz().ratio(new.title or "", old.title or "") < UNRELATED_TITLES


def judge(new: Facts, old: Facts, evidence: str) -> Verdict:
    """Merge, candidate or different, for two records that share `evidence`: "DOI",
    "URL", "ISBN", "citekey" or "title, first author and year"."""
    conflict = contradiction(new, old)
    if not new.title or not old.title:
        # Nothing to compare: the shared identifier alone makes a candidate for `kb dedupe`.
        if conflict:
            return Verdict(DIFFERENT, f"same {evidence} but {conflict}")
        return Verdict(
            CANDIDATE, f"same {evidence}, but {'neither has' if new.title == old.title else 'one has no'} title"
        )
    agree = titles_agree(new.title, old.title)
    if evidence == "DOI":
        if conflict and not agree:  # chapters that carry their book's DOI
            return Verdict(DIFFERENT, f"same DOI but different titles and {conflict}")
        if conflict:
            return Verdict(CANDIDATE, f"same DOI but {conflict}")
        # A DOI names one work: a title that only leaves words out ("NATO & Russia after
        # Lisbon" typed by hand, "NATO and Russia after the Lisbon Summit: a reset that
        # held" from Crossref) does not contradict it; one that puts other words in
        # ("West"/"East") may.
        if agree or _shorter_form(new.title or "", old.title or ""):
            return Verdict(MERGE, "same DOI")
        if _unrelated(new, old):
            return Verdict(DIFFERENT, "same DOI but unrelated titles")
        return Verdict(CANDIDATE, "same DOI but different titles")
    if evidence == "title, first author and year":
        if conflict:
            return Verdict(DIFFERENT, f"similar title, same first author but {conflict}")
        if not agree:
            return Verdict(
                CANDIDATE,
                f"similar titles, same first author and year, but the titles differ in "
                f"{', '.join(different_words(new.title or '', old.title or ''))}",
            )
        return Verdict(MERGE, "same title, first author and year")
    if conflict:
        return Verdict(DIFFERENT, f"same {evidence} but {conflict}")
    if not agree and _unrelated(new, old):  # a site's or series' URL
        return Verdict(DIFFERENT, f"same {evidence} but unrelated titles")
    if not agree:
        return Verdict(CANDIDATE, f"same {evidence} but different titles")
    return Verdict(MERGE, f"same {evidence} and title")
