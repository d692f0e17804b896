"""Finding URLs in running text, and the one rule for the URLs Masthead emits.

Every URL an article or the config gives for a place of its own (the article's
address, its image, the site, the logo, the feed, the unsubscribe page) passes
`http_url` where it is read: it must be an absolute http(s) URL, and it comes
out as a valid RFC 3986 URI (characters a URI may not hold percent-encoded as
UTF-8, the host in IDNA), so every channel writes the same, valid link.
Links inside the article text are not held to it: channels show an unsafe one
as its text (`is_safe_href`).
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Iterator
from urllib.parse import quote, urljoin

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


class UrlError(ValueError):
    """A URL that cannot be an absolute http(s) URI; `str()` says why and what to write."""


_EXAMPLE = "it must be an absolute http(s) URL, like 'https://example.com/page'"
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
# RFC 3986 `pchar` but "'": autolinkers (Bluesky's among them) end a URL at
# a quote, so it goes out as %27, as browsers send it in a query.
_PCHAR = frozenset(_ALNUM + "-._~" + "!$&()*+,;=" + ":@")
_PATH = _PCHAR | {"/"}
_QUERY = _PCHAR | {"/", "?"}  # the fragment's too
_HEX = frozenset("0123456789ABCDEFabcdef")
_HOST_LABEL = re.compile(r"[a-z0-9_-]+")
_PORT = re.compile(r"[0-9]{1,5}")


def http_url(value: str) -> str:
    """`value` as a valid absolute http(s) URI, or `UrlError`.

    Scheme and host are lower-cased and the host IDNA-encoded; in the path,
    query and fragment every character a URI may not hold is percent-encoded
    as UTF-8, while `%XX` escapes already there are kept as written (never
    encoded twice). A user name or password before the host is refused: in a
    public link it only serves to disguise the host (`https://bank.com@evil.com`).
    Applying it to its own result changes nothing.
    """
    text = value.strip()
    match = _SCHEME.match(text)
    if not match:
        raise UrlError(f"is not absolute (no 'https://'); {_EXAMPLE}")
    scheme = match.group(1).lower()
    if scheme not in ("http", "https"):
        raise UrlError(f"uses '{scheme}:'; {_EXAMPLE}")
    rest = text[match.end() :]
    if not rest.startswith("//"):
        raise UrlError(f"has no host after '{scheme}:'; {_EXAMPLE}")
    rest = rest[2:]
    end = min((i for i in map(rest.find, "/?#") if i >= 0), default=len(rest))
    authority, rest = rest[:end], rest[end:]
    rest, _, fragment = rest.partition("#")
    path, _, query = rest.partition("?")
    path, query, fragment = (
        _escaped(path, _PATH),
        _escaped(query, _QUERY),
        _escaped(fragment, _QUERY),
    )
    return f"{scheme}://{_authority(authority)}{_linkable(path, query.rstrip('&'), fragment)}"


# Posts are read by link detectors, X's and Bluesky's, which end a link
# before what looks like sentence punctuation ("…/D.C." is linked as
# "…/D.C"), at a parenthesis that does not close, and (X) at a "#" straight
# after the host. The characters they keep at the end of a path, and of a
# query (where X reads the fragment as part of the query):
_PATH_END = re.compile(r"(?:[A-Za-z0-9=_/+-]|\([^()]+\))\Z")
_QUERY_END = re.compile(r"[A-Za-z0-9=_/-]\Z")
_PAIRED = re.compile(r"(?:[^()]|\([^()]+\))*")  # parentheses in pairs, none nested


def _linkable(path: str, query: str, fragment: str) -> str:
    """Path, query and fragment written so that a post's link detector takes
    the whole link, meaning the same to a server: an empty "?" or "#" goes
    (as does a query's trailing "&", an empty parameter), unpaired
    parentheses of a path are escaped, and so is any other last character
    they would leave out ("." as %2E)."""
    path = _paired(path) or ("/" if query or fragment else "")  # the same, for http
    if query or not fragment:  # X ends a path before a query, too
        path = _end(path, _PATH_END)
    if query and not fragment:
        query = _end(query, _QUERY_END, plus="%20")  # a query's "+" is a space
    if fragment:  # X reads it as more of the query, or else of the path
        fragment = _end(fragment, _QUERY_END) if query else _end(_paired(fragment), _PATH_END)
    return path + (f"?{query}" if query else "") + (f"#{fragment}" if fragment else "")


def _paired(part: str) -> str:
    if ("(" in part or ")" in part) and not _PAIRED.fullmatch(part):
        return part.replace("(", "%28").replace(")", "%29")
    return part


def _end(part: str, allowed: re.Pattern[str], plus: str = "%2B") -> str:
    if not part or allowed.search(part):
        return part
    if part.endswith("+"):
        return part[:-1] + plus
    return f"{part[:-1]}%{ord(part[-1]):02X}"  # escaped parts end in ASCII


def _authority(authority: str) -> str:
    if "@" in authority:
        raise UrlError(
            "has a user name or password before the host (user@host), which in a "
            f"public link only disguises the host; {_EXAMPLE}"
        )
    if authority.startswith("["):  # an IPv6 address
        address, bracket, port = authority[1:].partition("]")
        try:
            host = f"[{ipaddress.IPv6Address(address).compressed}]"
        except ValueError:
            raise UrlError(f"has an invalid IPv6 address as its host; {_EXAMPLE}") from None
        if not bracket or (port and not port.startswith(":")):
            raise UrlError(f"has an invalid IPv6 address as its host; {_EXAMPLE}")
        port = port[1:]
    else:
        host, _, port = authority.partition(":")
        host = _ascii_host(host)
    if port and not (_PORT.fullmatch(port) and int(port) <= 65535):
        raise UrlError(f"has a port that is not a number from 0 to 65535; {_EXAMPLE}")
    return f"{host}:{port}" if port else host


# A run's links share a few hosts (the site's): each is encoded once.
@functools.lru_cache(maxsize=64)
def _ascii_host(host: str) -> str:
    if not host:
        raise UrlError(f"has no host; {_EXAMPLE}")
    try:
        # The standard library's IDNA (2003) also maps full-width dots and
        # case, and refuses empty or over-long labels.
        ascii_host = host.lower().encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        reason = str(exc.__cause__ or exc).rpartition(": ")[2] or "not a host name"
        raise UrlError(f"has a host that cannot be a domain name ({reason}); {_EXAMPLE}") from None
    labels = ascii_host.removesuffix(".").split(".")
    if not all(_HOST_LABEL.fullmatch(label) for label in labels):
        raise UrlError(
            "has a host that is not a domain name (only letters, digits, '-' and dots); " + _EXAMPLE
        )
    return ascii_host


def _escaped(part: str, allowed: frozenset[str]) -> str:
    """`part` with every character outside `allowed` percent-encoded, but for
    the `%` of a valid `%XX` escape."""
    if allowed.issuperset(part):
        return part
    out: list[str] = []
    for index, char in enumerate(part):
        if char in allowed or (
            char == "%"
            and part[index + 1 : index + 2] in _HEX
            and part[index + 2 : index + 3] in _HEX
        ):
            out.append(char)
        else:
            # A lone surrogate (from a YAML escape) is still written as bytes, not lost.
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogatepass"))
    return "".join(out)


def resolve_http_url(value: str, base: str | None) -> str:
    """`value` as `http_url` gives it; a relative reference (no scheme, such as
    `cover.png` or `/images/cover.png`) is first resolved against `base` (a URI
    from `http_url`), as a browser on that page would. No base: `UrlError`."""
    text = value.strip()
    if _SCHEME.match(text):
        return http_url(text)
    if text.startswith("//") and base:  # another host, the page's scheme
        return http_url(f"{base.partition(':')[0]}:{text}")
    if not base:
        raise UrlError(
            "is a relative address and there is nothing to resolve it against (no url, "
            f"no site_url); {_EXAMPLE}, or set site_url in masthead.toml"
        )
    # Escaped first, so urljoin sees only URI characters; `?` and `#` keep their roles.
    reference, hash_, fragment = text.partition("#")
    path, question, query = reference.partition("?")
    escaped = f"{_escaped(path, _PATH)}{question}{_escaped(query, _QUERY)}"
    return http_url(urljoin(base, escaped + hash_ + _escaped(fragment, _QUERY)))


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
    """The article's link (an `http_url`) with UTM parameters, itself an
    `http_url`: a campaign name ending in "." must not end the link in a post."""
    return http_url(
        add_query(url, {"utm_source": source, "utm_medium": medium, "utm_campaign": campaign})
    )
