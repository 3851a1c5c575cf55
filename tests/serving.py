"""`kb serve` for real in tests: a server process on a free local port, started and
waited for in one place."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# Datasette starts in about a second; a loaded two-core machine has been seen to take 15.
START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str  # http://127.0.0.1:PORT, without a trailing slash
    process: subprocess.Popen
    log: Path  # the server's stdout and stderr

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextlib.contextmanager
def running_server(db: Path, *options: str, log: Path, cwd: Path = REPO) -> Iterator[Server]:
    """`kb serve --db DB OPTIONS...` on a free port, run in `cwd`, answering once this
    yields; stopped (and its output complete in `log`) when the block ends."""
    with running_kb_serve("--db", str(db), *options, log=log, cwd=cwd) as server:
        yield server


@contextlib.contextmanager
def running_kb_serve(*arguments: str, log: Path, cwd: Path = REPO) -> Iterator[Server]:
    """`kb serve ARGUMENTS...` (one knowledge base, several, or a folder) on a free port."""
    port = free_port()
    with open(log, "w", encoding="utf-8") as out:
        command = [sys.executable, "-m", "kb.cli", "serve", *arguments, "--port", str(port)]
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        server = Server(f"http://127.0.0.1:{port}", process, log)
        try:
            _wait_until_answering(server)
            yield server
        finally:
            process.terminate()
            process.wait(timeout=10)


def _wait_until_answering(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            urllib.request.urlopen(server.url + "/-/versions.json", timeout=5).close()
            return
        except urllib.error.HTTPError:
            return  # it answers (a server on a public address hides its /-/ pages)
        except OSError:
            if server.process.poll() is not None:
                raise RuntimeError(f"kb serve exited with {server.process.returncode}:\n{server.output()}") from None
            if time.monotonic() > deadline:
                message = f"kb serve did not answer within {START_TIMEOUT:.0f} s"
                raise RuntimeError(f"{message}:\n{server.output()}") from None
            time.sleep(0.1)
