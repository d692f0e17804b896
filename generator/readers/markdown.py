"""Reader for Markdown articles (`.md`, `.markdown`) with YAML front matter.

Front matter is YAML between two lines of three or more dashes (as Jekyll,
Hugo and python-frontmatter read it), the body is read with markdown-it-py
(CommonMark plus GFM tables). How the body maps onto the model:

- Paragraphs before the first `##` heading are the lead; each `##` (or a later
  `#`) starts a section. A leading `#` heading is the title when the front
  matter has none, and is dropped when it repeats the front-matter title.
- `###` and deeper headings become `Subheading` blocks, except in a section
  headed `FAQ` / `Frequently Asked Questions`, where they (or paragraphs that
  are wholly `**bold**` and end in `?`) are questions and the blocks up to the
  next question are the answer.
- A blockquote whose last line starts with `—`, `--` or `-` gets that line as
  its attribution.
- A list item is its first paragraph (`ListBlock.items`) and every block
  written after it in the item (`ListBlock.bodies`: more paragraphs, code,
  quotes, nested lists, tables, images), in order. An ordered list keeps its
  first number. A quote's opening paragraphs are its text, a line each; the
  blocks from the first that is not a paragraph on are its `blocks`.
- Fenced and indented code become `CodeBlock`s, GFM tables `Table`s, images
  alone in a paragraph `Image` blocks. An image before any text becomes the
  article image when the front matter names none (and it is an http(s) image).
- The front matter's `url` must be an absolute http(s) URL; its image may also
  be relative, to the article's address (`url`, else site_url + slug), as on
  the article's page. Both are kept as valid URIs (`text.urls.http_url`); any
  other is an error naming the key's line. Links in the body stay as written.
- Raw HTML is never markup: it stays in the text, to be escaped like any text.
- Bare `http(s)://` URLs in text become links, as in the seed layout.
- Emoji shortcodes become emoji, as on GitHub (`:tada:` -> 🎉, the `emoji`
  package's alias names): in the text and in the title, dek, subject,
  preheader and image alt of the front matter; never in code spans, code
  blocks, URLs or link targets; unknown names stay as written. Off with
  `[markdown] shortcodes = false`.
- `social:` (hook, close, skip, and a table per platform) is the author's word
  on social threads: see `generator.readers.social`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from contextlib import suppress
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from generator.errors import ReaderError
from generator.language import is_language_tag
from generator.model import (
    FAQ,
    Article,
    Block,
    Code,
    CodeBlock,
    Emphasis,
    FAQItem,
    Image,
    Inline,
    Link,
    ListBlock,
    Paragraph,
    Quote,
    RichText,
    Section,
    Strong,
    Subheading,
    Table,
    Text,
)
from generator.readers.base import linkify, make_slug, reading_minutes
from generator.readers.dates import DateError, check_range, parse_date
from generator.readers.social import from_front_matter
from generator.readers.source import Source
from generator.text.emojis import emojize
from generator.text.headings import TAKEAWAYS_PLACES
from generator.text.sanitize import clean_strings, without_bidi_controls
from generator.text.urls import UrlError, article_link, find_urls, http_url, resolve_http_url

_FAQ_HEADING = re.compile(r"^(?:FAQs?|Frequently Asked Questions)$", re.IGNORECASE)
_ATTRIBUTION = re.compile(r"^(?:—|–|--?)\s*(\S.*)$", re.DOTALL)
_READING_TIME = re.compile(r"^\s*(\d{1,4})\s*(?:min(?:ute)?s?)?(?:\s+read)?\s*$", re.IGNORECASE)

# Front-matter keys and their aliases, first match wins.
_ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "dek": ("dek", "subtitle", "description", "summary"),
    "authors": ("author", "authors"),
    "date": ("date", "published", "pubdate"),
    "updated": ("updated", "lastmod", "modified", "last_modified"),
    "tags": ("tags", "categories", "keywords"),
    "url": ("url", "canonical_url", "canonical"),
    "slug": ("slug",),
    "image": ("image", "cover", "feature_image", "cover_image"),
    "image_alt": ("image_alt", "cover_alt", "feature_image_alt"),
    "lang": ("lang", "language"),
    "reading_time": ("reading_time",),
    "draft": ("draft",),
    "subject": ("subject",),
    "preheader": ("preheader",),
}
_KNOWN_KEYS = frozenset(k for keys in _ALIASES.values() for k in keys)

# Lists and quotes nested deeper than this (a list and its item are two
# levels) are refused: past it markdown-it drops the rest of the article.
MAX_NESTING = 40
_MARKDOWN = (
    MarkdownIt("commonmark", {"html": False, "maxNesting": MAX_NESTING})
    .enable("table")
    # With "html" off these two return False on every line and every
    # character they are tried on (nothing else): skipping them is the same
    # parse, a few per cent sooner.
    .disable(["html_block", "html_inline"])
)
# Every link is read as a link, whatever its scheme: markdown-it would leave
# a javascript: link as its raw source, "[text](javascript:…)", for every
# channel to show. The model keeps it; channels make only http(s) and
# mailto live, show the rest as text, and `masthead check` flags them.
_MARKDOWN.validateLink = lambda url: True


_CONTAINERS = frozenset(
    ["blockquote_open", "bullet_list_open", "ordered_list_open", "list_item_open"]
)


def _check_nesting(tokens: list[Token], name: str, body_line: int) -> None:
    """A container opened at the last level markdown-it parses lost its
    content, and everything after it."""
    for token in tokens:
        if token.level >= MAX_NESTING - 1 and token.type in _CONTAINERS:
            line = body_line + (token.map[0] if token.map else 0)
            raise ReaderError(
                "lists or quotes are nested too deeply here to be read (the rest of the "
                "article would be lost); flatten them",
                name,
                line,
            )


class _Node:
    """A block or inline node of the parsed body: an opening and closing
    token pair (`bullet_list_open` … `_close` is a "bullet_list") with the
    nodes between them, or a single token (an "inline" token's children
    are its inline tokens). What markdown-it's SyntaxTreeNode gives, built
    in one pass with none of its bookkeeping: it cost more than reading
    the tree into the model."""

    __slots__ = ("children", "token", "type")

    def __init__(self, type_: str, token: Token, children: list[_Node]) -> None:
        self.type = type_
        self.token = token  # the opening token of a pair
        self.children = children

    @property
    def tag(self) -> str:
        return self.token.tag

    @property
    def map(self) -> list[int] | None:
        return self.token.map

    @property
    def attrs(self) -> dict[str, str | int | float]:
        return self.token.attrs

    @property
    def content(self) -> str:
        return self.token.content

    @property
    def info(self) -> str:
        return self.token.info

    @property
    def markup(self) -> str:
        return self.token.markup


def _tree(tokens: list[Token]) -> list[_Node]:
    """The top-level nodes of `tokens` (which markdown-it always balances)."""
    top: list[_Node] = []
    open_lists = [top]
    for token in tokens:
        nesting = token.nesting
        if nesting == 1:
            node = _Node(token.type.removesuffix("_open"), token, [])
            open_lists[-1].append(node)
            open_lists.append(node.children)
        elif nesting == -1:
            open_lists.pop()
        else:
            children = _tree(token.children) if token.children else []
            open_lists[-1].append(_Node(token.type, token, children))
    return top


class MarkdownReader:
    name = "markdown"
    extensions = (".md", ".markdown")

    def read(
        self, source: Source, *, lang: str, site_url: str = "", shortcodes: bool = True
    ) -> Article:
        """`shortcodes`: whether `:tada:` becomes 🎉 (`[markdown] shortcodes`)."""
        token = _SHORTCODES.set(shortcodes)
        try:
            return self._read(source, lang=lang, site_url=site_url)
        finally:
            _SHORTCODES.reset(token)

    def _read(self, source: Source, *, lang: str, site_url: str) -> Article:
        meta, body, body_line = _split_front_matter(source)
        fields = _Fields(meta, source.name, _front_matter_lines(source.text))
        tokens = _MARKDOWN.parse(body)
        _check_nesting(tokens, source.name, body_line)
        children = _tree(tokens)

        title = fields.text("title")
        if children and children[0].type == "heading" and children[0].tag == "h1":
            heading = _inline(children[0]).plain_text.strip()
            if not title:
                title = heading
                children = children[1:]
            elif heading.casefold() == title.casefold():
                children = children[1:]
        if not title:
            raise ReaderError(
                "the article has no title; add 'title:' to the front matter "
                "or start the body with '# Title'",
                source.name,
                1,
            )

        url = fields.url()
        slug = make_slug(fields.text("slug"), source.stem, title)
        # A relative image is resolved against the article's page, as a browser there would.
        page = article_link(url, site_url, slug)
        image, image_alt = fields.image(page)
        if image is None and children and (cover := _lone_image(children[0])):
            # One that is no http(s) image stays in the body, where any image may be.
            with suppress(UrlError):
                image, image_alt = resolve_http_url(cover.src, page), cover.alt
                children = children[1:]
        # Alt text is attribute text (an <img alt>, a post's image description,
        # a "Copy alt text" button): no bidi control, as in titles (text/sanitize.py).
        image_alt = without_bidi_controls(image_alt).strip() or None if image_alt else None

        body_reader = _Body(source.name, body_line)
        lead, sections = body_reader.read(children)
        if not lead and not any(s.blocks for s in sections):
            raise ReaderError(
                "the article has no body; add at least one paragraph after the front matter",
                source.name,
                body_line,
            )
        dek = fields.text("dek")
        if (takeaways := fields.choice("takeaways", TAKEAWAYS_PLACES)) is not None:
            meta["takeaways"] = takeaways  # checked here; the email reads it from `extra`
        social, social_keys = from_front_matter(meta, source.name, fields.lines)
        minutes = fields.reading_time() or reading_minutes(
            (*lead, *(b for s in sections for b in s.blocks)), dek
        )
        return Article(
            title=title,
            slug=slug,
            reading_minutes=minutes,
            dek=dek,
            authors=fields.authors(),
            date=fields.date("date"),
            updated=fields.date("updated"),
            url=url,
            tags=fields.tags(),
            image=image,
            image_alt=image_alt,
            lang=fields.lang() or lang,
            draft=fields.boolean("draft"),
            subject=fields.text("subject"),
            preheader=fields.text("preheader"),
            extra=MappingProxyType(
                {k: v for k, v in meta.items() if k not in _KNOWN_KEYS and k not in social_keys}
            ),
            social=social,
            lead=lead,
            sections=sections,
        )


# --- front matter -------------------------------------------------------------


# libyaml's loader when PyYAML was built with it: the same results, ten times faster.
_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BASE_LOADER):  # type: ignore[misc,valid-type]
    """The safe loader, but a timestamp that is no real moment (`0000-00-00`)
    stays the text it was written as, for the field that reads it to refuse
    with its own key and line; YAML would raise a bare ValueError."""


def _timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)

# Bounds on what the front matter may build, checked on the YAML events before
# any value exists. Aliases repeat a node without copying it, so ten levels of
# ten aliases each ("billion laughs") are a few lines that stand for 10^10
# values — harmless until anything walks them (a str(), inspect's output), and
# then a hang. Real front matter uses a handful of aliases (`<<: *defaults`)
# and a few levels of nesting; deep nesting would exhaust Python's stack.
MAX_ALIASES = 100
MAX_EXPANDED_NODES = 10_000
MAX_FRONT_MATTER_DEPTH = 32


def _check_expansion(front: str, name: str, first_line: int) -> None:
    """Refuse front matter whose aliases expand past `MAX_EXPANDED_NODES`
    values, that has more than `MAX_ALIASES` aliases, an alias inside its own
    anchor, or nesting deeper than `MAX_FRONT_MATTER_DEPTH`. `first_line` is
    the file line of the front matter's first line. YAML syntax errors pass
    through as `yaml.YAMLError`; an unknown alias is left for the loader."""
    sizes: dict[str, int] = {}  # anchor -> how many values its node stands for
    open_nodes: list[list[Any]] = []  # [anchor, values so far] per open collection
    aliases = 0
    for event in yaml.parse(front, Loader=_BASE_LOADER):
        line = first_line + event.start_mark.line
        if isinstance(event, yaml.CollectionStartEvent):
            if len(open_nodes) >= MAX_FRONT_MATTER_DEPTH:
                raise ReaderError(
                    f"the front matter nests lists or mappings more than "
                    f"{MAX_FRONT_MATTER_DEPTH} levels deep; flatten it",
                    name,
                    line,
                )
            open_nodes.append([event.anchor, 1])
            continue
        if isinstance(event, yaml.CollectionEndEvent):
            anchor, size = open_nodes.pop()
            if anchor is not None:
                sizes[anchor] = size
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                raise ReaderError(
                    f"the front matter has more than {MAX_ALIASES} YAML aliases (*name); "
                    "write the values out",
                    name,
                    line,
                )
            if any(node[0] == event.anchor for node in open_nodes):
                raise ReaderError(
                    f"the front matter alias *{event.anchor} is inside its own anchor "
                    f"&{event.anchor}, so its value would never end; remove the alias",
                    name,
                    line,
                )
            if event.anchor not in sizes:
                return  # the loader reports the unknown alias with its line
            size = sizes[event.anchor]
        elif isinstance(event, yaml.ScalarEvent):
            size = 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
        else:  # the stream's and the document's start and end
            continue
        if open_nodes:
            open_nodes[-1][1] += size
            if open_nodes[-1][1] > MAX_EXPANDED_NODES:
                raise ReaderError(
                    "the front matter's YAML aliases (*name) expand to more than "
                    f"{MAX_EXPANDED_NODES:,} values; write the values out instead of "
                    "nesting aliases",
                    name,
                    line,
                )




# A line of three or more dashes opens and closes the front matter (the text
# must start with one). Not a package's handler: importing python-frontmatter
# (and the toml module it loads) cost more than these two regex calls.
_FENCE = re.compile(r"^-{3,}\s*$", re.MULTILINE)


def _split_front_matter(source: Source) -> tuple[dict[str, Any], str, int]:
    """The metadata, the body, and the file line the body starts on."""
    text = source.text
    boundary = _FENCE.match(text)
    if not boundary:
        return {}, text, 1
    parts = _FENCE.split(text, 2)
    if len(parts) != 3:
        raise ReaderError(
            "the front matter is never closed; end it with a line of three dashes (---)",
            source.name,
            1,
        )
    front, body = parts[1], parts[2]
    # The file line of the front matter's first line: the split cut it where
    # the opening fence ended.
    first_line = text.count("\n", 0, boundary.end()) + 1
    try:
        _check_expansion(front, source.name, first_line)
        meta = yaml.load(front, Loader=_Loader)  # a safe loader: plain data only
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        line = first_line + mark.line if mark is not None else 1
        raise ReaderError(
            f"the front matter is not valid YAML ({problem}); check quotes, colons and indentation",
            source.name,
            line,
        ) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ReaderError(
            "the front matter must be a mapping of keys to values (like 'title: My post'), "
            f"not a {type(meta).__name__}",
            source.name,
            2,
        )
    body_line = text.count("\n", 0, len(text) - len(body)) + 1
    # YAML's escapes ("\e", "\0", "\x07", "\u0085") make what the file's
    # cleaning took out: every string is cleaned again, by the same rule.
    return {str(k): v for k, v in clean_strings(meta).items()}, body, body_line


_TOP_LEVEL_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")


def _front_matter_lines(text: str) -> dict[str, int]:
    """Line number of each top-level front-matter key, for error messages."""
    lines: dict[str, int] = {}
    for number, line in enumerate(text.split("\n")[1:], start=2):
        if _FENCE.match(line):
            break
        if m := _TOP_LEVEL_KEY.match(line):
            lines.setdefault(m.group(1), number)
    return lines


@dataclass
class _Fields:
    meta: dict[str, Any]
    name: str
    lines: dict[str, int] = field(default_factory=dict)

    def _get(self, key: str) -> tuple[str, Any]:
        for alias in _ALIASES[key]:
            if alias in self.meta and self.meta[alias] not in (None, ""):
                return alias, self.meta[alias]
        return key, None

    def _error(self, alias: str, message: str) -> ReaderError:
        return ReaderError(f"front matter '{alias}' {message}", self.name, self.lines.get(alias))

    def _as_text(self, alias: str, value: Any) -> str:
        """`value` as text, or an error: YAML can build bytes (`!!binary`) and
        sets (`!!set`), whose str() is Python's notation, not the author's words."""
        if isinstance(value, _TEXT_LIKE):
            return str(value)
        if isinstance(value, dict | list):
            raise self._error(alias, "must be text, not a list or mapping")
        what = {bytes: "binary data (!!binary)", set: "a set (!!set)"}.get(
            type(value), f"a YAML {type(value).__name__}"
        )
        raise self._error(alias, f"must be text, not {what}")

    def text(self, key: str) -> str | None:
        alias, value = self._get(key)
        if value is None:
            return None
        text = self._as_text(alias, value).strip() or None
        if text and key not in _MULTI_LINE_KEYS:
            text = _one_line(text)
        return _emoji(text) if text and key in _SHOWN_KEYS else text

    def lang(self) -> str | None:
        value = self.text("lang")
        if value is not None:
            value = value.replace("_", "-")  # en_US, as locales are written
        if value is not None and not is_language_tag(value):
            alias, _ = self._get("lang")
            raise self._error(alias, "must be a language tag such as 'en' or 'pt-BR'")
        return value

    def authors(self) -> tuple[str, ...]:
        alias, value = self._get("authors")
        if value is None:
            return ()
        if isinstance(value, str):
            return (_one_line(value.strip()),) if value.strip() else ()
        if isinstance(value, dict) and "name" in value:
            return (_one_line(self._as_text(alias, value["name"]).strip()),)
        if isinstance(value, list):
            names = [
                self._as_text(alias, v["name"] if isinstance(v, dict) and "name" in v else v)
                for v in value
            ]
            return tuple(_one_line(n.strip()) for n in names if n.strip())
        raise self._error(alias, "must be a name or a list of names")

    def tags(self) -> tuple[str, ...]:
        alias, value = self._get("tags")
        if value is None:
            return ()
        if isinstance(value, str):
            items = value.split(",")
        elif isinstance(value, list):
            items = [self._as_text(alias, v) for v in value]
        else:
            raise self._error(alias, "must be a list or a comma-separated string")
        seen: dict[str, None] = {}
        for item in items:
            if item.strip():
                seen.setdefault(_one_line(item.strip()), None)
        return tuple(seen)

    def date(self, key: str) -> dt.date | dt.datetime | None:
        alias, value = self._get(key)
        if value is None:
            return None
        try:
            if isinstance(value, dt.datetime):
                return check_range(value if value.tzinfo else value.replace(tzinfo=dt.UTC))
            if isinstance(value, dt.date):
                return check_range(value)
            return parse_date(str(value))
        except DateError as exc:
            raise self._error(alias, f"is not a date: {exc}") from None

    def url(self) -> str | None:
        """The article's own address, as a valid absolute http(s) URI."""
        value = self.text("url")
        if value is None:
            return None
        try:
            return http_url(value)
        except UrlError as exc:
            raise self._error(self._get("url")[0], str(exc)) from None

    def image(self, page: str | None) -> tuple[str | None, str | None]:
        """The feature image as a valid absolute http(s) URI (a relative one
        resolved against `page`, the article's address), and its alt text."""
        alias, value = self._get("image")
        alt = self.text("image_alt")
        if isinstance(value, dict):  # Hugo-style `cover: {image: …, alt: …}`
            if not alt and value.get("alt"):
                alt = _one_line(self._as_text(alias, value["alt"]))
            value = value.get("image") or value.get("src") or value.get("url")
        if value is None:
            return None, alt
        if not isinstance(value, str):
            raise self._error(alias, "must be an image URL or path")
        if not value.strip():
            return None, alt
        try:
            return resolve_http_url(value, page), alt
        except UrlError as exc:
            raise self._error(alias, str(exc)) from None

    def choice(self, key: str, allowed: tuple[str, ...]) -> str | None:
        """A front-matter key Masthead does not model (it stays in `extra`)
        whose value must be one of `allowed`, in any case."""
        value = self.meta.get(key)
        if value is None or value == "":
            return None
        chosen = str(value).strip().lower()
        if isinstance(value, dict | list | bool) or chosen not in allowed:
            raise self._error(key, f"must be {' or '.join(repr(a) for a in allowed)}")
        return chosen

    def reading_time(self) -> int | None:
        alias, value = self._get("reading_time")
        if value is None:
            return None
        if isinstance(value, bool):
            raise self._error(alias, "must be a number of minutes, such as 5")
        if isinstance(value, int):
            return max(1, value)
        if m := _READING_TIME.match(str(value)):
            return max(1, int(m.group(1)))
        raise self._error(alias, "must be a number of minutes, such as 5 or '5 min read'")

    def boolean(self, key: str) -> bool:
        alias, value = self._get(key)
        if value is None:
            return False
        if isinstance(value, bool):
            return value
        if str(value).strip().lower() in ("true", "yes", "1"):
            return True
        if str(value).strip().lower() in ("false", "no", "0"):
            return False
        raise self._error(alias, "must be true or false")


# --- body -----------------------------------------------------------------------


@dataclass
class _SectionBuilder:
    heading: str
    is_faq: bool
    blocks: list[Block] = field(default_factory=list)
    questions: list[tuple[int, RichText, list[RichText]]] = field(default_factory=list)


@dataclass
class _Body:
    name: str
    first_line: int

    def line_of(self, node: _Node) -> int | None:
        return self.first_line + node.map[0] if node.map else None

    def read(self, nodes: list[_Node]) -> tuple[tuple[Block, ...], tuple[Section, ...]]:
        lead: list[Block] = []
        sections: list[_SectionBuilder] = []
        for node in nodes:
            current = sections[-1] if sections else None
            if node.type == "heading" and node.tag in ("h1", "h2"):
                text = _inline(node).plain_text.strip()
                sections.append(_SectionBuilder(text, bool(_FAQ_HEADING.match(text))))
                continue
            if current and current.is_faq and (question := _question(node)):
                current.questions.append((self.line_of(node) or 0, question, []))
                continue
            if current and current.questions:
                current.questions[-1][2].extend(self.answer_parts(node))
                continue
            target = current.blocks if current else lead
            target.extend(self.blocks(node))
        return tuple(lead), tuple(self.close(s) for s in sections)

    def close(self, section: _SectionBuilder) -> Section:
        blocks = list(section.blocks)
        if section.questions:
            for line, question, answer in section.questions:
                if not answer:
                    raise ReaderError(
                        f"FAQ question '{question.plain_text}' has no answer; "
                        "write the answer below the question",
                        self.name,
                        line,
                    )
            blocks.append(FAQ(tuple(FAQItem(q, tuple(a)) for _, q, a in section.questions)))
        return Section(section.heading, tuple(blocks))

    def blocks(self, node: _Node) -> Iterator[Block]:
        kind = node.type
        if kind == "paragraph":
            images = _images_only(node, self.line_of(node))
            if images:
                yield from images
            elif text := _inline(node):
                yield Paragraph(text)
        elif kind == "heading":
            yield Subheading(_inline(node))
        elif kind in ("bullet_list", "ordered_list"):
            yield self.list(node)
        elif kind == "blockquote":
            if quote := self.quote(node):
                yield quote
        elif kind in ("fence", "code_block"):
            language = (node.info or "").strip().split(" ")[0] or None
            yield CodeBlock(node.content.rstrip("\n"), language, line=self.line_of(node))
        elif kind == "table":
            yield _table(node)
        # Thematic breaks carry no content; raw HTML is disabled in the parser.

    def list(self, node: _Node) -> ListBlock:
        """A Markdown list: each item's first paragraph is its line, and every
        block after it (a paragraph between two lists, code, a quote, a nested
        list) is in its body, in order."""
        items: list[RichText] = []
        bodies: list[tuple[Block, ...]] = []
        for item in node.children:
            children = list(item.children)
            line = RichText()
            if children and _is_line(children[0]):
                line = _inline(children.pop(0))
            items.append(line)
            bodies.append(tuple(block for child in children for block in self.blocks(child)))
        ordered = node.type == "ordered_list"
        return ListBlock(
            tuple(items),
            ordered=ordered,
            bodies=tuple(bodies) if any(bodies) else (),
            start=int(str(node.attrs.get("start", 1))) if ordered else 1,
        )

    def answer_parts(self, node: _Node) -> Iterator[RichText]:
        """A block of an FAQ answer, which holds lines of text only."""
        if node.type in ("bullet_list", "ordered_list"):
            yield from _list_lines(self.list(node))
        elif node.type in ("fence", "code_block"):
            yield RichText.plain(node.content.rstrip("\n"))
        elif node.type == "blockquote":
            for child in node.children:
                yield from self.answer_parts(child)
        elif node.type in ("paragraph", "heading") and (text := _inline(node)):
            yield text

    def quote(self, node: _Node) -> Quote | None:
        """A blockquote: its opening paragraphs are its text, a line each;
        the blocks from the first that is not a paragraph on are its blocks;
        a last line that starts with a dash is its attribution."""
        children = list(node.children)
        attribution: RichText | None = None
        tail: RichText | None = None
        last = children[-1] if children else None
        if last is not None and last.type == "bullet_list" and _is_attribution_list(last):
            # `> - Name` parses as a one-item list: it is the attribution.
            attribution = _inline(last.children[0].children[0])
            children = children[:-1]
        elif last is not None and last.type == "paragraph":
            # The attribution is the paragraph's last source line, so keep its breaks.
            head, attribution = _split_attribution(_inline(last, softbreak=_SOFT_BREAK))
            if attribution is not None:  # a soft break inside its emphasis or link
                attribution = _soft_breaks_to_spaces(attribution)
            children = children[:-1]
            tail = _soft_breaks_to_spaces(head) if head else None
        lines: list[RichText] = []
        while children and _is_line(children[0]):
            if text := _inline(children.pop(0)):
                lines.append(text)
        blocks = [block for child in children for block in self.blocks(child)]
        if tail is not None:
            if blocks:
                blocks.append(Paragraph(tail))
            else:
                lines.append(tail)
        if not lines and not blocks:
            return Quote(attribution) if attribution else None
        return Quote(_join(lines, "\n"), attribution or None, tuple(blocks))


def _is_line(node: _Node) -> bool:
    """Whether `node` reads as a line of text: a paragraph (not images only,
    which are image blocks) or a heading."""
    if node.type == "heading":
        return True
    return node.type == "paragraph" and not _images_only(node)


def _is_attribution_list(node: _Node) -> bool:
    """A bullet list of one item that is one paragraph: `> - Name`."""
    if len(node.children) != 1:
        return False
    item = node.children[0].children
    return len(item) == 1 and item[0].type == "paragraph"


def _question(node: _Node) -> RichText | None:
    if node.type == "heading" and node.tag not in ("h1", "h2"):
        return _inline(node)
    if node.type == "paragraph":
        inline = node.children[0] if node.children else None
        parts = [
            c
            for c in (inline.children if inline else [])
            if c.type != "softbreak" and not (c.type == "text" and not c.content.strip())
        ]
        if len(parts) == 1 and parts[0].type == "strong":
            text = _convert(parts[0].children)
            if text.plain_text.rstrip().endswith(("?", "？")):
                return text
    return None


def _list_lines(block: ListBlock, nested: bool = False) -> Iterator[RichText]:
    """A list as lines of an FAQ answer, which holds text only: "1. " or "• "
    before each item, "◦ " before a nested one (no indent survives); what
    else is written under an item follows it, a line each."""
    for number, item in enumerate(block.items, start=block.start):
        marker = "◦ " if nested else f"{number}. " if block.ordered else "• "
        yield RichText((Text(marker), *item.nodes))
        for inner in block.body(number - block.start):
            yield from _block_lines(inner)


def _block_lines(block: Block) -> Iterator[RichText]:
    match block:
        case ListBlock():
            yield from _list_lines(block, nested=True)
        case Paragraph(text=text) | Subheading(text=text):
            yield text
        case Quote(text=text, attribution=attribution, blocks=blocks):
            if text:
                yield text
            for inner in blocks:
                yield from _block_lines(inner)
            if attribution:
                yield RichText((Text("— "), *attribution.nodes))
        case _:
            yield from (RichText.plain(line) for line in block.plain_text.split("\n") if line)


# A soft line break while the attribution is looked for: the source normalises
# every carriage return away and text from `&#13;` is made a space, so none is
# article text; a hard break stays "\n".
_SOFT_BREAK = "\r"


def _soft_breaks_to_spaces(text: RichText) -> RichText:
    return RichText(tuple(_unbroken(node) for node in text.nodes))


def _unbroken(node: Inline) -> Inline:
    match node:
        case Text(text=text):
            return Text(text.replace(_SOFT_BREAK, " "))
        case Emphasis(children=children) | Strong(children=children):
            return type(node)(tuple(_unbroken(c) for c in children))
        case Link(href=href, children=children):
            return Link(href, tuple(_unbroken(c) for c in children))
    return node


def _split_attribution(text: RichText) -> tuple[RichText, RichText | None]:
    """Split `text` at its last line break (soft or hard) when that line
    starts with a dash."""
    nodes = list(text.nodes)
    for index in range(len(nodes) - 1, -1, -1):
        node = nodes[index]
        if isinstance(node, Text) and ("\n" in node.text or _SOFT_BREAK in node.text):
            cut = max(node.text.rfind("\n"), node.text.rfind(_SOFT_BREAK))
            before, after = node.text[:cut], node.text[cut + 1 :]
            rest = RichText(_merge([Text(after), *nodes[index + 1 :]]))
            m = _ATTRIBUTION.match(rest.plain_text)
            if not m:
                return text, None
            head = RichText(_merge([*nodes[:index], Text(before)]))
            return head, RichText(_merge(_without_start(rest.nodes, m.start(1))))
    m = _ATTRIBUTION.match(text.plain_text)
    if m and len(text.plain_text) <= 120:
        return RichText(), RichText(_merge(_without_start(text.nodes, m.start(1))))
    return text, None


def _without_start(nodes: Sequence[Inline], count: int) -> list[Inline]:
    """`nodes` without the first `count` characters of their plain text: an
    attribution's dash and the space after it, wherever they are, inside
    emphasis (`**— Name**`) too. A node left with no text is dropped."""
    out: list[Inline] = []
    for node in nodes:
        if count <= 0:
            out.append(node)
        elif isinstance(node, Text | Code):
            if count < len(node.text):
                out.append(replace(node, text=node.text[count:]))
            count -= len(node.text)
        else:
            children = _without_start(node.children, count)
            count -= len(node.plain_text)
            if children:
                out.append(replace(node, children=tuple(children)))
    return out


def _table(node: _Node) -> Table:
    header: tuple[RichText, ...] = ()
    rows: list[tuple[RichText, ...]] = []
    for part in node.children:
        for row in part.children:
            cells = tuple(_inline(cell) for cell in row.children)
            if part.type == "thead":
                header = cells
            else:
                rows.append(cells)
    return Table(header, tuple(rows))


def _lone_image(node: _Node) -> Image | None:
    images = _images_only(node) if node.type == "paragraph" else []
    return images[0] if len(images) == 1 else None


def _images_only(node: _Node, line: int | None = None) -> list[Image]:
    inline = node.children[0] if node.children else None
    if inline is None:
        return []
    images: list[Image] = []
    for child in inline.children:
        if child.type == "image":
            alt = _convert(child.children).plain_text
            images.append(Image(str(child.attrs.get("src", "")), alt, line))
        elif child.type in ("softbreak", "hardbreak") or (
            child.type == "text" and not child.content.strip()
        ):
            continue
        else:
            return []
    return images


# --- inline ---------------------------------------------------------------------


def _inline(node: _Node, softbreak: str = " ") -> RichText:
    inline = node.children[0] if node.children else None
    if inline is None or inline.type != "inline":
        return RichText()
    return _convert(inline.children, softbreak=softbreak)


def _convert(
    children: list[_Node],
    in_link: bool = False,
    softbreak: str = " ",
    shortcodes: bool = True,
) -> RichText:
    """Markdown inline nodes to model nodes. A soft line break is a space, as in
    rendered Markdown, unless the caller needs to see the source lines.
    `shortcodes=False`: text that is a URL, where `:name:` stays as written."""
    nodes: list[Inline] = []
    for child in children:
        kind = child.type
        if kind == "text":
            content = child.content
            if "\n" in content or "\r" in content:  # from &#10; or &#13;: not line breaks
                content = content.replace("\r", " ").replace("\n", " ")
            if in_link:
                nodes.append(Text(_emoji(content) if shortcodes else content))
            else:
                nodes.extend(
                    Text(_emoji(n.text)) if isinstance(n, Text) else n  # a bare URL as written
                    for n in linkify(content).nodes
                )
        elif kind == "softbreak":
            nodes.append(Text(softbreak))
        elif kind == "hardbreak":
            nodes.append(Text("\n"))
        elif kind == "code_inline":
            nodes.append(Code(child.content))
        elif kind == "em":
            nodes.append(Emphasis(_convert(child.children, in_link, softbreak).nodes))
        elif kind == "strong":
            nodes.append(Strong(_convert(child.children, in_link, softbreak).nodes))
        elif kind == "link":
            href = str(child.attrs.get("href", ""))
            # An autolink's text is its URL (or address): shown as written.
            written = child.markup != "autolink"
            nodes.append(Link(href, _convert(child.children, True, softbreak, written).nodes))
        elif kind == "image":
            nodes.append(Text(_convert(child.children, True).plain_text))
        else:
            nodes.extend(_convert(child.children, in_link, softbreak).nodes)
    return RichText(_merge(nodes))


# Whether `:name:` shortcodes become emoji in the article being read: set by
# MarkdownReader.read for one article, so that the inline conversion deep in
# the tree need not carry it through every call.
_SHORTCODES: ContextVar[bool] = ContextVar("shortcodes", default=True)
# Front-matter text readers see, where a shortcode is written to be an emoji.
_SHOWN_KEYS = frozenset({"title", "dek", "subject", "preheader", "image_alt"})
# The dek is a paragraph; every other text key is one line (a title, a name,
# an address), where a line break (a YAML "\n", or NEL or U+2028 made one by
# cleaning) is a space.
_MULTI_LINE_KEYS = frozenset({"dek"})
# What YAML builds that reads as text: a string, or a number, boolean or date
# written bare (`title: 2026`).
_TEXT_LIKE = (str, int, float, dt.date)
_LINE_BREAKS = re.compile(r"[ \t]*\n\s*")


def _one_line(text: str) -> str:
    return _LINE_BREAKS.sub(" ", text)


def _emoji(text: str) -> str:
    """GitHub's emoji shortcodes in `text` (`:tada:`, `:+1:`: the emoji
    package's alias names) as the emoji, outside the bare URLs in it; a name
    the package does not know stays as written."""
    if ":" not in text or not _SHORTCODES.get():
        return text
    out: list[str] = []
    position = 0
    for start, end in find_urls(text):
        out += [emojize(text[position:start]), text[start:end]]
        position = end
    out.append(emojize(text[position:]))
    return "".join(out)


def _merge(nodes: list[Inline]) -> tuple[Inline, ...]:
    """Join neighbouring text runs so equal text gives equal nodes."""
    out: list[Inline] = []
    for node in nodes:
        if isinstance(node, Text):
            if not node.text:
                continue
            if out and isinstance(out[-1], Text):
                out[-1] = Text(out[-1].text + node.text)
                continue
        out.append(node)
    return tuple(out)


def _join(parts: list[RichText], separator: str) -> RichText:
    nodes: list[Inline] = []
    for index, part in enumerate(parts):
        if index:
            nodes.append(Text(separator))
        nodes.extend(part.nodes)
    return RichText(_merge(nodes))
