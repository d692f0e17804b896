"""The content model: one typed, immutable `Article` that every channel reads.

Readers build it; channels render it. It knows nothing of files, templates or
output formats, and it imports nothing else of Masthead.

Text that may carry inline markup is a `RichText`: a tuple of inline nodes
(`Text`, `Emphasis`, `Strong`, `Code`, `Link`). Channels walk those nodes to
produce HTML, plain text or post text without re-parsing anything. Every node
and block has a `plain_text` view.

Blocks nest: a list item is a line of rich text followed by any blocks
written under it, and a quote holds blocks after its opening text; `walk`
visits them all.
"""

from __future__ import annotations

import copyreg
import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

# --- inline nodes -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    """A run of literal text (never markup, whatever characters it holds)."""

    text: str

    @property
    def plain_text(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class Code:
    """Inline code: literal text shown in a monospace face."""

    text: str

    @property
    def plain_text(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class Emphasis:
    children: tuple[Inline, ...]

    @property
    def plain_text(self) -> str:
        return "".join(child.plain_text for child in self.children)


@dataclass(frozen=True, slots=True)
class Strong:
    children: tuple[Inline, ...]

    @property
    def plain_text(self) -> str:
        return "".join(child.plain_text for child in self.children)


@dataclass(frozen=True, slots=True)
class Link:
    """A link as the author wrote it. `href` is untrusted: channels decide
    which schemes they are willing to make live."""

    href: str
    children: tuple[Inline, ...]

    @property
    def plain_text(self) -> str:
        return "".join(child.plain_text for child in self.children)


Inline = Text | Code | Emphasis | Strong | Link


@dataclass(frozen=True, slots=True)
class RichText:
    """A piece of text with inline structure."""

    nodes: tuple[Inline, ...] = ()

    @classmethod
    def plain(cls, text: str) -> RichText:
        return cls((Text(text),)) if text else cls()

    @property
    def plain_text(self) -> str:
        return "".join(node.plain_text for node in self.nodes)

    def __bool__(self) -> bool:
        return bool(self.plain_text)


# --- blocks -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: RichText

    @property
    def plain_text(self) -> str:
        return self.text.plain_text


@dataclass(frozen=True, slots=True)
class ListBlock:
    """A list. Each item is a line of text (`items`), followed by the blocks
    written under it (`bodies`): more paragraphs, code, quotes, lists nested
    in it, tables, images, in order. An item of one paragraph is its line
    alone; an item that opens with another block has an empty line."""

    items: tuple[RichText, ...]
    ordered: bool = False
    # Per item, the blocks after its first line; empty when no item has any.
    bodies: tuple[tuple[Block, ...], ...] = ()
    # The number of an ordered list's first item.
    start: int = 1

    def body(self, index: int) -> tuple[Block, ...]:
        """The blocks under item `index` (none for most items)."""
        return self.bodies[index] if index < len(self.bodies) else ()

    @property
    def plain_text(self) -> str:
        lines: list[str] = []
        for index, item in enumerate(self.items):
            lines.append(item.plain_text)
            lines.extend(block.plain_text for block in self.body(index))
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Quote:
    """A quote: its opening paragraphs (`text`, one line each), then the
    blocks that follow them (`blocks`: code, lists, quotes, and paragraphs
    after those), and who said it."""

    text: RichText
    attribution: RichText | None = None
    blocks: tuple[Block, ...] = ()

    @property
    def plain_text(self) -> str:
        lines = [self.text.plain_text] if self.text else []
        lines.extend(block.plain_text for block in self.blocks)
        if self.attribution:
            lines.append(f"— {self.attribution.plain_text}")
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class FAQItem:
    question: RichText
    answer: tuple[RichText, ...]

    @property
    def answer_text(self) -> str:
        return "\n".join(part.plain_text for part in self.answer)


@dataclass(frozen=True, slots=True)
class FAQ:
    items: tuple[FAQItem, ...]

    @property
    def plain_text(self) -> str:
        return "\n".join(f"{i.question.plain_text}\n{i.answer_text}" for i in self.items)


@dataclass(frozen=True, slots=True)
class Subheading:
    text: RichText

    @property
    def plain_text(self) -> str:
        return self.text.plain_text


@dataclass(frozen=True, slots=True)
class CodeBlock:
    text: str
    language: str | None = None
    # Where the code starts in its file, when the reader knows: for messages.
    line: int | None = field(default=None, compare=False)

    @property
    def plain_text(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class Table:
    header: tuple[RichText, ...]
    rows: tuple[tuple[RichText, ...], ...]

    @property
    def plain_text(self) -> str:
        lines = [" | ".join(cell.plain_text for cell in self.header)]
        lines += [" | ".join(cell.plain_text for cell in row) for row in self.rows]
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Image:
    src: str
    alt: str = ""
    # Where the image is in its file, when the reader knows: for messages.
    line: int | None = field(default=None, compare=False)

    @property
    def plain_text(self) -> str:
        return self.alt


Block = Paragraph | ListBlock | Quote | FAQ | Subheading | CodeBlock | Table | Image


def walk(blocks: Iterable[Block]) -> Iterator[Block]:
    """Every block of `blocks` and every block inside them (under a list's
    items, in a quote), in reading order."""
    for block in blocks:
        yield block
        if isinstance(block, ListBlock):
            for body in block.bodies:
                yield from walk(body)
        elif isinstance(block, Quote):
            yield from walk(block.blocks)


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    blocks: tuple[Block, ...] = ()


# --- the author's word on threads ---------------------------------------------


@dataclass(frozen=True, slots=True)
class Steer:
    """What the author asks of a social thread: a hook and a closing line
    to use as written, and sentences or headings to leave out."""

    hook: str | None = None
    close: str | None = None
    skip: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Social:
    """The author's steer for every platform, and per platform (by the
    platform's key: "x", "bluesky"…) what differs there."""

    steer: Steer = Steer()
    platforms: tuple[tuple[str, Steer], ...] = ()

    def for_platform(self, key: str) -> Steer:
        """The steer on one platform: its own values, else the shared ones;
        its skip list adds to the shared one."""
        own = dict(self.platforms).get(key)
        if own is None:
            return self.steer
        return Steer(
            hook=own.hook if own.hook is not None else self.steer.hook,
            close=own.close if own.close is not None else self.steer.close,
            skip=self.steer.skip + own.skip,
        )

    def overridden(self, *, hook: str | None = None, close: str | None = None) -> Social:
        """This steer with `hook` and `close` (when given) on every platform,
        over any per-platform ones: what a command-line option asks."""
        if hook is None and close is None:
            return self
        platforms = tuple(
            (
                key,
                Steer(
                    hook=None if hook is not None else own.hook,
                    close=None if close is not None else own.close,
                    skip=own.skip,
                ),
            )
            for key, own in self.platforms
        )
        steer = Steer(
            hook=hook if hook is not None else self.steer.hook,
            close=close if close is not None else self.steer.close,
            skip=self.steer.skip,
        )
        return Social(steer, platforms)


NO_SOCIAL = Social()


# --- the article --------------------------------------------------------------

EMPTY_MAPPING: Mapping[str, Any] = MappingProxyType({})


# Articles cross process boundaries when a folder renders in parallel; a
# read-only mapping pickles as the plain dict it wraps.
def frozen_mapping(values: dict[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(values)


copyreg.pickle(MappingProxyType, lambda proxy: (frozen_mapping, (dict(proxy),)))


@dataclass(frozen=True, slots=True)
class Article:
    """One article, as every channel sees it."""

    title: str
    slug: str
    reading_minutes: int
    dek: str | None = None
    authors: tuple[str, ...] = ()
    date: dt.date | dt.datetime | None = None
    updated: dt.date | dt.datetime | None = None
    url: str | None = None
    tags: tuple[str, ...] = ()
    image: str | None = None
    image_alt: str | None = None
    lang: str = "en"
    draft: bool = False
    subject: str | None = None
    preheader: str | None = None
    extra: Mapping[str, Any] = field(default_factory=lambda: EMPTY_MAPPING)
    # The author's word on social threads (front matter `social:`, or a
    # plain-text article's NAME.social.toml).
    social: Social = NO_SOCIAL
    lead: tuple[Block, ...] = ()
    sections: tuple[Section, ...] = ()

    @property
    def author(self) -> str | None:
        """The authors joined for display: "A", "A and B", "A, B and C"."""
        if not self.authors:
            return None
        if len(self.authors) == 1:
            return self.authors[0]
        return ", ".join(self.authors[:-1]) + " and " + self.authors[-1]

    def blocks(self) -> tuple[Block, ...]:
        """The article's blocks in reading order (`walk` adds the blocks
        inside lists and quotes)."""
        out = list(self.lead)
        for section in self.sections:
            out.extend(section.blocks)
        return tuple(out)
