"""Reader for the plain-text "seed" layout (`.txt`): one block a line.

The rules, in the order they apply (blank lines are ignored everywhere):

1. The first line is the **title**.
2. The next line is a **byline** when it starts with `By ` and either holds a
   separator (`—`, `–`, `|`, or `-` between spaces) or has no closing
   punctuation: `By AUTHOR — DATE — N min read`. Any part may be empty
   (`By SignalWire Newsroom — — 5 min read`). Several authors are separated by
   `,`, `and` or `&`. Dates: see `generator.readers.dates`.
3. The first line after the byline (or after the title when there is none) is
   always the **dek**.
4. Then the **lead**: every block before the first heading.
5. A **heading** is a short line (at most 60 characters and 8 words), title-cased
   (every word capitalised except small words such as "of" or "and"; scripts
   without case count as capitalised), with no closing punctuation. It starts a
   section.
6. Lines starting with `- ` (or `• `) are **list items**; consecutive items form
   one list.
7. Inside a section, a paragraph followed by a short (at most 100 characters),
   non-heading line without closing punctuation is a **quote** and its
   **attribution**, unless the line reads as a sentence (a verb such as "is"
   or "will", a pronoun, or a first word such as "Follow" or "See").
   Several such pairs may follow each other. A line starting with an em dash
   (`— Name`) after a paragraph is always an attribution.
8. In a section headed `FAQ`, `FAQs` or `Frequently Asked Questions`, a line
   ending in `?` is a **question**; the lines up to the next question are its
   **answer** (several lines are kept as separate answer lines). A heading ends
   the FAQ only once the last question has an answer.
9. Everything else is a **paragraph**. Bare `http(s)://` URLs become links.

Text is kept exactly as written: curly quotes, dashes and emoji included.

Beside `NAME.txt`, a `NAME.social.toml` may hold a `[social]` table: the
author's hook, close and skip list for social threads (see
`generator.readers.social`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from generator.errors import ReaderError
from generator.model import (
    FAQ,
    Article,
    Block,
    FAQItem,
    ListBlock,
    Paragraph,
    Quote,
    RichText,
    Section,
)
from generator.readers.base import linkify, make_slug, reading_minutes
from generator.readers.dates import DateError, parse_date
from generator.readers.social import read_sidecar
from generator.readers.source import Source

HEADING_MAX_CHARS = 60
HEADING_MAX_WORDS = 8
ATTRIBUTION_MAX_CHARS = 100

_SMALL_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "but",
        "by",
        "de",
        "for",
        "from",
        "in",
        "into",
        "nor",
        "of",
        "on",
        "or",
        "per",
        "the",
        "to",
        "vs",
        "via",
        "with",
    ]
)
# An unmarked attribution names someone ("Jane Doe, head of research"); a
# short line with one of these words reads as a sentence that lost its full
# stop ("More details are below", "Follow us for updates") and stays a
# paragraph. `— Name` always marks an attribution.
_SENTENCE_WORDS = frozenset(
    [
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "am",
        "will",
        "would",
        "can",
        "could",
        "should",
        "shall",
        "may",
        "might",
        "must",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "isn't",
        "aren't",
        "wasn't",
        "weren't",
        "won't",
        "can't",
        "don't",
        "doesn't",
        "didn't",
        "it's",
        "that's",
        "there's",
        "here's",
        "we",
        "you",
        "they",
        "i",
    ]
)
_IMPERATIVES = frozenset(
    [
        "follow",
        "see",
        "read",
        "click",
        "subscribe",
        "join",
        "sign",
        "find",
        "learn",
        "visit",
        "check",
        "share",
        "contact",
        "stay",
        "watch",
        "listen",
        "call",
        "email",
        "download",
        "register",
        "tell",
        "let",
        "try",
        "keep",
        "send",
        "reply",
        "write",
        "more",
    ]
)
_FIRST_PERSON = frozenset(["I", "I'm", "I've", "I'll", "I'd"])
_CLOSING_PUNCT = ".!?;:,…。！？；：、"
_CLOSERS = "\"'”’»)]"
_OPENERS = "\"'“‘«(["
_BULLETS = ("- ", "• ")
_DASH_PREFIX = re.compile(r"^(?:—|–|--?)\s*")
# Each run of spaces is matched from its start and never handed back
# (possessive): a byline of ten thousand spaces is read in linear time.
_BYLINE_SEP = re.compile(r"(?:(?<!\s)\s++)?(?:—|–|\||(?<!\S)-(?!\S))\s*+")
_AUTHOR_SEP = re.compile(r"(?:(?<!\s)\s++)?,\s*+|(?<!\s)\s++(?:and|&)\s++")
_READING_TIME = re.compile(r"^(\d{1,4})\s*+-?\s*+min(?:ute)?s?(?:\s++read)?$", re.IGNORECASE)
_FAQ_HEADING = re.compile(r"^(?:FAQs?|Frequently Asked Questions)$", re.IGNORECASE)


@dataclass
class _Byline:
    authors: tuple[str, ...] = ()
    date: object = None
    minutes: int | None = None


@dataclass
class _SectionBuilder:
    heading: str
    line: int
    is_faq: bool = False
    blocks: list[Block] = field(default_factory=list)
    faq: list[tuple[int, RichText, list[RichText]]] = field(default_factory=list)

    def close(self, name: str) -> tuple[Block, ...]:
        if self.faq:
            for line, question, answer in self.faq:
                if not answer:
                    raise _no_answer(name, line, question)
            items = tuple(FAQItem(q, tuple(a)) for _, q, a in self.faq)
            return (*self.blocks, FAQ(items))
        return tuple(self.blocks)


def _no_answer(name: str, line: int, question: RichText) -> ReaderError:
    return ReaderError(
        f"FAQ question '{question.plain_text}' has no answer; "
        "put the answer on the line after the question",
        name,
        line,
    )


class SeedReader:
    name = "seed"
    extensions = (".txt",)

    def read(
        self, source: Source, *, lang: str, site_url: str = "", shortcodes: bool = True
    ) -> Article:
        # `shortcodes` is Markdown's habit: plain-text articles keep `:name:` as written.
        lines = [
            (number, line.strip())
            for number, line in enumerate(source.text.split("\n"), start=1)
            if line.strip()
        ]
        if not lines:
            raise ReaderError(
                "the file is empty; an article starts with its title on the first line",
                source.name,
                1,
            )
        title = lines[0][1]
        rest = lines[1:]
        byline = _Byline()
        if rest and _is_byline(rest[0][1]):
            byline = _parse_byline(rest[0][1], source.name, rest[0][0])
            rest = rest[1:]
        if not rest:
            raise ReaderError(
                "the article has no dek and no body; add a one-line summary and "
                "at least one paragraph after the title",
                source.name,
                lines[-1][0],
            )
        dek = rest[0][1]
        lead, sections = _parse_body(rest[1:], source.name)
        if not lead and not any(section.blocks for section in sections):
            raise ReaderError(
                "the article has no body; add at least one paragraph after the dek",
                source.name,
                rest[0][0],
            )
        minutes = byline.minutes or reading_minutes(
            (*lead, *(b for s in sections for b in s.blocks)), dek
        )
        return Article(
            title=title,
            slug=make_slug(None, source.stem, title),
            reading_minutes=minutes,
            dek=dek,
            authors=byline.authors,
            date=byline.date,  # type: ignore[arg-type]
            lang=lang,
            social=read_sidecar(source),
            lead=lead,
            sections=sections,
        )


def _is_byline(line: str) -> bool:
    if not line.startswith("By "):
        return False
    body = line[3:]
    return bool(_BYLINE_SEP.search(body)) or not _ends_with_punct(body)


def _parse_byline(line: str, name: str, number: int) -> _Byline:
    author_part, *others = _BYLINE_SEP.split(line[3:].strip())
    result = _Byline()
    if author_part:
        names = (" ".join(a.split()) for a in _AUTHOR_SEP.split(author_part))
        result.authors = tuple(name for name in names if name)
    for part in others:
        if not part:
            continue
        if m := _READING_TIME.match(part):
            result.minutes = max(1, int(m.group(1)))
            continue
        if result.date is not None:
            raise ReaderError(
                f"byline part '{part}' is neither a date nor a reading time like '5 min read'",
                name,
                number,
            )
        try:
            result.date = parse_date(part)
        except DateError as exc:
            raise ReaderError(f"byline date {exc}", name, number) from None
    return result


def _parse_body(
    lines: list[tuple[int, str]], name: str
) -> tuple[tuple[Block, ...], tuple[Section, ...]]:
    lead: list[Block] = []
    sections: list[_SectionBuilder] = []
    items: list[RichText] = []
    # Whether the previous line was a paragraph that an attribution may claim.
    after_paragraph = False

    def blocks() -> list[Block]:
        return sections[-1].blocks if sections else lead

    def flush_list() -> None:
        if items:
            blocks().append(ListBlock(tuple(items)))
            items.clear()

    for number, line in lines:
        section = sections[-1] if sections else None
        in_answers = bool(section and section.faq and not _is_question(line))
        awaiting_answer = in_answers and section is not None and not section.faq[-1][2]
        # Everything after the first question belongs to an answer; a heading
        # ends the FAQ only once the last question has an answer.
        if section and in_answers and (awaiting_answer or not _is_heading(line)):
            section.faq[-1][2].append(linkify(line))
            continue

        if line.startswith(_BULLETS):
            items.append(linkify(line[2:].strip()))
            after_paragraph = False
            continue
        flush_list()

        if _is_heading(line):
            sections.append(_SectionBuilder(line, number, bool(_FAQ_HEADING.match(line))))
            after_paragraph = False
            continue
        if section and section.is_faq and _is_question(line):
            section.faq.append((number, linkify(line), []))
            after_paragraph = False
            continue
        if after_paragraph and _is_attribution(line, in_section=section is not None):
            paragraph = blocks().pop()
            assert isinstance(paragraph, Paragraph)
            attribution = _DASH_PREFIX.sub("", line)
            blocks().append(Quote(paragraph.text, linkify(attribution)))
            after_paragraph = False
            continue
        blocks().append(Paragraph(linkify(line)))
        after_paragraph = True

    flush_list()
    built = tuple(Section(s.heading, s.close(name)) for s in sections)
    return tuple(lead), built


def _strip_closers(line: str) -> str:
    return line.rstrip(_CLOSERS)


def _ends_with_punct(line: str) -> bool:
    core = _strip_closers(line)
    return not core or core[-1] in _CLOSING_PUNCT


def _is_question(line: str) -> bool:
    core = _strip_closers(line)
    return core.endswith(("?", "？"))


def _is_heading(line: str) -> bool:
    if len(line) > HEADING_MAX_CHARS:  # most lines: no need to split them
        return False
    words = line.split()
    if len(words) > HEADING_MAX_WORDS:
        return False
    if line.startswith(_BULLETS) or _DASH_PREFIX.match(line) or _ends_with_punct(line):
        return False
    has_capital = False
    for index, word in enumerate(words):
        core = word.lstrip(_OPENERS)
        if not core:
            continue
        first = core[0]
        if first.isalpha() and first.islower():
            if index > 0 and core.lower().rstrip(_CLOSERS) in _SMALL_WORDS:
                continue
            return False
        if first.isalpha() or first.isdigit():
            has_capital = has_capital or not first.isdigit()
    return has_capital


def _is_attribution(line: str, *, in_section: bool) -> bool:
    if len(line) > ATTRIBUTION_MAX_CHARS:
        return False
    if _DASH_PREFIX.match(line) and not line.startswith("- "):
        return bool(_DASH_PREFIX.sub("", line))
    return (
        in_section
        and not _ends_with_punct(line)
        and not _is_heading(line)
        and not _reads_as_sentence(line)
    )


def _reads_as_sentence(line: str) -> bool:
    """A verb or pronoun written in lower case after the first word ("More
    details are below"), the pronoun "I" ("Now I know"), a first word such as
    "Follow" or "See" ("See Part Two below"), or "Will", "May" or "Can" before
    a lower-case word ("Will be back soon"). Capitalised after the first
    word, they are names: "Will Smith, actor", "May Chen", "Anh Do", "Ana
    Ruiz, author of Bees and You"."""
    words = [w.strip(_OPENERS + _CLOSERS + ",").replace("’", "'") for w in line.split()]
    if any(w in _SENTENCE_WORDS or w in _FIRST_PERSON for w in words[1:]):
        return True
    first = words[0].lower() if words else ""
    if first in _IMPERATIVES or (words[:1] and words[0] in _FIRST_PERSON):
        return True
    return first in _SENTENCE_WORDS and len(words) > 1 and words[1][:1].islower()
