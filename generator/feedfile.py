"""The feed file on disk: lock, read, merge, write — never a lost item.

Concurrent runs take an exclusive `fcntl` lock on `FILE.lock` (not on the feed,
which the atomic rename replaces) around the whole read-modify-write, and the
Atom and JSON Feed siblings are written inside the same lock. Every file is
written to a temporary file and renamed, so a run killed at any moment leaves
the old feed or the new one, never a broken one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from generator.channels.rss.feed import FeedUpdate, PreparedItem, channel_title, remove, upsert
from generator.channels.rss.scan import FeedError, scan
from generator.config import Config
from generator.model import Article
from generator.writers import write_atomic

LOCK_TIMEOUT = 30.0


@dataclass(frozen=True, slots=True)
class Siblings:
    atom: Path | None = None
    json: Path | None = None


@contextlib.contextmanager
def feed_lock(feed: Path, timeout: float | None = None) -> Iterator[None]:
    timeout = LOCK_TIMEOUT if timeout is None else timeout
    lock_path = feed.with_name(feed.name + ".lock")
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise FeedError(f"cannot create the lock file ({exc.strerror})", str(lock_path)) from None
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise FeedError(
                        f"another process has held {lock_path.name} for {timeout:.0f} s; "
                        "wait for it to finish, or remove the lock file if no masthead "
                        "is running",
                        str(feed),
                    ) from None
                time.sleep(0.02)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise FeedError(f"cannot read the feed ({exc.strerror})", str(path)) from None


def add_articles(
    feed: Path,
    articles: Sequence[Article | PreparedItem],
    config: Config,
    *,
    now: dt.datetime,
    max_items: int = 0,
    siblings: Siblings = Siblings(),
    lock_timeout: float | None = None,
) -> FeedUpdate:
    with feed_lock(feed, lock_timeout):
        update = upsert(_read(feed), articles, config, now=now, name=str(feed), max_items=max_items)
        _write_all(feed, update.data, config, now=now, siblings=siblings)
    return update


def remove_items(
    feed: Path,
    guids: Sequence[str],
    config: Config,
    *,
    now: dt.datetime,
    siblings: Siblings = Siblings(),
    lock_timeout: float | None = None,
) -> int:
    with feed_lock(feed, lock_timeout):
        existing = _read(feed)
        if existing is None:
            raise FeedError("no such feed; check --feed", str(feed))
        data, removed = remove(existing, guids, now=now, name=str(feed))
        if removed:
            _write_all(feed, data, config, now=now, siblings=siblings)
    return removed


def _write_all(
    feed: Path, data: bytes, config: Config, *, now: dt.datetime, siblings: Siblings
) -> None:
    # Build every output before writing any, so a failure leaves all as they were.
    outputs: list[tuple[Path, bytes]] = [(feed, data)]
    if siblings.atom or siblings.json:
        from generator.channels.rss.atom import atom_feed
        from generator.channels.rss.entries import entries
        from generator.channels.rss.jsonfeed import json_feed

        scanned = scan(data, str(feed), full=True)
        title = scanned.channel.get("title") or channel_title(config)
        home = scanned.channel.get("link") or config.site_url or None
        feed_id = (config.site_url or config.feed.url or f"urn:masthead:feed:{feed.stem}").rstrip(
            "/"
        )
        items = entries(scanned, id_base=feed_id)
        lang = scanned.channel.get("language") or config.lang
        if siblings.atom:
            self_url = urljoin(config.feed.url, siblings.atom.name) if config.feed.url else None
            outputs.append(
                (
                    siblings.atom,
                    atom_feed(
                        items,
                        title=title,
                        feed_id=feed_id + "/",
                        home=home,
                        self_url=self_url,
                        lang=lang,
                        now=now,
                    ),
                )
            )
        if siblings.json:
            feed_url = urljoin(config.feed.url, siblings.json.name) if config.feed.url else None
            description = scanned.channel.get("description") or title
            outputs.append(
                (
                    siblings.json,
                    json_feed(
                        items,
                        title=title,
                        description=description,
                        home=home,
                        feed_url=feed_url,
                        lang=lang,
                    ),
                )
            )
    for path, payload in outputs:
        write_atomic(path, payload)
