"""Merging articles into an RSS feed: upsert by guid, never losing an item.

The merge is a list of byte edits on the existing file: an item with the
same guid is replaced where it stands, new items go in before the first item
(newest first), `lastBuildDate` is refreshed, and — only when asked —
the oldest items beyond `max_items` are removed. Everything else, items
Masthead did not write included, keeps its exact bytes.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from generator import __version__
from generator.channels.rss.item import (
    ATOM,
    build_item,
    identity,
    item_xml,
    parse_rfc822,
    rfc822,
)
from generator.channels.rss.scan import ScannedFeed, ScannedItem, scan
from generator.config import Config
from generator.model import Article
from generator.text.sanitize import xml_safe

_OLDEST = dt.datetime.min.replace(tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class FeedUpdate:
    data: bytes
    added: int
    replaced: int
    dropped: int
    total: int


def channel_title(config: Config) -> str:
    if config.feed.title:
        return config.feed.title
    if config.brand.name:
        return config.brand.name
    if config.site_url:
        return urlsplit(config.site_url).hostname or config.site_url
    return "Articles"


def new_feed(config: Config, *, now: dt.datetime, link: str | None) -> bytes:
    """An empty RSS 2.0 feed with the channel's metadata."""
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    title = channel_title(config)
    ET.SubElement(channel, "title").text = xml_safe(title)
    home = config.site_url or link
    if home:
        ET.SubElement(channel, "link").text = xml_safe(home)
    description = config.feed.description or f"Articles from {title}"
    ET.SubElement(channel, "description").text = xml_safe(description)
    ET.SubElement(channel, "language").text = config.lang
    ET.SubElement(channel, "lastBuildDate").text = rfc822(now)
    ET.SubElement(channel, "generator").text = f"Masthead {__version__}"
    if config.feed.url:
        ET.SubElement(
            channel,
            f"{{{ATOM}}}link",
            {"href": config.feed.url, "rel": "self", "type": "application/rss+xml"},
        )
    ET.indent(rss, space="  ")
    body = ET.tostring(rss, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


@dataclass(frozen=True, slots=True)
class PreparedItem:
    """An article's item, built once, waiting for its pubDate.

    A folder render builds items in worker processes and merges them into the
    feed at the end; an item is much smaller than the Article it came from.
    """

    guid: str
    link: str | None
    date: str | None  # RFC 822 of the article's own date; None if undated
    xml: str  # the item, with PUB_DATE where its pubDate goes


PUB_DATE = "@@masthead:pubDate@@"


def prepare_item(article: Article, config: Config) -> PreparedItem:
    ident = identity(article, config)
    xml = item_xml(build_item(article, config, pub_date=PUB_DATE), indent="  ", level=2)
    return PreparedItem(
        guid=ident.guid,
        link=ident.link,
        date=rfc822(article.date) if article.date else None,
        xml=xml,
    )


def upsert(
    existing: bytes | None,
    articles: Sequence[Article | PreparedItem],
    config: Config,
    *,
    now: dt.datetime,
    name: str,
    max_items: int = 0,
) -> FeedUpdate:
    """Merge `articles` into the feed bytes `existing` (None: a new feed)."""
    prepared = [a if isinstance(a, PreparedItem) else prepare_item(a, config) for a in articles]
    newest_link = next((p.link for p in prepared if p.link), None)
    data = existing if existing is not None else new_feed(config, now=now, link=newest_link)
    feed = scan(data, name, dates=bool(max_items))
    by_guid: dict[str, list[ScannedItem]] = {}
    for item in feed.items:
        if item.guid:
            by_guid.setdefault(item.guid, []).append(item)

    indent = _item_indent(feed)
    unique = {p.guid: p for p in prepared}  # the last one given wins

    edits: list[tuple[int, int, bytes]] = []
    fresh: list[tuple[dt.datetime, bytes]] = []
    dates: dict[int, dt.datetime] = {}  # scanned item start -> its date
    replaced = 0
    undated = 0
    for guid, item in unique.items():
        olds = by_guid.get(guid, [])
        pub = item.date or _first_date(olds)
        if pub is None:
            # Articles added together were added one after the other: a second
            # apart, in the order given, so no two new items share a date.
            pub = rfc822(now - dt.timedelta(seconds=undated))
            undated += 1
        encoded = item.xml.replace(PUB_DATE, pub, 1).encode(feed.encoding, "xmlcharrefreplace")
        when = _parse_date(pub)
        if olds:
            edits.append((olds[0].start, olds[0].end, encoded))
            dates[olds[0].start] = when
            # Earlier copies of the same guid would show the article twice.
            edits += [_removal(feed, dup) for dup in olds[1:]]
            replaced += 1
        else:
            fresh.append((when, encoded))

    duplicates = {start for start, _, blob in edits if not blob}
    kept = [i for i in feed.items if i.start not in duplicates]
    fresh.sort(key=lambda pair: pair[0], reverse=True)
    dropped = 0
    if max_items and len(kept) + len(fresh) > max_items:
        # Keep the newest by date, foreign items included; undated count as oldest.
        ranked: list[tuple[dt.datetime, int, int]] = [
            (dates.get(i.start) or _item_date(i), 1, n) for n, i in enumerate(kept)
        ]
        ranked += [(when, 0, n) for n, (when, _) in enumerate(fresh)]
        ranked.sort(key=lambda r: (r[0], r[1]), reverse=True)
        old_out = {n for _, is_old, n in ranked[max_items:] if is_old}
        new_out = {n for _, is_old, n in ranked[max_items:] if not is_old}
        for n in old_out:
            item = kept[n]
            edits = [e for e in edits if e[0] != item.start]
            edits.append(_removal(feed, item))
        kept = [i for n, i in enumerate(kept) if n not in old_out]
        fresh = [f for n, f in enumerate(fresh) if n not in new_out]
        dropped = len(old_out) + len(new_out)

    if fresh:
        if feed.items:
            at = feed.items[0].start
            blob = b"".join(item + b"\n" + indent for _, item in fresh)
        else:
            # No items yet: after the last channel element, before </channel>.
            at = len(feed.data[: feed.channel_end].rstrip())
            blob = b"".join(b"\n" + indent + item for _, item in fresh)
        edits.append((at, at, blob))
    if feed.last_build:
        start, end = feed.last_build
        edits.append((start, end, f"<lastBuildDate>{rfc822(now)}</lastBuildDate>".encode()))

    return FeedUpdate(_apply(data, edits), len(fresh), replaced, dropped, len(kept) + len(fresh))


def remove(
    existing: bytes, guids: Sequence[str], *, now: dt.datetime, name: str
) -> tuple[bytes, int]:
    """The feed without the items whose guid (or link) is in `guids`."""
    feed = scan(existing, name)
    wanted = set(guids)
    edits = [
        _removal(feed, item)
        for item in feed.items
        if item.guid in wanted or item.first("link") in wanted
    ]
    if edits and feed.last_build:
        start, end = feed.last_build
        edits.append((start, end, f"<lastBuildDate>{rfc822(now)}</lastBuildDate>".encode()))
    removed = sum(1 for e in edits if not e[2])
    return _apply(existing, edits), removed


def _first_date(olds: list[ScannedItem]) -> str | None:
    """The date an undated article was first published under, if it was."""
    for old in olds:
        if (previous := old.first("pubDate")) and _parse_date(previous) is not _OLDEST:
            return previous
    return None


def _parse_date(value: str | None) -> dt.datetime:
    return parse_rfc822(value) or _OLDEST


def _item_date(item: ScannedItem) -> dt.datetime:
    return _parse_date(item.first("pubDate"))


def _item_indent(feed: ScannedFeed) -> bytes:
    if feed.items:
        start = feed.items[0].start
        line_start = feed.data.rfind(b"\n", 0, start) + 1
        whitespace = feed.data[line_start:start]
        if not whitespace.strip():
            return whitespace
    return b"    "


def _removal(feed: ScannedFeed, item: ScannedItem) -> tuple[int, int, bytes]:
    """The edit deleting `item` and the white space after it."""
    end = item.end
    data = feed.data
    while end < len(data) and data[end : end + 1] in (b" ", b"\t", b"\r", b"\n"):
        end += 1
    return item.start, end, b""


def _apply(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    view = memoryview(data)
    pieces: list[bytes | memoryview] = []
    position = 0
    for start, end, replacement in sorted(edits, key=lambda e: (e[0], e[1])):
        if start < position:
            continue  # an overlapping edit (already covered)
        pieces += [view[position:start], replacement]
        position = end
    pieces.append(view[position:])
    return b"".join(pieces)
