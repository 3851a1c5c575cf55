"""`kb serve` for real: a Datasette server on 127.0.0.1 serving the sample."""

import json
import socket
import subprocess
import sys
import time
import urllib.request

from .conftest import REPO


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_kb_serve_serves_the_sample_read_only_on_localhost(sample_db):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "kb.cli", "serve", "--db", str(sample_db), "--port", str(port)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}/sample/articles.json?_shape=array&citekey=kulhanekImpossibleDream"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    rows = json.load(response)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        assert [(r["title"], r["authors"]) for r in rows] == [("An impossible dream?", "Kulhanek, Jakub")]
        # Read-only: Datasette's write endpoints are not available.
        request = urllib.request.Request(f"http://127.0.0.1:{port}/sample/-/create", data=b"{}", method="POST")
        try:
            urllib.request.urlopen(request, timeout=5)
            status = 200
        except urllib.error.HTTPError as exc:
            status = exc.code
        assert status in (403, 404, 405)
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_kb_serve_warms_facet_counts_in_the_server_loop(sample_db, tmp_path):
    """The warm-up must run inside the server (a task scheduled before it starts dies)."""
    import yaml

    metadata = yaml.safe_load((REPO / "kb" / "metadata.yml").read_text(encoding="utf-8"))
    metadata["databases"]["sample"] = metadata["databases"].pop("kb")
    metadata.setdefault("plugins", {}).setdefault("kb", {})["warm_at_works"] = 1
    metadata_path = tmp_path / "metadata.yml"
    metadata_path.write_text(yaml.safe_dump(metadata), encoding="utf-8")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "kb.cli", "serve", "--db", str(sample_db), "--port", str(port), "--metadata", str(metadata_path)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/-/versions.json", timeout=5).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        time.sleep(1)  # let the warm-up finish
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=10)
    assert "kb: facet counts of sample (2 works) computed" in output
    assert "Task was destroyed" not in output
