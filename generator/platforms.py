"""The social platforms Masthead writes for, loaded from `platforms.toml`.

Rules are data (like twitter-text's `config/v3.json`): adding or correcting a
platform is an edit to the table, not to the thread code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache

from generator.errors import MastheadError
from generator.resources import data_table


@dataclass(frozen=True, slots=True)
class Platform:
    key: str
    name: str
    limit: int
    counter: str
    thread: bool = True
    numbering: bool = True
    hashtags: int = 0
    max_bytes: int | None = None
    max_links: int | None = None
    fold: int | None = None
    fuller: bool = False  # fewer, fuller posts: pieces share a post (see platforms.toml)
    aliases: tuple[str, ...] = ()  # other names for it (see platforms.toml)

    @property
    def count(self) -> Callable[[str], int]:
        # Imported here: the counters' patterns (and the `regex` module) are
        # for writing threads, not for knowing the platforms' names and limits.
        from generator.text import counting

        return counting.COUNTERS[self.counter]

    def fits(self, text: str) -> bool:
        """True when `text` can be published as one post."""
        from generator.text import counting

        if self.count(text) > self.limit:
            return False
        if self.max_bytes is not None and counting.bluesky_bytes(text) > self.max_bytes:
            return False
        return self.max_links is None or counting.threads_link_count(text) <= self.max_links

    def with_limit(self, limit: int | None) -> Platform:
        return self if limit is None else replace(self, limit=limit)


@cache
def platforms() -> dict[str, Platform]:
    return {
        key: Platform(key=key, **{**row, "aliases": tuple(row.get("aliases", ()))})
        for key, row in data_table("platforms.toml").items()
    }


def get_platform(key: str) -> Platform:
    try:
        return platforms()[key]
    except KeyError:
        known = ", ".join(platforms())
        raise MastheadError(f"unknown platform '{key}'; use one of: {known}") from None
