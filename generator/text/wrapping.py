"""Greedy line wrapping for the plain-text email part.

Lines break at ASCII whitespace only, so a no-break space (`10\u00a0km`,
`«\u00a0oui\u00a0»`) holds its words together, and a word longer than the width
(a URL) is never broken: it gets a line of its own. Runs of whitespace
become one space. This is what `textwrap.fill` does with
`break_long_words=False, break_on_hyphens=False`, at a fraction of its cost
(it was a tenth of a folder render's time).
"""

from __future__ import annotations

import re
import unicodedata

_BREAK = re.compile(r"[\t\n\x0b\x0c\r ]+")


def fill(text: str, width: int, initial_indent: str = "", subsequent_indent: str = "") -> str:
    """`text` as lines of at most `width` characters (a longer word excepted)."""
    words = [w for w in _BREAK.split(text) if w]
    if not words:
        return ""
    lines: list[str] = []
    line = initial_indent + words[0]
    for word in words[1:]:
        if len(line) + 1 + len(word) <= width:
            line += " " + word
        else:
            lines.append(line)
            line = subsequent_indent + word
    lines.append(line)
    return "\n".join(lines)


def display_width(text: str) -> int:
    """Columns `text` takes in a monospaced font: wide (CJK, most emoji) count
    two, as does a character that U+FE0F asks to show as an emoji; combining
    marks and format characters (ZWJ, variation selectors) none."""
    if text.isascii():
        return len(text)
    width = 0
    last = 0  # the width of the last character counted
    for char in text:
        if char == "\ufe0f" and last == 1:  # emoji presentation: ❤️ is as wide as 🐝
            width += 1
            last = 2
            continue
        if unicodedata.category(char) in ("Mn", "Me", "Cf") or "\ufe00" <= char <= "\ufe0f":
            continue
        last = 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
        width += last
    return width
