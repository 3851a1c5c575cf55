"""`kb serve` for real: a Datasette server on 127.0.0.1 serving the sample."""

import json
import time
import urllib.error
import urllib.request

import yaml

from .conftest import REPO


def test_kb_serve_serves_the_sample_read_only_on_localhost(sample_db, kb_server):
    server = kb_server(sample_db)
    url = f"{server.url}/sample/articles.json?_shape=array&citekey=kulhanekImpossibleDream"
    with urllib.request.urlopen(url, timeout=5) as response:
        rows = json.load(response)
    assert [(r["title"], r["authors"]) for r in rows] == [("An impossible dream?", "Kulhanek, Jakub")]
    # Read-only: Datasette's write endpoints are not available.
    request = urllib.request.Request(f"{server.url}/sample/-/create", data=b"{}", method="POST")
    try:
        urllib.request.urlopen(request, timeout=5)
        status = 200
    except urllib.error.HTTPError as exc:
        status = exc.code
    assert status in (403, 404, 405)


def test_kb_serve_warms_facet_counts_in_the_server_loop(sample_db, tmp_path, kb_server):
    """The warm-up must run inside the server (a task scheduled before it starts dies)."""
    metadata = yaml.safe_load((REPO / "kb" / "metadata.yml").read_text(encoding="utf-8"))
    metadata["databases"]["sample"] = metadata["databases"].pop("kb")
    metadata.setdefault("plugins", {}).setdefault("kb", {})["warm_at_works"] = 1
    metadata_path = tmp_path / "metadata.yml"
    metadata_path.write_text(yaml.safe_dump(metadata), encoding="utf-8")
    server = kb_server(sample_db, "--metadata", str(metadata_path))
    deadline = time.monotonic() + 30
    while "computed" not in server.output() and time.monotonic() < deadline:  # the warm-up follows start-up
        time.sleep(0.1)
    server.process.terminate()
    server.process.wait(timeout=10)
    output = server.output()
    assert "kb: facet counts of sample (2 works) computed" in output
    assert "Task was destroyed" not in output
