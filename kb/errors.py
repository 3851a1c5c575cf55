"""The one exception type for a user's mistake: the CLI prints it on one line and exits 1."""

import re

# Control characters from the input (a NUL or a newline in a citekey) would break the one line.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_WHERE_CHARS = 200


def _one_line(text: str) -> str:
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


class KbError(Exception):
    """Bad input or a bad request. `where` names the file and line or record."""

    def __init__(self, message: str, where: str | None = None):
        self.message = _one_line(message)
        if where is not None:
            where = _one_line(where)
            where = where if len(where) <= MAX_WHERE_CHARS else where[: MAX_WHERE_CHARS - 3] + "..."
        self.where = where
        super().__init__(f"{where}: {self.message}" if where else self.message)
