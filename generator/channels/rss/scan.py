"""Reading an existing RSS feed without rewriting it.

The scanner (expat, C speed) finds the byte span of every `<item>` and of
`<lastBuildDate>`, and the fields of each item. Merging then splices bytes:
an item Masthead did not write keeps every byte it had — its namespaces,
CDATA sections, comments and entity spellings included. A feed in another
encoding than UTF-8 is scanned as UTF-8 and written back in its own (see
`encoding`), so that holds for it too.
"""

from __future__ import annotations

import array
import bisect
import itertools
import marshal
import xml.parsers.expat
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from generator.channels.rss.encoding import (
    DECLARATION_LIMIT,
    FeedEncoding,
    FeedError,
    detect,
    to_utf8,
    utf8_chunks,
)

__all__ = ["FeedError", "ScannedFeed", "ScannedItem", "pack", "scan", "stream_items", "unpack"]

_NS_SEP = " "
_FIELD_NAMES = {
    "title": "title",
    "link": "link",
    "guid": "guid",
    "pubDate": "pubDate",
    "description": "description",
    "author": "author",
    "category": "category",
    "http://purl.org/dc/elements/1.1/ creator": "creator",
    "http://purl.org/rss/1.0/modules/content/ encoded": "content",
    "http://purl.org/dc/elements/1.1/ date": "dcdate",
    "http://www.w3.org/2005/Atom updated": "updated",
}


class ScannedItem:
    """One `<item>`: its byte span and the text of the fields scanned so far.
    Fields not scanned are read from the item's own bytes when first asked for."""

    __slots__ = ("end", "fields", "media", "source", "start")

    def __init__(
        self,
        start: int,
        end: int = 0,
        fields: dict[str, list[str]] | None = None,
        source: bytes | None = None,
    ) -> None:
        self.start = start
        self.end = end
        self.fields: dict[str, list[str]] = {} if fields is None else fields
        self.media: list[dict[str, str]] = []
        self.source = source  # the feed, while fields may be missing

    def first(self, name: str) -> str | None:
        if name not in self.fields and self.source is not None:
            self._read_rest()
        values = self.fields.get(name)
        return values[0].strip() if values else None

    @property
    def guid(self) -> str | None:
        """The item's identity: its guid, else its link, else its title."""
        values = self.fields.get("guid")
        if values and (guid := values[0].strip()):  # most items: no lookup in the rest
            return guid
        return self.first("guid") or self.first("link") or self.first("title")

    def _read_rest(self) -> None:
        """Read the plain (unprefixed) fields from this item's bytes alone."""
        assert self.source is not None
        chunk = self.source[self.start : self.end]
        self.source = None
        parser = xml.parsers.expat.ParserCreate()  # no namespaces: prefixes may be undeclared here
        parser.buffer_text = True
        depth = 0
        found: dict[str, list[str]] = {}
        text: list[str] = []

        def start(tag: str, attrs: dict[str, str]) -> None:
            nonlocal depth, text
            depth += 1
            text = []
            parser.CharacterDataHandler = text.append if depth == 2 else None

        def end(tag: str) -> None:
            nonlocal depth
            if depth == 2 and tag in ("guid", "link", "title", "pubDate"):
                found.setdefault(tag, []).append("".join(text))
            parser.CharacterDataHandler = None
            depth -= 1

        parser.StartElementHandler = start
        parser.EndElementHandler = end
        try:
            parser.Parse(chunk, True)
        except xml.parsers.expat.ExpatError:
            return
        for key, values in found.items():
            self.fields.setdefault(key, values)


@dataclass(slots=True)
class ScannedFeed:
    data: bytes  # the feed as UTF-8, which the spans index
    encoding: FeedEncoding  # the file's own, to write it back in
    items: list[ScannedItem]
    channel_body_start: int  # just after <channel ...>
    channel_end: int  # the '<' of </channel>
    last_build: tuple[int, int] | None  # span of <lastBuildDate>…</lastBuildDate>
    channel: dict[str, str]
    # Spans of the channel's first <title>, <link>, <description> and
    # <atom:link rel="self"> ("self"), which a run may update.
    channel_spans: dict[str, tuple[int, int]] = field(default_factory=dict)
    dates: bool = False  # each item's pubDate was read with its guid


def scan(data: bytes, name: str, *, dates: bool = False) -> ScannedFeed:
    """Scan a feed for merging: each item's span and guid (and `pubDate` with
    `dates`). An item without a guid has its link and title read afterwards
    (see `ScannedItem.guid`). `stream_items` reads every field instead.
    `data` is the file's bytes in any encoding `encoding.detect` accepts."""
    encoding = detect(data[:DECLARATION_LIMIT], name)
    data = to_utf8(data, encoding, name)
    items: list[ScannedItem] = []
    parser, marks, channel = _parser(name, items.append, data=data, full=False, dates=dates)
    _parse(parser, data, True, name)
    if marks["channel"] < 0 or marks["channel_end"] < 0:
        raise FeedError("the feed has no <channel>; this is not an RSS 2.0 feed", name)
    last_build = None
    if marks["build"] >= 0:
        last_build = (marks["build"], marks["build_end"])
    spans = {
        tag: (marks[tag], marks[f"{tag}_end"])
        for tag in (*_SPANNED, "self")
        if marks.get(tag, -1) >= 0 and marks.get(f"{tag}_end", -1) >= 0
    }
    for entry in items:
        if "guid" not in entry.fields or not dates:
            entry.source = data
    return ScannedFeed(
        data=data,
        encoding=encoding,
        items=items,
        channel_body_start=_after_tag(data, marks["channel"]),
        channel_end=marks["channel_end"],
        last_build=last_build,
        channel=channel,
        channel_spans=spans,
        dates=dates,
    )


# --- a scan kept for the next run (see feedfile's scan cache) ---------------------


@cache
def _packed() -> str:
    """The format a kept scan is made and read in: by this very code only,
    Masthead's version and these modules as they are (a checkout or a
    reinstall may change them without a new version): the scanner, the merge
    that works a written feed's scan out (`feed`), and the decoding."""
    from generator.channels.rss import encoding, feed
    from generator.resources import code_stamp

    return "masthead-feed-scan-2 " + code_stamp(__file__, feed.__file__, encoding.__file__)


# Neither can be in XML 1.0 text, not even as a character reference.
_SEPARATOR = "\x00"
_ABSENT = "\x01"


def pack(feed: ScannedFeed, digest: str, size: int) -> bytes:
    """`feed`'s scan without its data, for the feed of `size` bytes that
    hash to `digest`: what `unpack` makes again without parsing the feed."""
    header = {
        "format": _packed(),
        "digest": digest,
        "size": size,
        "dates": feed.dates,
        "body": feed.channel_body_start,
        "end": feed.channel_end,
        "build": feed.last_build,
        "channel": dict(feed.channel),
        "spans": dict(feed.channel_spans),
        "items": len(feed.items),
    }
    items = feed.items
    spans = array.array("q", [n for item in items for n in (item.start, item.end)])
    texts = [_first(item, "guid") for item in items]
    if feed.dates:
        dates = [_first(item, "pubDate") for item in items]
        texts = [text for pair in zip(texts, dates, strict=True) for text in pair]
    # marshal: in the standard library's core (no import), and the entry is
    # this user's own, checksummed by `resources.read_cache`.
    return marshal.dumps((header, spans.tobytes(), _SEPARATOR.join(texts)))


def _first(item: ScannedItem, name: str) -> str:
    values = item.fields.get(name)
    return values[0] if values else _ABSENT


def unpack(
    packed: bytes, data: bytes, digest: str, encoding: FeedEncoding, *, dates: bool
) -> ScannedFeed | None:
    """The scan `pack` kept of the UTF-8 feed `data` whose file hashes to
    `digest`, as `scan(data, dates=dates)` makes it; None when it is not that
    feed's, was made without the dates asked for, or is damaged.

    An entry is this user's own and sealed (`resources.read_cache`), yet it is
    checked as if it were not: every value must be of the type and shape
    `pack` writes, the channel's marks and fields what a scan of the feed
    without its items finds, and each item's guid (and date) the text of its
    first <guid> (<pubDate>). Anything else, a changed feed, a bug, or an
    entry made by hand, is no entry: the feed is scanned."""
    try:
        loaded = marshal.loads(packed)
    except (ValueError, TypeError, EOFError):
        return None
    if type(loaded) is not tuple or len(loaded) != 3:
        return None
    header, packed_spans, joined = loaded
    if not (
        type(header) is dict
        and header.keys() == _HEADER_KEYS
        and type(packed_spans) is bytes
        and len(packed_spans) % 8 == 0
        and type(joined) is str
        and header["format"] == _packed()
        and header["digest"] == digest
        and _is_int(header["size"])
        and header["size"] == len(data)
        and type(header["dates"]) is bool
        and (header["dates"] or not dates)
        and _is_int(count := header["items"])
        and count >= 0
    ):
        return None
    spans = array.array("q")
    spans.frombytes(packed_spans)
    texts = joined.split(_SEPARATOR) if count else []
    per_item = 2 if header["dates"] else 1
    if len(spans) != 2 * count or len(texts) != per_item * count or (not count and joined):
        return None
    starts = spans[0::2]
    ends = spans[1::2]
    # The items' spans are this feed's: in order, within the file, each
    # starting "<item" and ending ">".
    if count and not (starts[0] >= 0 and ends[-1] <= len(data)):
        return None
    if any(e <= s for s, e in zip(starts, ends, strict=True)) or any(
        s < e for s, e in zip(starts[1:], ends, strict=False)
    ):
        return None
    pairs = zip(starts, ends, strict=True)
    if not all(data.startswith(b"<item", s) and data[e - 1] == 0x3E for s, e in pairs):
        return None
    outside = _outside_items(data, starts, ends, header)
    if outside is None:
        return None
    guids = texts[0::per_item]
    pubs = texts[1::per_item] if dates else [_ABSENT] * count
    feed = ScannedFeed(
        data=data,
        encoding=encoding,
        items=[],
        channel_body_start=outside.channel_body_start,
        channel_end=header["end"],
        last_build=header["build"],
        channel=outside.channel,
        channel_spans=header["spans"],
        dates=dates,
    )
    items = feed.items
    # As scan leaves them: an item's other fields are read when asked for.
    lazy = None if dates else data
    for start, end, guid, pub in zip(starts, ends, guids, pubs, strict=True):
        fields: dict[str, list[str]] = {}
        if guid != _ABSENT:
            if not _holds(data, start, end, b"<guid", b"</guid>", guid):
                return None
            fields["guid"] = [guid]
        if pub != _ABSENT:
            if not _holds(data, start, end, b"<pubDate", b"</pubDate>", pub):
                return None
            fields["pubDate"] = [pub]
        elif dates and data.find(b"<pubDate", start, end) >= 0:
            return None
        items.append(ScannedItem(start, end, fields, data if guid == _ABSENT else lazy))
    return feed


_HEADER_KEYS = frozenset(
    ("format", "digest", "size", "dates", "body", "end", "build", "channel", "spans", "items")
)


def _is_int(value: object) -> bool:
    return type(value) is int  # not a bool, a float equal to it, or a subclass


def _is_span(value: object) -> bool:
    return (
        type(value) is tuple
        and len(value) == 2
        and _is_int(value[0])
        and _is_int(value[1])
        and 0 <= value[0] < value[1]
    )


def _outside_items(
    data: bytes, starts: Sequence[int], ends: Sequence[int], header: dict[str, Any]
) -> ScannedFeed | None:
    """A scan of `data` without the items at `starts`..`ends` (head, what is
    between items, tail), if the header's channel marks and fields are
    exactly what it finds; None otherwise. Only what is outside the items is
    parsed: a few hundred bytes and the white space between items."""
    build, spans, channel = header["build"], header["spans"], header["channel"]
    if not (
        _is_int(header["body"])
        and _is_int(header["end"])
        and (build is None or _is_span(build))
        and type(spans) is dict
        and all(type(k) is str and _is_span(v) for k, v in spans.items())
        and type(channel) is dict
        and all(type(k) is str and type(v) is str for k, v in channel.items())
    ):
        return None
    firsts = [0, *ends]  # each piece outside the items: firsts[n]..lasts[n]
    lasts = [*starts, len(data)]
    pieces = list(map(data.__getitem__, map(slice, firsts, lasts)))
    outside = b"".join(pieces)
    at = list(itertools.accumulate(map(len, pieces), initial=0))
    # Markup between two items must be whole there: an element opened
    # before an item and closed after it would make it no item of the feed's.
    between = outside[at[1] : at[-2]] if len(pieces) > 2 else b""
    if (b"<" in between or b"&" in between) and not all(
        _whole(gap) for gap in pieces[1:-1] if b"<" in gap or b"&" in gap
    ):
        return None

    def outer(position: int, *, start: bool = False) -> int | None:
        """`position` as a position in the pieces joined; None inside an item
        (or, for the start of an element, at an item's start)."""
        n = bisect.bisect_right(firsts, position) - 1
        if position > lasts[n] or (start and position == lasts[n] and n < len(starts)):
            return None
        return at[n] + position - firsts[n]

    def outer_span(span: tuple[int, int]) -> tuple[int, int] | None:
        first, last = outer(span[0], start=True), outer(span[1])
        return None if first is None or last is None else (first, last)

    try:
        alone = scan(outside, "cache")
    except FeedError:
        return None
    if (
        alone.items
        or alone.channel_body_start != outer(header["body"])
        or alone.channel_end != outer(header["end"], start=True)
        or alone.last_build != (None if build is None else outer_span(build))
        or alone.channel != channel
        or alone.channel_spans != {k: outer_span(v) for k, v in spans.items()}
    ):
        return None
    return alone


def _whole(markup: bytes) -> bool:
    """Whether `markup` is well-formed content on its own."""
    parser = xml.parsers.expat.ParserCreate()
    try:
        parser.Parse(b"<a>" + markup + b"</a>", True)
    except xml.parsers.expat.ExpatError:
        return False
    return True


def _holds(data: bytes, start: int, end: int, opening: bytes, closing: bytes, text: str) -> bool:
    """Whether a scan reads `text` from the first element `opening`…`closing`
    of the item at `start`..`end`: its content written plainly, or escaped as
    Masthead writes it. Content a scan reads otherwise (CDATA, character
    references) is not vouched for, nor a first such element nested deeper
    than the item's own fields."""
    at = data.find(opening, start, end)
    if at < 0:
        return False
    begin = data.find(b">", at, end) + 1
    if begin <= 0 or (begin - at > len(opening) + 1 and data[at + len(opening)] not in b" \t\r\n"):
        return False  # <guidance>, not <guid>
    written = text.encode()
    if data.startswith(written, begin) and data.startswith(closing, begin + len(written)):
        return True
    from generator.channels.rss.item import xml_escape

    written = xml_escape(text).encode()
    return data.startswith(written, begin) and data.startswith(closing, begin + len(written))


def stream_items(chunks: Iterable[bytes], name: str) -> Iterator[ScannedItem]:
    """Every item of a feed with all its fields, read a chunk at a time: Atom
    and JSON Feed are written from a feed of any size without holding it.
    Items carry no byte span (`end` is -1)."""
    ready: list[ScannedItem] = []
    parser, _, _ = _parser(name, ready.append, data=None, full=True, dates=True)
    for chunk in utf8_chunks(chunks, name):
        _parse(parser, chunk, False, name)
        yield from ready
        ready.clear()
    _parse(parser, b"", True, name)
    yield from ready


def _parse(parser: Any, data: bytes, final: bool, name: str) -> None:
    try:
        parser.Parse(data, final)
    except xml.parsers.expat.ExpatError as exc:
        raise FeedError(
            f"the feed is not well-formed XML ({xml.parsers.expat.ErrorString(exc.code)}, "
            f"column {exc.offset + 1}); fix it or move it aside — Masthead left it untouched",
            name,
            exc.lineno,
        ) from None


def _parser(
    name: str,
    on_item: Callable[[ScannedItem], None],
    *,
    data: bytes | None,
    full: bool,
    dates: bool,
) -> tuple[Any, dict[str, int], dict[str, str]]:
    """An expat parser calling `on_item` with each item as it starts, and the
    channel's marks and fields it fills in. Without `data` (streaming), item
    and tag ends are not located.

    The expat callbacks are kept lean on purpose: a 10,000-item feed makes
    120,000 of them. Character data is collected only inside a wanted field.
    """
    wanted = {
        tag: key
        for tag, key in _FIELD_NAMES.items()
        if full or key == "guid" or (dates and key == "pubDate")
    }
    # Merging needs only RSS's own (unprefixed) elements, and expat is a third
    # faster without namespace processing; Atom/JSON Feed need the namespaces.
    # The text is UTF-8 whatever the declaration says (see `encoding`).
    parser = (
        xml.parsers.expat.ParserCreate("utf-8", namespace_separator=_NS_SEP)
        if full
        else xml.parsers.expat.ParserCreate("utf-8")
    )
    parser.buffer_text = True
    channel: dict[str, str] = {}
    marks = {"channel": -1, "channel_end": -1, "build": -1, "build_end": -1}
    depth = 0
    item: ScannedItem | None = None
    text: list[str] = []
    # What the text being collected belongs to: (depth it closes at, kind, key).
    target: tuple[int, str, str] | None = None
    self_tag: list[str] = []  # the tag name the channel's rel="self" link has

    def collect(at: int, kind: str, key: str) -> None:
        nonlocal target, text
        target = (at, kind, key)
        text = []
        parser.CharacterDataHandler = text.append

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal depth, item
        depth += 1
        if depth == 4:
            if item is not None:
                key = wanted.get(tag)
                if key is not None:
                    collect(4, "item", key)
                elif full and tag == _MEDIA_CONTENT:
                    item.media.append(dict(attrs))
        elif depth == 3:
            if tag == "item":
                item = ScannedItem(parser.CurrentByteIndex)
                if data is not None:
                    on_item(item)
            elif tag == "lastBuildDate":
                marks["build"] = parser.CurrentByteIndex
            elif attrs.get("rel") == "self" and _local(tag).rsplit(":", 1)[-1] == "link":
                # Atom's <link rel="self">: where the feed says it is published.
                if "self" not in marks:
                    marks["self"] = parser.CurrentByteIndex
                    channel["self"] = attrs.get("href", "").strip()
                    self_tag.append(tag)
            elif tag in _CHANNEL_FIELDS and not (tag == "link" and "href" in attrs):
                if tag in _SPANNED and tag not in marks:
                    marks[tag] = parser.CurrentByteIndex
                collect(3, "channel", tag)
        elif depth == 5:
            if full and item is not None and tag == _MEDIA_DESCRIPTION and item.media:
                collect(5, "media", "description")
        elif depth == 2:
            if tag == "channel" and marks["channel"] < 0:
                marks["channel"] = parser.CurrentByteIndex
        elif depth == 1 and tag != "rss":
            raise FeedError(
                f"the root element is <{_local(tag)}>, not <rss>; this is not an RSS feed", name
            )

    def end(tag: str) -> None:
        nonlocal depth, item, target
        if target is not None and depth == target[0]:
            _, kind, key = target
            value = "".join(text)
            if kind == "item" and item is not None:
                item.fields.setdefault(key, []).append(value)
            elif kind == "channel":
                channel.setdefault(key, value.strip())
            elif item is not None:
                item.media[-1]["description"] = value.strip()
            target = None
            parser.CharacterDataHandler = None
        if depth == 3:
            if tag == "item" and item is not None:
                if data is not None:
                    item.end = _element_end(data, item.start, parser.CurrentByteIndex)
                else:
                    item.end = -1
                    on_item(item)  # complete: every field read
                item = None
            elif tag == "lastBuildDate" and data is not None:
                marks["build_end"] = _element_end(data, marks["build"], parser.CurrentByteIndex)
            elif self_tag and tag == self_tag[0] and data is not None and "self_end" not in marks:
                marks["self_end"] = _element_end(data, marks["self"], parser.CurrentByteIndex)
            elif tag in _SPANNED and data is not None and f"{tag}_end" not in marks:
                marks[f"{tag}_end"] = _element_end(data, marks[tag], parser.CurrentByteIndex)
        elif depth == 2 and tag == "channel" and marks["channel_end"] < 0:
            marks["channel_end"] = parser.CurrentByteIndex
        depth -= 1

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    return parser, marks, channel


_MEDIA_CONTENT = "http://search.yahoo.com/mrss/ content"
_MEDIA_DESCRIPTION = "http://search.yahoo.com/mrss/ description"
_CHANNEL_FIELDS = frozenset(("title", "link", "description", "language", "generator"))
_SPANNED = ("title", "link", "description")


def _element_end(data: bytes, start: int, end_event: int) -> int:
    """The offset just past the element that starts at `start`, its end
    reported at `end_event`. An empty element (`<title/>`) is its start tag
    alone: expat reports its end past the tag, where the next one may begin."""
    close = data.find(b">", start)
    if close > 0 and data[close - 1] != 0x2F:  # not "/>"
        tag = data[start:close]
        if b'"' not in tag and b"'" not in tag:  # so that ">" ends the tag: not empty
            return _after_tag(data, end_event)
    after_start = _after_tag(data, start)
    if data[after_start - 2 : after_start] == b"/>":
        return after_start
    return _after_tag(data, end_event)


def _after_tag(data: bytes, index: int) -> int:
    """The offset just past the tag that starts at `index` (a `>` inside a
    quoted attribute value does not end it)."""
    if data[index + 1 : index + 2] == b"/":  # an end tag has no attributes
        return data.index(b">", index) + 1
    quote = 0
    for position in range(index, len(data)):
        byte = data[position]
        if quote:
            if byte == quote:
                quote = 0
        elif byte in (0x22, 0x27):  # " '
            quote = byte
        elif byte == 0x3E:  # >
            return position + 1
    return len(data)


def _local(tag: str) -> str:
    return tag.rsplit(_NS_SEP, 1)[-1]
