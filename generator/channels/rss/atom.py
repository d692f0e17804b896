"""The feed as Atom 1.0 (RFC 4287)."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
import xml.parsers.expat
from collections.abc import Iterable, Iterator

from generator import __version__
from generator.channels.rss.entries import Entry, is_uri
from generator.channels.rss.item import MEDIA, rfc3339
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
    for author in entry.authors:
        name, email = _name_and_email(author)
        if name:
            person = ET.SubElement(node, "author")
            _text(person, "name", name)
            if email:
                _text(person, "email", email)
    for tag in entry.tags:
        ET.SubElement(node, "category", {"term": xml_safe(tag)})
    if entry.summary_html:
        _text(node, "summary", entry.summary_html).set("type", "html")
    if entry.content_html:
        _text(node, "content", entry.content_html).set("type", "html")
    if entry.image and is_uri(entry.image):
        # The image as in the RSS item (its HTML has it too): Media RSS, which
        # readers read in Atom as well, for the picture beside the entry in a
        # list. After the content, where no parser takes its text for the
        # entry's content (see item.build_item).
        media = ET.SubElement(node, f"{{{MEDIA}}}content", {"url": entry.image, "medium": "image"})
        if entry.image_alt:
            _text(media, f"{{{MEDIA}}}description", entry.image_alt).set("type", "plain")
    return node


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = xml_safe(text)
    return element


# "Ann Lee <ann@example.com>": Atom has a field for the address.
_NAMED_ADDRESS = re.compile(
    r"(?P<name>[^<>]*\S)\s*<(?P<email>[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+)>"
)


# An HTML tag: `<b>`, `</b>`, `<em onclick="…">`.
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")


def _name_and_email(author: str) -> tuple[str, str | None]:
    """An author as Atom's name and email, when written as `Name <address>`.

    Atom's name has no type, and some readers take it for HTML: a tag in it
    (from an author field such as `<b>Ann</b>`) is left out, so no reader
    renders it — while RSS and JSON Feed, whose readers can tell, show it as
    written."""
    match = _NAMED_ADDRESS.fullmatch(author.strip())
    name, email = (match["name"], match["email"]) if match else (author, None)
    return " ".join(_TAG.sub(" ", name).split()), email


def feed_id_of(chunks: Iterable[bytes]) -> str | None:
    """The `<id>` of an Atom feed (the feed's own, not an entry's), read from
    its start; None when it is not an Atom feed with one."""
    found: list[str] = []
    depth = 0
    text: list[str] = []
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        if depth == 1 and tag != f"{ATOM} feed":
            raise _Done
        if depth == 2 and tag == f"{ATOM} entry":
            raise _Done  # the feed's id comes before its entries
        if depth == 2 and tag == f"{ATOM} id":
            parser.CharacterDataHandler = text.append

    def end(tag: str) -> None:
        nonlocal depth
        depth -= 1
        if depth == 1 and tag == f"{ATOM} id":
            found.append("".join(text).strip())
            raise _Done

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except (_Done, xml.parsers.expat.ExpatError):
        pass
    return found[0] if found and found[0] else None


class _Done(Exception):
    """Stops reading an Atom feed once its id is known."""
