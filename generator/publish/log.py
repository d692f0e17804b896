"""The publish log: which posts of which article are live where, so that a
thread is never posted twice.

One JSON file (`.masthead-published.json` in the article's folder, or the
`--log` file) holds, by article guid (the feed's) and platform, the account
that posted, each live post's URI and CID with the text and facets it went
out with, the post being created when a run stopped (its record key, chosen
before the call: a retry under the same key can never make a second post),
and whether the thread is complete. It is rewritten atomically after every
post, so a run stopped at any moment leaves a log that tells the truth.

While a run publishes, it holds a lock on a file beside the log: a second
run for the same log waits for nothing and stops at once with an error,
rather than posting the same thread beside the first.

The log and its lock are only ever regular files, never read or written
through a symbolic link: the log's default place is the article's folder,
which may come from someone else's repository.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from generator.errors import MastheadError
from generator.files import NotRegularFileError, read_regular_file
from generator.writers import write_atomic

LOG_NAME = ".masthead-published.json"
FORMAT = 1  # the "masthead_publish_log" version this module writes


@dataclass(frozen=True, slots=True)
class Posted:
    """A post that is live."""

    uri: str
    cid: str
    text: str
    facets: tuple[dict[str, Any], ...] = ()

    @property
    def rkey(self) -> str:
        return self.uri.rsplit("/", 1)[-1]


@dataclass(frozen=True, slots=True)
class Entry:
    """One article's thread on one platform, as far as it went."""

    service: str
    did: str
    handle: str
    posts: tuple[Posted, ...] = ()
    # The record key of the post being created when the log was written: its
    # answer may have been lost, so the next run looks for it first.
    pending: str | None = None
    complete: bool = False

    def with_post(self, post: Posted) -> Entry:
        return replace(self, posts=(*self.posts, post), pending=None)


class PublishLog:
    """The log file at `path`: read once, written whole after each change."""

    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path = path
        self._data = data

    @classmethod
    def read(cls, path: Path) -> PublishLog:
        refuse_link(path)
        try:
            text = read_regular_file(path, follow_links=False).decode("utf-8")
        except FileNotFoundError:
            return cls(path, {"masthead_publish_log": FORMAT, "articles": {}})
        except NotRegularFileError:
            raise MastheadError(
                "is not a regular file (a named pipe, device or socket); the publish log "
                "must be a file: remove it, or give another --log FILE",
                str(path),
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            if getattr(exc, "errno", None) == errno.ELOOP:  # became a link since the check
                raise _link(path) from None
            reason = getattr(exc, "strerror", None) or "not UTF-8 text"
            raise MastheadError(f"cannot read the publish log ({reason})", str(path)) from None
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise _damaged(path, f"not valid JSON ({exc})", getattr(exc, "lineno", None)) from None
        if not (
            isinstance(data, dict)
            and isinstance(data.get("masthead_publish_log"), int)
            and isinstance(data.get("articles"), dict)
        ):
            raise _damaged(path, "not a publish log Masthead wrote")
        if data["masthead_publish_log"] > FORMAT:
            raise MastheadError(
                "was written by a newer Masthead; publish with that version",
                str(path),
            )
        return cls(path, data)

    def get(self, guid: str, platform: str) -> Entry | None:
        raw = self._data["articles"].get(guid, {}).get(platform)
        if raw is None:
            return None
        try:
            return Entry(
                service=_text(raw["service"]),
                did=_text(raw["did"]),
                handle=_text(raw["handle"]),
                posts=tuple(
                    Posted(
                        _text(p["uri"]),
                        _text(p["cid"]),
                        _text(p["text"]),
                        tuple(_facet(f) for f in p.get("facets", [])),
                    )
                    for p in raw["posts"]
                ),
                pending=_text(raw["pending"]) if raw.get("pending") is not None else None,
                complete=raw.get("complete") is True,
            )
        except (KeyError, TypeError, ValueError):
            raise _damaged(self.path, f"its entry for {guid} ({platform}) is damaged") from None

    def put(self, guid: str, platform: str, entry: Entry) -> None:
        """Record `entry` and write the whole log, atomically and durably."""
        raw: dict[str, Any] = {
            "service": entry.service,
            "did": entry.did,
            "handle": entry.handle,
            "complete": entry.complete,
            "posts": [
                {"uri": p.uri, "cid": p.cid, "text": p.text, "facets": list(p.facets)}
                for p in entry.posts
            ],
        }
        if entry.pending is not None:
            raw["pending"] = entry.pending
        self._data["articles"].setdefault(guid, {})[platform] = raw
        text = json.dumps(self._data, ensure_ascii=False, indent=2) + "\n"
        refuse_link(self.path)
        # Replaces the path itself: never written through a link put there
        # since it was read.
        write_atomic(self.path, text, through_links=False)


def refuse_link(path: Path) -> None:
    """Refuse a publish log (or its lock) that is a symbolic link.

    The log sits in the article's folder, which may come from a cloned
    repository: a link there could make Masthead read a device forever or
    write the thread's text into any file the user can write.
    """
    if path.is_symlink():
        raise _link(path)


def _link(path: Path) -> MastheadError:
    return MastheadError(
        "is a symbolic link; a publish log is never read or written through a link. "
        "Remove the link, or give a real file with --log",
        str(path),
    )


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    return value


def _facet(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(value)
    return value


def _damaged(path: Path, why: str, line: int | None = None) -> MastheadError:
    return MastheadError(
        f"the publish log is {why}; restore it from a backup or fix it by hand. Moving it "
        "away would make Masthead post again what is already live",
        str(path),
        line,
    )


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the lock of the log at `path` while publishing.

    The lock is a file of its own beside the log (`NAME.lock`), not the
    folder: the log sits beside the article, whose folder `feed add` may hold
    locked at the same time, and the log itself is replaced by a rename. A
    file, unlike a folder, can be locked on NFS too, where two runs left
    unguarded could post a thread twice.
    """
    import fcntl

    lock_path = path.with_name(path.name + ".lock")
    refuse_link(lock_path)
    try:
        # O_NOFOLLOW: never created or opened through a link; O_NONBLOCK: a
        # named pipe there cannot hang the open.
        flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK
        fd = os.open(lock_path, flags, 0o644)
    except FileNotFoundError:
        raise MastheadError(
            "the publish log's folder does not exist; create it first", str(path)
        ) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _link(lock_path) from None
        message = f"cannot lock the publish log ({exc.strerror})"
        raise MastheadError(message, str(lock_path)) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise MastheadError(
                "is not a regular file (a named pipe, device or socket); remove it, "
                "Masthead makes the lock file itself",
                str(lock_path),
            )
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise MastheadError(
                "another `masthead publish` is using this publish log right now; let it "
                "finish, then run this again",
                str(path),
            ) from None
        except OSError as exc:
            # Never publish unguarded: a second run could post everything again.
            raise MastheadError(
                f"cannot lock the publish log ({exc.strerror}); put it on a local disk "
                "with --log",
                str(lock_path),
            ) from None
        yield
    finally:
        os.close(fd)  # releases the lock
