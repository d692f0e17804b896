"""An article's tags as hashtags: CamelCase, signs spelled out, at most as
many as the platform's rules allow (`hashtags` in platforms.toml)."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import regex

from generator.model import Article
from generator.platforms import Platform

# Signs a hashtag cannot hold but that carry the meaning: C++, C#, .NET.
_TAG_SIGNS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"(?<=\w)\++"), lambda m: " Plus" * len(m.group()) + " "),
    (re.compile(r"(?<=\w)#"), lambda m: " Sharp "),
    (re.compile(r"(?<!\w)\.(?=\w)"), lambda m: " Dot "),
)
# The apostrophe of an English contraction or possessive goes ("women's",
# "don't"); one before a word ("Côte d'Ivoire") parts two words.
_APOSTROPHE = regex.compile(r"(?<=\w)['’](?=(?:s|t|re|ve|ll|d|m)\b)")
_NOT_IN_TAG = regex.compile(r"[^\p{L}\p{M}\p{N}_]+")
_LETTER = regex.compile(r"\p{L}")
# Letters of no case in a script that puts spaces between words (Arabic,
# Hebrew, Devanagari…); Chinese and Japanese put none, so join as they are.
_CASELESS_SPACED = regex.compile(
    r"(?=.*\p{L})[[\p{L}\p{M}\p{N}_]--[\p{Lu}\p{Ll}\p{Lt}\p{Han}\p{Hiragana}\p{Katakana}]]+",
    regex.VERSION1,
)


@lru_cache(maxsize=1024)  # every platform of an article asks for the same tags
def hashtag(tag: str) -> str:
    """`developer relations` -> `#DeveloperRelations`; one word keeps its case,
    as does a word cased inside (`iOS 18` -> `#iOS18`); `C++` -> `#CPlusPlus`;
    `women's health` -> `#WomensHealth`. Words of a script without case are
    joined by `_` (`#تربية_النحل`), as no capital shows where one ends. A tag
    of digits only is no hashtag on any platform: ""."""
    tag = _APOSTROPHE.sub("", tag.lstrip("#"))
    for sign, word in _TAG_SIGNS:
        tag = sign.sub(word, tag)
    words = [w for w in _NOT_IN_TAG.split(tag) if w]
    if not any(_LETTER.search(w) for w in words):
        return ""
    if len(words) == 1:
        return "#" + words[0]
    if any(_CASELESS_SPACED.fullmatch(w) for w in words):
        return "#" + "_".join(words)
    return "#" + "".join(w if _cased_inside(w) else w[:1].upper() + w[1:] for w in words)


def _cased_inside(word: str) -> bool:
    return word[:1].islower() and any(c.isupper() for c in word[1:])


def hashtags(article: Article, rules: Platform) -> list[str]:
    """The platform's share of the article's tags as hashtags. Hashtags
    ignore case: #tag and #TAG are one tag, the first spelling wins."""
    unique: dict[str, str] = {}
    for tag in (hashtag(t) for t in article.tags):
        if len(tag) > 1:
            unique.setdefault(tag.casefold(), tag)
    return list(unique.values())[: rules.hashtags]
