"""Turning a file or stdin into clean text every reader can trust.

Rejects what is not an article (a missing file, a directory, a named pipe or
device, a binary file, bytes that are not UTF-8) with an error that names the
file and says what to do. Text with a byte-order mark is read in the encoding
the mark names (UTF-8, UTF-16 or UTF-32, either byte order). Every line
ending Unicode makes a mandatory break (CRLF, CR, LF, VT, FF, NEL, U+2028 and
U+2029: UAX #14's BK, CR, LF and NL classes) becomes LF, for every format.

The file's text goes through `clean_text` (generator/text/sanitize.py), the
one rule for untrusted text, as does every string its front matter, sidecar or
config builds.
"""

from __future__ import annotations

import codecs
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from generator.errors import ReaderError
from generator.files import NotRegularFileError, read_regular_file
from generator.text.sanitize import LINE_BREAK, clean_text

# Control characters other than tab, the line breaks and escape almost never
# occur in prose; many of them together mean a binary file. Counted with a
# regex: str.translate with a table costs a Python lookup per character,
# twenty times the time on an 8 KiB head (most of reading a seed article).
_BINARY_CONTROL = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f]")
# Byte-order marks and the codec each names; UTF-32's come first, as the
# little-endian one starts with UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)


@dataclass(frozen=True, slots=True)
class Source:
    """An article's text with the names errors and slugs need."""

    text: str
    name: str  # what errors print: the path as given, or "<stdin>"
    stem: str | None = None  # the file name without extension, for the slug


def load_path(path: str | os.PathLike[str]) -> Source:
    name = str(path)
    return Source(decode(read_file(path), name), name, Path(path).stem)


def read_file(path: str | os.PathLike[str]) -> bytes:
    """The bytes of the regular file at `path`, or a `ReaderError` saying why not.

    Anything else is refused before a byte is read: a named pipe nobody writes
    to would block forever, a device such as /dev/zero never ends. Standard
    input is read by naming it `-`, not through a path to it.
    """
    name = str(path)
    try:
        return read_regular_file(path)
    except IsADirectoryError:
        raise ReaderError(
            "is a directory, not an article file; name a .txt or .md file", name
        ) from None
    except NotRegularFileError:
        raise ReaderError(
            "is not a regular file (a named pipe, device or socket); save the article "
            "as a file, or pass '-' to read it from standard input",
            name,
        ) from None
    except FileNotFoundError:
        raise ReaderError("no such file; check the path", name) from None
    except PermissionError:
        raise ReaderError("permission denied; make the file readable", name) from None
    except OSError as exc:
        raise ReaderError(f"cannot read the file ({exc.strerror})", name) from None


# Far more than any article (the benchmarks render 10 MB ones from files):
# past it, standard input is something else (`< /dev/zero`, a runaway pipe)
# that would otherwise be read until memory ran out.
MAX_STDIN = 64 * 1024 * 1024


def read_stdin(stream: BinaryIO) -> bytes:
    """At most `MAX_STDIN` bytes of `stream` (standard input), or a
    `ReaderError` if there are more: one byte past the limit is read, no more."""
    data = stream.read(MAX_STDIN + 1)
    if len(data) > MAX_STDIN:
        raise ReaderError(
            f"standard input is over {MAX_STDIN // (1024 * 1024)} MiB, more than any article; "
            "check what is piped in, or save the article as a file and name it",
            "<stdin>",
        )
    return data


def load_bytes(data: bytes, name: str = "<stdin>") -> Source:
    return Source(decode(data, name), name, None)


def decode(data: bytes, name: str) -> str:
    """The text of an article file: UTF-8, or the encoding its byte-order mark
    names; line breaks as LF, control characters and terminal escapes dropped."""
    return clean_text(_text(data, name))


def _text(data: bytes, name: str) -> str:
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            text = _decode(data, len(bom), codec, label, name)
            if _looks_binary(text[:8192]):
                raise ReaderError("looks like a binary file, not a text article", name)
            return text
    # Without a mark, Latin-1 gives each byte its own character to count.
    if _looks_binary(data[:8192].decode("latin-1")):
        if _looks_like_utf16(data[:8192]):
            raise ReaderError(
                "looks like UTF-16 text without a byte-order mark; save the file as UTF-8",
                name,
            )
        raise ReaderError("looks like a binary file, not a text article", name)
    return _decode(data, 0, "utf-8", "UTF-8", name)


def _decode(data: bytes, start: int, codec: str, label: str, name: str) -> str:
    """`data` after its byte-order mark (`start` bytes); an error names the
    line and the file offset of the first byte that is not `label`."""
    try:
        return data[start:].decode(codec)
    except UnicodeDecodeError as exc:
        offset = start + exc.start
        before = data[start:offset].decode(codec, errors="replace")
        line = LINE_BREAK.sub("\n", before).count("\n") + 1
        raise ReaderError(
            f"byte 0x{data[offset]:02x} at offset {offset} is not valid {label}; "
            "save the file as UTF-8",
            name,
            line,
        ) from None


def _looks_binary(head: str) -> bool:
    """NULs, or more than one character in twenty a control that prose never holds."""
    if not head:
        return False
    if "\x00" in head:
        return True
    controls = len(_BINARY_CONTROL.findall(head))
    return controls / len(head) > 0.05


def _looks_like_utf16(head: bytes) -> bool:
    """Every other byte NUL and the others not: Latin text in UTF-16."""
    even, odd = head[0::2], head[1::2]
    if len(odd) < 2:
        return False
    nul_even, nul_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    return max(nul_even, nul_odd) >= 0.9 and min(nul_even, nul_odd) <= 0.1
