"""Pages pasted from a browser: the whole page selected, copied and saved as text.

What the page shows becomes the work, and nothing more:

- the title: the last heading-like line (short, no closing full stop) before the byline
  or date, or else before the first paragraph of prose; lines above it are navigation
  or the site's banner;
- a byline ("By Jane Smith", "Posted by ...", "Author: ...") and a date line
  ("5 March 2021", "Published on 5 March 2021", "March 5, 2021 · 4 min read");
- the body, kept as the work's text for search and mention detection;
- an author biography ("NAME is a ROLE in the School of ...") giving the author (when
  there is no byline), a person record and an affiliation to that organisation;
- a "Published in" / "Posted in" / "Filed under" / "Categories:" / "Tags:" line giving
  tags, split even when the browser ran them together (see `split_categories`);
- "This is a revised version of an article published on X" giving a `revises`
  citation to a placeholder work on X, flagged needs_review, that a later import or a
  person completes;
- navigation, share buttons, cookie notices and the comment form are dropped.

It is the last format detection tries: a text file with paragraphs of prose.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..dates import parse_partial_date
from ..errors import KbError
from ..model import Invalid, Record, WorkRecord
from ..names import parse_name, split_name_list
from .page_text import (
    affiliation_records,
    author_bios,
    earlier_version,
    find_bios,
    interstitial_reason,
    is_boilerplate,
    is_end_marker,
    login_wall,
    split_categories,
)

FORMAT = "pasted"
EXTENSIONS: tuple[str, ...] = ()

# "Published inEuropean Politics...": the browser may drop the space after "in".
_CATEGORIES = re.compile(
    r"^(?:published|posted|filed)\s*(?:in|under)(?=\s|:|(?-i:[A-Z])|$):?\s*(?P<rest>.*)$"
    r"|^(?:categories|category|tags|tagged( with)?|topics)\s*[:\-]?\s*(?P<rest2>.*)$",
    re.I,
)
_BYLINE = re.compile(
    r"^(?:by|posted by|written by|author|authors|words by)\s*[:\-]?\s+(?P<names>[^|·•\d]+?)\s*(?:[|·•,–—-]\s*(?P<after>.*))?$",
    re.I,
)
_DATE_LINE = re.compile(
    r"^(?:(?:published|posted|updated|first published|last updated)\s*(?:on|:)?\s*)?"
    r"(?P<date>[^|·•]{4,40}?)\s*(?:[|·•]\s*\d+\s*min(?:ute)?s?\s*read)?$",
    re.I,
)
_MONTHS = r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
_PROSE_WORDS = 25
_BLOG_MARKERS = re.compile(
    r"^(leave a (reply|comment)|be (the )?first to comment|\d+ comments?|(published|posted|filed)\s*(in|under)(?=\s|:|(?-i:[A-Z])))",
    re.I | re.M,
)


def detect(head: str) -> bool:
    stripped = head.lstrip()
    if stripped.startswith(("<", "{", "[", "@", "%", "TY  -")):
        return False
    if any(len(line.split()) >= _PROSE_WORDS for line in head.splitlines()):
        return True
    # A pasted bot check or login wall has no prose; claim it so the user hears why.
    first = next((line for line in head.splitlines() if line.strip()), "")
    return bool(interstitial_reason(first, head) or login_wall(first, head))


def _is_prose(line: str) -> bool:
    return len(line.split()) >= _PROSE_WORDS or (len(line) >= 150 and line.rstrip().endswith((".", "?", "!", "”", '"')))


def _is_title_candidate(line: str) -> bool:
    return len(line) <= 300 and len(line.split()) < _PROSE_WORDS and not line.rstrip().endswith((".", ":", ",", ";"))


_READING_TIME = re.compile(r"\s*(?:[|·•]\s*)?\b\d+\s*min(?:ute)?s?\s*read\b\s*(?:[|·•]\s*)?", re.I)


def _date_of(line: str) -> dict[str, Any] | None:
    """The CSL date a date line states, or None when the line is not one."""
    line = _READING_TIME.sub(" ", line).strip()  # "7 min read · Mar 3, 2022"
    match = _DATE_LINE.match(line)
    if not match or not re.search(r"\d{4}", line):
        return None
    text = match.group("date")
    if not (re.search(_MONTHS, text, re.I) or re.fullmatch(r"[\d/.\- ]+", text)):
        return None
    try:
        return parse_partial_date(text).to_csl()
    except (KbError, ValueError):
        return None


def _byline_names(line: str) -> list[str] | None:
    match = _BYLINE.match(line)
    if not match:
        return None
    names = [
        n.strip()
        for part in re.split(r"\s+and\s+|\s*&\s*", match.group("names"))
        for n in split_name_list(part)
        if n.strip()
    ]
    names = [n for n in names if re.match(r"^[A-Z][\w'’.-]*(\s+[\w'’.-]+){0,4}$", n)]
    return names or None


def parse(text: str, source: str, url: str | None = None) -> Iterator[Record]:
    lines = [(number, " ".join(line.split())) for number, line in enumerate(text.splitlines(), 1)]
    lines = [(n, line) for n, line in lines if line]
    if not lines:
        yield Invalid("the page is empty", source)
        return
    first_line = next((line for _, line in lines if not is_boilerplate(line)), lines[0][1])
    reason = interstitial_reason(first_line, text)
    if reason:
        yield Invalid(
            f"this is {reason}, not the article: open the page in a browser, let it load, and save or paste it again",
            f"{source}:{lines[0][0]}",
        )
        return

    # People the page's biographies name: a line holding just such a name is a byline
    # (blog platforms print the author's name alone above the date).
    bio_names = {bio.name for bio in find_bios([line for _, line in lines])}
    tags: list[str] = []
    byline: list[str] = []
    issued: dict[str, Any] | None = None
    kept: list[tuple[int, str, str]] = []  # (line number, text, kind: "line" or "meta")
    ended = False
    pending_categories = False
    for number, line in lines:
        category = _CATEGORIES.match(line)
        if category:
            rest = category.group("rest") if category.group("rest") is not None else category.group("rest2")
            if rest:
                tags += [t for t in split_categories(rest) if t not in tags]
            pending_categories = not rest
            continue
        if (
            pending_categories
            and len(line) <= 60
            and not (is_boilerplate(line) or is_end_marker(line) or _byline_names(line))
        ):
            tags += [t for t in split_categories(line) if t not in tags]  # one category a line after "Categories"
            continue
        pending_categories = False
        if ended:
            continue
        if is_end_marker(line):
            ended = True
            continue
        if is_boilerplate(line):
            continue
        if not kept or not any(_is_prose(t) for _, t, _k in kept):
            names = _byline_names(line) or ([line] if line in bio_names else None)
            if names and not byline:
                byline = names
                after = _BYLINE.match(line).group("after") if _BYLINE.match(line) else None
                if after and issued is None:
                    issued = _date_of(after)
                kept.append((number, line, "meta"))
                continue
            date = _date_of(line)
            if date and issued is None:
                issued = date
                kept.append((number, line, "meta"))
                continue
        kept.append((number, line, "line"))

    first_prose = next((i for i, (_, line, kind) in enumerate(kept) if kind == "line" and _is_prose(line)), None)
    if first_prose is None:
        if login_wall(first_line, text):
            yield Invalid(
                "this is a login or subscription wall, not the article: sign in, then save or paste the page again",
                source,
            )
        else:
            yield Invalid("no article text found (no paragraph of prose): is this a pasted web page?", source)
        return
    first_meta = next((i for i, (_, _l, kind) in enumerate(kept) if kind == "meta"), first_prose)
    limit = min(first_meta, first_prose)
    title_index = next(
        (i for i in range(limit - 1, -1, -1) if kept[i][2] == "line" and _is_title_candidate(kept[i][1])), None
    )
    if title_index is None:
        yield Invalid(
            "cannot find the title: no heading line before the first paragraph", f"{source}:{kept[first_prose][0]}"
        )
        return
    title_number, title, _ = kept[title_index]
    if login_wall(title, text) or interstitial_reason(title, text):
        yield Invalid(
            "this is a login wall or bot check, not the article: save or paste the page again once it shows the article",
            f"{source}:{title_number}",
        )
        return
    body = [line for _, line, kind in kept[title_index + 1 :] if kind == "line"]
    origin = f"{source}:{title_number}"

    authors, bios = author_bios(byline, body)
    author_names = [parse_name(name, corporate=False) for name in authors]
    yield from affiliation_records(bios, origin)

    item: dict[str, Any] = {
        "type": "post-weblog" if _BLOG_MARKERS.search(text) else "webpage",
        "title": title,
        "author": author_names,
    }
    if issued:
        item["issued"] = issued
    if url:
        item["URL"] = url
    work = WorkRecord(item=item, tags=tags, text="\n\n".join(body), origin=origin)

    earlier = earlier_version(title, author_names, "\n".join(body), origin)
    if earlier:
        placeholder, citation = earlier
        yield placeholder
        work.cites.append(citation)
    yield work
