"""The feed as Atom 1.0 (RFC 4287)."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator

from generator import __version__
from generator.channels.rss.entries import Entry
from generator.channels.rss.item import rfc3339
from generator.text.sanitize import xml_safe

ATOM = "http://www.w3.org/2005/Atom"


def atom_feed(
    entries: Iterable[Entry],
    *,
    title: str,
    feed_id: str,
    home: str | None,
    self_url: str | None,
    lang: str,
    now: dt.datetime,
) -> Iterator[bytes]:
    """The Atom document, in pieces: one per entry, so a feed of any length
    is written without being held whole."""
    # Names are left unqualified and the default namespace is declared once
    # on the root: ElementTree cannot otherwise write Atom without a prefix.
    root = ET.Element("feed", {"xmlns": ATOM, "xml:lang": lang})
    _text(root, "title", title)
    _text(root, "id", feed_id)
    _text(root, "updated", rfc3339(now))
    if home:
        ET.SubElement(root, "link", {"rel": "alternate", "href": home})
    if self_url:
        ET.SubElement(
            root,
            "link",
            {"rel": "self", "href": self_url, "type": "application/atom+xml"},
        )
    # Atom needs an author for every entry; the feed's covers those without.
    _text(ET.SubElement(root, "author"), "name", title)
    generator = _text(root, "generator", "Masthead")
    generator.set("version", __version__)
    ET.indent(root, space="  ")
    head = ET.tostring(root, encoding="unicode").removesuffix("\n</feed>")
    yield ('<?xml version="1.0" encoding="utf-8"?>\n' + head).encode("utf-8")
    for entry in entries:
        node = _entry(entry, now)
        ET.indent(node, space="  ", level=1)
        yield ("\n  " + ET.tostring(node, encoding="unicode")).encode("utf-8")
    yield b"\n</feed>\n"


def _entry(entry: Entry, now: dt.datetime) -> ET.Element:
    node = ET.Element("entry")
    title = _text(node, "title", entry.title)
    if entry.title_is_html:
        title.set("type", "html")
    _text(node, "id", entry.id)
    if entry.link:
        ET.SubElement(node, "link", {"rel": "alternate", "href": entry.link})
    when = entry.updated or entry.published or now
    _text(node, "updated", rfc3339(when))
    if entry.published:
        _text(node, "published", rfc3339(entry.published))
    for name in entry.authors:
        _text(ET.SubElement(node, "author"), "name", name)
    for tag in entry.tags:
        ET.SubElement(node, "category", {"term": xml_safe(tag)})
    if entry.summary_html:
        _text(node, "summary", entry.summary_html).set("type", "html")
    if entry.content_html:
        _text(node, "content", entry.content_html).set("type", "html")
    return node


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = xml_safe(text)
    return element
