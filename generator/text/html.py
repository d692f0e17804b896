"""Article text as HTML: escaped, with only the model's inline structure as markup.

Every character of article text is escaped; the only tags produced are the
ones the model's inline nodes stand for (`em`, `strong`, `code`, `a`), and a
link keeps its `href` only for http, https and mailto. Anything else (a
`javascript:` link, say) is rendered as its text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

from markupsafe import Markup

from generator.model import Code, Emphasis, Inline, Link, RichText, Strong, Text
from generator.text.sanitize import (
    EMBEDDINGS,
    ISOLATES,
    POP_ISOLATE,
    balanced_bidi,
    balanced_bidi_rich,
    without_bidi_controls,
    xml_safe,
)
from generator.text.urls import is_safe_href

TextFilter = Callable[[str], str]

# `Markup(text)` for a str that is HTML already: the same Markup, made as
# str makes a subclass's instance, without Markup.__new__'s Python-level
# checks for an `__html__` method and an encoding (a str has neither), at
# a third of the cost. An email makes one for every block and text.
as_markup: Callable[[str], Markup] = partial(str.__new__, Markup)

# What escaping a text node changes (`&`, `<`, `>`), what `xml_safe` drops
# (C0 controls but tab, LF and CR; U+FFFE, U+FFFF; surrogates) and the bidi
# controls body text has balanced: text with none of them goes out as it is,
# which most text nodes do, so one search spares the escape and the balancing.
# The tests check this class against XML's Char production, character by
# character.
_BIDI = "".join(sorted(EMBEDDINGS | ISOLATES | {POP_ISOLATE}))
_WORK = f"&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff{_BIDI}"
_NEEDS_WORK = re.compile(f"[{_WORK}]")
_BIDI_CONTROL = re.compile(f"[{_BIDI}]")


class Neutralizer:
    """A `neutralize` filter that names the characters it may change in
    escaped text (`changes`: what goes inside a regex character class).
    Text that holds none of them, and nothing to escape, is then not passed
    to it: one search tells both, where most text nodes would otherwise
    take two searches and a call."""

    __slots__ = ("_apply", "changes", "work")

    def __init__(self, apply: TextFilter, changes: str) -> None:
        self._apply = apply
        self.changes = changes
        self.work = re.compile(f"[{_WORK}{changes}]")

    def __call__(self, text: str) -> str:
        return self._apply(text)


def _work(neutralize: TextFilter | None) -> re.Pattern[str] | None:
    """The search for what `_text_html` would change, when it can be known."""
    if neutralize is None:
        return _NEEDS_WORK
    return neutralize.work if isinstance(neutralize, Neutralizer) else None


def text_html(text: str, neutralize: TextFilter | None = None) -> Markup:
    """Plain text escaped for an HTML text node (`&`, `<`, `>`; quotes need no
    escaping there, and leaving them keeps the HTML small), its bidi
    controls balanced as body text's are (see `sanitize`). `neutralize`
    runs on the escaped text (it may turn delimiters into entities, e.g. for
    ESP merge tags)."""
    work = _work(neutralize)
    if work is not None and work.search(text) is None:
        return as_markup(text)
    return as_markup(_text_html(balanced_bidi(text), neutralize))


def _text_html(text: str, neutralize: TextFilter | None) -> str:
    if _NEEDS_WORK.search(text) is not None:
        text = escape_text(xml_safe(text))
    return neutralize(text) if neutralize else text


def escape_text(text: str) -> str:
    """`html.escape(text, quote=False)`: `&`, `<` and `>` as entities. Not
    the stdlib's, because importing `html` loads its table of 2,231 named
    entities (for unescaping, which Masthead never does in a render)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def attr_html(text: str, neutralize: TextFilter | None = None) -> Markup:
    """Plain text escaped for a double-quoted HTML attribute value, without
    bidi controls (an alt text or a label is a title, not body text)."""
    return as_markup(_attr_html(without_bidi_controls(text), neutralize))


def _attr_html(text: str, neutralize: TextFilter | None) -> str:
    if _ATTRIBUTE_WORK.search(text) is not None:
        text = escape_attribute(xml_safe(text))
    return neutralize(text) if neutralize else text


# What escaping an attribute value changes, and what xml_safe drops: most
# values (a URL, an alt text) hold none.
_ATTRIBUTE_WORK = re.compile("[&<>\"'\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def escape_attribute(text: str) -> str:
    """MarkupSafe's `escape` (`&`, `<`, `>`, `'`, `"` as references) as a
    str: its Markup costs a Python-level __new__ for every value."""
    return (
        text.replace("&", "&amp;")
        .replace(">", "&gt;")
        .replace("<", "&lt;")
        .replace("'", "&#39;")
        .replace('"', "&#34;")
    )


_NO_ATTRS: dict[str, str] = {}


def inline_html(
    text: RichText,
    *,
    neutralize: TextFilter | None = None,
    attrs: dict[str, str] | None = None,
) -> Markup:
    """Rich text as HTML, one block's: its bidi controls balanced over the
    whole (see `sanitize`). `attrs` maps a tag (`a`, `code`, `em`, `strong`)
    to trusted attribute markup added to it, such as an email's inline styles."""
    out: list[str] = []
    work = _work(neutralize)
    if not _inline(text.nodes, out, neutralize, work, attrs or _NO_ATTRS, False):
        # A bidi control in it: balanced over the whole text first. (Text
        # without one is what balancing would give back unchanged.)
        out.clear()
        _inline(balanced_bidi_rich(text).nodes, out, neutralize, work, attrs or _NO_ATTRS, True)
    # Built as plain strings, each text node escaped once: only the whole is Markup.
    return as_markup("".join(out))


def _inline(
    nodes: tuple[Inline, ...],
    out: list[str],
    neutralize: TextFilter | None,
    work: re.Pattern[str] | None,
    attrs: dict[str, str],
    balanced: bool,
) -> bool:
    """`nodes` as HTML appended to `out`; False (and `out` unfinished) when
    a text holds a bidi control and `balanced` is not set. `work`: see _work."""
    for node in nodes:
        kind = type(node)
        if kind is Text or kind is Code:
            value = node.text  # type: ignore[union-attr]
            # Nothing to escape, drop, balance or neutralize: as it is.
            plain = work is not None and work.search(value) is None
            if not plain and not balanced and _BIDI_CONTROL.search(value) is not None:
                return False
            if kind is Code:
                out.append(_open("code", attrs))
                out.append(value if plain else _text_html(value, neutralize))
                out.append("</code>")
            elif "\n" in value:  # a hard line break, which HTML would fold into a space
                lines = value.split("\n")
                out.append("<br />".join(_text_html(line, neutralize) for line in lines))
            else:
                out.append(value if plain else _text_html(value, neutralize))
        elif kind is Emphasis or kind is Strong:
            name = "em" if kind is Emphasis else "strong"
            out.append(_open(name, attrs))
            children = node.children  # type: ignore[union-attr]
            if not _inline(children, out, neutralize, work, attrs, balanced):
                return False
            out.append(f"</{name}>")
        elif kind is Link:
            if not _link(node, out, neutralize, work, attrs, balanced):  # type: ignore[arg-type]
                return False
        else:
            raise TypeError(f"unknown inline node {node!r}")
    return True


def _open(name: str, attrs: dict[str, str]) -> str:
    return f"<{name} {attrs[name]}>" if name in attrs else f"<{name}>"


def _link(
    node: Link,
    out: list[str],
    neutralize: TextFilter | None,
    work: re.Pattern[str] | None,
    attrs: dict[str, str],
    balanced: bool,
) -> bool:
    inner: list[str] = []
    if not _inline(node.children, inner, neutralize, work, attrs, balanced):
        return False
    href = xml_safe(node.href.strip())
    if not is_safe_href(href) or any(c.isspace() for c in href):
        out.extend(inner)
        return True
    extra = f" {attrs['a']}" if "a" in attrs else ""
    out.append(f'<a href="{_attr_html(href, neutralize)}"{extra}>')
    out.extend(inner)
    out.append("</a>")
    return True
