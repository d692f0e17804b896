"""Article text as HTML: escaped, with only the model's inline structure as markup.

Every character of article text is escaped; the only tags produced are the
ones the model's inline nodes stand for (`em`, `strong`, `code`, `a`), and a
link keeps its `href` only for http, https and mailto. Anything else (a
`javascript:` link, say) is rendered as its text.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from markupsafe import Markup, escape

from generator.model import Code, Emphasis, Inline, Link, RichText, Strong, Text
from generator.text.sanitize import (
    balanced_bidi,
    balanced_bidi_rich,
    without_bidi_controls,
    xml_safe,
)
from generator.text.urls import is_safe_href

TextFilter = Callable[[str], str]


def text_html(text: str, neutralize: TextFilter | None = None) -> Markup:
    """Plain text escaped for an HTML text node (`&`, `<`, `>`; quotes need no
    escaping there, and leaving them keeps the HTML small), its bidi
    controls balanced as body text's are (see `sanitize`). `neutralize`
    runs on the escaped text (it may turn delimiters into entities, e.g. for
    ESP merge tags)."""
    return _text_html(balanced_bidi(text), neutralize)


def _text_html(text: str, neutralize: TextFilter | None) -> Markup:
    escaped = html.escape(xml_safe(text), quote=False)
    return Markup(neutralize(escaped) if neutralize else escaped)


def attr_html(text: str, neutralize: TextFilter | None = None) -> Markup:
    """Plain text escaped for a double-quoted HTML attribute value, without
    bidi controls (an alt text or a label is a title, not body text)."""
    return _attr_html(without_bidi_controls(text), neutralize)


def _attr_html(text: str, neutralize: TextFilter | None) -> Markup:
    escaped = str(escape(xml_safe(text)))
    return Markup(neutralize(escaped) if neutralize else escaped)


def inline_html(
    text: RichText,
    *,
    neutralize: TextFilter | None = None,
    attrs: dict[str, str] | None = None,
) -> Markup:
    """Rich text as HTML, one block's: its bidi controls balanced over the
    whole (see `sanitize`). `attrs` maps a tag (`a`, `code`, `em`, `strong`)
    to trusted attribute markup added to it, such as an email's inline styles."""
    nodes = balanced_bidi_rich(text).nodes
    return Markup("".join(_node(n, neutralize, attrs or {}) for n in nodes))


def _node(node: Inline, neutralize: TextFilter | None, attrs: dict[str, str]) -> str:
    def tag(name: str, inner: str) -> str:
        extra = f" {attrs[name]}" if name in attrs else ""
        return f"<{name}{extra}>{inner}</{name}>"

    def children(nodes: tuple[Inline, ...]) -> str:
        return "".join(_node(c, neutralize, attrs) for c in nodes)

    match node:
        case Text(text=text):
            if "\n" in text:  # a hard line break, which HTML would fold into a space
                return "<br />".join(_text_html(line, neutralize) for line in text.split("\n"))
            return _text_html(text, neutralize)
        case Code(text=text):
            return tag("code", _text_html(text, neutralize))
        case Emphasis(children=nodes):
            return tag("em", children(nodes))
        case Strong(children=nodes):
            return tag("strong", children(nodes))
        case Link(href=href, children=nodes):
            inner = children(nodes)
            href = xml_safe(href.strip())
            if not is_safe_href(href) or any(c.isspace() for c in href):
                return inner
            extra = f" {attrs['a']}" if "a" in attrs else ""
            return f'<a href="{_attr_html(href, neutralize)}"{extra}>{inner}</a>'
    raise TypeError(f"unknown inline node {node!r}")
