"""Emoji data without the `emoji` package at run time: the code points, and shortcodes.

The `emoji` package is the authority (its data follows Unicode's emoji
files), but importing it reads a half-megabyte JSON table: a tenth of a cold
`masthead render`, to answer two questions. What Masthead asks of it is
written once, at development time, into `emojis.txt` next to this module,
and read from there:

- `code_points()`: every code point that is, or is part of, an emoji (the
  characters of every key of `emoji.EMOJI_DATA`);
- `emojize(text)`: `emoji.emojize(text, language="alias")`, GitHub's
  `:shortcode:` names (`:tada:` -> 🎉) made emoji, a name it does not know
  left as written.

After upgrading `emoji`, rewrite the file with
`python -m generator.text.emojis --regenerate`; tests/test_import_weight.py
compares the shipped data with the installed package and fails until then.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

DATA = Path(__file__).with_name("emojis.txt")
# The lines of DATA: a comment, code points (hex, "1F600-1F64F" a range),
# the characters a name may hold (a regex character class, as `emoji`
# matches names), and one shortcode per line ("name emoji").
_COMMENT, _NAME_CHARACTERS = "#", "["


@cache
def _data() -> bytes:
    # Bytes: decoding the whole table would cost more than the few lookups
    # made in it. A line break first, so every line starts after one.
    return b"\n" + DATA.read_bytes()


def _head() -> list[str]:
    """The lines before the shortcodes (which are the long tail)."""
    return _data().partition(b"\n:")[0].decode("utf-8").split("\n")


@cache
def code_points() -> frozenset[str]:
    """Every code point that is, or is part of, an emoji."""
    points: set[str] = set()
    for line in _head():
        if line[:1] in ("", _COMMENT, _NAME_CHARACTERS):
            continue
        for item in line.split():
            first, _, last = item.partition("-")
            points.update(map(chr, range(int(first, 16), int(last or first, 16) + 1)))
    return frozenset(points)


@cache
def _shortcode() -> re.Pattern[str]:
    # Compiled when a text first holds a colon: most commands never need it.
    (characters,) = [line for line in _head() if line.startswith(_NAME_CHARACTERS)]
    return re.compile(f":{characters}+:")


@lru_cache(maxsize=1024)
def _emoji_named(name: str) -> str | None:
    """The emoji `name` (with its colons) stands for, or None. Templates and
    articles use a handful of names, so each is looked up in the text once
    rather than the whole table made a dict on every start."""
    data = _data()
    line = f"\n{name} ".encode("utf-8", "surrogatepass")
    at = -1 if " " in name else data.find(line)  # a name holds no space
    if at < 0:
        return None
    start = at + len(line)
    return data[start : data.find(b"\n", start)].decode("utf-8")


def _replace(match: re.Match[str]) -> str:
    # As `emoji` does: the name is looked up in Unicode's NFKC form.
    name = unicodedata.normalize("NFKC", match.group()[1:-1])
    return _emoji_named(f":{name}:") or match.group()


def emojize(text: str) -> str:
    """`emoji.emojize(text, language="alias")`, from the shipped data."""
    if ":" not in text:
        return text
    return _shortcode().sub(_replace, text)


# --- writing the data (development time only) ------------------------------------


def _regenerate() -> str:
    """The text of DATA, from the installed `emoji` package."""
    import emoji
    from emoji.core import _EMOJI_NAME_PATTERN
    from emoji.unicode_codes import STATUS

    points = sorted({ord(c) for sequence in emoji.EMOJI_DATA for c in sequence})
    ranges: list[tuple[int, int]] = []
    for point in points:
        if ranges and ranges[-1][1] == point - 1:
            ranges[-1] = (ranges[-1][0], point)
        else:
            ranges.append((point, point))
    items = [f"{a:X}" if a == b else f"{a:X}-{b:X}" for a, b in ranges]
    point_lines = [" ".join(items[i : i + 12]) for i in range(0, len(items), 12)]
    # emoji.emojize(language="alias") takes the first emoji (in its table's
    # order) with the name among its aliases, else the first with it as its
    # English name; neither minimally qualified nor unqualified.
    english: dict[str, str] = {}
    aliases: dict[str, str] = {}
    for sequence, row in emoji.EMOJI_DATA.items():
        if row["status"] > STATUS["fully_qualified"]:
            continue
        english.setdefault(row["en"], sequence)
        for alias in row.get("alias", ()):
            aliases.setdefault(alias, sequence)
    names = {**english, **aliases}
    characters = "".join(
        c if c.isprintable() and not unicodedata.combining(c) else f"\\u{ord(c):04x}"
        for c in _EMOJI_NAME_PATTERN
    )
    return "\n".join(
        [
            f"# Emoji data from the `emoji` package {emoji.__version__}, read by",
            "# generator/text/emojis.py instead of the package. Do not edit: run",
            "# `python -m generator.text.emojis --regenerate` after upgrading `emoji`.",
            "# Code points that are, or are part of, an emoji (hex; A-B a range):",
            *point_lines,
            "# The characters a :name: may hold (a regex character class):",
            f"[{characters}]",
            "# Shortcodes (emojize, language='alias'): the name, a space, the emoji.",
            *(f"{name} {sequence}" for name, sequence in names.items()),
        ]
    ) + "\n"


def main(argv: list[str]) -> int:
    if argv != ["--regenerate"]:
        print("usage: python -m generator.text.emojis --regenerate", file=sys.stderr)
        return 2
    partial = DATA.with_name(DATA.name + ".partial")
    partial.write_text(_regenerate(), encoding="utf-8", newline="\n")
    partial.replace(DATA)  # whole or not at all
    print(f"wrote {DATA}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
