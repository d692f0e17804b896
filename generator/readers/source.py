"""Turning a file or stdin into clean text every reader can trust.

Rejects what is not an article (a missing file, a directory, a named pipe or
device, a binary file, bytes that are not UTF-8) with an error that names the
file and says what to do, strips a UTF-8 byte-order mark and folds CRLF and CR
line endings to LF.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from generator.errors import ReaderError

# Control characters other than tab, newline, carriage return and form feed
# almost never occur in prose; many of them together mean a binary file.
_BINARY_CONTROL = set(range(0x00, 0x09)) | {0x0B} | set(range(0x0E, 0x20)) - {0x1B}
_BINARY_CONTROL_BYTES = bytes(sorted(_BINARY_CONTROL))
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Terminal escape sequences as pasted from a terminal: colours and erasures
# (ESC [ 31 m, ESC [ K: CSI with parameters, or the common bare finals) and
# window titles (ESC ] … BEL, within one line). Anything else is only the ESC
# byte, so a stray ESC before "[Link](…)" or a paragraph loses no text.
_TERMINAL_SEQUENCE = re.compile(
    "\x1b\\[(?:[0-9;?]+[ -/]*[@-~]|[HJKm])|\x1b\\][^\x07\x1b\n]{0,256}(?:\x07|\x1b\\\\)"
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
        if stat.S_ISDIR(os.stat(path).st_mode):
            raise ReaderError("is a directory, not an article file; name a .txt or .md file", name)
        # Non-blocking, so that a file swapped for a pipe since the check
        # cannot hang the open; on a regular file the flag changes nothing.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with open(fd, "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                raise ReaderError(
                    "is not a regular file (a named pipe, device or socket); save the article "
                    "as a file, or pass '-' to read it from standard input",
                    name,
                )
            return file.read()
    except FileNotFoundError:
        raise ReaderError("no such file; check the path", name) from None
    except PermissionError:
        raise ReaderError("permission denied; make the file readable", name) from None
    except OSError as exc:
        raise ReaderError(f"cannot read the file ({exc.strerror})", name) from None


def load_bytes(data: bytes, name: str = "<stdin>") -> Source:
    return Source(decode(data, name), name, None)


def decode(data: bytes, name: str) -> str:
    """Decode UTF-8 (with or without BOM) and normalise line endings."""
    if b"\x00" in data[:8192] or _looks_binary(data[:8192]):
        raise ReaderError("looks like a binary file, not a text article", name)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ReaderError(
            f"byte 0x{data[exc.start]:02x} at offset {exc.start} is not valid UTF-8; "
            "save the file as UTF-8",
            name,
            line,
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Control characters are never content (and XML cannot hold them): a stray
    # escape sequence pasted from a terminal is dropped here, once, for all —
    # the whole sequence (ESC [ 31 m), not only its invisible first byte.
    return _CONTROL.sub("", _TERMINAL_SEQUENCE.sub("", text))


def _looks_binary(head: bytes) -> bool:
    if not head:
        return False
    controls = len(head) - len(head.translate(None, _BINARY_CONTROL_BYTES))
    return controls / len(head) > 0.05
