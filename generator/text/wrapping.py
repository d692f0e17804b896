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
    # The words, one space between them; each line is then found with
    # str.rfind (the last space that leaves the line short enough), not by
    # adding words one by one: a line costs what a word cost before.
    if (
        "  " in text
        or "\n" in text
        or "\t" in text
        or "\r" in text
        or "\x0b" in text
        or "\x0c" in text
    ):
        joined = " ".join(_BREAK.split(text)).strip(" ")
    else:
        # Words already one space apart, as most paragraphs' are: six `in`
        # scans at C speed where splitting the words out and joining them
        # back was most of the cost of wrapping the paragraph.
        joined = text.strip(" ")
    if not joined:
        return ""
    lines: list[str] = []
    indent = initial_indent
    start, end = 0, len(joined)
    while True:
        room = width - len(indent)  # for the words of this line
        if end - start <= room:
            lines.append(indent + joined[start:])
            return "\n".join(lines)
        cut = joined.rfind(" ", start, start + room + 1) if room >= 0 else -1
        if cut <= start:  # not even the first word fits: it has the line to itself
            cut = joined.find(" ", start)
            if cut < 0:
                lines.append(indent + joined[start:])
                return "\n".join(lines)
        lines.append(indent + joined[start:cut])
        start, indent = cut + 1, subsequent_indent


# Characters one column wide, neither combining nor format characters nor
# wide: Latin (but the soft hyphen, a format character), Greek, Cyrillic,
# most punctuation, currency signs. Text of them only (a heading with curly
# quotes or accents) is as wide as it is long, without a lookup per
# character; the tests check every character of the class.
_NARROW = re.compile(
    "[\x00-\xac\xae-\u02ff"  # Latin
    "\u0384-\u038a\u038c\u038e-\u03a1\u03a3-\u0482"  # Greek and Cyrillic (not the gaps)
    "\u2010-\u2029\u202f-\u205f\u20a0-\u20c0]*"  # punctuation, currency signs
)


def display_width(text: str) -> int:
    """Columns `text` takes in a monospaced font: wide (CJK, most emoji) count
    two, as does a character that U+FE0F asks to show as an emoji; combining
    marks and format characters (ZWJ, variation selectors) none."""
    if text.isascii() or _NARROW.fullmatch(text):
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
