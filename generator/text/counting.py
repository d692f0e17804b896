"""Post length as each platform counts it.

Each counter takes the post text exactly as the user will paste it and returns
the number the platform compares with its limit:

- `twitter`: twitter-text v3 weighted length (URLs 23, emoji 2, CJK 2).
  `twitter-text-parser` is the authority. Its full parse is slow (about 1 ms
  a call, most of it matching emoji), so a text that provably holds no emoji
  sequence is counted here with the same weight table and the authority's
  own URL extractor; anything else goes to the full parse. Tests compare the
  two on the official conformance cases and on 10,000 generated texts.
- `bluesky`: grapheme clusters, with each http(s) link counted as the app
  shows it after shortening (host + first 13 characters of the path + `...`).
- `mastodon`: grapheme clusters, as Mastodon's StatusLengthValidator counts:
  a URL with a scheme counts 23 where twitter-text's extractor finds one (a
  known top-level domain; the path ends where twitter-text ends it), and a
  mention `@user@domain` counts as `@user`.
- `threads`: grapheme clusters, except that an emoji counts its UTF-8 bytes.
- `utf16`: UTF-16 code units (LinkedIn).
"""

from __future__ import annotations

import functools
import importlib.util
import re
import sys
import unicodedata
from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import regex

from generator.text.emojis import code_points as emoji_code_points

_T = TypeVar("_T")

GRAPHEME = regex.compile(r"\X")

# twitter-text v3 (config/v3.json): code points in these ranges weigh 1, all
# others 2; a URL weighs 23 and an emoji sequence 2.
TWITTER_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
TWITTER_URL_LENGTH = 23
# A URL needs a dot followed by a letter (the TLD); without one there is none.
_MAYBE_URL = regex.compile(r"[.．。｡]\p{L}")


def dot_letter(text: str) -> bool:
    """Whether `_MAYBE_URL` matches in `text`, found from its dots: each
    one's next character (the regex only for one beyond ASCII), the regex
    over the text only when it holds a full-width stop. The regex tries at
    every character; a post has a few dots."""
    if not text.isascii() and ("．" in text or "。" in text or "｡" in text):
        return _MAYBE_URL.search(text) is not None
    dot = text.find(".")
    while dot >= 0:
        after = text[dot + 1 : dot + 2]
        if after.isalpha() if after.isascii() else _MAYBE_URL.match(text, dot) is not None:
            return True
        dot = text.find(".", dot + 1)
    return False

# Bluesky's app detects links with a scheme and shortens their text; the host
# must end in a letter TLD for it to be detected at all.
LINK = re.compile(r"https?://[^\s<>\"'“”‘’]+", re.IGNORECASE)
_TRAILING = ".,;:!?"
MASTODON_URL_LENGTH = 23
# Mastodon's Account::MENTION_RE: "@" not after "=", "/" or a word character
# (Ruby's [[:word:]]), a username with "." or "-" only between its letters,
# and an optional "@domain" of words joined by "." or "-".
_WORD = r"\p{L}\p{M}\p{Nd}\p{Pc}"
_MENTION = regex.compile(
    rf"(?<![=/{_WORD}])@((?i:[a-z0-9_]+(?:[.-]+[a-z0-9_]+)*))"
    rf"(?:@[{_WORD}]+(?:[.-]+[{_WORD}]+)*)?"
)
# twitter-text's end of a mention, which Mastodon's extractor keeps: a match
# followed by an at sign, an accented Latin letter or "://" is no mention.
_NO_MENTION_BEFORE = regex.compile(
    "[@\uff20\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u024f\u0253\u0254"
    "\u0256\u0257\u0259\u025b\u0263\u0268\u026f\u0272\u0289\u028b\u02bb"
    "\u0300-\u036f\u1e00-\u1eff]|://"
)


# Characters after which every code point is its own grapheme cluster: ASCII
# but CR, Latin, common punctuation and single-code-point emoji. Anything
# else (combining marks, ZWJ, variation selectors, skin tones, flags, Hangul
# jamo, Indic scripts, CR LF) goes to the full segmenter.
_NOT_SIMPLE = re.compile(
    "[^\x00-\x0c\x0e-\u02ff\u2010-\u2027\u2030-\u205e"
    "\U0001f000-\U0001f1e5\U0001f200-\U0001f3fa\U0001f400-\U0001faff]"
)


def grapheme_length(text: str) -> int:
    if not _NOT_SIMPLE.search(text):
        return len(text)
    return len(GRAPHEME.findall(text))


def graphemes(text: str) -> list[str]:
    return GRAPHEME.findall(text)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# --- X ------------------------------------------------------------------------


@cache
def _emoji_code_points() -> frozenset[str]:
    """Every code point that is, or is part of, an emoji (keycap bases aside)."""
    points = set(emoji_code_points())
    # Keycap bases are ordinary characters unless followed by U+FE0F/U+20E3,
    # which are in the set themselves.
    points.difference_update("0123456789#*")
    return frozenset(points | _EMOJI_JOINERS)


# Every emoji of more than one code point holds one of these: variation
# selectors, ZWJ, the keycap mark, skin tones, regional indicators, tags.
_EMOJI_JOINERS = frozenset(
    "\ufe0f\ufe0e\u200d\u20e3"
    + "".join(chr(c) for c in range(0x1F3FB, 0x1F400))
    + "".join(chr(c) for c in range(0x1F1E6, 0x1F200))
    + "".join(chr(c) for c in range(0xE0020, 0xE0080))
)
# Emoji inside the weight-1 ranges: alone they weigh 2, not 1.
_LIGHT_EMOJI = frozenset("\u00a9\u00ae")
# Either of them, found by one search (a set's `isdisjoint` with a text looks
# its characters up one by one).
_JOINER_OR_LIGHT = re.compile(
    "[\ufe0f\ufe0e\u200d\u20e3\U0001f3fb-\U0001f3ff\U0001f1e6-\U0001f1ff"
    "\U000e0020-\U000e007f\u00a9\u00ae]"
)


# Code points outside the weight-1 ranges: each weighs 2, so adds 1 to the length.
_HEAVY = re.compile(
    "[^" + "".join(f"\\U{start:08x}-\\U{end:08x}" for start, end in TWITTER_LIGHT_RANGES) + "]"
)


def twitter_length(text: str) -> int:
    """The twitter-text v3 weighted length of `text`.

    Counted here when the text holds no multi-code-point emoji (none of
    `_EMOJI_JOINERS`) and neither © nor ®: then every code point weighs what
    the weight table says, a lone emoji, being outside the weight-1 ranges,
    weighs 2 either way, and each URL — found by twitter-text's own
    extractor, the cheap part of it — weighs 23. Anything else goes to the
    authority's full parse, which costs a millisecond a post.
    """
    normalized = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    if _JOINER_OR_LIGHT.search(normalized):
        return twitter_authority_length(text)
    if "://" in normalized or dot_letter(normalized):
        # A URL never spans a line, and what the extractor makes of a line
        # depends on the line breaks round it, not on the other lines: each
        # line is counted apart, with its breaks, and a line the thread asks
        # about again (its link, under another post number) is not searched
        # for URLs again.
        lines = normalized.split("\n")
        last = len(lines) - 1
        return last + sum(
            _twitter_line(("\n" if number else "") + line + ("\n" if number < last else ""))
            for number, line in enumerate(lines)
        )
    return len(normalized) + len(_HEAVY.findall(normalized))


def _twitter_line_afresh(line: str) -> int:
    """The weighted length of one line of NFC text without emoji sequences,
    its line breaks (before it, after it) not counted."""
    breaks = line.count("\n")
    if "://" not in line and not dot_letter(line):
        return len(line) + len(_HEAVY.findall(line)) - breaks
    pieces: list[str] = []
    position = 0
    urls = 0
    for entity in _url_extractor()(line):
        start = entity["indices"][0]
        pieces.append(line[position:start])
        position = start + len(entity["url"])
        urls += 1
    pieces.append(line[position:])
    rest = "".join(pieces)
    return len(rest) + len(_HEAVY.findall(rest)) + TWITTER_URL_LENGTH * urls - breaks


def twitter_authority_length(text: str) -> int:
    from twitter_text.parse_tweet import parse_tweet  # slow import, only when needed

    return parse_tweet(text).weightedLength


@cache
def _url_extractor() -> Callable[[str], list[dict[str, Any]]]:
    """twitter-text's URL extractor, imported without the package's
    `__init__`, which also loads its emoji matcher (pkg_resources and a
    regex of every emoji: 120 ms, more than a third of a one-article render).
    The package is registered bare only while the submodule loads, then
    removed, so a later `import twitter_text` runs its `__init__` as usual."""
    if "twitter_text" in sys.modules:
        from twitter_text.extract_urls import extract_urls_with_indices

        return extract_urls_with_indices
    spec = importlib.util.find_spec("twitter_text")
    if spec is None:
        raise ModuleNotFoundError("twitter_text")
    sys.modules["twitter_text"] = importlib.util.module_from_spec(spec)
    try:
        from twitter_text.extract_urls import extract_urls_with_indices
    finally:
        del sys.modules["twitter_text"]
    return extract_urls_with_indices


# --- Bluesky ----------------------------------------------------------------------


def find_links(text: str) -> list[tuple[int, int]]:
    """Spans of http(s) links as a link detector sees them (trailing punctuation
    and an unbalanced closing parenthesis are not part of the link)."""
    spans = []
    for match in LINK.finditer(text):
        start = match.start()
        url = match.group()
        if url[-1] in _TRAILING:
            url = url[:-1]
        if url.endswith(")") and "(" not in url:
            url = url[:-1]
        if _has_tld(url):
            spans.append((start, start + len(url)))
    return spans


def _has_tld(url: str) -> bool:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return False
    tld = host.rsplit(".", 1)[-1] if "." in host else ""
    # An international TLD as links carry it (IDNA: .рф is .xn--p1ai), which
    # Bluesky's list of TLDs holds too.
    return len(tld) >= 2 and (tld.isalpha() or tld.startswith("xn--"))


def bluesky_short_url(url: str) -> str:
    """The link text Bluesky's app publishes for `url`."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").encode("idna").decode("ascii")
        port = parts.port
    except (ValueError, UnicodeError):
        return url
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not host:
        return url
    # The app parses with the WHATWG URL parser: default ports vanish, the
    # host is punycode, non-ASCII in the rest is percent-encoded.
    if port is not None and port != {"http": 80, "https": 443}[scheme]:
        host += f":{port}"
    path = "" if parts.path in ("", "/") else _percent_encode(parts.path, "`{} ")
    if parts.query:
        path += "?" + _percent_encode(parts.query, " '")
    if parts.fragment:
        path += "#" + _percent_encode(parts.fragment, "` ")
    if len(path) > 15:
        return host + path[:13] + "..."
    return host + path


_NEEDS_PERCENT = re.compile(r"[^\x21-\x7e]")


def _percent_encode(text: str, also: str) -> str:
    if not _NEEDS_PERCENT.search(text) and not any(c in text for c in also):
        return text  # the usual case: nothing to encode
    return "".join(
        quote(c, safe="") if ord(c) > 0x7E or ord(c) < 0x21 or c in also else c for c in text
    )


# Laying out a thread counts the same text several times (to split it, to
# check it with its number, to report it): counters remember recent texts of
# a post's size. A longer text (a whole paragraph tried before it is split)
# is worked out afresh: a thousand of those kept would be gigabytes.
_REMEMBERED_LENGTH = 4 * 5000


def _remembered(function: Callable[[str], _T]) -> Callable[[str], _T]:
    cached = lru_cache(maxsize=1024)(function)

    @functools.wraps(function)
    def remembered(text: str) -> _T:
        return cached(text) if len(text) <= _REMEMBERED_LENGTH else function(text)

    return remembered


@_remembered
def bluesky_shorten(text: str) -> tuple[str, tuple[tuple[int, int, str], ...]]:
    """The text with links shortened, and (start, end, full URL) of each link
    in the shortened text (character offsets)."""
    out: list[str] = []
    links: list[tuple[int, int, str]] = []
    pos = 0
    length = 0
    for start, end in find_links(text):
        out.append(text[pos:start])
        length += start - pos
        short = bluesky_short_url(text[start:end])
        links.append((length, length + len(short), text[start:end]))
        out.append(short)
        length += len(short)
        pos = end
    out.append(text[pos:])
    return "".join(out), tuple(links)


def bluesky_length(text: str) -> int:
    return grapheme_length(bluesky_shorten(text)[0])


def bluesky_bytes(text: str) -> int:
    return len(bluesky_shorten(text)[0].encode("utf-8"))


# --- Mastodon ---------------------------------------------------------------------


def mastodon_length(text: str) -> int:
    # Mastodon extracts URLs (with a scheme only) and mentions, drops any that
    # overlaps one starting before it, and counts the rest as they stand.
    entities = [
        (start, end, "x" * MASTODON_URL_LENGTH)
        for start, end in (_scheme_urls(text) if "://" in text else ())  # a scheme needs ://
    ]
    if "@" in text:
        entities += [
            (match.start(), match.end(), "@" + match.group(1))
            for match in _MENTION.finditer(text)
            if not _NO_MENTION_BEFORE.match(text, match.end())
        ]
    pieces: list[str] = []
    pos = 0
    for start, end, counted_as in sorted(entities):
        if start < pos:
            continue
        pieces += [text[pos:start], counted_as]
        pos = end
    pieces.append(text[pos:])
    return grapheme_length("".join(pieces))


def _scheme_urls(text: str) -> list[tuple[int, int]]:
    """Spans of the URLs with a scheme that twitter-text's extractor finds
    in `text`. A URL never spans a line, and what the extractor makes of a
    line depends on the line breaks round it, not on the other lines (see
    `twitter_length`): only the lines holding "://" are searched, each with
    its breaks. The extractor's time grows faster than a text's length, and
    a closing post's link has its own line."""
    extract = _url_extractor()
    if "\n" not in text:
        return [(url["indices"][0], url["indices"][1]) for url in extract(text, False)]
    spans: list[tuple[int, int]] = []
    start = 0
    for line in text.split("\n"):
        if "://" in line:
            before = "\n" if start else ""
            after = "\n" if start + len(line) < len(text) else ""
            shift = start - len(before)
            spans += [
                (url["indices"][0] + shift, url["indices"][1] + shift)
                for url in extract(before + line + after, False)
            ]
        start += len(line) + 1
    return spans


# --- Threads ----------------------------------------------------------------------


_NOT_ASCII = re.compile("[^\x00-\x7f]")


def threads_length(text: str) -> int:
    # Meta counts an emoji as its UTF-8 bytes; any cluster holding an emoji
    # code point is counted that way, which can only over-count.
    points = _emoji_code_points()
    if text.isascii():
        return len(text)
    if not _NOT_SIMPLE.search(text):
        # Every code point is a cluster of its own: only emoji cost extra
        # (an ASCII character, one byte, costs nothing extra either way).
        return len(text) + sum(
            len(c.encode("utf-8")) - 1 for c in _NOT_ASCII.findall(text) if c in points
        )
    return sum(
        len(cluster.encode("utf-8")) if not points.isdisjoint(cluster) else 1
        for cluster in GRAPHEME.findall(text)
    )


@_remembered
def threads_link_count(text: str) -> int:
    # Meta counts every distinct URL in the text, with a scheme or without
    # ("www.facebook.com" is a link in its own example); twitter-text's
    # extractor finds those without.
    urls = {text[s:e] for s, e in find_links(text)}
    if "." in text and dot_letter(text):  # no TLD, no link (see _MAYBE_URL)
        urls.update(url["url"] for url in _url_extractor()(text, True))
    return len(urls)


# Lines of a post's size are remembered (see `_remembered`).
_twitter_line = _remembered(_twitter_line_afresh)

COUNTERS: dict[str, Callable[[str], int]] = {
    name: _remembered(counter)
    for name, counter in (
        ("twitter", twitter_length),
        ("bluesky", bluesky_length),
        ("mastodon", mastodon_length),
        ("threads", threads_length),
        ("utf16", utf16_length),
    )
}
