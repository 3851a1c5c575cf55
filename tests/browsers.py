"""The headless Chromium the browser tests drive (Debian's chromium + chromium-driver).

One Chromium serves the whole test session (the `chromium` fixture in conftest.py):
starting one takes one to three seconds, as long as most of the tests that use it.
Where Chromium or its driver is missing the tests that need them are skipped, saying
why; under CI=true (.ci/run installs them) that is a failure instead."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest


def require_browser() -> tuple[str, str]:
    """The Chromium and chromedriver to drive (KB_CHROMIUM, KB_CHROMEDRIVER, else found on
    PATH); the test is skipped where one is missing, and fails under CI=true."""
    chromium = os.environ.get("KB_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    chromedriver = os.environ.get("KB_CHROMEDRIVER") or shutil.which("chromedriver") or "/usr/bin/chromedriver"
    missing = [path for path in (chromium, chromedriver) if not os.access(path, os.X_OK)]
    if missing:
        reason = (
            f"no headless Chromium for the browser tests ({', '.join(missing)} not found; "
            "on Debian: apt-get install chromium chromium-driver)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return chromium, chromedriver


# The window size the browser tests expect; a test that changes it puts it back.
WINDOW_SIZE = (1400, 1000)


def start_chromium(profile: Path):
    """A headless Chromium (a selenium WebDriver) with its profile in `profile`."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, chromedriver = require_browser()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--window-size={WINDOW_SIZE[0]},{WINDOW_SIZE[1]}",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(chromedriver), options=options)
    driver.set_page_load_timeout(30)
    return driver


def only_first_window(driver) -> None:
    """Close every window but the first and switch back to it (after a test that opened more)."""
    first, *others = driver.window_handles
    for handle in others:
        driver.switch_to.window(handle)
        driver.close()
    driver.switch_to.window(first)
