"""Configuration: `masthead.toml`, its discovery, validation and defaults.

Every key has an embedded default, so no config file is ever required. Where
no honest default exists (the site URL, the sender, the postal address) the
value is empty and channels leave that part out rather than invent it.
The schema below is data: a key's table, name, type and check in one row.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from functools import cache
from pathlib import Path
from typing import Any

from generator.errors import ConfigError
from generator.files import NotRegularFileError, read_regular_file

# Importing this module is part of every command's start (`--help` reads
# CONFIG_NAME): what only reading a config file needs (tomllib, the URL and
# text rules, the platform names, the labels) is imported when a file is
# read, and the checks' patterns are compiled when first used.

CONFIG_NAME = "masthead.toml"


@dataclass(frozen=True, slots=True)
class Brand:
    name: str = ""
    logo_url: str = ""
    logo_width: int = 160  # pixels shown; the image itself may be larger (2x)
    logo_alt: str = ""  # default: the brand name
    accent: str = ""  # default: the theme's accent


@dataclass(frozen=True, slots=True)
class SocialLink:
    name: str
    url: str


@dataclass(frozen=True, slots=True)
class Theme:
    """[theme]: a built-in theme by name, and overrides of its colours."""

    name: str = "classic"
    font: str = ""
    header: str = ""  # left | center
    footer_text: str = ""  # an extra line in the email footer
    social: tuple[SocialLink, ...] = ()
    page: str = ""
    card: str = ""
    text: str = ""
    muted: str = ""
    accent: str = ""
    on_accent: str = ""
    code: str = ""
    rule: str = ""
    dark_page: str = ""
    dark_card: str = ""
    dark_text: str = ""
    dark_muted: str = ""
    dark_accent: str = ""
    dark_code: str = ""
    dark_rule: str = ""

    def overrides(self) -> dict[str, str]:
        keys = [f.name for f in fields(self) if f.name not in ("name", "social", "footer_text")]
        return {k: getattr(self, k) for k in keys if getattr(self, k)}


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
    # Your own unsubscribe and web-version pages: for the generic preset, and
    # for an ESP without a tag of its own (Kit has no web-version tag).
    unsubscribe_url: str = ""
    web_version_url: str = ""
    # Where the Key Takeaways box goes: "top" (a TL;DR under the dek) or
    # "bottom" (where the article has it); "" leaves it to the theme.
    takeaways: str = ""


@dataclass(frozen=True, slots=True)
class Markdown:
    """[markdown]: habits of Markdown articles."""

    shortcodes: bool = True  # `:tada:` -> 🎉, as on GitHub


@dataclass(frozen=True, slots=True)
class Smtp:
    """[smtp]: the server `masthead email --send-test` sends through. The
    password is never here: it comes only from MASTHEAD_SMTP_PASSWORD."""

    host: str = ""
    port: int = 0  # 0: the usual port for `security` (587, 465 or 25)
    security: str = "starttls"  # starttls | ssl | none (none: loopback only)
    username: str = ""  # empty: no login


@dataclass(frozen=True, slots=True)
class Bluesky:
    """[bluesky]: the account `masthead publish bluesky` posts as. The app
    password is never here: it comes only from MASTHEAD_BLUESKY_PASSWORD."""

    handle: str = ""
    service: str = ""  # empty: https://bsky.social


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
    markdown: Markdown = field(default_factory=Markdown)
    theme: Theme = field(default_factory=Theme)
    smtp: Smtp = field(default_factory=Smtp)
    bluesky: Bluesky = field(default_factory=Bluesky)
    labels: tuple[tuple[str, str], ...] = ()  # [labels] overrides, by key
    templates: str = ""  # a folder of templates that shadow the built-in ones
    path: Path | None = None

    def resolved_theme(self, name: str | None = None) -> dict[str, Any]:
        from generator.theme import resolve

        overrides = self.theme.overrides()
        if self.brand.accent and "accent" not in overrides:
            overrides["accent"] = self.brand.accent
        return resolve(name or self.theme.name, overrides)

    def templates_path(self) -> Path | None:
        """The override folder, relative to the config file's folder."""
        if not self.templates:
            return None
        folder = Path(self.templates).expanduser()
        if not folder.is_absolute() and self.path is not None:
            folder = self.path.parent / folder
        return folder  # the file it came from, if any


# --- validation ---------------------------------------------------------------

# Patterns as text, compiled by `re` on first use (and kept in its cache).
_HEX_COLOUR = r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$"
# An address part: no @, space or angle bracket, and no control character
# (C0, DEL, C1) or bidi control, which would go into From:, Message-ID: and
# the SMTP envelope as they are.
_ADDRESS_PART = "[^@\\s<>\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]+"
_EMAIL = f"^{_ADDRESS_PART}@{_ADDRESS_PART}\\.{_ADDRESS_PART}$"


def _http_url(value: str) -> str | None:
    """The one URL rule (text.urls.http_url); the value is then kept as the
    valid URI it gives, so every channel writes the same link."""
    from generator.text.urls import UrlError, http_url

    try:
        if value:
            http_url(value)
    except UrlError as exc:
        return str(exc)
    return None


def _colour(value: str) -> str | None:
    return None if re.match(_HEX_COLOUR, value) else "must be a hex colour such as '#1a56db'"


def _lang(value: str) -> str | None:
    from generator.language import is_language_tag

    return None if is_language_tag(value) else "must be a language tag such as 'en' or 'pt-BR'"


def email_address_problem(value: str) -> str | None:
    """What is wrong with `value` as an email address, or None (also for "")."""
    if value and not re.match(_EMAIL, value):
        return "must be an email address such as 'news@example.com'"
    if value and not value.rsplit("@", 1)[0].isascii():
        # A non-ASCII name before the @ needs SMTPUTF8, which .eml previews
        # and many servers lack; a non-ASCII domain is fine (sent as IDNA).
        return "must have only ASCII letters before the @ (the domain may be international)"
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


def _takeaways(value: str) -> str | None:
    from generator.text.headings import TAKEAWAYS_PLACES

    if value in ("", *TAKEAWAYS_PLACES):
        return None
    return "must be 'top' (a TL;DR under the dek) or 'bottom' (where the article has it)"


def _theme_name(value: str) -> str | None:
    from generator.theme import themes

    return None if value in themes() else f"must be one of: {', '.join(themes())}"


def _header(value: str) -> str | None:
    return None if value in ("", "left", "center") else "must be 'left' or 'center'"


def _optional_colour(value: str) -> str | None:
    return _colour(value) if value else None


def _social(value: list[Any]) -> str | None:
    for entry in value:
        if not (isinstance(entry, dict) and set(entry) == {"name", "url"}):
            return 'must be a list of {name = "…", url = "https://…"} tables'
        if not isinstance(entry["name"], str) or _http_url(entry["url"]) or not entry["url"]:
            return f"has an entry whose url is not an absolute http(s) URL: {entry!r}"
    return None


SMTP_SECURITY = ("starttls", "ssl", "none")


def smtp_host_problem(value: str) -> str | None:
    """What is wrong with `value` as an SMTP host (a name, an IPv4 address,
    or an IPv6 address, in brackets or not), or None; the port is apart."""
    host = value[1:-1] if value.startswith("[") and value.endswith("]") else value
    if "://" in host:
        return "must be a host name such as 'smtp.example.com', not a URL"
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return "must be a host name or an IP address, without a port ([smtp] port)"
        return None
    if value and not re.fullmatch(r"[^\W_](?:[\w.-]*[^\W_])?\.?", value):
        return "must be a host name such as 'smtp.example.com', or an IP address"
    return None


def _smtp_security(value: str) -> str | None:
    return None if value in SMTP_SECURITY else f"must be one of: {', '.join(SMTP_SECURITY)}"


def _port(value: int) -> str | None:
    return None if 0 <= value <= 65535 else "must be a port from 1 to 65535, or 0 for the usual"


# Secrets that a config file (committed, shared, backed up) must never hold,
# and where each is read from instead.
_SECRET_KEYS = {
    ("smtp", "password"): "MASTHEAD_SMTP_PASSWORD",
    ("bluesky", "password"): "MASTHEAD_BLUESKY_PASSWORD",
    ("bluesky", "app_password"): "MASTHEAD_BLUESKY_PASSWORD",
}

# An AT Protocol handle (a domain name; the first character of its last
# label a letter), or the account's DID.
_HANDLE = (
    r"@?(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+"
    r"[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
)
_DID = r"did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]"


def bluesky_handle_problem(value: str) -> str | None:
    """What is wrong with `value` as a Bluesky handle (or DID), or None (also for "")."""
    if not value or (
        len(value) <= 254 and (re.fullmatch(_HANDLE, value) or re.fullmatch(_DID, value))
    ):
        return None
    return "must be a Bluesky handle such as 'you.bsky.social' (or your DID)"


def _campaign(value: str) -> str | None:
    try:
        value.format(slug="x")
    except (KeyError, IndexError, ValueError):
        return "may contain only the placeholder {slug}"
    return None


Check = Callable[[Any], "str | None"]


_COLOUR_KEYS = (
    "page", "card", "text", "muted", "accent", "on_accent", "code", "rule",
    "dark_page", "dark_card", "dark_text", "dark_muted", "dark_accent", "dark_code", "dark_rule",
)  # fmt: skip

# (table, key) -> (type, check). A table of None is the top level. The
# [labels] keys come from labels.toml: `_schema()` adds them when a config
# file is first read.
SCHEMA: dict[tuple[str | None, str], tuple[type, Check | None]] = {
    (None, "site_url"): (str, _http_url),
    (None, "lang"): (str, _lang),
    (None, "postal_address"): (str, None),
    ("brand", "name"): (str, None),
    ("brand", "logo_url"): (str, _http_url),
    ("brand", "accent"): (str, _optional_colour),
    ("brand", "logo_width"): (int, _positive),
    ("brand", "logo_alt"): (str, None),
    (None, "templates"): (str, None),
    ("theme", "name"): (str, _theme_name),
    ("theme", "font"): (str, None),
    ("theme", "header"): (str, _header),
    ("theme", "footer_text"): (str, None),
    ("theme", "social"): (list, _social),
    **{("theme", key): (str, _optional_colour) for key in _COLOUR_KEYS},
    ("sender", "name"): (str, None),
    ("sender", "address"): (str, email_address_problem),
    ("utm", "enabled"): (bool, None),
    ("utm", "campaign"): (str, _campaign),
    ("email", "esp"): (str, _esp),
    ("email", "unsubscribe_url"): (str, _http_url),
    ("email", "web_version_url"): (str, _http_url),
    ("email", "takeaways"): (str, _takeaways),
    ("markdown", "shortcodes"): (bool, None),
    ("feed", "title"): (str, None),
    ("feed", "description"): (str, None),
    ("feed", "url"): (str, _http_url),
    ("feed", "max_items"): (int, _not_negative),
    ("smtp", "host"): (str, smtp_host_problem),
    ("smtp", "port"): (int, _port),
    ("smtp", "security"): (str, _smtp_security),
    ("smtp", "username"): (str, None),
    ("bluesky", "handle"): (str, bluesky_handle_problem),
    ("bluesky", "service"): (str, _http_url),
    **{
        ("limits", name): (int, _positive)
        for name in ("x", "bluesky", "mastodon", "threads", "linkedin")
    },
}
_TABLES = {table for table, _ in SCHEMA if table} | {"labels"}


@cache
def _schema() -> dict[tuple[str | None, str], tuple[type, Check | None]]:
    """SCHEMA and a row for each of the labels, which labels.toml names."""
    from generator.language import label_keys

    return {**SCHEMA, **{("labels", key): (str, None) for key in label_keys()}}

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
        text = read_regular_file(path).decode("utf-8")
    except FileNotFoundError:
        raise ConfigError("config file not found; check --config", name) from None
    except IsADirectoryError:
        raise ConfigError("is a directory; name the masthead.toml file", name) from None
    except NotRegularFileError:
        raise ConfigError(
            "is not a regular file (a named pipe, device or socket); save the config as a file",
            name,
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the config file ({exc})", name) from None
    return parse_config(text, name=name, path=Path(path))


def parse_config(text: str, *, name: str = CONFIG_NAME, path: Path | None = None) -> Config:
    import tomllib

    from generator.resources import data_names
    from generator.text.sanitize import clean_strings
    from generator.text.urls import http_url

    schema = _schema()
    try:
        # The same rule as article text: a TOML escape ("\u001b") must not
        # put a control character into an email, a feed or the terminal.
        data = clean_strings(tomllib.loads(text), keys=False)
    except tomllib.TOMLDecodeError as exc:
        line = _line_from_toml_error(str(exc))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ConfigError(f"invalid TOML: {message}", name, line) from None

    values: dict[tuple[str | None, str], Any] = {}
    spelled: dict[tuple[str | None, str], str] = {}  # a platform as the file names it
    for key, value in data.items():
        if key in _TABLES:
            if not isinstance(value, dict):
                raise ConfigError(f"'{key}' must be a table ([{key}])", name, _line_of(text, key))
            for sub, subvalue in value.items():
                if key == "limits":  # a platform by any of its names: twitter is x
                    platform = data_names("platforms.toml").get(sub.lower(), sub)
                    if (key, platform) in values:
                        first = spelled.get((key, platform), platform)
                        raise ConfigError(
                            f"'limits.{sub}' and 'limits.{first}' are the same platform; "
                            "keep one",
                            name,
                            _line_of(text, sub, key),
                        )
                    spelled[(key, platform)] = sub
                    sub = platform
                values[(key, sub)] = subvalue
        else:
            values[(None, key)] = value

    for (table, key), value in values.items():
        written = spelled.get((table, key), key)
        dotted = f"{table}.{written}" if table else written
        # The key's line is looked for only for an error: the search compiles
        # patterns made of the key's name, ~0.2 ms a key on the first run.
        if (table, key) in _SECRET_KEYS:
            raise ConfigError(
                f"'{dotted}' is not read from the config file, which gets committed and "
                f"shared: remove it and set the environment variable "
                f"{_SECRET_KEYS[(table, key)]} instead",
                name,
                _line_of(text, written, table),
            )
        if (table, key) not in schema:
            known = ", ".join(sorted(f"{t}.{k}" if t else k for t, k in schema))
            raise ConfigError(
                f"unknown key '{dotted}'; known keys: {known}", name, _line_of(text, written, table)
            )
        expected, check = schema[(table, key)]
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            given = _TYPE_NAMES.get(type(value), type(value).__name__)
            raise ConfigError(
                f"'{dotted}' must be {_TYPE_NAMES[expected]}, not {given}",
                name,
                _line_of(text, written, table),
            )
        if check and (problem := check(value)):
            raise ConfigError(f"'{dotted}' {problem}", name, _line_of(text, written, table))
        if check is _http_url and value:
            values[(table, key)] = http_url(value)

    config = Config(path=path)
    for table in _TABLES - {"labels"}:
        sub = getattr(config, table)
        updates = {k: v for (t, k), v in values.items() if t == table}
        if table == "theme" and "social" in updates:
            updates["social"] = tuple(
                SocialLink(e["name"], http_url(e["url"])) for e in updates["social"]
            )
        config = replace(config, **{table: replace(sub, **updates)})
    labels = tuple(sorted((k, v) for (t, k), v in values.items() if t == "labels"))
    top = {k: v for (t, k), v in values.items() if t is None}
    config = replace(config, labels=labels, **top)
    _check_contrast(config, text, name)
    try:
        folder = config.templates_path()
    except RuntimeError:  # "~user/…" for a user with no home
        folder = Path(config.templates)
    if folder is not None and not folder.is_dir():
        # A mistyped folder would otherwise leave the built-in templates in use, unsaid.
        raise ConfigError(
            f"templates: no such folder {folder}; correct the path (relative to this "
            "file), or create the folder (`masthead init --templates` copies the built-in "
            "templates into ./templates)",
            name,
            _line_of(text, "templates"),
        )
    return config


def _check_contrast(config: Config, text: str, name: str) -> None:
    """A theme whose text would be hard to read is a config error naming the keys."""
    from generator.theme import AA, low_contrast, nearest_passing_shade

    theme = config.resolved_theme()
    for fg, bg, ratio in low_contrast(theme):
        keys = [k for k in (fg, bg) if k in config.theme.overrides()]
        if fg == "accent" and config.brand.accent and "accent" not in config.theme.overrides():
            keys.append("brand.accent")
        named = " and ".join(f"theme.{k}" if "." not in k else k for k in keys) or (
            f"theme.{fg} and theme.{bg}"
        )
        first = next((k for k in keys), fg)
        line = _line_of(
            text, first.split(".")[-1], first.split(".")[0] if "." in first else "theme"
        )
        advice = "pick a darker or lighter colour"
        if keys:
            # The colour the config set, as the shade of it that passes.
            overrides = config.theme.overrides()
            if config.brand.accent and "accent" not in overrides:
                overrides["accent"] = config.brand.accent
            key = keys[0].removeprefix("brand.")
            shown = keys[0] if "." in keys[0] else f"theme.{key}"
            if shade := nearest_passing_shade(config.theme.name, overrides, key):
                advice = f'try {shown} = "{shade}" (the nearest shade of it that passes)'
        raise ConfigError(
            f"{named}: {fg} {theme[fg]} on {bg} {theme[bg]} has a contrast of {ratio:.2f}:1, "
            f"below the {AA}:1 that WCAG AA asks for; {advice}",
            name,
            line,
        )


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
    brand, sender, utm, smtp = Brand(), Sender(), Utm(), Smtp()
    return f"""\
# Masthead configuration. Every key is optional; the values shown are the defaults.
# Masthead looks for this file in the current directory and its parents,
# or takes the one named by --config.

# The site the articles live on. An article without its own `url` links to
# site_url + "/" + slug + "/". Leave empty if you have none (the feeds are
# then written only with [feed] url set: RSS requires the site's address).
site_url = ""

# Language of articles that do not say their own (a tag like "en" or "pt-BR").
lang = "{Config().lang}"

# Postal address printed in email footers (anti-spam laws require one).
postal_address = ""

# A folder of your own templates that shadow the built-in ones file by file
# (email/…, social/…); `masthead init --templates` copies the built-in ones.
templates = ""

[brand]
# Shown in the email header.
name = "{brand.name}"
# Absolute http(s) URL of a logo image (shown at most logo_width px wide).
logo_url = "{brand.logo_url}"
# Shown at most this many pixels wide; the alt text defaults to the name.
logo_width = {brand.logo_width}
logo_alt = ""
# Accent colour for links, rules and buttons (default: the theme's).
accent = ""

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
# Your own unsubscribe and web-version pages, for esp = "generic" and for an
# ESP without a tag of its own (kit has no web version). With a web version,
# a "View in your browser" link goes above the header and in the footer.
unsubscribe_url = ""
web_version_url = ""
# Where the Key Takeaways box goes: "top" (a TL;DR under the dek) or "bottom"
# (where the article has it). Empty: the theme's choice (classic: bottom,
# digest: top). An article's front matter may say `takeaways: top` itself.
takeaways = ""

[feed]
# The feed's title (default: the brand name) and description.
title = ""
description = ""
# The address the RSS feed is published at, for its rel="self" link
# (default: site_url + "/" + the feed's file name, as in site_url/feed.xml).
url = ""
# Keep only this many newest items when adding to a feed; 0 keeps them all.
max_items = 0

[markdown]
# Emoji shortcodes in Markdown articles become emoji, as on GitHub (`:tada:`
# -> 🎉); never in code or URLs, and a name that is no emoji stays as written.
shortcodes = {str(Markdown().shortcodes).lower()}

[theme]
# classic (roomy, left header) or digest (compact, centred header).
name = "classic"
# Any colour of the theme can be overridden, light and dark; every text and
# background pair must keep WCAG AA contrast (4.5:1). For example:
# accent = "#b42318"
# text = "#1f2328"
# card = "#ffffff"
# page = "#f4f4f5"
# dark_accent = "#f97066"
# font = "Georgia, serif"
# header = "center"
# footer_text = "Written in Portsmouth."
# social = [{{ name = "Mastodon", url = "https://mastodon.social/@ledger" }}]

[labels]
# The fixed words around the content come in the article's language (en, de,
# fr, es, ja, ar); any of them can be replaced here, e.g.:
# read_online = "Read the full story"

[limits]
# Post length limits that override a platform's own, e.g. for a Mastodon
# instance that allows longer posts:
# mastodon = 1000

[smtp]
# The server `masthead email ARTICLE --send-test ADDRESS` sends through
# (--smtp HOST[:PORT] overrides host and port). The password is never read
# from this file: set the MASTHEAD_SMTP_PASSWORD environment variable.
host = "{smtp.host}"
# 0: the usual port for the security below (587, 465 or 25).
port = {smtp.port}
# starttls (upgrade to TLS), ssl (TLS from the start) or none (plain text:
# only to a server on this machine, and never with a username).
security = "{smtp.security}"
# The login name; empty: no login.
username = "{smtp.username}"

[bluesky]
# The account `masthead publish bluesky ARTICLE` posts as (--handle or
# MASTHEAD_BLUESKY_HANDLE override it), e.g. "you.bsky.social". The app
# password is never read from this file: set MASTHEAD_BLUESKY_PASSWORD.
handle = ""
# The server to post through (--service or MASTHEAD_BLUESKY_SERVICE override
# it); empty: https://bsky.social. https only; plain http only on this machine.
service = ""
"""


def config_fields() -> list[str]:
    return [f.name for f in fields(Config)]
