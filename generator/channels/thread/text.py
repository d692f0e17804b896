"""An article's words as post text: one clean line, quotes in curly marks,
list items with what is written under them, code on lines of its own.

Nothing here chooses what a thread says; it only turns the model's rich text
into the plain text a post holds, the same for every platform.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.model import Block, CodeBlock, ListBlock, Paragraph, Quote, RichText, Subheading
from generator.text.sanitize import balanced_bidi
from generator.text.splitting import with_colon

# Characters twitter-text calls invalid (a post holding one is refused) and
# that no platform shows usefully: bidi embeddings/overrides and BOM-likes.
_INVALID_IN_POSTS = re.compile("[\u202a-\u202e\ufeff\ufffe\uffff]")


def post_text(text: RichText) -> str:
    """Rich text as one line of post text. Links keep their text only (a bare
    URL's text is the URL), so no scheme an article chose is ever linked here."""
    return clean(text.plain_text)


def clean(text: str) -> str:
    """One piece of the article as post text: a post is body text, so its
    bidi isolates are balanced (see sanitize)."""
    if text.isascii():  # no character to leave out, no bidi control
        return " ".join(text.split())
    return " ".join(balanced_bidi(_INVALID_IN_POSTS.sub("", text)).split())


# --- quotes -------------------------------------------------------------------

OPEN_QUOTES = "“\"‘'«„"
CLOSE_QUOTES = "”\"’'»“"
# Straight quote marks round a whole quote become curly, as the brief asks.
_CURLED = {'"': ("“", "”"), "'": ("‘", "’")}


def curled(opening: str, inner: str, closing: str) -> tuple[str, str]:
    """The marks for a quote: straight ones round it whole, not also inside
    it ('"We ship," she said. "Then we fix."'), become curly."""
    if opening == closing in _CURLED and opening not in inner:
        return _CURLED[opening]
    return opening, closing


def quoted(text: str) -> str:
    """`text` in quote marks: its own when it has them round it whole (straight
    ones made curly), else curly ones."""
    text = text.strip()
    if len(text) > 1 and text[0] in _CURLED:
        inner = text[1:-1]
        opening, closing = curled(text[0], inner, text[-1])
        if opening != text[0]:
            return f"{opening}{inner.strip()}{closing}"
    if text[:1] in OPEN_QUOTES and (text[0] not in "'\"" or text[-1] in CLOSE_QUOTES):
        return text  # quoted already; a lone straight mark may be an elision ('Tis)
    return f"“{text}”"


@dataclass(frozen=True, slots=True)
class QuoteText:
    """A quote's words without their marks, the marks to put round any part
    of them, and who said it ("" when no one is named)."""

    inner: str
    opening: str
    closing: str
    attribution: str

    @property
    def whole(self) -> str:
        return self.part(self.inner) if self.inner else ""

    def part(self, words: str) -> str:
        return f"{self.opening}{words}{self.closing}"


def quote_text(block: Quote) -> QuoteText:
    inner = post_text(block.text)
    attribution = post_text(block.attribution) if block.attribution else ""
    opening, closing = "“", "”"
    if inner[:1] in OPEN_QUOTES and inner[-1:] in CLOSE_QUOTES and len(inner) > 1:
        opening, closing, inner = inner[0], inner[-1], inner[1:-1].strip()
        opening, closing = curled(opening, inner, closing)
    return QuoteText(inner, opening, closing, attribution)


# --- list items -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Step:
    """A list item as post text: `bare` without its code, `full` with each
    code block on lines of its own where it stands, and those code blocks."""

    bare: str
    full: str
    code: tuple[CodeBlock, ...] = ()


def item_texts(block: ListBlock) -> list[Step]:
    """A list's items as post text, empty ones left out. What is written
    under an item follows its line: a nested list joins it ("First step: do
    this; then that"), as a post has no indent to show that it belongs
    there; paragraphs and quotes follow as sentences; code goes on lines of
    its own, never into a sentence. Tables and images stay out of threads."""
    steps: list[Step] = []
    for index, item in enumerate(block.items):
        pieces: list[str | CodeBlock] = [post_text(item)]
        for inner in block.body(index):
            _add_pieces(pieces, inner)
        step = _step(pieces)
        if step.full:
            steps.append(step)
    return steps


def ends_sentence(text: str) -> bool:
    return text.rstrip("\"'”’)»").endswith((".", "!", "?", "…", "。", "！", "？", ";", "；"))


def _add_pieces(pieces: list[str | CodeBlock], block: Block) -> None:
    """Add what `block`, under a list item, says to the item's `pieces`:
    runs of text to join as sentences, and code blocks between them."""
    if isinstance(block, ListBlock):
        under = item_texts(block)
        if words := [u.bare for u in under if u.bare]:
            if pieces and isinstance(pieces[-1], str) and pieces[-1]:
                pieces[-1] = with_colon(pieces[-1])  # "First step:" then its items
            # Sentences follow each other; fragments take a semicolon.
            sep = " " if all(ends_sentence(w) for w in words) else "; "
            pieces.append(sep.join(words))
        pieces.extend(code for u in under for code in u.code)
    elif isinstance(block, Paragraph | Subheading):
        pieces.append(post_text(block.text))
    elif isinstance(block, Quote):
        pieces.append(post_text(block.text))
        for inner in block.blocks:
            _add_pieces(pieces, inner)
    elif isinstance(block, CodeBlock):
        pieces.append(block)


def _step(pieces: list[str | CodeBlock]) -> Step:
    words: list[str] = []  # the text runs, without code
    lines: list[str] = []  # with code: a run of text, or a line of code
    run: list[str] = []
    code: list[CodeBlock] = []
    for piece in pieces:
        if isinstance(piece, CodeBlock):
            if text := code_text(piece.text):
                code.append(piece)
                if run:
                    lines.append(" ".join(run))
                    run = []
                lines.append(text)
        elif piece:
            words.append(piece)
            run.append(piece)
    if run:
        lines.append(" ".join(run))
    return Step(" ".join(words), "\n".join(lines), tuple(code))


def code_text(code: str) -> str:
    """Code for a post: its lines as written (indent kept), blank ones and
    characters no post may hold left out, and its bidi isolates closed on
    their lines, as in any body text (see sanitize)."""
    lines = balanced_bidi(_INVALID_IN_POSTS.sub("", code)).split("\n")
    return "\n".join(line.rstrip() for line in lines if line.strip())
