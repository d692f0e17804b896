"""Hostile input and faults: nothing breaks, nothing leaks, nothing is lost.

Every sample in tests/hostile/ goes through every channel through the CLI:
a valid article gives inert output (exit 0), an invalid one one clear error
line (exit 1) — never a traceback.
"""

from __future__ import annotations

import errno
import functools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable

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


# --- killed runs -------------------------------------------------------------------
#
# Each kill lands at a moment the test sees (a progress line, a temporary file
# or staging folder appearing), the test checks that the run was really
# caught halfway, and only then checks what is left. Output is reproducible
# (SOURCE_DATE_EPOCH), so every file left must be byte for byte the old one or
# the one a complete run writes. With one process, articles are rendered in
# the order of their names: a01, a02, a03…

KILL_ARTICLES = 40
ARTICLE_FILES = {
    "email.html",
    "email.txt",
    "email.eml",
    "thread.json",
    "item.xml",
    "linkedin.txt",
    *(f"thread-{key}.txt" for key in ("x", "bluesky", "mastodon", "threads")),
}
FEEDS = ("feed.xml", "atom.xml", "feed.json")


def _write_articles(folder, version: str, count: int = KILL_ARTICLES) -> None:
    """`count` seed articles (slugs a01…), each saying which version it is.
    The third is long (its files about 2 MB), so that writing them takes a
    moment a watcher can see."""
    folder.mkdir(exist_ok=True)
    title, byline, dek, *body = SEED.read_text(encoding="utf-8").splitlines()
    for number in range(1, count + 1):
        lines = [
            f"{title} ({number})",
            byline,
            f"{dek} ({version})",
            *body * (50 if number == 3 else 1),
        ]
        (folder / f"a{number:02}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _render_command(articles, out, *options: str) -> list[str]:
    # The `generator` the interpreter has installed (no PYTHONPATH): under CI the wheel.
    return [
        sys.executable,
        "-m",
        "generator",
        "render",
        str(articles),
        "-o",
        str(out),
        "-j",
        "1",
        *options,
    ]


def _render_env() -> dict[str, str]:
    return dict(os.environ, SOURCE_DATE_EPOCH="1772524800")  # 2026-03-03: the same bytes every run


def _render(cwd, *command: str) -> None:
    done = subprocess.run(command, cwd=cwd, env=_render_env(), capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode()


def _kill_after_progress(cwd, command: list[str], done: int) -> None:
    """Run `command` (a render without -q, stdout a pipe: one progress line
    per article, printed once its folder is written) and SIGKILL it as soon
    as `done` articles are reported."""
    proc = subprocess.Popen(
        command, cwd=cwd, env=_render_env(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    try:
        for _ in range(done):
            line = proc.stdout.readline()
            assert line.startswith(b"["), line  # "[3/40] rendered: …"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=60)
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL


def _kill_when(
    cwd, command: list[str], seen: Callable[[], object], passed: Callable[[], object]
) -> bool:
    """Run `command` and SIGKILL it the moment `seen()` is true (polled as
    fast as it goes). False if the moment was missed: `passed()` came true
    first (the run is killed then too) or the run ended."""
    proc = subprocess.Popen(
        command,
        cwd=cwd,
        env=_render_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # At the lowest priority, so that on a busy machine the watcher runs
        # first and the moment lasts long enough to be seen.
        preexec_fn=lambda: os.nice(19),
    )
    try:
        deadline = time.monotonic() + 120  # a guard against a hang, not a timing
        while not seen():
            if passed() or proc.poll() is not None:
                return False
            assert time.monotonic() < deadline
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=60)
    return proc.returncode == -signal.SIGKILL


def _files(out) -> dict[str, bytes]:
    """Every file a reader would see: not the dot-named temporary files and
    staging folders a killed run leaves behind, which nothing reads."""
    found = {}
    for path in out.rglob("*"):
        relative = path.relative_to(out)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            found[str(relative)] = path.read_bytes()
    return found


def _folders(out) -> set[str]:
    return {p.name for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")}


# How Masthead names a file or folder while it is written: `.<name>.<12 hex>.tmp`.
TEMPORARY = re.compile(r"\..+\.[0-9a-f]{12}\.tmp")


def _temporaries(folder, prefix: str = ".") -> list[str]:
    """Temporary files or staging folders in `folder` whose names start with `prefix`."""
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return []
    return [n for n in names if n.startswith(prefix) and TEMPORARY.fullmatch(n)]


def test_render_killed_midway_leaves_each_file_old_or_new(tmp_path):
    """A run over an earlier one, killed while it rewrites the third
    article's files: every file is the old one or the new one, whole, none
    is missing, and the feeds are the old ones."""
    (tmp_path / "masthead.toml").write_text(SITE, encoding="utf-8")
    old_articles, new_articles = tmp_path / "old", tmp_path / "new"
    _write_articles(old_articles, "old")
    _write_articles(new_articles, "new")
    out, reference = tmp_path / "out", tmp_path / "reference"
    _render(tmp_path, *_render_command(old_articles, out, "-q"))
    _render(tmp_path, *_render_command(new_articles, reference, "-q"))
    old, new = _files(out), _files(reference)
    assert len(_folders(out)) == KILL_ARTICLES and set(FEEDS) <= old.keys()
    pristine = tmp_path / "pristine"
    shutil.copytree(out, pristine)

    # The new articles rendered into the old folder, under the old sources' paths.
    for source in new_articles.iterdir():
        (old_articles / source.name).write_bytes(source.read_bytes())

    def writing_the_third() -> bool:
        """a03's files under temporary names: in its folder, or (were it
        made anew) a staging folder."""
        return bool(_temporaries(out / "a03") or _temporaries(out, ".a03."))

    def third_written() -> bool:  # its last file replaced: the moment has passed
        try:
            return os.stat(out / "a03" / "item.xml").st_ino != last_file.st_ino
        except FileNotFoundError:
            return False

    # The moment is a few milliseconds long: on a busy machine it may pass
    # unseen, or the kill land after it, so the run is tried again.
    for _attempt in range(10):
        shutil.rmtree(out)
        shutil.copytree(pristine, out)
        last_file = os.stat(out / "a03" / "item.xml")
        command = _render_command(old_articles, out, "-q", "--force")
        if _kill_when(tmp_path, command, writing_the_third, third_written) and writing_the_third():
            break  # killed in the middle of writing a03's files
    else:
        raise AssertionError("no kill landed while the third article's files were rewritten")

    left = _files(out)
    assert left.keys() == old.keys()  # no file lost, none half-named
    for name, data in left.items():
        assert data in (old[name], new.get(name)), f"{name} is neither the old nor the new file"
    changed = {name for name in left if name not in FEEDS and old[name] != new[name]}
    for name in changed:  # a01 and a02 rewritten; a03 on its way; the rest still old
        folder = name.split("/")[0]
        if folder < "a03":
            assert left[name] == new[name], name
        elif folder > "a03":
            assert left[name] == old[name], name
    for name in FEEDS:  # written last, once every article is in
        assert left[name] == old[name], name
    parsed = feedparser.parse(left["feed.xml"])
    assert parsed.bozo == 0 and len(parsed.entries) == KILL_ARTICLES


def test_first_render_killed_midway_leaves_only_whole_folders(tmp_path):
    """An article's folder, new in a run, appears with every file or not at
    all: killed once one article is reported done, and while the third
    article's folder is being written (its staging folder seen)."""
    (tmp_path / "masthead.toml").write_text(SITE, encoding="utf-8")
    articles = tmp_path / "articles"
    _write_articles(articles, "first")
    reference = tmp_path / "reference"
    _render(tmp_path, *_render_command(articles, reference, "-q"))
    complete = _files(reference)

    out = tmp_path / "reported"
    _kill_after_progress(tmp_path, _render_command(articles, out), done=1)
    assert "a01" in _folders(out) and len(_folders(out)) < KILL_ARTICLES
    _assert_whole_folders(out, complete)

    for attempt in range(10):  # as above: a moment that can pass unseen on a busy machine
        out = tmp_path / f"staging-{attempt}"
        command = _render_command(articles, out, "-q")
        staging = functools.partial(_temporaries, out, ".a03.")
        if _kill_when(tmp_path, command, staging, (out / "a03").exists) and staging():
            break  # killed before a03's folder was renamed into place
    else:
        raise AssertionError("no kill landed while the third article's folder was written")
    assert _folders(out) == {"a01", "a02"}
    _assert_whole_folders(out, complete)


def _assert_whole_folders(out, complete: dict[str, bytes]) -> None:
    for folder in _folders(out):
        assert {p.name for p in (out / folder).iterdir()} == ARTICLE_FILES, folder
    left = _files(out)
    for name, data in left.items():
        assert data == complete[name], name
    assert not any(name in left for name in FEEDS)  # no feed before every article is in


def test_render_killed_while_writing_a_large_feed_keeps_the_old_feeds(tmp_path):
    """The feeds change together or not at all: a run killed while it writes
    a large feed (seen as its temporary file appears) leaves the old
    feed.xml, atom.xml and feed.json, byte for byte, and a later run
    completes them."""
    (tmp_path / "masthead.toml").write_text(SITE, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    description = "An older item, kept in the feed. " * 150
    items = "".join(
        f"<item><title>Older item {n}</title><link>https://news.example.com/older-{n}/</link>"
        f'<guid isPermaLink="true">https://news.example.com/older-{n}/</guid>'
        f"<pubDate>Mon, 02 Mar 2026 08:00:00 +0000</pubDate>"
        f"<description>{description}</description></item>\n"
        for n in range(1000)
    )
    (out / "feed.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        "<title>news.example.com</title><link>https://news.example.com</link>"
        f"<description>News</description>\n{items}</channel></rss>\n",
        encoding="utf-8",
    )
    article = tmp_path / "a1.txt"
    article.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    _render(tmp_path, *_render_command(article, out, "-q"))  # the old feeds, all three
    old = {name: (out / name).read_bytes() for name in FEEDS}
    assert len(old["feed.xml"]) > 5_000_000

    article.write_text(
        SEED.read_text(encoding="utf-8").replace("\n", " (new)\n", 1), encoding="utf-8"
    )
    for _attempt in range(3):  # a kill can land just after the renames; then once more
        before = set(_temporaries(out))
        # feed.json is written last: when its temporary file shows, feed.xml
        # and atom.xml are written in full, under their temporary names.
        assert _kill_when(
            tmp_path,
            _render_command(article, out, "-q", "--force"),
            lambda before=before: bool(set(_temporaries(out, ".feed.json.")) - before),
            lambda: False,
        ), "the run ended before its feeds were seen being written"
        for name in FEEDS:
            data = (out / name).read_bytes()
            if data != old[name]:  # renamed into place, so it must be whole
                _assert_whole_feed(name, data)
        if (out / "feed.json").read_bytes() == old["feed.json"]:
            # Killed before the renames: not one feed has changed, and the
            # new ones are still there under their temporary names.
            for name in FEEDS:
                assert (out / name).read_bytes() == old[name], f"{name} changed without the others"
                assert set(_temporaries(out, f".{name}.")) - before, name
            break
    else:
        raise AssertionError("no kill landed while the feeds were being written")

    _render(tmp_path, *_render_command(article, out, "-q", "--force"))
    parsed = feedparser.parse((out / "feed.xml").read_bytes())
    assert parsed.bozo == 0 and len(parsed.entries) == 1001
    assert any(entry.title.endswith("(new)") for entry in parsed.entries)
    for name in FEEDS:
        _assert_whole_feed(name, (out / name).read_bytes())


def _assert_whole_feed(name: str, data: bytes) -> None:
    if name == "feed.json":
        json.loads(data)
    else:
        assert feedparser.parse(data).bozo == 0, name
