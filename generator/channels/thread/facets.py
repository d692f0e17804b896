"""Bluesky's facets: the byte ranges of a post's links and hashtags, which
its API needs to make them clickable (the app finds them itself when a
post is pasted; a post made through the API carries them)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from generator.text.counting import bluesky_shorten

LINK_FACET = "app.bsky.richtext.facet#link"
TAG_FACET = "app.bsky.richtext.facet#tag"


def bluesky_facets(text: str, hashtags: list[str]) -> tuple[dict[str, Any], ...]:
    """The facets of `text` as Bluesky stores it (links shortened): every
    link, and each of our hashtags standing alone."""
    shown, links = bluesky_shorten(text)
    spans = [(start, end, LINK_FACET, {"uri": uri}) for start, end, uri in links]
    for tag in hashtags:  # ours only: the app makes these clickable, the API needs facets
        for match in _tag_pattern(tag).finditer(shown):
            spans.append((match.start(), match.end(), TAG_FACET, {"tag": tag[1:]}))
    return tuple(
        {
            "index": {
                "byteStart": len(shown[:start].encode("utf-8")),
                "byteEnd": len(shown[:end].encode("utf-8")),
            },
            "features": [{"$type": kind, **value}],
        }
        for start, end, kind, value in sorted(spans, key=lambda span: span[0])
    )


@lru_cache(maxsize=256)
def _tag_pattern(tag: str) -> re.Pattern[str]:
    """`tag` standing alone: not inside a word, not the start of a longer tag."""
    return re.compile(rf"(?<!\S){re.escape(tag)}(?!\w)")
