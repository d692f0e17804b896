"""Readers: article files in, one `Article` out, whatever the input format.

`read_path` picks the reader by file extension (or by an explicit format),
`read_bytes` reads stdin or any other byte string. Every problem becomes a
`ReaderError` naming the file and, where known, the line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

from generator.errors import ReaderError
from generator.model import Article
from generator.readers.base import Reader
from generator.readers.source import Source, load_bytes, load_path


def _seed() -> Reader:
    from generator.readers.seed import SeedReader

    return SeedReader()


def _markdown() -> Reader:
    # Imported on demand: markdown-it and YAML cost start-up time that a
    # run over plain-text articles never needs.
    from generator.readers.markdown import MarkdownReader

    return MarkdownReader()


# name -> (extensions, factory). One row per input format.
FORMATS: dict[str, tuple[tuple[str, ...], Callable[[], Reader]]] = {
    "seed": ((".txt",), _seed),
    "markdown": ((".md", ".markdown"), _markdown),
}
DEFAULT_FORMAT = "seed"


@cache
def get_reader(name: str) -> Reader:
    return FORMATS[name][1]()


__all__ = ["FORMATS", "ReaderError", "Source", "get_reader", "read_bytes", "read_path"]


def reader_for(path: str | os.PathLike[str] | None, fmt: str | None = None) -> Reader:
    """The reader named by `fmt`, else the one whose extension `path` has."""
    if fmt:
        if fmt not in FORMATS:
            known = ", ".join(sorted(FORMATS))
            raise ReaderError(f"unknown input format '{fmt}'; use one of: {known}")
        return get_reader(fmt)
    if path is not None:
        suffix = Path(path).suffix.lower()
        for name, (extensions, _) in FORMATS.items():
            if suffix in extensions:
                return get_reader(name)
        if suffix:
            known = ", ".join(ext for extensions, _ in FORMATS.values() for ext in extensions)
            raise ReaderError(
                f"unknown article type '{suffix}'; use one of {known} or pass --input-format",
                str(path),
            )
    return get_reader(DEFAULT_FORMAT)


def read_path(
    path: str | os.PathLike[str],
    *,
    fmt: str | None = None,
    lang: str = "en",
    site_url: str = "",
    shortcodes: bool = True,
) -> Article:
    """`lang` for an article that names none; `site_url` resolves relative
    addresses; `shortcodes`: Markdown's `:tada:` as emoji."""
    reader = reader_for(path, fmt)
    return reader.read(load_path(path), lang=lang, site_url=site_url, shortcodes=shortcodes)


def read_bytes(
    data: bytes,
    *,
    name: str = "<stdin>",
    fmt: str | None = None,
    lang: str = "en",
    site_url: str = "",
    shortcodes: bool = True,
) -> Article:
    """Text with no file name (standard input): Markdown when it opens with
    front matter (`---`) or a `# ` heading, else the plain-text layout — a
    seed article's first line is its title, which is neither."""
    source = load_bytes(data, name)  # decoded first: UTF-16 text has no b"---"
    if fmt is None and re.match(r"(?:---[ \t]*\n|# )", source.text):
        fmt = "markdown"
    reader = reader_for(None, fmt)
    return reader.read(source, lang=lang, site_url=site_url, shortcodes=shortcodes)
