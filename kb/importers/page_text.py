"""What a web page's text says about itself, shared by the html and pasted importers.

- `not_an_article`: bot checks ("Just a moment..."), login walls, error pages;
- `is_boilerplate`: navigation, share buttons, cookie notices, comment forms;
- `find_bios`: "NAME is a ROLE in/at ORGANISATION ..." sentences about the author;
- `find_revision`: "This is a revised version of an article published on X";
- `split_categories`: category lists, including ones pasted with their separators lost.

Everything here is a heuristic over plain English text, kept deliberately narrow: a
sentence that does not fit is left alone rather than guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..keys import citekey_base
from ..model import Affiliation, CitationRef, OrganisationRecord, PersonRecord, Record, WorkRecord
from ..names import fold, parse_name

# Titles and phrases of pages that stand in front of the article instead of it.
_INTERSTITIALS = [
    (re.compile(r"^\s*just a moment\.*\s*$", re.I), 'a bot-check page ("Just a moment...")'),
    (re.compile(r"attention required!?\s*\|\s*cloudflare", re.I), "a Cloudflare bot-check page"),
    (
        re.compile(r"checking (if the site connection is secure|your browser before accessing)", re.I),
        "a bot-check page",
    ),
    (re.compile(r"verify(ing)? (that )?you are (a )?human", re.I), "a bot-check page"),
    (re.compile(r"enable javascript and cookies to continue", re.I), "a bot-check page"),
    (
        re.compile(r"^\s*(access denied|403 forbidden|404 not found|page not found|too many requests)\s*$", re.I),
        "an error page",
    ),
]
_LOGIN_TITLE = re.compile(r"^\s*(sign in|log ?in|subscribe to (continue|read)|create (a free )?account)\b", re.I)
_LOGIN_TEXT = re.compile(
    r"(sign in|log ?in|subscribe) to (continue|read|access)|this (content|article) is (only )?(available|for) (to )?subscribers|"
    r"already a subscriber\?|to continue reading",
    re.I,
)


def interstitial_reason(title: str | None, text: str) -> str | None:
    """Why a page is a bot check or error page rather than an article, or None."""
    head = text[:2000]
    for pattern, reason in _INTERSTITIALS:
        if title and pattern.search(title):
            return reason
        if pattern.search(head) and len(text) < 3000:
            return reason
    return None


def login_wall(title: str | None, text: str) -> bool:
    """A page that asks the reader to sign in or subscribe and shows little else."""
    if title and _LOGIN_TITLE.search(title):
        return True
    return bool(_LOGIN_TEXT.search(text)) and len(text) < 2500


# Lines a browser selection picks up around the article.
_BOILERPLATE = re.compile(
    r"^(skip to (main )?content|skip to navigation|jump to|menu|main menu|toggle navigation|close|search( for)?:?|home|"
    r"open in app|sign (in|up)|log ?in|register|follow|listen|share|save|clap|"
    r"share( this( article| post| page| story)?| on \w+)?:?|tweet|facebook|twitter|x|linkedin|whatsapp|reddit|email|e-mail|print|copy link|"
    r"like this:?|like loading\.*|related( posts| articles)?:?|read more|continue reading|advertisement|"
    r"previous( post| article)?:?|next( post| article)?:?|"
    r"(accept|reject|allow|manage)( all)?( cookies)?( settings)?|cookie (settings|policy|preferences)|"
    r"we use cookies.*|this (web)?site uses cookies.*|by continuing to (use|browse).*cookies.*|"
    r"subscribe( now| to our newsletter)?|sign up( for our newsletter)?|newsletter|follow us|back to top|"
    r"leave a (reply|comment)|be (the )?first to comment|\d+ comments?|no comments( yet)?|comments?|"
    r"comments are closed\.?|post comment|submit( comment)?|cancel reply|name\s*\*?|email\s*\*?|website|comment\s*\*?|"
    r"your email address will not be published\.?.*|required fields are marked.*|"
    r"save my name, email, and website in this browser.*|notify me of (new|follow-up) (posts|comments).*|"
    r"this site uses akismet.*|you must be logged in to post a comment\.?|log in to reply|reply|"
    r"\d+ min(ute)?s? read|listen to this article.*|all rights reserved\.?.*|©.*|copyright ©?.*)$",
    re.I,
)
# Where the article has ended: what follows is comments, related links or the footer.
_END_MARKERS = re.compile(
    r"^(leave a (reply|comment)|be (the )?first to comment|\d+ comments?|comments are closed\.?|"
    r"related (posts|articles|stories)|more from .{1,60}|you (may|might) also like.*|recommended( for you)?|"
    r"about the author)\s*$",
    re.I,
)


def is_boilerplate(line: str) -> bool:
    return bool(_BOILERPLATE.match(" ".join(line.split())))


def is_end_marker(line: str) -> bool:
    return bool(_END_MARKERS.match(" ".join(line.split())))


# -- author biographies ---------------------------------------------------------------

_ROLE_WORDS = re.compile(
    r"\b(student|candidate|researcher|research|fellow|professor|lecturer|reader|analyst|director|editor|journalist|"
    r"correspondent|scholar|associate|writer|author|member|head|chair|expert|consultant|advis[eo]r|officer|diplomat|"
    r"economist|historian|scientist|doctoral|phd|postdoctoral|graduate|postgraduate|undergraduate|assistant|manager|"
    r"contributor|columnist|commentator|reporter|specialist|coordinator|founder|president|dean|visiting|intern|ambassador)\b",
    re.I,
)
_ORG_WORDS = re.compile(
    r"\b(School|Department|Faculty|University|College|Institute|Institution|Centre|Center|Council|Foundation|Programme|"
    r"Program|Office|Ministry|Agency|Forum|Society|Trust|Academy|Observatory|Commission|Fund|Association|Network|"
    r"Initiative|Project|Laboratory|Lab|Service|House|Group|Review|Times|Post|News|Journal)\b"
)
_NAME = r"(?P<name>[A-Z][\w'’.-]+(?:\s+(?:[A-Z][\w'’.-]+|van|von|de|der|da|di|du|la|le|bin|al))*\s+[A-Z][\w'’-]+)"
_HONORIFIC = r"(?:(?:Dr|Prof|Professor|Mr|Mrs|Ms|Sir|Dame)\.?\s+)?"
_BIO = re.compile(_HONORIFIC + _NAME + r"\s+is\s+(?P<rest>(?:(?:an?|the|currently|now|also)\b|[A-Z]).*)$", re.S)
_CONNECTORS = {"of", "and", "for", "the", "&", "on", "in"}


@dataclass
class Bio:
    """What an author-biography sentence says: a person, a role and an organisation."""

    name: str
    role: str | None
    organisation: str | None
    sentence: str


def _sentences(paragraph: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", paragraph) if s.strip()]


def _capitalised_phrase(words: list[str]) -> str:
    """The run of capitalised words (joined by of/and/for/the ...) at the start of `words`."""
    taken: list[str] = []
    for word in words:
        bare = word.strip(",;:.()")
        if bare and (bare[0].isupper() or bare in _CONNECTORS) and not (taken == [] and bare in _CONNECTORS):
            taken.append(bare)
            if word != bare and not word.endswith(("’s", "'s")):  # punctuation ends the name
                break
        else:
            break
    while taken and taken[-1] in _CONNECTORS:
        taken.pop()
    return " ".join(taken)


def parse_bio(sentence: str) -> Bio | None:
    """Read "NAME is a ROLE in/at the ORGANISATION ..."; None unless it is clearly one."""
    match = _BIO.match(sentence.strip())
    if not match:
        return None
    rest = match.group("rest")
    words = rest.split()
    organisation = role = None
    candidates: list[tuple[int, str]] = []
    for index, word in enumerate(words):
        if word in ("in", "at", "with", "of", "for") and index + 1 < len(words):
            following = words[index + 1 :]
            if following and following[0] == "the":
                following = following[1:]
            phrase = _capitalised_phrase(following)
            if phrase:
                candidates.append((index, phrase))
    # An organisation-like phrase wins ("a lecturer in International Relations at Aberystwyth University").
    for index, phrase in candidates:
        if _ORG_WORDS.search(phrase):
            organisation = phrase
            role = " ".join(words[:index])
            break
    else:
        for index, phrase in candidates:
            if words[index] == "at":
                organisation, role = phrase, " ".join(words[:index])
                break
    role_text = role if role is not None else rest
    if not _ROLE_WORDS.search(role_text):
        return None  # "Russia is a state in ..." is not a biography
    if role:
        role = re.sub(r"^(an?|the|currently|now|also)\s+", "", role.strip(" ,"))
        role = re.sub(r"^(an?|the)\s+", "", role)
        # "post-graduate" and "postgraduate" are one role, so one affiliation.
        role = re.sub(r"\b(post|under|pre)-(?=[a-z])", r"\1", role, flags=re.I)
    return Bio(match.group("name"), role or None, organisation, sentence.strip())


def find_bios(paragraphs: list[str]) -> list[Bio]:
    """Biographies among the paragraphs: a sentence that starts a paragraph and reads as one."""
    bios = []
    for paragraph in paragraphs:
        sentences = _sentences(paragraph)
        if sentences:
            bio = parse_bio(sentences[0])
            if bio:
                bios.append(bio)
    return bios


# -- earlier versions -------------------------------------------------------------------

_REVISION = re.compile(
    r"\b(?:this|the|it)\s*(?:post|article|piece|blog post|essay|commentary|text)?\s+(?:is|was)\s+(?:a|an)\s+"
    r"(?:revised|updated|edited|expanded|extended|shortened|abridged|adapted|amended)\s+(?:and\s+\w+\s+)?version\s+of\s+"
    r"(?:a|an|the)\s+(?:\w+\s+)?(?:article|piece|post|blog post|op-ed|commentary|essay|paper|analysis|column)\s+"
    r"(?:first\s+|originally\s+|previously\s+|earlier\s+)?(?:published|posted|that appeared|appearing|which appeared)\s+"
    r"(?P<where>(?:on|in|by|at)\s+(?P<site>[^.]+?))\s*(?:on\s+\d[^.]*|in\s+(?:January|February|March|April|May|June|July|"
    r"August|September|October|November|December)[^.]*)?\.",
    re.I,
)
_SITE_SUFFIX = re.compile(r"\s+(website|web site|site|blog|web page|webpage|pages)$", re.I)


@dataclass
class Revision:
    """The page says it revises an earlier piece published elsewhere."""

    where: str  # as the page says it: "on the Atlantic Council website"
    site: str  # the outlet: "Atlantic Council"
    sentence: str


def find_revision(text: str) -> Revision | None:
    match = _REVISION.search(text)
    if not match:
        return None
    site = _SITE_SUFFIX.sub("", match.group("site").strip())
    site = re.sub(r"^the\s+", "", site).strip()  # "the Atlantic Council", but "The Guardian"
    if not site:
        return None
    start = max(text.rfind(".", 0, match.start()) + 1, text.rfind("\n", 0, match.start()) + 1)
    sentence = text[start : match.end()].strip()
    return Revision(" ".join(match.group("where").split()), site, sentence)


def placeholder_title(citing_title: str, revision: Revision) -> str:
    """The title of the earlier version until someone finds it: stable, so a second
    import of the same page finds the same placeholder (same title and first author)."""
    return f"{citing_title} (earlier version {revision.where})"


# -- categories ---------------------------------------------------------------------------

_SEPARATORS = re.compile(r"\s*(?:[,;|•·\t]|\s/\s|\s{2,})\s*")
# A run-together boundary: a lower-case letter, digit or closing mark directly followed
# by a capital ("PoliticsEuropean"), or an acronym followed by a capitalised word
# ("NATOUkraine" -> "NATO", "Ukraine").
_RUN_TOGETHER = re.compile(r"(?<=[a-z0-9)\].’'!?])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z]{2,})")


def split_categories(text: str) -> list[str]:
    """Categories from a "Published in" / "Tags:" line.

    With separators (commas, bars, bullets, tabs, wide gaps) those split it. Without,
    the browser ran the category links together ("European PoliticsEuropean
    securityRussia"): a new category starts where a capital letter directly follows a
    lower-case letter, digit or closing mark with no space. Names that contain such a
    boundary themselves (McDonald, YouTube, iPhone) are split too: a pure parser cannot
    know them, so a pasted page's categories are worth a glance.
    """
    text = text.strip()
    parts = [p for p in _SEPARATORS.split(text) if p.strip()]
    if len(parts) <= 1:
        parts = _RUN_TOGETHER.split(text)
    seen: list[str] = []
    for part in parts:
        part = " ".join(part.split()).strip(" ,;")
        if part and part not in seen:
            seen.append(part)
    return seen


# -- records a page's text gives besides the work ----------------------------------------


def author_bios(authors: list[str], body: list[str]) -> tuple[list[str], list[Bio]]:
    """(the authors, their biographies). With authors named elsewhere (a byline, the page's
    metadata) only their biographies count; without, a biography among the last three
    paragraphs names the author (earlier ones are about the people the piece discusses)."""
    bios = find_bios(body)
    if authors:
        wanted = {fold(name) for name in authors}
        return authors, [bio for bio in bios if fold(bio.name) in wanted]
    trailing = body[-3:]
    bios = [bio for bio in bios if any(paragraph.startswith(bio.sentence[:40]) for paragraph in trailing)]
    return [bio.name for bio in bios], bios


def affiliation_records(bios: list[Bio], origin: str) -> list[Record]:
    """An organisation (added if new) and a person with an affiliation to it, per biography."""
    records: list[Record] = []
    for bio in bios:
        if bio.organisation:
            records.append(OrganisationRecord(name=bio.organisation, origin=origin))
            records.append(
                PersonRecord(
                    name=parse_name(bio.name, corporate=False),
                    affiliations=[Affiliation(bio.organisation, bio.role)],
                    origin=origin,
                )
            )
    return records


def earlier_version(
    title: str, authors: list[dict[str, Any]], body_text: str, origin: str
) -> tuple[WorkRecord, CitationRef] | None:
    """A placeholder for the piece this page revises, and the `revises` citation to it.

    The placeholder's title and first author are those of the page, so importing the
    page again (or a knowledge base that already has the placeholder under that title
    and author) merges with it instead of adding another.
    """
    revision = find_revision(body_text)
    if not revision:
        return None
    item: dict[str, Any] = {
        "type": "webpage",
        "title": placeholder_title(title, revision),
        "author": authors,
        "container-title": revision.site,
    }
    item["id"] = citekey_base(item)
    return WorkRecord(item=item, needs_review=True, origin=origin), CitationRef(
        item["id"], "revises", context=revision.sentence
    )
