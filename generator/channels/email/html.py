"""The HTML part: Jinja2 templates -> MJML -> HTML.

Blocks are rendered one partial per block type (`templates/email/blocks/`);
a section named like "Key Takeaways" is set in a tinted box. mjml-python
compiles the MJML (no node, no network).
"""

from __future__ import annotations

import functools
import re
import secrets
from typing import Any

import mjml
from jinja2 import Environment
from markupsafe import Markup

from generator.channels.email.parts import EmailParts, html_attr, html_rich, html_text
from generator.errors import MastheadError
from generator.model import (
    FAQ,
    Block,
    CodeBlock,
    Image,
    ListBlock,
    Paragraph,
    Quote,
    RichText,
    Section,
    Subheading,
    Table,
)
from generator.resources import render_template, template_environment, template_errors
from generator.text.headings import is_takeaways
from generator.text.urls import is_safe_href

_BODY_TAG = re.compile(r"<body\b[^>]*>")
# A quote longer than this many characters is set as body text beside its
# rule: large italics read well for a line or three, not for a dozen on a phone.
LONG_QUOTE = 200
# Enough &zwnj;&nbsp; pairs that no client pulls body text into the preview.
_PREHEADER_SPACER = "&zwnj;&nbsp;" * 90


def render_html(parts: EmailParts) -> str:
    with template_errors():
        try:
            return _render_html(parts)
        except _InvalidMJML as exc:
            override = parts.config.templates_path()
            if override is None:
                raise  # our own templates: a bug, reported as one
            raise MastheadError(
                f"the email templates here do not make valid MJML ({exc}); "
                "check the tags in the templates you changed",
                str(override),
            ) from None


def _environment(parts: EmailParts):  # type: ignore[no-untyped-def]
    return template_environment("email", autoescape=True, override=parts.config.templates_path())


def _render_html(parts: EmailParts, *, reuse_compiled: bool = True) -> str:
    env = _environment(parts)
    article = parts.article
    reuse = reuse_compiled and parts.config.templates_path() is None
    blocks = _body(parts, reuse=reuse)
    image = article.image if article.image and _safe_image(article.image) else None
    # What differs from article to article, escaped for where it goes.
    fields: dict[str, Markup | None] = {
        # html_attr, quotes included: MJML copies the title into an aria-label.
        "subject": html_attr(parts.subject_raw),
        "title": html_text(article.title),
        "byline": html_text(parts.byline_text) if parts.byline_text else None,
        "dek": html_text(article.dek) if article.dek else None,
        "image_src": html_attr(image) if image else None,
        "image_alt": html_attr(article.image_alt or "") if image else None,
        "body": Markup(_as_compiled("".join(blocks))) if blocks else None,
        "link": html_attr(parts.link) if parts.link else None,
        "link_text": html_text(parts.link_shown) if parts.link_shown else None,
    }
    template = env.get_template("base.mjml.j2")

    def compiled_whole() -> str:
        return _finish(_compile(render_template(template, _context(parts, fields))), parts)

    if not reuse:
        # A user's own templates are compiled as they are, article by article.
        return compiled_whole()
    # The MJML compile is the costliest step of an email, and it depends on
    # the article's text only where the text sits: compiled once with a
    # placeholder in each place, the result takes each article's (already
    # escaped) text. Placeholders are letters and digits, which MJML passes
    # through untouched in text and attributes alike; the tests compare the
    # two ways over every sample and hostile article.
    slots = {
        name: Markup(f"mh{_NONCE}s{i}z") for i, (name, value) in enumerate(fields.items()) if value
    }
    skeleton, found, in_tags = _skeleton(
        render_template(template, _context(parts, {**fields, **slots}))
    )
    values = {str(slots[name]): str(fields[name]) for name in slots}
    text_only = {str(slots[name]) for name in slots if name not in _ATTRIBUTE_SAFE}
    if not found.issuperset(values) or not in_tags.isdisjoint(text_only):
        # A placeholder MJML did not keep, or text escaped for a text node
        # that MJML put inside a tag, where its quotes would not be escaped.
        return compiled_whole()
    return _finish(_SLOT.sub(lambda m: values[m.group(0)], skeleton), parts)


# Placeholders carry a random part, new in each process and never written
# out, so no article or config text can spell one and have another text
# put in its place (in an attribute, say).
_NONCE = secrets.token_hex(6)
# Fields escaped with html_attr, safe in an attribute as in text.
_ATTRIBUTE_SAFE = frozenset({"subject", "image_src", "image_alt", "link"})


_SLOT = re.compile(rf"mh{_NONCE}s\d+z")
# A placeholder on a line of its own stands for block tags, around which
# MJML would have dropped the line breaks.
_BLOCK_SLOT = re.compile(rf">\n\s*(mh{_NONCE}s\d+z)\n\s*<")
# MJML drops text that is only white space starting with a line break, as
# between two tags on separate lines: the body goes into its placeholder the
# way MJML would have left it.
_BREAK_LED_SPACE = re.compile(r">\n\s*(?=<)")


def _as_compiled(html: str) -> str:
    html = _BREAK_LED_SPACE.sub(">", html)
    end = html.rstrip()
    if end != html and end.endswith(">") and html[len(end)] == "\n":
        html = end
    start = html.lstrip()
    if start != html and start.startswith("<") and html[0] == "\n":
        html = start
    return html


@functools.lru_cache(maxsize=32)
def _skeleton(source: str) -> tuple[str, frozenset[str], frozenset[str]]:
    """The compiled layout with placeholders, the placeholders in it, and
    those of them inside a tag (in an attribute)."""
    compiled = _BLOCK_SLOT.sub(r">\1<", _compile(source))
    in_tags = frozenset(
        m.group()
        for m in _SLOT.finditer(compiled)
        if compiled.rfind("<", 0, m.start()) > compiled.rfind(">", 0, m.start())
    )
    return compiled, frozenset(_SLOT.findall(compiled)), in_tags


class _InvalidMJML(Exception):
    """The templates rendered into MJML that mjml-python cannot read."""


def _compile(source: str) -> str:
    # fonts={}: no web-font links; the design uses the system font stack.
    # MJML's output is left as it is: a minifier saved about 1 KB of 20 and
    # cost as much time as the compile.
    try:
        return mjml.mjml2html(source, disable_comments=True, fonts={})
    except ValueError as exc:  # mjml-python's word for MJML it cannot read
        raise _InvalidMJML(str(exc)) from None


def _context(parts: EmailParts, fields: dict[str, Markup | None]) -> dict[str, Any]:
    config = parts.config
    t = parts.theme
    footer = parts.footer
    image = None
    if fields["image_src"] is not None:
        image = {"src": fields["image_src"], "alt": fields["image_alt"]}
    return {
        "t": t,
        "lang": html_attr(parts.lang),
        "dir": parts.dir,
        "subject": fields["subject"],
        "title": fields["title"],
        "byline": fields["byline"],
        "dek": fields["dek"],
        "image": image,
        "brand": {
            "name": html_text(config.brand.name) if config.brand.name else "",
            "logo_url": html_attr(config.brand.logo_url) if config.brand.logo_url else "",
            "logo_alt": html_attr(config.brand.logo_alt or config.brand.name),
            "logo_width": min(config.brand.logo_width, 552),
        },
        "body": [fields["body"]] if fields["body"] is not None else [],
        "link": fields["link"],
        "link_text": fields["link_text"],
        "labels": {k: html_text(v) for k, v in parts.labels.items()},
        "sender": footer.sender,
        "address": footer.address,
        "why": footer.why,
        "links": footer.links,
        "web_version": footer.web_version,
        "footer_text": html_text(config.theme.footer_text) if config.theme.footer_text else None,
        "social": [
            {"name": html_text(s.name), "url": html_attr(s.url)} for s in config.theme.social
        ],
        "align": t["header"] if parts.dir == "ltr" or t["header"] == "center" else "right",
    }


# --- block stencils --------------------------------------------------------------
# A block template only places its values: rendered once per shape (which
# values are present, how many items) with a placeholder for each piece of
# text, it serves every block of that shape; the article's escaped text goes
# into the placeholders. The tests compare this with rendering each block.

_STENCIL_SLOT = re.compile(rf"mh{_NONCE}b(\d+)z")
_Stencil = tuple[str, bool]  # the rendered template, whether every slot is in it once
_STENCILS: dict[tuple[Any, ...], _Stencil] = {}


def _stencilled(
    layout: tuple[Any, ...],
    name: str,
    values: dict[str, Any],
    env: Environment,
    t: dict[str, Any],
    start: str,
) -> Markup:
    fills: list[str] = []
    shape: list[Any] = []
    slotted = {key: _slot(value, fills, shape) for key, value in values.items()}
    key = (layout, name, tuple(values), tuple(shape))
    stencil = _STENCILS.get(key)
    if stencil is None:
        text = _render_block(env, name, t, start, slotted)
        found = sorted(int(i) for i in _STENCIL_SLOT.findall(text))
        stencil = (text, found == list(range(len(fills))))
        if len(_STENCILS) > 512:
            _STENCILS.clear()
        _STENCILS[key] = stencil
    text, whole = stencil
    if not whole:  # a placeholder repeated or dropped: render the block itself
        return Markup(_render_block(env, name, t, start, values))
    return Markup(_STENCIL_SLOT.sub(lambda m: fills[int(m.group(1))], text))


def _render_block(
    env: Environment, name: str, t: dict[str, Any], start: str, values: dict[str, Any]
) -> str:
    template = env.get_template(f"blocks/{name}.html.j2")
    return render_template(template, {"t": t, "start": start, **values})


def _slot(value: Any, fills: list[str], shape: list[Any]) -> Any:
    """`value` with each piece of escaped text a placeholder; `shape` gets
    what the template may test or loop over."""
    if isinstance(value, Markup):
        if not value:  # empty once escaped (a template may test it): part of the shape
            shape.append(None)
            return value
        fills.append(str(value))
        shape.append("")
        return Markup(f"mh{_NONCE}b{len(fills) - 1}z")
    if isinstance(value, list):
        shape.append(len(value))
        return [_slot(v, fills, shape) for v in value]
    if isinstance(value, dict):
        shape.append(tuple(value))
        return {k: _slot(v, fills, shape) for k, v in value.items()}
    shape.append(value)  # None, a tag name: part of the shape
    return value


def _finish(html: str, parts: EmailParts) -> str:
    return _insert_preheader(html, parts.preheader_text)


def _insert_preheader(html: str, preheader: str) -> str:
    """The hidden preheader goes first in <body>, where inbox previews look."""
    if not preheader:
        return html
    div = (
        '<div style="display:none;font-size:1px;line-height:1px;max-height:0;max-width:0;'
        'opacity:0;overflow:hidden;mso-hide:all;">'
        f"{html_text(preheader)}{_PREHEADER_SPACER}</div>"
    )
    match = _BODY_TAG.search(html)
    if not match:
        return html
    return html[: match.end()] + div + html[match.end() :]


def _safe_image(src: str) -> bool:
    return is_safe_href(src) and not src.lower().startswith("mailto:")


def _body(parts: EmailParts, *, reuse: bool) -> list[Markup]:
    env = _environment(parts)
    t = parts.theme
    start = "right" if parts.dir == "rtl" else "left"
    # The environment itself, not its id: a preview that reloads templates
    # makes a new one, which must not find the old one's stencils.
    layout = (env, tuple(sorted(t.items())), start)

    def rich(text: RichText) -> Markup:
        return html_rich(text, t)

    def render(name: str, **values: Any) -> Markup:
        if reuse:
            return _stencilled(layout, name, values, env, t, start)
        return Markup(_render_block(env, name, t, start, values))

    def inner(blocks: tuple[Block, ...], nested: str) -> list[Markup]:
        """Blocks under a list item or in a quote, each rendered as it sits there."""
        return [m for m in (block(b, nested=nested) for b in blocks) if m is not None]

    def list_block(b: ListBlock, nested: str | None) -> Markup:
        items = [
            rich(item) + Markup("").join(inner(b.body(n), "item"))
            for n, item in enumerate(b.items)
        ]
        first = b.start if b.ordered and b.start != 1 else None
        tag = "ol" if b.ordered else "ul"
        return render("list", tag=tag, items=items, nested=nested, first=first)

    def quote(b: Quote, nested: str | None) -> Markup:
        blocks = inner(b.blocks, "quote")
        html = render(
            "quote",
            text=rich(b.text),
            attribution=rich(b.attribution) if b.attribution else None,
            blocks=blocks,
            nested=nested,
            long=len(b.text.plain_text) > LONG_QUOTE,
        )
        if any(m not in html for m in blocks):
            # A copy of the template made before quotes held blocks does not
            # place them: they follow the quote rather than being lost.
            html += Markup("").join(blocks)
        return html

    def block(b: Block, level: int = 3, nested: str | None = None) -> Markup | None:
        """`nested`: "item" under a list item, "quote" in a quote, else None."""
        match b:
            case Paragraph(text=text):
                return render("paragraph", text=rich(text), nested=nested)
            case Subheading(text=text):
                # Under the title, before any section heading, it is the next level down.
                return render("subheading", text=rich(text), level=level)
            case ListBlock():
                return list_block(b, nested)
            case Quote():
                return quote(b, nested)
            case FAQ(items=items):
                return render(
                    "faq",
                    items=[
                        {
                            "question": rich(i.question),
                            "answer": [rich(a) for a in i.answer],
                        }
                        for i in items
                    ],
                )
            case CodeBlock(text=text, language=language):
                return render(
                    "code",
                    text=html_text(text),
                    language=html_attr(language) if language else None,
                    nested=nested,
                )
            case Table(header=header, rows=rows):
                return render(
                    "table",
                    header=[rich(c) for c in header],
                    rows=[[rich(c) for c in row] for row in rows],
                    nested=nested,
                )
            case Image(src=src, alt=alt):
                if not _safe_image(src):
                    return None
                return render("image", src=html_attr(src), alt=html_attr(alt), nested=nested)
        raise TypeError(f"unknown block {b!r}")

    def section(s: Section, top: bool = False) -> list[Markup]:
        """`top`: a takeaways box set first, under the dek."""
        rendered = [m for m in (block(b) for b in s.blocks) if m is not None]
        if is_takeaways(s.heading):
            return [render("box", heading=html_text(s.heading), blocks=rendered, top=top)]
        return [render("heading", text=html_text(s.heading)), *rendered]

    first, rest = parts.sections
    out = [m for s in first for m in section(s, top=True)]
    out += [m for m in (block(b, 2) for b in parts.article.lead) if m is not None]
    for s in rest:
        out.extend(section(s))
    return out
