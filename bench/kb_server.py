"""`kb serve` in a child process for the benchmarks that drive a real server
(bench/department_bench.py, bench/screenshots.py)."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
START_TIMEOUT = 120.0  # a loaded two-core machine can take a while to start Datasette


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving(arguments: list[str], log: Path) -> Iterator[str]:
    """`kb serve ARGUMENTS` on a free loopback port; its URL once it answers (any HTTP answer)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(log, "w", encoding="utf-8") as out:
        command = [sys.executable, "-m", "kb.cli", "serve", *arguments, "--port", str(port)]
        process = subprocess.Popen(command, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while True:
                try:
                    urllib.request.urlopen(url + "/-/login", timeout=5).close()
                    break
                except urllib.error.HTTPError:
                    break  # it answers (a server without accounts has no login page: 404)
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit(f"kb serve did not start:\n{log.read_text()}") from None
                    time.sleep(0.2)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=30)
