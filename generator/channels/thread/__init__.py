"""The social thread channel: Article + platform -> posts a social editor
would post as they are.

What the thread says is decided once, whatever the platform (`plan`: the
hook, the ideas by salience, nothing said twice, the close); how it fits is
decided per platform (`fit`: wording by the templates in
`templates/social/`, splitting, packing, numbering, counting the platform's
way). `build` ties them together with the post budget; `single` makes
LinkedIn's one post; `hashtags` and `facets` serve both.
"""

from __future__ import annotations

from typing import Any

from generator.channels.thread.build import (
    MIN_POSTS,
    Post,
    Thread,
    ThreadError,
    build_thread,
)
from generator.channels.thread.hashtags import hashtag
from generator.channels.thread.text import clean, post_text, quoted

SEPARATOR = "---"

__all__ = [
    "MIN_POSTS",
    "SEPARATOR",
    "Post",
    "Thread",
    "ThreadError",
    "build_thread",
    "clean",
    "hashtag",
    "post_text",
    "quoted",
    "to_dict",
    "to_text",
]


def to_text(thread: Thread) -> str:
    return f"\n{SEPARATOR}\n".join(post.text for post in thread.posts) + "\n"


def to_dict(thread: Thread) -> dict[str, Any]:
    """The thread for tools: each post's text and length as the platform
    counts it (Bluesky: the text as stored, links shortened, and its facets),
    and with the first post the article's image and its alt text."""
    from generator.text.counting import bluesky_shorten

    posts = []
    for post in thread.posts:
        entry: dict[str, Any] = {"index": post.index, "text": post.text, "length": post.length}
        if thread.platform.counter == "bluesky":
            entry["text"] = bluesky_shorten(post.text)[0]
            entry["facets"] = list(post.facets)
        if post.index == 1 and thread.image:
            entry["image"] = thread.image
            entry["image_alt"] = thread.image_alt or ""
        posts.append(entry)
    return {"platform": thread.platform.key, "limit": thread.limit, "posts": posts}
