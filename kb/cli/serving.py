"""`kb serve`: the knowledge base in Datasette, read-only."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from ..errors import KbError
from .options import db_option
from .users import serve_options, serving_plan

# Facet suggestions scan every column of the page: off. A facet gets up to a second
# on its first load (kb caches it after that); canned queries get three.
SERVE_SETTINGS = {"suggest_facets": "off", "facet_time_limit_ms": "1000", "sql_time_limit_ms": "3000"}


@click.command("serve")
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on; 0.0.0.0 for a department server."
)
@click.option(
    "--port", default=8001, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on (1-65535)."
)
@click.option(
    "--metadata",
    type=click.Path(exists=True, dir_okay=False),
    help="Your own Datasette metadata, laid over kb's packaged configuration (a metadata.yml in the "
    "current folder is never read unless named here).",
)
@click.option(
    "--immutable",
    is_flag=True,
    help="Serve a snapshot that nothing writes to while it runs (faster counts; for a department server).",
)
@click.option(
    "--capture",
    is_flag=True,
    help="Also take pages sent by the browser bookmarklet (setup page: /-/kb/capture); 127.0.0.1 only.",
)
@db_option
@serve_options  # PATHS, --users, --publish, --public: a department server (kb/cli/users.py)
def serve(
    db_path: str, host: str, port: int, metadata: str | None, immutable: bool, capture: bool, **department: Any
) -> None:
    """Browse the knowledge base in Datasette, read-only.

    Datasette only reads (its connections open the file read-only), so researchers
    can keep adding works while a supervisor browses; --immutable serves a snapshot.
    With --capture, pages sent by the browser bookmarklet are logged (through the
    store, like kb add URL), for the researcher's own machine.

    A department server: name several knowledge bases or a folder of them, each
    served at its own path (alice.db at /alice); with accounts in the users file
    (`kb users add`), every page needs a login and each account sees only what its
    role allows. Beyond 127.0.0.1 kb serve refuses to start without accounts
    unless --public says everything may be read by anyone.

    Example:

    \b
        kb serve --db kb.db --port 8001   # then open http://127.0.0.1:8001/kb/articles
        kb serve --capture                # and the bookmarklet at http://127.0.0.1:8001/-/kb/capture
        kb serve /srv/kb --users /srv/kb/kb-users.yml   # every .db in /srv/kb, with logins
    """
    files, plan = serving_plan(db_path, host, **department)  # each checked and migrated; the accounts
    if capture:
        if immutable or host not in ("127.0.0.1", "localhost"):
            raise KbError("--capture writes to the knowledge base: serve it on 127.0.0.1 and without --immutable")
        if plan.has_accounts or len(files) > 1:
            raise KbError("--capture is for one researcher's own knowledge base, served without accounts")
        from ..capture import ensure_token

        ensure_token(str(files[0]))
        os.environ["KB_CAPTURE"] = "1"  # the plugin's capture route is off without it
        click.echo(f"Capture on: set up the bookmarklet at http://{host}:{port}/-/kb/capture", err=True)
    from .. import serve_config  # PyYAML: only for the commands that read YAML

    served = plan.applied(serve_config.serve_metadata(Path(metadata) if metadata else None, host))
    for name in serve_config.writable_queries(served):
        click.echo(f"Warning: the canned query {name!r} in {metadata} writes to the database", err=True)
    metadata_path = serve_config.write_serve_metadata(served)
    command = [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        *[arg for file in files for arg in (["-i", str(file)] if immutable else [str(file)])],
        "--host",
        host,
        "--port",
        str(port),
    ]
    for name, value in SERVE_SETTINGS.items():
        command += ["--setting", name, value]
    command += ["--metadata", str(metadata_path)]
    served_names = ", ".join(str(file) for file in files)
    logins = f", logins for {len(plan.accounts)} accounts from {plan.users_file}" if plan.has_accounts else ""
    click.echo(f"Serving {served_names} at http://{host}:{port}/{logins}", err=True)
    os.environ.update(plan.environment)  # the password hashes and the cookie secret, never in a file
    sys.stdout.flush()
    sys.stderr.flush()
    # Become Datasette rather than wait for it, so stopping `kb serve` stops the server.
    os.execv(sys.executable, command)
