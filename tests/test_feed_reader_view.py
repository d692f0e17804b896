"""Feeds as a reader shows them: the article is the content (not the image's
alt text), the article image is in the HTML of every feed, and a channel
is named after the site, never "Articles" or an article."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest
from conftest import ARTICLES
from test_feed_safety import FEEDVALIDATOR, FEEDVALIDATOR_PYTHON, FOREIGN, _validator_report

SAMPLE = ARTICLES / "newsletter-stack-2026.md"
IMAGE = "https://blog.example.com/images/newsletter-stack.png"
ALT = "A laptop showing a newsletter draft next to a cup of coffee"
SITE = 'site_url = "https://news.example.com"\n'


def _parse(path: Path):
    parsed = feedparser.parse(path.read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


def _images(html_text: str) -> list[dict[str, str | None]]:
    """Every <img> in `html_text` and whether it sits in a <figure>."""
    found: list[dict[str, str | None]] = []
    open_tags: list[str] = []

    class Images(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "img":
                found.append({**dict(attrs), "in_figure": "figure" in open_tags})
            else:
                open_tags.append(tag)

        def handle_startendtag(self, tag, attrs):
            self.handle_starttag(tag, attrs)

        def handle_endtag(self, tag):
            if tag in open_tags:
                del open_tags[len(open_tags) - 1 - open_tags[::-1].index(tag) :]

    Images(convert_charrefs=True).feed(html_text)
    return found


def _render(cli, tmp_path: Path, *articles: Path, config: str = SITE) -> Path:
    (tmp_path / "masthead.toml").write_text(config, encoding="utf-8")
    out = tmp_path / "out"
    run = cli("render", *articles, "-o", out, "-q")
    assert run.exit_code == 0, run.stderr
    return out


# --- content[0] is the article; the image is in its HTML -----------------------------


def test_parsers_take_the_article_html_as_the_content_not_the_image_alt(cli, tmp_path):
    """feedparser's content[0] is what readers built on it show as the
    article: the body's HTML, in RSS and in Atom alike."""
    out = _render(cli, tmp_path, SAMPLE)
    for name in ("feed.xml", "atom.xml"):
        entry = _parse(out / name).entries[0]
        first = entry.content[0]
        assert first.type == "text/html", name
        assert first.value != ALT, name
        assert "<strong>three tools</strong>" in first.value, name
        assert "<h2>What Was Broken</h2>" in first.value, name
        assert all(c.value != ALT for c in entry.content), name
        # The dek is still the summary a list shows.
        assert entry.summary.startswith("One Markdown file, one command"), name


def test_the_article_image_is_in_every_feed(cli, tmp_path):
    """A <figure> with the image and its alt opens the item's HTML in RSS,
    Atom and JSON Feed; Atom carries it as Media RSS too (as RSS does), and
    JSON Feed as `image`."""
    out = _render(cli, tmp_path, SAMPLE)
    contents = {}
    for name in ("feed.xml", "atom.xml"):
        entry = _parse(out / name).entries[0]
        contents[name] = entry.content[0].value
        assert entry.media_content == [{"url": IMAGE, "medium": "image"}], name
    item = json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"][0]
    assert item["image"] == IMAGE
    contents["feed.json"] = item["content_html"]
    for name, content in contents.items():
        first = _images(content)[0]
        assert (first["src"], first["alt"], first["in_figure"]) == (IMAGE, ALT, True), name
        assert content.startswith("<figure>"), name
        # Once: the body's other image is its own figure, the feature image no second time.
        assert [i["src"] for i in _images(content)].count(IMAGE) == 1, name


def test_an_image_the_body_opens_with_is_not_shown_twice(cli, tmp_path):
    article = tmp_path / "post.md"
    article.write_text(
        "---\ntitle: Pictures\nimage: https://img.example.com/a.png\nimage_alt: A\n---\n\n"
        "![A](https://img.example.com/a.png)\n\nText after the picture.\n\n"
        "![Not http](ftp://img.example.com/b.png)\n",
        encoding="utf-8",
    )
    out = _render(cli, tmp_path, article)
    for name in ("feed.xml", "atom.xml"):
        content = _parse(out / name).entries[0].content[0].value
        assert [i["src"] for i in _images(content)] == ["https://img.example.com/a.png"], name


def test_an_article_without_an_image_has_no_figure(cli, tmp_path):
    out = _render(cli, tmp_path, ARTICLES / "the-great-ai-divorce.txt")
    entry = _parse(out / "atom.xml").entries[0]
    assert _images(entry.content[0].value) == []
    assert "media_content" not in entry


@pytest.mark.skipif(
    not (FEEDVALIDATOR and FEEDVALIDATOR_PYTHON),
    reason="the W3C feed validator is not installed (see tests/test_feed_safety.py)",
)
def test_the_w3c_validator_accepts_feeds_with_the_image(cli, tmp_path):
    out = _render(cli, tmp_path, SAMPLE, ARTICLES / "the-great-ai-divorce.txt")
    for name in ("feed.xml", "atom.xml"):
        assert _validator_report(out / name, f"https://news.example.com/{name}") == "", name


# --- the channel's title --------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "title", "link"),
    [
        # Only where the feed is published: the channel is named after that host.
        (
            '[feed]\nurl = "https://feeds.example.org/news/feed.xml"\n',
            "feeds.example.org",
            "https://feeds.example.org/news/",
        ),
        (SITE, "news.example.com", "https://news.example.com"),
        ('[brand]\nname = "The Ledger"\n' + "[feed]\nurl = \"https://x.example/feed.xml\"\n",
         "The Ledger", "https://x.example/"),
        (SITE + '[feed]\ntitle = "Ledger Weekly"\n', "Ledger Weekly", "https://news.example.com"),
    ],
)
def test_the_channel_is_named_after_the_feed_the_brand_or_the_site(
    cli, tmp_path, config, title, link
):
    """Never "Articles", and never an article's link or title: the sample's
    own URL is on blog.example.com, which no channel field may borrow."""
    out = _render(cli, tmp_path, SAMPLE, config=config)
    for name in ("feed.xml", "atom.xml"):
        feed = _parse(out / name).feed
        assert feed.title == title, name
        assert feed.link == link, name
    rss = _parse(out / "feed.xml").feed
    assert rss.subtitle == f"Articles from {title}"
    assert "blog.example.com" not in json.dumps(
        {k: v for k, v in rss.items() if k != "links"} | {"links": rss.links}
    )
    assert json.loads((out / "feed.json").read_text(encoding="utf-8"))["title"] == title


def test_a_feed_without_a_title_gets_its_hosts_name_in_atom(cli, tmp_path):
    """Another tool's feed with a link but an empty title, added to with no
    config at all: the Atom copy is named after the channel's link."""
    feed = tmp_path / "feed.xml"
    feed.write_text(
        FOREIGN.format(declared="utf-8", title="x").replace(
            "<title>Other Feed</title>", "<title></title>"
        ),
        encoding="utf-8",
    )
    run = cli("feed", "add", SAMPLE, "--feed", feed, "--atom", tmp_path / "atom.xml")
    assert run.exit_code == 0, run.stderr
    atom = _parse(tmp_path / "atom.xml").feed
    assert atom.title == "other.example"
    assert atom.link == "https://other.example/"
