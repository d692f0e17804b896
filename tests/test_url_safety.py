"""URLs an article or the config gives (issue 22, items 1 and 4).

An article's `url` and image, and the config's URLs, must be absolute http(s):
anything else is an error naming the file and the line, before anything is
written. What is let through is a valid RFC 3986 URI (percent-encoded, the host
in IDNA), and the email, the threads and every feed carry the same one. The
URI grammar below is written from RFC 3986's ABNF and shares nothing with
generator.text.urls.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest
from conftest import SEED
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from twitter_text import parse_tweet
from twitter_text.extract_urls import extract_urls_with_indices

from generator.channels.email import build_email
from generator.channels.thread import build_thread
from generator.config import parse_config
from generator.errors import ConfigError, MastheadError, ReaderError
from generator.feedfile import Siblings, add_articles
from generator.readers import read_bytes

# --- RFC 3986, appendix A ---------------------------------------------------------------
_UNRESERVED = r"[A-Za-z0-9\-._~]"
_PCT_ENCODED = r"%[0-9A-Fa-f]{2}"
_SUB_DELIMS = r"[!$&'()*+,;=]"
_PCHAR = rf"(?:{_UNRESERVED}|{_PCT_ENCODED}|{_SUB_DELIMS}|[:@])"
_DEC_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])"
_IPV4 = rf"{_DEC_OCTET}\.{_DEC_OCTET}\.{_DEC_OCTET}\.{_DEC_OCTET}"
_IP_LITERAL = r"\[[0-9A-Fa-f:.]+\]"  # IPv6address, loosely: none is generated below
_REG_NAME = rf"(?:{_UNRESERVED}|{_PCT_ENCODED}|{_SUB_DELIMS})+"  # a host, so not empty
_HOST = rf"(?:{_IP_LITERAL}|{_IPV4}|{_REG_NAME})"
_USERINFO = rf"(?:{_UNRESERVED}|{_PCT_ENCODED}|{_SUB_DELIMS}|:)*"
_AUTHORITY = rf"(?:{_USERINFO}@)?{_HOST}(?::[0-9]*)?"
_PATH_ABEMPTY = rf"(?:/{_PCHAR}*)*"
_QUERY = rf"(?:{_PCHAR}|[/?])*"  # the fragment's grammar too
HTTP_URI = re.compile(rf"https?://{_AUTHORITY}{_PATH_ABEMPTY}(?:\?{_QUERY})?(?:#{_QUERY})?")

SITE = "https://news.example.com"
ATOM = "{http://www.w3.org/2005/Atom}"
MEDIA = "{http://search.yahoo.com/mrss/}"
NOW = dt.datetime(2026, 3, 3, 9, 0, tzinfo=dt.UTC)


def assert_uri(value: str) -> None:
    assert HTTP_URI.fullmatch(value), f"not a valid http(s) URI: {value!r}"


def article_md(front: dict[str, str], body: str = "The lead paragraph.\n") -> str:
    """Front matter written as JSON strings, which are valid YAML whatever they hold."""
    lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in front.items()]
    return "---\n" + "\n".join(lines) + "\n---\n\n" + body


def one_error_line(run) -> str:
    assert run.exit_code == 1, run.stdout[:300]
    assert "Traceback" not in run.stderr
    lines = [line for line in run.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, run.stderr
    return lines[0]


class _Attrs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.urls += [v for k, v in attrs if k in ("href", "src") and v]


def html_urls(html: str) -> list[str]:
    parser = _Attrs()
    parser.feed(html)
    return parser.urls


def feed_urls(rss: Path, atom: Path, jsonfeed: Path) -> dict[str, list[str]]:
    """Every URL each feed holds, by where it stands."""
    urls: dict[str, list[str]] = {"rss": [], "atom": [], "json": [], "item": [], "link": []}
    channel = ET.parse(rss).getroot().find("channel")
    urls["rss"].append(channel.findtext("link"))
    urls["rss"] += [e.get("href") for e in channel.iter(f"{ATOM}link")]
    for item in channel.iter("item"):
        urls["link"].append(item.findtext("link"))
        guid = item.find("guid")
        if guid.get("isPermaLink") == "true":
            urls["item"].append(guid.text)
        urls["item"] += [e.get("url") for e in item.iter(f"{MEDIA}content")]
    root = ET.parse(atom).getroot()
    urls["atom"] += [e.get("href") for e in root.iter(f"{ATOM}link")]
    urls["entry"] = [e.get("href") for e in root.find(f"{ATOM}entry").iter(f"{ATOM}link")]
    urls["atom"] += [e.text for e in root.iter(f"{ATOM}id") if e.text.startswith("http")]
    data = json.loads(jsonfeed.read_text(encoding="utf-8"))
    urls["json"] += [data[k] for k in ("home_page_url", "feed_url") if k in data]
    for item in data["items"]:
        urls["json"] += [item[k] for k in ("url", "image") if k in item]
        if item["id"].startswith("http"):
            urls["json"].append(item["id"])
    return {k: [u for u in v if u is not None] for k, v in urls.items()}


# --- item 1: only absolute http(s) ------------------------------------------------------

BAD_FRONT_MATTER = [
    ("canonical_url", "javascript:alert(1)"),
    ("url", " JaVaScRiPt:alert(1)"),
    ("canonical", "data:text/html,<script>alert(1)</script>"),
    ("url", "vbscript:msgbox(1)"),
    ("url", "ftp://example.com/post"),
    ("url", "example.com/post"),
    ("url", "/posts/hello/"),
    ("url", "https:example.com"),
    ("url", "https://news.example.com@evil.example/"),
    ("url", "https://exa mple.com/"),
    ("url", "https://a..b/"),
    ("url", "https://example.com:99999/"),
    ("url", "https://" + "x" * 64 + ".com/"),
    ("image", "javascript:alert(1)"),
    ("feature_image", "data:image/png;base64,AAAA"),
    ("cover_image", "file:///etc/passwd"),
]


@pytest.mark.parametrize(("key", "value"), BAD_FRONT_MATTER)
def test_a_front_matter_url_that_is_not_http_is_an_error_at_its_line(cli, tmp_path, key, value):
    (tmp_path / "masthead.toml").write_text(f'site_url = "{SITE}"\n', encoding="utf-8")
    path = tmp_path / "post.md"
    path.write_text(article_md({"title": "T", "dek": "D", key: value}), encoding="utf-8")
    line = one_error_line(cli("rss", path))
    assert line.startswith(f"error: {path}:4: front matter '{key}' ")
    assert "http(s)" in line


def test_a_hugo_cover_table_with_a_script_image_names_the_cover_line(cli, tmp_path):
    path = tmp_path / "post.md"
    path.write_text(
        "---\ntitle: T\ncover:\n  image: 'javascript:alert(1)'\n  alt: A\n---\n\nBody.\n",
        encoding="utf-8",
    )
    line = one_error_line(cli("inspect", path))
    assert line.startswith(f"error: {path}:3: front matter 'cover' uses 'javascript:'")


SCRIPT_URL = article_md({"title": "Hello", "canonical_url": "javascript:alert(1)"})
COMMANDS = {
    "rss": ["rss"],
    "email": ["email"],
    "email-text": ["email", "--text"],
    "email-eml": ["email", "--eml"],
    "inspect": ["inspect", "-f", "json"],
    "thread-x": ["thread", "-p", "x"],
    "thread-bluesky": ["thread", "-p", "bluesky"],
    "render": ["render"],
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_script_url_stops_every_command_before_it_writes(cli, tmp_path, command):
    (tmp_path / "masthead.toml").write_text(f'site_url = "{SITE}"\n', encoding="utf-8")
    path = tmp_path / "js.md"
    path.write_text(SCRIPT_URL, encoding="utf-8")
    out = tmp_path / "out"
    args = COMMANDS[command]
    run = cli(args[0], path, *args[1:], *(() if command == "inspect" else ("-o", out)))
    line = one_error_line(run)
    assert f"{path}:3: front matter 'canonical_url' uses 'javascript:'" in line
    assert "javascript" not in run.stdout
    if command == "render":  # the folder run goes on without it: no feed item
        assert not (out / "js").exists()
        assert (
            not (out / "feed.xml").exists() or b"javascript" not in (out / "feed.xml").read_bytes()
        )
    else:
        assert not out.exists()


def test_feed_add_refuses_a_script_url_and_keeps_the_feed(cli, tmp_path):
    (tmp_path / "masthead.toml").write_text(f'site_url = "{SITE}"\n', encoding="utf-8")
    feed, atom, jsonfeed = tmp_path / "feed.xml", tmp_path / "atom.xml", tmp_path / "feed.json"
    siblings = ("--atom", atom, "--json-feed", jsonfeed)
    assert cli("feed", "add", SEED, "--feed", feed, *siblings).exit_code == 0
    before = {p: p.read_bytes() for p in (feed, atom, jsonfeed)}
    path = tmp_path / "js.md"
    path.write_text(SCRIPT_URL, encoding="utf-8")
    line = one_error_line(cli("feed", "add", path, "--feed", feed, *siblings))
    assert f"{path}:3:" in line
    assert {p: p.read_bytes() for p in before} == before
    # A new feed is not started either.
    one_error_line(cli("feed", "add", path, "--feed", tmp_path / "new.xml"))
    assert not (tmp_path / "new.xml").exists()


def test_check_reports_a_script_url_as_an_error_with_its_line(cli, tmp_path):
    path = tmp_path / "js.md"
    path.write_text(SCRIPT_URL, encoding="utf-8")
    run = cli("check", path, "--format", "json")
    assert run.exit_code == 1 and "Traceback" not in run.stderr
    [finding] = [f for f in run.json()["findings"] if f["path"] == str(path)]
    assert (finding["severity"], finding["rule"], finding["line"]) == ("error", "unreadable", 3)
    assert "canonical_url" in finding["message"]


CONFIG_URL_KEYS = [
    ("", "site_url"),
    ("brand", "logo_url"),
    ("feed", "url"),
    ("email", "unsubscribe_url"),
    ("email", "web_version_url"),
]


def _toml(table: str, key: str, value: str) -> str:
    head = f'# a comment\nlang = "en"\n\n[{table}]\n' if table else "# a comment\n\n"
    return f"{head}{key} = {json.dumps(value, ensure_ascii=False)}\n"


@pytest.mark.parametrize(("table", "key"), CONFIG_URL_KEYS)
@pytest.mark.parametrize(
    "value",
    [
        "javascript:alert(1)",
        "ftp://example.com/",
        "example.com",
        "https://user:pw@example.com/",
        "https://exa mple.com/",
        "https://a..b/",
    ],
)
def test_a_config_url_that_is_not_http_is_an_error_at_its_line(table, key, value):
    with pytest.raises(ConfigError) as caught:
        parse_config(_toml(table, key, value), name="masthead.toml")
    dotted = f"{table}.{key}" if table else key
    assert str(caught.value).startswith(f"masthead.toml:{5 if table else 3}: '{dotted}' ")
    assert "http(s) URL" in str(caught.value)


def test_a_social_link_that_is_not_http_is_an_error():
    text = '[theme]\nsocial = [{ name = "M", url = "javascript:alert(1)" }]\n'
    with pytest.raises(ConfigError, match=r"masthead.toml:2: 'theme.social'"):
        parse_config(text, name="masthead.toml")


def test_a_bad_config_url_is_one_clear_error_in_the_cli(cli, tmp_path):
    (tmp_path / "masthead.toml").write_text(
        '[brand]\nlogo_url = "javascript:alert(1)"\n', encoding="utf-8"
    )
    line = one_error_line(cli("email", SEED, "-o", tmp_path / "e.html"))
    assert "masthead.toml:2: 'brand.logo_url' uses 'javascript:'" in line
    assert not (tmp_path / "e.html").exists()


# --- relative images -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("site", "front", "expected"),
    [
        (SITE, {}, f"{SITE}/t/images/cover.png"),
        (SITE + "/", {}, f"{SITE}/t/images/cover.png"),
        (
            "",
            {"url": "https://blog.example.org/2026/post.html"},
            "https://blog.example.org/2026/images/cover.png",
        ),
        (
            SITE,
            {"url": "https://blog.example.org/p/"},
            "https://blog.example.org/p/images/cover.png",
        ),
    ],
)
def test_a_relative_image_is_resolved_against_the_article_page(site, front, expected):
    text = article_md({"title": "T", **front, "image": "images/cover.png"})
    article = read_bytes(text.encode(), name="post.md", fmt="markdown", site_url=site)
    assert article.image == expected
    root = read_bytes(
        article_md({"title": "T", "image": "/img/c ö.png"}).encode(), fmt="markdown", site_url=SITE
    )
    assert root.image == f"{SITE}/img/c%20%C3%B6.png"


def test_a_relative_image_with_nothing_to_resolve_against_is_an_error(cli, tmp_path):
    path = tmp_path / "post.md"
    path.write_text(article_md({"title": "T", "image": "cover.png"}), encoding="utf-8")
    line = one_error_line(cli("rss", path))
    assert line.startswith(f"error: {path}:3: front matter 'image' is a relative address")
    assert "site_url" in line


def test_a_leading_body_image_is_the_feature_image_only_when_it_is_http(tmp_path):
    body = "![Cover](cover.png)\n\nThe lead.\n"
    kept = read_bytes(article_md({"title": "T"}, body).encode(), fmt="markdown")
    assert kept.image is None and kept.lead[0].src == "cover.png"  # body rules: left out
    resolved = read_bytes(article_md({"title": "T"}, body).encode(), fmt="markdown", site_url=SITE)
    assert resolved.image == f"{SITE}/t/cover.png" and resolved.image_alt == "Cover"
    script = "![Cover](javascript:alert(1))\n\nThe lead.\n"
    article = read_bytes(article_md({"title": "T"}, script).encode(), fmt="markdown", site_url=SITE)
    assert article.image is None


# --- item 4: one valid URI, the same everywhere -------------------------------------------

ODD_URL = 'HTTPS://Пример.РФ/путь/a b<c>"d{e}|f\\g^h`i?q=x y&z=%E2%82%AC#frag ment'
ODD_URL_AS_URI = (
    "https://xn--e1afmkfd.xn--p1ai/%D0%BF%D1%83%D1%82%D1%8C/a%20b%3Cc%3E%22d%7Be%7D%7Cf%5Cg%5Eh%60i"
    "?q=x%20y&z=%E2%82%AC#frag%20ment"
)


def test_the_rfc_grammar_here_tells_valid_uris_from_invalid_ones():
    # The oracle itself, so a lax regex cannot pass everything.
    for good in ("https://example.com", "http://a.b:80/p;x=1?q=/?#f?/", ODD_URL_AS_URI):
        assert_uri(good)
    for bad in (
        "https://ex ample.com/",
        "https://example.com/a b",
        "https://例.com/",
        "javascript:x",
        "https://example.com/%zz",
        "https://example.com/a#b#c",
        "https:///p",
        "https://e.com/{",
    ):
        assert not HTTP_URI.fullmatch(bad), bad


@pytest.mark.parametrize(
    ("written", "uri"),
    [
        (ODD_URL, ODD_URL_AS_URI),
        ("https://example.com/%E8%B7%AF/%zz/100%", "https://example.com/%E8%B7%AF/%25zz/100%25"),
        ("https://example.com/it's", "https://example.com/it%27s"),
        ("https://bücher.de/ß", "https://xn--bcher-kva.de/%C3%9F"),
        ("https://例子。测试/", "https://xn--fsqu00a.xn--0zwm56d/"),
        ("https://[2001:DB8::1]:8443/x", "https://[2001:db8::1]:8443/x"),
        ("https://example.com/a#b#c", "https://example.com/a#b%23c"),
        ("https://example.com/a.?q=1#", "https://example.com/a%2E?q=1"),
        ("http://example.com:/x", "http://example.com/x"),
        # Link detectors in posts drop trailing punctuation: the link ends on what they keep.
        (
            "https://en.wikipedia.org/wiki/Washington,_D.C.",
            "https://en.wikipedia.org/wiki/Washington,_D.C%2E",
        ),
        ("https://example.com/wiki/Foo_(bar)", "https://example.com/wiki/Foo_(bar)"),
        ("https://example.com/a?b=1&", "https://example.com/a?b=1"),
        ("https://example.com/?", "https://example.com/"),
        ("https://example.com/#top!", "https://example.com/#top%21"),
    ],
)
def test_front_matter_urls_become_valid_uris(written, uri):
    article = read_bytes(article_md({"title": "T", "url": written}).encode(), fmt="markdown")
    assert article.url == uri
    assert_uri(article.url)
    again = read_bytes(article_md({"title": "T", "url": uri}).encode(), fmt="markdown")
    assert again.url == uri  # never encoded twice


ODD_CONFIG = (
    f"site_url = {json.dumps(ODD_URL, ensure_ascii=False)}\n"
    '[brand]\nlogo_url = "https://cdn.example.com/logo ö.png"\n'
    '[feed]\nurl = "https://news.example.com/feeds/main feed.xml"\n'
    '[email]\nunsubscribe_url = "https://ünsub.example/?u=<id>"\n'
    'web_version_url = "https://news.example.com/web version"\n'
    '[theme]\nsocial = [{ name = "M", url = "https://mastodon.example/@ledger news" }]\n'
)


def test_config_urls_become_valid_uris():
    config = parse_config(ODD_CONFIG)
    assert config.site_url == ODD_URL_AS_URI
    assert config.brand.logo_url == "https://cdn.example.com/logo%20%C3%B6.png"
    assert config.feed.url == "https://news.example.com/feeds/main%20feed.xml"
    assert config.email.unsubscribe_url == "https://xn--nsub-zra.example/?u=%3Cid%3E"
    assert config.email.web_version_url == "https://news.example.com/web%20version"
    assert config.theme.social[0].url == "https://mastodon.example/@ledger%20news"


def _all_channels(tmp: Path, article_text: str, config_text: str) -> dict[str, object]:
    """Every channel's output for one Markdown article, through the library."""
    config = parse_config(config_text)
    article = read_bytes(
        article_text.encode(), name=str(tmp / "a.md"), fmt="markdown", site_url=config.site_url
    )
    rss, atom, jsonfeed = tmp / "feed.xml", tmp / "atom.xml", tmp / "feed.json"
    try:
        add_articles(rss, [article], config, now=NOW, siblings=Siblings(atom, jsonfeed))
        feeds = feed_urls(rss, atom, jsonfeed)
    except MastheadError:
        # Without site_url a feed may be refused for want of a channel link;
        # nothing else may stop it.
        if config.site_url:
            raise
        feeds = None
    email = build_email(article, config)
    threads = {p: build_thread(article, p, config) for p in ("x", "bluesky", "mastodon")}
    return {"article": article, "email": email, "threads": threads, "feeds": feeds}


def _assert_channels_agree(out: dict[str, object], link: str | None) -> None:
    """Every URL of every channel is a valid http(s) URI; `link`, the
    article's, is the one each channel gives (None: the article has none)."""
    feeds = out["feeds"]
    for urls in (feeds or {}).values():
        for url in urls:
            assert_uri(url)
    email = out["email"]
    for url in html_urls(email.html):
        if not url.startswith("mailto:"):
            assert_uri(url)
    for url in re.findall(r"https?://[^\s\]]+", email.text):
        assert_uri(url)
    for thread in out["threads"].values():
        for post in thread.posts:
            for url in re.findall(r"https?://\S+", post.text):
                assert_uri(url)
    for post in out["threads"]["x"].posts:  # counted as X counts it, as written
        assert post.length == parse_tweet(post.text).weightedLength
    if feeds is not None:
        assert feeds["link"] == ([link] if link else [])
        assert link is None or (link in feeds["json"] and link in feeds["entry"])
    if link is None:
        return
    assert link in html_urls(email.html)
    assert link in email.text
    for key, thread in out["threads"].items():
        assert any(link in post.text for post in thread.posts), key
    # X links it whole (and so counts it as one link of 23), and so does Bluesky.
    [post] = [p for p in out["threads"]["x"].posts if link in p.text]
    assert link in [u["url"] for u in extract_urls_with_indices(post.text)]
    uris = [
        feature["uri"]
        for post in out["threads"]["bluesky"].posts
        for facet in post.facets
        for feature in facet["features"]
        if "uri" in feature
    ]
    assert link in uris


def test_an_odd_url_is_the_same_valid_uri_in_every_channel(tmp_path):
    config = ODD_CONFIG
    body = "The lead, long enough to be a post of its own.\n\n## Why it matters\n\nIt does.\n"
    text = article_md({"title": "Odd", "url": ODD_URL, "image": "pics/a b.png"}, body)
    out = _all_channels(tmp_path, text, config)
    _assert_channels_agree(out, ODD_URL_AS_URI)
    assert (
        "https://xn--e1afmkfd.xn--p1ai/%D0%BF%D1%83%D1%82%D1%8C/pics/a%20b.png"
        in out["feeds"]["item"]
    )
    assert "https://cdn.example.com/logo%20%C3%B6.png" in html_urls(out["email"].html)
    assert "https://news.example.com/web%20version" in html_urls(out["email"].html)
    for name in ("feed.xml", "atom.xml"):
        assert feedparser.parse((tmp_path / name).read_bytes()).bozo == 0


def test_a_link_with_utm_parameters_stays_whole_in_posts(tmp_path):
    config = f'site_url = "{SITE}"\n[utm]\nenabled = true\ncampaign = "spring {{slug}} v1."\n'
    body = "The lead.\n\n## Why it matters\n\nIt does.\n"
    front = {"title": "Sale", "url": "https://Пример.РФ/a b?q=1"}
    out = _all_channels(tmp_path, article_md(front, body), config)
    [post] = [p for p in out["threads"]["x"].posts if "utm_campaign=" in p.text]
    [link] = [u["url"] for u in extract_urls_with_indices(post.text)]
    assert link == (
        "https://xn--e1afmkfd.xn--p1ai/a%20b?q=1&utm_source=x&utm_medium=social"
        "&utm_campaign=spring+sale+v1%2E"
    )
    assert_uri(link)
    email_links = {u for u in html_urls(out["email"].html) if "utm_campaign=" in u}
    assert email_links == {link.replace("=x&utm_medium=social", "=newsletter&utm_medium=email")}


def test_site_url_and_slug_make_a_valid_link_in_every_channel(tmp_path):
    config = 'site_url = "https://Пример.РФ/новости dir/"\n'
    text = article_md(
        {"title": "Plain", "image": "c.png"}, "The lead.\n\n## Why it matters\n\nIt does.\n"
    )
    out = _all_channels(tmp_path, text, config)
    link = "https://xn--e1afmkfd.xn--p1ai/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8%20dir/plain/"
    _assert_channels_agree(out, link)
    assert link + "c.png" in out["feeds"]["item"]


# --- hypothesis: generated front-matter URLs ------------------------------------------------

_GOOD_HOSTS = [
    "example.com",
    "News.Example.org",
    "bücher.de",
    "пример.рф",
    "例子.测试",
    "xn--bcher-kva.de",
    "sub.domain.example.co.uk",
    "example.com:8080",
]
_BAD_HOSTS = [
    "",
    "exa mple.com",
    "a..b",
    "user@example.com",
    "ex<am>ple.com",
    "[zz]",
    "example.com:port",
    "x" * 64 + ".com",
]
_BAD_SCHEMES = ["javascript", "JavaScript", "data", "ftp", "file", "mailto", "vbscript"]
_YAML_SAFE = st.characters(
    blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\ufeff\ufffe\uffff"
)
_ODD = st.sampled_from([*"<>\" {}|\\^`%#?[]'@:;=&+$,!*()~é€路😀", "%41", "%zz", "%E2%82%AC"])
_PART = st.lists(
    st.one_of(
        _ODD, st.text(_YAML_SAFE, max_size=4), st.text("abcxyz019-._~/", min_size=1, max_size=6)
    ),
    max_size=8,
).map("".join)


@st.composite
def front_matter_url(draw) -> tuple[str, str]:
    """A URL as an author might write it, and its kind: good, scheme, host
    (those two must be refused) or relative."""
    kind = draw(st.sampled_from(["good"] * 6 + ["scheme", "host", "relative"]))
    scheme = draw(st.sampled_from(["http", "https", "HTTPS"]))
    host = draw(st.sampled_from(_GOOD_HOSTS))
    if kind == "scheme":
        scheme = draw(st.sampled_from(_BAD_SCHEMES))
    elif kind == "host":
        host = draw(st.sampled_from(_BAD_HOSTS))
    path = draw(_PART)
    url = f"{scheme}://{host}/{path}"
    if kind == "relative":
        url = path.lstrip(":/ ") or "x"
        if re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", url):  # it would read as a scheme
            url = "x/" + url
    if draw(st.booleans()):
        url = f"{url}?{draw(_PART)}"
    if draw(st.booleans()):
        url = f"{url}#{draw(_PART)}"
    return url, kind


REACHED: Counter[str] = Counter()


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(
    url=st.one_of(st.none(), front_matter_url()),
    image=st.one_of(st.none(), front_matter_url()),
    key=st.sampled_from(["url", "canonical_url", "canonical"]),
    site=st.sampled_from(["", SITE, "https://例子.测试/blog dir/"]),
)
def _check_generated_urls(url, image, key, site):
    front = {"title": "Generated", "dek": "A dek."}
    if url is not None:
        front[key] = url[0]
    if image is not None:
        front["image"] = image[0]
    text = article_md(front, "The lead paragraph.\n\n## Why it matters\n\nIt does.\n")
    config = f"site_url = {json.dumps(site, ensure_ascii=False)}\n" if site else ""
    # What must be refused, worked out from how the URLs were made.
    refused_url = url is not None and url[1] != "good"
    has_page = (url is not None and url[1] == "good") or bool(site)
    refused_image = image is not None and (
        image[1] in ("scheme", "host") or (image[1] == "relative" and not has_page)
    )
    REACHED["examples"] += 1
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        try:
            out = _all_channels(tmp, text, config)
        except ReaderError as exc:
            assert exc.path == str(tmp / "a.md")
            assert exc.line is not None
            expected = key if refused_url else "image" if refused_image else None
            assert expected and exc.message.startswith(f"front matter '{expected}' "), exc
            event("refused")
            return
        assert not refused_url and not refused_image, (url, image)
        article = out["article"]
        link = article.url or (f"{site_uri(site)}generated/" if site else None)
        _assert_channels_agree(out, link)
        if image is not None:
            assert_uri(article.image)
            assert out["feeds"] is None or article.image in out["feeds"]["item"]
            assert article.image in html_urls(out["email"].html)
    REACHED["channels"] += 1
    event("reached the channels")


def site_uri(site: str) -> str:
    return {
        SITE: SITE + "/",
        "https://例子.测试/blog dir/": "https://xn--fsqu00a.xn--0zwm56d/blog%20dir/",
    }[site]


def test_generated_front_matter_urls_are_refused_or_valid_everywhere():
    """Either a ReaderError naming the file and the key's line, or every link
    in the RSS, Atom and JSON feeds, the email and the threads is a valid
    http(s) URI, the same one. Most examples must get as far as the channels."""
    REACHED.clear()
    _check_generated_urls()
    assert REACHED["examples"] >= 100
    assert REACHED["channels"] >= REACHED["examples"] * 0.5, REACHED
