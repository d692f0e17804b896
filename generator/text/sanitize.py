"""Making untrusted text safe to put in XML, headers, titles and body text.

`clean_text` is the rule for every text Masthead is given, in one place: an
article file, every string its front matter or sidecar builds and every
string of the config (a YAML or TOML escape, `"\\e"` or `"\\u0000"`, makes a
control character only after the file was read). Line breaks become LF;
C0 and C1 controls, noncharacters and terminal escape sequences are dropped.

XML 1.0 forbids most control characters (and U+FFFE/U+FFFF); one of them in
a feed makes the whole feed unreadable, so they are dropped.

Bidi controls (Unicode's UAX #9) change the order text is shown in: a
right-to-left override makes "Hi \\u202egnp.exe" show as "Hi exe.png". The
rule, in one place:

- headers and titles (an email's Subject and From name, its <title> and
  preheader, attribute text, feed titles, names and categories) hold none:
  every embedding, override and isolate (U+202A-U+202E, U+2066-U+2069) is
  removed. Such a line sits beside text that is not the article's (an
  inbox's columns, a feed reader's list), where an unclosed one would
  reach into it.
- body text keeps isolates (LRI, RLI, FSI ... PDI: how right-to-left words
  are set in left-to-right text today), balanced line by line: one left
  open is closed at the end of its line (a line break ends a bidi
  paragraph, so that is where it ended anyway), a PDI that closes nothing
  is dropped. Embeddings and overrides (LRE, RLE, LRO, RLO, PDF) are
  removed, not closed: closed at the end of the line, an override would
  still reverse what follows it on that line (the spoof above), and
  isolates do what embeddings did without reaching past their end.
- the marks U+200E, U+200F and U+061C (LRM, RLM, ALM) are kept everywhere:
  they set the direction of what is next to them and reorder nothing.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any

from generator.model import Code, Emphasis, Inline, Link, RichText, Strong, Text

# C0 and C1 controls (C1's CSI, U+009B, starts an escape sequence on its own
# in some terminals) and the noncharacters XML refuses.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
# Line breaks other than LF. Writers meet them in text from word processors
# (Word's manual line break is VT), old mainframes (NEL) and web pages (U+2028
# and U+2029, which browsers and JavaScript treat as line ends): left inside a
# line, they glue the seed layout's title to its byline and dek.
LINE_BREAK = re.compile("\r\n?|[\x0b\x0c\x85\u2028\u2029]")
# Terminal escape sequences as pasted from a terminal: colours and erasures
# (ESC [ 31 m, ESC [ K: CSI with parameters, or the common bare finals) and
# window titles (ESC ] … BEL, within one line). Anything else is only the ESC
# byte, so a stray ESC before "[Link](…)" or a paragraph loses no text.
_TERMINAL_SEQUENCE = re.compile(
    "\x1b\\[(?:[0-9;?]+[ -/]*[@-~]|[HJKm])|\x1b\\][^\x07\x1b\n]{0,256}(?:\x07|\x1b\\\\)"
)


def clean_text(text: str) -> str:
    """`text` with every line break as LF, and control characters and
    terminal escapes dropped."""
    # Control characters are never content (and XML cannot hold them): a stray
    # escape sequence pasted from a terminal is dropped here, once, for all —
    # the whole sequence (ESC [ 31 m), not only its invisible first byte.
    text = LINE_BREAK.sub("\n", text)
    return _CONTROL.sub("", _TERMINAL_SEQUENCE.sub("", text))


def clean_strings(value: Any, *, keys: bool = True) -> Any:
    """`value` (what YAML or TOML built) with `clean_text` applied to every
    string in it, however deep in lists and mappings, and to the keys unless
    `keys` is false (where an unknown key is an error that quotes it as
    written, made printable, rather than a key that quietly changed)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {
            (clean_text(k) if keys and isinstance(k, str) else k): clean_strings(v, keys=keys)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [clean_strings(item, keys=keys) for item in value]
    return value


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 cannot hold."""
    return _XML_ILLEGAL.sub("", text)


EMBEDDINGS = frozenset("\u202a\u202b\u202c\u202d\u202e")  # LRE RLE PDF LRO RLO
ISOLATES = frozenset("\u2066\u2067\u2068")  # LRI RLI FSI
POP_ISOLATE = "\u2069"  # PDI
_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")


@cache
def _body_pieces() -> re.Pattern[str]:
    # Only text that holds a bidi control is split: compiled on first need.
    return re.compile("([\u202a-\u202e\u2066-\u2069\n])")


def without_bidi_controls(text: str) -> str:
    """`text` for a header or a title: no embedding, override or isolate."""
    return _BIDI_CONTROL.sub("", text)


def balanced_bidi(text: str) -> str:
    """`text` as body text: no embedding or override, and every isolate
    closed on its own line (see the module's rule)."""
    if not _BIDI_CONTROL.search(text):
        return text
    depth = [0]
    return "".join(_balanced(text, depth)) + POP_ISOLATE * depth[0]


def _balanced(text: str, depth: list[int]) -> list[str]:
    """The pieces of `text` balanced, `depth` (the isolates open before it)
    carried in and out, so that a run of inline nodes is balanced as one
    text."""
    out: list[str] = []
    for piece in _body_pieces().split(text):
        if piece in ISOLATES:
            depth[0] += 1
        elif piece == POP_ISOLATE:
            if not depth[0]:
                continue  # closes nothing
            depth[0] -= 1
        elif piece == "\n":
            out.append(POP_ISOLATE * depth[0])
            depth[0] = 0
        elif piece in EMBEDDINGS:
            continue
        out.append(piece)
    return out


def balanced_bidi_rich(text: RichText) -> RichText:
    """Rich text as body text: `balanced_bidi` over its inline nodes read as
    one text (an isolate opened in an emphasis may close after it); one
    left open at the end is closed after the last node."""
    if not _BIDI_CONTROL.search(text.plain_text):
        return text
    depth = [0]

    def node(inline: Inline) -> Inline:
        match inline:
            case Text(text=value):
                return Text("".join(_balanced(value, depth)))
            case Code(text=value):
                return Code("".join(_balanced(value, depth)))
            case Emphasis(children=children):
                return Emphasis(tuple(node(child) for child in children))
            case Strong(children=children):
                return Strong(tuple(node(child) for child in children))
            case Link(href=href, children=children):
                return Link(href, tuple(node(child) for child in children))
        raise TypeError(f"unknown inline node {inline!r}")

    nodes = tuple(node(inline) for inline in text.nodes)
    if depth[0]:
        nodes += (Text(POP_ISOLATE * depth[0]),)
    return RichText(nodes)


def bidi_controls(text: str, *, title: bool) -> list[str]:
    """The bidi controls of `text` that do not go out as written, each named
    once ("U+202E RIGHT-TO-LEFT OVERRIDE"): in a title (`title`) every one;
    in body text the embeddings and overrides, and isolates left unbalanced
    on their line."""
    found: set[str] = set()
    for line in text.split("\n") if _BIDI_CONTROL.search(text) else ():
        opened: list[str] = []
        for char in _BIDI_CONTROL.findall(line):
            if title or char in EMBEDDINGS:
                found.add(char)
            elif char in ISOLATES:
                opened.append(char)
            elif opened:
                opened.pop()
            else:
                found.add(char)  # a PDI that closes nothing
        found.update(opened)
    return [f"U+{ord(c):04X} {unicodedata.name(c)}" for c in sorted(found)]
