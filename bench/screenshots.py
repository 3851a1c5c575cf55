"""Screenshots of what a reader and a supervisor see, in a real headless Chromium.

Usage:
    python bench/screenshots.py [--out bench/out/screenshots] [--readme bench/screenshots]

Builds the shipped sample (`kb build data`) and serves it with `kb serve` (no login, as
on a researcher's machine); makes a department folder (alice.db and bob.db, copies of
the sample with a few works of their own, one source in both; accounts alice, bob and
carol, who supervises both, made with `kb users add --password-stdin`) and serves it with
`kb serve FOLDER`, logging in as carol through the login page. Then it takes a
screenshot of each page at 1400x1000 (desktop) and 390x844 (phone): the articles page,
an article, an event, search results, the citation network, and as carol the group
view and alice's articles page. Files: OUT/NAME-1400.png and OUT/NAME-390.png.

--readme DIR also writes the desktop articles page and group view as small PNGs (a
palette of 64 colours, with Pillow if it is installed) for the README.

Chromium and chromedriver: Debian's chromium and chromium-driver (KB_CHROMIUM and
KB_CHROMEDRIVER name others), driven by selenium as the browser tests do.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

from click.testing import CliRunner
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kb_server import serving  # noqa: E402

from kb.cli import cli  # noqa: E402

PASSWORD = "screenshots password, not a secret"
SIZES = [(1400, 1000), (390, 844)]
README_SHOTS = ["articles-1400", "group-1400"]  # what the README shows


def kb(*args: str, input: str | None = None, by: str = "screenshots") -> str:
    """A kb command in process, as the researcher `by`; stops the script with its output if it fails."""
    result = CliRunner().invoke(cli, list(args), input=input, env={"KB_USERS": None, "KB_DB": None, "KB_USER": by})
    if result.exit_code != 0:
        raise SystemExit(f"kb {' '.join(args)} failed:\n{result.output}")
    return result.output


def make_sample(work: Path) -> Path:
    db = work / "sample" / "kb.db"
    db.parent.mkdir(parents=True)
    kb("build", str(REPO / "data"), "--db", str(db), "--force")
    return db


def make_department(sample: Path, work: Path) -> Path:
    """alice.db and bob.db with works of their own and a source in both; three accounts."""
    folder = work / "department"
    folder.mkdir()
    for name in ("alice", "bob"):
        db = folder / f"{name}.db"
        shutil.copyfile(sample, db)
        kb("add-event", f"Reading group of {name}", "--date", "2026-11", "--db", str(db), by=name)
        chapter = f"Notes for {name}'s second chapter"
        kb("add", "--title", chapter, "--date", "2026", "--event", f"Reading group of {name}", "--db", str(db), by=name)
        denial = ["--title", "Deterrence by denial in the Baltic", "--date", "2019", "--doi", "10.1000/denial"]
        kb("add", *denial, "--db", str(db), by=name)
    users = folder / "kb-users.yml"
    for name, *options in (
        ("alice", "--role", "researcher"),
        ("bob", "--role", "researcher"),
        ("carol", "--role", "supervisor", "--supervises", "alice,bob"),
    ):
        kb("users", "add", name, *options, "--password-stdin", "--users", str(users), input=PASSWORD + "\n")
    return folder


def start_chromium(profile: Path) -> webdriver.Chrome:
    chromium = os.environ.get("KB_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    chromedriver = os.environ.get("KB_CHROMEDRIVER") or shutil.which("chromedriver") or "/usr/bin/chromedriver"
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(chromedriver), options=options)
    driver.set_page_load_timeout(60)
    return driver


def most_linked(db: Path) -> tuple[int, int]:
    """The id of the work with the most tags, events and organisations, and of the event
    with the most works: the pages that show the most."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        work = conn.execute(
            "select a.id from articles a order by (select count(*) from article_tags where article_id = a.id)"
            " + (select count(*) from article_events where article_id = a.id)"
            " + (select count(*) from article_organisations where article_id = a.id) desc, a.id limit 1"
        ).fetchone()[0]
        event = conn.execute(
            "select e.id from events e order by (select count(*) from article_events where event_id = e.id) desc,"
            " (select count(*) from event_organisations where event_id = e.id) desc, e.id limit 1"
        ).fetchone()[0]
    finally:
        conn.close()
    return work, event


def shoot(driver, url: str, name: str, out: Path) -> list[Path]:
    taken = []
    for width, height in SIZES:
        driver.set_window_size(width, height)
        driver.get(url)
        path = out / f"{name}-{width}.png"
        driver.save_screenshot(str(path))
        taken.append(path)
    return taken


def log_in(driver, base: str, name: str) -> None:
    driver.set_window_size(*SIZES[0])
    driver.get(base + "/-/login")
    driver.find_element(By.ID, "id_username").send_keys(name)
    driver.find_element(By.ID, "id_password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form.password-login input[type=submit]").click()
    if driver.current_url != base + "/":
        raise SystemExit(f"{name} could not log in: {driver.current_url}")


def small_png(source: Path, target: Path) -> None:
    """A 64-colour copy for the README (screenshots of text keep well in a palette)."""
    try:
        from PIL import Image
    except ImportError:
        print("Pillow is not installed: copying the screenshot as it is")
        shutil.copyfile(source, target)
        return
    with Image.open(source) as image:
        image.convert("RGB").quantize(colors=64).save(target, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "screenshots")
    parser.add_argument("--readme", type=Path, help="also write the README's two small PNGs here")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    taken: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="kb-screenshots-") as scratch:
        work = Path(scratch)
        sample = make_sample(work)
        folder = make_department(sample, work)
        driver = start_chromium(work / "chromium")
        try:
            with serving(["--db", str(sample)], work / "sample.log") as base:
                article, event = most_linked(sample)
                pages = {
                    "articles": base + "/kb/articles",
                    "article": f"{base}/kb/articles/{article}",
                    "event": f"{base}/kb/events/{event}",
                    "search": base + "/kb/-/search?q=NATO",
                    "network": base + "/kb/-/network",
                }
                for name, url in pages.items():
                    taken += shoot(driver, url, name, args.out)
            with serving([str(folder)], work / "department.log") as base:
                log_in(driver, base, "carol")
                taken += shoot(driver, base + "/-/kb/group?since=2000-01-01", "group", args.out)
                taken += shoot(driver, base + "/alice/articles", "department-articles", args.out)
        finally:
            driver.quit()
    for path in taken:
        print(f"{path} ({path.stat().st_size // 1024} KB)")
    if args.readme:
        args.readme.mkdir(parents=True, exist_ok=True)
        for name in README_SHOTS:
            target = args.readme / f"{name}.png"
            small_png(args.out / f"{name}.png", target)
            print(f"{target} ({target.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
