"""Headless Chromium for tests that must see a page (Debian's `chromium`)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
]


def chromium_browser() -> Iterator[object]:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if not executable:
        if os.environ.get("CI"):
            pytest.fail("Debian chromium is not installed; .ci/run installs it")
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def offline_page(browser, **options):  # type: ignore[no-untyped-def]
    """A page that may load nothing from the network."""
    page = browser.new_page(**options)
    page.route(
        "**/*",
        lambda route: (
            route.abort()
            if not route.request.url.startswith(("data:", "about:", "file:", "http://127.0.0.1"))
            else route.continue_()
        ),
    )
    return page
