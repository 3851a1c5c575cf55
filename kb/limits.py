"""Size limits on what kb reads, so a hostile or broken file fails fast with a clear
message instead of filling the memory: file size, field size, BibTeX macro expansion,
YAML aliases.

A file over `max_file_bytes` is refused (`kb import --max-file-mb` raises the limit for
one command). A field over `MAX_FIELD_CHARS` is refused, and so is a BibTeX `@string`
whose expansion grows past it (a chain of macros doubling each other reaches 2^40
characters in 40 lines). YAML aliases (`*name`) are refused outright: kb never writes
them, and nine nested aliases expand 603 bytes into more than a gigabyte.
"""

from __future__ import annotations

from pathlib import Path

from .errors import KbError

DEFAULT_MAX_FILE_MB = 200  # the largest real export at hand (a 10 MB .bib of 60,000 entries) fits twenty times
MAX_FIELD_CHARS = 2_000_000  # a field, or a BibTeX macro once expanded
MAX_CITEKEY_CHARS = 100
_max_file_bytes = DEFAULT_MAX_FILE_MB * 1024 * 1024


def set_max_file_mb(megabytes: int) -> None:
    """Raise (or lower) the file size limit for this process (`kb import --max-file-mb`)."""
    global _max_file_bytes
    if megabytes <= 0:
        raise KbError("--max-file-mb must be a positive number of megabytes")
    _max_file_bytes = megabytes * 1024 * 1024


def max_file_bytes() -> int:
    return _max_file_bytes


def read_bounded(path: Path, head_check=None) -> bytes:
    """A file's bytes, refused once it passes the size limit. `head_check(first_bytes)`
    runs on the first 8 KB before the rest is read, so /dev/zero fails at once."""
    limit = _max_file_bytes
    with open(path, "rb") as file:
        head = file.read(8192)
        if head_check is not None:
            head_check(head)
        rest = file.read(limit + 1 - len(head)) if len(head) == 8192 else b""
    if len(head) + len(rest) > limit:
        raise KbError(
            f"the file is larger than {limit // (1024 * 1024)} MB; pass --max-file-mb to read it anyway", str(path)
        )
    return head + rest


def check_field_size(value: str, what: str, where: str | None) -> str:
    if len(value) > MAX_FIELD_CHARS:
        raise KbError(f"{what} is longer than {MAX_FIELD_CHARS:,} characters", where)
    return value


def refuse_yaml_aliases(text: str, source: str, loader: type) -> None:
    """Fail on the first YAML alias. Only files holding both `&` and `*` are scanned
    (an alias needs an anchor), so a normal dump costs nothing extra."""
    if "&" not in text or "*" not in text:
        return
    import yaml  # PyYAML: only for the commands that read YAML

    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.AliasEvent):
                raise KbError(
                    f"YAML aliases (*{event.anchor}) are not accepted: write the value out",
                    f"{source}:{event.start_mark.line + 1}",
                )
    except yaml.YAMLError:
        return  # the loader says what is wrong, with its line
