"""The RSS channel: items, the feed upsert, siblings, and safety under faults."""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import random
import signal
import subprocess
import textwrap
import time
import xml.etree.ElementTree as ET
from multiprocessing import get_context
from pathlib import Path

import feedparser
import html5lib
import pytest
from conftest import ARTICLES, PYTHON, SEED, html_tokens, subprocess_env

from generator.channels.rss.content import article_html
from generator.channels.rss.scan import scan
from generator.config import parse_config
from generator.model import Paragraph
from generator.readers import read_path

SITE = 'site_url = "https://news.example.com"\n[feed]\nurl = "https://news.example.com/feed.xml"\n'
SAMPLES = sorted(p for p in ARTICLES.iterdir() if p.suffix in (".txt", ".md"))


@pytest.fixture
def site(tmp_path):
    (tmp_path / "masthead.toml").write_text(SITE, encoding="utf-8")
    return tmp_path


def parse(path: Path):
    parsed = feedparser.parse(path.read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


def write_article(folder: Path, n: int, *, date: str | None = "2026-01-{day:02d}") -> Path:
    path = folder / f"article-{n:03d}.txt"
    byline = f"By Tester — {date.format(day=n % 28 + 1)} — 2 min read" if date else "By Tester"
    path.write_text(
        f"Article Number {n}\n{byline}\nThe dek of article {n}.\nBody of article {n}.\n",
        encoding="utf-8",
    )
    return path


def test_item_fragment_is_well_formed_alone(cli):
    run = cli("rss", ARTICLES / "newsletter-stack-2026.md")
    assert run.exit_code == 0, run.stderr
    item = ET.fromstring(run.stdout)
    assert item.tag == "item"
    assert 'xmlns:content="http://purl.org/rss/1.0/modules/content/"' in run.stdout
    assert item.findtext("title") == "How We Rebuilt Our Newsletter Stack in a Weekend"
    assert item.findtext("link") == "https://blog.example.com/posts/newsletter-stack-2026/"
    assert item.find("guid").get("isPermaLink") == "true"
    assert item.findtext("pubDate") == "Tue, 03 Mar 2026 09:30:00 +0100"
    assert [c.text for c in item.findall("category")] == [
        "newsletters",
        "developer relations",
        "open source",
    ]
    dc = "{http://purl.org/dc/elements/1.1/}creator"
    assert [c.text for c in item.findall(dc)] == ["Sam Rivera", "Noor Haddad"]
    media = item.find("{http://search.yahoo.com/mrss/}content")
    assert media.get("url") == "https://blog.example.com/images/newsletter-stack.png"
    assert media.findtext("{http://search.yahoo.com/mrss/}description").startswith("A laptop")
    content = item.findtext("{http://purl.org/rss/1.0/modules/content/}encoded")
    assert "<h2>What Was Broken</h2>" in content
    assert "<dl><dt>Does it work with our email service?</dt>" in content
    for banned in ("<html", "<head", "<style", "<body"):
        assert banned not in content


def test_item_to_file(cli, tmp_path):
    out = tmp_path / "item.xml"
    assert cli("rss", SEED, "-o", out).exit_code == 0
    assert ET.parse(out).getroot().tag == "item"


def test_undated_item_without_site_has_urn_guid(cli, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1772530200")
    item = ET.fromstring(cli("rss", SEED).stdout)
    assert item.find("link") is None
    guid = item.find("guid")
    assert guid.text == "urn:masthead:the-great-ai-divorce"
    assert guid.get("isPermaLink") == "false"
    assert item.findtext("pubDate") == "Tue, 03 Mar 2026 09:30:00 +0000"


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_feed_round_trips_through_feedparser(cli, site, sample):
    feed = site / "feed.xml"
    run = cli("feed", "add", sample, "--feed", feed)
    assert run.exit_code == 0, run.stderr
    parsed = parse(feed)
    article = read_path(sample)
    (entry,) = parsed.entries
    assert entry.title == article.title
    link = article.url or f"https://news.example.com/{article.slug}/"
    assert entry.link == link
    assert entry.id == link
    if article.date:
        expected = article.date
        if isinstance(expected, dt.datetime):
            expected = expected.astimezone(dt.UTC)
        assert entry.published_parsed[:3] == expected.timetuple()[:3]
    assert [a.get("name") for a in entry.get("authors", [])] == list(article.authors)
    assert [t.term for t in entry.get("tags", [])] == list(article.tags)
    body = next(c.value for c in entry.content if c.type == "text/html")
    # The body, read back by html5lib: the article's section headings as its
    # <h2>s, and every paragraph's words in its text.
    tree = html5lib.parseFragment(body, namespaceHTMLElements=False)
    headings = [h.text for h in tree.iter("h2")]
    assert article.sections
    assert headings[-len(article.sections) :] == [s.heading for s in article.sections]
    text = " ".join("".join(tree.itertext()).split())
    paragraphs = [b for s in article.sections for b in s.blocks if isinstance(b, Paragraph)]
    assert paragraphs
    for paragraph in paragraphs:
        assert " ".join(paragraph.text.plain_text.split()) in text
    assert parsed.feed.title == "news.example.com"
    assert parsed.feed.link == "https://news.example.com"


# Every kind of block, and the HTML a feed reader should get for it, written
# out by hand (not by the code that makes it).
EVERY_BLOCK = """\
---
title: "Small & Complete"
date: 2026-02-03
author: Ann Lee
tags: [tests]
---

A lead with *emphasis*, **strong**, `code <b>` and a [link](https://example.com/a?b=1&c=2).

## Steps

- First **point**
- Second point
  - A sub-point

### In detail

More words.

1. One
2. Two

> Quoted words.
>
> — Ann Lee

## FAQ

### Does it work?

Yes, it does.

**Is it fast?**

Fast enough.

## Code & data

```python
print("<hi>")
```

| Name | Value |
| --- | --- |
| a | *1* |

![A cat](https://example.com/cat.png)
"""
EVERY_BLOCK_HTML = (
    "<p>A lead with <em>emphasis</em>, <strong>strong</strong>, <code>code &lt;b&gt;</code>"
    ' and a <a href="https://example.com/a?b=1&amp;c=2">link</a>.</p>'
    "<h2>Steps</h2>"
    "<ul><li>First <strong>point</strong></li><li>Second point<ul><li>A sub-point</li></ul></li></ul>"
    "<h3>In detail</h3><p>More words.</p>"
    "<ol><li>One</li><li>Two</li></ol>"
    "<blockquote><p>Quoted words.</p><footer>— Ann Lee</footer></blockquote>"
    "<h2>FAQ</h2>"
    "<dl><dt>Does it work?</dt><dd>Yes, it does.</dd><dt>Is it fast?</dt><dd>Fast enough.</dd></dl>"
    "<h2>Code &amp; data</h2>"
    '<pre><code class="language-python">print("&lt;hi&gt;")</code></pre>'
    "<table><thead><tr><th>Name</th><th>Value</th></tr></thead>"
    "<tbody><tr><td>a</td><td><em>1</em></td></tr></tbody></table>"
    '<figure><img src="https://example.com/cat.png" alt="A cat"></figure>'
)


def test_feed_content_is_the_html_written_out_for_every_block(cli, site):
    source = site / "small.md"
    source.write_text(EVERY_BLOCK, encoding="utf-8")
    feed = site / "feed.xml"
    run = cli("feed", "add", source, "--feed", feed)
    assert run.exit_code == 0, run.stderr
    (entry,) = parse(feed).entries
    body = next(c.value for c in entry.content if c.type == "text/html")
    # Tokens, so that only the line breaks between blocks may differ.
    tokens = [t for t in html_tokens(body) if t != ("text", "\n")]
    assert tokens == html_tokens(EVERY_BLOCK_HTML)


def test_adding_twice_leaves_one_item(cli, site):
    feed = site / "feed.xml"
    cli("feed", "add", SEED, "--feed", feed)
    first = feed.read_bytes()
    run = cli("feed", "add", SEED, "--feed", feed)
    assert "0 added, 1 replaced; 1 items" in run.stderr
    assert len(parse(feed).entries) == 1
    # The undated seed keeps the date it was first added under.
    assert scan(feed.read_bytes(), "f").items[0].first("pubDate") == scan(first, "f").items[
        0
    ].first("pubDate")


def test_undated_article_keeps_first_added_date(cli, site, monkeypatch):
    feed = site / "feed.xml"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1772530200")  # 3 March 2026
    cli("feed", "add", SEED, "--feed", feed)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1775000000")  # a month later
    cli("feed", "add", SEED, "--feed", feed)
    (entry,) = parse(feed).entries
    assert entry.published == "Tue, 03 Mar 2026 09:30:00 +0000"
    assert parse(feed).feed.updated.startswith("Tue, 31 Mar 2026")


FOREIGN = textwrap.dedent(
    """\
    <?xml version="1.0" encoding="UTF-8"?>
    <!-- hand-made feed -->
    <rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
         xmlns:x="urn:example:unknown">
      <channel>
        <title>Old Feed</title>
        <link>https://news.example.com/</link>
        <description>Kept as it is</description>
        <lastBuildDate>Mon, 01 Jan 2024 00:00:00 +0000</lastBuildDate>
        <item>
          <title>Foreign &amp; proud &#233;</title>
          <link>https://other.example/1</link>
          <guid isPermaLink='false'>foreign-1</guid>
          <pubDate>Mon, 01 Jan 2024 00:00:00 +0000</pubDate>
          <description><![CDATA[<p>Raw <b>CDATA</b> kept]]></description>
          <itunes:duration>12:00</itunes:duration>
          <x:rating  value="5"/>
        </item>
        <item><title>Second foreign</title><guid>foreign-2</guid><!-- note -->
          <pubDate>Sun, 01 Jan 2023 00:00:00 +0000</pubDate></item>
      </channel>
    </rss>
    """
).encode("utf-8")


def raw_items(data: bytes) -> list[bytes]:
    """Each `<item>…</item>` of `data` as written, by a plain byte search
    (not the scanner under test): FOREIGN has no `<item` in its text."""
    return [b"<item>" + part.split(b"</item>")[0] + b"</item>" for part in data.split(b"<item>")[1:]]


def item_trees(data: bytes) -> dict[str, list[tuple]]:
    """ElementTree's reading of each item: (tag, attributes, text, tail) of
    every element in it (the item's own tail is outside it), by guid."""
    channel = ET.fromstring(data).find("channel")
    return {
        item.findtext("guid"): [
            (e.tag, e.attrib, e.text, None if e is item else e.tail) for e in item.iter()
        ]
        for item in channel.iter("item")
    }


def test_foreign_items_are_kept_byte_equal(cli, site):
    feed = site / "feed.xml"
    feed.write_bytes(FOREIGN)
    before = raw_items(FOREIGN)
    assert len(before) == 2 and b"foreign-1" in before[0] and b"foreign-2" in before[1]
    run = cli("feed", "add", *SAMPLES[:3], "--feed", feed)
    assert run.exit_code == 0, run.stderr
    after = feed.read_bytes()
    # Each foreign item's bytes are there once, in their order.
    assert [after.count(raw) for raw in before] == [1, 1]
    assert after.index(before[0]) < after.index(before[1])
    trees = item_trees(after)
    assert len(trees) == 5
    assert {g: trees[g] for g in ("foreign-1", "foreign-2")} == item_trees(FOREIGN)
    assert after.startswith(FOREIGN[: FOREIGN.index(b"<lastBuildDate>")])
    assert b"<lastBuildDate>Mon, 01 Jan 2024" not in after
    parsed = parse(feed)
    assert len(parsed.entries) == 5
    # New items go first, newest first; foreign ones follow in their order.
    assert [e.id for e in parsed.entries][-2:] == ["foreign-1", "foreign-2"]


def test_max_items_trims_oldest_and_says_so(cli, site):
    feed = site / "feed.xml"
    feed.write_bytes(FOREIGN)
    paths = [write_article(site, n) for n in range(1, 4)]
    run = cli("feed", "add", *paths, "--feed", feed, "--max-items", "3")
    assert run.exit_code == 0, run.stderr
    assert "2 oldest dropped" in run.stderr
    ids = [e.id for e in parse(feed).entries]
    assert len(ids) == 3
    assert "foreign-1" not in ids and "foreign-2" not in ids
    # Without the option nothing is ever trimmed.
    run = cli("feed", "add", write_article(site, 9), "--feed", feed)
    assert len(parse(feed).entries) == 4


def test_max_items_from_config(cli, tmp_path):
    (tmp_path / "masthead.toml").write_text(SITE + "max_items = 2\n", encoding="utf-8")
    feed = tmp_path / "feed.xml"
    paths = [write_article(tmp_path, n) for n in range(1, 5)]
    cli("feed", "add", *paths, "--feed", feed)
    titles = [e.title for e in parse(feed).entries]
    assert titles == ["Article Number 4", "Article Number 3"]


def test_remove_by_guid_and_by_article(cli, site):
    feed = site / "feed.xml"
    feed.write_bytes(FOREIGN)
    cli("feed", "add", SEED, ARTICLES / "urban-beekeeping-guide.txt", "--feed", feed)
    run = cli("feed", "remove", "foreign-2", SEED, "--feed", feed)
    assert run.exit_code == 0, run.stderr
    assert "2 removed" in run.stderr
    ids = [e.id for e in parse(feed).entries]
    assert ids == ["https://news.example.com/urban-beekeeping-guide/", "foreign-1"]
    unchanged = feed.read_bytes()
    run = cli("feed", "remove", "no-such-guid", "--feed", feed)
    assert run.exit_code == 1 and "no item with the guid or link 'no-such-guid'" in run.stderr
    assert feed.read_bytes() == unchanged
    # One guid of several that is not there: nothing is removed, and it is named.
    run = cli("feed", "remove", "foreign-1", "typo-guid", "--feed", feed)
    assert run.exit_code == 1 and "'typo-guid'" in run.stderr and "foreign-1'" not in run.stderr
    assert feed.read_bytes() == unchanged


def test_two_articles_with_one_guid_are_refused_not_merged(cli, site):
    for folder, body in (("a", "One."), ("b", "Two.")):
        (site / folder).mkdir()
        (site / folder / "x.txt").write_text(f"Title {folder}\nBy X — 2026-01-01\nDek.\n{body}\n")
    feed = site / "feed.xml"
    run = cli("feed", "add", site / "a" / "x.txt", site / "b" / "x.txt", "--feed", feed)
    assert run.exit_code == 1
    assert "has the same guid as" in run.stderr and "Traceback" not in run.stderr
    assert not feed.exists()
    run = cli(
        "feed", "add", site / "a" / "x.txt", site / "a" / ".." / "a" / "x.txt", "--feed", feed
    )
    assert run.exit_code == 0 and "1 added" in run.stderr


def test_author_and_tag_text_reach_atom_and_json_feed_as_written(cli, site):
    article = site / "a.md"
    article.write_text(
        "---\ntitle: T\nauthor: 'Eve \"Q\" <eve@example.com>'\ntags: ['<b>tag</b>', 'A & B']\n"
        "date: 2026-03-03\nupdated: 2026-03-05\n---\n\nBody.\n"
    )
    feed, atom, jf = site / "feed.xml", site / "atom.xml", site / "feed.json"
    run = cli("feed", "add", article, "--feed", feed, "--atom", atom, "--json-feed", jf)
    assert run.exit_code == 0, run.stderr
    entry = parse(atom).entries[0]
    # Atom has a field for the address.
    assert (entry.author_detail.name, entry.author_detail.email) == ('Eve "Q"', "eve@example.com")
    assert [t.term for t in entry.tags] == ["<b>tag</b>", "A & B"]
    assert entry.updated.startswith("2026-03-05") and entry.published.startswith("2026-03-03")
    item = json.loads(jf.read_text())["items"][0]
    assert item["authors"] == [{"name": 'Eve "Q" <eve@example.com>'}]
    assert item["tags"] == ["<b>tag</b>", "A & B"]
    assert item["date_modified"] == "2026-03-05T00:00:00Z"
    assert parse(feed).entries[0].updated.startswith("2026-03-05")


def test_atom_and_json_feed_siblings(cli, site):
    feed, atom, jf = site / "feed.xml", site / "atom.xml", site / "feed.json"
    feed.write_bytes(FOREIGN)
    run = cli(
        "feed",
        "add",
        *SAMPLES,
        "--feed",
        feed,
        "--atom",
        atom,
        "--json-feed",
        jf,
    )
    assert run.exit_code == 0, run.stderr
    parsed_atom = parse(atom)
    assert parsed_atom.version == "atom10"
    assert len(parsed_atom.entries) == len(SAMPLES) + 2
    stack = next(e for e in parsed_atom.entries if "Newsletter Stack" in e.title)
    assert stack.id == "https://blog.example.com/posts/newsletter-stack-2026/"
    assert "<h2>What Was Broken</h2>" in stack.content[0].value
    assert [a.name for a in stack.authors] == ["Sam Rivera", "Noor Haddad"]
    # A guid that is not a URI gets an id that is one (a new Atom feed's: urn:uuid).
    foreign = next(e for e in parsed_atom.entries if e.get("link") == "https://other.example/1")
    assert foreign.id.startswith("urn:uuid:")
    data = json.loads(jf.read_text(encoding="utf-8"))
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert data["feed_url"] == "https://news.example.com/feed.json"
    assert len(data["items"]) == len(SAMPLES) + 2
    assert all(item["id"] and item["content_html"] for item in data["items"])
    item = next(i for i in data["items"] if i.get("url", "").endswith("newsletter-stack-2026/"))
    assert item["date_published"] == "2026-03-03T08:30:00Z"
    assert item["tags"] == ["newsletters", "developer relations", "open source"]
    # What JSON Feed 1.1 requires of every item: a string id and content.
    for entry in data["items"]:
        assert isinstance(entry["id"], str)
        assert isinstance(entry.get("content_html") or entry.get("content_text"), str)


def test_drafts_are_refused_unless_asked(cli, site):
    draft = site / "draft.md"
    draft.write_text("---\ntitle: Not yet\ndraft: true\n---\nBody.\n", encoding="utf-8")
    feed = site / "feed.xml"
    run = cli("feed", "add", draft, "--feed", feed)
    assert run.exit_code == 1
    assert "is a draft" in run.stderr and "--drafts" in run.stderr
    assert not feed.exists()
    assert cli("feed", "add", draft, "--feed", feed, "--drafts").exit_code == 0
    assert len(parse(feed).entries) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<rss><channel><title>x</title>", "not well-formed"),
        (b"<html><body>not a feed</body></html>", "not <rss>"),
        (b'<?xml version="1.0"?><rss version="2.0"></rss>', "no <channel>"),
    ],
)
def test_invalid_feed_is_left_untouched(cli, site, content, message):
    feed = site / "feed.xml"
    feed.write_bytes(content)
    run = cli("feed", "add", SEED, "--feed", feed)
    assert run.exit_code == 1
    assert message in run.stderr
    assert run.stderr.startswith(f"error: {feed}")
    assert feed.read_bytes() == content


def test_hostile_text_stays_text(cli, site):
    hostile = site / "hostile.txt"
    hostile.write_text(
        "Title <script>alert(1)</script> ]]> \x01\x1b end\n"
        "By Mallory\n"
        "Dek <img src=x onerror=alert(1)> & more\n"
        "Body with ]]> and <iframe src=javascript:alert(1)></iframe>.\n",
        encoding="utf-8",
    )
    feed = site / "feed.xml"
    run = cli("feed", "add", hostile, "--feed", feed, "--atom", site / "atom.xml")
    assert run.exit_code == 0, run.stderr
    ET.parse(feed)
    parsed = parse(feed)
    entry = parsed.entries[0]
    # The title is HTML-escaped (ampersands spelled &#x26;, per the RSS
    # profile): shown as HTML it reads exactly as written, with no tag in it.
    assert "<script" not in entry.title
    assert html.unescape(entry.title) == "Title <script>alert(1)</script> ]]>  end"
    assert b"<title>Title &#x26;lt;script&#x26;gt;" in feed.read_bytes()
    assert "&lt;img src=x onerror=alert(1)&gt;" in entry.summary
    assert "<img" not in entry.summary
    assert "&lt;iframe" in entry.content[0].value
    atom_title = parse(site / "atom.xml").entries[0].title_detail
    assert atom_title.type == "text/html"
    assert html.unescape(atom_title.value).startswith("Title <script>")


def test_feed_without_site_url_warns_but_works(cli, tmp_path):
    # Only the feed's own address: the channel links to the folder it is in.
    (tmp_path / "masthead.toml").write_text('[feed]\nurl = "https://news.example.com/feed.xml"\n')
    feed = tmp_path / "feed.xml"
    run = cli("feed", "add", SEED, "--feed", feed)
    assert run.exit_code == 0
    assert "warning: no site_url" in run.stderr
    assert parse(feed).entries[0].id == "urn:masthead:the-great-ai-divorce"


# --- concurrency and crashes ---------------------------------------------------------


def _add_many(args: tuple[str, list[str]]) -> None:
    feed, paths = args
    from generator.clock import now
    from generator.feedfile import add_articles

    config = parse_config(SITE)
    for path in paths:
        add_articles(Path(feed), [read_path(path)], config, now=now())


def test_eight_processes_add_400_items(tmp_path):
    feed = tmp_path / "feed.xml"
    batches = [
        (str(feed), [str(write_article(tmp_path, p * 50 + n)) for n in range(50)]) for p in range(8)
    ]
    with get_context("fork").Pool(8) as pool:
        pool.map(_add_many, batches)
    parsed = parse(feed)
    assert len(parsed.entries) == 400
    assert len({e.id for e in parsed.entries}) == 400


KILL_SCRIPT = """
import sys
from pathlib import Path
from generator.clock import now
from generator.config import Config, parse_config
from generator.feedfile import add_articles
from generator.readers import read_path
config = parse_config({site!r})
feed = Path(sys.argv[1])
for path in sys.argv[2:]:
    add_articles(feed, [read_path(path)], config, now=now())
    print("added", flush=True)
"""


def test_sigkill_never_breaks_the_feed(tmp_path):
    feed = tmp_path / "feed.xml"
    paths = [str(write_article(tmp_path, n)) for n in range(300)]
    script = tmp_path / "adder.py"
    script.write_text(KILL_SCRIPT.format(site=SITE), encoding="utf-8")
    env = subprocess_env()
    rng = random.Random(1234)
    known: set[str] = set()
    cursor = 0
    for _ in range(50):
        batch = paths[cursor : cursor + 6]
        cursor = (cursor + 6) % len(paths)
        proc = subprocess.Popen(
            [*PYTHON, str(script), str(feed), *batch],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        proc.stdout.readline()  # wait until the first add is done: the rest is racing
        time.sleep(rng.uniform(0, 0.05))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if feed.exists():
            parsed = parse(feed)
            ids = {e.id for e in parsed.entries}
            assert known <= ids, "an item that was there before is gone"
            known = ids
    assert len(known) >= 50


def test_marker_text_in_an_article_is_not_taken_for_its_date(tmp_path):
    """The placeholder a prepared item keeps for its pubDate, written in the
    article's title, stays title text; the real pubDate is still filled in."""
    from generator.channels.rss.feed import PUB_DATE, upsert

    source = tmp_path / "marker.txt"
    source.write_text(
        f"Dates {PUB_DATE} here\nBy Ana — 2026-03-03\nA dek.\n\nA paragraph.\n", encoding="utf-8"
    )
    article = read_path(source)
    now = dt.datetime(2026, 3, 4, tzinfo=dt.UTC)
    data = upsert(None, [article], parse_config(SITE), now=now, name="feed.xml").data
    parsed = feedparser.parse(data)
    assert parsed.entries[0].title == f"Dates {PUB_DATE} here"
    assert parsed.entries[0].published == "Tue, 03 Mar 2026 00:00:00 +0000"


def test_hard_line_break_is_a_br_in_item_html(tmp_path):
    source = tmp_path / "breaks.md"
    source.write_text("---\ntitle: T\n---\n\n**a**  \n*b*\n", encoding="utf-8")
    assert "<p><strong>a</strong><br /><em>b</em></p>" in article_html(read_path(source))


def test_nested_list_is_nested_in_item_html(tmp_path):
    source = tmp_path / "nested.md"
    source.write_text("---\ntitle: T\n---\n\n- a\n  1. b\n- c\n", encoding="utf-8")
    assert "<ul><li>a<ol><li>b</li></ol></li><li>c</li></ul>" in article_html(read_path(source))


def test_feed_lock_falls_back_to_a_lock_file_where_a_folder_cannot_be_locked(
    cli, site, monkeypatch
):
    """NFS refuses an exclusive flock on a folder opened read-only (EBADF):
    the feed is then locked through `feed.xml.lock`, not left unlocked."""
    import errno
    import fcntl
    import stat

    from generator import feedfile

    locked: list[str] = []
    real_flock = fcntl.flock

    def nfs_flock(fd, operation):
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(errno.EBADF, "Bad file descriptor")
        locked.append(os.readlink(f"/proc/self/fd/{fd}"))
        return real_flock(fd, operation)

    monkeypatch.setattr(feedfile.fcntl, "flock", nfs_flock)
    feed = site / "feed.xml"
    run = cli("feed", "add", SEED, "--feed", feed)
    assert run.exit_code == 0, run.stderr
    # (Temporary files are locked too, while they are written: see writers.)
    assert [path for path in locked if not path.endswith(".tmp")] == [str(feed) + ".lock"]
    assert len(parse(feed).entries) == 1


def test_a_failing_folder_lock_is_an_error_not_a_different_lock(cli, site, monkeypatch):
    """Only "folders cannot be locked here" falls back to the lock file: a
    passing failure (ENOLCK) must not let two processes hold different locks."""
    import errno
    import stat

    from generator import feedfile

    real_flock = feedfile.fcntl.flock

    def no_locks_left(fd, operation):
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(errno.ENOLCK, "No locks available")
        return real_flock(fd, operation)

    monkeypatch.setattr(feedfile.fcntl, "flock", no_locks_left)
    feed = site / "feed.xml"
    run = cli("feed", "add", SEED, "--feed", feed)
    assert run.exit_code == 1 and "cannot lock the feed's folder" in run.stderr
    assert not feed.exists() and not (site / "feed.xml.lock").exists()


def test_a_linked_feed_is_updated_where_it_lives(cli, site):
    real = site / "real"
    real.mkdir()
    cli("feed", "add", SEED, "--feed", real / "feed.xml")
    published = site / "pub"
    published.mkdir()
    (published / "feed.xml").symlink_to("../real/feed.xml")
    run = cli(
        "feed", "add", ARTICLES / "urban-beekeeping-guide.txt", "--feed", published / "feed.xml"
    )
    assert run.exit_code == 0, run.stderr
    assert (published / "feed.xml").is_symlink()
    assert len(parse(real / "feed.xml").entries) == 2
    run = cli("feed", "add", SEED, "--feed", os.devnull)
    assert run.exit_code == 1 and "is not a regular file" in run.stderr


def test_feed_settings_added_to_the_config_later_reach_the_feed(cli, tmp_path):
    feed, atom, jf = tmp_path / "feed.xml", tmp_path / "atom.xml", tmp_path / "feed.json"
    config = tmp_path / "masthead.toml"
    config.write_text('[feed]\nurl = "https://news.example.com/feed.xml"\n')
    run = cli("feed", "add", SEED, "--feed", feed, "--config", config)
    assert run.exit_code == 0, run.stderr
    config.write_text(
        'site_url = "https://news.example.com"\n[feed]\ntitle = "The Ledger & Co"\n'
        'url = "https://news.example.com/feed.xml"\n'
    )
    more = ("--atom", atom, "--json-feed", jf, "--config", config)
    run = cli("feed", "add", ARTICLES / "urban-beekeeping-guide.txt", "--feed", feed, *more)
    assert run.exit_code == 0, run.stderr
    channel = parse(feed).feed
    assert channel.title == "The Ledger & Co" and channel.link == "https://news.example.com"
    assert channel.subtitle == "Articles from The Ledger & Co"
    assert parse(atom).feed.title == "The Ledger & Co"
    data = json.loads(jf.read_text())
    assert data["title"] == "The Ledger & Co"
    assert data["home_page_url"] == "https://news.example.com"


def test_another_tools_feed_keeps_its_channel_unless_feed_settings_say_otherwise(cli, site):
    feed = site / "feed.xml"
    feed.write_bytes(FOREIGN)
    before = parse(feed).feed
    (site / "masthead.toml").write_text(SITE + '[brand]\nname = "Our Brand"\n')
    run = cli("feed", "add", SEED, "--feed", feed)
    assert run.exit_code == 0, run.stderr
    after = parse(feed).feed
    assert (after.title, after.link) == (before.title, before.link)


@pytest.mark.parametrize("command", ["feed", "render"])
def test_a_site_url_set_later_replaces_the_item_instead_of_adding_it_twice(cli, tmp_path, command):
    config = tmp_path / "masthead.toml"
    config.write_text('[feed]\nurl = "https://news.example.com/feed.xml"\n')
    out = tmp_path / "out"
    out.mkdir()
    feed = out / "feed.xml"

    def publish():
        if command == "feed":
            return cli("feed", "add", SEED, "--feed", feed, "--config", config)
        return cli("render", SEED, "-o", out, "--config", config, "-q")

    assert publish().exit_code == 0
    first = scan(feed.read_bytes(), "f").items[0]
    assert first.guid == "urn:masthead:the-great-ai-divorce"
    config.write_text('site_url = "https://news.example.com"\n')
    run = publish()
    assert run.exit_code == 0, run.stderr
    items = scan(feed.read_bytes(), "f").items
    assert [i.guid for i in items] == ["https://news.example.com/the-great-ai-divorce/"]
    assert items[0].first("pubDate") == first.first("pubDate")  # when it was first published


@pytest.mark.parametrize(
    "head",
    [
        "<title>Old</title><description/>",
        "<title/><description/>",
        "<title>O</title><lastBuildDate/>",
    ],
)
def test_empty_channel_elements_are_updated_without_eating_the_next_tag(cli, tmp_path, head):
    (tmp_path / "masthead.toml").write_text(
        'site_url = "https://news.example.com"\n[feed]\ntitle = "Daily"\ndescription = "News"\n'
    )
    feed = tmp_path / "feed.xml"
    feed.write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>{head}\n'
        "<item><title>A</title><guid>a1</guid></item></channel></rss>\n"
    )
    run = cli("feed", "add", SEED, "--feed", feed, "--config", tmp_path / "masthead.toml")
    assert run.exit_code == 0, run.stderr
    channel = ET.parse(feed).getroot().find("channel")
    assert channel.findtext("title") == "Daily"
    assert [i.findtext("guid") for i in channel.findall("item")][-1] == "a1"
    assert len(channel.findall("item")) == 2
