"""Find the organisations and events a work mentions, through their names and aliases.

All names go into one Aho-Corasick automaton (pyahocorasick), keyed by their folded
form (lower case, accents dropped, punctuation read as a space: kb.lookup's rule, with
every character kept at its offset), so a text is scanned once whatever the number of
names, and "Securite" or "Russo Georgian" in a text name "Sécurité" or "Russo-Georgian".
Each hit is then checked:

- word boundaries: the characters either side are not letters or digits, so "Russia"
  is not found in "Russians";
- case: an acronym (a name with no lower-case letters, such as NATO or EU) must match
  exactly, so "nato" or "us" are not mentions; any other name matches in any case;
- overlaps: the longest name wins, leftmost first, so "2008 war in Georgia" is a
  mention of the war, not also of Georgia, and "NATO Summit in Lisbon" of the summit.

Which record a name stands for is kb.lookup's answer (the same as for `kb link
--org NAME` or `?_organisation=NAME`); only the matching in running text is this
module's. Detection only proposes; the store writes (`apply_proposals`, `Store.link_target`).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import ahocorasick

from . import lookup

if TYPE_CHECKING:
    from .store import Store

TARGET_TABLES = ("organisations", "events")
DETECTED_RELATION = "mentions"


@dataclass(frozen=True)
class Target:
    """An organisation or event that can be mentioned."""

    table: str  # "organisations" or "events"
    id: int
    name: str

    @property
    def kind(self) -> str:
        return self.table[:-1]


@dataclass
class Mention:
    """A target found in one work: the phrases that named it and how often."""

    target: Target
    phrases: Counter = field(default_factory=Counter)

    @property
    def count(self) -> int:
        return sum(self.phrases.values())

    def describe(self) -> str:
        return ", ".join(f'"{phrase}" x{n}' for phrase, n in self.phrases.most_common())


def is_acronym(name: str) -> bool:
    """NATO, EU, OSCE, G7: letters all upper-case (matched case-sensitively)."""
    return any(c.isalpha() for c in name) and not any(c.islower() for c in name)


class _FoldTable(dict):
    """str.translate table: each character to one folded character (lower case, accent
    dropped, punctuation and white space a space), worked out once per character."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        lowered = char.lower()
        if len(lowered) != 1:  # "İ" lowers to two characters: keep it, so offsets hold
            lowered = char
        base = unicodedata.normalize("NFKD", lowered)
        if len(base) > 1 and all(unicodedata.combining(c) for c in base[1:]):
            lowered = base[0]
        folded = lowered if (lowered.isalnum() or lowered == "_") else " "
        self[code] = folded
        return folded


_FOLD = _FoldTable()


def _fold_same_length(text: str) -> str:
    """`text` folded as kb.lookup folds names, with every character kept at its offset
    (the automaton reports offsets into the folded text; the checks read the original)."""
    return text.translate(_FOLD)


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


class MentionFinder:
    """An automaton over many names; `find(text)` scans a text once."""

    def __init__(self, names: Iterable[tuple[str, Target]]):
        entries: dict[str, list[tuple[str, bool, Target]]] = {}
        for name, target in names:
            name = " ".join(str(name).split())
            if not name:
                continue
            key = _fold_same_length(name)
            if not key.strip():  # a name of punctuation alone would match any space
                continue
            entry = (name, is_acronym(name), target)
            bucket = entries.setdefault(key, [])
            if entry not in bucket:
                bucket.append(entry)
        self.automaton = ahocorasick.Automaton()
        for key, bucket in entries.items():
            self.automaton.add_word(key, (len(key), tuple(bucket)))
        self.size = len(entries)
        if entries:
            self.automaton.make_automaton()

    def find(self, text: str | None) -> dict[Target, Mention]:
        """The targets named in `text`, with the phrases found and their counts."""
        if not text or not self.size:
            return {}
        lowered = _fold_same_length(text)
        hits: list[tuple[int, int, Target, str]] = []
        last = len(text)
        for end_index, (length, bucket) in self.automaton.iter(lowered):
            start, end = end_index - length + 1, end_index + 1
            if start > 0 and _is_word_char(text[start - 1]) and _is_word_char(text[start]):
                continue
            if end < last and _is_word_char(text[end]) and _is_word_char(text[end - 1]):
                continue
            phrase = text[start:end]
            for name, exact, target in bucket:
                if exact and phrase != name:
                    continue
                hits.append((start, end, target, phrase))
        found: dict[Target, Mention] = {}
        # Leftmost-longest, without overlaps: sort by start, longer first.
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        covered_until = -1
        taken_span: tuple[int, int] | None = None
        for start, end, target, phrase in hits:
            if start < covered_until and (start, end) != taken_span:
                continue
            covered_until, taken_span = end, (start, end)
            mention = found.setdefault(target, Mention(target))
            mention.phrases[phrase] += 1
        return found


def load_targets(store: Store) -> list[tuple[str, Target]]:
    """Every name, acronym and alias of the knowledge base's organisations and events,
    each mapped to the record kb.lookup resolves it to (the one `kb link --org NAME`,
    `kb export --org NAME` and `?_organisation=NAME` would find)."""
    names: list[tuple[str, Target]] = []
    for table in TARGET_TABLES:
        kind = table[:-1]
        labels = dict(store.conn.execute(f"SELECT id, name FROM {table}").fetchall())
        index = lookup.name_index(store.conn, kind)
        targets: dict[int, Target] = {}
        for text, _ in lookup.names_of(store.conn, kind):
            row_id = index.get(lookup.name_key(text))
            if row_id is None:  # a name that folds to nothing ("--") names nothing
                continue
            target = targets.setdefault(row_id, Target(table, row_id, labels[row_id]))
            names.append((text, target))
    return names


def work_text(store: Store, article_id: int) -> str:
    """What detection reads: title, abstract, notes (quotes and comments) and page text."""
    row = store.conn.execute("SELECT title, abstract, text FROM articles WHERE id = ?", (article_id,)).fetchone()
    parts = [row[0], row[1]]
    for quote, comment in store.conn.execute(
        "SELECT quote, comment FROM notes WHERE article_id = ? ORDER BY id", (article_id,)
    ):
        parts += [quote, comment]
    parts.append(row[2])
    # Paragraph breaks between parts, so a name cannot run from one into the next.
    return "\n\n".join(p for p in parts if p)


def _known_links(store: Store, article_id: int) -> dict[tuple[str, int], set[str]]:
    """(table, target id) -> sources of the links the work has, and rejected targets."""
    known: dict[tuple[str, int], set[str]] = {}
    for table, column in (("article_organisations", "organisation_id"), ("article_events", "event_id")):
        target_table = "organisations" if table == "article_organisations" else "events"
        for target_id, source in store.conn.execute(
            f"SELECT {column}, source FROM {table} WHERE article_id = ?", (article_id,)
        ):
            known.setdefault((target_table, target_id), set()).add(source)
    for target_table, target_id in store.conn.execute(
        "SELECT target_table, target_id FROM rejected_links WHERE article_id = ?", (article_id,)
    ):
        known.setdefault((target_table, target_id), set()).add("rejected")
    return known


@dataclass
class Proposal:
    """A detected mention of a target, for one work; `linked` when the link is already written."""

    article_id: int
    citekey: str
    mention: Mention
    linked: bool = False


def propose(
    store: Store, finder: MentionFinder, article_id: int, *, include_unreviewed: bool = False
) -> list[Proposal]:
    """The work's mentions that are not linked yet and were never rejected.

    With `include_unreviewed`, mentions already written as `detected` links are listed
    too (marked `linked`), for `kb link --review`.
    """
    citekey = store.citekey_of(article_id)
    known = _known_links(store, article_id)
    proposals = []
    for target, mention in finder.find(work_text(store, article_id)).items():
        sources = known.get((target.table, target.id))
        if not sources:
            proposals.append(Proposal(article_id, citekey, mention))
        elif include_unreviewed and sources == {"detected"}:
            proposals.append(Proposal(article_id, citekey, mention, linked=True))
    proposals.sort(key=lambda p: (p.mention.target.table, -p.mention.count, p.mention.target.name))
    return proposals


def apply_proposals(store: Store, proposals: Iterable[Proposal]) -> int:
    """Write proposals as links with source `detected`; the number of new links."""
    new = 0
    for proposal in proposals:
        target = proposal.mention.target
        new += store.link_target(proposal.article_id, target.table, target.id, DETECTED_RELATION, "detected")
    return new


def detect_and_apply(store: Store, article_ids: Iterable[int]) -> int:
    """Detect and link the mentions of the given works (used after a web page import)."""
    article_ids = list(article_ids)
    if not article_ids:
        return 0
    finder = MentionFinder(load_targets(store))
    return sum(apply_proposals(store, propose(store, finder, article_id)) for article_id in article_ids)
