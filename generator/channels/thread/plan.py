"""What a thread says, whatever the platform: the hook, the body's ideas and
the closing line. `fit` then words and lays them out for each platform.

Salience. Every idea of the article (see `material`) gets a score, the same
every run (no randomness, ties broken by reading order):

    figure            +3.0 each, at most two (a count, money, a percentage)
    money             +1.5 once ("$13 billion", "€400")
    percentage        +1.0 once
    year              +0.5 once (a date says when, not how much)
    number word       +1.0 each, at most two ("three tools", "double")
    comparison        +2.0 once ("than", "up from", "rival", "biggest", "no longer")
    named actor       +0.75 each distinct capitalised name inside the
                      sentence, at most four ("Microsoft", "Dana Whitfield")
    quote             +4.0 (someone's own words, with who said them)
    takeaway          +2.5 (an item of a "Key Takeaways"-like list)
    fact list item    +1.5 (an item of any other list: Key Facts, By the Numbers)
    steps             +3.0 (a short numbered list, kept whole)
    position          +1.5 opening the lead (the news), +1.0 opening a
                      section, +0.5 opening another paragraph, −0.5 for each
                      idea before it in its paragraph (at most −1.5), and up
                      to +1.0 the earlier its section
    leans back        −2.5 when it opens with "That", "It"… and has nothing
                      before it in the idea to point at
    a link            −2.0 (a pointer elsewhere; the closing post has the link)
    too short         −2.0 under six words (not a list item); too long −1.0 over 300 characters

Choosing. The hook is the title and the best hook fact: the sentence of the
dek, the lead or a list that carries the most telling figure (else the best
claim), cut at a clause when whole it would make the hook too long. The
close is the author's, else the first sentence under "Why it matters" (or a
heading like it), else the last takeaway, else the dek. Then the body: first
each list's best item (every list section is material) and the best quote,
then the rest by
score, while the ideas chosen stay within `BODY_CHARACTERS` — the first
idea always goes in, and so does the best quote — and, once there are a few,
prose scores at least `LEAST_SCORE`. An idea is left out when it says again what the hook, the
close or a chosen idea says (most of the same words, the rarer words of the
article weighing more), when it holds a figure already in the body or the
close (a figure appears in one body post; the hook may preview it), or when
it only repeats the title. Platforms lay the chosen ideas out in reading
order and, to fit a post budget, drop them from the lowest score up.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import regex

from generator.model import Article, Steer

from .material import Idea, Material, gather, leans
from .said import (
    Rarity,
    content_words,
    figures,
    restates,
    word_count,
    word_list,
    words_of,
    years,
)
from .text import clean

# The body's ideas share this many characters, about seven X posts: an
# editor's thread, not the article cut up.
BODY_CHARACTERS = 950
# Prose that scores less says too little to post, once the thread has `FEW`
# ideas (an article of little but prose still has its say); prose of fewer
# than `FEWEST_WORDS` words ("Lead.") never.
LEAST_SCORE = 1.5
FEW = 3
FEWEST_WORDS = 3
MOST_QUOTES = 2
# A list section always gets its best item, up to this many lists.
MOST_LISTS = 12
# A hook fact has at least this many words ("The news." says nothing).
HOOK_WORDS = 5
# Hook facts kept to try, best first, should a platform's hook not fit the first.
HOOKS_TRIED = 3
# Hook facts longer than this are not tried at all, and shorter than
# `CUT_FROM` not cut at a clause.
HOOK_FACT_MOST = 400
CUT_FROM = 100

# What the kind of idea adds: a quote is someone's own words; the article's
# lists (takeaways above all) are its own choice of what matters; the lead
# carries the news.
KIND = {"quote": 4.0, "takeaway": 2.5, "point": 1.5, "steps": 3.0}
# Words and phrases of comparison: "than", "up from", "rival", "biggest".
_COMPARING = words_of(
    """
    than versus vs compared rose fell grew jumped dropped surged soared plunged doubled
    tripled halved record rival rivals biggest largest highest lowest fastest smallest
    cheapest
    """
)
_COMPARING_PHRASES = ("up from", "down from", "instead of", "no longer", "used to", "first-ever")
_NUMBER_WORDS = words_of(
    """
    two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty
    hundred hundreds thousand thousands million millions billion billions dozen dozens
    double twice half triple
    """
)
# A capitalised word after a space that follows neither the start of the
# text nor a stop ("Sam Altman", "OpenAI"; not "The" opening a sentence).
_NAME = regex.compile(r"(?<=[^\s.!?:;—–\"“(] )\p{Lu}[\w’'&-]*")


@dataclass(frozen=True, slots=True)
class HookFact:
    text: str
    idea: Idea | None  # the idea it comes from (None: the dek)
    figure: bool

    @property
    def key(self) -> int | None:
        return self.idea.key if self.idea else None


@dataclass(frozen=True, slots=True)
class Plan:
    title: str
    authored_hook: str | None  # the author's own first post, used as written
    hooks: tuple[HookFact, ...]  # hook facts to try, best first
    close: str | None  # the closing post's line
    close_authored: bool  # the author wrote it (social.close)
    chosen: tuple[Idea, ...]  # the body's ideas, by score (best first)
    essential: frozenset[int]  # keys of ideas dropped last (each list's best)
    faq: tuple[Idea, ...]  # FAQ ideas, when asked for
    reading_minutes: int


def score(idea: Idea, sections: int) -> float:
    """The idea's salience (see the module's docstring)."""
    text = idea.text
    total = 0.0
    # Every idea is scored: no generator runs word by word (adding 0.0 is
    # skipping, to the bit).
    if idea.figures:
        money = any(f.money for f in idea.figures)
        total += 3.0 * min(len(idea.figures), 2)
        total += 1.5 if money else 0.0
        total += 1.0 if any(f.percent for f in idea.figures) else 0.0
    total += 0.5 if years(text) else 0.0
    words = word_list(text)
    total += 1.0 * min(sum(map(_NUMBER_WORDS.__contains__, words)), 2)
    compares = not _COMPARING.isdisjoint(words) or any(
        map(text.casefold().__contains__, _COMPARING_PHRASES)
    )
    total += 2.0 if compares else 0.0
    total += 0.75 * min(len(names(text)), 4)
    total += KIND.get(idea.kind, 0.0)
    if idea.kind in ("lead", "prose"):
        if idea.opens:
            total += 1.5 if idea.kind == "lead" else 1.0
        elif idea.first:
            total += 0.5
        total -= 0.5 * min(idea.place, 3)
    total += 1.0 * (1 - idea.section / max(sections, 1))
    if not idea.is_list and idea.kind != "quote" and idea.leans:
        total -= 2.5
    if "://" in text:
        total -= 2.0  # a pointer to more, not news: the closing post has the link
    if idea.count < 6 and not idea.is_list:  # a list's items are short by nature
        total -= 2.0
    if len(text) > 300:
        total -= 1.0
    return total


def names(text: str) -> set[str]:
    """Capitalised words inside a sentence: names of people and organisations
    (a sentence's first word, and the first after a stop, are not counted)."""
    return {word.rstrip(".’'") for word in _NAME.findall(text, 0, 2000)} - {"I"}


@dataclass(frozen=True, slots=True)
class Reading:
    """The article read once for every plan made of it: its ideas, their
    scores and how rare each word is."""

    material: Material
    ideas: tuple[Idea, ...]  # FAQ answers aside
    scores: dict[int, float]
    rarity: Rarity
    # What plans of it share: hook facts to try, and the body chosen for a
    # hook and a steer (LinkedIn's plan differs from the threads' in its hook
    # at most).
    memo: dict[Any, Any] = field(default_factory=dict)


def read(article: Article, *, include_faq: bool, skip: tuple[str, ...]) -> Reading:
    material = gather(article, include_faq=include_faq, skip=skip)
    ideas = tuple(i for i in material.ideas if i.kind != "faq")
    sections = 1 + len(article.sections)
    scores = {idea.key: score(idea, sections) for idea in ideas}
    return Reading(material, ideas, scores, Rarity(idea.words for idea in ideas))


def make_plan(
    article: Article,
    steer: Steer,
    reading: Reading,
    *,
    hook_fits: Callable[[str], bool],
    hook_room: int,
) -> Plan:
    """The thread's plan. `hook_fits(fact)` says whether a hook of the title
    and `fact` is short enough (the caller words it); no fact of `hook_room`
    characters or more is."""
    title = clean(article.title)
    dek = clean(article.dek or "")
    if dek and _skipped(dek, steer):
        dek = ""
    authored = clean(steer.hook) if steer.hook else None
    hooks: tuple[HookFact, ...] = ()
    if not authored:
        facts = reading.memo.get(("facts", dek))
        if facts is None:
            facts = reading.memo[("facts", dek)] = _hook_facts(reading, dek)
        found: list[HookFact] = []
        for fact in facts:
            if len(fact.text) < hook_room and hook_fits(fact.text):
                found.append(fact)
                if len(found) == HOOKS_TRIED:
                    break
        hooks = tuple(found)
    hook = hooks[0] if hooks else None
    key = ("body", steer, dek, authored, hook.text if hook else None)
    body = reading.memo.get(key)
    if body is None:
        body = reading.memo[key] = _body(reading, steer, title, dek, authored, hook)
    close, chosen, essential = body
    faq = tuple(i for i in reading.material.ideas if i.kind == "faq")
    return Plan(
        title,
        authored,
        hooks,
        close,
        bool(steer.close),
        chosen,
        essential,
        faq,
        article.reading_minutes,
    )


def _body(
    reading: Reading,
    steer: Steer,
    title: str,
    dek: str,
    authored: str | None,
    hook: HookFact | None,
) -> tuple[str | None, tuple[Idea, ...], frozenset[int]]:
    """The closing line, and the body's ideas (best first) with those dropped
    last: see the module's docstring."""
    material, scores, rarity = reading.material, reading.scores, reading.rarity
    ideas = list(reading.ideas)
    said: list[frozenset[str]] = []
    if authored:
        said.append(content_words(authored))
    elif hook:
        # A fact taken whole from an idea has the idea's words.
        source = hook.idea
        whole = source is not None and hook.text == source.text
        said.append(source.words if whole and source else content_words(hook.text))

    close, close_key = _close(steer, material, ideas, hook, dek, said)
    # A takeaway as the close: its figures and words are the idea's.
    closing = next((i for i in ideas if i.key == close_key), None)
    used_figures: set[str] = set()
    if closing is not None:
        used_figures = {f.key for f in closing.figures}
        said.append(closing.words)
    elif close:
        used_figures = {f.key for f in figures(close)}
        said.append(content_words(close))

    taken = {k for k in (hook.key if hook else None, close_key) if k is not None}
    title_words = content_words(title)

    def redundant(idea: Idea) -> bool:
        if any(f.key in used_figures for f in idea.figures):
            return True
        if idea.words and idea.words <= title_words:
            return True
        return any(restates(idea.words, other, rarity) for other in said)

    chosen: list[Idea] = []
    essential: set[int] = set()
    size = 0

    def take(idea: Idea) -> None:
        nonlocal size
        chosen.append(idea)
        taken.add(idea.key)
        said.append(idea.words)
        used_figures.update(f.key for f in idea.figures)
        size += idea.size

    ranked = sorted(ideas, key=lambda i: (-scores[i.key], i.key))
    lists: dict[int, list[Idea]] = {}
    for idea in ranked:
        if idea.is_list:
            lists.setdefault(idea.group, []).append(idea)
    for group in sorted(lists, key=lambda g: min(i.key for i in lists[g]))[:MOST_LISTS]:
        best = next((i for i in lists[group] if i.key not in taken and not redundant(i)), None)
        if best is not None:
            take(best)
            essential.add(best.key)
    quotes = 0
    # The best quote is material as a list is: someone's own words.
    best_quote = next((i for i in ranked if i.kind == "quote" and not redundant(i)), None)
    if best_quote is not None:
        take(best_quote)
        essential.add(best_quote.key)
        quotes = 1
    for idea in ranked:
        if idea.key in taken:
            continue
        if idea.kind == "quote" and quotes >= MOST_QUOTES:
            continue
        if len(chosen) >= FEW and scores[idea.key] < LEAST_SCORE and not idea.is_list:
            continue
        if idea.count < FEWEST_WORDS and not idea.is_list:
            continue
        if chosen and size + idea.size > BODY_CHARACTERS:
            continue
        if redundant(idea):
            continue
        quotes += idea.kind == "quote"
        take(idea)
    chosen.sort(key=lambda i: (-scores[i.key], i.key))
    return close, tuple(chosen), frozenset(essential)


def _skipped(text: str, steer: Steer) -> bool:
    plain = " ".join(text.casefold().split())
    return any(" ".join(s.casefold().split()).strip(" .") in plain for s in steer.skip)


def _close(
    steer: Steer,
    material: Material,
    ideas: list[Idea],
    hook: HookFact | None,
    dek: str,
    said: list[frozenset[str]],
) -> tuple[str | None, int | None]:
    """The closing line, and the idea it takes from the body (if any)."""
    if steer.close:
        return clean(steer.close), None

    def new(text: str, words: frozenset[str] | None = None) -> bool:
        words = content_words(text) if words is None else words
        return bool(words) and not any(restates(words, other) for other in said)

    if material.why and new(material.why):
        return material.why, None
    if material.takeaways:
        last = [i for i in ideas if i.group == material.takeaways[-1]]
        if last and (hook is None or last[-1].key != hook.key):
            final = last[-1]
            if new(final.text, final.words):
                return final.text, final.key
    if dek and (hook is None or hook.key is not None) and new(dek):
        return dek, None
    return None, None


def _hook_facts(reading: Reading, dek: str) -> list[HookFact]:
    """The facts a hook can carry, best first: any with a figure before any
    without (the strongest concrete fact), each whole before cut at a
    clause. Which fit a hook is for the platform to say."""
    ideas, scores = reading.ideas, reading.scores
    candidates: list[tuple[bool, float, int, HookFact]] = []
    pool: list[tuple[str, Idea | None, float, int]] = []
    dek_figures = tuple(figures(dek)) if dek else ()
    if dek:
        dek_score = score(Idea(0, "lead", dek, 0, "", 0, True, figures=dek_figures), 1)
        pool.append((dek, None, dek_score + 1.0, 0))
    for idea in ideas:
        listed = idea.kind in ("point", "takeaway")
        if listed and not (idea.figures or _FACTS.search(idea.heading)):
            continue  # a list's item is a hook's fact in a fact list, or with a figure
        if idea.kind in ("lead", "point", "takeaway") or (idea.kind == "prose" and idea.figures):
            bonus = {"lead": 1.5, "point": 1.0, "takeaway": 0.5, "prose": 0.0}[idea.kind]
            pool.append((idea.text, idea, scores[idea.key] + bonus, idea.key))
    order = 0
    seen: set[str] = set()
    for text, source, base, position in pool:
        if len(text) > HOOK_FACT_MOST or (source.leans if source else leans(text)):
            continue
        # Short enough to fit a hook whole, a text need not be cut.
        cuts = clause_cuts(text) if len(text) > CUT_FROM else []
        for words, penalty in [(text, 0.0), *((cut, -1.5) for cut in cuts)]:
            if words in seen:
                continue
            if words is text:  # whole: its words and figures are counted already
                count = source.count if source else word_count(text)
                has_figure = bool(source.figures if source else dek_figures)
            else:
                count = word_count(words)
                # A cut of a text without figures has none either.
                has_figure = bool(figures(words)) if (source is None or source.figures) else False
            if count < HOOK_WORDS:
                continue
            seen.add(words)
            rank = base + penalty + (4.0 if has_figure else 0.0) - len(words) / 100
            order += 1
            fact = HookFact(words, source, has_figure)
            candidates.append((not has_figure, -rank, position * 100 + order, fact))
    candidates.sort(key=lambda c: c[:3])
    return [c[3] for c in candidates]


# Headings of lists of facts, whose items can be the hook's fact.
_FACTS = re.compile(
    r"\b(?:facts?|numbers|figures|stats|statistics|data|at a glance|in brief|key points)\b",
    re.IGNORECASE,
)
# Where a sentence may be cut and still read as one: before a clause that
# adds to it ("…in OpenAI but does not…"), after a comma or dash.
_CLAUSE = re.compile(
    r",\s+|;\s+|\s+[—–]\s+|\s+(?=(?:but|while|whereas|although|though|yet|which)\s)"
)
_INTRODUCING = words_of(
    """
    across after although as at before by during for from if in on over since through under
    until when where while with within without
    """
)


def clause_cuts(text: str) -> list[str]:
    """`text` cut after one of its clauses, longest first, each made a
    sentence: "Microsoft has invested over $13 billion in OpenAI." from
    "…in OpenAI but does not technically 'own' the company." A cut never
    leaves only an opening phrase ("Across the 140 newsrooms surveyed.")."""
    cuts: list[str] = []
    first_word = text.split(None, 1)[0].casefold() if text.split() else ""
    for number, match in enumerate(_CLAUSE.finditer(text)):
        if number == 0 and first_word in _INTRODUCING:
            continue
        head = text[: match.start()].rstrip(" ,;:—–")
        if word_count(head) >= HOOK_WORDS and (head[-1:].isalnum() or head[-1:] in "%)’”'\""):
            cuts.append(head + ".")
    return cuts[::-1]


def without(plan: Plan, keys: set[int]) -> Plan:
    """The plan with the ideas `keys` dropped."""
    return replace(
        plan,
        chosen=tuple(i for i in plan.chosen if i.key not in keys),
        faq=tuple(i for i in plan.faq if i.key not in keys),
    )
