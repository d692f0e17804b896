"""The preview's Copy buttons and .eml download, in headless Chromium.

What a button puts on the clipboard must be, byte for byte, what
`masthead render` writes for the same article and config: the email's HTML
and text, each post of each thread (the posts of a thread file, numbering
included), the whole thread file, the LinkedIn post and the RSS item; and
the download is render's .eml. Both runs share SOURCE_DATE_EPOCH, so the
.eml's Date is the same. Where the browser refuses the clipboard the text
is selected in a box instead. The buttons are real buttons, reached with
Tab and named for screen readers, and no article text can reach the page
as markup.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import html5lib
import pytest
from browser import chromium_browser, offline_page
from conftest import ARTICLES, MASTHEAD, subprocess_env
from test_preview import preview_server, wait_until

EPOCH = "1767225600"  # SOURCE_DATE_EPOCH for the preview and render alike
ARTICLE = ARTICLES / "newsletter-stack-2026.md"
SLUG = "newsletter-stack-2026"
IMAGE = "https://blog.example.com/images/newsletter-stack.png"
ALT = "A laptop showing a newsletter draft next to a cup of coffee"
THREADS = {"x": "X", "bluesky": "Bluesky", "mastodon": "Mastodon", "threads": "Threads"}
CLIPBOARD = ["clipboard-read", "clipboard-write"]
TIMEOUT = 120  # a guard against hangs only


@dataclass
class Site:
    url: str
    files: dict[str, bytes]  # what `masthead render` wrote, by file name


@pytest.fixture(scope="module")
def browser():
    yield from chromium_browser()


def render(article: Path, folder: Path) -> dict[str, bytes]:
    """`masthead render` of `article` in `folder` (with its masthead.toml)."""
    out = folder / "out"
    env = subprocess_env(SOURCE_DATE_EPOCH=EPOCH)
    done = subprocess.run(
        [*MASTHEAD, "render", str(article), "-o", str(out), "-q"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert done.returncode == 0, done.stderr
    (written,) = [p for p in out.iterdir() if p.is_dir()]
    return {p.name: p.read_bytes() for p in written.iterdir()}


@contextlib.contextmanager
def pinned_preview(folder: Path, source: Path):
    """A running preview of `source`, its clock pinned like render's."""
    with contextlib.ExitStack() as stack:
        with pytest.MonkeyPatch.context() as env:
            env.setenv("SOURCE_DATE_EPOCH", EPOCH)  # read when the process starts
            url, article, _ = stack.enter_context(preview_server(folder, source=source))
        yield url, article


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("site")
    with pinned_preview(folder, ARTICLE) as (url, article):
        files = render(article, folder)
        yield Site(url, files)


def posts_of(thread_file: bytes) -> list[bytes]:
    """The posts of a thread file as render writes it: separated by lines
    holding only '---', the file ending with a newline."""
    assert thread_file.endswith(b"\n")
    return thread_file[:-1].split(b"\n---\n")


def expected(files: dict[str, bytes]) -> dict[str, bytes]:
    """Every Copy button's accessible name, and the bytes it must copy."""
    alt = ALT.encode()
    want = {
        "Copy the email's HTML": files["email.html"],
        "Copy the plain-text email": files["email.txt"],
        "Copy the RSS item": files["item.xml"],
        "Copy the image's alt text (LinkedIn)": alt,
    }
    for key, name in THREADS.items():
        whole = files[f"thread-{key}.txt"]
        want[f"Copy the whole {name} thread"] = whole
        posts = posts_of(whole)
        for index, post in enumerate(posts, start=1):
            want[f"Copy post {index} of {len(posts)} ({name})"] = post
        want[f"Copy the image's alt text ({name})"] = alt
    (linkedin,) = posts_of(files["linkedin.txt"])
    want["Copy the LinkedIn post"] = linkedin
    return want


def clipboard_page(browser, url: str, fragment: str = "", **options):  # type: ignore[no-untyped-def]
    page = offline_page(browser, viewport={"width": 1100, "height": 900}, **options)
    page.goto(url + fragment)
    return page


def copy(page, button) -> str:  # type: ignore[no-untyped-def]
    """Click `button`; what it put on the clipboard."""
    page.evaluate("navigator.clipboard.writeText('(nothing copied)')")
    button.click()
    wait_until(lambda: button.inner_text() == "Copied")
    return page.evaluate("navigator.clipboard.readText()")


def test_render_files_agree_with_each_other(site):
    """The oracle's own footing: the posts read from a thread file are the
    posts of thread.json (numbering included); Bluesky's JSON holds its
    shortened links, the file the links as written, which the app shortens."""
    threads = json.loads(site.files["thread.json"])
    for key in ("x", "mastodon", "threads"):
        posts = [p["text"].encode() for p in threads[key]["posts"]]
        assert posts == posts_of(site.files[f"thread-{key}.txt"])
        assert posts[0].endswith(f" 1/{len(posts)}".encode())
    assert len(threads["bluesky"]["posts"]) == len(posts_of(site.files["thread-bluesky.txt"]))


def test_every_copy_button_copies_what_render_writes(browser, site):
    want = expected(site.files)
    page = clipboard_page(browser, site.url, permissions=CLIPBOARD)
    tabs = page.locator("nav button")
    clicked: set[str] = set()
    for i in range(tabs.count()):
        tabs.nth(i).click()
        buttons = page.locator("section[role=tabpanel].active button[data-copy]")
        for n in range(buttons.count()):
            button = buttons.nth(n)
            name = button.get_attribute("aria-label")
            assert name in want, name
            got = copy(page, button)
            assert got.encode("utf-8") == want[name], name
            clicked.add(name)
            said = f"Copied {name.removeprefix('Copy ')}."  # to a screen reader
            wait_until(lambda said=said: page.locator("#copy-status").inner_text() == said)
    assert clicked == set(want)  # a button for everything there is to paste
    assert page.locator("#copy-status").get_attribute("aria-live") == "polite"
    page.close()


def test_download_eml_is_renders_eml(browser, site):
    page = clipboard_page(browser, site.url)
    link = page.get_by_role("link", name="Download .eml")
    assert link.count() == 1  # on the visible email tab
    with page.expect_download() as started:
        link.click()
    download = started.value
    assert download.suggested_filename == f"{SLUG}.eml"
    assert Path(download.path()).read_bytes() == site.files["email.eml"]
    page.close()

    host, port = site.url.removeprefix("http://").rstrip("/").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", "/email.eml")
    response = connection.getresponse()
    assert response.status == 200
    assert response.getheader("Content-Type") == "message/rfc822"
    assert response.getheader("Content-Disposition") == f'attachment; filename="{SLUG}.eml"'
    assert response.read() == site.files["email.eml"]


REFUSALS = {
    # The permission denied, as a browser says it.
    "refused": "Object.defineProperty(Clipboard.prototype, 'writeText', {value: () =>"
    " Promise.reject(new DOMException('Write permission denied.', 'NotAllowedError'))});",
    # No clipboard API at all (an old browser, a page that is not a secure context).
    "missing": "Object.defineProperty(Navigator.prototype, 'clipboard', {get: () => undefined});",
}


@pytest.mark.parametrize("refusal", sorted(REFUSALS))
def test_refused_clipboard_selects_the_text(browser, site, refusal):
    page = offline_page(browser, viewport={"width": 1100, "height": 900})
    page.add_init_script(REFUSALS[refusal])
    page.goto(site.url + "#thread-x")
    posts = posts_of(site.files["thread-x.txt"])
    button = page.get_by_role("button", name=f"Copy post 2 of {len(posts)} (X)", exact=True)
    button.click()
    box = page.locator("section.active .fallback")
    wait_until(lambda: box.is_visible())
    state = page.evaluate(
        """() => {
            const area = document.activeElement;
            return {tag: area.tagName, readOnly: area.readOnly, value: area.value,
                    start: area.selectionStart, end: area.selectionEnd, length: area.value.length,
                    selected: String(window.getSelection()) || area.value.slice(area.selectionStart, area.selectionEnd)};
        }"""
    )
    assert state["tag"] == "TEXTAREA" and state["readOnly"]
    assert state["value"].encode() == posts[1]
    assert (state["start"], state["end"]) == (0, state["length"])  # in UTF-16 units
    assert state["selected"] == state["value"]
    note = box.locator("p").inner_text()
    assert "press Ctrl+C" in note and "post 2 of" in note
    wait_until(lambda: page.locator("#copy-status").inner_text() == note)
    assert button.inner_text() == "Copy"  # it did not claim to have copied
    # A second refusal reuses the box, now with the whole thread.
    page.get_by_role("button", name="Copy the whole X thread", exact=True).click()
    wait_until(lambda: page.locator("section.active .fallback textarea").count() == 2)
    page.close()


def test_buttons_are_reached_with_tab_and_named(browser, site):
    page = clipboard_page(browser, site.url, "#thread-x", permissions=CLIPBOARD)
    posts = posts_of(site.files["thread-x.txt"])
    names = [
        "Copy the whole X thread",
        "Copy the image's alt text (X)",
        *(f"Copy post {i} of {len(posts)} (X)" for i in range(1, len(posts) + 1)),
    ]
    page.get_by_role("tab", name="X", exact=True).focus()
    reached = []
    for _ in range(len(names) + 12):  # past the tabs after X, then the panel
        page.keyboard.press("Tab")
        reached.append(
            page.evaluate(
                "() => [document.activeElement.tagName, document.activeElement.type,"
                " document.activeElement.getAttribute('aria-label')]"
            )
        )
    copies = [name for tag, kind, name in reached if name and name.startswith("Copy")]
    assert copies == names
    assert all(tag == "BUTTON" and kind == "button" for tag, kind, name in reached if name in names)
    for name in names:  # the name a screen reader hears, as the browser computes it
        assert page.get_by_role("button", name=name, exact=True).count() == 1
    # Enter on a focused button copies, as a click does.
    page.get_by_role("button", name=names[3], exact=True).focus()
    page.evaluate("navigator.clipboard.writeText('')")
    page.keyboard.press("Enter")
    wait_until(lambda: page.evaluate("navigator.clipboard.readText()") != "")
    assert page.evaluate("navigator.clipboard.readText()").encode() == posts[1]
    page.close()


def test_each_hook_post_shows_the_image_and_its_alt(browser, site):
    page = clipboard_page(browser, site.url)
    for key in (*THREADS, "linkedin"):
        page.locator(f"nav button[data-tab='thread-{key}']").click()
        panel = page.locator("section[role=tabpanel].active")
        images = panel.locator("img")
        assert images.count() == 1, key
        first = panel.locator("article.post").first
        assert first.locator("img").get_attribute("src") == IMAGE
        assert first.locator("img").get_attribute("alt") == ALT
        assert f"Alt text: {ALT}" in first.inner_text()
        counts = panel.locator(".count").all_inner_texts()
        limit = json.loads(site.files["thread.json"])[key]["limit"]
        assert counts and all(re.fullmatch(rf"\d+ / {limit}", c) for c in counts), counts
    page.close()


HOSTILE = """\
---
title: "Breaking </script><script>window.pwned = 1</script> news"
image: "https://example.com/a.png"
image_alt: "</script><!--<script>window.pwned = 2</script> & <b>bold</b>"
tags: [safety]
---

# Breaking </script><script>window.pwned = 1</script> news

A lead with <!--<script> and </SCRIPT > and &amp; &lt;b&gt; in it.

## Facts

- An item that says </script><img src=x onerror="window.pwned = 3">.
- Another item with a \\u2028 written out.
"""


def test_article_text_never_becomes_markup(browser, tmp_path):
    source = tmp_path / "hostile.md"
    source.write_text(HOSTILE, encoding="utf-8")
    folder = tmp_path / "site"
    folder.mkdir()
    with pinned_preview(folder, source) as (url, article):
        files = render(article, folder)
        page = clipboard_page(browser, url, "#thread-x", permissions=CLIPBOARD)
        assert page.evaluate("() => window.pwned") is None
        assert page.locator("script").count() == 2  # the copy data and the page's own
        assert page.locator("section img").count() == 5  # the hook images, nothing else
        posts = posts_of(files["thread-x.txt"])
        assert b"</script>" in posts[0]
        for index, post in enumerate(posts, start=1):
            button = page.get_by_role("button", name=f"Copy post {index} of {len(posts)} (X)", exact=True)
            assert copy(page, button).encode() == post
        page.locator("nav button[data-tab='email-desktop']").click()
        assert copy(page, page.locator("section.active button[data-copy]")).encode() == files[
            "email.html"
        ]
        assert page.evaluate("() => window.pwned") is None
        page.close()


def test_script_json_cannot_end_its_element():
    from generator.preview import script_json

    value = {
        "a": "</script><script>alert(1)</script>",
        "b": "<!--<script>",
        "c": "\u2028\u2029 & > <",
        "</script>": "key",
    }
    data = str(script_json(value))
    assert not set(data) & {"<", ">", "&", "\u2028", "\u2029"}
    assert json.loads(data) == value
    page = f'<script type="application/json" id="d">{data}</script><p id="after">after</p>'
    tree = html5lib.parse(page, namespaceHTMLElements=False)
    (script,) = tree.iter("script")
    assert script.text == data
    assert [p.get("id") for p in tree.iter("p")] == ["after"]
