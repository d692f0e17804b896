"""`masthead preview` in headless Chromium: every tab, live reload, errors, safety."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from browser import ARTIFACTS, chromium_browser, offline_page
from conftest import ROOT, SEED

TITLE = "The Great AI Divorce"


@pytest.fixture(scope="module")
def browser():
    yield from chromium_browser()


@contextmanager
def preview_server(folder: Path, *, package: Path = ROOT, config: str = "", source: Path = SEED):
    """`masthead preview` of a copy of `source` (the seed unless another is
    given) in `folder`, run from the package in `package` (the checkout
    unless a copy is given); yields its URL, the article and the process,
    and kills it afterwards."""
    article = folder / f"story{source.suffix}"
    shutil.copy(source, article)
    (folder / "masthead.toml").write_text(
        'site_url = "https://news.example.com"\n' + config + '[brand]\nname = "The Ledger"\n',
        encoding="utf-8",
    )
    env = dict(os.environ, PYTHONPATH=str(package), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator", "preview", str(article), "--port", "0"],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert "http://127.0.0.1:" in line, line + proc.stderr.read()
        url = line.split(" at ", 1)[1].split(" ", 1)[0]
        yield url, article, proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


@pytest.fixture
def server(tmp_path):
    with preview_server(tmp_path) as running:
        yield running


def status(url: str, path: str) -> int:
    host, port = url.removeprefix("http://").rstrip("/").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    connection.request("GET", path)  # sent as written: no client-side normalising
    return connection.getresponse().status


def test_every_tab_shows_the_article(browser, server):
    url, _, _ = server
    page = offline_page(browser, viewport={"width": 1100, "height": 900})
    page.goto(url)
    tabs = page.locator("nav button")
    names = [tabs.nth(i).inner_text() for i in range(tabs.count())]
    assert names == [
        "Email 600 px",
        "Email 375 px",
        "Email dark",
        "Plain text",
        "X",
        "Bluesky",
        "Mastodon",
        "Threads",
        "LinkedIn",
        "RSS",
        names[-1],
    ]
    assert names[-1].startswith("Check (")
    ARTIFACTS.mkdir(exist_ok=True)
    for i, name in enumerate(names):
        tabs.nth(i).click()
        panel = page.locator("section[role=tabpanel].active")
        assert panel.count() == 1
        if name.startswith("Email"):
            frame = panel.frame_locator("iframe")
            assert TITLE in frame.locator("h1").inner_text()
            assert "Key Takeaways" in frame.locator("body").inner_text()
            if name == "Email dark":
                colour = frame.locator("h1").evaluate("e => getComputedStyle(e).color")
                assert colour == "rgb(230, 230, 230)"
            width = panel.locator("iframe").evaluate("e => e.getBoundingClientRect().width")
            assert width == (375 if "375" in name else 640)
        elif name == "RSS":
            frame = panel.frame_locator("iframe")
            assert "The era of the 'special relationship'" in frame.locator("body").inner_text()
            assert f"<title>{TITLE}" in panel.locator("pre").inner_text()
        elif name.startswith("Check"):
            assert "long-subject" in panel.inner_text()
        else:
            assert TITLE in panel.inner_text()
            if name not in ("Plain text",):
                counts = panel.locator(".count").all_inner_texts()
                assert counts and all("/" in c for c in counts)
                assert panel.locator(".post.over").count() == 0
        slug = name.lower().replace(" ", "-").split("(")[0].strip("-")
        page.screenshot(path=str(ARTIFACTS / f"preview-{slug}.png"))
    page.close()


def test_editing_the_article_updates_the_page_and_errors_show(browser, server):
    url, article, proc = server
    page = offline_page(browser, viewport={"width": 1100, "height": 900})
    page.goto(url + "#text")
    assert TITLE in page.locator("section.active pre").inner_text()
    text = article.read_text(encoding="utf-8")
    article.write_text(
        text.replace("The Great AI Divorce", "The Quiet AI Truce", 1), encoding="utf-8"
    )
    wait_until(lambda: page.title().startswith("The Quiet AI Truce"))
    assert "The Quiet AI Truce" in page.locator("section.active pre").inner_text()
    # A parse error is shown with PATH:LINE, and the server keeps running.
    broken = text.replace("By SignalWire Newsroom — — 5 min read", "By Jane — February 30, 2026")
    article.write_text(broken, encoding="utf-8")
    page.wait_for_selector("#error", timeout=10_000)
    message = page.locator("#error").inner_text()
    assert f"{article}:2:" in message and "not a real day" in message
    page.screenshot(path=str(ARTIFACTS / "preview-error.png"))
    article.write_text(text, encoding="utf-8")
    wait_until(lambda: page.title().startswith(TITLE))
    assert proc.poll() is None
    page.close()


def wait_until(condition, timeout: float = 10.0) -> None:
    """Poll `condition` (the page's CSP rightly forbids Playwright's eval-based waits)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except Exception:
            pass
        time.sleep(0.1)
    raise AssertionError("timed out waiting for the page to update")


def assert_template_edit_re_renders(url: str, templates: Path) -> None:
    """Editing the paragraph template in `templates` makes the running preview
    re-render by itself: a new version, with the edit in its email."""
    before = http_get(url + "version")
    assert "data-edited" not in http_get(url + "email.html")
    template = templates / "email" / "blocks" / "paragraph.html.j2"
    text = template.read_text(encoding="utf-8")
    assert "<p style=" in text
    template.write_text(text.replace("<p style=", "<p data-edited style="), encoding="utf-8")
    wait_until(lambda: http_get(url + "version") != before)
    assert "data-edited" in http_get(url + "email.html")


def test_built_in_template_change_re_renders(tmp_path):
    """Run from a copy of the package, so the test edits the copy's built-in
    templates, never the checkout's."""
    package = tmp_path / "pkg"
    shutil.copytree(ROOT / "generator", package / "generator")
    shutil.copytree(ROOT / "templates", package / "templates")
    site = tmp_path / "site"
    site.mkdir()
    with preview_server(site, package=package) as (url, _, _):
        assert_template_edit_re_renders(url, package / "templates")


def test_override_template_change_re_renders(tmp_path):
    """A templates folder named in the config (a copy of the built-in one):
    editing it re-renders the preview."""
    shutil.copytree(ROOT / "templates", tmp_path / "mine")
    with preview_server(tmp_path, config='templates = "mine"\n') as (url, _, _):
        assert_template_edit_re_renders(url, tmp_path / "mine")


def http_get(url: str) -> str:
    from urllib.request import urlopen

    with urlopen(url, timeout=5) as response:
        return response.read().decode()


def test_only_its_own_routes(server):
    url, _, _ = server
    for path in (
        "/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/nope",
        "/templates/",
        "/email.html/../../masthead.toml",
        "//etc/passwd",
    ):
        assert status(url, path) == 404, path
    assert status(url, "/") == 200
    assert status(url, "/email.html") == 200


def test_ctrl_c_stops_cleanly(server):
    _, _, proc = server
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=10) == 0
    assert "Stopped." in proc.stdout.read()
    assert "Traceback" not in proc.stderr.read()


def test_theme_option(tmp_path):
    from generator.preview import Preview

    article = tmp_path / "story.txt"
    shutil.copy(SEED, article)
    digest = Preview(article, None, None, "digest").snapshot.frames["/email.html"]
    assert b"#0f766e" in digest
    classic = Preview(article, None, None).snapshot.frames["/email.html"]
    assert b"#0f766e" not in classic


def test_missing_article_is_an_error(cli, tmp_path):
    run = cli("preview", tmp_path / "nope.txt", "--port", "0")
    assert run.exit_code == 1
    assert "no such file" in run.stderr
