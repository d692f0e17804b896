"""Holes an attack pass found in the feeds and the publish log, each closed.

- The publish log (and its lock) is never read or written through a symbolic
  link, and never read from a pipe or a device: its default place is the
  article's folder, which may come from a cloned repository.
- Items already in an RSS feed carry no `javascript:` (or other non-web)
  link into the Atom and JSON copies.
- An encoding declaration far into a feed's first line is still seen.
- A brand name's bidi controls never reach a feed's channel.

The CLI runs as a subprocess with a timeout, as a user runs it: a hang is one
of the bugs guarded against.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from generator.errors import MastheadError
from generator.publish.log import Entry, PublishLog
from generator.writers import write_atomic

ATOM_NS = "http://www.w3.org/2005/Atom"
ARTICLE = """\
---
title: "Hello there"
url: https://example.com/posts/hello/
date: 2026-03-03
---

Some body text here about things.
"""


def masthead(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`masthead ARGS...` as a subprocess, with a timeout: a hang fails the test."""
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def post(tmp_path: Path) -> Path:
    folder = tmp_path / "site" / "post"
    folder.mkdir(parents=True)
    (folder / "index.md").write_text(ARTICLE, encoding="utf-8")
    return folder


# --- 1. the publish log -------------------------------------------------------


def test_a_publish_log_that_links_to_a_device_is_refused_not_read_forever(post):
    (post / ".masthead-published.json").symlink_to("/dev/zero")
    run = masthead("publish", "bluesky", "post/index.md", "--dry-run", cwd=post.parent)
    assert run.returncode == 1
    assert "post/.masthead-published.json: is a symbolic link" in run.stderr
    assert "Traceback" not in run.stderr


def test_a_publish_log_that_is_a_named_pipe_is_refused_not_waited_on(post):
    os.mkfifo(post / "log.fifo")
    run = masthead(
        "publish", "bluesky", "post/index.md", "--dry-run", "--log", "post/log.fifo",
        cwd=post.parent,
    )
    assert run.returncode == 1
    assert "post/log.fifo: is not a regular file" in run.stderr


def test_a_dangling_publish_log_link_is_refused(post, tmp_path):
    # A cloned repository's link to a file outside it, not there yet: the old
    # code read "no log" and would have created the file with the post text.
    victim = tmp_path / "home" / ".bash_login"
    victim.parent.mkdir()
    (post / ".masthead-published.json").symlink_to(os.path.relpath(victim, post))
    run = masthead("publish", "bluesky", "post/index.md", "--dry-run", cwd=post.parent)
    assert run.returncode == 1
    assert "is a symbolic link" in run.stderr
    assert not victim.exists()


def test_a_log_that_became_a_link_after_reading_is_never_written_through(tmp_path):
    path = tmp_path / "post" / ".masthead-published.json"
    path.parent.mkdir()
    log = PublishLog.read(path)
    victim = tmp_path / "victim.sh"
    path.symlink_to(victim)
    with pytest.raises(MastheadError, match="symbolic link"):
        log.put("guid", "bluesky", Entry("https://pds.example", "did:plc:x", "ann.test"))
    assert not victim.exists()
    assert path.is_symlink()


def test_write_atomic_without_links_refuses_a_link_and_a_pipe(tmp_path):
    victim = tmp_path / "victim"
    link = tmp_path / "link"
    link.symlink_to(victim)
    with pytest.raises(MastheadError, match="symbolic link"):
        write_atomic(link, "x", through_links=False)
    assert not victim.exists()
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(MastheadError, match="not a regular file"):
        write_atomic(tmp_path / "fifo", "x", through_links=False)
    write_atomic(tmp_path / "plain", "x", through_links=False)
    assert (tmp_path / "plain").read_text() == "x"


def test_a_lock_file_that_is_a_named_pipe_is_refused_before_any_server_is_asked(post):
    os.mkfifo(post / ".masthead-published.json.lock")
    run = masthead(
        "publish", "bluesky", "post/index.md", "--handle", "ann.test",
        "--service", "http://127.0.0.1:9",
        cwd=post.parent,
        env={"MASTHEAD_BLUESKY_PASSWORD": "aaaa-bbbb-cccc-dddd"},
    )
    assert run.returncode == 1
    assert ".masthead-published.json.lock: is not a regular file" in run.stderr


def test_a_lock_file_that_is_a_link_is_refused_by_name(post, tmp_path):
    (post / ".masthead-published.json.lock").symlink_to(tmp_path / "elsewhere")
    run = masthead(
        "publish", "bluesky", "post/index.md", "--handle", "ann.test",
        "--service", "http://127.0.0.1:9",
        cwd=post.parent,
        env={"MASTHEAD_BLUESKY_PASSWORD": "aaaa-bbbb-cccc-dddd"},
    )
    assert run.returncode == 1
    assert ".masthead-published.json.lock: is a symbolic link" in run.stderr
    assert not (tmp_path / "elsewhere").exists()


# --- 2. links of items already in the feed ------------------------------------

HOSTILE_FEED = """\
<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE rss [<!ENTITY j "javascript:alert(document.domain)">]>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"
     xmlns:atom="http://www.w3.org/2005/Atom">
<channel><title>T</title><link>javascript:alert(1)</link><description>D</description>
<atom:link rel="self" href="javascript:alert(3)" type="application/rss+xml"/>
<item><title>Old</title><link>&j;</link><guid isPermaLink="true">javascript:alert(2)</guid>
<media:content url="javascript:alert(4)" medium="image"/></item>
<item><title>Kept</title><link>https://example.org/kept/</link>
<guid isPermaLink="false">tag:example.org,2026:kept</guid></item>
</channel></rss>
"""


def _feed_add_copies(tmp_path: Path) -> tuple[ET.Element, dict[str, Any]]:
    (tmp_path / "a.md").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "js.xml").write_text(HOSTILE_FEED, encoding="utf-8")
    run = masthead(
        "feed", "add", "a.md", "--feed", "js.xml", "--atom", "js.atom",
        "--json-feed", "js.json", cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    atom = ET.parse(tmp_path / "js.atom").getroot()
    return atom, json.loads((tmp_path / "js.json").read_text(encoding="utf-8"))


def test_atom_copies_of_existing_items_carry_no_javascript_link_or_id(tmp_path):
    atom, _ = _feed_add_copies(tmp_path)
    hrefs = [e.get("href") for e in atom.iter() if e.get("href") is not None]
    hrefs += [e.get("url") for e in atom.iter() if e.get("url") is not None]
    ids = [e.text for e in atom.iter(f"{{{ATOM_NS}}}id")]
    assert hrefs and ids
    assert all(h.startswith(("https://", "http://")) for h in hrefs), hrefs
    assert not any("javascript" in i for i in ids), ids
    entries = {e.findtext(f"{{{ATOM_NS}}}title"): e for e in atom.iter(f"{{{ATOM_NS}}}entry")}
    # The hostile item is kept, with an id of its own; a tag: guid stays its id.
    assert entries["Old"].findtext(f"{{{ATOM_NS}}}id").startswith("urn:uuid:")
    assert entries["Old"].find(f"{{{ATOM_NS}}}link") is None
    assert entries["Kept"].findtext(f"{{{ATOM_NS}}}id") == "tag:example.org,2026:kept"
    assert entries["Kept"].find(f"{{{ATOM_NS}}}link").get("href") == "https://example.org/kept/"


def test_json_feed_copies_of_existing_items_carry_no_javascript_link(tmp_path):
    _, feed = _feed_add_copies(tmp_path)
    links = [feed.get("home_page_url"), feed.get("feed_url")]
    for item in feed["items"]:
        links += [item.get("url"), item.get("external_url"), item.get("image")]
    links = [link for link in links if link is not None]
    assert links
    assert all(link.startswith(("https://", "http://")) for link in links), links
    items = {item["title"]: item for item in feed["items"]}
    assert "url" not in items["Old"] and "image" not in items["Old"]
    assert not items["Old"]["id"].startswith("javascript:")
    assert items["Kept"]["url"] == "https://example.org/kept/"


# --- 3. an encoding declaration far into the first line -----------------------

LATIN1_ARTICLE = ARTICLE.replace('"Hello there"', '"Café à 3 €"')


def _long_declaration_feed(spaces: int) -> bytes:
    return (
        b'<?xml version="1.0"' + b" " * spaces + b'encoding="ISO-8859-1"?>\n'
        b'<rss version="2.0"><channel><title>Cafe</title><link>https://example.com/</link>'
        b"<description>D</description></channel></rss>\n"
    )


def test_an_encoding_declared_past_the_first_4096_bytes_is_kept(tmp_path):
    (tmp_path / "a.md").write_text(LATIN1_ARTICLE, encoding="utf-8")
    (tmp_path / "f.xml").write_bytes(_long_declaration_feed(5000))
    run = masthead("feed", "add", "a.md", "--feed", "f.xml", "--atom", "f.atom", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    data = (tmp_path / "f.xml").read_bytes()
    assert "Café à 3 €".encode() not in data  # no UTF-8 in a Latin-1 file
    # ElementTree (expat) reads the declaration itself: the titles as written.
    rss = ET.fromstring(data)
    assert [t.text for t in rss.iter("title")] == ["Cafe", "Café à 3 €"]
    atom = ET.parse(tmp_path / "f.atom").getroot()
    assert [t.text for t in atom.iter(f"{{{ATOM_NS}}}title")] == ["Cafe", "Café à 3 €"]


def test_a_declaration_longer_than_64_kib_is_refused_and_the_feed_left_as_it_was(tmp_path):
    (tmp_path / "a.md").write_text(LATIN1_ARTICLE, encoding="utf-8")
    before = _long_declaration_feed(70_000)
    (tmp_path / "f.xml").write_bytes(before)
    run = masthead("feed", "add", "a.md", "--feed", "f.xml", cwd=tmp_path)
    assert run.returncode == 1
    assert "f.xml: the feed's XML declaration does not end within its first 64 KiB" in run.stderr
    assert (tmp_path / "f.xml").read_bytes() == before


# --- 4. bidi controls in the brand's name -------------------------------------

# Embeddings, overrides and isolates (Unicode's bidi algorithm, UAX #9).
BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@pytest.mark.parametrize(
    ("config", "title", "description"),
    [
        ('[brand]\nname = "Br\\u202Eand"\n', "Brand", "Articles from Brand"),
        (
            '[feed]\ntitle = "\\u2067Feed"\ndescription = "News \\u202Dof\\u202C the day"\n',
            "Feed",
            "News of the day",
        ),
    ],
)
def test_no_bidi_control_from_the_config_reaches_a_feed_channel(tmp_path, config, title, description):
    (tmp_path / "masthead.toml").write_text(
        'site_url = "https://example.com/"\n' + config, encoding="utf-8"
    )
    (tmp_path / "a.md").write_text(ARTICLE, encoding="utf-8")
    run = masthead(
        "feed", "add", "a.md", "--feed", "f.xml", "--atom", "f.atom", "--json-feed", "f.json",
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    for name in ("f.xml", "f.atom", "f.json"):
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert not BIDI_CONTROLS & set(text), name
    channel = ET.parse(tmp_path / "f.xml").getroot().find("channel")
    assert (channel.findtext("title"), channel.findtext("description")) == (title, description)
    atom = ET.parse(tmp_path / "f.atom").getroot()
    assert atom.findtext(f"{{{ATOM_NS}}}title") == title
    assert atom.findtext(f"{{{ATOM_NS}}}author/{{{ATOM_NS}}}name") == title
    feed = json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))
    assert (feed["title"], feed["description"]) == (title, description)
