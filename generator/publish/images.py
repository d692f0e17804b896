"""The article's image as a file to upload with a post: where it is on disk,
what kind of image it is, and how big.

The Markdown reader resolves a front-matter image against the article's page
(`cover.png` on `https://example.com/posts/a/` is
`https://example.com/posts/a/cover.png`), as the page itself would; the feed
and the email need that address. An image whose address lies under the
page's folder is, on disk, the same path under the article's folder: the
page-bundle layout static-site generators use (`posts/a/index.md` beside
`posts/a/cover.png`). Such a file, when it is there, is the local image. Any
other image is remote: Masthead never downloads one to post it.

Bluesky takes PNG, JPEG, GIF and WebP images up to 1,000,000 bytes
(`app.bsky.embed.images`); anything else is an error before anything is
posted, so the thread never goes out without the image the user meant.
"""

from __future__ import annotations

import base64
import hashlib
import os
import struct
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from generator.errors import MastheadError

MAX_BYTES = 1_000_000  # app.bsky.embed.images#image: the blob's maxSize

_KINDS = (  # (magic bytes at the start, MIME type)
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


@dataclass(frozen=True, slots=True)
class LocalImage:
    path: Path
    data: bytes
    mime: str
    alt: str
    size: tuple[int, int] | None  # width, height in pixels, when the file says

    @property
    def cid(self) -> str:
        """The blob's CID as a PDS computes it (CIDv1, raw codec, SHA-256,
        base32): what its record will point to once uploaded."""
        digest = hashlib.sha256(self.data).digest()
        raw = bytes((0x01, 0x55, 0x12, 0x20)) + digest  # version, raw, sha2-256, 32 bytes
        return "b" + base64.b32encode(raw).decode("ascii").lower().rstrip("=")


def local_path(image: str | None, page: str | None, folder: Path) -> Path | None:
    """The file on disk that the image address `image` names, when it lies
    under the folder of the article's page `page` and is there in `folder`
    (the article's folder); None for a remote image."""
    if not image or not page:
        return None
    img, base = urlsplit(image), urlsplit(page)
    if (img.scheme, img.netloc) != (base.scheme, base.netloc) or img.query or img.fragment:
        return None
    base_path = base.path[: base.path.rfind("/") + 1] or "/"
    if not img.path.startswith(base_path):
        return None
    relative = PurePosixPath(unquote(img.path[len(base_path) :]))
    if not relative.parts or any(part in ("..", ".") for part in relative.parts):
        return None
    candidate = folder.joinpath(*relative.parts)
    return candidate if candidate.is_file() else None


def load(path: Path, alt: str) -> LocalImage:
    """The image at `path`, checked against what Bluesky accepts."""
    try:
        # One byte past the limit is enough to know it is too big.
        with open(path, "rb") as file:
            data = file.read(MAX_BYTES + 1)
            size = os.fstat(file.fileno()).st_size
    except OSError as exc:
        raise MastheadError(f"cannot read the article image ({exc.strerror})", str(path)) from None
    mime = next((kind for magic, kind in _KINDS if data.startswith(magic)), None)
    if mime is None and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        mime = "image/webp"
    if mime is None:
        raise MastheadError(
            "the article image is not a PNG, JPEG, GIF or WebP file, the kinds Bluesky "
            "shows; convert it, or remove the image from the front matter",
            str(path),
        )
    if size > MAX_BYTES or len(data) > MAX_BYTES:
        raise MastheadError(
            f"the article image is {max(size, len(data)):,} bytes; Bluesky takes images of at most "
            f"{MAX_BYTES:,} bytes: make it smaller (fewer pixels, or JPEG)",
            str(path),
        )
    return LocalImage(path, data, mime, alt, _size(data, mime))


def _size(data: bytes, mime: str) -> tuple[int, int] | None:
    """Width and height from the file's header, for the post's aspect ratio
    (the app lays the image out before it loads); None when unsure."""
    try:
        if mime == "image/png" and data[12:16] == b"IHDR":
            width, height = struct.unpack(">II", data[16:24])
        elif mime == "image/gif":
            width, height = struct.unpack("<HH", data[6:10])
        elif mime == "image/jpeg":
            return _jpeg_size(data)
        else:
            return None
    except struct.error:
        return None
    return (width, height) if width > 0 and height > 0 else None


# JPEG start-of-frame markers (baseline, progressive and the rarer ones):
# each holds the height and width.
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        if marker in _SOF:
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return (width, height) if width > 0 and height > 0 else None
        if length < 2:
            return None
        at += 2 + length
    return None
