"""Hostile input and faults: nothing breaks, nothing leaks, nothing is lost.

Every sample in tests/hostile/ goes through every channel through the CLI:
a valid article gives inert output (exit 0), an invalid one one clear error
line (exit 1) — never a traceback.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import feedparser
import pytest
import regex
from conftest import ARTICLES, ROOT, SEED
from htmlcheck import ALLOWED_ATTRS, ALLOWED_TAGS, FEED_TAGS, INVALID_HOSTILE, VALID_HOSTILE, Page
from twitter_text import parse_tweet

from generator.esp import all_patterns, esps
from generator.platforms import get_platform, platforms

HOSTILE = ROOT / "tests" / "hostile"
SITE = 'site_url = "https://news.example.com"\npostal_address = "1 Harbour St"\n'

CHANNELS = {
    "email": ["email"],
    "email-text": ["email", "--text"],
    "email-eml": ["email", "--eml"],
    "rss": ["rss"],
    "inspect": ["inspect", "-f", "json"],
    **{f"thread-{p}": ["thread", "-p", p, "-f", "json"] for p in platforms()},
}


def one_error_line(run) -> str:
    assert run.exit_code == 1, run.stdout[:300]
    assert run.stdout == ""
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), run.stderr
    assert "Traceback" not in run.stderr
    return lines[0]


def no_live_merge_tags(text: str, footer_tags: list[str]) -> None:
    for tag in footer_tags:
        text = text.replace(tag, "")
    for pattern in all_patterns():
        assert not pattern.search(text), f"live merge tag: {pattern.search(text).group()!r}"


def assert_inert_html(html: str, allowed: set[str] = ALLOWED_TAGS) -> None:
    page = Page(html)
    for tag, attrs in page.tags:
        assert tag in allowed, f"<{tag}> came from the article"
        assert set(attrs) <= ALLOWED_ATTRS, f"<{tag} {attrs}>"
        for name, value in attrs.items():
            if name in ("href", "src"):
                assert value.startswith(("https://", "http://", "mailto:")), value


def assert_posts_fit(platform: str, data: dict) -> None:
    rules = get_platform(platform)
    for post in data["posts"]:
        text = post["text"]
        length = parse_tweet(text).weightedLength if platform == "x" else rules.count(text)
        assert length <= rules.limit
        assert post["length"] == length
        # No grapheme cut in half: ZWJ sequences, flags and modifiers stay whole.
        clusters = regex.findall(r"\X", text)
        assert not text.startswith(("\u200d", "\ufe0f")) and not text.endswith("\u200d")
        flags = regex.findall(r"\p{Regional_Indicator}", text)
        assert len(flags) % 2 == 0
        for cluster in clusters:
            assert not regex.match(r"^\p{Emoji_Modifier}$", cluster)


@pytest.mark.parametrize("name", VALID_HOSTILE)
@pytest.mark.parametrize("channel", list(CHANNELS))
def test_valid_hostile_sample_is_inert_in_every_channel(cli, tmp_path, name, channel):
    (tmp_path / "masthead.toml").write_text(SITE, encoding="utf-8")
    run = cli(*CHANNELS[channel][:1], HOSTILE / name, *CHANNELS[channel][1:])
    assert run.exit_code == 0, run.stderr
    assert "Traceback" not in run.stderr
    out = run.stdout
    generic = esps()["generic"]
    if channel == "email":
        assert_inert_html(out)
        no_live_merge_tags(out, [])
    elif channel == "email-text":
        no_live_merge_tags(out, [t for t in (generic.unsubscribe_text,) if "{" not in t])
    elif channel == "rss":
        item = ET.fromstring(out)
        assert item.tag == "item"
        content = item.findtext("{http://purl.org/rss/1.0/modules/content/}encoded") or ""
        assert_inert_html(content, FEED_TAGS)
    elif channel.startswith("thread-"):
        assert_posts_fit(channel.removeprefix("thread-"), json.loads(out))
    elif channel == "inspect":
        json.loads(out)


@pytest.mark.parametrize("name", VALID_HOSTILE)
def test_valid_hostile_sample_makes_a_valid_feed(cli, tmp_path, name):
    (tmp_path / "masthead.toml").write_text(SITE, encoding="utf-8")
    feed = tmp_path / "feed.xml"
    run = cli("feed", "add", HOSTILE / name, SEED, "--feed", feed, "--atom", tmp_path / "a.xml")
    assert run.exit_code == 0, run.stderr
    for path in (feed, tmp_path / "a.xml"):
        parsed = feedparser.parse(path.read_bytes())
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        assert len(parsed.entries) == 2
        for entry in parsed.entries:
            for content in entry.get("content", []):
                assert "<script" not in content.value.lower()


@pytest.mark.parametrize("name", INVALID_HOSTILE)
@pytest.mark.parametrize("channel", [*CHANNELS, "feed"])
def test_invalid_sample_is_one_clear_error(cli, tmp_path, name, channel):
    path = HOSTILE / name
    if channel == "feed":
        feed = tmp_path / "feed.xml"
        line = one_error_line(cli("feed", "add", path, "--feed", feed))
        assert not feed.exists()
    else:
        line = one_error_line(cli(*CHANNELS[channel][:1], path, *CHANNELS[channel][1:]))
    assert str(path) in line


@pytest.mark.parametrize("channel", list(CHANNELS))
def test_missing_file_and_directory(cli, tmp_path, channel):
    args = CHANNELS[channel]
    assert "no such file" in one_error_line(cli(args[0], tmp_path / "nope.txt", *args[1:]))
    assert "is a directory" in one_error_line(cli(args[0], tmp_path, *args[1:]))


def test_ten_megabyte_article_renders(cli, tmp_path):
    words = ("alpha beta gamma delta epsilon zeta eta theta iota kappa " * 12).strip() + "."
    lines = ["A Very Large Article", "By Writer — 2026-03-03", "The dek."]
    size = 0
    n = 0
    while size < 10_000_000:
        lines.append(f"Section Number {n}" if n % 40 == 0 else words)
        size += len(lines[-1]) + 1
        n += 1
    big = tmp_path / "big.txt"
    big.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = cli("render", big, "-o", tmp_path / "out", "-q")
    assert run.exit_code == 0, run.stderr
    html = (tmp_path / "out" / "big" / "email.html").read_text(encoding="utf-8")
    assert html.count("<h2") == len([x for x in lines if x.startswith("Section Number")])


# --- faults ------------------------------------------------------------------------------


def test_unwritable_output_is_a_clear_error_and_nothing_changes(cli, tmp_path, monkeypatch):
    target = tmp_path / "email.html"
    target.write_text("precious", encoding="utf-8")

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr("generator.writers._create", refuse)
    line = one_error_line(cli("email", SEED, "-o", target))
    assert "Permission denied" in line and str(target) in line
    assert target.read_text(encoding="utf-8") == "precious"


def test_disk_full_keeps_the_old_file(cli, tmp_path, monkeypatch):
    target = tmp_path / "item.xml"
    target.write_text("<item>old</item>", encoding="utf-8")
    import generator.writers as writers

    real_write = os.write

    def full(fd, data):
        real_write(fd, bytes(data)[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(writers.os, "write", full)
    line = one_error_line(cli("rss", SEED, "-o", target))
    assert "No space left on device" in line
    assert target.read_text(encoding="utf-8") == "<item>old</item>"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["item.xml"]


def test_disk_full_during_feed_add_keeps_the_feed(cli, tmp_path, monkeypatch):
    (tmp_path / "masthead.toml").write_text(SITE, encoding="utf-8")
    feed = tmp_path / "feed.xml"
    cli("feed", "add", SEED, "--feed", feed)
    before = feed.read_bytes()
    import generator.writers as writers

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(writers.os, "fsync", full)
    line = one_error_line(
        cli("feed", "add", ARTICLES / "urban-beekeeping-guide.txt", "--feed", feed)
    )
    assert "No space left" in line
    assert feed.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_feed_locked_by_another_process(cli, tmp_path, monkeypatch):
    (tmp_path / "masthead.toml").write_text(SITE, encoding="utf-8")
    feed = tmp_path / "feed.xml"
    cli("feed", "add", SEED, "--feed", feed)
    before = feed.read_bytes()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDONLY);"
            "fcntl.flock(fd, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(30)",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout.readline().strip() == b"locked"
        monkeypatch.setattr("generator.feedfile.LOCK_TIMEOUT", 0.3)
        line = one_error_line(
            cli("feed", "add", ARTICLES / "urban-beekeeping-guide.txt", "--feed", feed)
        )
        assert "another process" in line and str(tmp_path) in line
        assert feed.read_bytes() == before
    finally:
        holder.kill()
        holder.wait()


def _assert_only_whole_files(out):
    for path in out.rglob("*"):
        if any(part.startswith(".") for part in path.relative_to(out).parts):
            continue  # a temporary file or folder the kill left behind, never read
        if not path.is_file():
            continue
        assert not path.name.endswith(".tmp"), path
        data = path.read_bytes()
        if path.suffix == ".json":
            json.loads(data)
        elif path.suffix == ".xml":
            ET.fromstring(data)
        elif path.suffix == ".html":
            assert data.rstrip().endswith(b"</html>")


def test_render_killed_midway_leaves_only_whole_files(tmp_path):
    (tmp_path / "masthead.toml").write_text('site_url = "https://news.example.com"\n')
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    command = [
        sys.executable,
        "-m",
        "generator",
        "render",
        str(ARTICLES),
        "-o",
        str(out),
        "-j",
        "1",
        "-q",
    ]
    assert subprocess.run(command, env=env, cwd=tmp_path).returncode == 0
    for delay in (0.05, 0.15, 0.3, 0.5):
        proc = subprocess.Popen([*command, "--force"], env=env, cwd=tmp_path)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        _assert_only_whole_files(out)
        assert feedparser.parse((out / "feed.xml").read_bytes()).bozo == 0


def test_first_render_killed_midway_leaves_only_whole_folders(tmp_path):
    """An article's folder, new in a run, appears with every file or not at all."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    names = {
        "email.html",
        "email.txt",
        "email.eml",
        "thread.json",
        "item.xml",
        "linkedin.txt",
        *(f"thread-{key}.txt" for key in ("x", "bluesky", "mastodon", "threads")),
    }
    for delay in (0.1, 0.2, 0.3, 0.45):
        out = tmp_path / f"out-{delay}"
        command = [sys.executable, "-m", "generator", "render", str(ARTICLES), "-o", str(out)]
        proc = subprocess.Popen([*command, "-j", "1", "-q"], env=env, cwd=tmp_path)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if not out.exists():
            continue
        for folder in out.iterdir():
            if folder.is_dir() and not folder.name.startswith("."):
                assert {p.name for p in folder.iterdir()} == names, folder
        _assert_only_whole_files(out)
