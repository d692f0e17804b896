"""What a thread can say: the article cut into ideas, in reading order.

An idea is one thing a post can carry: a sentence of prose (with the one
after it when that one leans on it, "…in 2019. That investment grew…"), one
item of a list, a short numbered list whole (steps make sense only
together), a quote with who said it, or a FAQ answer. Each knows where it
stands (its section, its list, whether it opens its paragraph), so the plan
can score it and the layout can put a list's items back under their heading.

A paragraph's first idea is always material; a later one only when it holds
a figure, a comparison or a quotation (the rest develop the first). Tables,
images and code outside list items stay out of threads. The dek is not
material here: it can be the hook or the close, never post 2 again, and a
paragraph's sentences that only say the dek again are left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from generator.model import FAQ, Article, ListBlock, Paragraph, Quote, Section
from generator.text.headings import is_takeaways, is_why_it_matters
from generator.text.splitting import join_sentences, sentences

from .said import Echo, Figure, content_words, figures, word_count, words_of
from .text import QuoteText, Step, clean, item_texts, post_text, quote_text

# An article of thousands of sections offers more than any thread can use:
# the plan looks at this many ideas, in reading order (the strongest of a
# long article are near its top, as the lead and the lists are).
MOST_IDEAS = 400
# Paragraphs per section and sentences per paragraph looked at: a long
# section's later sentences develop what its first ones said.
PARAGRAPHS = 3
SENTENCES = 4
# A numbered list this short is one idea (steps only make sense together).
WHOLE_LIST = 10
# A sentence this short joins the one after it ("X went wrong. Do Y instead.").
SHORT_SENTENCE = 60
PAIRED = 220

# Words that open a sentence leaning on the one before ("That investment…").
LEANING = words_of(
    """
    this that these those it its they their them he his she her such there also then so but
    however meanwhile instead still yet furthermore moreover
    """
)
# Pronouns that point back from the second word too ("Now it takes…").
POINTING = words_of("this that these those it its they their he his she her")


class Idea(NamedTuple):
    """One thing a post can say (immutable; a tuple, as thousands are made
    for a long article and a frozen dataclass is slow to build)."""

    key: int  # reading order
    kind: str  # lead | prose | point | takeaway | steps | quote | faq
    text: str  # what it says, as post text (a quote: its words without marks)
    section: int  # 0: the lead; then each section from 1
    heading: str  # its section's heading, as post text ("" for the lead)
    group: int  # ideas of one paragraph or one list share it
    first: bool  # opens its paragraph, or is the first item of its list
    place: int = 0  # its place in its paragraph (0: first)
    opens: bool = False  # the first idea of its section (or of the lead)
    steps: tuple[Step, ...] = ()  # a list idea: its item(s)
    quote: QuoteText | None = None
    question: str = ""  # a FAQ idea
    figures: tuple[Figure, ...] = ()
    words: frozenset[str] = frozenset()
    count: int = 0  # about how many words it has
    leans: bool = False  # it opens pointing back ("That…") at nothing in it

    @property
    def is_list(self) -> bool:
        return self.kind in ("point", "takeaway", "steps")

    @property
    def size(self) -> int:
        """Characters it takes in a post, near enough to share out a thread."""
        if self.quote is not None:
            return min(len(self.text), 240) + len(self.quote.attribution)
        return len(self.text) + 3 * len(self.steps)


@dataclass(frozen=True, slots=True)
class Material:
    ideas: tuple[Idea, ...]
    why: str | None  # the first sentence under a "why it matters" heading
    takeaways: tuple[int, ...]  # the groups that are takeaway lists


def gather(article: Article, *, include_faq: bool, skip: tuple[str, ...] = ()) -> Material:
    """The article's ideas. A paragraph's first sentences that only say the
    dek again (a lead that opens with it) are left out: the dek is the hook's
    or the close's to say."""
    skipped = _Skip(skip)
    dek = clean(article.dek or "")
    echo = Echo(dek) if dek else None
    ideas: list[Idea] = []
    why: str | None = None
    takeaway_groups: list[int] = []
    counter = _Counter()
    sections = (Section("", article.lead), *article.sections)
    for number, section in enumerate(sections):
        heading = clean(section.heading)
        if number and skipped.heading(heading):
            continue
        is_why = bool(number) and is_why_it_matters(section.heading)
        takeaways = bool(number) and is_takeaways(section.heading)
        paragraphs = 0
        for block in section.blocks:
            if len(ideas) >= MOST_IDEAS:
                break
            if isinstance(block, Paragraph):
                paragraphs += 1
                if paragraphs > PARAGRAPHS:
                    continue
                said = sentences(post_text(block.text))[:SENTENCES]
                if echo is not None:
                    said = [s for s in said[echo.leading(said) :] if not echo.said_by(s)]
                if is_why and why is None and said:
                    why = said[0]
                    said = said[1:]
                group = counter.group()
                for index, text in enumerate(_runs(said)):
                    if index and not _telling(text):
                        continue  # a later sentence that only develops the first
                    if not skipped.text(text):
                        kind = "lead" if number == 0 else "prose"
                        opens = paragraphs == 1 and index == 0
                        ideas.append(
                            _idea(counter, kind, text, number, heading, group, index == 0,
                                  place=index, opens=opens)
                        )
            elif isinstance(block, ListBlock):
                group = counter.group()
                steps = item_texts(block)
                if takeaways:
                    takeaway_groups.append(group)
                if block.ordered and 1 < len(steps) <= WHOLE_LIST:
                    kept = tuple(s for s in steps if not skipped.text(s.bare))
                    if kept:
                        text = " ".join(s.bare or s.full for s in kept)
                        ideas.append(
                            _idea(counter, "steps", text, number, heading, group, True, kept)
                        )
                    continue
                kind = "takeaway" if takeaways else "point"
                for index, step in enumerate(steps):
                    if not skipped.text(step.bare):
                        words = step.bare or step.full  # an item of code alone is its code
                        first = index == 0
                        ideas.append(
                            _idea(counter, kind, words, number, heading, group, first, (step,))
                        )
            elif isinstance(block, Quote):
                said_quote = quote_text(block)
                if said_quote.inner and not skipped.text(said_quote.inner):
                    group = counter.group()
                    ideas.append(
                        _idea(counter, "quote", said_quote.inner, number, heading, group, True,
                              quote=said_quote)
                    )
            elif isinstance(block, FAQ) and include_faq:
                for item in block.items:
                    question = post_text(item.question)
                    answer = " ".join(post_text(a) for a in item.answer)
                    if question and not skipped.text(question):
                        group = counter.group()
                        ideas.append(
                            _idea(counter, "faq", answer, number, heading, group, True,
                                  question=question)
                        )
    if why is not None and skipped.text(why):
        why = None
    return Material(tuple(ideas), why, tuple(takeaway_groups))


def _runs(said: list[str]) -> Iterator[str]:
    """The sentences of a paragraph as ideas: one a sentence, but a sentence
    that leans on the one before goes with it, as does the one after a short
    first sentence ("New beekeepers open the hive too often. Every
    inspection costs…"), while the two stay short enough for a post."""
    index = 0
    while index < len(said):
        text = said[index]
        index += 1
        while index < len(said):
            following = said[index]
            joined = join_sentences([text, following])
            if len(joined) > PAIRED:
                break
            if not (leans(following) or len(text) < SHORT_SENTENCE):
                break
            text = joined
            index += 1
        yield text


# A figure, a word of comparison, a quotation: what makes a sentence telling.
# Looked for one by one (a regex of them all tried each at every character).
_DIGIT = re.compile(r"\d")
_TELLING_WORDS = (" than ", "no longer", "up from", "down from", "doubled", "halved", "twice",
                  "record")
_QUOTATION = re.compile(r"[“\"].{12,}[”\"]")


def _telling(sentence: str) -> bool:
    """Whether a sentence after a paragraph's first is worth weighing on its
    own: a figure, a comparison or a quotation; the rest develop the first."""
    if _DIGIT.search(sentence) or any(word in sentence for word in _TELLING_WORDS):
        return True
    return ('"' in sentence or "“" in sentence) and _QUOTATION.search(sentence) is not None


def leans(sentence: str) -> bool:
    """Whether `sentence` points back at the one before: it opens with a
    word such as "That" or "It", or does so after an opening phrase ("Over
    the following years, that investment…")."""
    words = sentence.lstrip("\"'“‘(").split(None, 8)
    if not words:
        return False
    if words[0].rstrip(",:;").casefold() in LEANING:
        return True
    if len(words) > 1 and words[1].rstrip(",:;").casefold() in POINTING:
        return True
    for index, word in enumerate(words[:6]):
        if word.endswith(",") and index + 1 < len(words):
            return words[index + 1].rstrip(",:;").casefold() in LEANING
    return False


class _Counter:
    __slots__ = ("_groups", "_keys")

    def __init__(self) -> None:
        self._keys = 0
        self._groups = 0

    def key(self) -> int:
        self._keys += 1
        return self._keys

    def group(self) -> int:
        self._groups += 1
        return self._groups


def _idea(
    counter: _Counter,
    kind: str,
    text: str,
    section: int,
    heading: str,
    group: int,
    first: bool,
    steps: tuple[Step, ...] = (),
    **more: Any,
) -> Idea:
    return Idea(
        counter.key(),
        kind,
        text,
        section,
        heading,
        group,
        first,
        steps=steps,
        figures=tuple(figures(text)),
        words=content_words(text),
        count=word_count(text),
        leans=leans(text),
        **more,
    )


class _Skip:
    """The author's skip list: a heading leaves out its section; a sentence
    (or any part of one) leaves out the idea that holds it."""

    __slots__ = ("_texts",)

    def __init__(self, skip: tuple[str, ...]) -> None:
        self._texts = tuple(t for t in (_plain(s) for s in skip) if t)

    def heading(self, heading: str) -> bool:
        plain = _plain(heading)
        return bool(plain) and plain in self._texts

    def text(self, text: str) -> bool:
        if not self._texts:
            return False
        plain = _plain(text)
        return any(skip in plain for skip in self._texts)


def _plain(text: str) -> str:
    return " ".join(text.casefold().replace("’", "'").split()).strip(" .!?:;…")
