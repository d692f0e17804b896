"""Generated whole articles, both formats, through every channel.

Mixed scripts, emoji sequences, markup and merge-tag look-alikes: every
article either fails with the reader's own error or gives inert output —
HTML with only our elements, well-formed feeds, posts within their limits,
no live merge tag.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import feedparser
from htmlcheck import ALLOWED_ATTRS, ALLOWED_TAGS, Page, assert_same_email
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.channels.email import build_email
from generator.channels.email.html import _render_html
from generator.channels.email.parts import email_parts, html_attr
from generator.channels.rss.feed import upsert
from generator.channels.rss.item import article_item_xml
from generator.channels.thread import build_thread
from generator.config import parse_config
from generator.errors import MastheadError, ReaderError
from generator.esp import all_patterns
from generator.platforms import platforms
from generator.readers import read_bytes

CONFIG = parse_config('site_url = "https://news.example.com"\n')
NOW = dt.datetime(2026, 3, 3, tzinfo=dt.UTC)

TOKENS = [
    "<script>alert(1)</script>",
    "<iframe src=x>",
    "onclick=alert(1)",
    "<mj-text>",
    "</mj-column>",
    "{{ x }}",
    "{% if %}",
    "*|UNSUB|*",
    "{$unsubscribe}",
    "[unsubscribe]",
    "<unsubscribe>",
    "]]>",
    "&amp;",
    "&lt;b&gt;",
    '"quoted"',
    "'single'",
    "javascript:alert(1)",
    "https://example.com/a?b=1&c=2#d",
    "https://例子.com/路径",
    "👨‍👩‍👧‍👦",
    "🇯🇵",
    "👍🏽",
    "❤️",
    "東京の図書館。",
    "مكتبة جديدة.",
    "\u202eevil",
    "zero\u200bwidth",
    "e\u0301",
    "—",
    "…",
]
word = st.one_of(
    st.sampled_from(TOKENS),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=10),
    st.text(min_size=1, max_size=6).filter(lambda w: not any(c in w for c in "\n\r")),
)
sentence = st.lists(word, min_size=1, max_size=18).map(" ".join).map(lambda s: s.strip() or "x")
block = st.one_of(
    sentence.map(lambda s: ("p", s + ".")),
    st.lists(sentence, min_size=1, max_size=4).map(lambda items: ("list", items)),
    st.tuples(sentence, sentence).map(lambda q: ("quote", q)),
)
section = st.tuples(sentence, st.lists(block, max_size=4))
article = st.tuples(
    st.booleans(),  # Markdown or the seed layout
    sentence,
    sentence,
    st.lists(block, max_size=3),
    st.lists(section, max_size=4),
    st.lists(sentence, max_size=3),
)


def as_seed(title, dek, lead, sections) -> str:
    lines = [title, dek]

    def blocks(items):
        for kind, value in items:
            if kind == "p":
                lines.append(value)
            elif kind == "list":
                lines.extend("- " + v for v in value)
            else:
                lines.extend([value[0] + ".", "— " + value[1]])

    blocks(lead)
    for heading, items in sections:
        lines.append(heading[:60])
        blocks(items)
    return "\n".join(lines) + "\n"


def as_markdown(title, dek, lead, sections, tags) -> str:
    def quote(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = ["---", f"title: {quote(title)}", f"description: {quote(dek)}"]
    lines.append("tags: [" + ", ".join(quote(t) for t in tags) + "]")
    lines += ["---", ""]

    def blocks(items):
        for kind, value in items:
            if kind == "p":
                lines.extend([value, ""])
            elif kind == "list":
                lines.extend(["- " + v for v in value] + [""])
            else:
                lines.extend([f"> {value[0]}", f"> — {value[1]}", ""])

    blocks(lead)
    for heading, items in sections:
        lines.extend([f"## {heading}", ""])
        blocks(items)
    return "\n".join(lines)


@settings(max_examples=2000, suppress_health_check=[HealthCheck.too_slow])
@given(article)
def test_generated_articles_through_every_channel(parts):
    markdown, title, dek, lead, sections, tags = parts
    source = (
        as_markdown(title, dek, lead, sections, tags)
        if markdown
        else as_seed(title, dek, lead, sections)
    )
    try:
        parsed = read_bytes(
            source.encode("utf-8"), name="gen", fmt="markdown" if markdown else "seed"
        )
    except ReaderError:
        return

    email = build_email(parsed, CONFIG)
    parts = email_parts(parsed, CONFIG)
    whole = _render_html(parts, reuse_compiled=False)
    assert_same_email(email.html, whole, html_attr(parts.subject_raw))
    page = Page(email.html)
    for tag, attrs in page.tags:
        assert tag in ALLOWED_TAGS, tag
        assert set(attrs) <= ALLOWED_ATTRS, attrs
        for name in ("href", "src"):
            if name in attrs:
                assert attrs[name].startswith(("https://", "http://", "mailto:"))
    for pattern in all_patterns():
        assert not pattern.search(email.html)
        assert not pattern.search(email.text)

    for key, rules in platforms().items():
        try:
            thread = build_thread(parsed, key, CONFIG)
        except MastheadError:
            continue  # a token longer than a whole post: a clear error, never a long post
        for post in thread.posts:
            assert rules.fits(post.text)
            assert post.text.strip()

    item = article_item_xml(parsed, CONFIG, now=NOW)
    ET.fromstring(item)
    feed = upsert(None, [parsed], CONFIG, now=NOW, name="feed.xml").data
    result = feedparser.parse(feed)
    assert result.bozo == 0, result.get("bozo_exception")
    assert len(result.entries) == 1
