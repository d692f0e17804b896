"""Readers: article files in, one `Article` out, whatever the input format.

`read_path` picks the reader by file extension (or by an explicit format),
`read_bytes` reads stdin or any other byte string. Every problem becomes a
`ReaderError` naming the file and, where known, the line.
"""

from __future__ import annotations

import os
from pathlib import Path

from generator.errors import ReaderError
from generator.model import Article
from generator.readers.base import Reader
from generator.readers.seed import SeedReader
from generator.readers.source import Source, load_bytes, load_path

READERS: dict[str, Reader] = {reader.name: reader for reader in (SeedReader(),)}
DEFAULT_FORMAT = "seed"

__all__ = ["READERS", "ReaderError", "Source", "read_bytes", "read_path", "read_source"]


def reader_for(path: str | os.PathLike[str] | None, fmt: str | None = None) -> Reader:
    """The reader named by `fmt`, else the one whose extension `path` has."""
    if fmt:
        try:
            return READERS[fmt]
        except KeyError:
            known = ", ".join(sorted(READERS))
            raise ReaderError(f"unknown input format '{fmt}'; use one of: {known}") from None
    if path is not None:
        suffix = Path(path).suffix.lower()
        for reader in READERS.values():
            if suffix in reader.extensions:
                return reader
        if suffix:
            known = ", ".join(ext for r in READERS.values() for ext in r.extensions)
            raise ReaderError(
                f"unknown article type '{suffix}'; use one of {known} or pass --input-format",
                str(path),
            )
    return READERS[DEFAULT_FORMAT]


def read_source(source: Source, reader: Reader, *, lang: str = "en") -> Article:
    return reader.read(source, lang=lang)


def read_path(path: str | os.PathLike[str], *, fmt: str | None = None, lang: str = "en") -> Article:
    reader = reader_for(path, fmt)
    return reader.read(load_path(path), lang=lang)


def read_bytes(
    data: bytes, *, name: str = "<stdin>", fmt: str | None = None, lang: str = "en"
) -> Article:
    reader = reader_for(None, fmt)
    return reader.read(load_bytes(data, name), lang=lang)
