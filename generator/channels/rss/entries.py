"""Feed items as neutral entries, for writing the same feed as Atom or JSON Feed.

Items Masthead did not write are converted too, as far as their fields allow.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass

from generator.channels.rss.item import parse_rfc822
from generator.channels.rss.scan import ScannedItem

_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


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
    image_alt: str | None

    @property
    def title_is_html(self) -> bool:
        return _is_html(self.title)

    @property
    def title_text(self) -> str:
        return _as_text(self.title)


def entry(item: ScannedItem, *, id_base: str) -> Entry:
    guid = item.guid or ""
    # Atom ids and JSON Feed ids must be stable; a guid that is not an IRI is
    # namespaced under the feed so it becomes one.
    ident = guid if _IRI.match(guid) else f"{id_base}:item:{guid or item.start}"
    authors = tuple(_as_text(a) for a in item.fields.get("creator", []) if a.strip())
    if not authors and item.first("author"):
        authors = (_as_text(item.first("author") or ""),)
    image = next((m.get("url") for m in item.media if m.get("url")), None)
    alt = next((m.get("description") for m in item.media if m.get("description")), None)
    return Entry(
        id=ident,
        title=item.first("title") or "",
        link=item.first("link"),
        published=parse_rfc822(item.first("pubDate")) or _iso(item.first("dcdate")),
        updated=_iso(item.first("updated")),
        summary_html=item.first("description"),
        content_html=item.first("content"),
        authors=authors,
        tags=tuple(_as_text(c) for c in item.fields.get("category", []) if c.strip()),
        image=image,
        image_alt=alt,
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
