"""Configuration: `masthead.toml`, its discovery, validation and defaults.

Every key has an embedded default, so no config file is ever required. Where
no honest default exists (the site URL, the sender, the postal address) the
value is empty and channels leave that part out rather than invent it.
The schema below is data: a key's table, name, type and check in one row.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from generator.errors import ConfigError

CONFIG_NAME = "masthead.toml"


@dataclass(frozen=True, slots=True)
class Brand:
    name: str = ""
    logo_url: str = ""
    accent: str = "#1a56db"


@dataclass(frozen=True, slots=True)
class Sender:
    name: str = ""
    address: str = ""


@dataclass(frozen=True, slots=True)
class Utm:
    enabled: bool = False
    # `{slug}` is replaced by the article's slug.
    campaign: str = "{slug}"


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-platform post limits overriding the platform's own (Mastodon
    instances, for one, choose theirs). None keeps the platform's."""

    x: int | None = None
    bluesky: int | None = None
    mastodon: int | None = None
    threads: int | None = None
    linkedin: int | None = None


@dataclass(frozen=True, slots=True)
class Feed:
    title: str = ""  # default: the brand name
    description: str = ""
    url: str = ""  # where the feed is published (atom:link rel="self")
    max_items: int = 0  # 0 keeps every item


@dataclass(frozen=True, slots=True)
class Email:
    esp: str = "generic"  # whose merge tags the footer uses (see esp.toml)
    # For the generic preset: your own unsubscribe and web-version pages.
    unsubscribe_url: str = ""
    web_version_url: str = ""


@dataclass(frozen=True, slots=True)
class Config:
    brand: Brand = field(default_factory=Brand)
    site_url: str = ""
    lang: str = "en"
    sender: Sender = field(default_factory=Sender)
    postal_address: str = ""
    utm: Utm = field(default_factory=Utm)
    limits: Limits = field(default_factory=Limits)
    feed: Feed = field(default_factory=Feed)
    email: Email = field(default_factory=Email)
    path: Path | None = None  # the file it came from, if any


# --- validation ---------------------------------------------------------------

_HEX_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_LANG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


def _http_url(value: str) -> str | None:
    if value and not re.match(r"^https?://[^\s/]+", value):
        return "must be an absolute http(s) URL such as 'https://example.com'"
    return None


def _colour(value: str) -> str | None:
    return None if _HEX_COLOUR.match(value) else "must be a hex colour such as '#1a56db'"


def _lang(value: str) -> str | None:
    return None if _LANG.match(value) else "must be a language tag such as 'en' or 'pt-BR'"


def _email(value: str) -> str | None:
    if value and not _EMAIL.match(value):
        return "must be an email address such as 'news@example.com'"
    return None


def _positive(value: int) -> str | None:
    return None if value > 0 else "must be a whole number above 0"


def _not_negative(value: int) -> str | None:
    return None if value >= 0 else "must be 0 (keep everything) or more"


def _esp(value: str) -> str | None:
    from generator.esp import esps

    if value in esps():
        return None
    return f"must be one of: {', '.join(esps())}"


def _campaign(value: str) -> str | None:
    try:
        value.format(slug="x")
    except (KeyError, IndexError, ValueError):
        return "may contain only the placeholder {slug}"
    return None


Check = Callable[[Any], "str | None"]

# (table, key) -> (type, check). A table of None is the top level.
SCHEMA: dict[tuple[str | None, str], tuple[type, Check | None]] = {
    (None, "site_url"): (str, _http_url),
    (None, "lang"): (str, _lang),
    (None, "postal_address"): (str, None),
    ("brand", "name"): (str, None),
    ("brand", "logo_url"): (str, _http_url),
    ("brand", "accent"): (str, _colour),
    ("sender", "name"): (str, None),
    ("sender", "address"): (str, _email),
    ("utm", "enabled"): (bool, None),
    ("utm", "campaign"): (str, _campaign),
    ("email", "esp"): (str, _esp),
    ("email", "unsubscribe_url"): (str, _http_url),
    ("email", "web_version_url"): (str, _http_url),
    ("feed", "title"): (str, None),
    ("feed", "description"): (str, None),
    ("feed", "url"): (str, _http_url),
    ("feed", "max_items"): (int, _not_negative),
    **{
        ("limits", name): (int, _positive)
        for name in ("x", "bluesky", "mastodon", "threads", "linkedin")
    },
}
_TABLES = {table for table, _ in SCHEMA if table}
_TYPE_NAMES = {
    str: "a quoted string",
    int: "a whole number",
    bool: "true or false",
    float: "a number",
    list: "a list",
    dict: "a table",
}


def find_config(start: Path | None = None) -> Path | None:
    """The nearest `masthead.toml` in `start` (default: cwd) or its parents."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def load_config(path: str | os.PathLike[str] | None = None, *, discover: bool = True) -> Config:
    """Load `path`, else the discovered `masthead.toml`, else the defaults."""
    if path is None:
        found = find_config() if discover else None
        if found is None:
            return Config()
        path = found
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("config file not found; check --config", name) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the config file ({exc})", name) from None
    return parse_config(text, name=name, path=Path(path))


def parse_config(text: str, *, name: str = CONFIG_NAME, path: Path | None = None) -> Config:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _line_from_toml_error(str(exc))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ConfigError(f"invalid TOML: {message}", name, line) from None

    values: dict[tuple[str | None, str], Any] = {}
    for key, value in data.items():
        if key in _TABLES:
            if not isinstance(value, dict):
                raise ConfigError(f"'{key}' must be a table ([{key}])", name, _line_of(text, key))
            for sub, subvalue in value.items():
                values[(key, sub)] = subvalue
        else:
            values[(None, key)] = value

    for (table, key), value in values.items():
        dotted = f"{table}.{key}" if table else key
        line = _line_of(text, key, table)
        if (table, key) not in SCHEMA:
            known = ", ".join(sorted(f"{t}.{k}" if t else k for t, k in SCHEMA))
            raise ConfigError(f"unknown key '{dotted}'; known keys: {known}", name, line)
        expected, check = SCHEMA[(table, key)]
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            given = _TYPE_NAMES.get(type(value), type(value).__name__)
            raise ConfigError(
                f"'{dotted}' must be {_TYPE_NAMES[expected]}, not {given}", name, line
            )
        if check and (problem := check(value)):
            raise ConfigError(f"'{dotted}' {problem}", name, line)

    config = Config(path=path)
    for table in _TABLES:
        sub = getattr(config, table)
        updates = {k: v for (t, k), v in values.items() if t == table}
        config = replace(config, **{table: replace(sub, **updates)})
    top = {k: v for (t, k), v in values.items() if t is None}
    return replace(config, **top)


def _line_from_toml_error(message: str) -> int | None:
    m = re.search(r"at line (\d+)", message)
    return int(m.group(1)) if m else None


def _line_of(text: str, key: str, table: str | None = None) -> int | None:
    """The line where `key` is set (inside `[table]` when given), for error messages."""
    current: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if m := re.match(r"^\[\s*([^\]\s]+)\s*\]", stripped):
            current = m.group(1)
            if table is None and current == key:
                return number
            continue
        if re.match(rf"^{re.escape(key)}\s*=", stripped) and current == table:
            return number
        if table and re.match(rf"^{re.escape(table)}\.{re.escape(key)}\s*=", stripped):
            return number
    return None


def campaign_name(config: Config, slug: str) -> str:
    return config.utm.campaign.format(slug=slug)


def defaults_as_toml() -> str:
    """A commented `masthead.toml` with every key at its default."""
    brand, sender, utm = Brand(), Sender(), Utm()
    return f"""\
# Masthead configuration. Every key is optional; the values shown are the defaults.
# Masthead looks for this file in the current directory and its parents,
# or takes the one named by --config.

# The site the articles live on. An article without its own `url` links to
# site_url + "/" + slug + "/". Leave empty if you have none.
site_url = ""

# Language of articles that do not say their own (a tag like "en" or "pt-BR").
lang = "{Config().lang}"

# Postal address printed in email footers (anti-spam laws require one).
postal_address = ""

[brand]
# Shown in the email header.
name = "{brand.name}"
# Absolute https URL of a logo image (at most 160 px wide is shown).
logo_url = "{brand.logo_url}"
# Accent colour for links, rules and buttons.
accent = "{brand.accent}"

[sender]
# The From of exported .eml files.
name = "{sender.name}"
address = "{sender.address}"

[utm]
# Add utm_source / utm_medium / utm_campaign to links to the article.
enabled = {str(utm.enabled).lower()}
# The utm_campaign value; {{slug}} is the article's slug.
campaign = "{utm.campaign}"

[email]
# Whose merge tags go in the footer: generic, mailchimp, buttondown, kit,
# listmonk, sendy, brevo, mailerlite or campaign_monitor.
esp = "generic"
# With esp = "generic": your own unsubscribe and web-version pages.
unsubscribe_url = ""
web_version_url = ""

[feed]
# The feed's title (default: the brand name) and description.
title = ""
description = ""
# The address the RSS feed is published at, for its rel="self" link.
url = ""
# Keep only this many newest items when adding to a feed; 0 keeps them all.
max_items = 0

[limits]
# Post length limits that override a platform's own, e.g. for a Mastodon
# instance that allows longer posts:
# mastodon = 1000
"""


def config_fields() -> list[str]:
    return [f.name for f in fields(Config)]
