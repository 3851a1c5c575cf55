"""Who and when: the time stamp and user name the store writes, and a file's checksum."""

from __future__ import annotations

import getpass
import hashlib
import os
import time
from datetime import datetime, timezone

_last_stamp: tuple[int, str] = (-1, "")


def now() -> str:
    """The UTC time to the second, as ISO text. An import stamps every work, so the text
    is made once a second rather than once a work."""
    global _last_stamp
    second = int(time.time())
    if _last_stamp[0] != second:
        moment = datetime.fromtimestamp(second, timezone.utc)
        _last_stamp = (second, moment.isoformat().replace("+00:00", "Z"))
    return _last_stamp[1]


def current_user() -> str:
    return os.environ.get("KB_USER") or getpass.getuser()


def file_checksum(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
