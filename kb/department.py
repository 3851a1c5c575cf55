"""A department server: several knowledge bases in one `kb serve`, with accounts.

The accounts live in a users file (YAML, mode 0600) outside the repository, written by
`kb users` and read by `kb serve`. Each account has a role:

- researcher: sees their own knowledge base (`kb:`, by default the account's name);
- supervisor: sees the knowledge bases of the researchers they supervise (`supervises:`)
  and their own, if they have one;
- admin: sees every knowledge base served.

A password is kept only as the hash datasette-auth-passwords makes and checks
(PBKDF2-SHA256); kb has no crypto of its own. kb serve hands the hashes to that plugin
through environment variables (`{"$env": ...}` in the configuration it writes), so no
hash is ever written to a metadata file, and the Datasette secret that signs login
cookies comes from DATASETTE_SECRET or from a 0600 file made beside the users file on
the first run. Who may see what is decided in one place, the permission hook in
kb/datasette_plugin/access.py, from the `plugins: kb: accounts:` this module writes.
"""

from __future__ import annotations

import copy
import os
import re
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import KbError

USERS_FILE = "kb-users.yml"
SECRET_FILE = "kb-secret"
ROLES = ("researcher", "supervisor", "admin")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MIN_PASSWORD = 8
USERS_HEADER = (
    "# kb accounts, written by `kb users`: names, roles and password hashes.\n"
    "# Keep this file out of git and readable by you only (mode 0600).\n"
)
PACKAGED_DATABASE = "kb"  # the database block of kb/metadata.yml every served knowledge base gets
DEPARTMENT_DESCRIPTION = (
    "The department's knowledge bases: open one below, or the "
    '<a href="/-/kb/group">group view</a> of everything you may see.'
)


@dataclass
class Account:
    name: str
    role: str
    kb: str | None = None  # the account's own knowledge base (researcher; a supervisor may have one)
    supervises: list[str] = field(default_factory=list)
    password_hash: str = ""

    def knowledge_bases(self) -> list[str]:
        """The served names this account may see (an admin: all, decided by the caller)."""
        names = ([self.kb] if self.kb else []) + list(self.supervises)
        return sorted(set(names))

    def as_yaml(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"role": self.role}
        if self.kb:
            entry["kb"] = self.kb
        if self.supervises:
            entry["supervises"] = list(self.supervises)
        entry["password_hash"] = self.password_hash
        return entry


def check_name(name: str, what: str = "account name") -> str:
    if not NAME.match(name or ""):
        raise KbError(f"{name!r} is not a usable {what}: use letters, digits, '.', '-' or '_' (at most 64)")
    return name


def new_account(name: str, role: str, kb: str | None, supervises: list[str], password_hash: str) -> Account:
    """An account checked for what its role needs."""
    check_name(name)
    if role not in ROLES:
        raise KbError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    if role == "admin" and (kb or supervises):
        raise KbError("an admin sees every knowledge base: --kb and --supervises are for researchers and supervisors")
    if role == "researcher" and supervises:
        raise KbError("--supervises is for supervisors; a researcher sees their own knowledge base (--kb)")
    if role == "supervisor" and not supervises:
        raise KbError("a supervisor needs --supervises NAME,NAME: the knowledge bases they may see")
    if role == "researcher" and not kb:
        kb = name
    for other in [kb, *supervises]:
        if other:
            check_name(other, "knowledge base name")
    return Account(name, role, kb, list(supervises), password_hash)


def load_accounts(path: Path) -> dict[str, Account]:
    """The accounts in a users file; none when it does not exist."""
    if not path.exists():
        return {}
    import yaml  # only for the commands that read accounts (kb --help stays light)

    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise KbError(f"{path}: cannot read the accounts: {str(exc).splitlines()[0]}") from None
    entries = loaded.get("accounts") if isinstance(loaded, dict) else None
    if not isinstance(entries, dict):
        raise KbError(f"{path}: not a kb users file (no 'accounts:' mapping)")
    accounts = {}
    for name, entry in entries.items():
        if not isinstance(entry, dict) or not entry.get("password_hash"):
            raise KbError(f"{path}: account {name!r} has no role and password hash")
        try:
            accounts[str(name)] = new_account(
                str(name),
                str(entry.get("role")),
                entry.get("kb"),
                [str(s) for s in entry.get("supervises") or []],
                str(entry["password_hash"]),
            )
        except KbError as exc:
            raise KbError(f"{path}: account {name!r}: {exc}") from None
    return accounts


def write_accounts(path: Path, accounts: dict[str, Account]) -> None:
    """The users file rewritten whole, created 0600 before anything is in it, then renamed
    into place (a killed write leaves the old file)."""
    import yaml

    body = USERS_HEADER + yaml.safe_dump(
        {"accounts": {name: accounts[name].as_yaml() for name in sorted(accounts)}}, sort_keys=False
    )
    temporary = path.with_name(f".{path.name}.kb-tmp")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(body)
        os.chmod(temporary, 0o600)  # an old leftover may have had another mode
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise KbError(f"{path}: cannot write the accounts: {exc.strerror}") from None


def check_private(path: Path) -> None:
    """A users or secret file others can read is refused: it holds what signs in as anyone."""
    if os.name != "posix":
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise KbError(f"{path} can be read by others (mode {mode:o}): run chmod 600 {path}")


def git_work_tree(path: Path) -> Path | None:
    """The git work tree `path` would be in, if any: a users file there is one `git add .`
    away from being published."""
    for folder in path.resolve().parents:
        if (folder / ".git").exists():
            return folder
    return None


def cookie_secret(folder: Path) -> str:
    """DATASETTE_SECRET, or the one in `folder`/kb-secret, made (0600) on the first run so
    logins last across restarts."""
    if os.environ.get("DATASETTE_SECRET"):
        return os.environ["DATASETTE_SECRET"]
    path = folder / SECRET_FILE
    if not path.exists():
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another kb serve made it a moment ago
        else:
            with os.fdopen(descriptor, "w", encoding="utf-8") as file:
                file.write(secrets.token_hex(32) + "\n")
    check_private(path)
    return path.read_text(encoding="utf-8").strip()


def served_databases(paths: list[Path]) -> list[Path]:
    """The knowledge base files to serve: each file named, and every .db file in each folder."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(path.glob("*.db"))
            if not found:
                raise KbError(f"{path}: no .db file to serve in this folder")
            files += found
        else:
            files.append(path)  # opening it says whether it is a knowledge base
    names: dict[str, Path] = {}
    for file in files:
        if file.stem in names:
            raise KbError(f"{file} and {names[file.stem]} would both be served at /{file.stem}: rename one")
        check_name(file.stem, "knowledge base name (the file name without .db)")
        names[file.stem] = file
    return files


def default_users_file(paths: list[Path]) -> Path:
    """kb-users.yml in the served folder, or beside the first knowledge base served."""
    first = paths[0]
    return (first if first.is_dir() else first.resolve().parent) / USERS_FILE


@dataclass
class ServingPlan:
    names: list[str]  # the database names, as Datasette serves them (file stems)
    accounts: dict[str, Account]
    published: list[str]
    users_file: Path | None
    environment: dict[str, str] = field(default_factory=dict)  # set before Datasette starts

    @property
    def has_accounts(self) -> bool:
        return bool(self.accounts)

    def applied(self, metadata: dict[str, Any]) -> dict[str, Any]:
        return apply_plan(metadata, self)


def plan_serving(
    files: list[Path], users_file: Path | None, published: list[str], host_is_local: bool, public: bool
) -> ServingPlan:
    """What a kb serve of `files` needs: the accounts, what is published, and the refusals."""
    names = [file.stem for file in files]
    accounts = {}
    if users_file is not None and users_file.exists():
        check_private(users_file)
        accounts = load_accounts(users_file)
    for name in published:
        if name not in names:
            raise KbError(f"--publish {name}: no knowledge base {name} is served (served: {', '.join(names)})")
    if accounts and public:
        raise KbError(
            "--public serves everything to everyone: with accounts, publish one knowledge base with --publish NAME"
        )
    if published and not accounts:
        raise KbError(
            "--publish is for a server with accounts: add them with `kb users add` (see README, Department server)"
        )
    if not accounts and not host_is_local and not public:
        raise KbError(
            "kb serve beyond 127.0.0.1 needs accounts: add them with `kb users add` (see README, Department server), "
            "or pass --public to serve every knowledge base to anyone who can reach it"
        )
    plan = ServingPlan(names, accounts, list(published), users_file if accounts else None)
    if accounts:
        assert users_file is not None
        plan.environment["DATASETTE_SECRET"] = cookie_secret(users_file.parent)
        for number, name in enumerate(sorted(accounts)):
            plan.environment[f"KB_PASSWORD_HASH_{number}"] = accounts[name].password_hash
    return plan


def apply_plan(metadata: dict[str, Any], plan: ServingPlan) -> dict[str, Any]:
    """`metadata` (kb's packaged one, with the operator's laid over it) for the plan: the
    packaged database block for each served name, the accounts for the permission hook,
    and the password hashes as references to the environment."""
    metadata = copy.deepcopy(metadata)
    databases = metadata.setdefault("databases", {}) or {}
    metadata["databases"] = databases
    template = databases.get(PACKAGED_DATABASE) or {}
    for name in plan.names:
        own = databases.get(name) or {}
        block = copy.deepcopy(template)
        for key, value in own.items():
            block[key] = value if not isinstance(value, dict) else {**(block.get(key) or {}), **value}
        databases[name] = block
    if PACKAGED_DATABASE not in plan.names:
        databases.pop(PACKAGED_DATABASE, None)
    description = metadata.get("description_html") or ""
    if len(plan.names) > 1 and "/kb/articles" in description:
        metadata["description_html"] = DEPARTMENT_DESCRIPTION
    elif plan.names != [PACKAGED_DATABASE] and len(plan.names) == 1:  # thesis.db: its links go to /thesis/
        metadata["description_html"] = description.replace('href="/kb/', f'href="/{plan.names[0]}/')
    kb_config = metadata.setdefault("plugins", {}).setdefault("kb", {})
    if plan.has_accounts:
        kb_config["accounts"] = {
            name: {"role": account.role, "kbs": account.knowledge_bases()} for name, account in plan.accounts.items()
        }
        kb_config["published"] = list(plan.published)
        kb_config["public"] = True  # behind a proxy on 127.0.0.1 too: Datasette's /-/ pages are not for visitors
        metadata["plugins"]["datasette-auth-passwords"] = {
            f"{name}_password_hash": {"$env": f"KB_PASSWORD_HASH_{number}"}
            for number, name in enumerate(sorted(plan.accounts))
        }
    return metadata
