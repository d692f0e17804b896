"""Article + platform -> a thread: the plan (`plan`), its first and last
posts, the body laid out for the platform (`fit`), and the post budget:
`--max-posts`, and on the fuller platforms at most 70 % of X's posts.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from generator.config import Config, campaign_name
from generator.errors import MastheadError
from generator.language import labels_for
from generator.model import Article, CodeBlock, Steer
from generator.platforms import Platform, get_platform
from generator.resources import template_environment
from generator.text.urls import article_link, utm_link

from .facets import bluesky_facets
from .fit import (
    HOOK_MOST,
    Frame,
    LowerBound,
    Quick,
    Rules,
    Wording,
    floor_posts,
    hook_length_bound,
    lay_out,
)
from .hashtags import hashtags
from .macros import TEMPLATES, Macros, macros_for
from .material import Idea
from .plan import Plan, make_plan, read, without
from .said import figures

# The fewest posts that still make a thread: the hook and the closing post.
MIN_POSTS = 2
# A fuller platform's thread takes at most this share of X's posts, when
# X's takes at least `RATIO_FROM`.
RATIO = 0.7
RATIO_FROM = 5
# Ideas tried for the one whose leaving saves a post, least important first.
DROP_TRIES = 4


@dataclass(frozen=True, slots=True)
class Post:
    index: int
    text: str
    length: int
    # Bluesky: the published text's link and hashtag facets.
    facets: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class Thread:
    platform: Platform
    posts: tuple[Post, ...]
    # Code under list items that no post could hold: the items went out
    # without it (`masthead check` says so).
    left_out: tuple[CodeBlock, ...] = ()
    # The article's image and its alt text, to go with the first post.
    image: str | None = None
    image_alt: str | None = None

    @property
    def limit(self) -> int:
        return self.platform.limit


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
    macros = _macros(article, rules.key, config)
    link = _link(article, rules, config)
    steer = article.social.for_platform(rules.key)
    if not rules.thread:
        from .single import single_post

        return single_post(article, rules, macros, link, steer)

    tags = hashtags(article, rules)
    numbered = numbering and rules.numbering
    plan = plan_for(article, steer, macros, include_faq=include_faq)
    quick = Quick(rules)
    frame = make_frame(plan, quick, macros, link, tags, steer)
    left_out: list[CodeBlock] = []
    wording = Wording(plan, quick, macros, left_out)
    fuller = rules.fuller and wording.signposts
    texts = lay_out(plan, frame, wording, numbered=numbered, fuller=fuller)
    if rules.key == "x" and max_posts is None:
        _PLANS[_x_count_key(plan, rules, numbered)] = len(texts)  # for the fuller platforms
    cap = max_posts
    if fuller and max_posts is None:
        cap = _share_of_x(article, config, plan, frame, len(texts), numbered, include_faq)
    dropped: set[int] = set()
    if fuller and cap is not None and len(texts) > cap:
        # Quotes at their strongest sentences share posts before any idea goes.
        wording.tight = True
        texts = lay_out(plan, frame, wording, numbered=numbered, fuller=fuller)
    while cap is not None and len(texts) > cap:
        # X's share never costs a list its best item or the best quote.
        keep = plan.essential if max_posts is None else frozenset()
        shorter = _drop_one(plan, dropped, keep, frame, wording, numbered, fuller, len(texts))
        if shorter is None:
            if max_posts is None:
                break  # the share of X's posts cannot be met: say what there is
            raise ThreadError(
                f"the hook and closing post alone need {len(texts)} posts on "
                f"{rules.name}; --max-posts {max_posts} is too few"
            )
        texts = shorter
    posts = tuple(_post(rules, i, t, tags) for i, t in enumerate(texts, start=1))
    return Thread(rules, posts, tuple(left_out), article.image, _alt(article))


def _alt(article: Article) -> str | None:
    return (article.image_alt or "") if article.image else None


def _drop_one(
    plan: Plan,
    dropped: set[int],
    keep: frozenset[int],
    frame: Frame,
    wording: Wording,
    numbered: bool,
    fuller: bool,
    count: int,
) -> list[str] | None:
    """Drop the least important idea that saves a post, and lay the thread
    out again: a FAQ answer first, then by score from the lowest, the best
    quote and each list's best item only once every other idea is gone. When
    no one idea saves a post, the least important goes. `keep`: ideas never
    to drop. None: nothing is left to drop."""
    order = [i.key for i in reversed(plan.faq)]
    order += [i.key for i in reversed(plan.chosen) if i.key not in plan.essential]
    # Then the best quote, and each list's best item last of all.
    order += [i.key for i in reversed(plan.chosen) if i.key in plan.essential and not i.is_list]
    order += [i.key for i in reversed(plan.chosen) if i.key in plan.essential and i.is_list]
    order = [key for key in order if key not in dropped and key not in keep]
    if not order:
        return None
    first: list[str] | None = None
    for key in order[:DROP_TRIES]:
        texts = lay_out(without(plan, dropped | {key}), frame, wording, numbered=numbered,
                        fuller=fuller)
        if first is None:
            first = texts
        if len(texts) < count:
            dropped.add(key)
            return texts
    dropped.add(order[0])
    return first


def _share_of_x(
    article: Article,
    config: Config,
    plan: Plan,
    frame: Frame,
    count: int,
    numbered: bool,
    include_faq: bool,
) -> int | None:
    """The most posts a fuller platform's thread may take: 70 % of X's, when
    X's takes five or more. A render builds X's thread first, and its count
    is remembered; else X's is laid out with a count that never exceeds X's
    own (`LowerBound`), so the share is never more than 70 % of the real one."""
    x_rules = get_platform("x").with_limit(getattr(config.limits, "x", None))
    x_steer = article.social.for_platform("x")
    x_macros = _macros(article, "x", config)
    x_plan = plan_for(article, x_steer, x_macros, include_faq=include_faq)
    known = _PLANS.get(_x_count_key(x_plan, x_rules, numbered))
    if isinstance(known, int):
        return math.floor(RATIO * known) if known >= RATIO_FROM else None
    if x_plan is plan and x_rules.limit >= HOOK_MOST + 40:
        floor = floor_posts(plan, frame, x_rules.limit)
        if count <= math.floor(RATIO * max(floor, RATIO_FROM)):
            return None  # within 70 % of even the fewest posts X's could take
    bound = LowerBound(x_rules)
    x_link = _link(article, x_rules, config)
    try:
        x_frame = make_frame(x_plan, bound, x_macros, x_link, hashtags(article, x_rules), x_steer)
        x_wording = Wording(x_plan, bound, x_macros, [])
        least = len(lay_out(x_plan, x_frame, x_wording, numbered=numbered, fuller=False))
    except MastheadError:
        return None  # no X thread to compare with (the author's X hook is too long, say)
    # X's thread takes `least` posts or more: when it takes fewer than five
    # there is no share to keep, so the share of five is always safe.
    return math.floor(RATIO * max(least, RATIO_FROM))


def _x_count_key(plan: Plan, rules: Platform, numbered: bool) -> tuple[Any, ...]:
    return ("x posts", id(plan), rules.limit, numbered)


def make_frame(
    plan: Plan,
    rules: Rules,
    macros: Macros,
    link: str | None,
    tags: list[str],
    steer: Steer,
) -> Frame:
    """The hook and closing posts for one platform, and what they change in
    the body: the idea the hook says, a "why" the closing post cannot hold."""
    reserve = " " + macros.number(99, 99)

    def fits(text: str) -> bool:
        return rules.fits(text, reserve)

    extra: list[Idea] = []
    dropped: set[int] = set()
    if plan.authored_hook is not None:
        hook = macros("hook", plan.authored_hook)
        if not fits(hook):
            raise ThreadError(
                f"the author's hook (social.hook) is longer than one {rules.name} post "
                f"({rules.count(hook + reserve)} of {rules.limit}, with the thread marker and "
                f"number); shorten it, or set social.{rules.key}.hook for {rules.name}"
            )
    else:
        hook = ""
        if macros.has("hook", "fact"):
            for number, fact in enumerate(plan.hooks):
                worded = macros("hook", plan.title, fact.text)
                if fits(worded):
                    hook = worded
                    if number and fact.key is not None:
                        dropped.add(fact.key)  # said here: not again in the body
                    break
        if not hook:
            hook = macros("hook", plan.title)
            # The fact meant for the hook, said in the body instead.
            first = plan.hooks[0].idea if plan.hooks else None
            taken = {f.key for i in plan.chosen for f in i.figures}
            if first is not None and not any(f.key in taken for f in first.figures):
                extra.append(first)
    why = plan.close
    closing = ""
    if why or link:
        closing = _closing(macros, why, link, tags, plan.reading_minutes)
        if why and not fits(closing):
            if plan.close_authored:
                raise ThreadError(
                    f"the author's closing line (social.close) does not fit a {rules.name} "
                    f"post with the link; shorten it, or set social.{rules.key}.close"
                )
            extra.append(_why_idea(why))
            closing = _closing(macros, None, link, tags, plan.reading_minutes)
    elif tags:
        # Hashtags alone make a last post no one would write: they go with
        # the hook, if it still fits with them.
        with_tags = f"{hook}\n\n{_closing(macros, None, None, tags, 0)}"
        if fits(with_tags):
            hook = with_tags
    return Frame((hook,), closing, tuple(extra), frozenset(dropped))


def _closing(
    macros: Macros, why: str | None, link: str | None, tags: list[str], minutes: int
) -> str:
    if macros.has("closing", "minutes"):
        return macros("closing", why, link, tuple(tags), minutes=minutes)
    return macros("closing", why, link, tuple(tags))


def _why_idea(why: str) -> Idea:
    """The closing line as a post of its own, last in the body."""
    return Idea(10**9, "prose", why, 10**6, "", 10**9, True, figures=tuple(figures(why)))


def _macros(article: Article, platform: str, config: Config) -> Macros:
    env = template_environment(TEMPLATES, autoescape=False, override=config.templates_path())
    return macros_for(env, platform, _labels(article.lang, config.labels))


# Every platform of an article (and every article of a language) words its
# posts with the same labels: worked out once.
@lru_cache(maxsize=64)
def _labels(lang: str, overrides: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    return tuple(labels_for(lang, dict(overrides)).items())


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


# The plans of the last article, by what shapes them: every platform that
# words its hook alike shares one, so a render of every platform makes it once.
_PLANS: dict[tuple[Any, ...], Any] = {}
_PLANNED: list[Article] = []


def plan_for(
    article: Article,
    steer: Steer,
    macros: Macros,
    *,
    include_faq: bool,
    hook_fits: Callable[[str], bool] | None = None,
    hook_room: int = HOOK_MOST,
) -> Plan:
    """The plan for `article` as `steer` asks; `hook_fits` says whether a fact
    leaves the hook short enough, and no fact of `hook_room` characters does
    (default: the thread's hook, under 200 characters on any platform's count)."""
    if not _PLANNED or _PLANNED[0] is not article:
        _PLANS.clear()  # one article at a time: memory stays flat
        _PLANNED[:] = [article]
    key = (steer, include_faq, macros.key, hook_fits is None)
    plan = _PLANS.get(key)
    if plan is None:
        if hook_fits is None:
            title = _title(article)
            hook_fits = _thread_hook_fits(title, macros)
            hook_room = HOOK_MOST - len(title)
        # LinkedIn's plan differs from the threads' in its hook only.
        reading_key = ("reading", steer.skip, include_faq)
        reading = _PLANS.get(reading_key)
        if reading is None:
            reading = _PLANS[reading_key] = read(article, include_faq=include_faq, skip=steer.skip)
        plan = make_plan(article, steer, reading, hook_fits=hook_fits, hook_room=hook_room)
        _PLANS[key] = plan
    return plan


def _thread_hook_fits(title: str, macros: Macros) -> Callable[[str], bool]:
    reserve = " " + macros.number(99, 99)
    has_fact = macros.has("hook", "fact")

    def hook_fits(fact: str) -> bool:
        return has_fact and hook_length_bound(macros("hook", title, fact) + reserve) < HOOK_MOST

    return hook_fits


def _title(article: Article) -> str:
    from .text import clean

    return clean(article.title)


def _post(rules: Platform, index: int, text: str, tags: list[str]) -> Post:
    if rules.counter == "bluesky":
        return Post(index, text, rules.count(text), bluesky_facets(text, tags))
    return Post(index, text, rules.count(text))
