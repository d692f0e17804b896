"""The feed file on disk: lock, read, merge, write — never a lost item.

Concurrent runs take an exclusive `flock` on the feed's folder (not on the feed,
which the atomic rename replaces) around the whole read-modify-write, and the
Atom and JSON Feed siblings are written inside the same lock. Every file is
written to a temporary file and renamed, so a run killed at any moment leaves
the old feed or the new one, never a broken one.

Scanning a feed of 10,000 items is most of an add's time, so the scan of
the feed an add writes is kept in the user's cache folder (see
`resources.write_cache`), under the SHA-256 of the file's exact bytes: the
next add uses it only for a file with those very bytes, and scans the feed
when there is none, it does not match, or it is damaged.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import gc
import hashlib
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from generator.channels.rss.encoding import DECLARATION_LIMIT, detect
from generator.channels.rss.feed import (
    FeedUpdate,
    ItemSource,
    channel_home,
    channel_title,
    feed_address,
    merge,
    remove,
    sibling_address,
)
from generator.channels.rss.scan import (
    FeedError,
    ScannedFeed,
    pack,
    scan,
    stream_items,
    unpack,
)
from generator.config import Config
from generator.model import Article
from generator.writers import Leftovers, PendingFile

if TYPE_CHECKING:  # the Atom and JSON Feed copies only: imported when written
    from generator.channels.rss.entries import Entry, EntryIds

LOCK_TIMEOUT = 30.0
# A feed this big or bigger has its scan kept for the next add: a smaller one
# is scanned in less time than the cache entry costs to check and write.
KEEP_SCAN_FROM = 1 << 18


@dataclass(frozen=True, slots=True)
class Siblings:
    atom: Path | None = None
    json: Path | None = None


@contextlib.contextmanager
def feed_lock(feed: Path, timeout: float | None = None) -> Iterator[None]:
    """An exclusive lock on the feed's folder for one read-modify-write.

    The folder, not a lock file: the feed itself is replaced by a rename, and
    a `feed.xml.lock` beside it would be published with the site. Where a
    folder cannot be locked (NFS wants a file open for writing), the lock
    file it is.
    """
    timeout = LOCK_TIMEOUT if timeout is None else timeout
    folder = feed.parent
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise FeedError("the folder does not exist; create it first", str(folder)) from None
    except OSError as exc:
        raise FeedError(f"cannot open the feed's folder ({exc.strerror})", str(folder)) from None
    try:
        try:
            held = _wait_for_lock(fd, timeout, f"the feeds in {folder}", feed)
        except OSError as exc:
            if exc.errno not in _CANNOT_LOCK_FOLDERS:  # a real failure, not NFS's refusal
                raise FeedError(
                    f"cannot lock the feed's folder ({exc.strerror})", str(folder)
                ) from None
            held = False
        if held:
            yield
            return
        lock_path = feed.with_name(feed.name + ".lock")
        try:
            lock_fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise FeedError(f"cannot lock the feed ({exc.strerror})", str(lock_path)) from None
        try:
            try:
                _wait_for_lock(lock_fd, timeout, lock_path.name, feed)
            except OSError as exc:
                raise FeedError(f"cannot lock the feed ({exc.strerror})", str(lock_path)) from None
            yield
        finally:
            os.close(lock_fd)
    finally:
        os.close(fd)  # closing releases the lock


# What flock says where a folder cannot be locked at all (NFS wants a file
# open for writing): then, and only then, the lock file is used. Every
# process on that file system gets the same answer, so all use the same lock.
_CANNOT_LOCK_FOLDERS = frozenset(
    {errno.EBADF, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS}
)


def _wait_for_lock(fd: int, timeout: float, what: str, feed: Path) -> bool:
    """Take an exclusive flock on `fd` within `timeout` seconds; a FeedError
    when another process holds it that long, OSError when it cannot be had."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise FeedError(
                    f"another process has been updating {what} for {timeout:.0f} s; "
                    "wait for it to finish and run this again",
                    str(feed),
                ) from None
            time.sleep(0.02)


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise FeedError(f"cannot read the feed ({exc.strerror})", str(path)) from None


def _feed_file(feed: Path) -> Path:
    """The file behind `feed`: a link is followed, so the lock is taken on
    the folder the feed is really in; a feed must be a regular file (it is
    read back and replaced)."""
    real = Path(os.path.realpath(feed)) if feed.is_symlink() else feed
    if real.exists() and not real.is_file():
        raise FeedError("is not a regular file; give the feed's file name", str(feed))
    return real


def add_articles(
    feed: Path,
    articles: Sequence[Article | ItemSource],
    config: Config,
    *,
    now: dt.datetime,
    max_items: int = 0,
    siblings: Siblings = Siblings(),
    lock_timeout: float | None = None,
) -> FeedUpdate:
    """Merge `articles` into `feed` and rewrite its siblings. The returned
    update's `data` is empty: the merged feed goes to disk in pieces.

    A feed that would have no channel link is refused before anything is
    written (`feed.NoChannelLink`): RSS requires the site's address."""
    feed = _feed_file(feed)
    with feed_lock(feed, lock_timeout), _collector_paused():
        existing = _read(feed)
        result = merge(
            existing,
            articles,
            config,
            now=now,
            name=str(feed),
            max_items=max_items,
            address=feed_address(config, feed.name),
            scanned=_kept_scan(feed, existing, dates=bool(max_items)),
        )
        written = _Hashing(result.chunks())
        _write_all(feed, written, result.channel, config, now=now, siblings=siblings)
        if written.size >= KEEP_SCAN_FROM and (layout := result.layout()) is not None:
            _keep_scan(feed, layout, written.digest.hexdigest(), written.size)
    return FeedUpdate(b"", result.added, result.replaced, result.dropped, result.total)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """The cycle collector off while a feed is merged: a scan of 10,000 items
    makes some 30,000 objects, none in a cycle, and the collections their
    making set off (walking every object the process has) cost ~8 ms an add."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _scan_name(feed: Path) -> str:
    """The cache entry of the feed file at `feed`: one per file, replaced by each add."""
    where = os.fsencode(os.path.abspath(feed))
    return "feed-scan-" + hashlib.sha256(where).hexdigest()[:32]


def _kept_scan(feed: Path, data: bytes | None, *, dates: bool) -> ScannedFeed | None:
    """The scan of `data` (the feed file at `feed`) the last add kept, if it
    is of these exact bytes; None otherwise (the feed is scanned)."""
    from generator.resources import read_cache

    if data is None or len(data) < KEEP_SCAN_FROM:
        return None
    if (packed := read_cache(_scan_name(feed))) is None:
        return None
    try:
        encoding = detect(data[:DECLARATION_LIMIT], str(feed))
    except FeedError:
        return None  # the scan says what is wrong
    if not encoding.is_utf8:
        return None
    return unpack(packed, data, hashlib.sha256(data).hexdigest(), encoding, dates=dates)


def _keep_scan(feed: Path, layout: ScannedFeed, digest: str, size: int) -> None:
    """Keep `layout`, the scan of the feed just written (`size` bytes that
    hash to `digest`), for the next add; quietly not at all when that fails."""
    from generator.resources import write_cache

    write_cache(_scan_name(feed), pack(layout, digest, size))


class _Hashing:
    """Chunks as they go by, hashed and counted: what the file written of them holds."""

    def __init__(self, chunks: Iterable[bytes | memoryview]) -> None:
        self._chunks = chunks
        self.digest = hashlib.sha256()
        self.size = 0

    def __iter__(self) -> Iterator[bytes | memoryview]:
        for chunk in self._chunks:
            self.digest.update(chunk)
            self.size += len(chunk)
            yield chunk


def remove_items(
    feed: Path,
    guids: Sequence[str],
    config: Config,
    *,
    now: dt.datetime,
    siblings: Siblings = Siblings(),
    lock_timeout: float | None = None,
) -> int:
    feed = _feed_file(feed)
    with feed_lock(feed, lock_timeout):
        existing = _read(feed)
        if existing is None:
            raise FeedError("no such feed; check --feed", str(feed))
        data, removed = remove(existing, guids, now=now, name=str(feed))
        if removed:
            channel = scan(data, str(feed)).channel
            _write_all(feed, (data,), channel, config, now=now, siblings=siblings)
    return removed


_CHUNK = 1 << 18


def _write_all(
    feed: Path,
    chunks: Iterable[bytes | memoryview],
    channel: dict[str, str],
    config: Config,
    *,
    now: dt.datetime,
    siblings: Siblings,
) -> None:
    """Write the feed, then Atom and JSON Feed read back from it a chunk at a
    time, each under a temporary name; rename them into place only when all
    are written, so a failure leaves every file as it was."""
    leftovers = Leftovers()  # each folder listed once for the three files
    pending = [PendingFile(feed, leftovers=leftovers)]
    try:
        for chunk in chunks:
            pending[0].write(chunk)
        if siblings.atom or siblings.json:
            written = Path(pending[0].temporary_path)  # unbuffered: readable as written
            pending += _write_siblings(
                feed, written, channel, config, now=now, siblings=siblings, leftovers=leftovers
            )
        for file in pending:  # every file flushed and closed before any is renamed
            file.finish()
        for file in pending:
            file.rename()
    except BaseException:
        for file in pending:
            file.discard()
        raise


def _write_siblings(
    feed: Path,
    written: Path,
    channel: dict[str, str],
    config: Config,
    *,
    now: dt.datetime,
    siblings: Siblings,
    leftovers: Leftovers,
) -> list[PendingFile]:
    from generator.channels.rss.atom import atom_feed
    from generator.channels.rss.entries import EntryIds, entries, new_feed_id, web_link
    from generator.channels.rss.jsonfeed import json_feed

    # The channel's links as the feed has them, when they are http(s): an
    # existing feed's `javascript:` link is not carried into the copies.
    home = web_link(channel.get("link")) or channel_home(config)
    title = channel.get("title") or channel_title(config, home)
    # Where the RSS feed is published; its copies are published beside it.
    address = web_link(channel.get("self")) or feed_address(config, feed.name)
    lang = channel.get("language") or config.lang
    docs: list[tuple[Path, Callable[[Iterable[Entry]], Iterator[bytes]], EntryIds]] = []
    if siblings.atom:
        # An Atom feed keeps the id it was given (readers know it by it); a
        # new one gets a urn:uuid named after the feed's address, which never
        # moves with the channel's link.
        feed_id = _atom_id(siblings.atom) or new_feed_id(address or home or feed.name)
        atom = partial(
            atom_feed,
            title=title,
            feed_id=feed_id,
            home=home,
            self_url=sibling_address(address, siblings.atom.name) if address else None,
            lang=lang,
            now=now,
        )
        docs.append((siblings.atom, atom, EntryIds(feed_id)))
    if siblings.json:
        description = channel.get("description") or title
        jsonfeed = partial(
            json_feed,
            title=title,
            description=description,
            home=home,
            feed_url=sibling_address(address, siblings.json.name) if address else None,
            lang=lang,
        )
        # JSON Feed ids may be any string: they keep the form they always had.
        legacy = config.site_url or config.feed.url or f"urn:masthead:feed:{feed.stem}"
        docs.append((siblings.json, jsonfeed, EntryIds(legacy.rstrip("/") + "/")))
    # Each file is begun at its first piece, as when they were written one
    # after the other: a run killed in the first leaves no temporary file of
    # the next.
    files: list[PendingFile | None] = [None] * len(docs)

    def write(n: int, piece: bytes) -> None:
        file = files[n]
        if file is None:
            file = files[n] = PendingFile(docs[n][0], leftovers=leftovers)
        file.write(piece)

    try:
        slots = [_Slot() for _ in docs]
        documents = [document(slot) for (_, document, _), slot in zip(docs, slots, strict=True)]
        # One pass over the written feed for all the copies, each item's
        # entry made once: each document is handed it and written up to it,
        # so no more than one entry is held.
        ids = [ids for _, _, ids in docs]
        for item in stream_items(_read_chunks(written), str(feed)):
            for n, made in enumerate(entries(item, ids=ids)):
                slots[n].put(made)
                while slots[n].full:
                    write(n, next(documents[n]))
        for n, (slot, document) in enumerate(zip(slots, documents, strict=True)):
            slot.close()
            for piece in document:
                write(n, piece)
    except BaseException:
        for file in files:
            if file is not None:
                file.discard()
        raise
    return [file for file in files if file is not None]


class _Slot:
    """What a document writer takes its entries from, one at a time: put
    one, and the writer is run until it has taken it."""

    def __init__(self) -> None:
        self._entry: Entry | None = None
        self._closed = False

    @property
    def full(self) -> bool:
        return self._entry is not None

    def put(self, entry: Entry) -> None:
        self._entry = entry

    def close(self) -> None:
        self._closed = True

    def __iter__(self) -> Iterator[Entry]:
        return self

    def __next__(self) -> Entry:
        entry, self._entry = self._entry, None
        if entry is not None:
            return entry
        if self._closed:
            raise StopIteration
        # A writer asking ahead would end its document early: never quietly.
        raise RuntimeError("a feed document asked for two entries at once")


def _atom_id(path: Path) -> str | None:
    """The id of the Atom feed at `path`, if there is one."""
    from generator.channels.rss.atom import feed_id_of

    try:
        return feed_id_of(_read_chunks(path))
    except OSError:
        return None


def _read_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            yield chunk
