"""Reading a file the user named, refusing anything that is not a regular file.

A named pipe nobody writes to would block a read forever and a device such as
/dev/zero never ends, so articles and config files alike are read through
`read_regular_file`, which checks what it opened before reading a byte.
"""

from __future__ import annotations

import errno
import os
import stat


class NotRegularFileError(OSError):
    """The path names a named pipe, device or socket, not a file."""


def read_regular_file(path: str | os.PathLike[str], *, follow_links: bool = True) -> bytes:
    """The bytes of the regular file at `path`.

    Raises `IsADirectoryError` for a folder, `NotRegularFileError` for a pipe,
    device or socket, and the usual `OSError`s for the rest. With
    `follow_links=False`, a symbolic link at `path` is an `OSError` (ELOOP),
    not read through.
    """
    # Non-blocking, so that opening a pipe with no writer cannot hang; on a
    # regular file the flag changes nothing.
    flags = os.O_RDONLY | os.O_CLOEXEC | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags if follow_links else flags | os.O_NOFOLLOW)
    with open(fd, "rb") as file:
        mode = os.fstat(file.fileno()).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if not stat.S_ISREG(mode):
            raise NotRegularFileError(errno.EINVAL, "not a regular file", str(path))
        return file.read()
