"""What an email says, decided once for both the HTML and the plain-text part.

Every string taken from the article is escaped and neutralized here (see
`mergetags`), so templates only place what they are given.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from markupsafe import Markup

from generator.channels.email.mergetags import neutralize_html, neutralize_text
from generator.config import Config, campaign_name
from generator.esp import ESP, get_esp
from generator.language import direction, format_date, join_names, labels_for
from generator.model import Article, RichText, Section
from generator.text.headings import TAKEAWAYS_PLACES, is_takeaways
from generator.text.html import attr_html, inline_html, text_html
from generator.text.sanitize import without_bidi_controls
from generator.text.urls import article_link, is_safe_href, utm_link


@dataclass(frozen=True, slots=True)
class Footer:
    sender: Markup | None
    address: Markup | None
    why: Markup
    links: tuple[Markup, ...]
    # The web-version link alone, also set above the email ("View in your
    # browser"): the ESP's own merge tag, else [email] web_version_url.
    web_version: Markup | None
    unsubscribe_text: str | None
    web_version_text: str | None
    address_text: str | None
    sender_text: str | None


@dataclass(frozen=True, slots=True, eq=False)
class PerConfig:
    """What email_parts takes from the config alone (with the email service,
    theme and language), made once rather than once per article: a folder
    render asks for the same one every time. Shared, and only read."""

    esp: ESP
    labels: dict[str, str]
    theme: dict[str, Any]
    footer: Footer
    rich_attrs: dict[str, str]  # the rich text's tags' inline styles (html_rich)
    # What the renderers make of the above alone (the HTML layout's context,
    # say), by name: made once with it.
    memo: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EmailParts:
    article: Article
    config: Config
    esp: ESP
    subject_text: str  # plain, neutralized
    subject_raw: str  # as written, for the HTML <title> (escaped there)
    preheader_text: str  # plain, neutralized
    link: str | None  # the article link, with UTM when on
    link_shown: str | None  # the article link as readers see it written: no UTM
    byline_text: str | None
    footer: Footer
    labels: dict[str, str]
    theme: dict[str, Any]
    takeaways_first: bool  # the Key Takeaways box as a TL;DR under the dek
    shared: PerConfig  # where esp, labels, theme and footer come from

    @property
    def lang(self) -> str:
        return self.article.lang

    @property
    def sections(self) -> tuple[tuple[Section, ...], tuple[Section, ...]]:
        """The sections that go first, before the lead (the takeaways, when
        they go under the dek), and the rest in the article's order."""
        sections = self.article.sections
        if not self.takeaways_first:
            return (), sections
        first = tuple(s for s in sections if takeaways_heading(s.heading))
        return first, tuple(s for s in sections if not takeaways_heading(s.heading))

    @property
    def dir(self) -> str:
        return direction(self.article.lang)


def html_text(text: str) -> Markup:
    """Plain article text for HTML: escaped and neutralized."""
    return text_html(text, neutralize_html)


def html_attr(text: str) -> Markup:
    return attr_html(text, neutralize_html)


def html_rich(text: RichText, attrs: dict[str, str]) -> Markup:
    """Article rich text for the email: escaped, neutralized, inline-styled
    (`attrs`: `rich_attrs` of the theme)."""
    return inline_html(text, neutralize=neutralize_html, attrs=attrs)


def rich_attrs(theme: dict[str, Any]) -> dict[str, str]:
    """The inline styles of rich text's links and code in the email."""
    return {
        "a": f'style="color:{theme["accent"]};text-decoration:underline;"',
        "code": 'class="mh-code" style="font-family:SFMono-Regular,Consolas,Menlo,'
        f"monospace;font-size:0.88em;background-color:{theme['code']};"
        'padding:1px 4px;border-radius:4px;"',
    }


def byline(article: Article, labels: dict[str, str]) -> str | None:
    """ "Author · 3 March 2026 · 5 min read", only the parts that exist."""
    parts = []
    if author := join_names(article.authors, labels):
        parts.append(author)
    if article.date:
        day = article.date.date() if isinstance(article.date, dt.datetime) else article.date
        parts.append(_long_date(day, article.lang))
    if article.reading_minutes:
        # No-break spaces keep "5 min read" on one line.
        parts.append(labels["min_read"].format(n=article.reading_minutes).replace(" ", "\u00a0"))
    # The separator is glued to the part after it: a byline that wraps never
    # leaves a "·" dangling at the end of a line.
    return " ·\u00a0".join(parts) or None


@lru_cache(maxsize=256)
def _long_date(day: dt.date, lang: str) -> str:
    # Babel's formatting, the costliest part of a byline, once per day and
    # language: the articles of a folder share their dates. Keyed by the
    # day, not a datetime: two equal datetimes in different zones may fall
    # on different days.
    return format_date(day, lang)


@lru_cache(maxsize=1024)
def takeaways_heading(heading: str) -> bool:
    """`is_takeaways`, remembered: the email asks it of each heading two or
    three times, and the articles of a folder share their headings."""
    return is_takeaways(heading)


def email_parts(
    article: Article,
    config: Config,
    *,
    esp: str | None = None,
    subject: str | None = None,
    theme: str | None = None,
) -> EmailParts:
    esp_key = esp or config.email.esp
    shared = _per_config(config, esp_key, theme, article.lang)
    labels, palette = shared.labels, shared.theme
    link = shown = article_link(article.url, config.site_url, article.slug)
    if link and config.utm.enabled:
        link = utm_link(
            link,
            source="newsletter",
            medium="email",
            campaign=campaign_name(config, article.slug),
        )
    if link and not is_safe_href(link):
        link = shown = None
    # Shown in an inbox's list beside other mail: no bidi control (see sanitize).
    subject_raw = " ".join(
        without_bidi_controls(subject or article.subject or article.title).split()
    )
    preheader = without_bidi_controls(article.preheader or article.dek or "")
    return EmailParts(
        article=article,
        config=config,
        esp=shared.esp,
        subject_text=neutralize_text(subject_raw),
        subject_raw=subject_raw,
        preheader_text=neutralize_text(" ".join(preheader.split())),
        link=link,
        link_shown=shown,
        byline_text=byline(article, labels),
        footer=shared.footer,
        labels=labels,
        theme=palette,
        takeaways_first=takeaways_place(article, config, palette) == "top",
        shared=shared,
    )


_PER_CONFIG: dict[tuple[Config, str, str | None, str], PerConfig] = {}


# The last one asked for, by the config's identity: a folder render asks
# with the same Config object every time, and hashing a Config (every
# field, nested) cost more than the rest of the lookup.
_LAST: list[Any] = [None, None]


def _per_config(config: Config, esp: str, theme: str | None, lang: str) -> PerConfig:
    last_key, last = _LAST
    if (
        last_key is not None
        and last_key[0] is config
        and last_key[1:] == (esp, theme, lang)
    ):
        return last  # type: ignore[no-any-return]
    key = (config, esp, theme, lang)
    found = _PER_CONFIG.get(key)
    if found is None:
        provider = get_esp(esp)
        labels = labels_for(lang, dict(config.labels))
        palette = config.resolved_theme(theme)
        footer = _footer(config, provider, labels, palette)
        found = PerConfig(provider, labels, palette, footer, rich_attrs(palette))
        if len(_PER_CONFIG) > 64:
            _PER_CONFIG.clear()
        _PER_CONFIG[key] = found
    _LAST[:] = [key, found]
    return found


def takeaways_place(article: Article, config: Config, theme: dict[str, Any]) -> str:
    """"top" or "bottom": the article's front matter (`takeaways:`, checked
    by the reader), else `[email] takeaways`, else the theme's own."""
    chosen = article.extra.get("takeaways")
    if chosen in TAKEAWAYS_PLACES:
        return str(chosen)
    return config.email.takeaways or str(theme.get("takeaways", "bottom"))


def _footer(config: Config, esp: ESP, labels: dict[str, str], theme: dict[str, Any]) -> Footer:
    sender = config.sender.name or config.brand.name or None
    why = (
        # No-break spaces keep the brand's name on one line.
        labels["why_brand"].format(brand=config.brand.name.replace(" ", "\u00a0"))
        if config.brand.name
        else labels["why"]
    )
    links: dict[str, Markup] = {}
    texts: dict[str, str | None] = {"unsubscribe": None, "web_version": None}
    style = f' style="color:{theme["muted"]};text-decoration:underline;"'
    for kind in ("unsubscribe", "web_version"):
        html_template = getattr(esp, kind)
        text_template = getattr(esp, f"{kind}_text")
        if esp.key == "generic" or not html_template:
            # The ESP has no tag for it (Kit has no web version): the
            # config's own page, placed as the generic preset places it.
            url = getattr(config.email, f"{kind}_url")
            if not url:
                continue
            generic = get_esp("generic")
            html_template = getattr(generic, kind).replace(f"{{{kind}_url}}", str(html_attr(url)))
            text_template = getattr(generic, f"{kind}_text").replace(f"{{{kind}_url}}", url)
        # ESP tags are our own trusted markup; only the label is escaped.
        label = str(html_text(labels[kind]))
        links[kind] = Markup(html_template.replace("{attrs}", style).replace("{label}", label))
        texts[kind] = text_template
    address_markup: Markup | None = None
    address_text: str | None = None
    if config.postal_address:
        address_markup = html_text(config.postal_address)
        address_text = neutralize_text(config.postal_address)
    elif esp.address:
        address_markup = Markup(esp.address)
        address_text = esp.address
    return Footer(
        sender=html_text(sender) if sender else None,
        address=address_markup,
        why=html_text(why),
        links=tuple(links.values()),
        web_version=links.get("web_version"),
        unsubscribe_text=texts["unsubscribe"],
        web_version_text=texts["web_version"],
        address_text=address_text,
        sender_text=sender,
    )
