"""Writing files so that a failed or killed run never leaves a half-written one.

Data goes to a temporary file in the target's directory, is flushed to disk,
then renamed over the target: readers see the old file or the new one, never
a mix. The directory is fsynced so the rename itself survives a crash.

A run killed outright (`kill -9`, a power cut) leaves its temporary file
behind, as big as what it had written, and it would be published with the
site. Each temporary file is therefore locked (`flock`) by the process writing
it, from its creation until it is renamed or removed; the next write of the
same target removes the ones no live process holds that are older than the
writing process itself — and nothing else.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import secrets
import shutil
import stat
import time
from collections.abc import Iterable, Mapping

from generator.errors import MastheadError


class PendingFile:
    """A file written under a temporary name beside its target, then either
    renamed into place (`commit`) or removed (`discard`).

    For output too large to build in memory first (a feed of thousands of
    items): write it in pieces, and commit only when every piece is written.
    Files that must change together are `finish`ed first, all of them, and
    only then each `rename`d, so a failure to flush one leaves every target
    as it was. `durable` flushes the data and the directory entry to disk, so
    the write survives a power cut; files a run can simply make again skip
    it, as it is most of the cost of a small write.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        durable: bool = True,
        through_links: bool = True,
        leftovers: Leftovers | None = None,
    ) -> None:
        self.target = os.fspath(path)  # as the user named it, for messages
        self.durable = durable
        self._fd = -1
        self._done = False  # renamed into place: nothing left to discard
        self._tmp = ""
        self._path = self.target
        self._directory = "."
        self._direct = True
        if not through_links:
            # A file Masthead keeps for itself (the publish log) is only ever
            # a regular file, replaced by a rename of its own path: a link
            # shipped in a cloned repository must not send it anywhere else.
            # /dev/stdout and /dev/fd/N are links too, so they end up here.
            if os.path.islink(self.target):
                raise MastheadError(
                    "is a symbolic link; this file is never written through a link", self.target
                )
        elif (fd := _open_descriptor(self.target)) is not None:
            # /dev/stdout, /dev/fd/N, >(…): the process's own open file, at its
            # offset and with its flags (`>>` appends); never a path to replace.
            self._fd = fd
            return
        # A link is written through, as `>` would: the rename replaces the file
        # it points at, not the link.
        elif os.path.islink(self.target):
            self._path = os.path.realpath(self.target)
        directory, name = os.path.split(self._path)
        self._directory = directory or "."
        if _not_a_file(self._path, self.target):
            if not through_links:
                raise MastheadError(
                    "is not a regular file (a named pipe, device or socket); give a file",
                    self.target,
                )
            # A device or a pipe (`-o /dev/null`) is written to as it is: a
            # rename would put a regular file in its place.
            try:
                self._fd = os.open(self._path, os.O_WRONLY | os.O_CLOEXEC)
            except OSError as exc:
                raise MastheadError(f"cannot write here ({exc.strerror})", self.target) from None
            return
        self._direct = False
        (leftovers or Leftovers()).remove(self._path)
        for _ in range(8):
            # Random, so a name left behind by a killed run is never in the way.
            self._tmp = os.path.join(self._directory, f".{name}.{secrets.token_hex(6)}.tmp")
            try:
                # Created with 0o666 less the umask, as a new file would be.
                self._fd = _create(self._tmp)
                # Held until the rename: a later run leaves it alone while we live.
                with contextlib.suppress(OSError):
                    fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except FileExistsError:
                continue
            except FileNotFoundError:
                raise MastheadError(
                    "the output folder does not exist; create it first", self.target
                ) from None
            except OSError as exc:
                raise MastheadError(f"cannot write here ({exc.strerror})", self.target) from None
        else:
            raise MastheadError("cannot find a free temporary name here", self.target)

    @property
    def temporary_path(self) -> str:
        """Where the data is while being written (the target itself when it
        is a device or a pipe)."""
        return self._tmp or self._path

    def write(self, data: bytes | memoryview) -> None:
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(self._fd, view) :]
        except OSError as exc:
            self.discard()
            raise self._error(exc) from None

    def finish(self) -> None:
        """Flush (when durable) and give the target's mode; no rename yet. The
        file stays open (and locked) until it is renamed."""
        try:
            if self._direct:  # a device or pipe: no disk to flush to, nothing to rename
                os.close(self._fd)
                self._fd = -1
                return
            if self.durable:
                os.fsync(self._fd)
            with contextlib.suppress(FileNotFoundError):
                os.fchmod(self._fd, os.stat(self._path).st_mode & 0o7777)
        except OSError as exc:
            self.discard()
            raise self._error(exc) from None

    def rename(self) -> None:
        if self._direct:
            self._done = True
            return
        try:
            os.replace(self._tmp, self._path)
        except OSError as exc:
            self.discard()
            raise self._error(exc) from None
        self._done = True
        os.close(self._fd)  # releases the lock, on what is now the target
        self._fd = -1
        if self.durable:
            _fsync_dir(self._directory)

    def commit(self) -> None:
        try:
            self.finish()
            self.rename()
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        if not self._done and self._tmp:
            with contextlib.suppress(OSError):
                os.unlink(self._tmp)  # before closing: never unlocked while there
        if self._fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = -1

    def _error(self, exc: OSError) -> MastheadError:
        return MastheadError(f"cannot write the file ({exc.strerror})", self.target)


# When this process started writing, as near as it can tell: a temporary file
# older than that was not made by this run.
_STARTED = time.time()


class Leftovers:
    """The temporary files writes killed outright left in folders, each folder
    listed once: files written together into one folder (an article's nine,
    a feed and its copies) share one, instead of a listing per file."""

    def __init__(self) -> None:
        self._by_folder: dict[str, dict[str, list[str]]] = {}

    def remove(self, target: str | os.PathLike[str]) -> list[str]:
        """Remove the temporary files (`.NAME.<12 hex>.tmp`) left beside
        `target` that are older than this process and that no live process
        holds locked. Returns the paths removed."""
        directory, name = os.path.split(os.fspath(target))
        directory = directory or "."
        found = self._by_folder.get(directory)
        if found is None:
            found = self._by_folder[directory] = _temporaries(directory)
        return [path for path in found.pop(name, ()) if _remove_if_stale(path)]


def remove_stale_temporaries(target: str | os.PathLike[str]) -> list[str]:
    """Remove the temporary files that writes of `target` killed outright
    left beside it (see `Leftovers.remove`). Returns the paths removed."""
    return Leftovers().remove(target)


# A write's temporary name, `.NAME.<12 hex>.tmp`: NAME is all before the last
# `.<12 hex>.tmp`, so a name matches for one target only.
_TEMPORARY = re.compile(r"\.(.+)\.[0-9a-f]{12}\.tmp")


def _temporaries(directory: str) -> dict[str, list[str]]:
    """The temporary files in `directory`, by the name of their target."""
    found: dict[str, list[str]] = {}
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                if match := _TEMPORARY.fullmatch(entry.name):
                    found.setdefault(match.group(1), []).append(entry.path)
    except OSError:
        return {}
    return found


def _remove_if_stale(path: str) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return False  # a link, gone, unreadable: not ours to judge
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_mtime >= _STARTED:
            return False
        # Held by a live writer, or on a file system without locks (where no
        # one can tell): left alone either way.
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.unlink(path)  # while holding the lock
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


_DESCRIPTOR_PATH = re.compile(r"/dev/(?:std(?:out|err)|fd/(\d+))|/proc/self/fd/(\d+)")


def _open_descriptor(path: str) -> int | None:
    """A copy of the file descriptor `path` names (/dev/stdout, /dev/fd/3),
    or None when it names none."""
    match = _DESCRIPTOR_PATH.fullmatch(path)
    if match is None:
        return None
    number = match.group(1) or match.group(2)
    fd = int(number) if number else (1 if path.endswith("stdout") else 2)
    try:
        return os.dup(fd)
    except OSError as exc:
        raise MastheadError(f"cannot write here ({exc.strerror})", path) from None


def _not_a_file(path: str, named: str) -> bool:
    """True for a device or a pipe; a folder is an error; nothing there, or a
    regular file, is False."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False  # nothing there yet, or unreadable: creating the file tells
    if stat.S_ISDIR(mode):
        raise MastheadError("is a folder; give the name of a file to write", named)
    return not stat.S_ISREG(mode)


def _create(path: str) -> int:
    # O_EXCL: never write through a file (or a link) that is already there.
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)


def write_atomic(
    path: str | os.PathLike[str],
    data: bytes | str,
    *,
    durable: bool = True,
    through_links: bool = True,
    leftovers: Leftovers | None = None,
) -> None:
    """Write `data` to `path` through a temporary file and a rename.

    `through_links=False` refuses a link, pipe or device at `path`, for the
    files Masthead keeps for itself."""
    encoded = data.encode("utf-8") if isinstance(data, str) else data
    write_pieces(
        path, (encoded,), durable=durable, through_links=through_links, leftovers=leftovers
    )


def write_pieces(
    path: str | os.PathLike[str],
    pieces: Iterable[bytes | memoryview],
    *,
    durable: bool = True,
    through_links: bool = True,
    leftovers: Leftovers | None = None,
) -> None:
    """Like `write_atomic`, for data that comes in pieces."""
    pending = PendingFile(
        path, durable=durable, through_links=through_links, leftovers=leftovers
    )
    try:
        for piece in pieces:
            pending.write(piece)
    except BaseException:
        pending.discard()
        raise
    pending.commit()


# The name write_folder stages a new folder under, to tell its leftovers
# (from a process killed mid-write) from anything else.
STAGING = re.compile(r"\..+\.[0-9a-f]{12}\.tmp")


def write_folder(folder: str | os.PathLike[str], files: Mapping[str, bytes]) -> None:
    """Write `files` (name -> data) into `folder`, each file atomically.

    A folder that does not exist yet is filled under a temporary name and
    renamed into place whole, so it appears complete or not at all, for one
    rename instead of one per file. Not durable: for output a run can make
    again.
    """
    target = os.fspath(folder)
    if not os.path.isdir(target):
        parent, name = os.path.split(target)
        stage = os.path.join(parent or ".", f".{name}.{secrets.token_hex(6)}.tmp")
        try:
            os.mkdir(stage)
        except FileNotFoundError:
            message = "the output folder does not exist; create it first"
            raise MastheadError(message, target) from None
        except OSError as exc:
            raise MastheadError(f"cannot write here ({exc.strerror})", target) from None
        try:
            for file_name, data in files.items():
                _write_new(os.path.join(stage, file_name), data)
            try:
                os.rename(stage, target)
                return
            except OSError:  # the folder appeared meanwhile: move the files in one by one
                for file_name in files:
                    os.replace(os.path.join(stage, file_name), os.path.join(target, file_name))
                os.rmdir(stage)
                return
        except OSError as exc:
            shutil.rmtree(stage, ignore_errors=True)
            raise MastheadError(f"cannot write the files ({exc.strerror})", target) from None
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise
    leftovers = Leftovers()  # the folder is listed once, not once per file
    for file_name, data in files.items():
        write_atomic(os.path.join(target, file_name), data, durable=False, leftovers=leftovers)


def _write_new(path: str, data: bytes) -> None:
    fd = _create(path)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _fsync_dir(directory: str) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
