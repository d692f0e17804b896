"""What every reader shares: the interface, slugs, reading time, inline text.

A reader turns a `Source` into an `Article`. Readers differ only in how they
find the parts; the rules for slugs, reading time and bare links are the same
for every format and live here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Protocol

from generator.model import Article, Block, Inline, Link, RichText, Text
from generator.readers.source import Source
from generator.text.urls import find_urls

WORDS_PER_MINUTE = 230
_WORD = re.compile(r"\w+", re.UNICODE)


class Reader(Protocol):
    """One input format. `extensions` are matched case-insensitively."""

    name: str
    extensions: tuple[str, ...]

    def read(
        self, source: Source, *, lang: str, site_url: str = "", shortcodes: bool = True
    ) -> Article:
        """`lang` when the article names no language; `site_url` (valid, from
        the config) to resolve a relative address against; `shortcodes`
        (`[markdown] shortcodes`): whether a format with emoji shortcodes
        turns them into emoji."""
        ...


def make_slug(explicit: str | None, stem: str | None, title: str) -> str:
    """Front-matter slug, else the file name, else the title; always ASCII,
    never a file name Windows reserves.

    The file name comes before the title so that editing a headline does not
    move the article to a new address (and a new feed guid).
    """
    for candidate in (explicit, stem, title):
        if candidate and (slug := _slug(candidate)):
            return f"{slug}-article" if slug in _WINDOWS_RESERVED else slug
    return "article"


# What slugify leaves as it is: lower-case ASCII words joined by single
# hyphens, at most 80 characters. A file is most often named so; such a name
# skips slugify's transliteration and its dozen passes of regexes.
_ALREADY_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# And what it makes of such words joined by underscores and hyphens
# (`2024_01_report`, `draft--2`): each run of them one hyphen, none at
# either end (the tests hold this to slugify, name by name).
_SNAKE_NAME = re.compile(r"[a-z0-9_-]+")
_JOINERS = re.compile(r"[-_]+")
_SLUG_MAX = 80


def _slug(text: str) -> str:
    if len(text) <= _SLUG_MAX:  # (a shorter slug: never cut to the maximum)
        if _ALREADY_SLUG.fullmatch(text):
            return text
        if _SNAKE_NAME.fullmatch(text):
            return _JOINERS.sub("-", text).strip("-")
    from slugify import slugify  # here: its import compiles a dozen patterns

    return slugify(text, max_length=_SLUG_MAX, word_boundary=True)


# Names Windows keeps for devices, whatever the case or extension: a folder
# called `con` or `aux` cannot be created or copied there, so the rendered
# site would not survive a Windows checkout or a sync to Windows. Such a slug
# gets "-article" after it (`con` -> `con-article`): the same every run, so
# the article's address and feed guid stay put, and never reserved itself.
_WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"] + [f"{port}{n}" for port in ("com", "lpt") for n in range(10)]
)


def reading_minutes(blocks: Iterable[Block], *extra_text: str | None) -> int:
    words = sum(len(_WORD.findall(block.plain_text)) for block in blocks)
    words += sum(len(_WORD.findall(text)) for text in extra_text if text)
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


def linkify(text: str) -> RichText:
    """Plain text in which bare http(s) URLs become `Link` nodes."""
    if "://" not in text:  # no URL to find: most lines, read without the regex
        return RichText((Text(text),)) if text else RichText()
    nodes: list[Inline] = []
    pos = 0
    for start, end in find_urls(text):
        if start > pos:
            nodes.append(Text(text[pos:start]))
        url = text[start:end]
        nodes.append(Link(url, (Text(url),)))
        pos = end
    if pos < len(text):
        nodes.append(Text(text[pos:]))
    return RichText(tuple(nodes))
