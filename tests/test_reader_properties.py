"""Property: any text made of valid layout lines reads into an Article or fails
with the reader's own error, never anything else."""

from __future__ import annotations

import contextlib

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.errors import ReaderError
from generator.model import Article
from generator.readers import read_bytes

words = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\u2028\u2029\x85"
    ),
    min_size=1,
    max_size=12,
).filter(lambda w: w.strip() == w and w)
sentence = st.lists(words, min_size=1, max_size=14).map(" ".join)
title_word = st.sampled_from(["Key", "Facts", "What", "Comes", "Next", "of", "the", "FAQ", "2026"])

line = st.one_of(
    sentence.map(lambda s: s + "."),  # paragraph
    sentence,  # paragraph, attribution or heading, depending on shape
    st.lists(title_word, min_size=1, max_size=5).map(" ".join),  # heading-like
    sentence.map(lambda s: "- " + s),  # list item
    sentence.map(lambda s: s + "?"),  # question
    sentence.map(lambda s: "— " + s),  # explicit attribution
    st.sampled_from(["FAQ", "Frequently Asked Questions", "", "   "]),
    st.builds(
        lambda a, d, m: f"By {a} — {d} — {m} min read",
        sentence,
        st.sampled_from(["", "March 3, 2026", "2026-02-30", "3 Foo 2026", "2026-03-03"]),
        st.integers(0, 120),
    ),
    sentence.map(lambda s: f"{s} https://example.com/{len(s)}?q=1"),
)


@settings(max_examples=400)
@given(st.lists(line, max_size=30))
def test_any_layout_text_reads_or_fails_cleanly(lines):
    text = "\n".join(lines)
    try:
        article = read_bytes(text.encode("utf-8"), name="gen.txt")
    except ReaderError as exc:
        assert str(exc).startswith("gen.txt:")
        return
    assert isinstance(article, Article)
    assert article.title
    assert article.slug.isascii() and article.slug
    assert article.reading_minutes >= 1
    assert article.lead or any(s.blocks for s in article.sections)


@settings(max_examples=200)
@given(st.binary(max_size=400))
def test_any_bytes_read_or_fail_cleanly(data):
    with contextlib.suppress(ReaderError):
        read_bytes(data, name="bytes.txt")
