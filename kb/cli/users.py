"""`kb users add/remove/list`: the accounts of a department server (kb/department.py).

These commands write the users file, never a knowledge base, so they have no history
entry and `kb undo` does not reach them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from click.core import ParameterSource

from .. import department
from ..db import connect
from ..errors import KbError


def users_option(fn):
    return click.option(
        "--users",
        "users_path",
        type=click.Path(dir_okay=False),
        envvar="KB_USERS",
        default=department.USERS_FILE,
        show_default=True,
        show_envvar=True,
        help="The users file (keep it beside the served knowledge bases, outside any git repository).",
    )(fn)


def _names(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
    if len(password) < department.MIN_PASSWORD:
        raise KbError(f"the password must have at least {department.MIN_PASSWORD} characters")
    return password


@click.group("users")
def users_group() -> None:
    """Accounts for a department server: who may log in to `kb serve`, and what they see.

    A researcher sees their own knowledge base (--kb, by default their name: the
    file alice.db is served as alice), a supervisor the knowledge bases they
    supervise, an admin every one. Passwords are kept as salted PBKDF2 hashes
    (datasette-auth-passwords) in the users file, made readable by you only.
    These commands change that file, not a knowledge base: they have no history
    entry and `kb undo` does not undo them. Restart kb serve after a change.

    Example:

    \b
        kb users add alice --role researcher --users kb-users.yml
        kb users list --users kb-users.yml
    """


@users_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(department.ROLES), required=True, help="What the account may see.")
@click.option("--kb", "kb_name", help="The account's own knowledge base (default for a researcher: NAME).")
@click.option("--supervises", help="Comma-separated knowledge bases a supervisor may see: alice,bob.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin (for scripts).")
@users_option
def add_command(
    name: str, role: str, kb_name: str | None, supervises: str | None, password_stdin: bool, users_path: str
) -> None:
    """Add an account; the password is asked for twice (or read with --password-stdin).

    Writes the users file only (no history entry; kb undo does not apply).

    Example:

    \b
        kb users add alice --role researcher
        kb users add carol --role supervisor --supervises alice,bob
        printf '%s\\n' "$PASSWORD" | kb users add root --role admin --password-stdin
    """
    from datasette_auth_passwords.utils import hash_password

    path = Path(users_path)
    accounts = department.load_accounts(path)
    if name in accounts:
        raise KbError(f"{name} already has an account in {path}: kb users remove {name} first")
    account = department.new_account(name, role, kb_name, _names(supervises), "")
    account.password_hash = hash_password(_password(password_stdin))
    accounts[name] = account
    department.write_accounts(path, accounts)
    repository = department.git_work_tree(path)
    if repository is not None:
        click.echo(f"Warning: {path} is inside the git repository {repository}: add it to .gitignore", err=True)
    sees = "every knowledge base" if role == "admin" else ", ".join(account.knowledge_bases())
    click.echo(f"Added {name} ({role}, sees {sees}) to {path}; restart kb serve to use it", err=True)


@users_group.command("remove")
@click.argument("name")
@users_option
def remove_command(name: str, users_path: str) -> None:
    """Remove an account: after kb serve restarts, its login no longer works.

    Writes the users file only (no history entry; kb undo does not apply).

    Example:

    \b
        kb users remove alice
    """
    path = Path(users_path)
    accounts = department.load_accounts(path)
    if name not in accounts:
        raise KbError(f"{path}: no account {name}")
    del accounts[name]
    department.write_accounts(path, accounts)
    click.echo(f"Removed {name} from {path}; restart kb serve to apply it", err=True)


@users_group.command("list")
@users_option
def list_command(users_path: str) -> None:
    """List the accounts: name, role and the knowledge bases each may see.

    Example:

    \b
        kb users list --users /srv/kb/kb-users.yml
    """
    path = Path(users_path)
    accounts = department.load_accounts(path)
    if not accounts:
        click.echo(f"No accounts in {path}: kb serve on 127.0.0.1 needs none", err=True)
    for name in sorted(accounts):
        account = accounts[name]
        sees = "(all)" if account.role == "admin" else ",".join(account.knowledge_bases())
        click.echo(f"{name}\t{account.role}\t{sees}")


def serve_options(fn):
    """kb serve's options for serving several knowledge bases with accounts."""
    fn = click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))(fn)
    fn = click.option(
        "--users",
        "users_path",
        type=click.Path(dir_okay=False, path_type=Path),
        envvar="KB_USERS",
        help=f"The users file (`kb users`); default: {department.USERS_FILE} in the served folder or beside "
        "the first knowledge base. With accounts in it, every page needs a login.",
    )(fn)
    fn = click.option(
        "--publish",
        multiple=True,
        metavar="NAME",
        help="With accounts: let anyone, logged in or not, read this knowledge base (repeatable).",
    )(fn)
    fn = click.option(
        "--public",
        is_flag=True,
        help="Without accounts: serve every knowledge base to anyone who can reach a non-local --host.",
    )(fn)
    return fn


def serving_plan(
    db_path: str, host: str, paths: tuple[Path, ...], users_path: Path | None, publish: tuple[str, ...], public: bool
) -> tuple[list[Path], department.ServingPlan]:
    """The files kb serve serves (each checked to be a knowledge base, and migrated) and
    its plan: accounts, what is published, what must be refused."""
    if paths and click.get_current_context().get_parameter_source("db_path") is ParameterSource.COMMANDLINE:
        raise KbError("name the knowledge bases either with --db or as arguments, not both")
    named = list(paths) or [Path(db_path)]
    files = department.served_databases(named)
    for file in files:
        connect(str(file), must_exist=True).conn.close()
    if users_path is not None and not users_path.exists():
        raise KbError(f"{users_path}: no such users file (make it with kb users add --users {users_path})")
    users_file = users_path or department.default_users_file(named)
    host_is_local = host in ("127.0.0.1", "localhost", "::1")
    return files, department.plan_serving(files, users_file, list(publish), host_is_local, public)
