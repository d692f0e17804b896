"""The feed as JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from typing import Any

from markupsafe import escape

from generator.channels.rss.entries import Entry, plain


def json_feed(
    entries: Iterable[Entry],
    *,
    title: str,
    description: str,
    home: str | None,
    feed_url: str | None,
    lang: str,
) -> Iterator[bytes]:
    """The JSON Feed document, in pieces: one per item, so a feed of any
    length is written without being held whole. The text is what
    `json.dumps(feed, indent=2)` gives for the whole feed."""
    feed: dict[str, Any] = {"version": "https://jsonfeed.org/version/1.1", "title": title}
    if home:
        feed["home_page_url"] = home
    if feed_url:
        feed["feed_url"] = feed_url
    feed["description"] = description
    feed["language"] = lang
    head = json.dumps(feed, ensure_ascii=False, indent=2).removesuffix("\n}")
    yield (head + ',\n  "items": [').encode("utf-8")
    separator = "\n    "
    for entry in entries:
        # JSON strings hold no raw newline, so indenting every line is safe.
        text = json.dumps(_item(entry), ensure_ascii=False, indent=2).replace("\n", "\n    ")
        yield (separator + text).encode("utf-8")
        separator = ",\n    "
    yield b"]\n}\n" if separator == "\n    " else b"\n  ]\n}\n"


def _item(entry: Entry) -> dict[str, Any]:
    item: dict[str, Any] = {"id": entry.id}
    if entry.link:
        item["url"] = entry.link
    item["title"] = entry.title_text
    item["content_html"] = entry.content_html or entry.summary_html or str(escape(entry.title_text))
    if entry.summary_html:
        item["summary"] = plain(entry.summary_html)
    if entry.published:
        item["date_published"] = _iso(entry.published)
    if entry.updated:
        item["date_modified"] = _iso(entry.updated)
    if entry.authors:
        item["authors"] = [{"name": name} for name in entry.authors]
    if entry.tags:
        item["tags"] = list(entry.tags)
    if entry.image:
        item["image"] = entry.image
    return item


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
