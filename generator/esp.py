"""Email service providers and their merge tags, loaded from `esp.toml`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from generator.errors import MastheadError
from generator.resources import data_table

DEFAULT_ESP = "generic"


@dataclass(frozen=True, slots=True)
class ESP:
    key: str
    name: str
    unsubscribe: str
    unsubscribe_text: str
    web_version: str
    web_version_text: str
    address: str
    # Regexes (esp.toml's text) matching any merge tag of this ESP.
    tag_patterns: tuple[str, ...]
    source: str

    @property
    def patterns(self) -> tuple[re.Pattern[str], ...]:
        """`tag_patterns` compiled. Only checks of the output use them (the
        tests' "no merge tag survives"), never a render: compiling all 24 was
        most of the cost of loading esp.toml, so it waits until asked."""
        return _compiled(self.tag_patterns)

    def matches_any_tag(self, text: str) -> bool:
        return any(p.search(text) for p in self.patterns)


@cache
def esps() -> dict[str, ESP]:
    return {
        key: ESP(
            key=key,
            name=row["name"],
            unsubscribe=row["unsubscribe"],
            unsubscribe_text=row["unsubscribe_text"],
            web_version=row["web_version"],
            web_version_text=row["web_version_text"],
            address=row["address"],
            tag_patterns=tuple(row["patterns"]),
            source=row["source"],
        )
        for key, row in data_table("esp.toml").items()
    }


@cache
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE | re.DOTALL) for p in patterns)


def get_esp(key: str) -> ESP:
    try:
        return esps()[key]
    except KeyError:
        raise MastheadError(f"unknown ESP '{key}'; use one of: {', '.join(esps())}") from None


def all_patterns() -> tuple[re.Pattern[str], ...]:
    """Every merge-tag pattern of every supported ESP."""
    return tuple(p for esp in esps().values() for p in esp.patterns)
