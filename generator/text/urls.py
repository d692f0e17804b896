"""Finding URLs in running text and building the links Masthead emits."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote

# A bare URL runs to the next white space or angle bracket; sentence punctuation
# right after it belongs to the sentence, not the URL.
_BARE_URL = re.compile(r"\bhttps?://[^\s<>\"]+", re.IGNORECASE)
_TRAILING = ".,;:!?'\"’”»…"
_SAFE_SCHEMES = ("http", "https", "mailto")


def find_urls(text: str) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of every bare http(s) URL in `text`."""
    for match in _BARE_URL.finditer(text):
        start, end = match.span()
        end = start + len(_trim(text[start:end]))
        if end - start > len("https://"):
            yield start, end


def _trim(url: str) -> str:
    while url:
        last = url[-1]
        if last in _TRAILING or (last == ")" and url.count("(") < url.count(")")):
            url = url[:-1]
        else:
            break
    return url


def is_safe_href(href: str) -> bool:
    """True when a link may be made live: http, https or mailto only."""
    scheme, sep, _ = href.strip().partition(":")
    return bool(sep) and scheme.lower() in _SAFE_SCHEMES


def join_site_url(site_url: str, slug: str) -> str:
    """`site_url` + slug, with exactly one slash between them and a trailing slash."""
    return f"{site_url.rstrip('/')}/{quote(slug)}/"


def article_link(url: str | None, site_url: str, slug: str) -> str | None:
    """The article's public link: its own URL, else the site URL + slug, else none."""
    if url:
        return url
    if site_url:
        return join_site_url(site_url, slug)
    return None


# URL characters but for the query, fragment and IPv6 delimiters: a URL
# urlsplit and urlunsplit would give back as it is.
_PLAIN_URL = re.compile(r"[\w\-.~:/!$&'()*+,;=%@]+", re.ASCII)


def add_query(url: str, params: dict[str, str]) -> str:
    """`url` with `params` merged into its query string (replacing keys it
    already has), keeping any fragment after the query where it belongs."""
    if (
        params
        and url.startswith(("https://", "http://"))
        and url.partition("://")[2][:1] not in ("", "/")  # a host, which urlsplit keeps
        and _PLAIN_URL.fullmatch(url)
    ):
        # Nothing to merge with or keep after (most links): the query goes on
        # the end. Every link of every post and email passes here.
        return f"{url}?{_encoded(params)}"
    return _merged_query(url, params)


# What urlencode never escapes: such keys and values go in as they are.
_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*")


def _encoded(params: dict[str, str]) -> str:
    if all(_UNRESERVED.fullmatch(k) and _UNRESERVED.fullmatch(v) for k, v in params.items()):
        return "&".join(f"{k}={v}" for k, v in params.items())
    from urllib.parse import urlencode

    return urlencode(params)


def _merged_query(url: str, params: dict[str, str]) -> str:
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query += list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def utm_link(url: str, *, source: str, medium: str, campaign: str) -> str:
    return add_query(url, {"utm_source": source, "utm_medium": medium, "utm_campaign": campaign})
