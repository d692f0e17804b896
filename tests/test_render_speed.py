"""Structural checks of the feed, writer and render-loop speed work (issue 21):
each fails when its optimisation is removed. Nothing here is timed."""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest

from generator import feedfile
from generator.channels.rss.encoding import FeedEncoding
from generator.channels.rss.item import rfc822, xml_escape, xml_quoteattr
from generator.channels.rss.scan import ScannedFeed, scan, unpack
from generator.config import parse_config
from generator.feedfile import Siblings, add_articles
from generator.readers import read_path
from generator.resources import cache_folder, read_cache
from generator.writers import write_folder

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "article" / "the-great-ai-divorce.txt"

TEXTS = [
    "",
    "plain",
    "a & b < c > d",
    "&amp; already",
    "quote \" only",
    "apostrophe ' only",
    "both \" and '",
    "tab\there\nnewline\rreturn",
    "]]> -- <!-- --> <?pi?>",
    "ünïcödé ☃ 𝄞 \u202e",
]


@pytest.mark.parametrize("text", TEXTS)
def test_xml_escapes_are_the_standard_librarys(text):
    assert xml_escape(text) == escape(text)
    assert xml_quoteattr(text) == quoteattr(text)


def test_rfc822_is_email_utils_format_datetime():
    zones = [dt.UTC, dt.timezone(dt.timedelta(hours=5, minutes=30)), dt.timezone(-dt.timedelta(hours=8))]
    moments = [
        dt.datetime(2024, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=d, seconds=d * 3607)
        for d in range(0, 800, 7)
    ]
    for moment in moments:
        for zone in zones:
            aware = moment.astimezone(zone)
            assert rfc822(aware) == email.utils.format_datetime(aware)
        naive = moment.replace(tzinfo=None)
        assert rfc822(naive) == email.utils.format_datetime(naive.replace(tzinfo=dt.UTC))
        day = moment.date()
        midnight = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
        assert rfc822(day) == email.utils.format_datetime(midnight)
    assert rfc822(dt.datetime(99, 3, 4, 5, 6, 7, tzinfo=dt.UTC)) == "Wed, 04 Mar 0099 05:06:07 +0000"


def test_adding_to_a_feed_imports_no_url_or_mail_library():
    """xml.sax.saxutils pulls in urllib.request (http.client, ssl), email.utils
    pulls in socket: ~14 ms of a `feed add`'s start for an escape and a date."""
    code = (
        "import sys\n"
        "import generator.feedfile, generator.channels.rss.feed\n"
        "heavy = ['urllib.request', 'xml.sax', 'email.utils', 'http.client', "
        "'generator.channels.rss.entries']\n"
        "print([m for m in heavy if m in sys.modules])\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    run = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


def _aged(path: Path) -> Path:
    path.write_bytes(b"left by a killed run")
    then = time.time() - 7200
    os.utime(path, (then, then))
    return path


def _count_listings(monkeypatch) -> list[str]:
    listed: list[str] = []
    real = os.scandir

    def counting(path="."):
        listed.append(os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", counting)
    return listed


NAMES = ["email.html", "email.txt", "email.eml", "thread.json", "item.xml", "thread-x.txt"]


def test_writing_a_folder_lists_it_once_and_still_removes_every_leftover(tmp_path, monkeypatch):
    folder = tmp_path / "story"
    folder.mkdir()
    stale = [_aged(folder / f".{name}.0123456789ab.tmp") for name in NAMES]
    decoy = _aged(folder / ".other.txt.0123456789ab.tmp")  # not a file this write makes
    listed = _count_listings(monkeypatch)
    write_folder(folder, {name: name.encode() for name in NAMES})
    assert listed == [str(folder)]  # once, not once per file (was six times)
    assert not any(path.exists() for path in stale)
    assert decoy.exists()
    assert {p.name: p.read_bytes() for p in folder.iterdir() if not p.name.startswith(".")} == {
        name: name.encode() for name in NAMES
    }


def test_a_feed_and_its_copies_list_their_folder_once(tmp_path, monkeypatch):
    config = parse_config('site_url = "https://news.example.com"\n')
    article = read_path(SEED)
    names = ("feed.xml", "atom.xml", "feed.json")
    stale = [_aged(tmp_path / f".{name}.00000000000a.tmp") for name in names]
    listed = _count_listings(monkeypatch)
    add_articles(
        tmp_path / "feed.xml",
        [article],
        config,
        now=dt.datetime(2024, 5, 1, tzinfo=dt.UTC),
        siblings=Siblings(tmp_path / "atom.xml", tmp_path / "feed.json"),
    )
    assert listed == [str(tmp_path)]  # was three times
    assert not any(path.exists() for path in stale)
    assert all((tmp_path / name).stat().st_size > 100 for name in names)


# --- the run loop (issue 21) -----------------------------------------------------


def _corpus(folder: Path, slugs: list[str]) -> Path:
    folder.mkdir()
    body = "A short article.\n\nIts one paragraph says enough to be rendered.\n"
    for n, slug in enumerate(slugs):
        (folder / f"{n}.md").write_text(f"---\ntitle: Story {n}\nslug: {slug}\n---\n{body}")
    return folder


def _created_claims(monkeypatch) -> list[str]:
    """The claim files a run creates (O_EXCL opens in its claims folder)."""
    created: list[str] = []
    real = os.open

    def spying(path, flags, *args, **kwargs):
        if ".masthead-claims-" in os.fspath(path) and flags & os.O_EXCL:
            created.append(os.fspath(path))
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", spying)
    return created


def test_a_one_process_run_claims_slugs_in_memory(tmp_path, monkeypatch):
    from generator.render import Options, render_run

    source = _corpus(tmp_path / "src", ["one", "two", "three"])
    created = _created_claims(monkeypatch)
    config = parse_config('site_url = "https://news.example.com"\n')
    when = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    summary = render_run([source], tmp_path / "out", config, Options(), now=when, jobs=1)
    assert [r.status for r in summary.results] == ["rendered"] * 3
    assert created == []  # was a file per article


def test_a_one_process_run_still_refuses_a_slug_twice(tmp_path, monkeypatch):
    from generator.render import Options, render_run

    source = _corpus(tmp_path / "src", ["same", "same"])
    config = parse_config('site_url = "https://news.example.com"\n')
    when = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    summary = render_run([source], tmp_path / "out", config, Options(), now=when, jobs=1)
    assert [r.status for r in summary.results] == ["rendered", "failed"]
    assert "has the same slug 'same' as " in (summary.results[1].error or "")
    # A second run (the same process, as tests and a watch loop do) starts afresh.
    again = render_run([source], tmp_path / "out2", config, Options(), now=when, jobs=1)
    assert [r.status for r in again.results] == ["rendered", "failed"]


def test_a_run_resolves_each_article_path_once(tmp_path, monkeypatch):
    from generator.render import Options, render_run

    source = _corpus(tmp_path / "src", ["a", "b", "c", "d"])
    resolved: list[str] = []
    real = Path.resolve

    def counting(self, strict=False):
        resolved.append(str(self))
        return real(self, strict)

    monkeypatch.setattr(Path, "resolve", counting)
    config = parse_config('site_url = "https://news.example.com"\n')
    when = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    render_run([source], tmp_path / "out", config, Options(), now=when, jobs=1)
    articles = [p for p in resolved if p.endswith(".md")]
    assert sorted(articles) == sorted(str(source / f"{n}.md") for n in range(4))  # was twice each


# --- feed add: the scan kept between adds (issue 21) ----------------------------

FEEDS = {
    "plain": (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0">\n  <channel>\n'
        "    <title>T</title>\n    <link>https://news.example.com/</link>\n"
        "    <description>D</description>\n"
        "    <lastBuildDate>Mon, 01 Jan 2024 00:00:00 +0000</lastBuildDate>\n"
        + "".join(
            f"    <item>\n      <title>Old {n}</title>\n"
            f"      <guid>https://news.example.com/old-{n}/</guid>\n"
            f"      <pubDate>Mon, 0{n % 9 + 1} Jan 2024 00:00:00 +0000</pubDate>\n    </item>\n"
            for n in range(12)
        )
        + "  </channel>\n</rss>\n"
    ),
    "foreign": (
        '<?xml version="1.0"?>\n<!-- made elsewhere -->\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:a="http://www.w3.org/2005/Atom"><channel><title>Other &amp; co</title>'
        "<link>https://news.example.com/</link><description><![CDATA[<b>x</b>]]></description>"
        '<a:link rel="self" href="https://elsewhere.example/rss?a=1&amp;b=>" />'
        '<item><title>No guid</title><link> https://x.example/1 </link></item>'
        '<item x="a>b"><guid isPermaLink="false">  spaced  </guid><guid>second</guid>'
        "<dc:creator>Ann</dc:creator><pubDate>nonsense</pubDate></item>"
        "<item/><item><title>Only a title</title></item>"
        "<dc:item><guid>not an item</guid></dc:item>"
        "<item><guid>dup</guid></item><item><guid>dup</guid></item>"
        "</channel></rss>"
    ),
    "no items": (
        '<rss version="2.0"><channel><title>T</title><link>https://news.example.com/</link>'
        "<description>D</description></channel></rss>\n"
    ),
}


def _scan_of(feed: ScannedFeed) -> tuple:
    items = [
        (item.start, item.end, item.guid, item.first("pubDate"), sorted(item.fields))
        for item in feed.items
    ]
    return (
        feed.channel_body_start,
        feed.channel_end,
        feed.last_build,
        feed.channel,
        feed.channel_spans,
        items,
    )


@pytest.mark.parametrize("name", sorted(FEEDS))
@pytest.mark.parametrize("max_items", [0, 9])
def test_the_scan_kept_after_an_add_is_the_written_feeds_scan(
    tmp_path, monkeypatch, name, max_items
):
    """After every add, the kept scan (worked out from the merge's edits,
    never by scanning the file) equals a scan of the file as written."""
    monkeypatch.setattr(feedfile, "KEEP_SCAN_FROM", 0)  # kept for small feeds too
    config = parse_config('site_url = "https://news.example.com"\n')
    feed = tmp_path / "feed.xml"
    feed.write_text(FEEDS[name], encoding="utf-8")
    article = read_path(SEED)
    others = _corpus(tmp_path / "src", ["alpha", "beta", "gamma"])
    batches = [
        [article],
        [article],  # replaced in place
        [read_path(p) for p in sorted(others.iterdir())],
        [article, read_path(others / "1.md")],
    ]
    when = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    kept = 0
    for n, batch in enumerate(batches):
        add_articles(feed, batch, config, now=when + dt.timedelta(days=n), max_items=max_items)
        data = feed.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        packed = read_cache(feedfile._scan_name(feed))
        assert packed is not None
        for dates in (False, True):
            restored = unpack(packed, data, digest, FeedEncoding(), dates=dates)
            if restored is None:
                assert dates and not max_items  # kept without dates: not used for them
                continue
            kept += 1
            assert _scan_of(restored) == _scan_of(scan(data, "feed", dates=dates))
    assert kept


def _count_scans(monkeypatch) -> list[int]:
    """Each full scan's size (the expat parse of a whole feed)."""
    from generator.channels.rss import feed as feed_module

    sizes: list[int] = []
    real = feed_module.scan

    def counting(data, name, **kwargs):
        if name != "item":  # not a new item scanned alone
            sizes.append(len(data))
        return real(data, name, **kwargs)

    monkeypatch.setattr(feed_module, "scan", counting)
    return sizes


def test_a_second_add_uses_the_kept_scan_and_writes_the_same_bytes(tmp_path, monkeypatch):
    monkeypatch.setattr(feedfile, "KEEP_SCAN_FROM", 0)
    config = parse_config('site_url = "https://news.example.com"\n')
    when = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    article = read_path(SEED)
    other = read_path(_corpus(tmp_path / "src", ["later"]) / "0.md")
    scans = _count_scans(monkeypatch)
    results = []
    try:
        for cache in ("on", "off"):
            if cache == "off":
                monkeypatch.setenv("MASTHEAD_NO_TEMPLATE_CACHE", "1")
                cache_folder.cache_clear()
            feed = tmp_path / f"feed-{cache}.xml"
            feed.write_text(FEEDS["foreign"], encoding="utf-8")
            add_articles(feed, [article], config, now=when)
            scans.clear()
            add_articles(feed, [other, article], config, now=when + dt.timedelta(hours=1))
            assert len(scans) == (0 if cache == "on" else 1)
            results.append(feed.read_bytes())
    finally:
        monkeypatch.delenv("MASTHEAD_NO_TEMPLATE_CACHE", raising=False)
        cache_folder.cache_clear()
    assert results[0] == results[1]


def test_a_kept_scan_is_not_used_for_other_bytes(tmp_path, monkeypatch):
    """Edited by hand (same size, one byte changed) or damaged: scanned again."""
    monkeypatch.setattr(feedfile, "KEEP_SCAN_FROM", 0)
    config = parse_config('site_url = "https://news.example.com"\n')
    when = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    feed = tmp_path / "feed.xml"
    feed.write_text(FEEDS["plain"], encoding="utf-8")
    add_articles(feed, [read_path(SEED)], config, now=when)
    edited = feed.read_bytes().replace(b"/old-3/</guid>", b"/old-X/</guid>")
    assert edited != feed.read_bytes()
    feed.write_bytes(edited)
    scans = _count_scans(monkeypatch)
    add_articles(feed, [read_path(SEED)], config, now=when)
    assert len(scans) == 1
    after = scan(feed.read_bytes(), "feed")
    assert [i.guid for i in after.items].count("https://news.example.com/old-X/") == 1
    assert len(after.items) == 13
    # A damaged entry (here: cut short) is no entry.
    name = feedfile._scan_name(feed)
    entry = Path(os.environ["MASTHEAD_CACHE_DIR"]) / name
    entry.write_bytes(entry.read_bytes()[:-40])
    scans.clear()
    add_articles(feed, [read_path(SEED)], config, now=when)
    assert len(scans) == 1


def test_a_small_feed_keeps_no_scan(tmp_path):
    """Below KEEP_SCAN_FROM a scan costs less than the cache entry: none is kept."""
    config = parse_config('site_url = "https://news.example.com"\n')
    feed = tmp_path / "feed.xml"
    feed.write_text(FEEDS["plain"], encoding="utf-8")
    add_articles(feed, [read_path(SEED)], config, now=dt.datetime(2024, 5, 1, tzinfo=dt.UTC))
    assert len(feed.read_bytes()) < feedfile.KEEP_SCAN_FROM
    assert read_cache(feedfile._scan_name(feed)) is None


def test_adding_one_article_reads_no_dates_back(tmp_path):
    """One new item and no max_items: no order to find, so no date is parsed
    (email.utils, ~5 ms of an add's start, stays unloaded)."""
    feed = tmp_path / "feed.xml"
    feed.write_text(FEEDS["plain"], encoding="utf-8")
    code = (
        "import sys, datetime as dt\n"
        "from pathlib import Path\n"
        "from generator.config import parse_config\n"
        "from generator.feedfile import add_articles\n"
        "from generator.readers import read_path\n"
        "config = parse_config('site_url = \"https://news.example.com\"')\n"
        f"add_articles(Path({str(feed)!r}), [read_path({str(SEED)!r})], config,\n"
        "             now=dt.datetime(2024, 5, 1, tzinfo=dt.UTC))\n"
        "print('email.utils' in sys.modules)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    run = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "False"
    assert scan(feed.read_bytes(), "feed").items[0].guid != "https://news.example.com/old-0/"


def test_an_unchanged_article_is_checked_by_one_listing_of_its_folder(tmp_path, monkeypatch):
    from generator.render import Options, render_run

    source = _corpus(tmp_path / "src", ["one", "two"])
    out = tmp_path / "out"
    config = parse_config('site_url = "https://news.example.com"\n')
    when = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    render_run([source], out, config, Options(), now=when, jobs=1)
    (out / "two" / "thread-x.txt").unlink()  # one file gone: that article is rendered again
    checked: list[str] = []
    real = Path.is_file

    def counting(self):
        if out in self.parent.parents:  # a file in an article's folder
            checked.append(str(self))
        return real(self)

    monkeypatch.setattr(Path, "is_file", counting)
    listed: list[object] = []
    real_scandir = os.scandir

    def listing(path="."):
        listed.append(path if isinstance(path, int) else os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", listing)
    summary = render_run([source], out, config, Options(), now=when, jobs=1)
    assert [r.status for r in summary.results] == ["skipped", "rendered"]
    assert checked == []  # was a stat per output file (ten per article)
    assert listed.count(str(out / "one")) == 1


def test_workers_are_forked_with_the_renderers_loaded(tmp_path):
    """--jobs 2: the channels are imported once, before the fork, not by each worker."""
    import multiprocessing

    from generator.render import usable_cpus

    if usable_cpus() < 2 or multiprocessing.get_start_method() != "fork":
        pytest.skip("needs two CPUs and forked workers")
    source = _corpus(tmp_path / "src", ["a", "b", "c", "d"])
    marks = tmp_path / "marks.txt"
    code = (
        "import sys, datetime as dt\n"
        "from pathlib import Path\n"
        "import generator.render as render\n"
        "from generator.config import parse_config\n"
        "real = render._init_pool_worker\n"
        "def spy(*args):\n"
        f"    with open({str(marks)!r}, 'a') as f:\n"
        "        f.write(str('generator.channels.thread' in sys.modules) + '\\n')\n"
        "    real(*args)\n"
        "render._init_pool_worker = spy\n"
        "summary = render.render_run(\n"
        f"    [Path({str(source)!r})], Path({str(tmp_path / 'out')!r}),\n"
        "    parse_config('site_url = \"https://news.example.com\"'), render.Options(),\n"
        "    now=dt.datetime(2024, 5, 1, tzinfo=dt.UTC), jobs=2)\n"
        "print([r.status for r in summary.results])\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    run = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == str(["rendered"] * 4)
    assert marks.read_text().split() == ["True", "True"]  # was False: each imported them


def test_a_feed_is_merged_with_the_cycle_collector_paused(tmp_path, monkeypatch):
    import gc

    seen: list[bool] = []
    real = feedfile.merge

    def spying(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(feedfile, "merge", spying)
    config = parse_config('site_url = "https://news.example.com"\n')
    feed = tmp_path / "feed.xml"
    feed.write_text(FEEDS["plain"], encoding="utf-8")
    assert gc.isenabled()
    add_articles(feed, [read_path(SEED)], config, now=dt.datetime(2024, 5, 1, tzinfo=dt.UTC))
    assert seen == [False]
    assert gc.isenabled()  # on again after


def test_the_atom_and_json_copies_come_from_one_pass_over_the_feed(tmp_path, monkeypatch):
    from generator.channels.rss import entries as entries_module

    passes: list[str] = []
    real_stream = feedfile.stream_items
    made: list[str] = []
    real_entry = entries_module.entry

    def streaming(chunks, name):
        passes.append(name)
        return real_stream(chunks, name)

    def making(item, *, ids):
        made.append(item.guid or "")
        return real_entry(item, ids=ids)

    monkeypatch.setattr(feedfile, "stream_items", streaming)
    monkeypatch.setattr(entries_module, "entry", making)
    config = parse_config('site_url = "https://news.example.com"\n')
    feed = tmp_path / "feed.xml"
    feed.write_text(FEEDS["foreign"], encoding="utf-8")
    siblings = Siblings(tmp_path / "atom.xml", tmp_path / "feed.json")
    when = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    add_articles(feed, [read_path(SEED)], config, now=when, siblings=siblings)
    items = len(scan(feed.read_bytes(), "feed").items)
    assert len(passes) == 1  # was one per copy
    assert len(made) == items  # each entry made once, not once per copy
    atom = (tmp_path / "atom.xml").read_text(encoding="utf-8")
    assert atom.count("<entry>") == items
    assert len(json.loads((tmp_path / "feed.json").read_text(encoding="utf-8"))["items"]) == items
