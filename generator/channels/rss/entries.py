"""Feed items as neutral entries, for writing the same feed as Atom or JSON Feed.

Items Masthead did not write are converted too, as far as their fields allow.
The RSS feed itself is never rewritten, but what its items become in the
copies is held to Masthead's rules: a link is an http(s) URL (`web_link`) or
left out, and a guid in a scheme no feed id is written in (`javascript:`)
is no id of its own, so no reader can make either a live link.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from generator.channels.rss.item import parse_rfc822
from generator.channels.rss.scan import ScannedItem
from generator.text.urls import UrlError, http_url

# What an Atom feed made before urn:uuid ids took for an IRI (see EntryIds).
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
# An absolute URI (RFC 3986): a scheme, then only characters a URI may hold.
_URI = re.compile(
    r"[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9._~:/?#\[\]@!$&'()*+,;=-]|%[0-9A-Fa-f]{2})+"
)
_UUID_URN = "urn:uuid:"


def is_uri(value: str) -> bool:
    """True for an absolute URI (RFC 3986) whose authority, if any, is valid."""
    if not _URI.fullmatch(value):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number
    except ValueError:
        return False
    return parts.scheme.lower() not in ("http", "https") or bool(parts.hostname)


# The schemes a guid may keep as its entry's id: web addresses and the two
# schemes made for ids (RFC 4287's examples). Any other (`javascript:`,
# `data:`) could become a live link in a reader that links an id.
_ID_SCHEMES = ("http", "https", "urn", "tag")


def web_link(value: str | None) -> str | None:
    """`value` as the http(s) link Masthead writes (`http_url`), or None when
    it is none: a `javascript:` or relative link an existing feed holds is
    left out of the copies rather than carried into them."""
    if not value:
        return None
    try:
        return http_url(value)
    except UrlError:
        return None


def _own_id(guid: str, shape: re.Pattern[str] | None = None) -> bool:
    """True when `guid` may be its entry's id as it is: a URI (or, under an
    older feed id, what looks like one: `shape`) in an id scheme."""
    scheme = guid.partition(":")[0].lower()
    if scheme not in _ID_SCHEMES:
        return False
    return bool(shape.match(guid)) if shape is not None else is_uri(guid)


def new_feed_id(identity: str) -> str:
    """A feed id (`urn:uuid:`) derived from what names the feed: the same
    name always gives the same id."""
    return f"{_UUID_URN}{uuid.uuid5(uuid.NAMESPACE_URL, identity)}"


@dataclass(frozen=True, slots=True)
class EntryIds:
    """How items get their Atom / JSON Feed ids under the feed's id.

    A guid that is a URI in an id scheme (http, https, urn, tag) is its own
    id. Any other guid (`javascript:alert(1)` among them) is made one from the
    feed's id, so it stays the same as long as they do: under a `urn:uuid:`
    feed id (what new Atom feeds get) a `urn:uuid:` of its own, a valid URI
    whatever the guid; under any other (a feed made before) the form its
    entries were given then, `FEED-ID:item:GUID`, so that no entry moves.
    """

    feed_id: str

    def __call__(self, guid: str) -> str:
        namespace = _uuid(self.feed_id)
        if namespace is not None:
            return guid if _own_id(guid) else f"{_UUID_URN}{uuid.uuid5(namespace, guid)}"
        return guid if _own_id(guid, _IRI) else f"{self.feed_id.rstrip('/')}:item:{guid}"


def _uuid(feed_id: str) -> uuid.UUID | None:
    if not feed_id.startswith(_UUID_URN):
        return None
    try:
        return uuid.UUID(feed_id.removeprefix(_UUID_URN))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    title: str
    link: str | None
    published: dt.datetime | None
    updated: dt.datetime | None
    summary_html: str | None
    content_html: str | None
    authors: tuple[str, ...]
    tags: tuple[str, ...]
    image: str | None
    image_alt: str | None  # plain text

    @property
    def title_is_html(self) -> bool:
        return _is_html(self.title)

    @property
    def title_text(self) -> str:
        return _as_text(self.title)


def entries(item: ScannedItem, *, ids: Sequence[Callable[[str], str]]) -> list[Entry]:
    """`item`'s entry under each of `ids` (one per feed): made once, the id
    set for each."""
    if not ids:
        return []
    first = entry(item, ids=ids[0])
    key = _id_key(item)
    return [first, *(dataclasses.replace(first, id=other(key)) for other in ids[1:])]


def _id_key(item: ScannedItem) -> str:
    # Atom ids and JSON Feed ids must be stable: see EntryIds.
    return item.guid or str(item.start)


def entry(item: ScannedItem, *, ids: Callable[[str], str]) -> Entry:
    ident = ids(_id_key(item))
    authors = tuple(_as_text(a) for a in item.fields.get("creator", []) if a.strip())
    if not authors and item.first("author"):
        authors = (_as_text(item.first("author") or ""),)
    image = web_link(next((m.get("url") for m in item.media if m.get("url")), None))
    alt = next((m.get("description") for m in item.media if m.get("description")), None)
    return Entry(
        id=ident,
        title=item.first("title") or "",
        link=web_link(item.first("link")),
        published=parse_rfc822(item.first("pubDate")) or _iso(item.first("dcdate")),
        updated=_iso(item.first("updated")),
        summary_html=item.first("description"),
        content_html=item.first("content"),
        authors=authors,
        tags=tuple(_as_text(c) for c in item.fields.get("category", []) if c.strip()),
        image=image,
        image_alt=_as_text(alt) if alt else None,
    )


def _is_html(text: str) -> bool:
    """A title, name or category with markup or escaped markup in it is HTML
    (see `item.rss_text`); anything else is plain text."""
    return "<" in text or "&lt;" in text or "&gt;" in text


def _as_text(text: str) -> str:
    """An RSS text field as the plain text Atom names and JSON Feed fields hold."""
    return plain(text) if _is_html(text) else text.strip()


def plain(html_text: str) -> str:
    """HTML as plain text, for fields that take no markup."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", html_text)).split())


def _iso(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
