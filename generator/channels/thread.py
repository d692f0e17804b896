"""The social thread channel: Article + platform -> numbered posts that fit.

Composition follows the thread voice brief: a hook (the title and a thread
marker, no link), the dek, one post per key fact and takeaway, one per quote
with its attribution, optionally the FAQ, and a closing post with why it
matters, the link and hashtags. Templates in `templates/social/` word each
kind of post; this module decides what is said, splits what is too long
(`generator.text.splitting`) and counts every post the way its platform does
(`generator.platforms`). A post over its limit is never returned.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import regex
from jinja2 import Environment, TemplateNotFound

from generator.config import Config, campaign_name
from generator.errors import MastheadError
from generator.language import labels_for
from generator.model import (
    FAQ,
    Article,
    Block,
    CodeBlock,
    ListBlock,
    Paragraph,
    Quote,
    RichText,
    Section,
    Subheading,
)
from generator.platforms import Platform, get_platform
from generator.resources import template_environment, template_errors
from generator.text.counting import bluesky_shorten
from generator.text.headings import is_takeaways, is_why_it_matters
from generator.text.sanitize import balanced_bidi
from generator.text.splitting import (
    Fits,
    SplitError,
    first_sentence,
    join_sentences,
    sentences,
    split_to_fit,
    with_colon,
)
from generator.text.urls import article_link, utm_link

_OPEN_QUOTES = "“\"‘'«„"
# The fewest posts that still make a thread: the hook and the closing post.
MIN_POSTS = 2
# With fewer facts, takeaways and quotes than this, the opening sentence of
# each prose-only section joins the thread so no part of the story is silent.
FEW_IDEAS = 8
# An opener takes the sentences after its first while it stays this short.
OPENER_CHARACTERS = 200

# What --max-posts drops first; kinds not listed (hook, closing) always stay.
_DROP_ORDER = ("faq", "fact", "quote", "opener", "lead", "dek", "takeaway")


@dataclass(frozen=True, slots=True)
class Post:
    index: int
    text: str
    length: int
    # Bluesky: the published text (links shortened) and its link facets.
    facets: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class Thread:
    platform: Platform
    posts: tuple[Post, ...]
    # Code under list items that no post could hold: the items went out
    # without it (`masthead check` says so).
    left_out: tuple[CodeBlock, ...] = ()

    @property
    def limit(self) -> int:
        return self.platform.limit


@dataclass(frozen=True, slots=True)
class _Draft:
    kind: str
    text: str
    # Shorter wordings of the same post, longest first, for when `text` does
    # not fit one post: a long quote cut to its first sentences stays a quote.
    shorter: tuple[str, ...] = ()
    # A list: its items packed into as few posts as fit, each under the
    # section heading (`together(start, end)` words items[start:end]); an
    # item too long for that is a post of its own (`items`), split if need be.
    items: tuple[str, ...] = ()
    together: Callable[[int, int], str] | None = None
    # The last resort for a text that fits no post: how to split it (a quote
    # keeps its quote marks on every part); plain splitting when None.
    split: Callable[[Fits], list[str]] | None = None
    # List items with code: the draft as laid out, once what fits is known —
    # each item's code stays only where its post holds it (`_code_draft`).
    settle: Callable[[Fits, list[CodeBlock], int], _Draft] | None = None

    @property
    def weight(self) -> int:
        """How many ideas the draft carries (a list: one per item)."""
        return len(self.items) or 1


class ThreadError(MastheadError):
    """The article cannot be made into a thread with the options given."""


def build_thread(
    article: Article,
    platform: str | Platform,
    config: Config | None = None,
    *,
    max_posts: int | None = None,
    numbering: bool = True,
    limit: int | None = None,
    include_faq: bool = False,
) -> Thread:
    config = config or Config()
    rules = platform if isinstance(platform, Platform) else get_platform(platform)
    rules = rules.with_limit(limit)
    if max_posts is not None and max_posts < MIN_POSTS:
        raise ThreadError(f"--max-posts must be at least {MIN_POSTS} (the hook and the link)")
    labels = labels_for(article.lang, dict(config.labels))
    env = template_environment("social", autoescape=False, override=config.templates_path())
    macros = _macros(env, rules.key, tuple(labels.items()))
    link = _link(article, rules, config)

    if not rules.thread:
        return _single_post(article, rules, macros, link)

    tags = _hashtags(article, rules)
    drafts = _drafts(article, macros, link, tags, include_faq)
    numbered = numbering and rules.numbering
    left_out: list[CodeBlock] = []
    while True:
        texts = _layout(drafts, rules, macros, numbered, left_out)
        if max_posts is None or len(texts) <= max_posts:
            break
        if not _drop_one(drafts):
            raise ThreadError(
                f"the hook and closing post alone need {len(texts)} posts on "
                f"{rules.name}; --max-posts {max_posts} is too few"
            )
    posts = tuple(_post(rules, i, t, tags) for i, t in enumerate(texts, start=1))
    return Thread(rules, posts, tuple(left_out))


# --- choosing what is said ------------------------------------------------------


class _Macros:
    """The macros of `<platform>.j2`, falling back to `thread.j2`'s; templates
    in the config's `templates` folder shadow the built-in ones."""

    def __init__(self, env: Environment, platform: str, labels: dict[str, str]) -> None:
        context = {"labels": labels}
        with template_errors():
            base = env.get_template("thread.j2")
            try:
                own = env.get_template(f"{platform}.j2")
            except TemplateNotFound:
                own = None
            self._base = base.make_module(context)
            self._own = own.make_module(context) if own else None
        # Macros from the same templates and labels word everything alike.
        self.key = (base, own, tuple(labels.items()))
        # A thread asks for "3/12" once per post and again per re-layout.
        self._numbers: dict[tuple[int, int], str] = {}

    def __call__(self, name: str, *args: Any, **kwargs: Any) -> str:
        macro = getattr(self._own, name, None) or getattr(self._base, name)
        with template_errors():
            return str(macro(*args, **kwargs)).strip()

    def has(self, name: str, argument: str | None = None) -> bool:
        """Whether the templates define macro `name` (with `argument`): a copy
        made by `init --templates` before a macro or argument existed may not."""
        macro = getattr(self._own, name, None) or getattr(self._base, name, None)
        if macro is None:
            return False
        return argument is None or argument in getattr(macro, "arguments", ())

    def number(self, index: int, total: int) -> str:
        key = (index, total)
        if key not in self._numbers:
            self._numbers[key] = self("number", index, total)
        return self._numbers[key]


@lru_cache(maxsize=64)
def _macros(env: Environment, platform: str, labels: tuple[tuple[str, str], ...]) -> _Macros:
    # Keyed by the environment itself, so a preview that drops the cached
    # environment after a template edit gets freshly loaded macros.
    return _Macros(env, platform, dict(labels))


def _link(article: Article, rules: Platform, config: Config) -> str | None:
    link = article_link(article.url, config.site_url, article.slug)
    if link and config.utm.enabled:
        link = utm_link(
            link,
            source=rules.key,
            medium="social",
            campaign=campaign_name(config, article.slug),
        )
    return link


# Characters twitter-text calls invalid (a post holding one is refused) and
# that no platform shows usefully: bidi embeddings/overrides and BOM-likes.
_INVALID_IN_POSTS = re.compile("[\u202a-\u202e\ufeff\ufffe\uffff]")


def post_text(text: RichText) -> str:
    """Rich text as one line of post text. Links keep their text only (a bare
    URL's text is the URL), so no scheme an article chose is ever linked here."""
    return clean(text.plain_text)


def clean(text: str) -> str:
    """One piece of the article as post text: a post is body text, so its
    bidi isolates are balanced (see sanitize)."""
    return " ".join(balanced_bidi(_INVALID_IN_POSTS.sub("", text)).split())


# Straight quote marks round a whole quote become curly, as the brief asks.
_CURLED = {'"': ("“", "”"), "'": ("‘", "’")}


def _curled(opening: str, inner: str, closing: str) -> tuple[str, str]:
    """The marks for a quote: straight ones round it whole, not also inside
    it ('"We ship," she said. "Then we fix."'), become curly."""
    if opening == closing in _CURLED and opening not in inner:
        return _CURLED[opening]
    return opening, closing


def _quoted(text: str) -> str:
    text = text.strip()
    if len(text) > 1 and text[0] in _CURLED:
        inner = text[1:-1]
        opening, closing = _curled(text[0], inner, text[-1])
        if opening != text[0]:
            return f"{opening}{inner.strip()}{closing}"
    if text[:1] in _OPEN_QUOTES and (text[0] not in "'\"" or text[-1] in _CLOSE_QUOTES):
        return text  # quoted already; a lone straight mark may be an elision ('Tis)
    return f"“{text}”"


# Signs a hashtag cannot hold but that carry the meaning: C++, C#, .NET.
_TAG_SIGNS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"(?<=\w)\++"), lambda m: " Plus" * len(m.group()) + " "),
    (re.compile(r"(?<=\w)#"), lambda m: " Sharp "),
    (re.compile(r"(?<!\w)\.(?=\w)"), lambda m: " Dot "),
)


def hashtag(tag: str) -> str:
    """`developer relations` -> `#DeveloperRelations`; one word keeps its case,
    as does a word cased inside (`iOS 18` -> `#iOS18`); `C++` -> `#CPlusPlus`;
    `women's health` -> `#WomensHealth`. Words of a script without case are
    joined by `_` (`#تربية_النحل`), as no capital shows where one ends. A tag
    of digits only is no hashtag on any platform: ""."""
    tag = _APOSTROPHE.sub("", tag.lstrip("#"))
    for sign, word in _TAG_SIGNS:
        tag = sign.sub(word, tag)
    words = [w for w in _NOT_IN_TAG.split(tag) if w]
    if not any(_LETTER.search(w) for w in words):
        return ""
    if len(words) == 1:
        return "#" + words[0]
    if any(_CASELESS_SPACED.fullmatch(w) for w in words):
        return "#" + "_".join(words)
    return "#" + "".join(w if _cased_inside(w) else w[:1].upper() + w[1:] for w in words)


# The apostrophe of an English contraction or possessive goes ("women's",
# "don't"); one before a word ("Côte d'Ivoire") parts two words.
_APOSTROPHE = regex.compile(r"(?<=\w)['’](?=(?:s|t|re|ve|ll|d|m)\b)")
_NOT_IN_TAG = regex.compile(r"[^\p{L}\p{M}\p{N}_]+")
_LETTER = regex.compile(r"\p{L}")
# Letters of no case in a script that puts spaces between words (Arabic,
# Hebrew, Devanagari…); Chinese and Japanese put none, so join as they are.
_CASELESS_SPACED = regex.compile(
    r"(?=.*\p{L})[[\p{L}\p{M}\p{N}_]--[\p{Lu}\p{Ll}\p{Lt}\p{Han}\p{Hiragana}\p{Katakana}]]+",
    regex.VERSION1,
)


def _cased_inside(word: str) -> bool:
    return word[:1].islower() and any(c.isupper() for c in word[1:])


def _hashtags(article: Article, rules: Platform) -> list[str]:
    # Hashtags ignore case: #tag and #TAG are one tag, the first spelling wins.
    unique: dict[str, str] = {}
    for tag in (hashtag(t) for t in article.tags):
        if len(tag) > 1:
            unique.setdefault(tag.casefold(), tag)
    return list(unique.values())[: rules.hashtags]


def _why_it_matters(article: Article) -> str | None:
    """The first sentence under a "why it matters" kind of heading, unless
    it only says the dek again."""
    for section in article.sections:
        if is_why_it_matters(section.heading):
            for block in section.blocks:
                if isinstance(block, Paragraph):
                    why = first_sentence(post_text(block.text))
                    if article.dek and _same_words(why, clean(article.dek)):
                        return None
                    return why or None
    return None


def _drafts(
    article: Article, macros: _Macros, link: str | None, tags: list[str], include_faq: bool
) -> list[_Draft]:
    body, why = _body_drafts(article, macros, include_faq)
    closing = _Draft("closing", macros("closing", why, link, tags))
    if tags and not why and not link and body and body[0].kind == "hook":
        # Hashtags alone make a last post no one would write: they go with
        # the hook, if it still fits with them.
        hook = body[0]
        body = (
            replace(hook, text=f"{hook.text}\n\n{closing.text}", shorter=(hook.text,)),
            *body[1:],
        )
        closing = _Draft("closing", "")
    return [d for d in (*body, closing) if d.text or d.items]


# The last article's body drafts, by the templates that worded them: the
# platforms that share `thread.j2` say the same thing up to the closing post,
# so a render of every platform works them out once.
_LAST_BODY: dict[tuple[Any, ...], tuple[Article, tuple[_Draft, ...], str | None]] = {}


def _body_drafts(
    article: Article, macros: _Macros, include_faq: bool
) -> tuple[tuple[_Draft, ...], str | None]:
    key = (macros.key, include_faq)
    cached = _LAST_BODY.get(key)
    if cached is not None and cached[0] is article:
        return cached[1], cached[2]
    drafts = [_Draft("hook", macros("hook", clean(article.title)))]
    if article.dek:
        drafts.append(_Draft("dek", macros("dek", clean(article.dek))))
    why = _why_it_matters(article)
    ideas: list[_Draft] = []
    # The lead often carries the news itself, before any heading.
    ideas.extend(_opener(article.lead, "", macros, skip=article.dek or "", kind="lead"))
    ideas.extend(_section_ideas(Section("", article.lead), macros, include_faq))
    for section in article.sections:
        found = _section_ideas(section, macros, include_faq)
        if not found and not is_why_it_matters(section.heading):
            # A section of prose only: its opening sentence may stand for it.
            found = _opener(section.blocks, section.heading, macros, skip=article.dek or "")
        ideas.extend(found)
    takeaways = sum(d.weight for d in ideas if d.kind == "takeaway")
    if takeaways and takeaways + sum(d.weight for d in ideas if d.kind == "fact") > FEW_IDEAS:
        # The article's own takeaways sum it up; its facts besides would say
        # much of it twice in a thread this long.
        ideas = [d for d in ideas if d.kind != "fact"]
    if sum(d.weight for d in ideas if d.kind != "opener") >= FEW_IDEAS:
        ideas = [d for d in ideas if d.kind != "opener"]  # enough said already
    body = (*drafts, *ideas)
    _LAST_BODY.clear()  # one article at a time: memory stays flat
    _LAST_BODY[key] = (article, body, why)
    return body, why


def _section_ideas(section: Section, macros: _Macros, include_faq: bool) -> list[_Draft]:
    ideas: list[_Draft] = []
    is_takeaway = is_takeaways(section.heading)
    heading = clean(section.heading)
    for block in section.blocks:
        if isinstance(block, ListBlock):
            kind = "takeaway" if is_takeaway else "fact"
            steps = _item_texts(block)
            # Under its heading a list keeps its context: "What broke:
            # • …" reads as written, a lone "📌 The email was pasted…" not.
            packed = len(steps) > 1 and macros.has("points")
            for run in [steps] if packed else [[step] for step in steps]:
                ideas.append(_code_draft(kind, section.heading, heading, run, macros, packed))
        elif isinstance(block, Quote) and (draft := _quote(block, macros)):
            ideas.append(draft)
        elif isinstance(block, FAQ) and include_faq:
            for item in block.items:
                answer = " ".join(post_text(a) for a in item.answer)
                question = post_text(item.question)
                ideas.append(_Draft("faq", macros("faq", question, answer)))
    return ideas


@dataclass(frozen=True, slots=True)
class _Step:
    """A list item as post text: `bare` without its code, `full` with each
    code block on lines of its own where it stands, and those code blocks."""

    bare: str
    full: str
    code: tuple[CodeBlock, ...] = ()


def _item_texts(block: ListBlock) -> list[_Step]:
    """A list's items as post text, empty ones left out. What is written
    under an item follows its line: a nested list joins it ("First step: do
    this; then that"), as a post has no indent to show that it belongs
    there; paragraphs and quotes follow as sentences; code goes on lines of
    its own, never into a sentence. Tables and images stay out of threads."""
    steps: list[_Step] = []
    for index, item in enumerate(block.items):
        pieces: list[str | CodeBlock] = [post_text(item)]
        for inner in block.body(index):
            _add_pieces(pieces, inner)
        step = _step(pieces)
        if step.full:
            steps.append(step)
    return steps


def _add_pieces(pieces: list[str | CodeBlock], block: Block) -> None:
    """Add what `block`, under a list item, says to the item's `pieces`:
    runs of text to join as sentences, and code blocks between them."""
    if isinstance(block, ListBlock):
        under = _item_texts(block)
        if words := [u.bare for u in under if u.bare]:
            if pieces and isinstance(pieces[-1], str) and pieces[-1]:
                pieces[-1] = with_colon(pieces[-1])  # "First step:" then its items
            # Sentences follow each other; fragments take a semicolon.
            sep = " " if all(_ends_sentence(w) for w in words) else "; "
            pieces.append(sep.join(words))
        pieces.extend(code for u in under for code in u.code)
    elif isinstance(block, Paragraph | Subheading):
        pieces.append(post_text(block.text))
    elif isinstance(block, Quote):
        pieces.append(post_text(block.text))
        for inner in block.blocks:
            _add_pieces(pieces, inner)
    elif isinstance(block, CodeBlock):
        pieces.append(block)


def _step(pieces: list[str | CodeBlock]) -> _Step:
    words: list[str] = []  # the text runs, without code
    lines: list[str] = []  # with code: a run of text, or a line of code
    run: list[str] = []
    code: list[CodeBlock] = []
    for piece in pieces:
        if isinstance(piece, CodeBlock):
            if text := _code_text(piece.text):
                code.append(piece)
                if run:
                    lines.append(" ".join(run))
                    run = []
                lines.append(text)
        elif piece:
            words.append(piece)
            run.append(piece)
    if run:
        lines.append(" ".join(run))
    return _Step(" ".join(words), "\n".join(lines), tuple(code))


def _code_text(code: str) -> str:
    """Code for a post: its lines as written (indent kept), blank ones and
    characters no post may hold left out, and its bidi isolates closed on
    their lines, as in any body text (see sanitize)."""
    lines = balanced_bidi(_INVALID_IN_POSTS.sub("", code)).split("\n")
    return "\n".join(line.rstrip() for line in lines if line.strip())


def _code_draft(
    kind: str, heading: str, shown: str, steps: list[_Step], macros: _Macros, packed: bool
) -> _Draft:
    """The draft of list items: one post per item, or the items packed under
    the section's heading (`shown`). An item with code keeps it where its
    own post can hold it; the draft settles that when what fits is known."""

    def draft(texts: list[str]) -> _Draft:
        singles = tuple(macros(kind, text, heading) for text in texts)
        if not packed:
            return _Draft(kind, singles[0] if singles else "")
        return _Draft(kind, "", items=singles, together=_together(macros, shown, texts))

    whole = draft([step.full for step in steps])
    if not any(step.code for step in steps):
        return whole

    def settle(fits: Fits, left_out: list[CodeBlock], count: int) -> _Draft:
        texts: list[str] = []
        for step in steps[:count]:
            if step.code and not fits(macros(kind, step.full, heading)):
                left_out.extend(step.code)
                if step.bare:
                    texts.append(step.bare)
            else:
                texts.append(step.full)
        return draft(texts)

    return replace(whole, settle=settle)


def _ends_sentence(text: str) -> bool:
    return text.rstrip("\"'”’)»").endswith((".", "!", "?", "…", "。", "！", "？", ";", "；"))


def _quote_parts(block: Quote) -> tuple[str, str]:
    """The quote in curly quotes, and its attribution ("" when it has none)."""
    text = post_text(block.text)
    attribution = post_text(block.attribution) if block.attribution else ""
    return (_quoted(text) if text else ""), attribution


_CLOSE_QUOTES = "”\"’'»“"


def _quote(block: Quote, macros: _Macros) -> _Draft | None:
    text, attribution = _quote_parts(block)
    if not text:
        return None
    # A quote too long for one post loses its last sentences, marked "…",
    # rather than being split: each part of a split quote would lack a quote
    # mark or the attribution.
    inner = post_text(block.text)
    opening, closing = "“", "”"
    if inner[:1] in _OPEN_QUOTES and inner[-1:] in _CLOSE_QUOTES and len(inner) > 1:
        opening, closing, inner = inner[0], inner[-1], inner[1:-1].strip()
        opening, closing = _curled(opening, inner, closing)
    said = sentences(inner) or [inner]
    cuts = [f"{join_sentences(said[:count])} …" for count in range(len(said) - 1, 0, -1)]
    shorter = tuple(macros("quote", f"{opening}{cut}{closing}", attribution) for cut in cuts)

    def split(fits: Fits) -> list[str]:
        # Not even the first sentence fits with its attribution: it goes over
        # several posts, each part in quote marks, the attribution on the last.
        def worded(part: str, last: bool = True) -> str:
            return macros("quote", f"{opening}{part}{closing}", attribution if last else "")

        parts = split_to_fit(cuts[-1] if cuts else inner, lambda part: fits(worded(part)))
        return [worded(part, n == len(parts)) for n, part in enumerate(parts, start=1)]

    return _Draft("quote", macros("quote", text, attribution), shorter=shorter, split=split)


def _together(macros: _Macros, heading: str, items: list[str]) -> Callable[[int, int], str]:
    """items[start:end] of a list as one post under its heading."""

    # Packing asks for the same runs a few times in a row; a list of
    # thousands of items must not keep every run it ever tried.
    @lru_cache(maxsize=64)
    def worded(start: int, end: int) -> str:
        return macros("points", heading, items[start:end])

    return worded


def _opener(
    blocks: tuple[Block, ...], heading: str, macros: _Macros, skip: str = "", kind: str = "opener"
) -> list[_Draft]:
    """The first paragraph's first sentence, with the sentences after it
    while they stay short: "New beekeepers open the hive too often." alone
    states a problem; the next sentence says what to do instead. A first
    sentence that repeats `skip` (a lead that opens with the dek) is left out."""
    first = next((b for b in blocks if isinstance(b, Paragraph)), None)
    said = sentences(post_text(first.text)) if first else []
    if said and skip:
        said = said[_said_already(said, skip) :]
    if not said:
        return []
    count = 1
    while count < len(said) and len(join_sentences(said[: count + 1])) <= OPENER_CHARACTERS:
        count += 1
    return [_Draft(kind, macros("fact", join_sentences(said[:count]), heading))]


_WORD = re.compile(r"\w+")


def _said_already(said: list[str], skip: str) -> int:
    """How many of the first sentences `skip` says already: all those whose
    words it starts with (a dek of two sentences, copied into the lead), or
    one sentence that starts with all of its words and goes on."""
    words = _WORD.findall(skip.casefold())
    count = 0
    while count < len(said):
        head = _WORD.findall(join_sentences(said[: count + 1]).casefold())
        if not head or head != words[: len(head)]:
            break
        count += 1
    if count == 0 and _same_words(said[0], skip):
        count = 1
    return count


def _same_words(a: str, b: str) -> bool:
    """Whether one text says the other's words, and then maybe more."""
    words = [_WORD.findall(t.casefold()) for t in (a, b)]
    if not words[0] or not words[1]:  # "🚀" says nothing another text could repeat
        return False
    return words[0][: len(words[1])] == words[1] or words[1][: len(words[0])] == words[0]


def _drop_one(drafts: list[_Draft]) -> bool:
    """Drop the least important idea: a whole draft, or a list's last item."""
    for kind in _DROP_ORDER:
        for index in range(len(drafts) - 1, -1, -1):
            draft = drafts[index]
            if draft.kind == kind:
                if len(draft.items) > 1:
                    drafts[index] = replace(draft, items=draft.items[:-1])
                else:
                    del drafts[index]
                return True
    return False


# --- laying out posts -------------------------------------------------------------


def _layout(
    drafts: list[_Draft],
    rules: Platform,
    macros: _Macros,
    numbered: bool,
    left_out: list[CodeBlock],
) -> list[str]:
    """Split every draft to fit, then number; re-split when the number's
    width grows (9 -> 10 posts takes a character more from every post).
    `left_out` gets the code of list items no post could hold."""
    estimate = len(drafts)
    while True:
        suffix = macros.number(estimate, estimate) if numbered else ""
        reserve = " " + suffix if suffix else ""

        def fits(text: str, reserve: str = reserve) -> bool:
            return rules.fits(text + reserve)

        parts: list[str] = []
        left_out.clear()
        for draft in drafts:
            if draft.settle is not None:
                draft = draft.settle(fits, left_out, len(draft.items) or 1)
            parts.extend(_fit(draft, fits))
        total = len(parts)
        if not numbered:
            return parts
        if len(str(total)) <= len(str(estimate)):
            numbered_parts = [
                f"{text} {macros.number(i, total)}" for i, text in enumerate(parts, start=1)
            ]
            if all(rules.fits(t) for t in numbered_parts):
                return numbered_parts
        estimate = max(total, estimate * 10)


def _fit(draft: _Draft, fits: Fits) -> list[str]:
    """The posts one draft becomes: itself, a shorter wording, or split."""
    if draft.items:
        if draft.together is None or len(draft.items) == 1:
            return [part for text in draft.items for part in split_to_fit(text, fits)]
        return _packed(draft.items, draft.together, fits)
    for text in (draft.text, *draft.shorter):
        if text and fits(text.strip()):
            return [text.strip()]
    if draft.split is not None:
        with contextlib.suppress(SplitError):  # e.g. an attribution longer than a post
            return draft.split(fits)
    return split_to_fit(draft.text, fits)


def _packed(singles: tuple[str, ...], together: Callable[[int, int], str], fits: Fits) -> list[str]:
    """A list in as few posts as fit, each keeping the heading ("Getting
    started: • … • …", then "Getting started: • …"), in the list's order and
    evened out, so no post carries a lone last item when two could share."""
    count = len(singles)
    if fits(whole := together(0, count)):
        return [whole]
    runs: list[tuple[int, int]] = []  # items [start, end) per post; end == start: alone
    start = 0
    while start < count:
        end = start
        while end < count and fits(together(start, end + 1)):
            end += 1
        runs.append((start, end))
        start = max(end, start + 1)
    if all(end > start for start, end in runs):
        even = _even_runs(count, len(runs))
        if all(fits(together(start, end)) for start, end in even):
            runs = even
    posts: list[str] = []
    for start, end in runs:
        if end == start:  # this item alone is too long to go under the heading
            posts.extend(split_to_fit(singles[start], fits))
        else:
            posts.append(together(start, end))
    return posts


def _even_runs(count: int, parts: int) -> list[tuple[int, int]]:
    """`count` items in `parts` runs whose sizes differ by one at most."""
    size, extra = divmod(count, parts)
    runs, start = [], 0
    for index in range(parts):
        end = start + size + (1 if index < extra else 0)
        runs.append((start, end))
        start = end
    return runs


def _post(rules: Platform, index: int, text: str, hashtags: list[str]) -> Post:
    if rules.counter == "bluesky":
        shown, links = bluesky_shorten(text)
        spans = [(start, end, _LINK_FACET, {"uri": uri}) for start, end, uri in links]
        for tag in hashtags:  # ours only: the app makes these clickable, the API needs facets
            for match in _tag_pattern(tag).finditer(shown):
                spans.append((match.start(), match.end(), _TAG_FACET, {"tag": tag[1:]}))
        facets = tuple(
            {
                "index": {
                    "byteStart": len(shown[:start].encode("utf-8")),
                    "byteEnd": len(shown[:end].encode("utf-8")),
                },
                "features": [{"$type": kind, **value}],
            }
            for start, end, kind, value in sorted(spans, key=lambda span: span[0])
        )
        return Post(index, text, rules.count(text), facets)
    return Post(index, text, rules.count(text))


@lru_cache(maxsize=256)
def _tag_pattern(tag: str) -> re.Pattern[str]:
    """`tag` standing alone: not inside a word, not the start of a longer tag."""
    return re.compile(rf"(?<!\S){re.escape(tag)}(?!\w)")


_LINK_FACET = "app.bsky.richtext.facet#link"
_TAG_FACET = "app.bsky.richtext.facet#tag"


def _points(block: ListBlock, rules: Platform, left_out: list[CodeBlock]) -> list[str]:
    """A list's items as points of a single post, each with its code where
    the point alone fits the platform."""
    points: list[str] = []
    for step in _item_texts(block):
        if not step.code or rules.fits(step.full):
            points.append(step.full)
            continue
        left_out.extend(step.code)
        if step.bare:
            points.append(step.bare)
    return points


def _single_post(article: Article, rules: Platform, macros: _Macros, link: str | None) -> Thread:
    points: list[str] = []
    left_out: list[CodeBlock] = []
    points_heading = ""
    quotes: list[dict[str, str]] = []
    sections = (Section("", article.lead), *article.sections)  # the lead under no heading
    for section in sections:
        for block in section.blocks:
            if isinstance(block, ListBlock) and is_takeaways(section.heading):
                points_heading = points_heading or clean(section.heading)
                points += _points(block, rules, left_out)
            elif isinstance(block, Quote) and (parts := _quote_parts(block))[0]:
                quotes.append({"text": parts[0], "attribution": parts[1]})
    groups: list[dict[str, Any]] = []
    if points:
        groups.append({"heading": points_heading, "points": points})
    else:
        # Without takeaways, every list, each under its section's heading: two
        # lists run together ("what broke", "how it works now") read as one.
        for section in sections:
            items = [
                text
                for block in section.blocks
                if isinstance(block, ListBlock)
                for text in _points(block, rules, left_out)
            ]
            if items:
                groups.append({"heading": clean(section.heading), "points": items})
    why = _why_it_matters(article)
    hashtags = _hashtags(article, rules)
    title, dek = clean(article.title), clean(article.dek or "")
    extra: dict[str, Any] = {}
    if (
        rules.fold
        and dek
        and rules.count(f"{title}\n{dek}") > rules.fold
        and macros.has("post", "intro")  # an older copy of the template has no such place
    ):
        # The title and dek are the hook, shown before "see more": a dek too
        # long for that opens the body instead, as its first paragraph.
        extra["intro"], dek = dek, ""
    grouped = macros.has("post", "groups")  # else an older copy: one flat list
    # Drop the least important parts until the post fits: quotes, then points
    # from the last, then the "why". Dropping only shortens the post, so the
    # fewest drops that fit are found by halving, not one by one: a long
    # article has thousands of points, and each try words the whole post.
    listed = [(n, point) for n, group in enumerate(groups) for point in group["points"]]

    def worded(drops: int) -> str:
        kept = listed[: max(len(listed) - max(drops - len(quotes), 0), 0)]
        if grouped:
            by_group: dict[int, list[str]] = {}
            for n, point in kept:
                by_group.setdefault(n, []).append(point)
            extra["groups"] = [{**groups[n], "points": ps} for n, ps in by_group.items()]
        return macros(
            "post",
            title,
            dek,
            [] if grouped else [point for _, point in kept],
            quotes[: max(len(quotes) - drops, 0)],
            why if drops <= len(quotes) + len(listed) else None,
            link,
            hashtags,
            **extra,
        )

    if not rules.fits(text := worded(0)):  # the usual case: all of it fits, one wording
        most = len(quotes) + len(listed) + (1 if why else 0)
        if not rules.fits(text := worded(most)):
            raise ThreadError(
                f"even the title, dek and link are longer than one {rules.name} post "
                f"({rules.count(text)} of {rules.limit})"
            )
        low, high = 1, most  # worded(low - 1) does not fit; worded(high) does
        while low < high:
            middle = (low + high) // 2
            if rules.fits(worded(middle)):
                high = middle
            else:
                low = middle + 1
        text = worded(high)
    return Thread(rules, (Post(1, text, rules.count(text)),), tuple(left_out))


# --- output ---------------------------------------------------------------------------

SEPARATOR = "---"


def to_text(thread: Thread) -> str:
    return f"\n{SEPARATOR}\n".join(post.text for post in thread.posts) + "\n"


def to_dict(thread: Thread) -> dict[str, Any]:
    posts = []
    for post in thread.posts:
        entry: dict[str, Any] = {"index": post.index, "text": post.text, "length": post.length}
        if thread.platform.counter == "bluesky":
            entry["text"] = bluesky_shorten(post.text)[0]
            entry["facets"] = list(post.facets)
        posts.append(entry)
    return {"platform": thread.platform.key, "limit": thread.limit, "posts": posts}
