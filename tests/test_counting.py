"""Post length counted exactly as each platform counts it."""

from __future__ import annotations

import json
import subprocess

import pytest
from conftest import PYTHON, ROOT
from twitter_text import parse_tweet
from twitter_text.config import config as twitter_config

from generator.text.counting import (
    bluesky_length,
    bluesky_short_url,
    bluesky_shorten,
    grapheme_length,
    mastodon_length,
    threads_length,
    threads_link_count,
    twitter_length,
    utf16_length,
)

CONFORMANCE = json.loads(
    (ROOT / "tests" / "data" / "twitter_weighted_conformance.json").read_text(encoding="utf-8")
)


def cases(*sections: str):
    return [
        pytest.param(case["text"], case["weightedLength"], id=f"{section}: {case['description']}")
        for section in sections
        for case in CONFORMANCE["sections"][section]
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    cases("WeightedTweetsWithDiscountedEmojiCounterTest", "UnicodeDirectionalMarkerCounterTest"),
)
def test_twitter_v3_conformance(text, expected):
    assert twitter_length(text) == expected


@pytest.mark.parametrize(("text", "expected"), cases("WeightedTweetsCounterTest"))
def test_authority_agrees_with_v2_conformance(text, expected):
    # The v2 section checks the authority itself (no emoji parsing in v2).
    options = dict(twitter_config["version2"], emoji_parsing_enabled=False)
    assert parse_tweet(text, options).weightedLength == expected


def test_twitter_counts():
    assert twitter_length("a" * 280) == 280
    assert twitter_length("日本") == 4
    assert twitter_length("see https://example.com/a/very/long/path/indeed") == 27
    assert twitter_length("👨‍👩‍👧‍👦") == 2


def test_bluesky_shortening_rules():
    assert bluesky_short_url("https://example.com/") == "example.com"
    assert bluesky_short_url("https://www.example.com/abc") == "www.example.com/abc"
    # The path (slash, query and fragment included) is cut past 15 characters.
    assert bluesky_short_url("https://example.com/12345678901234") == ("example.com/12345678901234")
    assert bluesky_short_url("https://example.com/123456789012345") == (
        "example.com/123456789012..."
    )
    assert bluesky_short_url("https://www.example.com/articles/2024/slug?utm=x") == (
        "www.example.com/articles/202..."
    )
    assert bluesky_short_url("https://example.com/?q=1") == "example.com?q=1"
    assert bluesky_short_url("https://example.com:443/a") == "example.com/a"


def test_bluesky_counts_graphemes_of_the_shortened_text():
    text = "Read https://www.example.com/articles/2024/some-long-slug?utm=x now 👨‍👩‍👧‍👦"
    shown, links = bluesky_shorten(text)
    assert shown == "Read www.example.com/articles/202... now 👨‍👩‍👧‍👦"
    assert bluesky_length(text) == grapheme_length(shown) == 42
    start, end, uri = links[0]
    assert shown[start:end] == "www.example.com/articles/202..."
    assert uri == "https://www.example.com/articles/2024/some-long-slug?utm=x"
    # Trailing sentence punctuation is not part of the link.
    assert bluesky_shorten("See https://a.example/x.")[0] == "See a.example/x."


def test_mastodon_counts_urls_as_23_and_mentions_without_domain():
    assert mastodon_length("https://a.example.com") == 23
    assert mastodon_length("x https://a.example.com/" + "p" * 100) == 25
    # Not a URL to twitter-text (no known top-level domain): counted in full.
    assert mastodon_length("https://a.example") == 17
    assert mastodon_length("@alice@mastodon.social hi") == len("@alice hi")
    assert mastodon_length("🇯🇵👍🏽") == 2


def test_threads_counts_emoji_as_utf8_bytes_and_links():
    assert threads_length("abc") == 3
    assert threads_length("😀") == 4
    assert threads_length("👨‍👩‍👧‍👦") == 25
    assert threads_length("❤️") == 6
    assert threads_link_count("https://a.example https://b.example https://a.example") == 2


def test_utf16():
    assert utf16_length("a😀") == 3


def test_url_extractor_loads_without_twitter_texts_emoji_matcher():
    """Counting an X post with a link loads only twitter-text's URL extractor
    (its emoji matcher costs a third of a one-article render), and leaves the
    package importable as usual afterwards."""
    code = (
        "import sys\n"
        "from generator.text.counting import twitter_length\n"
        "assert twitter_length('see https://example.com/a/long/path/here') == 27\n"
        "assert 'twitter_text.extract_emojis' not in sys.modules\n"
        "assert 'twitter_text' not in sys.modules\n"
        "from twitter_text import parse_tweet\n"
        "assert parse_tweet('see https://example.com/a/long/path/here').weightedLength == 27\n"
        "print('ok')\n"
    )
    run = subprocess.run(
        [*PYTHON, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert run.stdout.strip() == "ok", run.stderr
