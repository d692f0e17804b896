"""Checking HTML with a real parser: what elements, attributes and text it
holds, and whether it parses without a single error."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import html5lib

# The hostile samples that are valid articles (the rest must be refused).
VALID_HOSTILE = [
    "markup.txt",
    "markup.md",
    "links.md",
    "controls.txt",
    "long.txt",
    "cjk_rtl.md",
    "bidi.md",
    "empty_section.txt",
    "bom_crlf.txt",
    "cr_only.txt",
    "utf16le_bom.txt",
    "utf16be_bom.md",
    "line_separators.txt",
    "anchors.md",
    "reserved_slug.md",
    "odd_url.md",
]
INVALID_HOSTILE = [
    "title_only.txt",
    "latin1.txt",
    "binary.txt",
    "utf16_no_bom.txt",
    "alias_bomb.md",
    "alias_recursive.md",
    "date_year_zero.md",
    "date_overflow.md",
    "byline_date_overflow.txt",
    "js_url.md",
]

# What our templates and MJML may produce; anything else came from an article.
ALLOWED_TAGS = {
    "html",
    "head",
    "title",
    "meta",
    "style",
    "body",
    "div",
    "table",
    "tbody",
    "thead",
    "tr",
    "td",
    "th",
    "p",
    "h1",
    "h2",
    "h3",
    "ul",
    "ol",
    "li",
    "a",
    "img",
    "strong",
    "em",
    "code",
    "pre",
    "span",
    "br",
}
# What the RSS content:encoded fragment may hold.
FEED_TAGS = {
    "div",
    "p",
    "h2",
    "h3",
    "ul",
    "ol",
    "li",
    "blockquote",
    "footer",
    "dl",
    "dt",
    "dd",
    "pre",
    "code",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "figure",
    "img",
    "a",
    "em",
    "strong",
}
ALLOWED_ATTRS = {
    "style",
    "class",
    "href",
    "src",
    "alt",
    "width",
    "height",
    "align",
    "border",
    "cellpadding",
    "cellspacing",
    "role",
    "lang",
    "dir",
    "scope",
    "content",
    "name",
    "http-equiv",
    "xmlns",
    "xmlns:v",
    "xmlns:o",
    "data-language",
    "start",  # a numbered list's first number (<ol start="3">)
    "type",
    "media",
    "valign",
    "bgcolor",
    "target",
    "rel",
    "charset",
    "aria-label",
    "aria-roledescription",
    "vertical-align",
}


class Page(HTMLParser):
    """Elements, attributes and visible text of an HTML document."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self._skip = 0
        self.feed(html)
        self.close()

    BLOCKS = frozenset(
        ["p", "li", "h1", "h2", "h3", "td", "th", "div", "br", "pre", "table", "tr", "ul", "ol"]
    )

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        if tag in ("style", "title"):
            self._skip += 1
        if tag in self.BLOCKS:
            self.text.append(" ")

    def handle_endtag(self, tag):
        if tag in ("style", "title"):
            self._skip -= 1
        if tag in self.BLOCKS:
            self.text.append(" ")

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)

    @property
    def visible(self) -> str:
        return " ".join("".join(self.text).split())

    def all(self, tag: str) -> list[dict[str, str]]:
        return [attrs for t, attrs in self.tags if t == tag]


def parse_errors(html: str, *, fragment: bool = False) -> list[str]:
    """The parse errors of `html` by the WHATWG HTML parsing algorithm
    (html5lib), each as 'line:column code {details}'. The standard library's
    HTMLParser never reports one, so it cannot tell broken HTML from good.

    No error is allowed: MJML's Outlook conditional comments
    (`<!--[if mso | IE]>…<![endif]-->`) are plain comments to an HTML5 parser
    and raise none, so no code needs an exception for email practice."""
    # strict=False collects every error (strict=True stops at the first).
    parser = html5lib.HTMLParser(strict=False)
    if fragment:
        parser.parseFragment(html)
    else:
        parser.parse(html)
    return [f"{line}:{column} {code} {details}" for (line, column), code, details in parser.errors]


def assert_valid_html(html: str, *, fragment: bool = False) -> None:
    """`html` is a document (or, with `fragment`, a fragment such as a feed
    item's content) that parses without errors."""
    errors = parse_errors(html, fragment=fragment)
    assert not errors, "HTML parse errors:\n" + "\n".join(errors[:20])


_ARIA_LABEL = re.compile(r' aria-label="([^"]*)"')


def assert_same_email(reused: str, whole: str, subject: str) -> None:
    """The email from the reused compiled layout is the one a compile of the
    whole article gives. Only the aria-label MJML copies from the title may
    differ: MJML writes it with Rust's debug escapes (a backslash doubled,
    U+202E as `\\u{202e}`), where the reused layout keeps the title as it is
    in <title>."""
    labels = _ARIA_LABEL.findall(reused)
    assert labels == [subject], labels
    assert _ARIA_LABEL.sub("", reused) == _ARIA_LABEL.sub("", whole)
