"""How a plan fits one platform: each piece worded by its template, split
where it is too long, packed, numbered, and counted the platform's way.

A piece is what one post carries on X: a paragraph's chosen sentences, a
list's chosen items under their heading (continued posts marked), a quote,
a FAQ answer. On a platform with `fuller` posts (500 characters: Mastodon,
Threads) consecutive pieces share a post while they fit, one signpost emoji
a post. A quote too long for a post keeps its strongest complete
sentences that fit (by the same salience as the plan), or goes over several
posts, each part in quote marks and the attribution on the last. A post over
the platform's limit is never returned.
"""

from __future__ import annotations

import contextlib
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import regex

from generator.model import CodeBlock
from generator.platforms import Platform
from generator.text.counting import dot_letter, grapheme_length
from generator.text.splitting import Fits, SplitError, join_sentences, sentences, split_to_fit

from .macros import Macros
from .material import Idea
from .plan import Plan, score
from .said import content_words, figures

# The hook stays under this many characters, on any platform's count.
HOOK_MOST = 200
# Sentences of a long quote weighed to choose what fits.
QUOTE_SENTENCES = 12
# A quote cut to share a post takes at most this share of one.
TIGHT_QUOTE = 0.55


class Rules(Protocol):
    """What laying out needs of a platform (`Quick`, or `LowerBound`)."""

    key: str
    name: str
    limit: int

    def count(self, text: str) -> int: ...

    def fits(self, text: str, tail: str = "") -> bool:
        """Whether `text` followed by `tail` ("" or a space and the post
        number) makes one post."""
        ...


@dataclass(frozen=True, slots=True)
class Piece:
    """Consecutive chosen ideas that go out together."""

    kind: str  # prose | list | quote | faq
    ideas: tuple[Idea, ...]
    # The ideas' keys: what its wording is remembered by (asked for each
    # time the piece is laid out).
    key: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", tuple(i.key for i in self.ideas))


def pieces(ideas: list[Idea]) -> list[Piece]:
    """The ideas in reading order, a paragraph's sentences and a list's items
    each brought together."""
    runs: list[tuple[str, list[Idea]]] = []
    for idea in sorted(ideas, key=lambda i: i.key):
        kind = idea.kind
        if idea.is_list:
            kind = "list"
        elif kind == "lead":
            kind = "prose"
        if (
            runs
            and runs[-1][0] == kind
            and kind in ("prose", "list")
            and runs[-1][1][-1].group == idea.group
        ):
            runs[-1][1].append(idea)
        else:
            runs.append((kind, [idea]))
    return [Piece(kind, tuple(run)) for kind, run in runs]


class Wording:
    """Words pieces for one platform, remembering what it worded: a layout
    is tried again with a wider post number, or with an idea fewer."""

    def __init__(self, plan: Plan, rules: Rules, macros: Macros, left_out: list[CodeBlock]):
        self.plan = plan
        self.rules = rules
        self.macros = macros
        self.left_out = left_out
        self.signposts = macros.has("fact", "signpost") and macros.has("points", "signpost")
        self._done: dict[tuple[Any, ...], tuple[list[str], list[str], tuple[CodeBlock, ...]]] = {}
        self._bodies: dict[tuple[Any, ...], list[Piece]] = {}
        # Quotes cut to their strongest sentences even where the whole fits,
        # so they share a post: how a fuller thread keeps to its budget.
        self.tight = False

    def body(self, plan: Plan, frame: Frame) -> list[Piece]:
        """The pieces of the body, made once for each set of ideas laid out
        (a layout is tried again with a wider number, or with an idea fewer).
        The ideas' keys tell them apart: all are this plan's (or, key 10**9,
        its close said in the body)."""
        ideas = [i for i in plan.chosen if i.key not in frame.dropped] + list(frame.extra)
        key = (tuple(i.key for i in ideas), tuple(i.key for i in plan.faq))
        found = self._bodies.get(key)
        if found is None:
            found = self._bodies[key] = pieces(ideas) + [Piece("faq", (i,)) for i in plan.faq]
        return found

    def posts(self, piece: Piece, fits: Fits, reserve: str) -> tuple[list[str], str | None]:
        """The posts `piece` becomes, and its single post without a signpost
        (to follow another piece in a post), when it is one post."""
        tight = self.tight and piece.kind == "quote"
        cache = (piece.key, reserve, tight)
        if cache not in self._done:
            if tight:
                limit = self.rules.limit * TIGHT_QUOTE

                def fits_tight(text: str) -> bool:
                    return fits(text) and self.rules.count(text) <= limit

                self._done[cache] = self._quote(piece.ideas[0], fits_tight)
            else:
                self._done[cache] = self._word(piece, fits)
        posts, bare, code = self._done[cache]
        self.left_out.extend(code)
        return posts, (bare[0] if len(posts) == 1 and bare else None)

    def _word(
        self, piece: Piece, fits: Fits
    ) -> tuple[list[str], list[str], tuple[CodeBlock, ...]]:
        macros = self.macros
        heading = piece.ideas[0].heading
        if piece.kind == "prose":
            text = join_sentences([i.text for i in piece.ideas])
            whole = self._call("fact", text, heading)
            if fits(whole) or len(piece.ideas) == 1:
                return _fitted(whole, fits), [self._call("fact", text, heading, signpost=False)], ()
            # Too long together: each idea a post of its own, signposted.
            posts = [
                post
                for idea in piece.ideas
                for post in _fitted(self._call("fact", idea.text, heading), fits)
            ]
            return posts, [], ()
        if piece.kind == "quote":
            return self._quote(piece.ideas[0], fits)
        if piece.kind == "faq":
            idea = piece.ideas[0]
            worded = self._call("faq", idea.question, idea.text)
            bare = self._call("faq", idea.question, idea.text, signpost=False)
            return _fitted(worded, fits), [bare], ()
        steps = [step for idea in piece.ideas for step in idea.steps]
        texts: list[str] = []
        left: list[CodeBlock] = []
        for step in steps:
            if step.code and not fits(self._points(heading, [step.full])):
                left.extend(step.code)
                if step.bare:
                    texts.append(step.bare)
            else:
                texts.append(step.full)
        if not macros.has("points"):  # an older copy: a post per item
            kind = "takeaway" if piece.ideas[0].kind == "takeaway" else "fact"
            posts = [p for t in texts for p in _fitted(macros(kind, t, heading), fits)]
            return posts, [], tuple(left)
        posts = _packed(texts, heading, self._points, self._call, fits)
        bare = [self._points(heading, texts, signpost=False)] if len(posts) == 1 else []
        return posts, bare, tuple(left)

    def _call(self, name: str, *args: Any, signpost: bool = True) -> str:
        if signpost or not self.signposts:
            return self.macros(name, *args)
        return self.macros(name, *args, signpost=False)

    def _points(
        self, heading: str, items: list[str], continued: bool = False, signpost: bool = True
    ) -> str:
        extra: dict[str, Any] = {}
        if continued:
            if self.macros.has("points", "continued"):
                extra["continued"] = True
            else:
                heading = f"{heading} ({self.macros.labels.get('continued', '…')})"
        if not signpost and self.signposts:
            extra["signpost"] = False
        return self.macros("points", heading, tuple(items), **extra)

    def _quote(
        self, idea: Idea, fits: Fits
    ) -> tuple[list[str], list[str], tuple[CodeBlock, ...]]:
        said = idea.quote
        assert said is not None
        attribution = said.attribution

        def worded(words: str, last: bool = True, signpost: bool = True) -> str:
            shown = attribution if last else ""
            return self._call("quote", said.part(words), shown, signpost=signpost)

        whole = worded(said.inner)
        if fits(whole):
            return [whole], [worded(said.inner, signpost=False)], ()
        best = _strongest_run(sentences(said.inner)[:QUOTE_SENTENCES], lambda w: fits(worded(w)))
        if best is not None:
            return [worded(best)], [worded(best, signpost=False)], ()
        # Not one sentence fits with the attribution: the quote goes over
        # several posts, each part in quote marks, the attribution on the last.
        with contextlib.suppress(SplitError):  # e.g. an attribution longer than a post
            parts = split_to_fit(said.inner, lambda part: fits(worded(part)))
            return [worded(p, n == len(parts)) for n, p in enumerate(parts, start=1)], [], ()
        return split_to_fit(whole, fits), [], ()


def _strongest_run(said: list[str], fits: Callable[[str], bool]) -> str | None:
    """The run of whole sentences that fits and says most: by salience, then
    length; earlier on a tie."""
    weights = [_sentence_weight(s) for s in said]
    best: tuple[float, int, int] | None = None
    found: str | None = None
    for start in range(len(said)):
        for end in range(len(said), start, -1):
            if end - start == len(said):
                continue  # the whole did not fit
            words = join_sentences(said[start:end])
            value = (sum(weights[start:end]), len(words), -start)
            if best is not None and value <= best:
                continue
            if fits(words):
                best, found = value, words
                break  # a shorter run from here weighs less
    return found


# Every platform weighs the same quotes' sentences: worked out once.
@functools.lru_cache(maxsize=256)
def _sentence_weight(sentence: str) -> float:
    probe = Idea(0, "quote", sentence, 0, "", 0, False, figures=tuple(figures(sentence)),
                 words=content_words(sentence))
    return max(score(probe, 1) - 1.0, 0.1) + len(sentence) / 1000


def _fitted(text: str, fits: Fits) -> list[str]:
    text = text.strip()
    return [text] if fits(text) else split_to_fit(text, fits)


def _packed(
    items: list[str],
    heading: str,
    points: Callable[..., str],
    call: Callable[..., str],
    fits: Fits,
) -> list[str]:
    """A list in as few posts as fit, its heading opening the first and each
    later post marked as going on ("Key Facts (cont.):"), the items in order
    and evened out, so no post carries a lone last item when two could share.
    An item too long to go under the heading is split as a post of its own."""
    count = len(items)
    if not count:
        return []
    if fits(whole := points(heading, items)):
        return [whole]
    runs: list[tuple[int, int]] = []  # items [start, end) per post; end == start: alone
    start = 0
    while start < count:
        continued = bool(runs)
        end = start
        while end < count and fits(points(heading, items[start : end + 1], continued)):
            end += 1
        runs.append((start, end))
        start = max(end, start + 1)
    if all(end > start for start, end in runs):
        even = _even_runs(count, len(runs))
        if all(fits(points(heading, items[s:e], n > 0)) for n, (s, e) in enumerate(even)):
            runs = even
    posts: list[str] = []
    for number, (start, end) in enumerate(runs):
        if end == start:  # this item alone is too long to go under the heading
            posts.extend(split_to_fit(call("fact", items[start], heading), fits))
        else:
            posts.append(points(heading, items[start:end], number > 0))
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


# --- the whole thread ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Frame:
    """What a layout needs besides the plan: the first and last posts."""

    hook: tuple[str, ...]  # the hook post(s), unnumbered
    closing: str  # "" when the thread has no closing post
    extra: tuple[Idea, ...]  # ideas the hook or close could not hold, to say in the body
    dropped: frozenset[int]  # ideas the hook says already


def lay_out(
    plan: Plan,
    frame: Frame,
    wording: Wording,
    *,
    numbered: bool,
    fuller: bool,
) -> list[str]:
    """The thread's posts, numbered ("3/7") when `numbered`; re-laid when the
    number's width grows (9 -> 10 posts takes a character more from each)."""
    rules, macros = wording.rules, wording.macros
    body = wording.body(plan, frame)
    estimate = len(body) + len(frame.hook) + 1
    while True:
        suffix = macros.number(estimate, estimate) if numbered else ""
        reserve = " " + suffix if suffix else ""

        def fits(text: str, reserve: str = reserve) -> bool:
            return rules.fits(text, reserve)

        wording.left_out.clear()
        parts: list[str] = [split for text in frame.hook for split in _fitted(text, fits)]
        joinable: str | None = None  # the last post, when another piece may join it
        last: Piece | None = None
        for piece in body:
            posts, bare = wording.posts(piece, fits, reserve)
            if fuller and joinable is not None and bare is not None and _related(last, piece):
                joined = f"{joinable}\n\n{bare}"
                if fits(joined):
                    parts[-1] = joinable = joined
                    last = piece
                    continue
            parts.extend(posts)
            joinable = posts[0] if len(posts) == 1 and bare is not None else None
            last = piece
        if frame.closing:
            parts.extend(_fitted(frame.closing, fits))
        total = len(parts)
        if not numbered:
            return parts
        if len(str(total)) <= len(str(estimate)):
            numbers = [" " + macros.number(i, total) for i in range(1, total + 1)]
            if all(rules.fits(text, number) for text, number in zip(parts, numbers, strict=True)):
                return [text + number for text, number in zip(parts, numbers, strict=True)]
        estimate = max(total, estimate * 10)


# A word that might be a link: a scheme, or a dot before a letter ("a.co").
def _related(before: Piece | None, piece: Piece) -> bool:
    """Whether `piece` may follow `before` in one post: prose after a list of
    another section would read as part of that list's section."""
    if before is None:
        return False
    return not (
        piece.kind == "prose"
        and before.kind == "list"
        and before.ideas[0].section != piece.ideas[0].section
    )


_LINKISH = regex.compile(r"://|[.．。｡]\p{L}")
_WIDE_STOPS = regex.compile(r"[．。｡]")


def floor_posts(plan: Plan, frame: Frame, limit: int) -> int:
    """The fewest posts any layout of this plan can take at `limit`
    characters a post, counted as X counts (a character weighs at least one,
    a link 23): a post per piece at least, and as many as its words fill.
    Nothing is worded: it is a bound, not a layout."""
    ideas = [i for i in plan.chosen if i.key not in frame.dropped] + list(frame.extra)
    total = max(len(frame.hook), 1) + (1 if frame.closing else 0)
    for piece in pieces(ideas) + [Piece("faq", (i,)) for i in plan.faq]:
        if piece.kind == "quote":
            total += 1
            continue
        texts = [s.bare for i in piece.ideas for s in i.steps] if piece.kind == "list" else [
            i.question + i.text for i in piece.ideas
        ]
        size = sum(_at_least(t) for t in texts)
        total += max(1, math.ceil(size / limit))
    return total


def _at_least(text: str) -> int:
    """A length no platform's count of `text` goes under: its characters,
    with each word that might be a link counted as one."""
    if "." not in text and "://" not in text and not _WIDE_STOPS.search(text):
        return grapheme_length(text)  # no word can be a link
    total = grapheme_length(text)
    for word in text.split():
        if _LINKISH.search(word):
            total += 1 - grapheme_length(word)
    return total


# Text with none of these holds no link and no mention, by any platform's
# rules: a scheme, a dot before a letter ("example.com"), an at sign.
_COUNTED_APART = regex.compile(r"://|[.．。｡]\p{L}|@")


def _counted_apart(text: str) -> bool:
    """Whether `_COUNTED_APART` matches in `text`: an at sign or a scheme
    anywhere, else a dot before a letter (found from the dots: the regex
    tries its three ways at every character)."""
    return "@" in text or "://" in text or dot_letter(text)


class _Facts:
    """What the bounds of `Quick` need of a text, the same for every
    platform: its UTF-8 bytes, whether it may hold a link (`linkish`: the
    matches of `_LINKISH`, `schemes` of them "://") or a mention, and its
    grapheme clusters when asked. Each is the sum (the clusters: at most one
    more than the sum) over a text's parts where the next part starts with a
    space: no match of `_COUNTED_APART` or `_LINKISH` holds a space, and a
    space ends any cluster but one it joins (after a prepended mark)."""

    __slots__ = ("apart", "clusters", "linkish", "mention", "schemes", "size", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.size = len(text.encode("utf-8"))
        self.apart = _counted_apart(text)
        self.mention = self.apart and "@" in text
        self.linkish = len(_LINKISH.findall(text)) if self.apart else 0
        self.schemes = text.count("://") if self.apart else 0
        self.clusters = -1

    def least_clusters(self) -> int:
        if self.clusters < 0:
            self.clusters = grapheme_length(self.text)
        return self.clusters


# Facts of the texts laid out lately, shared by the platforms: a render lays
# the same pieces out for four of them, each under several post numbers.
# Emptied when it holds `FACTS_KEPT` texts, so it never holds more than
# about an article's; a text too long for any post is not kept.
FACTS_KEPT = 2048
_FACTS_LONGEST = 2000
_FACTS: dict[str, _Facts] = {}


def _facts(text: str) -> _Facts:
    found = _FACTS.get(text)
    if found is None:
        found = _Facts(text)
        if len(text) <= _FACTS_LONGEST:
            if len(_FACTS) >= FACTS_KEPT:
                _FACTS.clear()
            _FACTS[text] = found
    return found


class Quick:
    """A platform's rules, answering `fits` from bounds where they settle
    it. A text holding no link or mention is counted by every platform as
    at least its grapheme clusters and at most its UTF-8 bytes (X weighs a
    character 1 or 2 and a code point above U+10FF has 3 bytes or more;
    Threads counts an emoji as its bytes; LinkedIn UTF-16 units): within
    the limit by bytes, it fits; over it by clusters, it does not. Any
    other text is counted the platform's way. Laying out a thread tries many
    texts against the limit; most are settled here without a count, from
    facts of the text and of the post number after it, each worked out once
    (`_Facts`)."""

    def __init__(self, rules: Platform) -> None:
        self.rules = rules
        self.key, self.name, self.limit = rules.key, rules.name, rules.limit
        # Re-laying a thread asks again about texts it asked about before.
        self._fits: dict[tuple[str, str], bool] = {}

    def count(self, text: str) -> int:
        return self.rules.count(text)

    def fits(self, text: str, tail: str = "") -> bool:
        """Whether `text`, followed by `tail` ("" or a space and the post
        number), makes a post the platform takes."""
        key = (text, tail)
        known = self._fits.get(key)
        if known is None:
            known = self._fits[key] = self._fits_afresh(text, tail)
        return known

    def _fits_afresh(self, text: str, tail: str) -> bool:
        facts = _facts(text)
        size, apart, mention = facts.size, facts.apart, facts.mention
        more = None
        if tail:
            more = _facts(tail)
            size += more.size
            apart = apart or more.apart
            mention = mention or more.mention
        rules = self.rules
        if not apart:
            if size <= self.limit:
                return rules.max_bytes is None or size <= rules.max_bytes
            least = facts.least_clusters()
            if more is not None:
                least += more.least_clusters() - 1  # a space may join what is before it
            if least > self.limit:
                return False
        elif not mention:
            # Links, no mention: a link counts 23 at most (X, Mastodon), or
            # less than written (Bluesky shortens it), so bytes and 23 a
            # link-like word are more than any count.
            linkish, schemes = facts.linkish, facts.schemes
            if more is not None:
                linkish += more.linkish
                schemes += more.schemes
            most = size + 23 * linkish
            bytes_ok = rules.max_bytes is None or size <= rules.max_bytes
            # Every link a platform finds holds a dot before a letter (its
            # top-level domain), and Threads finds each at most twice (with
            # its scheme, and by twitter-text's extractor): so no more links
            # than twice the dots before a letter ("://" is the other match).
            links_ok = rules.max_links is None or 2 * (linkish - schemes) <= rules.max_links
            if most <= self.limit and bytes_ok and links_ok:
                return True
        return rules.fits(text + tail)


class LowerBound:
    """A platform's rules, but counting with `_at_least`, which never says
    more than the platform's own count: a thread laid out with it takes no
    more posts than the platform's would. Cheap: nothing is parsed."""

    def __init__(self, rules: Platform) -> None:
        self.key, self.name, self.limit = rules.key, rules.name, rules.limit

    def count(self, text: str) -> int:
        return _at_least(text)

    def fits(self, text: str, tail: str = "") -> bool:
        return _at_least(text + tail) <= self.limit


def hook_length_bound(text: str) -> int:
    """A length no platform's count of `text` goes over (X's weights, Threads'
    emoji bytes, a link's 23 all included): cheap, for choosing the hook's
    fact the same way for every platform."""
    total = len(text.encode("utf-8"))
    if "." not in text and "://" not in text and not _WIDE_STOPS.search(text):
        return total  # no word can be a link
    return total + 23 * len(_LINKISH.findall(text))
