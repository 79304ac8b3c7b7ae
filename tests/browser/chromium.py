"""A headless chromium for tests and benchmarks, never downloading anything.

Debian's ``chromium`` and ``chromium-driver`` (apt, see .ci/run) are used by path through
``Service('/usr/bin/chromedriver')``, so selenium-manager is never asked for a browser.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def find(name: str, *candidates: str) -> str | None:
    """The first of ``candidates`` that exists, else ``name`` on the PATH."""
    for path in candidates:
        if os.path.exists(path):
            return path
    return shutil.which(name)


@contextmanager
def chromium(browser: str, driver: str, *, javascript: bool = True) -> Iterator[Any]:
    """A selenium driver for a fresh headless chromium profile (removed afterwards)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="citekit-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=1280,900"]:
        options.add_argument(flag)
    if not javascript:
        options.add_experimental_option(
            "prefs", {"profile.managed_default_content_settings.javascript": 2}
        )
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    session = webdriver.Chrome(service=Service(driver), options=options)
    try:
        yield session
    finally:
        session.quit()
        shutil.rmtree(profile, ignore_errors=True)
