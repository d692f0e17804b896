"""The scan `feed add` keeps between runs (issue 21 review, F3 and F4) is
used only when the very code that made it reads it, and only when what it
holds is of the shapes and at the places a scan gives: otherwise the feed
is scanned again, with the same output as without a cache."""

from __future__ import annotations

import array
import datetime as dt
import hashlib
import marshal
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import generator
from generator import feedfile
from generator.config import parse_config
from generator.feedfile import add_articles
from generator.readers import read_path
from generator.resources import _MAGIC, read_cache

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "article" / "the-great-ai-divorce.txt"
SITE = 'site_url = "https://news.example.com"\n'


def _big_feed(items: int) -> str:
    """A feed past `feedfile.KEEP_SCAN_FROM`, so a subprocess keeps its scan."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0">\n  <channel>\n'
        "    <title>T</title>\n    <link>https://news.example.com/</link>\n"
        "    <description>D</description>\n"
        "    <lastBuildDate>Mon, 01 Jan 2024 00:00:00 +0000</lastBuildDate>\n"
        + "".join(
            f"    <item>\n      <title>Old {n}</title>\n"
            f"      <guid>https://news.example.com/old-{n}/</guid>\n"
            f"      <description>{'words ' * 60}</description>\n"
            f"      <pubDate>Mon, 0{n % 9 + 1} Jan 2024 00:00:00 +0000</pubDate>\n    </item>\n"
            for n in range(items)
        )
        + "  </channel>\n</rss>\n"
    )


# --- F3: keyed by the code, not only the version ---------------------------------

# Appended to the copy's scan.py: each full scan of a feed (not of a new
# item alone, nor of the channel outside the items) says so on stderr.
_SAY_SCANS = '''

_unsaid_scan = scan


def scan(data, name, *, dates=False):  # noqa: F811
    if name != "item" and data.count(b"<item") > 1:
        sys.stderr.write("FULL SCAN\\n")
    return _unsaid_scan(data, name, dates=dates)


import sys  # noqa: E402
'''


@pytest.mark.parametrize("changed", ["rss/scan.py", "rss/feed.py", "rss/encoding.py"])
def test_a_checkout_that_changes_the_scan_code_never_reuses_an_older_scan(tmp_path, changed):
    """The same version, other code (a `git pull` in an editable install, a
    reinstall from a branch): the scan the old code kept is not used."""
    code = tmp_path / "code"
    shutil.copytree(
        Path(generator.__file__).parent,
        code / "generator",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    rss = code / "generator" / "channels" / "rss"
    with (rss / "scan.py").open("a", encoding="utf-8") as file:
        file.write(_SAY_SCANS)
    site = tmp_path / "site"
    site.mkdir()
    (site / "masthead.toml").write_text(SITE, encoding="utf-8")
    feed = site / "feed.xml"
    feed.write_text(_big_feed(500), encoding="utf-8")
    assert feed.stat().st_size >= feedfile.KEEP_SCAN_FROM
    env = dict(
        os.environ,
        PYTHONPATH=str(code),
        MASTHEAD_CACHE_DIR=str(tmp_path / "cache"),
        SOURCE_DATE_EPOCH="1714521600",
    )
    env.pop("MASTHEAD_NO_TEMPLATE_CACHE", None)
    (tmp_path / "cache").mkdir(mode=0o700)

    def add() -> str:
        run = subprocess.run(
            [sys.executable, "-P", "-m", "generator", "feed", "add", str(SEED), "--feed", str(feed)],
            cwd=site,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, run.stderr
        return run.stderr

    assert "FULL SCAN" in add()  # nothing kept yet
    assert "FULL SCAN" not in add()  # the same code: the kept scan is used
    with (code / "generator" / "channels" / changed).open("a", encoding="utf-8") as file:
        file.write("\n# changed by a checkout, the version kept\n")
    assert "FULL SCAN" in add()  # other code: scanned again
    assert "FULL SCAN" not in add()  # and the new code's scan kept


# --- F4: an entry is checked, not trusted ----------------------------------------


def _entry(feed: Path) -> tuple[str, Path]:
    name = feedfile._scan_name(feed)
    return name, Path(os.environ["MASTHEAD_CACHE_DIR"]) / name


def _forge(feed: Path, patch) -> None:
    """Rewrite the feed's kept scan as `patch` says, sealed as a valid entry
    is (sha256 of the name, a NUL and the payload): only its content is wrong."""
    name, path = _entry(feed)
    payload = read_cache(name)
    assert payload is not None
    kept = marshal.loads(payload)
    patched = patch(*kept)
    if repr(patched) == repr(kept):  # repr: 1.0 is not 1, nor a list a tuple
        pytest.skip("nothing to change: the entry holds no dates without max_items")
    forged = marshal.dumps(patched)
    seal = hashlib.sha256(name.encode() + b"\0" + forged).digest()
    path.write_bytes(_MAGIC + seal + forged)
    assert read_cache(name) == forged  # the seal holds: only unpack can refuse it


def _with(header: dict, **changes) -> dict:
    return {**header, **changes}


def _shifted(span: tuple[int, int], by: int) -> tuple[int, int]:
    return (span[0] + by, span[1] + by)


def _swapped_items(spans: bytes) -> bytes:
    pairs = array.array("q", spans)
    pairs[0:2], pairs[2:4] = pairs[2:4], pairs[0:2]
    return pairs.tobytes()


def _one_item_fewer(header, spans, joined):
    per_item = 2 if header["dates"] else 1
    texts = joined.split("\0")[:-per_item]
    return (_with(header, items=header["items"] - 1), spans[:-16], "\0".join(texts))


PATCHES = {
    "the channel's start a str": lambda h, s, j: (_with(h, body="x"), s, j),
    "the channel's start moved": lambda h, s, j: (_with(h, body=h["body"] + 1), s, j),
    "the channel's end moved": lambda h, s, j: (_with(h, end=h["end"] - 2), s, j),
    "the channel's end a float": lambda h, s, j: (_with(h, end=float(h["end"])), s, j),
    "a channel title an int": lambda h, s, j: (_with(h, channel={**h["channel"], "title": 5}), s, j),
    "a channel title of other words": lambda h, s, j: (
        _with(h, channel={**h["channel"], "title": "Other"}),
        s,
        j,
    ),
    "a channel language made up": lambda h, s, j: (
        _with(h, channel={**h["channel"], "language": "xx"}),
        s,
        j,
    ),
    "lastBuildDate elsewhere": lambda h, s, j: (_with(h, build=(5, 10)), s, j),
    "lastBuildDate a list": lambda h, s, j: (_with(h, build=list(h["build"])), s, j),
    "lastBuildDate dropped": lambda h, s, j: (_with(h, build=None), s, j),
    "the title's span moved": lambda h, s, j: (
        _with(h, spans={**h["spans"], "title": _shifted(h["spans"]["title"], 1)}),
        s,
        j,
    ),
    "the title's span a str": lambda h, s, j: (_with(h, spans={**h["spans"], "title": "x"}), s, j),
    "the size a float": lambda h, s, j: (_with(h, size=float(h["size"])), s, j),
    "dates an int": lambda h, s, j: (_with(h, dates=int(h["dates"])), s, j),
    "the count a bool": lambda h, s, j: (_with(h, items=True), s, j),
    "an extra key": lambda h, s, j: (_with(h, extra=1), s, j),
    "the guids as bytes": lambda h, s, j: (h, s, j.encode()),
    "a guid renamed": lambda h, s, j: (h, s, j.replace("great-ai-divorce", "great-ai-union")),
    "an old guid renamed": lambda h, s, j: (h, s, j.replace("/old-5/", "/old-55/")),
    "a date changed": lambda h, s, j: (h, s, j.replace("Mon, 01 Jan 2024", "Mon, 01 Jul 2024")),
    "two items' spans swapped": lambda h, s, j: (h, _swapped_items(s), j),
    "one item fewer": _one_item_fewer,
    "a list, not a tuple": lambda h, s, j: [h, s, j],
}


def _count_full_scans(monkeypatch) -> list[int]:
    """Each scan of a whole feed by the merge (not of a new item alone)."""
    from generator.channels.rss import feed as feed_module

    sizes: list[int] = []
    real = feed_module.scan

    def counting(data, name, **kwargs):
        if name != "item":
            sizes.append(len(data))
        return real(data, name, **kwargs)

    monkeypatch.setattr(feed_module, "scan", counting)
    return sizes


@pytest.mark.parametrize("max_items", [0, 12])
@pytest.mark.parametrize("patch", sorted(PATCHES))
def test_a_forged_scan_entry_is_no_entry(tmp_path, monkeypatch, patch, max_items):
    """A kept scan rewritten by hand, with a valid seal: the add scans the
    feed and writes what it writes without a cache — no internal error, no
    other output, no duplicated item."""
    monkeypatch.setattr(feedfile, "KEEP_SCAN_FROM", 0)  # kept for this small feed too
    config = parse_config(SITE)
    when = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    seed = read_path(SEED)
    new = tmp_path / "new.md"
    new.write_text("---\ntitle: A new story\nslug: a-new-story\n---\nIts one paragraph.\n")
    feed = tmp_path / "feed.xml"
    feed.write_text(_big_feed(12), encoding="utf-8")
    add_articles(feed, [seed], config, now=when, max_items=max_items)
    before = feed.read_bytes()
    _, path = _entry(feed)
    kept = path.read_bytes()
    scans = _count_full_scans(monkeypatch)

    def second_add() -> bytes:
        feed.write_bytes(before)
        scans.clear()
        add_articles(
            feed, [read_path(new), seed], config, now=when + dt.timedelta(days=1), max_items=max_items
        )
        return feed.read_bytes()

    path.unlink()
    expected = second_add()  # no entry: the feed scanned
    assert scans == [len(before)]
    path.write_bytes(kept)
    assert second_add() == expected
    assert scans == []  # the entry as kept is used: what follows tests its checks
    path.write_bytes(kept)
    _forge(feed, PATCHES[patch])
    assert second_add() == expected
    assert scans == [len(before)]
