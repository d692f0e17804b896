"""An article as an RSS 2.0 `<item>`, built with ElementTree (never by joining strings).

Feed readers treat `description` and `content:encoded` as HTML, so article
text is HTML-escaped before it goes in; the XML serializer then escapes it
again for XML. Characters XML 1.0 cannot hold are dropped first.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from generator.channels.rss.content import article_html, summary_html
from generator.config import Config
from generator.model import Article
from generator.text.html import text_html
from generator.text.sanitize import without_bidi_controls, xml_safe
from generator.text.urls import article_link, is_safe_href

CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
MEDIA = "http://search.yahoo.com/mrss/"
ATOM = "http://www.w3.org/2005/Atom"
NAMESPACES = {"content": CONTENT, "dc": DC, "media": MEDIA, "atom": ATOM}
for _prefix, _uri in NAMESPACES.items():
    ET.register_namespace(_prefix, _uri)

URN_PREFIX = "urn:masthead:"


@dataclass(frozen=True, slots=True)
class Identity:
    """How an article is known in a feed: its guid and whether that is a URL."""

    guid: str
    permalink: bool
    link: str | None


def identity(article: Article, config: Config) -> Identity:
    """The same article always gets the same guid: its URL, else site URL +
    slug, else a URN from the slug (not a permalink)."""
    link = article_link(article.url, config.site_url, article.slug)
    if link:
        return Identity(link, True, link)
    return Identity(f"{URN_PREFIX}{article.slug}", False, None)


def _aware(value: dt.date | dt.datetime) -> dt.datetime:
    """A date as midnight UTC; a datetime without a zone as UTC."""
    if not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def rfc822(value: dt.date | dt.datetime) -> str:
    """The RFC 822 date `email.utils.format_datetime` gives, without importing
    `email.utils` (socket, email.charset: ~4 ms a process that only adds to a
    feed would spend at start)."""
    when = _aware(value)
    return (
        f"{_DAYS[when.weekday()]}, {when.day:02d} {_MONTHS[when.month - 1]} {when.year:04d} "
        f"{when.hour:02d}:{when.minute:02d}:{when.second:02d} {when.strftime('%z')}"
    )


def xml_escape(text: str) -> str:
    """`&`, `<` and `>` as XML character data writes them: exactly what
    `xml.sax.saxutils.escape` does, which imports urllib.request (~10 ms of
    start-up) for it."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def xml_quoteattr(text: str) -> str:
    """A quoted XML attribute value, as `xml.sax.saxutils.quoteattr` writes it."""
    text = xml_escape(text).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    return '"' + text.replace('"', "&quot;") + '"'


def rfc3339(value: dt.date | dt.datetime) -> str:
    return _aware(value).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_rfc822(value: str | None) -> dt.datetime | None:
    """An RSS date (RFC 822) as an aware datetime; None when absent or unreadable."""
    if not value:
        return None
    from email.utils import parsedate_to_datetime  # only where dates are read back

    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def rss_text(text: str) -> str:
    """Plain text (a title, a name, a category) as RSS carries it. Readers
    disagree on whether such fields are text or HTML; one that holds `<` is
    HTML-escaped so that both kinds show it as written and neither sees a tag."""
    text = without_bidi_controls(xml_safe(text))  # a title: see sanitize
    return str(text_html(text)) if "<" in text else text


def build_item(article: Article, config: Config, *, pub_date: str) -> ET.Element:
    """The `<item>` element. `pub_date` is the RFC 822 date to publish under
    (the article's date, or the date it was first added to the feed)."""
    ident = identity(article, config)
    item = ET.Element("item")
    _sub(item, "title", rss_text(article.title))
    if ident.link:
        _sub(item, "link", xml_safe(ident.link))
    guid = _sub(item, "guid", xml_safe(ident.guid))
    guid.set("isPermaLink", "true" if ident.permalink else "false")
    _sub(item, "pubDate", pub_date)
    if article.updated:
        # RSS has no field for it; Atom's, as feeds commonly borrow it.
        _sub(item, f"{{{ATOM}}}updated", rfc3339(article.updated))
    if summary := summary_html(article):
        _sub(item, "description", summary)
    for author in article.authors:
        _sub(item, f"{{{DC}}}creator", rss_text(author))
    for tag in article.tags:
        _sub(item, "category", rss_text(tag))
    if body := article_html(article):
        _sub(item, f"{{{CONTENT}}}encoded", body)
    if article.image and is_safe_href(article.image):
        # After content:encoded: feedparser (and readers built on it) takes a
        # media:description met before any content for the item's content,
        # and would show the image's alt text as the article.
        media = ET.SubElement(item, f"{{{MEDIA}}}content")
        media.set("url", xml_safe(article.image))
        media.set("medium", "image")
        if article.image_alt:
            description = _sub(media, f"{{{MEDIA}}}description", rss_text(article.image_alt))
            description.set("type", "plain")
    return item


def _sub(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = text
    return element


def item_xml(item: ET.Element, indent: str = "  ", level: int = 2) -> str:
    """One item as XML text, declaring the namespaces it uses on itself so the
    fragment is well-formed alone."""
    ET.indent(item, space=indent, level=level)
    return _spell_escaped_text(item, ET.tostring(item, encoding="unicode").rstrip())


def _spell_escaped_text(item: ET.Element, xml: str) -> str:
    """HTML-escaped plain text spells its ampersands `&#x26;`, as the RSS
    Best Practices Profile asks, so validators and readers can tell the
    escaping is deliberate. (ElementTree always writes `&amp;`, hence the splice.)"""
    for element in item.iter():
        text = element.text or ""
        if element.tag == f"{{{CONTENT}}}encoded" or element.tag == "description":
            continue  # HTML fields: their escaping is expected
        if "&lt;" in text:
            escaped = xml_escape(text)
            xml = xml.replace(f">{escaped}<", f">{escaped.replace('&amp;', '&#x26;')}<")
    return xml


def article_item_xml(article: Article, config: Config, *, now: dt.datetime) -> str:
    """`masthead rss`: the article's item as a standalone fragment."""
    pub = rfc822(article.date) if article.date else rfc822(now)
    return item_xml(build_item(article, config, pub_date=pub), level=0) + "\n"
