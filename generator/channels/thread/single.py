"""LinkedIn: one post, not a thread. Its first two lines are the hook (the
title and the article's most telling fact: they show before "see more"),
then the dek and the plan's ideas in reading order as short paragraphs and
lists under their headings, why it matters, the link and the hashtags.
What does not fit goes from the lowest-scored idea up.
"""

from __future__ import annotations

from typing import Any

from generator.model import Article, CodeBlock, Steer
from generator.platforms import Platform

from .build import Post, Thread, ThreadError, _alt, plan_for
from .fit import pieces
from .hashtags import hashtags
from .macros import Macros
from .material import Idea
from .text import clean


def single_post(
    article: Article, rules: Platform, macros: Macros, link: str | None, steer: Steer
) -> Thread:
    fold = rules.fold or rules.limit
    title = clean(article.title)

    def hook_fits(fact: str) -> bool:
        return rules.count(f"{title}\n{fact}") <= fold

    plan = plan_for(
        article,
        steer,
        macros,
        include_faq=False,
        hook_fits=hook_fits,
        hook_room=fold - len(title),
    )
    left_out: list[CodeBlock] = []
    tags = hashtags(article, rules)
    dek = clean(article.dek or "")
    if plan.authored_hook is not None:
        first, line = plan.authored_hook, ""
    else:
        first = title
        line = plan.hooks[0].text if plan.hooks else ""
    intro = ""
    if dek and dek not in (line, plan.close):
        if not line and rules.count(f"{title}\n{dek}") <= fold:
            line = dek
        elif not macros.has("post", "intro"):
            line = dek  # an older copy of the template has no place for it but there
        else:
            # The dek opens the body: the hook's fact took its place.
            intro = dek
    if plan.authored_hook is None and plan.hooks and plan.hooks[0].text != line:
        extra = plan.hooks[0].idea  # the fact meant for the hook, in the body instead
        plan_ideas = [*plan.chosen, extra] if extra else list(plan.chosen)
    else:
        plan_ideas = list(plan.chosen)
    ranked = plan_ideas
    minutes = plan.reading_minutes
    has_body = macros.accepts("post", "body")

    def worded(keep: int, why: str | None, opening: str) -> str:
        ideas = ranked[:keep]
        left_out.clear()
        extra: dict[str, Any] = {}
        if has_body:
            extra["body"] = _body(ideas, rules, left_out)
            points: list[str] = []
            quotes: list[dict[str, str]] = []
        else:
            points, quotes, groups = _old_body(ideas, rules, left_out)
            if macros.has("post", "groups"):
                extra["groups"], points = groups, []
        if opening:
            extra["intro"] = opening
        if macros.accepts("post", "minutes"):
            extra["minutes"] = minutes
        return macros("post", first, line, points, quotes, why, link, tags, **extra)

    why = plan.close
    if rules.fits(text := worded(len(ranked), why, intro)):
        return _thread(rules, text, left_out, article)
    # Dropping only shortens the post, so the most ideas that fit are found
    # by halving, not one by one: each try words the whole post.
    for opening, closing in ((intro, why), ("", why), ("", None)):
        if not rules.fits(worded(0, closing, opening)):
            continue
        low, high = 0, len(ranked)  # worded(low) fits, worded(high) does not
        while high - low > 1:
            middle = (low + high) // 2
            if rules.fits(worded(middle, closing, opening)):
                low = middle
            else:
                high = middle
        return _thread(rules, worded(low, closing, opening), left_out, article)
    text = worded(0, None, "")
    raise ThreadError(
        f"even the title, dek and link are longer than one {rules.name} post "
        f"({rules.count(text)} of {rules.limit})"
    )


def _thread(rules: Platform, text: str, left_out: list[CodeBlock], article: Article) -> Thread:
    return Thread(
        rules, (Post(1, text, rules.count(text)),), tuple(left_out), article.image, _alt(article)
    )


def _body(ideas: list[Idea], rules: Platform, left_out: list[CodeBlock]) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    for piece in pieces(ideas):
        first = piece.ideas[0]
        if piece.kind == "list":
            steps = [s for i in piece.ideas for s in i.steps]
            points = _points(steps, rules, left_out)
            parts.append({"kind": "points", "heading": first.heading, "points": points})
        elif piece.kind == "quote" and first.quote is not None:
            parts.append(
                {"kind": "quote", "text": first.quote.whole, "attribution": first.quote.attribution}
            )
        elif piece.kind == "prose":
            parts.append({"kind": "text", "text": " ".join(i.text for i in piece.ideas)})
    return parts


def _old_body(
    ideas: list[Idea], rules: Platform, left_out: list[CodeBlock]
) -> tuple[list[str], list[dict[str, str]], list[dict[str, Any]]]:
    """What a copy of linkedin.j2 older than `body` can show: lists and quotes."""
    points: list[str] = []
    quotes: list[dict[str, str]] = []
    groups: list[dict[str, Any]] = []
    for piece in pieces(ideas):
        first = piece.ideas[0]
        if piece.kind == "list":
            items = _points([s for i in piece.ideas for s in i.steps], rules, left_out)
            points += items
            groups.append({"heading": first.heading, "points": items})
        elif piece.kind == "quote" and first.quote is not None:
            quotes.append({"text": first.quote.whole, "attribution": first.quote.attribution})
    return points, quotes, groups


def _points(steps: list[Any], rules: Platform, left_out: list[CodeBlock]) -> list[str]:
    """A list's items as points of the post, each with its code where the
    point alone fits the platform."""
    points: list[str] = []
    for step in steps:
        if not step.code or rules.fits(step.full):
            points.append(step.full)
            continue
        left_out.extend(step.code)
        if step.bare:
            points.append(step.bare)
    return points
