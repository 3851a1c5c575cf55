"""Where pandoc's citeproc and citeproc-js (the reference CSL processor) format the same work
differently, and what kb does so that its references read as citeproc-js's.

Measured on 300 works of a real Zotero library in five styles (bench/formatting.py); each rule
here names the difference it answers. There are three kinds of adjustment:

- **the item** given to pandoc (`adjust_item`): words citeproc-js keeps lower case in title
  case are marked `nocase`; a mark (`MARK`, a word joiner) after a field's closing punctuation
  and between a quotation in a title and the punctuation after it, so that pandoc neither drops
  nor moves them, and `resolve_marks` applies citeproc-js's rules to the result;
- **the style**: a copy of it (`adjust_style`) in which a printed group of terms counts as
  printed, as in citeproc-js (IEEE's "[Online]."), and a suffix's closing space is kept; and
  per work (`style_variant`) the two cases citeproc-js treats specially: a literal date is
  printed only where the year is, and a list of two names whose second is an organisation has
  no comma before "and";
- **the output** (kb/pandoc_references.lua): punctuation after a quotation moved inside it as
  citeproc-js moves it (into nested quotations too), `nocase` spans dropped.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from typing import Any

CSL = "{http://purl.org/net/xbiblio/csl}"
# Invisible; never in kb's text (adjust_item removes any), so every one in pandoc's output is kb's.
MARK = "\u2060"
# Joins two words pandoc was given apart: it and the space after it are taken out.
JOIN = "\u2063"
# Before a hyphen pandoc is to leave one: it turns the hyphen of a page range into a dash.
HYPHEN = "\u2064"

# A variable kb gives every item, holding MARK (see _printed_term_groups_count).
PRESENT = "kb-present"

# citeproc-js's title-case stop words (CSL.SKIP_WORDS in citeproc-js 2.4, one-word entries):
# it leaves these lower case unless first, last, or after "!", "?" or ":". pandoc's own list is
# shorter ("after", "between", "et", "near", "than" ... are capitalised) and pandoc capitalises
# after a full stop ("U. Of"), which citeproc-js does not.
TITLE_CASE_STOP_WORDS = frozenset(
    "about above across afore after against al along alongside amid amidst among amongst anenst apropos apud "
    "around as aside astride at athwart atop barring before behind below beneath beside besides between beyond "
    "but by circa despite down during et except for forenenst from given in inside into lest like modulo near "
    "next notwithstanding of off on onto out over per plus pro qua sans since than through thru throughout "
    "thruout till to toward towards under underneath until unto up upon versus vs. v. vs v via vis-à-vis with "
    "within without or yet so and nor a an the de d' von van c ca".split()
)
# The fields a style may title-case.
TITLE_FIELDS = (
    "title",
    "title-short",
    "container-title",
    "container-title-short",
    "collection-title",
    "volume-title",
    "original-title",
    "reviewed-title",
    "event-title",
    "part-title",
)
# Fields that are not prose: no marks in them.
_NOT_PROSE = frozenset(
    {"id", "type", "language", "URL", "DOI", "ISBN", "ISSN", "PMID", "PMCID", "citation-key", "note", "abstract"}
)

# citeproc-js splits a title into words at white space and at these (its `tagDoppel`).
_JS_WORD_BREAKS = "\u2018\u2019\u201c\u201d\"'\\-\u2013\u2014/.,;?!:\\[\\]()"
_WORD = re.compile(rf"[^\s{_JS_WORD_BREAKS}<>]+")
_MARKUP = re.compile(r"<[^>]*>")
_APOSTROPHES = ("'", "\u2019", "\u2018")
_HYPHENATED_INITIALS = re.compile(r"[A-Z]\.?(?:\s*-\s*[A-Z]\.?)+")
# "NJ.com", "BostonGlobe.com": a lower-case word of two letters or more right after a full
# stop that follows a letter
_WORD_AFTER_FULL_STOP = re.compile(r"(?<=[^\W\d_]\.)(?=[^\W\d_A-Z]{2,}\b)(?![A-Z])")
# Private-use characters standing for curly single quotation marks while pandoc formats.
_SINGLE_OPEN, _SINGLE_CLOSE = "\ue018", "\ue019"
# A quotation in straight single marks that does not end the field: citeproc-js keeps its first
# word's case ("talk of 'toxic' climates"), as it does not when the quotation ends the field.
_SINGLE_QUOTED_FIRST_WORD = re.compile(r"(?:^|(?<=[\s(]))'([^\W\d_]+)(?=[^']*'(?![\s.,;:!?]*$))")
_ELIDED = re.compile(r"(?<![^\W\d_])([^\W\d_])['\u2019]([^\W\d_]+)")
_CLOSING_QUOTE_BEFORE_PUNCTUATION = re.compile("([\"'\u2019\u201d\u00bb])(?=[.,;:!?])")
_ENDS_IN_PUNCTUATION = re.compile(r"[.,;:!?]$")
_PAGE_RANGE_OF_ONE = re.compile(r"\s*(\d+)\s*[-\u2013]+\s*(\d+)\s*")
_OPEN_PAGE_RANGE = re.compile(r"\s*\d+\s*-+\s*")


def adjust_item(item: dict[str, Any], traits: dict[str, bool]) -> dict[str, Any]:
    """The item as pandoc should get it (a new dict; `item` is left as it is).

    traits: the style's, from style_traits.
    """
    adjusted = dict(item)
    adjusted[PRESENT] = MARK
    for key, value in item.items():
        if traits["initials_without_hyphens"] and isinstance(value, list):
            adjusted[key] = [_initials_without_hyphens(name) for name in value]
        if not isinstance(value, str) or key in _NOT_PROSE:
            continue
        for own in (MARK, JOIN, HYPHEN, _SINGLE_OPEN, _SINGLE_CLOSE):
            value = value.replace(own, "")
        # 'Liber pontificalis', le: the comma is the title's own; pandoc moves it inside the
        # quotation mark as if it were the style's, citeproc-js leaves it.
        value = _CLOSING_QUOTE_BEFORE_PUNCTUATION.sub(rf"\1{MARK}", value)
        # "Better?" then the style's ",": citeproc-js writes "Better?,", pandoc "Better?".
        if _ENDS_IN_PUNCTUATION.search(value):
            value += MARK
        if traits["title_case"] and key in TITLE_FIELDS:
            value = guard_lower_case_words(value)
            # "NJ.com": citeproc-js's title case sees "com" as a word ("NJ.Com"), pandoc does
            # not; a space (taken out again with the JOIN before it) makes it one for pandoc.
            value = _WORD_AFTER_FULL_STOP.sub(f"{JOIN} ", value)
        # citeproc-js prints curly single quotation marks as written ("On 'Unserious' RFK Jr."
        # in APA); pandoc makes them the style's outer marks (double). Given to pandoc as
        # characters it does not read as quotation marks, put back by resolve_marks.
        value = value.replace("\u2018", _SINGLE_OPEN).replace("\u2019", _SINGLE_CLOSE)
        adjusted[key] = value
    page = item.get("page")
    if isinstance(page, str):
        one = _PAGE_RANGE_OF_ONE.fullmatch(page)
        if one and one.group(1) == one.group(2):  # "453-453": citeproc-js prints it; pandoc's "453–53"
            adjusted["page"] = f"{one.group(1)}\u2013{MARK}{one.group(2)}"
        elif _OPEN_PAGE_RANGE.fullmatch(page):  # "429-": citeproc-js prints it; pandoc's "429–429"
            adjusted["page"] = page.replace("-", f"{HYPHEN}-")
    return adjusted


def _initials_without_hyphens(name: Any) -> Any:
    """A given name of hyphenated initials ("J.-O.", "M-W") as citeproc-js prints it in a
    style that does not initialise given names ("J. O."); pandoc keeps the hyphen."""
    if not isinstance(name, dict) or not isinstance(name.get("given"), str):
        return name
    given = name["given"]
    if not _HYPHENATED_INITIALS.fullmatch(given):
        return name
    return {**name, "given": " ".join(f"{letter}." for letter in re.findall(r"[A-Z]", given))}


def guard_lower_case_words(text: str) -> str:
    """`text` with each lower-case word that citeproc-js's title case leaves lower case marked
    `<span class="nocase">`, so that pandoc leaves it too: a stop word or a one-letter word
    (not first, not last, not after "!", "?" or ":", not before "-"), the first word of a
    phrase in straight single quotation marks that does not end the title, and an elided
    article with its word ("d'histoire")."""
    spans = [(m.start(), m.end()) for m in _MARKUP.finditer(text)]
    inside_markup = _inside(spans)
    words = [m for m in _WORD.finditer(text) if not inside_markup(m.start())]
    guarded: list[tuple[int, int]] = []
    for index, word in enumerate(words):
        token = word.group()
        if index == 0 or index == len(words) - 1 or token != token.lower() or not token.isalpha():
            continue
        if len(token) > 1 and token not in TITLE_CASE_STOP_WORDS:
            continue
        before = _MARKUP.sub("", text[words[index - 1].end() : word.start()]).replace(MARK, "").strip()
        if before[-1:] in ("!", "?", ":"):
            continue
        if text[word.end() : word.end() + 1] == "-":
            continue
        if text[word.start() - 1 : word.start()] in _APOSTROPHES or text[word.end() : word.end() + 1] in _APOSTROPHES:
            continue  # "l'itinéraire", "Plato's": pandoc reads a quotation mark after a span
        if _inside_nocase(text, word.start()):
            continue
        guarded.append((word.start(), word.end()))
    for quoted in _SINGLE_QUOTED_FIRST_WORD.finditer(text):
        word = quoted.group(1)
        if word == word.lower() and not inside_markup(quoted.start()) and not _inside_nocase(text, quoted.start()):
            guarded.append((quoted.start(1), quoted.end(1)))
    # "Doc. d'Archéol.": citeproc-js leaves an elided article and its word as written (the
    # article is one letter, the word follows a quotation mark); pandoc capitalises after ". ".
    for elided in _ELIDED.finditer(text):
        if inside_markup(elided.start()) or _inside_nocase(text, elided.start()) or elided.group(1).isupper():
            continue
        before = _MARKUP.sub("", text[: elided.start()]).replace(MARK, "").rstrip()
        if not _WORD.search(before) or before[-1:] in ("!", "?", ":"):
            continue  # the first word, or after "!", "?", ":": citeproc-js capitalises it
        guarded.append((elided.start(), elided.end()))
    for start, end in sorted(set(guarded), reverse=True):
        text = f'{text[:start]}<span class="nocase">{text[start:end]}</span>{text[end:]}'
    return text


def _inside(spans: list[tuple[int, int]]):
    def test(position: int) -> bool:
        return any(start <= position < end for start, end in spans)

    return test


def _inside_nocase(text: str, position: int) -> bool:
    opened = text.rfind('<span class="nocase">', 0, position)
    return opened != -1 and text.find("</span>", opened, position) == -1


# citeproc-js's rules for two punctuation marks that meet (CSL.Output.Queue.adjust, LtoR_MAP):
# what is written for the first followed by the second. The same mark twice is written once.
_MEETING = {
    "!": {".": "!", "?": "!?", ":": "!", ",": "!,", ";": "!;"},
    "?": {"!": "?!", ".": "?", ":": "?", ",": "?,", ";": "?;"},
    ".": {"!": ".!", "?": ".?", ":": ".:", ",": ".,", ";": ".;"},
    ":": {"!": "!", "?": "?", ".": ":", ",": ":,", ";": ":;"},
    ",": {"!": ",!", "?": ",?", ":": ",:", ".": ",.", ";": ",;"},
    ";": {"!": "!", "?": "?", ":": ";", ",": ";,", ".": ";"},
}
# a suffix's mark (adjust_style) between the suffix's space and the next element's: one space
_MARK_BETWEEN_SPACES = re.compile(f"(?<= ){MARK}+ ")
# a whole quotation in curly single marks, then the style's punctuation (not the work's own:
# that has a mark before it, see adjust_item)
_PUNCTUATION_AFTER_SINGLE_QUOTATION = re.compile(
    f"({_SINGLE_OPEN}[^{_SINGLE_OPEN}{_SINGLE_CLOSE}]*?)({_SINGLE_CLOSE}(?:</[a-z]+>)*)([.,!?])"
)
_MARK_BETWEEN = re.compile(rf"([.,;:!?])?{MARK}((?:<[^>]+>|[*_])*)(\\?)([.,;:!?])?")


def resolve_marks(text: str, punctuation_in_quote: bool = True) -> str:
    """pandoc's output with kb's marks taken out: where a mark stood between two punctuation
    marks, what citeproc-js writes for them; curly single quotation marks put back, with the
    style's punctuation after one moved inside it as citeproc-js moves it (American English)."""
    text = text.replace(f"{JOIN} ", "").replace(JOIN, "")
    text = re.sub(f"{HYPHEN}+[-\u2013]?", "-", text) if HYPHEN in text else text
    if _SINGLE_OPEN in text or _SINGLE_CLOSE in text:
        if punctuation_in_quote:
            text = _PUNCTUATION_AFTER_SINGLE_QUOTATION.sub(rf"\1{MARK}\3\2", text)
        text = text.replace(_SINGLE_OPEN, "\u2018").replace(_SINGLE_CLOSE, "\u2019")
    if MARK not in text:
        return text

    def meet(match: re.Match[str]) -> str:
        first, between, escape, second = match.group(1), match.group(2), match.group(3), match.group(4)
        if not first or not second:
            return f"{first or ''}{between}{escape}{second or ''}"
        written = first if first == second else _MEETING[first][second]
        if written == first:
            return f"{first}{between}"
        if written == second:
            return f"{between}{escape}{second}"
        return f"{first}{between}{escape}{second}"

    text = _MARK_BETWEEN_SPACES.sub("", text)
    return _MARK_BETWEEN.sub(meet, text).replace(MARK, "")


# --- the style ----------------------------------------------------------------------------


def style_traits(root: ElementTree.Element) -> dict[str, bool]:
    """What the adjustments need to know of a style: whether it title-cases anything (and
    nothing is upper-cased or capitalised whole, which a `nocase` word would escape), whether
    its locale puts punctuation inside quotation marks (American English), and whether it
    prints given names as written but knows how to write initials (Chicago, MLA)."""
    cases = {element.get("text-case") for element in root.iter() if element.get("text-case")}
    locale = (root.get("default-locale") or "en-US").lower()
    inside = locale in ("en", "en-us")
    for options in root.iter(f"{CSL}style-options"):
        if options.get("punctuation-in-quote") is not None:
            inside = options.get("punctuation-in-quote") == "true"
    initialise_with = any(element.get("initialize-with") for element in root.iter())
    long_names = [name for name in root.iter(f"{CSL}name") if name.get("form") != "short"]
    as_written = sum(name.get("initialize") == "false" for name in long_names)
    return {
        "title_case": "title" in cases and not cases & {"uppercase", "capitalize-all"},
        "punctuation_in_quote": inside,
        "initials_without_hyphens": initialise_with and as_written > len(long_names) / 2,
    }


def adjust_style(root: ElementTree.Element) -> None:
    """Changes made to every style copy kb gives pandoc (in place)."""
    _push_groups_into_choose(root)
    _printed_term_groups_count(root)
    _suffixes_keep_their_space(root)
    _name_formatting_on_the_list(root)


def _suffixes_keep_their_space(root: ElementTree.Element) -> None:
    """A suffix ending in a space ("no. 59. ") followed by a delimiter (", "): citeproc-js
    writes both ("no. 59. , Mantova", IEEE), pandoc drops the space ("no. 59., Mantova"). A
    mark after the space keeps it; resolve_marks takes the mark out (and a space after it)."""
    for element in root.iter():
        suffix = element.get("suffix")
        if suffix and suffix.endswith(" ") and suffix.strip():
            element.set("suffix", suffix + MARK)


def _printed_term_groups_count(root: ElementTree.Element) -> None:
    """A group of terms only ("[Online]") that is printed makes citeproc-js print the groups
    around it even when all their variables are empty; pandoc counts it as nothing and hides
    them. Such a group is given the variable `PRESENT` (the mark every item kb gives pandoc
    holds), which pandoc counts as printed; resolve_marks takes the mark out."""
    macros = {macro.get("name"): macro for macro in root.iter(f"{CSL}macro")}
    calls: dict[int, bool] = {}

    def calls_variable(element: ElementTree.Element, seen: frozenset[str] = frozenset()) -> bool:
        if id(element) in calls:
            return calls[id(element)]
        answer = False
        if element.get("variable") and element.tag != f"{CSL}if" and element.tag != f"{CSL}else-if":
            answer = True
        elif element.get("macro") and element.get("macro") in macros and element.get("macro") not in seen:
            answer = calls_variable(macros[element.get("macro")], seen | {element.get("macro")})
        else:
            answer = any(calls_variable(child, seen) for child in element)
        calls[id(element)] = answer
        return answer

    for group in list(root.iter(f"{CSL}group")):
        printed = any(child.tag == f"{CSL}text" and (child.get("term") or child.get("value")) for child in group)
        if not printed or calls_variable(group):
            continue
        words = ElementTree.Element(group.tag, {"delimiter": group.get("delimiter")} if group.get("delimiter") else {})
        words.extend(list(group))
        for child in list(group):
            group.remove(child)
        group.attrib.pop("delimiter", None)
        group.append(ElementTree.Element(f"{CSL}text", {"variable": PRESENT}))
        group.append(words)


_FORMATTING = ("font-style", "font-variant", "font-weight", "text-decoration", "vertical-align")


def _name_formatting_on_the_list(root: ElementTree.Element) -> None:
    """`<names font-weight="bold">`: citeproc-js makes the whole list bold ("<b>Arafat K and
    Morgan C</b>"), pandoc each name ("<b>Arafat K</b> and <b>Morgan C</b>"). The formatting
    moves to a group around the `<names>` (not inside a `<substitute>`, which takes names only)."""
    substituted = {id(names) for substitute in root.iter(f"{CSL}substitute") for names in substitute}
    for parent in list(root.iter()):
        for index, names in enumerate(list(parent)):
            if names.tag != f"{CSL}names" or id(names) in substituted:
                continue
            formatting = {key: names.attrib.pop(key) for key in _FORMATTING if key in names.attrib}
            if formatting:
                group = ElementTree.Element(f"{CSL}group", formatting)
                parent.remove(names)
                group.append(names)
                parent.insert(index, group)


def _push_groups_into_choose(root: ElementTree.Element) -> None:
    """A `<group>` whose only child is a `<choose>` becomes the `<choose>` with the group around
    each branch's content: the same reference by the CSL specification, but pandoc hides
    `<group prefix="["><choose><if variable="medium">...</if><else><text term="online"/>`
    when "medium" is empty, as a group whose variables are all empty (citeproc-js prints
    "[Online]")."""
    for parent in list(root.iter()):
        for index, group in enumerate(list(parent)):
            if group.tag != f"{CSL}group" or len(group) != 1 or group[0].tag != f"{CSL}choose":
                continue
            choose = group[0]
            for branch in choose:
                wrapper = ElementTree.Element(group.tag, dict(group.attrib))
                wrapper.extend(list(branch))
                for child in list(branch):
                    branch.remove(child)
                branch.append(wrapper)
            parent.remove(group)
            parent.insert(index, choose)


def style_variant(item: dict[str, Any]) -> tuple[str, ...]:
    """The per-work changes the style needs for this work (empty for most works): the date
    variables holding a literal date, and the name variables that list exactly two names the
    second of which is an organisation."""
    literal_dates = sorted(
        f"literal-date:{key}" for key, value in item.items() if isinstance(value, dict) and value.get("literal")
    )
    two_names = sorted(
        f"two-names:{key}"
        for key, value in item.items()
        if isinstance(value, list)
        and len(value) == 2
        and all(isinstance(name, dict) for name in value)
        and value[1].get("literal")
    )
    return tuple(literal_dates + two_names)


def apply_variant(root: ElementTree.Element, variant: tuple[str, ...]) -> None:
    """The per-work changes of `style_variant`, in place."""
    literal_dates = {entry.split(":", 1)[1] for entry in variant if entry.startswith("literal-date:")}
    if literal_dates:
        _drop_dates_without_year(root, literal_dates)
    if any(entry.startswith("two-names:") for entry in variant):
        # citeproc-js writes "Castagnoli, F. & Accademia dei Lincei" even where the style says
        # delimiter-precedes-last="always"; with two names "contextual" means no comma.
        for element in root.iter():
            if element.tag in (f"{CSL}name", f"{CSL}style", f"{CSL}bibliography", f"{CSL}citation"):
                if element.get("delimiter-precedes-last") == "always":
                    element.set("delimiter-precedes-last", "contextual")


def _drop_dates_without_year(root: ElementTree.Element, variables: set[str]) -> None:
    """citeproc-js prints a literal date ("10:40 pm, Friday, April 21, 2017") where the style
    prints the date's year and nowhere else; pandoc prints it wherever the date is printed
    (twice in APA: "(2017, April 21)" is a year and then a month and day)."""
    for parent in list(root.iter()):
        for date in list(parent):
            if date.tag != f"{CSL}date" or date.get("variable") not in variables:
                continue
            parts = [part.get("name") for part in date.iter(f"{CSL}date-part")]
            # a localized form shows its date-parts attribute's parts (its date-part children
            # only style them); a form of the style's own shows its date-part children
            shown = (date.get("date-parts") or "year-month-day").split("-") if date.get("form") else parts
            if "year" not in shown:
                parent.remove(date)
