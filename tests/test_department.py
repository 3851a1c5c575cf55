"""A department server: several knowledge bases in one Datasette, accounts from `kb users`,
one permission rule for every kind of page, and the supervisor's group view.

The server is configured exactly as `kb serve FOLDER` configures it (kb/department.py
over kb's packaged metadata) and driven through Datasette's own test client, logged in
with the signed cookie /-/login sets (one test logs in through /-/login itself)."""

from __future__ import annotations

import re
import stat
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from datasette.app import Datasette

from kb import department, serve_config
from kb.cli import cli
from kb.datasette_plugin import login_return
from kb.datasette_plugin.access import actor_headers

from .conftest import build_sample
from .serving import running_kb_serve

PASSWORD = "correct horse battery"
ACCOUNTS = {
    "alice": ["--role", "researcher"],
    "bob": ["--role", "researcher"],
    "dave": ["--role", "researcher"],
    "carol": ["--role", "supervisor", "--supervises", "alice,bob"],
    "root": ["--role", "admin"],
}


def kb(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input, env={"KB_USERS": None, "KB_DB": None})


def add_account(users: Path, name: str, *options: str, password: str = PASSWORD):
    return kb("users", "add", name, *options, "--password-stdin", "--users", str(users), input=password + "\n")


@pytest.fixture(scope="module")
def folder(tmp_path_factory, built_kbs) -> Path:
    """alice.db, bob.db and dave.db (the sample, each with a work of its own), and the accounts."""
    folder = tmp_path_factory.mktemp("department")
    for name in ("alice", "bob", "dave"):
        db = built_kbs.copy("sample", build_sample, folder / f"{name}.db")
        result = kb("add-event", f"Summit of {name}", "--date", "2010", "--db", str(db))
        assert result.exit_code == 0, result.output
        result = kb(
            "add",
            "--title",
            f"Only in {name}'s knowledge base",
            "--date",
            "2010",
            "--db",
            str(db),
            "--event",
            f"Summit of {name}",
        )
        assert result.exit_code == 0, result.output
    for name, options in ACCOUNTS.items():
        result = add_account(folder / department.USERS_FILE, name, *options)
        assert result.exit_code == 0, result.output
    return folder


def department_datasette(folder: Path, monkeypatch, publish: tuple[str, ...] = ()) -> Datasette:
    """The Datasette `kb serve FOLDER [--publish NAME]` runs."""
    files = department.served_databases([folder])
    plan = department.plan_serving(files, folder / department.USERS_FILE, list(publish), True, False)
    for name, value in plan.environment.items():
        monkeypatch.setenv(name, value)
    metadata = department.apply_plan(serve_config.serve_metadata(None, "127.0.0.1"), plan)
    return Datasette(
        [str(file) for file in files],
        metadata=metadata,
        settings={"suggest_facets": False, "facet_time_limit_ms": 1000, "sql_time_limit_ms": 3000},  # as kb serve,
        secret=plan.environment["DATASETTE_SECRET"],
    )


@pytest.fixture
def ds(folder, monkeypatch) -> Datasette:
    return department_datasette(folder, monkeypatch)


async def get(ds: Datasette, path: str, who: str | None):
    return await ds.client.get(path, headers=actor_headers(ds, {"id": who} if who else None))


# Every kind of page of alice's knowledge base: (path, is a page a person reads).
ALICE_PAGES = [
    ("/alice", True),
    ("/alice/articles", True),
    ("/alice/articles?_search=impossible", True),
    ("/alice/articles.json", False),
    ("/alice/articles.bib", False),
    ("/alice/articles.ris", False),
    ("/alice/articles.csv", False),
    ("/alice/articles/1", True),
    ("/alice/articles/1.json", False),
    ("/alice/events", True),
    ("/alice/most_cited", True),
    ("/alice/most_cited.json", False),
    ("/alice?sql=select+title+from+articles", True),
    ("/alice.json?sql=select+title+from+articles", False),
    ("/alice/-/search?q=impossible", True),
    ("/alice/-/timeline", True),
    ("/alice/-/network", True),
]
MAY_SEE_ALICE = {"alice": True, "carol": True, "root": True, "bob": False, "dave": False}


@pytest.mark.asyncio
@pytest.mark.parametrize("path,readable", ALICE_PAGES, ids=[path for path, _ in ALICE_PAGES])
async def test_every_kind_of_page_obeys_the_one_rule(ds, path, readable):
    anonymous = await get(ds, path, None)
    if readable:
        assert (anonymous.status_code, anonymous.headers["location"]) == (
            302,
            "/-/login?" + urllib.parse.urlencode({"next": path}),
        )
    else:
        assert anonymous.status_code == 403
    for who, allowed in MAY_SEE_ALICE.items():
        response = await get(ds, path, who)
        assert response.status_code == (200 if allowed else 403), (who, response.text[:300])
        if allowed and path.endswith(".bib"):
            assert "Only in alice's knowledge base" in response.text


@pytest.mark.asyncio
async def test_the_home_page_lists_only_what_each_account_may_see(ds):
    def listed(page: str) -> set[str]:
        return set(re.findall(r'href="/(alice|bob|dave)"', page))

    assert listed((await get(ds, "/", "carol")).text) == {"alice", "bob"}
    assert listed((await get(ds, "/", "dave")).text) == {"dave"}
    assert listed((await get(ds, "/", "root")).text) == {"alice", "bob", "dave"}
    assert (await get(ds, "/", "mallory")).status_code == 403  # a name with no account (or a removed one)
    for internal in ("/_internal", "/_internal/tables"):
        assert (await get(ds, internal, "root")).status_code == 403


@pytest.mark.asyncio
async def test_datasette_debug_pages_are_hidden_but_login_and_logout_work(ds):
    for path in ("/-/metadata.json", "/-/actor.json", "/-/databases.json", "/-/permissions"):
        assert (await get(ds, path, "root")).status_code == 404, path
    login = await ds.client.get("/-/login")
    assert login.status_code == 200 and 'name="password"' in login.text
    assert (await get(ds, "/-/logout", "carol")).status_code == 200


@pytest.mark.asyncio
async def test_logging_in_through_the_login_page_opens_the_supervised_knowledge_bases(ds):
    page = await ds.client.get("/-/login")
    csrftoken = re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)
    cookie = f"ds_csrftoken={page.cookies['ds_csrftoken']}"

    async def log_in(password: str):
        body = urllib.parse.urlencode({"username": "carol", "password": password, "csrftoken": csrftoken})
        headers = {"cookie": cookie, "content-type": "application/x-www-form-urlencoded"}
        return await ds.client.post("/-/login", content=body, headers=headers)

    wrong = await log_in("not the password")
    assert wrong.status_code == 200 and "Invalid username or password" in wrong.text
    right = await log_in(PASSWORD)
    assert right.status_code == 302
    logged_in = {"cookie": f"ds_actor={right.cookies['ds_actor']}"}
    assert (await ds.client.get("/bob/articles.json", headers=logged_in)).status_code == 200
    assert (await ds.client.get("/dave/articles.json", headers=logged_in)).status_code == 403


async def log_in_through_the_form(ds: Datasette, login_page: str) -> tuple[int, str, str]:
    """Carol logs in through `login_page` as a browser does: (status, Location, ds_actor)."""
    page = await ds.client.get(login_page)
    assert page.status_code == 200
    csrftoken = re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)
    cookies = {"ds_csrftoken": page.cookies["ds_csrftoken"]}
    if login_return.NEXT_COOKIE in page.cookies:
        cookies[login_return.NEXT_COOKIE] = page.cookies[login_return.NEXT_COOKIE]
    body = urllib.parse.urlencode({"username": "carol", "password": PASSWORD, "csrftoken": csrftoken})
    answer = await ds.client.post(
        "/-/login",
        content=body,
        headers={
            "cookie": "; ".join(f"{name}={value}" for name, value in cookies.items()),
            "content-type": "application/x-www-form-urlencoded",
        },
    )
    return answer.status_code, answer.headers.get("location"), answer.cookies.get("ds_actor")


@pytest.mark.asyncio
async def test_after_logging_in_the_visitor_lands_on_the_page_they_asked_for(ds):
    asked = "/bob/articles?_tag=Energy+security&_sort=year"
    anonymous = await get(ds, asked, None)
    assert anonymous.status_code == 302
    login_page = anonymous.headers["location"]
    assert login_page == "/-/login?" + urllib.parse.urlencode({"next": asked})
    status, location, actor = await log_in_through_the_form(ds, login_page)
    assert (status, location) == (302, asked) and actor
    landed = await ds.client.get(location, headers={"cookie": f"ds_actor={actor}"})
    assert landed.status_code == 200
    # Straight to the login page, nothing asked for: the home page, as before.
    assert (await log_in_through_the_form(ds, "/-/login"))[:2] == (302, "/")


@pytest.mark.asyncio
async def test_a_page_asked_for_earlier_is_forgotten_by_a_bare_login_page(ds):
    earlier = await ds.client.get("/-/login?next=%2Falice")
    remembered = earlier.cookies[login_return.NEXT_COOKIE]
    bare = await ds.client.get("/-/login", cookies={login_return.NEXT_COOKIE: remembered})
    assert 'kb_login_next=""' in bare.headers["set-cookie"] or "kb_login_next=;" in bare.headers["set-cookie"]
    assert "Max-Age=0" in bare.headers["set-cookie"]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "next_value",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "/-/login", "bob"],
)
async def test_the_login_page_never_sends_anyone_to_another_host(ds, next_value):
    login_page = "/-/login?" + urllib.parse.urlencode({"next": next_value})
    status, location, actor = await log_in_through_the_form(ds, login_page)
    assert (status, location) == (302, "/") and actor


def test_only_local_paths_are_followed():
    assert login_return.local_path("/alice/articles?_tag=x") == "/alice/articles?_tag=x"
    for unsafe in ("", "alice", "//evil.example", "/\\evil.example", "/a\nb", "http://x/", "/-/login?next=/"):
        assert login_return.local_path(unsafe) is None, unsafe


@pytest.mark.asyncio
async def test_a_published_knowledge_base_is_open_to_anyone_and_the_others_stay_closed(folder, monkeypatch):
    ds = department_datasette(folder, monkeypatch, publish=("dave",))
    assert (await get(ds, "/dave/articles.json", None)).status_code == 200
    assert (await get(ds, "/dave.json?sql=select+count(*)+from+articles", None)).status_code == 200
    assert (await get(ds, "/alice/articles.json", None)).status_code == 403
    home = (await get(ds, "/", None)).text
    assert 'href="/dave"' in home and 'href="/alice"' not in home


@pytest.mark.asyncio
async def test_the_group_view_shows_a_supervisor_their_researchers_only(ds):
    anonymous = await get(ds, "/-/kb/group", None)
    assert (anonymous.status_code, anonymous.headers["location"]) == (302, "/-/login?next=%2F-%2Fkb%2Fgroup")
    page = await get(ds, "/-/kb/group?since=2000-01-01", "carol")
    assert page.status_code == 200
    html = page.text
    assert 'id="kb-alice"' in html and 'id="kb-bob"' in html and 'id="kb-dave"' not in html
    assert "Only in alice&#39;s knowledge base" in html and "Only in dave" not in html
    assert "Added since 2000-01-01: 3" in html  # the sample's two works and alice's own
    alice = html.split('id="kb-alice"')[1].split("</section>")[0]
    # Reading status counts read as words, and every work shows its year (n.d.: none known).
    assert '<a href="/alice/articles?status__isnull=1">3 without a status</a>' in alice
    assert "no status" not in html
    recent = alice.split('class="kb-group-recent"')[1].split("</ul>")[0]
    assert re.search(r"Only in alice&#39;s knowledge base</a>.*?\(2010\)", recent)
    assert recent.count("(n.d.)") == 2 and recent.count("<li>") == 3
    # The sample's works are in both: shared, each linked in each knowledge base.
    shared = html.split('class="kb-group-shared"')[1].split("</section>")[0]
    assert "Sources in more than one knowledge base (2)" in shared
    assert 'href="/alice/articles/1"' in shared and 'href="/bob/articles/1"' in shared
    assert "Only in" not in shared and shared.count("(n.d.)") == 2  # the sample's works have no date
    # Events covered, with each knowledge base's count linking to its works on the event.
    events = html.split('class="kb-group-events"')[1].split("</section>")[0]
    assert "Summit of alice" in events and "Summit of bob" in events and "Summit of dave" not in events
    assert "/alice/articles?_event=Summit+of+alice" in events
    later = await get(ds, "/-/kb/group?since=2999-01-01", "carol")
    assert "Added since 2999-01-01: 0" in later.text and "Nothing added since 2999-01-01" in later.text


@pytest.mark.asyncio
async def test_the_group_view_of_a_researcher_and_of_an_admin(ds):
    alice = (await get(ds, "/-/kb/group", "alice")).text
    assert 'id="kb-alice"' in alice and 'id="kb-bob"' not in alice
    root = (await get(ds, "/-/kb/group", "root")).text
    assert all(f'id="kb-{name}"' in root for name in ("alice", "bob", "dave"))
    bad = await get(ds, "/-/kb/group?since=last+week", "root")
    assert bad.status_code == 400 and "is not a date: write it as 2026-11-01" in bad.text


# --- kb users ------------------------------------------------------------------------


def test_kb_users_add_list_remove_keep_a_private_file_of_hashes(tmp_path):
    users = tmp_path / "kb-users.yml"
    assert add_account(users, "alice", "--role", "researcher").exit_code == 0
    assert add_account(users, "carol", "--role", "supervisor", "--supervises", "alice, bob").exit_code == 0
    assert stat.S_IMODE(users.stat().st_mode) == 0o600
    text = users.read_text()
    assert PASSWORD not in text and text.count("pbkdf2_sha256$") == 2
    listed = kb("users", "list", "--users", str(users))
    assert listed.stdout == "alice\tresearcher\talice\ncarol\tsupervisor\talice,bob\n"
    assert kb("users", "remove", "alice", "--users", str(users)).exit_code == 0
    assert kb("users", "list", "--users", str(users)).stdout == "carol\tsupervisor\talice,bob\n"
    from datasette_auth_passwords.utils import verify_password

    saved = yaml.safe_load(text)["accounts"]["carol"]["password_hash"]
    assert verify_password(PASSWORD, saved) and not verify_password("wrong", saved)


@pytest.mark.parametrize(
    "name,options,password,error",
    [
        ("bob", ["--role", "supervisor"], PASSWORD, "a supervisor needs --supervises NAME,NAME"),
        ("bob", ["--role", "researcher", "--supervises", "x"], PASSWORD, "--supervises is for supervisors"),
        ("bob", ["--role", "admin", "--kb", "bob"], PASSWORD, "an admin sees every knowledge base"),
        ("bob/..", ["--role", "researcher"], PASSWORD, "'bob/..' is not a usable account name"),
        ("bob", ["--role", "researcher"], "short", "the password must have at least 8 characters"),
        ("alice", ["--role", "researcher"], PASSWORD, "alice already has an account in"),
    ],
)
def test_kb_users_add_refuses_bad_accounts_with_one_line_and_keeps_the_file(tmp_path, name, options, password, error):
    users = tmp_path / "kb-users.yml"
    assert add_account(users, "alice", "--role", "researcher").exit_code == 0
    before = users.read_bytes()
    result = add_account(users, name, *options, password=password)
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and error in result.output and len(result.output.splitlines()) == 1
    assert users.read_bytes() == before


def test_kb_users_add_asks_for_the_password_twice(tmp_path):
    users = tmp_path / "kb-users.yml"
    result = kb("users", "add", "eve", "--role", "admin", "--users", str(users), input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Repeat for confirmation" in result.output and "eve" in users.read_text()


def test_kb_users_remove_of_an_unknown_account_is_an_error(tmp_path):
    result = kb("users", "remove", "nobody", "--users", str(tmp_path / "kb-users.yml"))
    assert result.exit_code == 1 and "no account nobody" in result.output


# --- kb serve's refusals and what it writes --------------------------------------------


def test_kb_serve_refuses_a_non_local_host_without_accounts(tmp_path, built_kbs):
    db = built_kbs.copy("sample", build_sample, tmp_path / "kb.db")
    result = kb("serve", "--db", str(db), "--host", "0.0.0.0")
    assert result.exit_code == 1 and len(result.output.splitlines()) == 1
    assert "needs accounts: add them with `kb users add`" in result.output and "--public" in result.output


@pytest.mark.parametrize(
    "args,error",
    [
        (["--publish", "nobody"], "--publish nobody: no knowledge base nobody is served"),
        (["--public", "--host", "0.0.0.0"], "with accounts, publish one knowledge base with --publish NAME"),
        (["--capture"], "--capture is for one researcher's own knowledge base"),
    ],
)
def test_kb_serve_refuses_contradictory_department_options(folder, args, error):
    result = kb("serve", str(folder), *args)
    assert result.exit_code == 1 and error in result.output and len(result.output.splitlines()) == 1


def test_kb_serve_refuses_a_users_file_others_can_read(tmp_path, built_kbs):
    built_kbs.copy("sample", build_sample, tmp_path / "alice.db")
    users = tmp_path / department.USERS_FILE
    assert add_account(users, "alice", "--role", "researcher").exit_code == 0
    users.chmod(0o644)
    result = kb("serve", str(tmp_path))
    assert result.exit_code == 1 and f"can be read by others (mode 644): run chmod 600 {users}" in result.output


def test_the_served_metadata_holds_no_secret_and_each_knowledge_base_gets_kb_configuration(folder):
    files = department.served_databases([folder])
    assert [file.name for file in files] == ["alice.db", "bob.db", "dave.db"]
    plan = department.plan_serving(files, folder / department.USERS_FILE, [], False, False)
    metadata = department.apply_plan(serve_config.serve_metadata(None, "0.0.0.0"), plan)
    written = yaml.safe_dump(metadata)
    assert "pbkdf2" not in written and plan.environment["DATASETTE_SECRET"] not in written
    assert set(metadata["databases"]) == {"alice", "bob", "dave"}
    assert metadata["databases"]["bob"]["tables"]["articles"]["facets"][0] == {"kb_column": "type"}
    assert metadata["plugins"]["kb"]["accounts"]["carol"] == {"role": "supervisor", "kbs": ["alice", "bob"]}
    secret = folder / department.SECRET_FILE
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    again = department.plan_serving(files, folder / department.USERS_FILE, [], False, False)
    assert again.environment["DATASETTE_SECRET"] == plan.environment["DATASETTE_SECRET"]  # logins survive restarts


def test_two_knowledge_bases_with_one_name_are_refused(tmp_path, built_kbs):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = built_kbs.copy("sample", build_sample, tmp_path / "a" / "alice.db")
    second = built_kbs.copy("sample", build_sample, tmp_path / "b" / "alice.db")
    result = kb("serve", str(first), str(second))
    assert result.exit_code == 1 and "would both be served at /alice: rename one" in result.output


def test_kb_serve_of_a_folder_for_real_logs_in_and_keeps_others_out(folder, tmp_path):
    """A real `kb serve FOLDER` process: the hashes reach the login page through the
    environment, and the secret file signs the cookie."""
    log = tmp_path / "serve.log"
    with running_kb_serve(str(folder), log=log) as server:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        page = opener.open(server.url + "/-/login", timeout=10).read().decode()
        token = re.search(r'name="csrftoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({"username": "alice", "password": PASSWORD, "csrftoken": token}).encode()
        opener.open(server.url + "/-/login", data=body, timeout=10).read()
        assert opener.open(server.url + "/alice/articles.json", timeout=10).status == 200
        with pytest.raises(urllib.error.HTTPError) as refused:
            opener.open(server.url + "/bob/articles.json", timeout=10)
        assert refused.value.code == 403
        with pytest.raises(urllib.error.HTTPError) as anonymous:
            urllib.request.urlopen(server.url + "/alice/articles.json", timeout=10)
        assert anonymous.value.code == 403
    assert "logins for 5 accounts" in log.read_text()


@pytest.mark.asyncio
async def test_the_group_view_without_accounts_sees_every_knowledge_base_and_follows_writes(tmp_path, built_kbs):
    """`kb serve alice.db bob.db` on a researcher's own machine: no login, every knowledge
    base in the group view; a source logged in both afterwards shows up as shared (what
    the page keeps in memory is dropped when a file changes)."""
    files = [built_kbs.copy("sample", build_sample, tmp_path / f"{name}.db") for name in ("alice", "bob")]
    plan = department.plan_serving(files, tmp_path / department.USERS_FILE, [], True, False)
    assert not plan.has_accounts and plan.environment == {}
    ds = Datasette([str(file) for file in files], metadata=department.apply_plan({}, plan))

    async def shared_heading() -> str:
        page = await ds.client.get("/-/kb/group?since=2000-01-01")
        assert page.status_code == 200 and 'id="kb-alice"' in page.text and 'id="kb-bob"' in page.text
        return re.search(r"Sources in more than one knowledge base \(\d+\)", page.text).group(0)

    assert await shared_heading() == "Sources in more than one knowledge base (2)"
    for file, title in ((files[0], "Deterrence by denial"), (files[1], "Deterrence by Denial!")):
        result = kb("add", "--title", title, "--doi", "10.1000/denial", "--db", str(file))
        assert result.exit_code == 0, result.output
    assert await shared_heading() == "Sources in more than one knowledge base (3)"


def test_kb_users_add_warns_when_the_users_file_is_inside_a_git_repository(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "kbs").mkdir()
    result = add_account(tmp_path / "kbs" / "kb-users.yml", "alice", "--role", "researcher")
    assert result.exit_code == 0
    assert f"is inside the git repository {tmp_path}: add it to .gitignore" in result.output


def test_one_knowledge_base_of_another_name_gets_kb_configuration_and_links(tmp_path):
    plan = department.plan_serving([tmp_path / "thesis.db"], None, [], True, False)
    metadata = department.apply_plan(serve_config.serve_metadata(None, "127.0.0.1"), plan)
    assert set(metadata["databases"]) == {"thesis"}
    assert metadata["databases"]["thesis"]["tables"]["articles"]["fts_table"] == "articles_fts"
    assert 'href="/thesis/articles"' in metadata["description_html"] and "/kb/" not in metadata["description_html"]


@pytest.mark.asyncio
async def test_the_menu_offers_log_in_only_where_there_are_accounts(ds, tmp_path, built_kbs):
    """datasette-auth-passwords offers "Log in" on every page; a server without accounts
    (a researcher's own `kb serve`) has nothing to log in to, so its menu leaves it out."""
    login_link = '<a href="/-/login">Log in</a>'
    login_page = await ds.client.get("/-/login")  # what a visitor not logged in sees of a department server
    assert login_page.status_code == 200 and login_link in login_page.text

    file = built_kbs.copy("sample", build_sample, tmp_path / "own.db")
    plan = department.plan_serving([file], tmp_path / department.USERS_FILE, [], True, False)
    assert not plan.has_accounts
    own = Datasette([str(file)], metadata=department.apply_plan({}, plan))
    for path in ("/", "/own", "/own/articles", "/own/articles/1", "/own/-/search?q=nato"):
        response = await own.client.get(path)
        assert response.status_code == 200, path
        assert login_link not in response.text, path
