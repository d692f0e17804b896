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

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.errors import MastheadError
from generator.publish.log import Entry, PublishLog
from generator.writers import write_atomic

ARTICLE = """\
---
title: "Hello there"
url: https://example.com/posts/hello/
date: 2026-03-03
---

Some body text here about things.
"""


def masthead(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
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
