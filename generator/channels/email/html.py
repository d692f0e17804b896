"""The HTML part: Jinja2 templates -> MJML -> HTML.

Blocks are rendered one partial per block type (`templates/email/blocks/`);
a section named like "Key Takeaways" is set in a tinted box. mjml-python
compiles the MJML (no node, no network).

What is compiled from the built-in templates and the config alone (the
layout, and each block template per shape) is kept in the user's cache
folder (see `resources`), so a new process renders an email it has seen the
layout of without Jinja2 compiling a template or MJML compiling the layout.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import re
import secrets
import sys
import time
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from generator.channels.email.parts import (
    EmailParts,
    html_attr,
    html_rich,
    html_text,
    takeaways_heading,
)
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
from generator.resources import (
    code_stamp,
    read_cache,
    render_template,
    template_environment,
    template_errors,
    templates_digest,
    write_cache,
)
from generator.text.html import as_markup
from generator.text.urls import is_safe_href

if TYPE_CHECKING:
    from jinja2 import Environment

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


def _environment(parts: EmailParts) -> Environment:
    return template_environment("email", autoescape=True, override=parts.config.templates_path())


def _render_html(parts: EmailParts, *, reuse_compiled: bool = True) -> str:
    article = parts.article
    reuse = reuse_compiled and parts.config.templates_path() is None
    store = _store(parts.theme) if reuse else None
    blocks = _body(parts, store)
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
        "body": as_markup(_as_compiled("".join(blocks))) if blocks else None,
        "link": html_attr(parts.link) if parts.link else None,
        "link_text": html_text(parts.link_shown) if parts.link_shown else None,
    }
    if store is None:
        # A user's own templates are compiled as they are, article by article.
        return _compiled_whole(parts, fields)
    # The MJML compile is the costliest step of an email, and it depends on
    # the article's text only where the text sits: compiled once with a
    # placeholder in each place, the result takes each article's (already
    # escaped) text. Placeholders are letters and digits, which MJML passes
    # through untouched in text and attributes alike; the tests compare the
    # two ways over every sample and hostile article.
    skeleton = store.skeleton(parts, fields)
    store.save()
    if skeleton is None:
        # A placeholder MJML did not keep, or text escaped for a text node
        # that MJML put inside a tag, where its quotes would not be escaped.
        return _compiled_whole(parts, fields)
    pieces, names = skeleton
    out = [pieces[0]]
    for name, piece in zip(names, pieces[1:], strict=True):
        out.append(fields[name])  # type: ignore[arg-type]
        out.append(piece)
    preheader = parts.preheader_text
    if preheader and (at := _body_tag_at(pieces, names)) is not None:
        # Put in the piece that holds the <body> tag, not searched for and
        # spliced into the whole email.
        number, end = at
        piece = pieces[number]
        out[2 * number] = piece[:end] + _preheader_div(preheader) + piece[end:]
        return "".join(out)
    return _finish("".join(out), parts)


def _compiled_whole(parts: EmailParts, fields: dict[str, Markup | None]) -> str:
    template = _environment(parts).get_template("base.mjml.j2")
    return _finish(_compile(render_template(template, _context(parts, fields))), parts)


# Placeholders carry a random part, new in each process and never written
# out, so no article or config text can spell one and have another text
# put in its place (in an attribute, say). What is cached keeps only where
# each placeholder was (the text between them), never the random part.
_NONCE = secrets.token_hex(6)
# Fields escaped with html_attr, safe in an attribute as in text.
_ATTRIBUTE_SAFE = frozenset({"subject", "image_src", "image_alt", "link"})


_SLOT = re.compile(rf"mh{_NONCE}s\d+z")
_SLOT_NUMBER = re.compile(rf"mh{_NONCE}s(\d+)z")
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


@lru_cache(maxsize=32)
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


def _made_skeleton(
    parts: EmailParts, fields: dict[str, Markup | None]
) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The layout compiled with a placeholder for each field there is: the
    text around the placeholders and the field each stands for; None when
    the fields cannot be put in afterwards (see _render_html)."""
    names = list(fields)
    slots = {name: Markup(f"mh{_NONCE}s{i}z") for i, name in enumerate(names) if fields[name]}
    template = _environment(parts).get_template("base.mjml.j2")
    compiled, found, in_tags = _skeleton(
        render_template(template, _context(parts, {**fields, **slots}))
    )
    text_only = {str(slots[name]) for name in slots if name not in _ATTRIBUTE_SAFE}
    if not found.issuperset(map(str, slots.values())) or not in_tags.isdisjoint(text_only):
        return None
    split = _SLOT_NUMBER.split(compiled)
    return tuple(split[::2]), tuple(names[int(n)] for n in split[1::2])


class _InvalidMJML(Exception):
    """The templates rendered into MJML that mjml-python cannot read."""


def _compile(source: str) -> str:
    # fonts={}: no web-font links; the design uses the system font stack.
    # MJML's output is left as it is: a minifier saved about 1 KB of 20 and
    # cost as much time as the compile.
    import mjml

    try:
        return mjml.mjml2html(source, disable_comments=True, fonts={})
    except ValueError as exc:  # mjml-python's word for MJML it cannot read
        raise _InvalidMJML(str(exc)) from None


def _context(parts: EmailParts, fields: dict[str, Markup | None]) -> dict[str, Any]:
    image = None
    if fields["image_src"] is not None:
        image = {"src": fields["image_src"], "alt": fields["image_alt"]}
    return {
        **_static_context(parts),
        "subject": fields["subject"],
        "title": fields["title"],
        "byline": fields["byline"],
        "dek": fields["dek"],
        "image": image,
        "body": [fields["body"]] if fields["body"] is not None else [],
        "link": fields["link"],
        "link_text": fields["link_text"],
    }


def _static_context(parts: EmailParts) -> dict[str, Any]:
    return _static(parts)[0]


def _static(parts: EmailParts) -> tuple[dict[str, Any], str]:
    """What the base template gets besides the article's fields, and a hash
    of it (see _Store.skeleton): made from the config, language, theme and
    email service alone, so kept with them (`parts.shared`)."""
    found: tuple[dict[str, Any], str] | None = parts.shared.memo.get("static")
    if found is not None:
        return found
    config = parts.config
    t = parts.theme
    footer = parts.footer
    context = {
        "t": t,
        "lang": html_attr(parts.lang),
        "dir": parts.dir,
        "brand": {
            "name": html_text(config.brand.name) if config.brand.name else "",
            "logo_url": html_attr(config.brand.logo_url) if config.brand.logo_url else "",
            "logo_alt": html_attr(config.brand.logo_alt or config.brand.name),
            "logo_width": min(config.brand.logo_width, 552),
        },
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
    found = (context, hashlib.sha256(repr(context).encode()).hexdigest())
    parts.shared.memo["static"] = found
    return found


# --- block stencils --------------------------------------------------------------
# A block template only places its values: rendered once per shape (which
# values are present, how many items) with a placeholder for each piece of
# text, it serves every block of that shape; the article's escaped text goes
# into the placeholders. The tests compare this with rendering each block.

_STENCIL_SLOT = re.compile(rf"mh{_NONCE}b(\d+)z")
# The text around the placeholders, and which value goes after each piece
# but the last; None: a placeholder repeated or dropped, so each block of
# that shape is rendered itself.
_Stencil = tuple[tuple[str, ...], tuple[int, ...]] | None
_StencilKey = tuple[str, tuple[str, ...], tuple[Any, ...], str]


def _stencilled(
    store: _Store, env: _Env, name: str, values: dict[str, Any], t: dict[str, Any], start: str
) -> Markup:
    fills: list[str] = []
    shape: list[Any] = []
    for value in values.values():
        kind = type(value)
        if kind is Markup and value:  # a piece of text, as most values are
            fills.append(value)
            shape.append("")
        elif value is None or kind is str or kind is bool or kind is int:
            shape.append(value)  # what _slot does with them, without the call
        else:
            _slot(value, fills, shape, False)
    key = (name, tuple(values), tuple(shape), start)
    stencil = store.stencils.get(key, False)
    if stencil is False:
        numbered: list[str] = []  # numbered as `fills` is: the same walk
        slotted = {k: _slot(v, numbered, [], True) for k, v in values.items()}
        text = _render_block(env(), name, t, start, slotted)
        split = _STENCIL_SLOT.split(text)
        numbers = tuple(int(n) for n in split[1::2])
        whole = sorted(numbers) == list(range(len(fills)))
        stencil = (tuple(split[::2]), numbers) if whole else None
        store.add_stencil(key, stencil)
    if stencil is None:  # a placeholder repeated or dropped: render the block itself
        return as_markup(_render_block(env(), name, t, start, values))
    pieces, numbers = stencil
    # The pieces, each value after the piece it follows (joined as str:
    # adding a str to a Markup would escape the str).
    out = [*pieces, *pieces[1:]]
    out[::2] = pieces
    out[1::2] = [fills[number] for number in numbers]
    return as_markup("".join(out))


def _render_block(
    env: Environment, name: str, t: dict[str, Any], start: str, values: dict[str, Any]
) -> str:
    template = env.get_template(f"blocks/{name}.html.j2")
    return render_template(template, {"t": t, "start": start, **values})


def _slot(value: Any, fills: list[str], shape: list[Any], slotted: bool) -> Any:
    """Each piece of escaped text in `value` goes to `fills`, and what a
    template may test or loop over to `shape`; with `slotted`, `value` with
    each piece of text a placeholder (numbered as in `fills`)."""
    if isinstance(value, Markup):
        if not value:  # empty once escaped (a template may test it): part of the shape
            shape.append(None)
            return value
        fills.append(value)
        shape.append("")
        return Markup(f"mh{_NONCE}b{len(fills) - 1}z") if slotted else value
    if isinstance(value, list):
        shape.append(len(value))
        return [_slot(v, fills, shape, slotted) for v in value]
    if isinstance(value, dict):
        shape.append(tuple(value))
        return {k: _slot(v, fills, shape, slotted) for k, v in value.items()}
    shape.append(value)  # None, a tag name: part of the shape
    return value


# --- the cache of compiled layouts -------------------------------------------------
# Kept per layout: the built-in templates, the theme, and what made them
# into HTML (this code, Jinja2, MarkupSafe, mjml-python, Python), all in the
# entry's name, so an entry is never used for anything else. A layout's
# stencils are one entry; each compiled layout (the base template with what
# it places besides the article's fields: brand, footer, labels, which
# fields there are) another. The article's text only ever goes into
# placeholders, so it is never stored.

_NOT_SET = object()
_MAX_STENCILS = 1024  # per layout; past it, new ones are used but not kept
_MAX_SKELETONS = 64  # per layout, in memory
_SAVE_EVERY = 2.0  # seconds: a folder render adds shapes as it goes


class _Store:
    """The skeletons and stencils of one layout, as loaded from and saved to
    the user's cache folder (`name`: its stencils' entry; `name`-<hash>: a
    skeleton's)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.skeletons: dict[str, _Skeleton] = {}
        self.by_shape: dict[tuple[Any, ...], _Skeleton] = {}
        self.stencils: dict[_StencilKey, _Stencil] = {}
        self.dirty = False
        self.saved = 0.0
        self._load()

    def skeleton(self, parts: EmailParts, fields: dict[str, Markup | None]) -> _Skeleton:
        # The key below depends on the static context and, of each field,
        # only on whether it is there (a mark), None or empty (its value),
        # given the function that makes the context (a test swaps it): found
        # by those alone, it is not worked out again for each article.
        static, digest = _static(parts)
        shape = (
            _context,
            digest,
            *("mark" if value else repr(value) for value in fields.values()),
        )
        found = self.by_shape.get(shape, _NOT_SET)
        if found is not _NOT_SET:
            return found  # type: ignore[return-value]
        # The context the layout is rendered with, placeholders marked by
        # field (a NUL, which no config or article text holds): what the
        # compiled layout depends on, besides what names the store.
        marks = {name: Markup(f"\0{name}\0") for name, value in fields.items() if value}
        context = _context(parts, {**fields, **marks})
        # The part made once per config (_static) goes in as its hash.
        varied = [(k, v) for k, v in context.items() if static.get(k, _NOT_SET) is not v]
        key = hashlib.sha256(repr((digest, tuple(context), varied)).encode()).hexdigest()
        if key in self.skeletons:
            self.by_shape[shape] = self.skeletons[key]
            return self.skeletons[key]
        name = f"{self.name}-{key[:40]}"
        try:
            skeleton = _checked_skeleton(json.loads(read_cache(name) or b"false"))
        except (ValueError, TypeError):  # not what was written: made afresh
            skeleton = False
        if skeleton is False:
            skeleton = _made_skeleton(parts, fields)
            write_cache(name, json.dumps(skeleton, separators=(",", ":")).encode())
        if len(self.skeletons) >= _MAX_SKELETONS:
            self.skeletons.clear()
            self.by_shape.clear()
        self.skeletons[key] = self.by_shape[shape] = skeleton
        return skeleton

    def add_stencil(self, key: _StencilKey, stencil: _Stencil) -> None:
        if len(self.stencils) < _MAX_STENCILS:
            self.stencils[key] = stencil
            self.dirty = True

    def save(self) -> None:
        if not self.dirty or (self.saved and time.monotonic() - self.saved < _SAVE_EVERY):
            return
        data = [[list(k), v] for k, v in self.stencils.items()]
        write_cache(self.name, json.dumps(data, separators=(",", ":")).encode())
        self.dirty = False
        self.saved = time.monotonic()

    def _load(self) -> None:
        data = read_cache(self.name)
        if data is None:
            return
        with contextlib.suppress(ValueError, TypeError):  # not what save wrote: made afresh
            self.stencils = {_tupled(k): _checked_stencil(v) for k, v in json.loads(data)}


_Skeleton = tuple[tuple[str, ...], tuple[str, ...]] | None
_FIELDS = frozenset(
    ("subject", "title", "byline", "dek", "image_src", "image_alt", "body", "link", "link_text")
)


def _pieces(value: Any) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    if not isinstance(value, list):
        raise ValueError
    pieces, slots = value
    if not all(isinstance(p, str) for p in pieces) or len(slots) != len(pieces) - 1:
        raise ValueError
    return tuple(pieces), tuple(slots)


def _checked_skeleton(value: Any) -> _Skeleton | bool:
    if value is None or value is False:  # False: no entry
        return value
    pieces, names = _pieces(value)
    if not _FIELDS.issuperset(names):
        raise ValueError
    return pieces, names


def _checked_stencil(value: Any) -> _Stencil:
    if value is None:
        return None
    pieces, numbers = _pieces(value)
    if sorted(numbers) != list(range(len(numbers))) or any(type(n) is not int for n in numbers):
        raise ValueError
    return pieces, numbers


def _tupled(value: Any) -> Any:
    """A stencil key as JSON gave it back (lists) as the key it was (tuples)."""
    if isinstance(value, list):
        return tuple(_tupled(v) for v in value)
    if isinstance(value, dict):
        raise ValueError
    return value


_STORES: dict[tuple[str, tuple[tuple[str, Any], ...]], _Store] = {}


def _store(theme: dict[str, Any]) -> _Store:
    layout = (templates_digest("email"), tuple(theme.items()))
    store = _STORES.get(layout)
    if store is None:
        named = (_code_stamp(), layout[0], sorted(theme.items()))
        digest = hashlib.sha256(repr(named).encode()).hexdigest()
        if len(_STORES) > 16:
            _STORES.clear()
        store = _STORES[layout] = _Store(f"email-{digest[:40]}")
    return store


@cache
def _code_stamp() -> tuple[Any, ...]:
    """What turns templates into HTML besides the templates: Masthead (its
    version, and this module and `resources` as they are, for a checkout),
    Python, and the files of Jinja2, MarkupSafe and mjml-python."""
    from generator import __version__

    return (__version__, sys.version, code_stamp(__file__), *map(_package_stamp, _PACKAGES))


_PACKAGES = ("jinja2", "markupsafe", "mjml")


def _package_stamp(name: str) -> tuple[Any, ...]:
    spec = importlib.util.find_spec(name)
    folders = spec.submodule_search_locations if spec else None
    if not folders:
        return (name, None)
    with os.scandir(next(iter(folders))) as entries:
        files = sorted(
            (e.name, e.stat().st_size, e.stat().st_mtime_ns) for e in entries if e.is_file()
        )
    return (name, tuple(files))


class _Env:
    """The email templates' Jinja2 environment, made (and Jinja2 imported)
    only when a block is not in the cache."""

    def __init__(self, parts: EmailParts) -> None:
        self._parts = parts
        self._env: Environment | None = None

    def __call__(self) -> Environment:
        if self._env is None:
            self._env = _environment(self._parts)
        return self._env


def _finish(html: str, parts: EmailParts) -> str:
    return _insert_preheader(html, parts.preheader_text)


def _insert_preheader(html: str, preheader: str) -> str:
    """The hidden preheader goes first in <body>, where inbox previews look."""
    if not preheader:
        return html
    match = _BODY_TAG.search(html)
    if not match:
        return html
    return html[: match.end()] + _preheader_div(preheader) + html[match.end() :]


def _preheader_div(preheader: str) -> str:
    return (
        '<div style="display:none;font-size:1px;line-height:1px;max-height:0;max-width:0;'
        'opacity:0;overflow:hidden;mso-hide:all;">'
        f"{html_text(preheader)}{_PREHEADER_SPACER}</div>"
    )


# The fields of text (escaped: no "<" in them), which cannot begin a tag.
_TEXT_FIELDS = frozenset(
    ("subject", "title", "byline", "dek", "image_src", "image_alt", "link", "link_text")
)


@lru_cache(maxsize=64)
def _body_tag_at(pieces: tuple[str, ...], names: tuple[str, ...]) -> tuple[int, int] | None:
    """Which piece of a compiled layout holds the email's first <body> tag,
    and where the tag ends in it; None when a field before that piece could
    begin one (then the whole email is searched, as _insert_preheader does).
    The first tag in the piece is the first in the email: a tag begun
    earlier in the piece would end at a '>' in it; fields of text hold no
    '<'; and a piece before it must not end in the start of "<body"."""
    for number, piece in enumerate(pieces):
        match = _BODY_TAG.search(piece)
        if match:
            return number, match.end()
        if number < len(names) and (
            names[number] not in _TEXT_FIELDS
            or piece.endswith(("<", "<b", "<bo", "<bod", "<body"))
        ):
            return None
    return None


def _safe_image(src: str) -> bool:
    return is_safe_href(src) and not src.lower().startswith("mailto:")


def _body(parts: EmailParts, store: _Store | None) -> list[Markup]:
    """The blocks, as HTML: from the stencils in `store`, else each rendered."""
    env = _Env(parts)
    t = parts.theme
    start = "right" if parts.dir == "rtl" else "left"

    attrs = parts.shared.rich_attrs

    def rich(text: RichText) -> Markup:
        return html_rich(text, attrs)

    def render(name: str, **values: Any) -> Markup:
        if store is not None:
            return _stencilled(store, env, name, values, t, start)
        return as_markup(_render_block(env(), name, t, start, values))

    def inner(blocks: tuple[Block, ...], nested: str) -> list[Markup]:
        """Blocks under a list item or in a quote, each rendered as it sits there."""
        return [m for m in (block(b, nested=nested) for b in blocks) if m is not None]

    def list_block(b: ListBlock, nested: str | None) -> Markup:
        items = []
        for n, item in enumerate(b.items):
            html = rich(item)
            if blocks := inner(b.body(n), "item"):
                html = as_markup("".join([html, *blocks]))
            items.append(html)
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
            html = as_markup("".join([html, *blocks]))
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
        if takeaways_heading(s.heading):
            return [render("box", heading=html_text(s.heading), blocks=rendered, top=top)]
        return [render("heading", text=html_text(s.heading)), *rendered]

    first, rest = parts.sections
    out = [m for s in first for m in section(s, top=True)]
    out += [m for m in (block(b, 2) for b in parts.article.lead) if m is not None]
    for s in rest:
        out.extend(section(s))
    return out
