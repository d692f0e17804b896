"""A complete message file (.eml): multipart/alternative, text then HTML.

Everything that would vary between runs is derived from the content: the MIME
boundary and the Message-ID come from a hash of the message, and the Date
from `generator.clock` (which honours SOURCE_DATE_EPOCH), so the same input
gives a byte-identical file.

The message is assembled here rather than with `email.message.EmailMessage`:
its header machinery cost 1.5 ms a message, more than rendering the email
itself, and a folder render writes one per article. The structure is fixed
(two base64 parts) so there is little to get wrong; the tests parse every
file back with the standard library and compare each header and part.
"""

from __future__ import annotations

import binascii
import datetime as dt
import hashlib
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from email.charset import BASE64, RFC2047_CHROME_LEN, Charset
from email.header import Header
from email.utils import format_datetime, formataddr
from functools import lru_cache
from itertools import chain, repeat
from typing import Any

from generator.config import Config
from generator.text.sanitize import without_bidi_controls

PLACEHOLDER_FROM = ("Sender not configured", "sender@example.invalid")
PLACEHOLDER_TO = "subscriber@example.invalid"

# A header value that may go out as it is: printable ASCII, no encoded-word
# opener (a subject holding `=?utf-8?b?...?=` would otherwise be decoded by
# the reader's mail client), and short enough to need no folding.
_PLAIN_HEADER = re.compile(r"[ -~]{0,900}")
# Control characters that str.split() does not take for space (it does tab,
# CR, LF, VT, FF, the C0 separators and NEL): dropped, as in an article's text.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
_HEADER_URL = re.compile(r"[!-=?-~]+")



class _Base64Words(Charset):
    """UTF-8 as base64 encoded words, as Gmail and Apple Mail write them: the
    standard library's default for UTF-8 measures quoted-printable too, to
    pick the shorter.

    Its `header_encode_lines` cuts the text into words as Charset's does
    (the longest run of characters that fits each line, characters never
    split), but counts bytes as it goes: Charset's encodes every prefix
    afresh, a cost that grows with the square of the subject's length and
    was most of the cost of a message. The tests compare the two on many
    subjects."""

    def __init__(self) -> None:
        super().__init__("utf-8")
        self.header_encoding = BASE64

    def header_encode_lines(self, string: str, maxlengths: Iterator[int]) -> list[str | None]:
        extra = len("utf-8") + RFC2047_CHROME_LEN
        maxlen = next(maxlengths) - extra
        if (len(string.encode("utf-8")) + 2) // 3 * 4 <= maxlen:  # all on the first line
            return [_word(string)]
        lines: list[str | None] = []
        start = 0  # where the current line's characters begin
        size = 0  # their length in UTF-8
        for end, character in enumerate(string):
            width = _utf8_length(character)
            # A base64 word of n bytes is 4 characters per 3 bytes begun.
            if (size + width + 2) // 3 * 4 > maxlen:
                if not lines and start == end:  # nothing fits on the first line
                    lines.append(None)
                else:
                    lines.append(_word(string[start:end]))
                start, size = end, width
                maxlen = next(maxlengths) - extra
            else:
                size += width
        lines.append(_word(string[start:]))
        return lines


def _utf8_length(character: str) -> int:
    code = ord(character)
    return 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4


def _word(text: str) -> str:
    # What email.base64mime.header_encode makes of it.
    if not text:
        return ""
    encoded = binascii.b2a_base64(text.encode("utf-8"), newline=False).decode("ascii")
    return f"=?utf-8?b?{encoded}?="


_UTF8_BASE64 = _Base64Words()


def build_eml(
    *,
    subject: str,
    text: str,
    html: str,
    config: Config,
    now: dt.datetime,
    esp: str | None = None,
) -> bytes:
    """The message file. With no email service (`generic`) and an
    `[email] unsubscribe_url`, it carries a List-Unsubscribe header too; an
    email service adds its own when it sends."""
    # Each part is encoded once, for the hash and for its base64 alike: the
    # hash of the pieces in turn is the hash of their join.
    text_bytes = text.encode("utf-8")
    html_bytes = html.encode("utf-8")
    sender = _LAST_SENDER[1] if _LAST_SENDER[0] is config else _sender(config)
    _LAST_SENDER[:] = [config, sender]
    digest = hashlib.sha256(subject.encode("utf-8"))
    for piece in (text_bytes, html_bytes, sender.hashed):
        digest.update(b"\0")
        digest.update(piece)
    hexdigest = digest.hexdigest()
    boundary = f"masthead-{hexdigest[32:56]}"
    headers = (
        f"{sender.from_line}"
        f"To: {PLACEHOLDER_TO}\r\n"
        f"Subject: {header_value(subject)}\r\n"
        f"Date: {_date(now, now.utcoffset())}\r\n"
        f"Message-ID: <{hexdigest[:32]}@{sender.domain}>\r\n"
        f"{_list_unsubscribe(config, esp)}"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n'
        "\r\n"
    )
    return b"".join(
        (
            headers.encode("ascii"),
            _part(boundary, "plain", text_bytes),
            _part(boundary, "html", html_bytes),
            f"--{boundary}--\r\n".encode("ascii"),
        )
    )


@dataclass(frozen=True, slots=True)
class _Sender:
    from_line: str  # the From header, CRLF included
    domain: str  # of the Message-ID
    hashed: bytes  # "name\0address" as the config has them, for the message's hash


# The config of the last message and its _Sender, by identity: a folder
# render's messages share one Config object, which lru_cache would hash
# (every field, nested) for each.
_LAST_SENDER: list[Any] = [None, None]


@lru_cache(maxsize=16)
def _sender(config: Config) -> _Sender:
    """What a message takes from the config's [sender], made once per config."""
    name, address = (config.sender.name, config.sender.address)
    hashed = f"{name}\0{address}".encode()
    if not address:
        name, address = PLACEHOLDER_FROM
    local, domain = address.rsplit("@", 1)
    if not domain.isascii():  # an international domain goes out as IDNA
        domain = domain.encode("idna").decode("ascii")
        address = f"{local}@{domain}"
    return _Sender(f"From: {formataddr((_one_line(name), address))}\r\n", domain, hashed)


@lru_cache(maxsize=4)
def _date(now: dt.datetime, offset: dt.timedelta | None) -> str:
    # One clock reading serves a whole folder render. Keyed by the offset
    # too (`now.utcoffset()`): equal instants in two zones are equal
    # datetimes, but each has its own header ("13:00 +0100", "12:00 +0000").
    return format_datetime(now)


def _list_unsubscribe(config: Config, esp: str | None) -> str:
    url = config.email.unsubscribe_url
    # Printable ASCII without spaces or '>': nothing can end the header early.
    if (esp or config.email.esp) != "generic" or not _HEADER_URL.fullmatch(url):
        return ""
    return f"List-Unsubscribe: <{url}>\r\n"


def header_value(value: str) -> str:
    """`value` as an unstructured header: as it is when that is safe,
    otherwise as RFC 2047 encoded words, folded one to a line."""
    value = _one_line(value)
    if _PLAIN_HEADER.fullmatch(value) and "=?" not in value:
        return value
    # What Header(value, _UTF8_BASE64, maxlinelen=76).encode(linesep="\r\n")
    # makes of one line of text (its formatter's bookkeeping cost more than
    # the words): the first word on the header's line (76 columns), each
    # other on a line of its own after a space (75 columns). The tests
    # compare the two on many subjects.
    words = _UTF8_BASE64.header_encode_lines(value, chain((76,), repeat(75)))
    if None in words:  # nothing fit on the first line (not at 76 columns)
        return Header(value, _UTF8_BASE64, maxlinelen=76).encode(linesep="\r\n")
    return "\r\n ".join(words)  # type: ignore[arg-type]


def _one_line(value: str) -> str:
    """`value` fit for a header: no CR/LF (nothing can start a header of its
    own), no other control character (a NUL or ESC would reach the reader's
    mail program, even inside an encoded word), no bidi control (see
    sanitize); runs of space as one."""
    return " ".join(_CONTROL.sub("", without_bidi_controls(value)).split())


# RFC 2045: base64 lines of at most 76 characters.
_LINE = 76


@lru_cache(maxsize=256)
def _lines(count: int) -> struct.Struct:
    """Cuts `count` whole lines of base64 off the front of a buffer, in one
    call (slicing them one by one, or a regex, cost three times as much)."""
    return struct.Struct(f"{_LINE}s" * count)


def _part(boundary: str, subtype: str, body: bytes) -> bytes:
    encoded = binascii.b2a_base64(body, newline=False)
    whole = len(encoded) // _LINE
    lines = list(_lines(whole).unpack_from(encoded))
    if len(encoded) > whole * _LINE:
        lines.append(encoded[whole * _LINE :])
    return (
        f"--{boundary}\r\n"
        f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: base64\r\n"
        "\r\n"
    ).encode("ascii") + b"\r\n".join(lines) + b"\r\n"
