"""Writing files so that a failed or killed run never leaves a half-written one.

Data goes to a temporary file in the target's directory, is flushed to disk,
then renamed over the target: readers see the old file or the new one, never
a mix. The directory is fsynced so the rename itself survives a crash.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from generator.errors import MastheadError


def write_atomic(path: str | os.PathLike[str], data: bytes | str, *, durable: bool = True) -> None:
    """Write `data` to `path` through a temporary file and a rename.

    `durable` also flushes the data and the directory entry to disk, so the
    write survives a power cut; files that a run can simply make again (a
    folder render's outputs) skip it, as it is most of the cost of a write.
    """
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    directory = target.parent
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except FileNotFoundError:
        raise MastheadError(
            "the output folder does not exist; create it first", str(target)
        ) from None
    except OSError as exc:
        raise MastheadError(f"cannot write here ({exc.strerror})", str(target)) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        if target.exists():
            with contextlib.suppress(OSError):
                os.chmod(tmp_name, target.stat().st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp_name, 0o666 & ~umask)
        os.replace(tmp_name, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise MastheadError(f"cannot write the file ({exc.strerror})", str(target)) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    if durable:
        _fsync_dir(directory)


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
