"""Merging articles into an RSS feed: upsert by guid, never losing an item.

The merge is a list of byte edits on the existing file: an item with the
same guid is replaced where it stands, new items go in before the first item
(newest first), `lastBuildDate` is refreshed, and — only when asked —
the oldest items beyond `max_items` are removed. Everything else, items
Masthead did not write included, keeps its exact bytes.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import itertools
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import quote, urljoin, urlsplit

from generator import __version__
from generator.channels.rss.encoding import FeedEncoding
from generator.channels.rss.item import (
    ATOM,
    URN_PREFIX,
    build_item,
    identity,
    item_xml,
    parse_rfc822,
    rfc822,
    xml_escape,
    xml_quoteattr,
)
from generator.channels.rss.scan import FeedError, ScannedFeed, ScannedItem, scan
from generator.config import Config
from generator.model import Article
from generator.text.sanitize import without_bidi_controls, xml_safe

_OLDEST = dt.datetime.min.replace(tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class FeedUpdate:
    data: bytes
    added: int
    replaced: int
    dropped: int
    total: int


# A piece of the merged feed: bytes, or a function giving them when written
# (a new item's XML is read from where the run keeps it only then).
Piece = bytes | memoryview | Callable[[], bytes]


@dataclass(frozen=True, slots=True)
class Merge:
    """The merged feed as pieces in order, and what the merge did."""

    pieces: list[Piece]  # UTF-8
    added: int
    replaced: int
    dropped: int
    total: int
    channel: dict[str, str]  # the channel's title, link, description, language
    encoding: FeedEncoding  # the feed file's, to write it in
    # What `layout` works the merged feed's scan out from: the scan merged
    # into, where each piece of it came from (-1: not from it), the new
    # lastBuildDate, whether a channel element changed, and each new item's
    # bytes as `chunks` gave them.
    scanned: ScannedFeed | None = None
    origins: list[int] = field(default_factory=list)
    build: bytes | None = None
    channel_edited: bool = False
    loaded: list[bytes] = field(default_factory=list)

    def chunks(self) -> Iterator[bytes | memoryview]:
        """The merged feed's bytes, in the feed's own encoding."""
        return self.encoding.encode(self._resolved())

    def _resolved(self) -> Iterator[bytes | memoryview]:
        self.loaded.clear()
        for piece in self.pieces:
            if callable(piece):
                piece = piece()
                self.loaded.append(piece)
            yield piece

    def layout(self) -> ScannedFeed | None:
        """What `scan` would find in the merged feed once `chunks` has been
        written, without its data: old items where they moved to, new items
        scanned alone. None when it cannot be worked out so (a channel
        element changed, a feed not in UTF-8, `chunks` not written)."""
        old = self.scanned
        loaded = iter(self.loaded)
        if old is None or self.channel_edited or not self.encoding.is_utf8:
            return None
        if len(self.loaded) != sum(1 for piece in self.pieces if callable(piece)):
            return None
        copies: list[tuple[int, int, int]] = []  # old start, old end, new start
        items: list[ScannedItem] = []
        build = None
        position = 0
        for piece, origin in zip(self.pieces, self.origins, strict=True):
            if callable(piece):
                body = next(loaded)
                item = _scanned_alone(body, dates=old.dates)
                if item is None:
                    return None
                item.start += position
                item.end += position
                items.append(item)
                size = len(body)
            else:
                size = len(piece)
                if origin >= 0:
                    copies.append((origin, origin + size, position))
                elif piece is self.build:
                    build = (position, position + size)
                elif bytes(piece).strip():
                    return None  # bytes of unknown meaning: scan the feed next time
            position += size

        def moved(start: int, end: int) -> int | None:
            """Where the old bytes start..end are now; None if not copied whole."""
            for first, last, at in copies:
                if first <= start and end <= last:
                    return at + start - first
            return None

        # The old items each copy holds move with it; one it holds only in
        # part is no edit merge makes.
        olds = old.items
        starts = [item.start for item in olds]
        for first, last, at in copies:
            lo = bisect.bisect_left(starts, first)
            hi = bisect.bisect_left(starts, last)
            if lo > 0 and olds[lo - 1].end > first:
                return None
            shift = at - first
            for item in olds[lo:hi]:
                if item.end > last:
                    return None
                items.append(ScannedItem(item.start + shift, item.end + shift, item.fields))
        items.sort(key=lambda i: i.start)
        if any(a.end > b.start for a, b in itertools.pairwise(items)):
            return None
        # The channel's marks: a position just after a tag moves with the
        # byte before it, one at a tag's "<" with that byte.
        body = moved(old.channel_body_start - 1, old.channel_body_start)
        end = moved(old.channel_end, old.channel_end + 1)
        spans = {}
        for tag, (start, stop) in old.channel_spans.items():
            if (at := moved(start, stop)) is None:
                return None
            spans[tag] = (at, at + stop - start)
        if old.last_build and build is None:
            return None
        if body is None or end is None:
            return None
        return ScannedFeed(
            data=b"",
            encoding=self.encoding,
            items=items,
            channel_body_start=body + 1,
            channel_end=end,
            last_build=build,
            channel=dict(old.channel),
            channel_spans=spans,
            dates=old.dates,
        )


_ALONE = (b"<rss><channel>", b"</channel></rss>")


def _scanned_alone(item: bytes, *, dates: bool) -> ScannedItem | None:
    """`item` (one new item's bytes) as a scan of a feed holding it finds it:
    the same scanner, over the item in a channel of its own."""
    head, tail = _ALONE
    try:
        found = scan(head + item + tail, "item", dates=dates).items
    except FeedError:
        return None
    if len(found) != 1 or (found[0].start, found[0].end) != (len(head), len(head) + len(item)):
        return None
    alone = ScannedItem(0)
    alone.end = len(item)
    for name in ("guid", "pubDate") if dates else ("guid",):
        if values := found[0].fields.get(name):
            alone.fields[name] = values[:1]
    return alone


def channel_title(config: Config, home: str | None = None) -> str:
    """`[feed] title`, else the brand's name, else the site's host name (from
    site_url, `[feed] url`, or `home`: the link the channel already has).
    Never a word of our own such as "Articles", which a reader's list would
    show for every feed made without a name, and never an article's title.
    Without bidi controls: a reader's list shows the title beside others,
    where an override (U+202E) would turn the text after it around too; so
    does the Atom feed's author name, which is this title."""
    if config.feed.title:
        return without_bidi_controls(config.feed.title)
    if config.brand.name:
        return without_bidi_controls(config.brand.name)
    addresses = [a for a in (config.site_url, config.feed.url, home) if a]
    for address in addresses:
        with contextlib.suppress(ValueError):
            if host := urlsplit(address).hostname:
                return host
    # Only a channel link that is no URL gets here (a feed always has a link).
    return addresses[0] if addresses else ""


def channel_description(config: Config) -> str:
    """`[feed] description`, else one made of the title; without bidi
    controls, as the title."""
    if config.feed.description:
        return without_bidi_controls(config.feed.description)
    return f"Articles from {channel_title(config)}"


class NoChannelLink(FeedError):
    """A feed that would have no channel link. RSS 2.0 requires one — the
    address of the site the feed belongs to — and only the config can say it."""


NO_CHANNEL_LINK = (
    "a feed needs the address of your site (RSS requires a channel link): "
    "set site_url (or [feed] url) in masthead.toml"
)


def channel_home(config: Config) -> str | None:
    """The channel's link the config gives: the site, else the folder the
    feed is published in. Never an article's link: that is not the site."""
    if config.site_url:
        return config.site_url
    if config.feed.url:
        return urljoin(config.feed.url, ".")
    return None


def feed_address(config: Config, file_name: str) -> str | None:
    """Where the feed file is published (its rel="self" link): `[feed] url`,
    else the site URL and the file's name."""
    if config.feed.url:
        return config.feed.url
    if config.site_url:
        return sibling_address(config.site_url.rstrip("/") + "/", file_name)
    return None


def sibling_address(address: str, file_name: str) -> str:
    """A file published beside the one at `address` (atom.xml beside feed.xml)."""
    return urljoin(address, quote(file_name))


def new_feed(config: Config, *, now: dt.datetime, address: str | None) -> bytes:
    """An empty RSS 2.0 feed with the channel's metadata; `address` is where
    it is published, if known."""
    home = channel_home(config)
    if home is None:
        raise NoChannelLink(NO_CHANNEL_LINK)
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    title = channel_title(config)
    ET.SubElement(channel, "title").text = xml_safe(title)
    ET.SubElement(channel, "link").text = xml_safe(home)
    ET.SubElement(channel, "description").text = xml_safe(channel_description(config))
    ET.SubElement(channel, "language").text = config.lang
    ET.SubElement(channel, "lastBuildDate").text = rfc822(now)
    ET.SubElement(channel, "generator").text = f"Masthead {__version__}"
    if address:
        ET.SubElement(
            channel,
            f"{{{ATOM}}}link",
            {"href": address, "rel": "self", "type": "application/rss+xml"},
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
    # The guid the article had before it had a link (`urn:masthead:slug`): a
    # site_url set later must replace that item, not add the article twice.
    former: str | None = None

    def load(self) -> str:
        return self.xml


class ItemSource(Protocol):
    """A prepared item whose XML may be kept elsewhere (a run's spool file)
    until the feed is written."""

    @property
    def guid(self) -> str: ...
    @property
    def link(self) -> str | None: ...
    @property
    def date(self) -> str | None: ...
    @property
    def former(self) -> str | None: ...
    def load(self) -> str: ...


PUB_DATE = "@@masthead:pubDate@@"


def with_pub_date(xml: str, pub: str) -> str:
    # Matched with its tags: article text holding the marker is escaped
    # inside its own element, so only the real pubDate can match.
    return xml.replace(f"<pubDate>{PUB_DATE}</pubDate>", f"<pubDate>{pub}</pubDate>", 1)


def prepare_item(article: Article, config: Config) -> PreparedItem:
    return _prepare(article, config, build_item(article, config, pub_date=PUB_DATE))


def item_and_prepared(
    article: Article, config: Config, *, now: dt.datetime
) -> tuple[str, PreparedItem]:
    """The standalone item (what `masthead rss` prints) and the same item
    prepared for a feed, from one build: a folder render needs both."""
    element = build_item(article, config, pub_date=PUB_DATE)
    prepared = _prepare(article, config, element)
    pub = rfc822(article.date) if article.date else rfc822(now)
    standalone = with_pub_date(item_xml(element, level=0), pub) + "\n"
    return standalone, prepared


def _prepare(article: Article, config: Config, element: ET.Element) -> PreparedItem:
    ident = identity(article, config)
    return PreparedItem(
        guid=ident.guid,
        link=ident.link,
        date=rfc822(article.date) if article.date else None,
        xml=item_xml(element, indent="  ", level=2),
        former=f"{URN_PREFIX}{article.slug}" if ident.permalink else None,
    )


def upsert(
    existing: bytes | None,
    articles: Sequence[Article | ItemSource],
    config: Config,
    *,
    now: dt.datetime,
    name: str,
    max_items: int = 0,
    address: str | None = None,
) -> FeedUpdate:
    """Merge `articles` into the feed bytes `existing` (None: a new feed)."""
    result = merge(
        existing, articles, config, now=now, name=name, max_items=max_items, address=address
    )
    return FeedUpdate(
        b"".join(result.chunks()), result.added, result.replaced, result.dropped, result.total
    )


def merge(
    existing: bytes | None,
    articles: Sequence[Article | ItemSource],
    config: Config,
    *,
    now: dt.datetime,
    name: str,
    max_items: int = 0,
    address: str | None = None,
    scanned: ScannedFeed | None = None,
) -> Merge:
    """The merge of `articles` into `existing`, as pieces to write in order;
    no new item's XML is loaded until its piece is written. `address` is
    where the feed is published (its rel="self" link), if known; `scanned`,
    `existing` already scanned (`scan.unpack`), with dates when `max_items`.

    A feed that would have no channel link is refused (`NoChannelLink`)."""
    try:
        data = existing if existing is not None else new_feed(config, now=now, address=address)
    except NoChannelLink:
        raise NoChannelLink(NO_CHANNEL_LINK, name) from None
    if scanned is not None and existing is not None and (scanned.dates or not max_items):
        feed = scanned
    else:
        feed = scan(data, name, dates=bool(max_items))
    if not feed.channel.get("link") and channel_home(config) is None:
        raise NoChannelLink(NO_CHANNEL_LINK, name)
    prepared = [a if not isinstance(a, Article) else prepare_item(a, config) for a in articles]
    by_guid: dict[str, list[ScannedItem]] = {}
    for item in feed.items:
        if guid := item.guid:
            by_guid.setdefault(guid, []).append(item)

    indent = _item_indent(feed)
    unique = {p.guid: p for p in prepared}  # the last one given wins

    edits: list[tuple[int, int, list[Piece]]] = []
    # Dates as written (RFC 822), read only where an order needs them: one
    # new item and no max_items need none, and email.utils (~5 ms) stays unloaded.
    fresh: list[tuple[str, Piece]] = []
    dates: dict[int, str] = {}  # scanned item start -> its new date
    replaced = 0
    undated = 0
    for guid, item in unique.items():
        olds = by_guid.get(guid, [])
        if item.former:
            olds = olds + by_guid.get(item.former, [])
        pub = item.date or _first_date(olds)
        if pub is None:
            # Articles added together were added one after the other: a second
            # apart, in the order given, so no two new items share a date.
            pub = rfc822(now - dt.timedelta(seconds=undated))
            undated += 1
        encoded = _loader(item, pub)
        if olds:
            edits.append((olds[0].start, olds[0].end, [encoded]))
            dates[olds[0].start] = pub
            # Earlier copies of the same guid would show the article twice.
            edits += [_removal(feed, dup) for dup in olds[1:]]
            replaced += 1
        else:
            fresh.append((pub, encoded))

    duplicates = {start for start, _, pieces in edits if not pieces}
    kept = [i for i in feed.items if i.start not in duplicates]
    if len(fresh) > 1:
        fresh.sort(key=lambda pair: _parse_date(pair[0]), reverse=True)
    dropped = 0
    if max_items and len(kept) + len(fresh) > max_items:
        # Keep the newest by date, foreign items included; undated count as oldest.
        ranked: list[tuple[dt.datetime, int, int]] = [
            (_parse_date(dates[i.start]) if i.start in dates else _item_date(i), 1, n)
            for n, i in enumerate(kept)
        ]
        ranked += [(_parse_date(pub), 0, n) for n, (pub, _) in enumerate(fresh)]
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
        pieces: list[Piece] = []
        if feed.items:
            at = feed.items[0].start
            for _, item in fresh:
                pieces += [item, b"\n" + indent]
        else:
            # No items yet: after the last channel element, before </channel>.
            at = len(feed.data[: feed.channel_end].rstrip())
            for _, item in fresh:
                pieces += [b"\n" + indent, item]
        edits.append((at, at, pieces))
    build = None
    if feed.last_build:
        start, end = feed.last_build
        build = f"<lastBuildDate>{rfc822(now)}</lastBuildDate>".encode()
        edits.append((start, end, [build]))
    channel_edited = False
    channel = dict(feed.channel)
    ours = channel.get("generator", "").startswith("Masthead")
    for tag, value in _configured_channel(config, ours=ours, channel=channel).items():
        if channel.get(tag) == value:
            continue
        # Set in the config after the feed was made: the config says it now.
        element = f"<{tag}>{xml_escape(value)}</{tag}>".encode()
        if span := feed.channel_spans.get(tag):
            edits.append((*span, [element]))
        elif tag == "link" and (title := feed.channel_spans.get("title")):
            # A feed begun without a site URL has no channel link: after the title.
            edits.append((title[1], title[1], [_line_indent(feed, title[0]), element]))
        else:
            continue
        channel[tag] = value
        channel_edited = True
    if address and channel.get("self") != address and (ours or config.feed.url):
        # Where the feed is published: the config says it (another tool's
        # feed changes only when [feed] url says so outright).
        element = (
            f"<atom:link xmlns:atom={xml_quoteattr(ATOM)} href={xml_quoteattr(xml_safe(address))} "
            'rel="self" type="application/rss+xml" />'
        ).encode()
        if span := feed.channel_spans.get("self"):
            edits.append((*span, [element]))
            channel["self"] = address
            channel_edited = True
        elif after := _last_span(feed, ("description", "link", "title")):
            edits.append((after[1], after[1], [_line_indent(feed, after[0]), element]))
            channel["self"] = address
            channel_edited = True

    origins: list[int] = []
    return Merge(
        _apply(feed.data, edits, origins),
        len(fresh),
        replaced,
        dropped,
        len(kept) + len(fresh),
        channel,
        feed.encoding,
        scanned=feed,
        origins=origins,
        build=build,
        channel_edited=channel_edited,
    )


def _configured_channel(
    config: Config, *, ours: bool, channel: dict[str, str]
) -> dict[str, str]:
    """The channel fields the config names itself. A feed Masthead made
    follows the config as a new one would be made; another tool's feed
    changes only where `[feed]` says so outright, or where it has no link
    at all (which RSS requires)."""
    fields = {}
    if config.feed.title or (ours and config.brand.name):
        fields["title"] = xml_safe(channel_title(config))
    home = channel_home(config)
    if home and ((ours and config.site_url) or not channel.get("link")):
        fields["link"] = xml_safe(home)
    if config.feed.description or (ours and "title" in fields):
        fields["description"] = xml_safe(channel_description(config))
    return fields


def _loader(item: ItemSource, pub: str) -> Callable[[], bytes]:
    def load() -> bytes:
        return with_pub_date(item.load(), pub).encode()

    return load


def remove(
    existing: bytes, guids: Sequence[str], *, now: dt.datetime, name: str
) -> tuple[bytes, int]:
    """The feed without the items whose guid (or link) is in `guids`."""
    feed = scan(existing, name)
    wanted = set(guids)
    edits = []
    found: set[str | None] = set()
    for item in feed.items:
        link = item.first("link")
        if item.guid in wanted or link in wanted:
            edits.append(_removal(feed, item))
            found.update((item.guid, link))
    if missing := [g for g in dict.fromkeys(guids) if g not in found]:
        # All or nothing: a typo in one of several guids must not go unnoticed.
        raise FeedError(
            f"no item with the guid or link {', '.join(repr(g) for g in missing)}; "
            "the feed is unchanged",
            name,
        )
    if edits and feed.last_build:
        start, end = feed.last_build
        edits.append((start, end, [f"<lastBuildDate>{rfc822(now)}</lastBuildDate>".encode()]))
    removed = sum(1 for e in edits if not e[2])
    pieces = _apply(feed.data, edits)
    return b"".join(feed.encoding.encode(pieces)), removed  # type: ignore[arg-type]


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


def _line_indent(feed: ScannedFeed, start: int) -> bytes:
    """What goes before an element added beside the one at `start`: a line
    break and that one's indentation when it starts a line, else nothing."""
    line_start = feed.data.rfind(b"\n", 0, start) + 1
    indent = feed.data[line_start:start]
    return b"\n" + indent if line_start and not indent.strip() else b""


def _last_span(feed: ScannedFeed, tags: Sequence[str]) -> tuple[int, int] | None:
    """The span of the last of the channel elements `tags` in the file."""
    spans = [span for tag in tags if (span := feed.channel_spans.get(tag))]
    return max(spans) if spans else None


def _item_indent(feed: ScannedFeed) -> bytes:
    if feed.items:
        start = feed.items[0].start
        line_start = feed.data.rfind(b"\n", 0, start) + 1
        whitespace = feed.data[line_start:start]
        if not whitespace.strip():
            return whitespace
    return b"    "


def _removal(feed: ScannedFeed, item: ScannedItem) -> tuple[int, int, list[Piece]]:
    """The edit deleting `item` and the white space after it."""
    end = item.end
    data = feed.data
    while end < len(data) and data[end : end + 1] in (b" ", b"\t", b"\r", b"\n"):
        end += 1
    return item.start, end, []


def _apply(
    data: bytes, edits: list[tuple[int, int, list[Piece]]], origins: list[int] | None = None
) -> list[Piece]:
    """`data` with `edits` made; `origins` gets where in `data` each piece
    starts (-1 for a piece of an edit)."""
    view = memoryview(data)
    pieces: list[Piece] = []
    where: list[int] = []
    position = 0
    for start, end, replacement in sorted(edits, key=lambda e: (e[0], e[1])):
        if start < position:
            continue  # an overlapping edit (already covered)
        pieces.append(view[position:start])
        where.append(position)
        pieces += replacement
        where += [-1] * len(replacement)
        position = end
    pieces.append(view[position:])
    where.append(position)
    if origins is not None:
        origins[:] = where
    return pieces
