"""What a piece of text says, as far as a thread needs to know: its figures,
its words, and whether two pieces say the same thing.

A figure is a number with what makes it one: "$1.4B", "$1.4 billion" and
"1.4 billion dollars" are one figure (1.4e9), "52%" and "52 percent" another.
A year alone ("in 2019") is a date, not a figure, and a number glued to a
name ("GPT-4", "MAI-1") is part of the name. Words are compared without case,
without the small words every sentence has ("the", "of"), and without a
plural's "s", so "takeaways" and "takeaway" are one word.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

_SCALES = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "m": 1e6,
    "mn": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
    "t": 1e12,
}
_FIGURE = re.compile(
    r"(?<![\w.,\-/])(?P<currency>[$€£¥₹](?=\d))?"
    r"(?P<number>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<fraction>\d+))?"
    r"(?:\s?(?P<scale>thousand|million|billion|trillion)(?!\w)|(?P<short>bn|mn|tn|[kmbt])(?!\w))?"
    r"(?:\s?(?P<percent>%|percent\b|per\s+cent\b))?"
    r"(?:\s(?P<unit>dollars|euros|pounds|yen)\b)?"
    r"(?![\w])",
    re.IGNORECASE,
)


_DIGIT = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class Figure:
    key: str  # the same for every way of writing one value: "1.4e+09", "52%"
    money: bool
    percent: bool


def figures(text: str) -> list[Figure]:
    """The figures `text` states, in order (years and names left out)."""
    found: list[Figure] = []
    if not _DIGIT.search(text):
        return found
    for match in _FIGURE.finditer(text):
        raw = match.group("number")
        number = raw.replace(",", "")
        scale = (match.group("scale") or match.group("short") or "").lower()
        money = bool(match.group("currency") or match.group("unit"))
        percent = bool(match.group("percent"))
        if not (money or percent or scale or match.group("fraction")) and _is_year(raw):
            continue
        value = float(f"{number}.{match.group('fraction') or 0}") * _SCALES.get(scale, 1)
        found.append(Figure(f"{value:.6g}{'%' if percent else ''}", money, percent))
    return found


def _is_year(number: str) -> bool:
    return len(number) == 4 and 1800 <= int(number) <= 2199


def years(text: str) -> int:
    """How many years ("2019") `text` names."""
    if not _DIGIT.search(text):
        return 0
    return sum(
        1
        for m in re.finditer(r"(?<![\w.,$€£-])(1[89]\d\d|2[01]\d\d)(?![\w%])", text)
        if m.group()
    )


# --- words -----------------------------------------------------------------------


def words_of(text: str) -> frozenset[str]:
    """The words of a list written as one text."""
    return frozenset(text.split())


# The small words of English (and a few of its neighbours) that say nothing
# about what a sentence is about.
_STOP = words_of(
    """a an the and or but nor so yet for of in on at to from by with without into onto
    over under about after before since during as than then that this these those there
    here it its it's is are was were be been being am do does did done has have had
    having will would can could should shall may might must not no also just only
    very more most much many some any all each every both either neither such own
    same other another which who whom whose what when where why how if while
    because although though until unless i we you he she they me us him her them my
    our your his their mine ours yours theirs now new one s t de la le les el los
    der die das und ein eine et ou du des"""
)


_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f]")


def word_count(text: str) -> int:
    """About how many words `text` has: Chinese, Japanese and Thai put no
    space between words, so there two characters count as one."""
    spaced = len(text.split())
    return spaced if text.isascii() else max(spaced, len(_UNSPACED.findall(text)) // 2)


class _Spaces(dict[int, str]):
    """A `str.translate` table that keeps letters (and digits, with
    `digits`) and turns every other character into a space: splitting text
    into words this way is several times faster than a regular expression."""

    def __init__(self, digits: bool) -> None:
        super().__init__()
        self._digits = digits

    def __missing__(self, point: int) -> str:
        char = chr(point)
        kept = char.isalpha() or (self._digits and char.isdigit())
        # A combining mark belongs to its letter (é written e + U+0301).
        kept = kept or unicodedata.category(char).startswith("M")
        self[point] = found = char if kept else " "
        return found


_WORDS = _Spaces(digits=True)
_LETTER_WORDS = _Spaces(digits=False)
# The same for ASCII text (most text), as byte tables: `bytes.translate`
# looks nothing up in Python, and lower case is its case folding there.
_ASCII_WORDS = bytes(c if chr(c).isalnum() else 32 for c in range(128)) + b" " * 128
_ASCII_LETTER_WORDS = bytes(c if chr(c).isalpha() else 32 for c in range(128)) + b" " * 128


# Marks of English text beyond ASCII, each a space to both tables: text
# whose only such characters they are takes the byte tables too.
_TYPOGRAPHY = ("’", "—", "“", "”", "–", "‘", "…", "€", "•")


def _words(text: str, table: _Spaces, ascii_table: bytes) -> list[str]:
    if not text.isascii():
        for mark in _TYPOGRAPHY:
            if mark in text:
                text = text.replace(mark, " ")
        if not text.isascii():
            return text.casefold().translate(table).split()
    return text.lower().encode("ascii").translate(ascii_table).decode("ascii").split()


def word_list(text: str) -> list[str]:
    """Every word of `text`, in lower case."""
    return _words(text, _WORDS, _ASCII_WORDS)


_AMOUNTS = words_of("thousand million billion trillion percent cent bn")
_IGNORED = _STOP | _AMOUNTS
class _Stems(dict[str, str]):
    """Each word's stem, worked out once (a thread's articles share most of
    their words); "" for a word of one letter, which says nothing."""

    def __missing__(self, word: str) -> str:
        self[word] = stem = _stem(word) if len(word) > 1 else ""
        return stem


_STEMS = _Stems()


def content_words(text: str) -> frozenset[str]:
    """The words that carry meaning, each in one form. Numbers are not
    among them: figures are compared as figures (see `figures`)."""
    found = set(_words(text, _LETTER_WORDS, _ASCII_LETTER_WORDS))
    found -= _IGNORED
    if len(_STEMS) > 100_000:  # a vast article: memory stays flat
        _STEMS.clear()
    stems = set(map(_STEMS.__getitem__, found))
    stems.discard("")
    return frozenset(stems)


_SUFFIXES = ("ing", "ies", "ied", "es", "ed", "ly", "s")


def _stem(word: str) -> str:
    """A word without the ending of a plural, a participle or an adverb, so
    "building" and "build", "companies" and "company" meet (roughly: both
    sides are cut the same way, which is all a comparison needs)."""
    if word[-1] not in "sdgy" or len(word) < 5:
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4 and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


def jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    first, second = set(a), set(b)
    union = first | second
    return len(first & second) / len(union) if union else 0.0


class _Weights(dict[str, float]):
    """Each word's weight in an article of `count` ideas, `seen` saying how
    many use it: worked out when first asked for."""

    def __init__(self, count: int, seen: dict[str, int]) -> None:
        super().__init__()
        self._count = count
        self._seen = seen

    def __missing__(self, word: str) -> float:
        self[word] = found = math.log(1 + self._count / self._seen.get(word, 1))
        return found


class Rarity:
    """How rare each word is in one article: a word most of its sentences
    use ("Microsoft" in a story about Microsoft) says less about which of
    them a sentence is than one only two use ("SearchGPT")."""

    __slots__ = ("_count", "_seen", "_totals", "_weights")

    def __init__(self, texts: Iterable[frozenset[str]]) -> None:
        seen: dict[str, int] = {}
        count = 0
        for words in texts:
            count += 1
            for word in words:
                seen[word] = seen.get(word, 0) + 1
        self._count = max(count, 1)
        self._seen = seen
        self._totals: dict[frozenset[str], float] = {}
        # Each word's weight once: the plan weighs the same words again and again.
        self._weights = _Weights(self._count, seen)

    def total(self, words: frozenset[str]) -> float:
        """The weight of all of `words` (fsum: exact whatever the order, and a
        set's order changes from run to run with string hashing)."""
        found = self._totals.get(words)
        if found is None:
            found = self._totals[words] = math.fsum(map(self._weights.__getitem__, words))
        return found

    def weight(self, word: str) -> float:
        return self._weights[word]

    def rare(self, word: str) -> bool:
        """Used by a few of the article's ideas only."""
        return self._seen.get(word, 1) <= RARE


# Two texts say the same thing when most of their meaningful words are the
# same ones, when the rarer words of the article weigh most of the shorter
# one's, or when they share several of its rare words ("SearchGPT", "Bing"
# and "search": the same news, however it is put).
SAME_WORDS = 0.45
SAME_SHARE = 0.6
RARE = 3
SAME_RARE = 3


def restates(a: frozenset[str], b: frozenset[str], rarity: Rarity | None = None) -> bool:
    """Whether a text with the words `a` says again what one with `b` says."""
    if not a or not b:
        return False
    shared = a & b
    if not shared:
        return False
    if len(shared) / len(a | b) > SAME_WORDS:
        return True
    if rarity is None or len(shared) < 2:
        return False
    share = rarity.total(shared) / min(rarity.total(a), rarity.total(b))
    rare = sum(1 for w in shared if rarity.rare(w))
    return (len(shared) >= 3 and share >= SAME_SHARE) or rare >= SAME_RARE or (
        rare >= 2 and share >= 0.35
    )


def same_words(a: str, b: str) -> bool:
    """Whether one text says the other's words, and then maybe more."""
    return Echo(b).said_by(a)


class Echo:
    """A text (the dek) that later sentences may only say again."""

    __slots__ = ("_first", "_words")

    def __init__(self, text: str) -> None:
        self._words = word_list(text)
        self._first = self._words[0] if self._words else None

    def said_by(self, sentence: str) -> bool:
        """Whether `sentence` says these words, or these words say all of its."""
        if self._first is None:  # "🚀" says nothing another text could repeat
            return False
        # Most sentences part from these words at their first: compare it alone first.
        start = word_list(sentence[: len(self._first) + 8])
        if not start or start[0] != self._first:
            return False
        words = word_list(sentence)
        return words[: len(self._words)] == self._words or self._words[: len(words)] == words

    def leading(self, said: list[str]) -> int:
        """How many of the first sentences these words say already: all
        those whose words they start with (a dek of two sentences, copied
        into the lead), or one sentence that starts with all of them."""
        count = 0
        head: list[str] = []
        while count < len(said):
            head += word_list(said[count])
            if not head or head != self._words[: len(head)]:
                break
            count += 1
        if count == 0 and said and self.said_by(said[0]):
            count = 1
        return count
