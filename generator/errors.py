"""The one error type users see: a message tied to a file and, where known, a line.

Every failure caused by input (an article, a config, a feed) is raised as a
`MastheadError`; the CLI prints it as `error: PATH:LINE: message` and exits 1.
Anything else escaping to the CLI is a bug in Masthead.
"""

from __future__ import annotations


class MastheadError(Exception):
    """An input problem the user can fix. `str()` gives the one-line report."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        where = self.path or ""
        if where and self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}" if where else self.message


class ReaderError(MastheadError):
    """An article could not be read."""


class ConfigError(MastheadError):
    """The configuration is invalid."""
