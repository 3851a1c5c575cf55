"""BibTeX text cut into bibtexparser blocks, faster than bibtexparser's own Splitter.

Why not just bibtexparser's Splitter: it walks every brace, quote, comma, equals
sign and newline of the file in Python (about 0.8x the time of its whole
``parse_file``), which alone took the import of a large .bib past the time the
project allows. This module gives the same blocks (entries, ``@string``,
``@preamble``, ``@comment``, failed blocks, duplicate keys) for a fraction of the
cost, and leaves every unusual case to the library itself:

1. The file is cut into chunks where a line starts a block (``@type{`` or
   ``@type(`` after optional white space). bibtexparser starts a fresh block at
   every such place, whatever it was reading before (an unclosed block is aborted
   there), so the chunks can be read one by one.
2. A chunk holding one ordinary entry (``@type{key, name = value, ...}``, braces
   and quotes as bibtexparser counts them, nothing after it but white space) is
   read here by jumping between the characters that matter with a regex.
3. Any other chunk (``@string``, comments, ``(``-delimited blocks, duplicate field
   names, ``{"}``, an ``@`` after the entry, a syntax error...) is read by
   bibtexparser's Splitter, on the chunk plus the next one, so that an unclosed
   block is aborted exactly as in a whole-file split; only the chunk's own blocks
   are kept, with their line numbers moved to the file's.

Implicit comments (text between blocks) are not kept: the importer ignores them.
tests/test_bibtex_splitter.py checks this against bibtexparser's Splitter.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from bibtexparser.library import Library
from bibtexparser.model import Block, DuplicateBlockKeyBlock, Entry, Field, ImplicitComment
from bibtexparser.splitter import Splitter

# A block start as bibtexparser sees one: `@type{` or `@type(`.
_BLOCK_START = re.compile(r"@\w*[ \t]*[{(]")
# An entry's head: its type and key up to the comma (no character bibtexparser
# treats as a mark or escape inside the key, no line break).
_ENTRY_HEAD = re.compile(r"@(\w*)[ \t]*\{([^{}\",=@\\\n]*),")
# A field name up to its `=`, or the end of the entry (`}` after white space).
_FIELD_NAME = re.compile(r"([^{}\",=@\\]*)([=}])")
# The characters that matter inside a value, by state (an escaped one does not count).
_AT_TOP = re.compile(r'(?<!\\)[{}",]')
_IN_BRACES = re.compile(r"(?<!\\)[{}]")
_IN_QUOTES = re.compile(r'(?<!\\)"')
_SPECIAL_TYPES = ("comment", "preamble", "string")
_LOG = logging.getLogger("bibtexparser.splitter")
# Most fields in one match: `name = {value}` (braces nested up to three deep),
# `name = "value"` (no braces inside) or `name = word`, then `,` or `}`. A character
# right after a backslash never counts (bibtexparser's rule): a run of backslashes is
# taken whole (possessive `++`, so no backtracking can split it) with the character after it.
_PLAIN = r"[^{}\\]*+(?:\\++[\s\S][^{}\\]*+)*"  # unrolled: plain runs scan fast
_BRACED = r"\{%s(?:\{%s(?:\{%s\}%s)*\}%s)*\}" % ((_PLAIN,) * 5)
_QUOTED = r'"[^"{}\\]*+(?:\\++[^{}][^"{}\\]*+)*"'
_SIMPLE_FIELD = re.compile(r"([^{}\",=@\\]*)=\s*(%s|%s|\w+)\s*([,}])" % (_BRACED, _QUOTED))


def split(text: str) -> Library:
    """The blocks of a BibTeX text, as bibtexparser's ``Splitter(text).split()`` gives them
    (without implicit comments)."""
    library = Library()
    for block in iter_blocks(text):
        library.add(block, fail_on_duplicate_key=False)  # the library marks repeated keys
    return library


def iter_blocks(text: str) -> Iterator[Block]:
    """The blocks of `split`, one at a time, before a Library marks repeated keys
    (so a caller that reads each block once need not hold them all)."""
    starts = _chunk_starts(text)
    if not starts or starts[0] != 0:
        starts.insert(0, 0)  # text before the first line-start block may hold blocks too
    starts.append(len(text))
    line = 0  # lines before the current chunk
    for i in range(len(starts) - 1):
        begin, end = starts[i], starts[i + 1]
        entry = _read_entry(text, begin, end, line)
        blocks = (
            [entry]
            if entry is not None
            else _library_blocks(text, begin, end, starts[i + 2] if i + 2 < len(starts) else end, line)
        )
        yield from blocks
        line += text.count("\n", begin, end)


def _chunk_starts(text: str) -> list[int]:
    """Where bibtexparser starts a block that it would also start after an unclosed one:
    a block start with only white space before it on its line. (Found from the `@`s, as
    a multi-line `^` regex tries every position of the file and costs 5x more.)"""
    starts = []
    for match in _BLOCK_START.finditer(text):
        at = match.start()
        line = text.rfind("\n", 0, at) + 1
        if line == at or text[line:at].isspace():
            starts.append(at)
    return starts


def _read_entry(text: str, begin: int, end: int, line: int) -> Entry | None:
    """The chunk text[begin:end] as one ordinary entry, or None to leave it to bibtexparser."""
    head = _ENTRY_HEAD.match(text, begin, end)
    if head is None or head.group(1).lower().startswith(_SPECIAL_TYPES):
        return None
    fields: list[Field] = []
    names: set[str] = set()
    pos = head.end()
    field_line = line
    counted = begin
    while True:
        simple = _SIMPLE_FIELD.match(text, pos, end)
        if simple is not None:
            key = simple.group(1).strip()
            if key in names:
                return None
            names.add(key)
            field_line += text.count("\n", counted, simple.end(1))
            counted = simple.end(1)
            fields.append(Field(start_line=field_line, key=key, value=simple.group(2)))
            if simple.group(3) == "}":
                close = simple.end()
                break
            pos = simple.end()
            continue
        name = _FIELD_NAME.match(text, pos, end)
        if name is None:
            return None
        if name.group(2) == "}":
            if name.group(1).strip():
                return None  # a name without a value: bibtexparser reports it
            close = name.end()
            break
        key = name.group(1).strip()
        if key in names:
            return None  # bibtexparser wraps the entry in a DuplicateFieldKeyBlock
        names.add(key)
        value_start = name.end()
        value_end = _value_end(text, value_start, end)
        if value_end is None:
            return None
        field_line += text.count("\n", counted, name.start(2))  # a field's line is that of its `=`
        counted = name.start(2)
        fields.append(Field(start_line=field_line, key=key, value=text[value_start:value_end].strip()))
        if text[value_end] == "}":
            close = value_end + 1
            break
        pos = value_end + 1
    if "@" in text[close:end] or text[close:end].strip():
        return None  # more after the entry (a block later on the same line, stray text)
    return Entry(
        start_line=line,
        entry_type=head.group(1).lower(),
        key=head.group(2).strip(),
        fields=fields,
        raw=text[begin:close],
    )


def _value_end(text: str, pos: int, end: int) -> int | None:
    """Index of the `,` or `}` that ends a field value starting at `pos`, counting braces
    and quotes as bibtexparser does (inside quotes braces do not count, inside braces
    quotes do not count); None when the chunk ends first or the value holds ``{"}``."""
    depth = 0
    quoted = False
    while True:
        pattern = _IN_BRACES if depth else _IN_QUOTES if quoted else _AT_TOP
        mark = pattern.search(text, pos, end)
        if mark is None:
            return None
        char = mark.group()
        at = mark.start()
        pos = at + 1
        if char == '"':
            if quoted and text[at - 1] == "{" and text[at + 1 : at + 2] == "}":
                return None  # bibtexparser's `{"}` rule: leave it to the library
            quoted = not quoted
        elif char == "{":
            depth += 1
        elif depth:
            depth -= 1
        else:  # `,` or `}` at the top of the value
            return at


def _library_blocks(text: str, begin: int, end: int, read_to: int, line: int) -> list[Block]:
    """bibtexparser's blocks for the chunk text[begin:end], read with the chunk after it
    so that a block left open is aborted as in a whole-file split."""
    chunk_lines = text.count("\n", begin, end)
    blocks = []
    # bibtexparser logs a warning for each block it cannot read, with lines counted from
    # the start of what it was given (here a chunk, and the next chunk read twice): the
    # importer reports those blocks itself with the file's line, so the log is muted.
    _LOG.disabled = True
    try:
        library_blocks = Splitter(text[begin:read_to]).split().blocks
    finally:
        _LOG.disabled = False
    for block in library_blocks:
        if isinstance(block, DuplicateBlockKeyBlock):
            block = block.ignore_error_block  # the file's library judges duplicates itself
        if isinstance(block, ImplicitComment) or (read_to > end and block.start_line >= chunk_lines):
            continue
        _move_lines(block, line)
        blocks.append(block)
    return blocks


def _move_lines(block: Block, by: int) -> None:
    """Move a block's line numbers (and those of the entry and fields inside it) down by `by` lines.

    bibtexparser keeps line numbers in private attributes without setters
    (`Block._start_line_in_file`, `Field._start_line`), so this writes those: pyproject.toml
    pins bibtexparser to the versions where they are known to hold, and
    tests/test_bibtex_splitter.py fails if a version renames them.
    """
    for shifted in (block, getattr(block, "ignore_error_block", None)):  # a failed block's entry
        if isinstance(shifted, Block):
            shifted._start_line_in_file += by
        if isinstance(shifted, Entry):
            for field in shifted.fields:
                if field._start_line is not None:
                    field._start_line += by
