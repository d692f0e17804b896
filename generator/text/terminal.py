"""Making a message fit to print on a terminal.

Masthead's messages quote what it was given: a file name, a front-matter
value in an error, a config key. Any of them may hold bytes a terminal acts
on instead of showing: ESC starts sequences that erase lines, move the
cursor, set the window title or write to the clipboard (OSC 52); BEL rings;
C1's CSI (U+009B) is ESC [ on some terminals; a bidi override reorders the
rest of the line. Every message the CLI prints goes through `printable`,
which shows each of those as a visible escape (`\\x1b`, `\\u202e`) instead.
"""

from __future__ import annotations

import re
from functools import cache

# C0 controls but LF, DEL, C1 controls, the Unicode line and paragraph
# separators, bidi embeddings, overrides and isolates (UAX #9), the
# noncharacters U+FFFE/U+FFFF, and lone surrogates (a file name's bytes that
# are not UTF-8, as Python decodes them).
_UNPRINTABLE = (
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff\ufffe\uffff]"
)


@cache
def _unprintable() -> re.Pattern[str]:
    # Compiled when a first message is printed, not by every command's start
    # (`--help` imports this module): the class is half a millisecond to compile.
    return re.compile(_UNPRINTABLE)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(message: str, *, lines: bool = False) -> str:
    """`message` with every character a terminal would act on shown as an
    escape; LF too, unless `lines` (a message of several lines by design)."""
    text = _unprintable().sub(_escape, message)
    return text if lines else text.replace("\n", "\\n")
