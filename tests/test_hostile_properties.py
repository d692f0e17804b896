"""Generated whole articles, both formats, through every channel.

Mixed scripts, emoji sequences, markup, control characters and merge-tag
look-alikes. The articles are valid by construction, so every one must read
and reach every channel (a refusal fails the test) and give inert output —
HTML with only our elements, well-formed feeds, posts within their limits,
no live merge tag. The same articles broken in known ways must fail with the
reader's own error.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import feedparser
import pytest
from conftest import examples, yaml_string
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
from generator.errors import ReaderError
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
    "\x1b[31mred\x1b[0m",  # a colour pasted from a terminal
    "e\u0301",
    "—",
    "…",
]
# Characters that make a file "binary" to the reader (more than 5 % of them
# and it refuses the file: test_broken_articles_are_refused), and line breaks
# of every kind (LF, CR, VT, FF, NEL, U+2028, U+2029), which would change the
# layout. ESC comes only in whole terminal sequences (the token above): a
# stray ESC ] … ESC \\ would swallow the text between, and with it the words
# a valid article needs.
_NOT_IN_A_LINE = "".join(map(chr, [*range(0x00, 0x09), *range(0x0A, 0x20), 0x85, 0x2028, 0x2029]))
visible = st.one_of(  # a word that reads as text whatever surrounds it
    st.sampled_from(TOKENS),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=10),
)
word = st.one_of(
    visible,
    st.text(
        alphabet=st.characters(exclude_categories=("Cs",), exclude_characters=_NOT_IN_A_LINE),
        min_size=1,
        max_size=6,
    ),
)
# Front-matter values are YAML strings, escaped, so any character may be in them.
yaml_word = st.one_of(visible, st.text(min_size=1, max_size=6))


def sentences(words: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Words joined by spaces, one of them always visible text, so a line is
    never blank once the reader drops control characters."""

    @st.composite
    def build(draw: st.DrawFn) -> str:
        chosen = draw(st.lists(words, max_size=17))
        chosen.insert(draw(st.integers(0, len(chosen))), draw(visible))
        return " ".join(chosen).strip()

    return build()


sentence = sentences(word)
block = st.one_of(
    sentence.map(lambda s: ("p", s + ".")),
    st.lists(sentence, min_size=1, max_size=4).map(lambda items: ("list", items)),
    st.tuples(sentence, sentence).map(lambda q: ("quote", q)),
)
section = st.tuples(sentence, st.lists(block, max_size=4))


@st.composite
def body(draw: st.DrawFn) -> tuple[list, list]:
    """A lead and sections with at least one block between them (an article
    without a body is refused: test_broken_articles_are_refused)."""
    lead = draw(st.lists(block, max_size=3))
    sections = draw(st.lists(section, min_size=0 if lead else 1, max_size=4))
    if not lead and not any(blocks for _, blocks in sections):
        where = draw(st.integers(0, len(sections) - 1))
        sections[where] = (sections[where][0], [draw(block)])
    return lead, sections


@st.composite
def valid_article(draw: st.DrawFn) -> tuple:
    """A valid article's parts: every one must read, and reach every channel."""
    markdown = draw(st.booleans())  # Markdown or the seed layout
    text = sentences(yaml_word) if markdown else sentence
    title = draw(text)
    # In the seed layout a line after the title starting "By " is a byline.
    dek = draw(text.filter(lambda line: not line.startswith("By ")))
    lead, sections = draw(body())
    tags = draw(st.lists(sentences(yaml_word), max_size=3)) if markdown else []
    return markdown, title, dek, lead, sections, tags


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
    lines = ["---", f"title: {yaml_string(title)}", f"description: {yaml_string(dek)}"]
    lines.append("tags: [" + ", ".join(yaml_string(t) for t in tags) + "]")
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


@settings(max_examples=examples(1000), suppress_health_check=[HealthCheck.too_slow])
@given(valid_article())
def test_generated_articles_through_every_channel(parts):
    markdown, title, dek, lead, sections, tags = parts
    source = (
        as_markdown(title, dek, lead, sections, tags)
        if markdown
        else as_seed(title, dek, lead, sections)
    )
    # Valid by construction: a ReaderError here fails the test, with its message.
    parsed = read_bytes(source.encode("utf-8"), name="gen", fmt="markdown" if markdown else "seed")

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
        # No word is longer than a post, so every platform gets its thread.
        thread = build_thread(parsed, key, CONFIG)
        assert thread.posts
        for post in thread.posts:
            assert rules.fits(post.text)
            assert post.text.strip()

    item = article_item_xml(parsed, CONFIG, now=NOW)
    ET.fromstring(item)
    feed = upsert(None, [parsed], CONFIG, now=NOW, name="feed.xml").data
    result = feedparser.parse(feed)
    assert result.bozo == 0, result.get("bozo_exception")
    assert len(result.entries) == 1


# Each way of breaking a valid article, and what the reader's error says.
BREAKS = {
    "a NUL byte": "looks like a binary file",
    "no body": "has no body",
    # (A raw C1 control is no longer one: the reader drops it, as it does C0's.)
    "an unknown escape in the front matter": "not valid YAML",
    "an unclosed front matter": "never closed",
    "a question without an answer": "has no answer",
}
MARKDOWN_ONLY = {"an unknown escape in the front matter", "an unclosed front matter"}


@settings(max_examples=examples(200))
@given(valid_article(), st.sampled_from(sorted(BREAKS)), st.integers(0, 10**6))
def test_broken_articles_are_refused(parts, damage, where):
    """Rejection is the point here: the same hostile articles, each broken in
    one known way, are refused with the reader's own error, naming the file."""
    markdown, title, dek, lead, sections, tags = parts
    markdown = markdown or damage in MARKDOWN_ONLY
    if damage == "no body":
        lead, sections = [], []
    if damage == "a question without an answer":
        sections = [*sections, ("FAQ", [("p", "Why?")])]  # the answer never comes
    source = (
        as_markdown(title, dek, lead, sections, tags)
        if markdown
        else as_seed(title, dek, lead, sections)
    )
    if damage == "a question without an answer" and markdown:
        source = source.replace("\nWhy?\n", "\n### Why?\n")
    if damage == "a NUL byte":
        at = where % (min(len(source), 4096) + 1)  # the reader looks at the first 8 KB
        source = source[:at] + "\x00" + source[at:]
    if damage == "an unknown escape in the front matter":
        source = source.replace('title: "', 'title: "\\q', 1)
    if damage == "an unclosed front matter":
        source = source.replace("\n---\n", "\n", 1)
    with pytest.raises(ReaderError) as refused:
        read_bytes(source.encode("utf-8"), name="gen", fmt="markdown" if markdown else "seed")
    assert str(refused.value).startswith("gen"), refused.value
    assert BREAKS[damage] in str(refused.value), (damage, str(refused.value))
