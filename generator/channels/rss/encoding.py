"""A feed file's character encoding: read it as UTF-8, write it back as it was.

The merge works on UTF-8 bytes (its byte searches assume an ASCII-compatible
encoding, and new items are built as UTF-8). A feed in another encoding —
UTF-16 with its byte order mark, or Latin-1 / windows-1252 named in the XML
declaration — is decoded to UTF-8 for reading and every piece written is
encoded back, so the file keeps its declaration, its byte order mark and the
exact bytes of every item Masthead did not write. A character the feed's
encoding cannot hold goes in as a character reference (`&#128512;`), which
XML reads as the character itself. An encoding that cannot be written back
byte for byte is refused before anything is written.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from generator.errors import MastheadError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE, whose mark it starts with
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# "<?" in UTF-16 without a byte order mark (allowed when the declaration
# names the byte order: encoding="UTF-16LE").
_BARE_UTF16 = ((b"<\x00?\x00", "utf-16-le"), (b"\x00<\x00?", "utf-16-be"))

_DECLARATION = re.compile(r"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z][A-Za-z0-9._-]*)[\"']")
_DECLARATION_START = re.compile(r"^\s*<\?xml\s")

# Encodings whose text is encoded one character at a time (no shift states),
# so each piece of a feed can be encoded on its own; each must also decode
# and encode the feed back to the same bytes, which is checked.
_STATELESS = re.compile(
    r"utf-8|utf-16(-le|-be)?|ascii|iso8859-\d+|cp\d+|mac-[a-z]+|koi8-[a-z]+"
    r"|shift_jis|euc_jp|euc_kr|gb2312|gbk|gb18030|big5"
)

HEAD = 4096  # the bytes read before looking for the XML declaration's end
# The longest XML declaration read. XML puts no bound on the white space
# inside one, so one longer than this is refused, never misread as UTF-8.
DECLARATION_LIMIT = 64 * 1024


def enough(head: bytes) -> bool:
    """True when the first bytes of a feed, `head`, are all `detect` needs:
    `HEAD` of them and the end of the XML declaration (its `>`, a byte of its
    own in every encoding Masthead reads), or `DECLARATION_LIMIT` of them."""
    return len(head) >= DECLARATION_LIMIT or (len(head) >= HEAD and b">" in head)


class FeedError(MastheadError):
    """The feed file is not an RSS feed Masthead can update (here: one whose
    encoding it cannot read and write back unchanged)."""


@dataclass(frozen=True, slots=True)
class FeedEncoding:
    """How a feed file is encoded. `codec` is Python's name for it; `bom` is the
    byte order mark the file starts with, outside the UTF-8 text (UTF-16 only:
    a UTF-8 feed is read as it is, its mark included)."""

    codec: str = "utf-8"
    bom: bytes = b""

    @property
    def is_utf8(self) -> bool:
        return self.codec == "utf-8"

    def encode(self, pieces: Iterable[bytes | memoryview]) -> Iterator[bytes | memoryview]:
        """UTF-8 pieces of a feed as this encoding: the same pieces for UTF-8."""
        if self.is_utf8:
            yield from pieces
            return
        if self.bom:
            yield self.bom
        decoder = codecs.getincrementaldecoder("utf-8")()
        for piece in pieces:
            text = decoder.decode(piece)
            if text:
                yield text.encode(self.codec, "xmlcharrefreplace")
        decoder.decode(b"", final=True)


def detect(head: bytes, name: str) -> FeedEncoding:
    """The encoding of a feed from its first bytes (as many as `enough`
    asks for, or the whole file): a byte order mark, else the XML
    declaration, else UTF-8, as XML's own rules say. A declaration that
    does not end within them is refused."""
    for mark, codec in _BOMS:
        if head.startswith(mark):
            if codec == "utf-32":
                raise _unsupported("UTF-32", name)
            if codec == "utf-8":
                declared = _declared(head[len(mark) :].decode("utf-8", "replace"), name)
                _same(declared, ("utf-8",), "a UTF-8 byte order mark", name)
                return FeedEncoding()
            declared = _declared(head[len(mark) :].decode(codec, "replace"), name)
            _same(declared, ("utf-16", codec), "a UTF-16 byte order mark", name)
            return FeedEncoding(codec, mark)
    for start, codec in _BARE_UTF16:
        if head.startswith(start):
            declared = _declared(head.decode(codec, "replace"), name)
            _same(declared, (codec,), "UTF-16 text without a byte order mark", name)
            return FeedEncoding(codec)
    declared = _declared(head.decode("latin-1"), name)
    if declared is None:
        return FeedEncoding()
    if not _STATELESS.fullmatch(declared):
        raise _unsupported(declared, name)
    if declared.startswith("utf-16"):
        raise FeedError(
            f"the feed declares {declared} but is not UTF-16 text (no byte order mark); "
            "fix its XML declaration — Masthead left it untouched",
            name,
        )
    return FeedEncoding(declared)


def to_utf8(data: bytes, encoding: FeedEncoding, name: str) -> bytes:
    """The feed as UTF-8, refused unless encoding it back gives `data` again."""
    if encoding.is_utf8:
        return data  # expat checks it is UTF-8 as it reads
    body = data[len(encoding.bom) :]
    try:
        text = body.decode(encoding.codec)
    except UnicodeDecodeError as exc:
        line = body[: exc.start].decode(encoding.codec, "replace").count("\n") + 1
        raise FeedError(
            f"the feed is not valid {encoding.codec} (byte {exc.start + len(encoding.bom)}, "
            f"line {line}); fix the file or its XML declaration — Masthead left it untouched",
            name,
            line,
        ) from None
    try:
        same = text.encode(encoding.codec) == body
    except UnicodeEncodeError:
        same = False
    if not same or (encoding.bom == b"" and not _DECLARATION.match(text)):
        # (A declaration read as ASCII that its own encoding reads otherwise,
        # EBCDIC's cp037: not that encoding at all.)
        raise FeedError(
            f"the feed's {encoding.codec} text cannot be written back byte for byte; "
            "save it as UTF-8 — Masthead left it untouched",
            name,
        )
    return text.encode("utf-8")


def utf8_chunks(chunks: Iterable[bytes], name: str) -> Iterator[bytes]:
    """A feed read a chunk at a time, as UTF-8 chunks."""
    head = b""
    source = iter(chunks)
    for chunk in source:
        head += chunk
        if enough(head):
            break
    encoding = detect(head, name)
    if encoding.is_utf8:
        yield head
        yield from source
        return
    decoder = codecs.getincrementaldecoder(encoding.codec)()
    try:
        yield decoder.decode(head[len(encoding.bom) :]).encode("utf-8")
        for chunk in source:
            yield decoder.decode(chunk).encode("utf-8")
        yield decoder.decode(b"", final=True).encode("utf-8")
    except UnicodeDecodeError:
        raise FeedError(
            f"the feed is not valid {encoding.codec}; fix the file or its XML declaration",
            name,
        ) from None


def _declared(text: str, name: str) -> str | None:
    """The encoding the XML declaration names, as Python's codec calls it."""
    match = _DECLARATION.match(text)
    if match is None:
        if _DECLARATION_START.match(text) and ">" not in text:
            # Its encoding may come after what was read: reading the feed
            # as UTF-8 could write UTF-8 into a Latin-1 file.
            raise FeedError(
                f"the feed's XML declaration does not end within its first "
                f"{DECLARATION_LIMIT // 1024} KiB; shorten it (<?xml version=\"1.0\" "
                'encoding="…"?>) — Masthead left the feed untouched',
                name,
            )
        return None
    try:
        return codecs.lookup(match.group(1)).name
    except LookupError:
        raise _unsupported(match.group(1), name) from None


def _same(declared: str | None, allowed: tuple[str, ...], found: str, name: str) -> None:
    if declared is not None and declared not in allowed:
        raise FeedError(
            f"the feed declares {declared} but starts with {found}; "
            "fix its XML declaration — Masthead left it untouched",
            name,
        )


def _unsupported(encoding: str, name: str) -> FeedError:
    return FeedError(
        f"the feed is in {encoding}, which Masthead cannot update without changing its "
        "bytes; save it as UTF-8 — Masthead left it untouched",
        name,
    )
