"""The content model: one typed, immutable `Article` that every channel reads.

Readers build it; channels render it. It knows nothing of files, templates or
output formats, and it imports nothing else of Masthead.

Text that may carry inline markup is a `RichText`: a tuple of inline nodes
(`Text`, `Emphasis`, `Strong`, `Code`, `Link`). Channels walk those nodes to
produce HTML, plain text or post text without re-parsing anything. Every node
and block has a `plain_text` view.
"""

from __future__ import annotations

import copyreg
import datetime as dt
from collections.abc import Mapping
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
    items: tuple[RichText, ...]
    ordered: bool = False
    # Per item, the list nested under it (None where there is none); empty
    # when no item has one.
    sublists: tuple[ListBlock | None, ...] = ()

    def sublist(self, index: int) -> ListBlock | None:
        return self.sublists[index] if index < len(self.sublists) else None

    def flat_items(self) -> tuple[RichText, ...]:
        """Every item, nested ones after their parent, for channels without
        nesting (a thread)."""
        if not self.sublists:
            return self.items
        out: list[RichText] = []
        for index, item in enumerate(self.items):
            out.append(item)
            if (nested := self.sublist(index)) is not None:
                out.extend(nested.flat_items())
        return tuple(out)

    @property
    def plain_text(self) -> str:
        return "\n".join(item.plain_text for item in self.flat_items())


@dataclass(frozen=True, slots=True)
class Quote:
    text: RichText
    attribution: RichText | None = None

    @property
    def plain_text(self) -> str:
        if self.attribution:
            return f"{self.text.plain_text}\n— {self.attribution.plain_text}"
        return self.text.plain_text


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

    @property
    def plain_text(self) -> str:
        return self.alt


Block = Paragraph | ListBlock | Quote | FAQ | Subheading | CodeBlock | Table | Image


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    blocks: tuple[Block, ...] = ()


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
        """Every block of the article in reading order."""
        out = list(self.lead)
        for section in self.sections:
            out.extend(section.blocks)
        return tuple(out)
