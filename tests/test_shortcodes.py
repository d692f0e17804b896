"""Emoji shortcodes in Markdown articles: `:tada:` is 🎉 in every channel,
as on GitHub, but never in code, URLs or link targets; unknown names stay;
`[markdown] shortcodes = false` turns it off."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest
from uniseg.graphemecluster import grapheme_clusters

SITE = 'site_url = "https://news.example.com"\n'
ARTICLE = """\
---
title: "We shipped :tada:"
dek: "A big day :rocket: for :not_an_emoji: us"
---

We shipped :tada: today :+1: at 10:30:00. The code `:tada:` stays, as does
https://x.example.org:8080/:tada:/notes and <https://y.example.org/a:b/:tada:>
and <ftp://files.example.org:21/:tada:>.

[A party :tada:](https://z.example.org/:tada:) for everyone :heart:, notes at
[https://w.example.org:8443/:tada:](https://w.example.org:8443/:tada:).

```python
print(":tada:")
```

## Done :white_check_mark:

- Released :smile:
"""


class _Links(HTMLParser):
    """Every <a href> and <code> text of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.code: list[str] = []
        self._in_code = 0

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href") or "")
        if tag == "code":
            self._in_code += 1
            self.code.append("")

    def handle_endtag(self, tag):
        if tag == "code":
            self._in_code -= 1

    def handle_data(self, data):
        if self._in_code:
            self.code[-1] += data


def _render(cli, tmp_path: Path, config: str = SITE) -> Path:
    (tmp_path / "masthead.toml").write_text(config, encoding="utf-8")
    article = tmp_path / "launch.md"
    article.write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "out"
    run = cli("render", article, "-o", out, "-q")
    assert run.exit_code == 0, run.stderr
    return out


def _check_html(html: str) -> None:
    """Emoji in the text; code, URLs and link targets as written. (The URLs
    have another colon before the shortcode, as a port or in the path: the
    emoji package alone would turn theirs into 🎉.)"""
    for shown in ("We shipped 🎉", "today 👍 at 10:30:00", "A party 🎉", "everyone ❤", "Done ✅",
                  "Released 😄"):
        assert shown in html, shown
    page = _Links()
    page.feed(html)
    assert ":tada:" in page.code  # the code span
    assert 'print(":tada:")' in page.code  # the code block
    for href in ("https://x.example.org:8080/:tada:/notes", "https://y.example.org/a:b/:tada:",
                 "https://z.example.org/:tada:"):
        assert href in page.hrefs, href
    # The two URLs shown as text are shown as written too.
    assert ">https://x.example.org:8080/:tada:/notes<" in html
    assert ">https://y.example.org/a:b/:tada:<" in html
    assert ">https://w.example.org:8443/:tada:<" in html  # a link whose text is its URL
    assert "ftp://files.example.org:21/:tada:" in html  # an autolink to no web page


def test_shortcodes_become_emoji_in_every_channel(cli, tmp_path):
    out = _render(cli, tmp_path)
    folder = out / "launch"

    html = (folder / "email.html").read_text(encoding="utf-8")
    _check_html(html)
    assert "A big day 🚀 for :not_an_emoji: us" in html  # the dek; an unknown name stays

    text = (folder / "email.txt").read_text(encoding="utf-8")
    assert text.startswith("We shipped 🎉\n")
    for shown in ("today 👍 at 10:30:00", "A party 🎉", "Done ✅", "Released 😄", ":not_an_emoji:",
                  "https://x.example.org:8080/:tada:/notes", "https://z.example.org/:tada:",
                  'print(":tada:")'):
        assert shown in text, shown

    for name in ("feed.xml", "atom.xml"):
        entry = feedparser.parse((out / name).read_bytes()).entries[0]
        assert entry.title == "We shipped 🎉", name
        assert entry.summary == "A big day 🚀 for :not_an_emoji: us", name
        _check_html(entry.content[0].value)
    item = json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"][0]
    assert item["title"] == "We shipped 🎉"

    threads = json.loads((folder / "thread.json").read_text(encoding="utf-8"))
    for platform, thread in threads.items():
        posts = "\n".join(p["text"] for p in thread["posts"])
        assert "🎉" in posts, platform
        # Only the code span and the URLs keep the shortcode.
        # (Bluesky shows a link's host and path without the scheme.)
        outside = re.sub(r"(https://)?\w\.example\.org[:/]\S*", "", posts)
        assert ":tada:" not in outside.replace("code :tada:", ""), (platform, posts)


def test_counting_sees_the_emoji_not_the_shortcode(cli, tmp_path):
    """Bluesky counts grapheme clusters: one for 🎉, six for ':tada:'
    (counted here with uniseg, which Masthead does not use)."""
    lengths = {}
    for on in (True, False):
        folder = tmp_path / str(on)
        folder.mkdir()
        (folder / "masthead.toml").write_text(
            SITE + f"[markdown]\nshortcodes = {str(on).lower()}\n", encoding="utf-8"
        )
        article = folder / "short.md"
        article.write_text("---\ntitle: 'Shipped :tada:'\n---\n\nWe shipped it :tada: today.\n")
        run = cli("thread", article, "-p", "bluesky", "-f", "json", "-c", folder / "masthead.toml")
        assert run.exit_code == 0, run.stderr
        posts = json.loads(run.stdout)["posts"]
        for post in posts:
            assert post["length"] == len(list(grapheme_clusters(post["text"]))), post
        lengths[on] = sum(p["length"] for p in posts)
        joined = "".join(p["text"] for p in posts)
        assert ("🎉" in joined) == on and (":tada:" in joined) == (not on)
    # Two shortcodes of six graphemes each became one grapheme each.
    assert lengths[False] - lengths[True] == 2 * 5


def test_shortcodes_false_keeps_them_as_written(cli, tmp_path):
    out = _render(cli, tmp_path, SITE + "[markdown]\nshortcodes = false\n")
    html = (out / "launch" / "email.html").read_text(encoding="utf-8")
    assert "We shipped :tada:" in html and "🎉" not in html and "👍" not in html
    text = (out / "launch" / "email.txt").read_text(encoding="utf-8")
    assert text.startswith("We shipped :tada:\n")
    entry = feedparser.parse((out / "feed.xml").read_bytes()).entries[0]
    assert entry.title == "We shipped :tada:"


def test_plain_text_articles_keep_colons_as_written(cli, tmp_path):
    """The seed layout is not Markdown: `:tada:` there is what the author typed."""
    (tmp_path / "masthead.toml").write_text(SITE, encoding="utf-8")
    article = tmp_path / "note.txt"
    article.write_text("A note :tada:\nBy Ann\nThe dek.\nBody :tada: text.\n", encoding="utf-8")
    run = cli("email", article, "--text")
    assert run.exit_code == 0, run.stderr
    assert "A note :tada:" in run.stdout and "Body :tada: text." in run.stdout


@pytest.mark.parametrize("value", ['"no"', "1"])
def test_the_setting_must_be_true_or_false(cli, tmp_path, value):
    (tmp_path / "masthead.toml").write_text(f"[markdown]\nshortcodes = {value}\n")
    run = cli("email", tmp_path / "x.md")
    assert run.exit_code == 1
    assert "masthead.toml:2:" in run.stderr and "'markdown.shortcodes' must be true or false" in run.stderr
