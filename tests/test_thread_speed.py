"""The thread channel's speed work (issue 21), asserted by structure, not by
time: what a build of the threads does once, or not at all. Each test fails
when its optimisation is taken out (the commit that made it says how).

Work is counted by wrapping the function that does it, through the module
attribute its callers look it up by; the threads built are real ones, of the
sample articles, with a site link (every closing post then holds a link).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from conftest import ARTICLES

from generator.channels.thread import build_thread
from generator.channels.thread import hashtags as hashtags_module
from generator.channels.thread import macros as macros_module
from generator.config import parse_config
from generator.platforms import platforms
from generator.readers import read_path
from generator.text import counting

CONFIG = parse_config('site_url = "https://news.example.com/articles/"\n[utm]\nenabled = true\n')
SAMPLES = sorted(p for p in ARTICLES.iterdir() if p.suffix in (".txt", ".md"))


@pytest.fixture(scope="module")
def articles() -> list[Any]:
    return [read_path(path) for path in SAMPLES]


class Calls:
    """Wraps a function and counts its calls."""

    def __init__(self, function: Callable[..., Any]) -> None:
        self.function = function
        self.total = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.total += 1
        return self.function(*args, **kwargs)


def _fresh(article: Any) -> Any:
    """`article` as a new object: the thread code remembers the last
    article it planned by identity."""
    import dataclasses

    return dataclasses.replace(article)


def _every_platform(article: Any) -> Iterator[Any]:
    article = _fresh(article)
    for key in platforms():
        yield build_thread(article, key, CONFIG)


def test_a_list_is_worded_without_freezing_its_items(articles, monkeypatch):
    """A list's items go to the `points` macro (and the hashtags to
    `closing`) as a tuple, so the wording is looked up by them as they are;
    a list had to be copied into tuples on every call, even a remembered one."""
    frozen = Calls(macros_module._frozen)
    monkeypatch.setattr(macros_module, "_frozen", frozen)
    for article in articles:
        for key in ("x", "bluesky", "mastodon", "threads"):
            build_thread(_fresh(article), key, CONFIG)
    assert frozen.total == 0


def test_each_tag_is_made_a_hashtag_once_for_every_platform(articles, monkeypatch):
    """Five platforms ask for the same tags: each is made a hashtag once."""
    getattr(hashtags_module.hashtag, "cache_clear", lambda: None)()  # a fresh memory
    made = Calls(hashtags_module._APOSTROPHE.sub)

    class Apostrophe:
        sub = made

    monkeypatch.setattr(hashtags_module, "_APOSTROPHE", Apostrophe)
    article = next(a for a in articles if len(a.tags) >= 2)
    threads = list(_every_platform(article))
    assert any("#" in post.text for thread in threads for post in thread.posts)
    assert made.total == len(set(article.tags))


def test_threads_counts_no_links_where_there_can_be_few(articles, monkeypatch):
    """A post holding a link or two (the closing post's) has at most twice
    as many links as dots before a letter, under Threads' five: Threads'
    link count (twitter-text's extractor, the costly part) is not run."""
    links = Calls(counting.threads_link_count)
    monkeypatch.setattr(counting, "threads_link_count", links)
    for article in articles:
        thread = build_thread(_fresh(article), "threads", CONFIG)
        assert "utm_source=threads" in thread.posts[-1].text  # the link
    assert links.total == 0


def test_x_searches_the_closing_posts_link_line_for_urls_once(articles, monkeypatch):
    """X's closing post is counted with several post numbers (" 99/99" while
    the frame is made, the estimate, the real number): its lines are counted
    apart and remembered, so the line with the link goes through
    twitter-text's URL extractor once, not once per number."""
    extractor = counting._url_extractor()
    searched = Calls(extractor)
    monkeypatch.setattr(counting, "_url_extractor", lambda: searched)
    # A link no other test uses: nothing about it is remembered yet.
    config = parse_config('site_url = "https://lines-once.example.org/news/"\n')
    link_lines: list[str] = []
    original = searched.function

    def recording(text: str, *args: Any) -> Any:
        if "lines-once.example.org" in text:
            link_lines.append(text)
        return original(text, *args)

    searched.function = recording
    # Linked under site_url, with a hashtag: the post number goes on its line.
    import dataclasses

    article = next(a for a in articles if not a.url)
    thread = build_thread(dataclasses.replace(article, tags=("newsrooms",)), "x", config)
    assert "https://lines-once.example.org/news/" in thread.posts[-1].text
    assert len(link_lines) == 1, link_lines


def test_a_texts_facts_are_found_once_for_every_platform_and_post_number(articles, monkeypatch):
    """Whether a text may hold a link or a mention (a regex search over it)
    is worked out once per text: not again for each platform that lays the
    same piece out, nor for each post number tried after it ("3/7", "99/99"),
    the number's own facts being added to the text's."""
    from generator.channels.thread import fit

    searched: list[str] = []
    counted_apart = fit._counted_apart

    def recording(text: str) -> bool:
        searched.append(text)
        return counted_apart(text)

    monkeypatch.setattr(fit, "_counted_apart", recording)
    monkeypatch.setattr(fit, "_FACTS", {}, raising=False)  # nothing remembered from other tests
    for article in articles:
        article = _fresh(article)
        for key in ("x", "bluesky", "mastodon", "threads"):
            build_thread(article, key, CONFIG)
    assert len(searched) > 20
    repeated = {text for text in searched if searched.count(text) > 1}
    assert not repeated, sorted(repeated)[:3]
    # A text and its post number are searched apart, never joined.
    numbered = [t for t in searched if t[-1:].isdigit() and " " in t and "/" in t.rsplit(" ", 1)[1]]
    assert all(t.startswith(" ") for t in numbered), numbered[:3]


def test_quick_answers_as_the_platform_with_a_post_number_after_the_text():
    """`Quick.fits(text, tail)` adds the facts of `tail` (a space and the
    post number) to those of `text`: its answer is the platform's own for
    the two joined, near each limit, with links, mentions, CR LF, emoji
    sequences and marks that join the space before them."""
    import random

    from generator.channels.thread.fit import Quick
    from generator.platforms import get_platform
    from generator.text.counting import grapheme_length

    rng = random.Random(21)
    parts = ["https://example.com/a/b?x=1", "example.com", "a.co", "(", ".", ",", " ", "\n",
             "\r\n", "\r", "word", "日本", "e\u0301", "#tag", "@user", "@a@b.org", "🔗", "\u0600",
             "👍🏽", "🇫🇷", "•", "—", "…", "©", "．com", "\u200d", "lorem ipsum dolor sit amet " * 3]
    plain = ["word ", "Mot. ", "日本", "é", "•", "—", "’", "🐝", " "]
    tails = ["", " 1/4", " 99/99", " \u0301 3/7", " @x 2/3", " a.co"]
    checked = settled = 0
    for key in ("x", "bluesky", "mastodon", "threads"):
        rules = get_platform(key)
        for _ in range(300):
            quick = Quick(rules)
            # Near the limit in bytes, or (in wide characters) in clusters.
            size = len if rng.random() < 0.5 else grapheme_length
            goal = rules.limit - rng.randint(-4, 12)
            text = ""
            words = plain if rng.random() < 0.5 else ["word ", "Mot. ", "a", " "]
            while size(text.encode() if size is len else text) < goal:
                text += rng.choice(parts) if rng.random() < 0.01 else rng.choice(words)
            if rng.random() < 0.3:
                text += "\u0600"  # joins the space after it into one cluster
            tail = rng.choice(tails)
            exact = Calls(rules.fits)
            object.__setattr__(quick, "rules", type("Exact", (), {
                "fits": staticmethod(exact), "max_bytes": rules.max_bytes,
                "max_links": rules.max_links})())
            assert quick.fits(text, tail) == rules.fits(text + tail), (key, text, tail)
            checked += 1
            settled += exact.total == 0
    assert checked == 1200 and settled > 180  # the bounds settle many, not all


class _NoLookups(frozenset):
    """A set of characters that refuses to be searched one character at a
    time through `isdisjoint`."""

    def isdisjoint(self, other: Any) -> bool:
        raise AssertionError("looked up character by character")


def test_x_finds_emoji_joiners_with_one_search(monkeypatch):
    """Whether a post holds an emoji sequence (or © or ®), which sends it to
    twitter-text's full parse, is one regex search, not a set lookup for
    each of its characters."""
    monkeypatch.setattr(counting, "_EMOJI_JOINERS", _NoLookups(counting._EMOJI_JOINERS))
    monkeypatch.setattr(counting, "_LIGHT_EMOJI", _NoLookups(counting._LIGHT_EMOJI))
    for text in ("Beekeeping 🐝 — “a first hive” • 3/7", "A keycap 1\ufe0f\u20e3 and ©"):
        assert counting.twitter_length(text) == counting.twitter_authority_length(text)


def test_threads_looks_up_only_the_non_ascii_characters_among_emoji(monkeypatch):
    """Threads counts an emoji as its bytes: only a character beyond ASCII
    can be one, so only those are looked up among the emoji."""
    looked: list[str] = []
    points = counting._emoji_code_points()

    class Points:
        def __contains__(self, char: str) -> bool:
            looked.append(char)
            return char in points

        def isdisjoint(self, other: Any) -> bool:
            return points.isdisjoint(other)

    monkeypatch.setattr(counting, "_emoji_code_points", lambda: Points())
    text = "Bees 🐝 — “a first hive” in the city. 3/7"
    assert counting.threads_length(text) == len(text) + 3  # the bee: 4 bytes
    assert sorted(looked) == sorted(c for c in text if not c.isascii())


def test_ascii_text_is_cleaned_and_split_into_words_without_lookups(monkeypatch):
    """Most of an article is ASCII: cleaning it for a post needs no search
    for invisible or bidi characters (ASCII has none), and its words come
    from a byte table, not a character-by-character dict lookup."""
    from generator.channels.thread import said
    from generator.channels.thread import text as text_module

    class Refused(dict):
        def __getitem__(self, key: Any) -> Any:
            raise AssertionError("looked up in Python")

        def sub(self, *args: Any) -> Any:
            raise AssertionError("searched")

    monkeypatch.setattr(said, "_WORDS", Refused())
    monkeypatch.setattr(said, "_LETTER_WORDS", Refused())
    monkeypatch.setattr(text_module, "_INVALID_IN_POSTS", Refused())
    sentence = "  Budget about $400 for the hive,\tthe suit — no: the TOOLS.  "
    assert text_module.clean(sentence.replace("—", "-")) == (
        "Budget about $400 for the hive, the suit - no: the TOOLS."
    )
    assert said.word_list("Budget $400 for the TOOLS.") == ["budget", "400", "for", "the", "tools"]
    assert said.content_words("Budget $400 for the TOOLS, tools.") == {"budget", "tool"}


def test_mastodon_searches_only_the_link_line_for_urls(articles, monkeypatch):
    """Mastodon counts a link 23: twitter-text's extractor finds it. Its
    time grows faster than the text, so it is given the closing post's
    link line (with the breaks round it), not the post with its prose."""
    extractor = counting._url_extractor()
    given: list[str] = []

    def recording(text: str, *args: Any) -> Any:
        given.append(text)
        return extractor(text, *args)

    monkeypatch.setattr(counting, "_url_extractor", lambda: recording)
    config = parse_config('site_url = "https://link-line.example.org/news/"\n')
    closings = []
    for article in articles:
        thread = build_thread(_fresh(article), "mastodon", config)
        closings.append(thread.posts[-1].text)
    # The closing posts have lines besides the link's (the why, the tags).
    assert any(len(text.splitlines()) > 1 for text in closings if "link-line" in text)
    linked = [text for text in given if "link-line.example.org" in text]
    assert linked
    assert all(text.strip("\n").count("\n") == 0 for text in linked), linked[:2]


def test_mastodon_counts_line_by_line_as_over_the_whole_text():
    """The line-by-line URL search gives Mastodon's count over the whole
    text (URLs found by the extractor over it, mentions, then clusters), on
    random texts of links, breaks (CR LF, CR) and mentions."""
    import random

    from twitter_text.extract_urls import extract_urls_with_indices

    def whole(text: str) -> int:
        spans = [(*u["indices"], "x" * 23) for u in extract_urls_with_indices(text, False)]
        spans += [
            (m.start(), m.end(), "@" + m.group(1))
            for m in counting._MENTION.finditer(text)
            if not counting._NO_MENTION_BEFORE.match(text, m.end())
        ]
        out, pos = [], 0
        for start, end, shown in sorted(spans):
            if start >= pos:
                out += [text[pos:start], shown]
                pos = end
        return len(regex.findall(r"\X", "".join(out) + text[pos:]))

    import regex

    rng = random.Random(17)
    parts = ["https://example.com/a/b?x=1", "http://a.co", "https://t.co/abcdef", "HTTPS://EX.COM/x",
             "example.com", "(", ")", ".", " ", "\n", "\n\n", "\r\n", "\r", "word", "日本", "#tag",
             "@user", "@a@b.org", "://", "https://例え.jp/パス", "/", "?", "&", "🔗", "\u0301", ":"]
    for _ in range(3000):
        text = "".join(rng.choice(parts) for _ in range(rng.randint(1, 30)))
        assert counting.mastodon_length(text) == whole(text), text


def _python_frames(function: Callable[..., Any], *args: Any) -> list[str]:
    """The Python functions (not built-ins) that run while `function` does."""
    import sys

    frames: list[str] = []

    def profile(frame: Any, event: str, arg: Any) -> None:
        if event == "call":
            frames.append(frame.f_code.co_name)

    sys.setprofile(profile)
    try:
        function(*args)
    finally:
        sys.setprofile(None)
    return frames


def test_content_words_runs_no_python_code_per_word():
    """Each word's stem comes from a dict (a known word: a C lookup, through
    `map`), not from a comprehension run in Python word by word; text of
    ASCII and common typography (’ — “ ” …) takes the byte table."""
    from generator.channels.thread import said

    text = "The city’s “first hive” — budgets, suits, tools… and a €400 bill for the keepers."
    said.content_words(text)  # every stem known
    assert said.content_words(text) == {"city", "first", "hive", "budget", "suit", "tool", "bill",
                                        "keeper"}
    frames = _python_frames(said.content_words, text)
    assert frames == ["content_words", "_words"], frames


def test_typography_leaves_the_byte_table_in_use(monkeypatch):
    """Curly quotes, dashes, the ellipsis, the bullet and the euro sign are
    spaces to the word tables: text with no other character beyond ASCII is
    split through the byte table, not the Python-filled dict."""
    from generator.channels.thread import said

    class Refused(dict):
        def __getitem__(self, key: Any) -> Any:
            raise AssertionError("looked up in Python")

    monkeypatch.setattr(said, "_WORDS", Refused())
    monkeypatch.setattr(said, "_LETTER_WORDS", Refused())
    text = "The city’s “first hive” — 2 suits… • €400"
    assert said.word_list(text) == ["the", "city", "s", "first", "hive", "2", "suits", "400"]
    assert said.content_words(text) == {"city", "first", "hive", "suit"}


def test_a_telling_sentence_is_found_without_the_regex_of_every_sign(monkeypatch):
    """A later sentence of a paragraph is weighed when it holds a figure, a
    comparison or a quotation: the digits and words are looked for one by
    one, and the quotation's regex runs only where there is a quote mark."""
    from generator.channels.thread import material

    quotations: list[str] = []
    pattern = material._QUOTATION

    class Refused:
        def search(self, text: str) -> Any:
            raise AssertionError("the regex of every sign")

    class Recording:
        def search(self, text: str) -> Any:
            quotations.append(text)
            return pattern.search(text)

    monkeypatch.setattr(material, "_TELLING", Refused(), raising=False)
    monkeypatch.setattr(material, "_QUOTATION", Recording())
    assert material._telling("Sales rose 12 % last year.")
    assert material._telling("It is bigger than before.")
    assert not material._telling("It develops the point.")
    assert material._telling("She said “we ship on Fridays now” to all.")
    assert not material._telling("A short “quote” here.")
    assert quotations == ["She said “we ship on Fridays now” to all.", "A short “quote” here."]


def test_counted_apart_looks_at_the_dots_and_agrees_with_the_regex(monkeypatch):
    """Whether a text may hold a link or a mention is found from its at
    signs, schemes and dots, without the regex over every character, and
    agrees with the regex after a dot for every code point."""
    from generator.channels.thread import fit

    pattern = fit._COUNTED_APART
    for code in range(0x110000):
        text = "See x." + chr(code)
        assert fit._counted_apart(text) == (pattern.search(text) is not None), hex(code)

    class Refused:
        def search(self, text: str) -> Any:
            raise AssertionError("searched every character")

    monkeypatch.setattr(fit, "_COUNTED_APART", Refused())
    monkeypatch.setattr(fit, "_FACTS", {}, raising=False)
    assert not fit._facts("📌 Budget about €400. The suit, the tools… 3/7").apart
    assert fit._facts("Read it at example.com today").apart
    assert fit._facts("Ask @newsroom").apart
    assert fit._facts("日本語。テスト").apart


def test_a_whole_idea_as_hook_fact_is_not_read_again(articles, monkeypatch):
    """The hook's facts are the dek and ideas, whole or cut at a clause: a
    whole one's word count and figures, and the words a hook taken whole
    says, are the idea's, worked out when it was gathered."""
    from generator.channels.thread import material, plan

    ideas: set[str] = set()
    gather = material.gather

    def gathering(*args: Any, **kwargs: Any) -> Any:
        found = gather(*args, **kwargs)
        ideas.update(i.text for i in found.ideas)
        return found

    again: list[str] = []

    def recording(function: Callable[..., Any]) -> Callable[..., Any]:
        def record(text: str) -> Any:
            if text in ideas:
                again.append(text)
            return function(text)

        return record

    monkeypatch.setattr(plan, "gather", gathering)
    monkeypatch.setattr(plan, "figures", recording(plan.figures))
    monkeypatch.setattr(plan, "word_count", recording(plan.word_count))
    monkeypatch.setattr(plan, "content_words", recording(plan.content_words))
    hooks = 0
    for article in articles:
        thread = build_thread(_fresh(article), "x", CONFIG)
        hooks += "\n\n" in thread.posts[0].text  # a fact under the title
    assert hooks and ideas
    assert not again, again[:3]


def test_a_body_is_cut_into_pieces_once_for_each_set_of_ideas(articles, monkeypatch):
    """A thread is laid out again with a wider post number, with quotes
    cut tight, or with an idea fewer: the same ideas are brought into
    pieces once, and each piece's key is made once."""
    from generator.channels.thread import fit

    made: list[tuple[int, ...]] = []
    pieces = fit.pieces

    def recording(ideas: list[Any]) -> Any:
        made.append(tuple(i.key for i in ideas))
        return pieces(ideas)

    monkeypatch.setattr(fit, "pieces", recording)
    layouts = Calls(fit.lay_out)
    from generator.channels.thread import build as build_module

    monkeypatch.setattr(build_module, "lay_out", layouts)
    for article in articles:
        article = _fresh(article)
        for key in ("x", "bluesky", "mastodon", "threads"):
            made.clear()
            build_thread(article, key, CONFIG, limit=200 if key != "x" else None)
            assert len(made) == len(set(made)), (key, made)
    assert layouts.total > 4 * len(articles)  # laid out again, some of them
    idea = fit.Idea(3, "prose", "A sentence.", 1, "", 1, True)
    piece = fit.Piece("prose", (idea,))
    assert piece.key == (3,) and piece.key is piece.key  # made once, not per use


def test_scoring_an_idea_runs_no_generator_word_by_word():
    """Every idea of an article is scored: its number words and comparing
    phrases are counted by built-ins, and an idea without figures skips
    their checks, so no generator runs in Python."""
    from generator.channels.thread import plan
    from generator.channels.thread.material import Idea
    from generator.channels.thread.said import content_words

    text = "Three newsrooms now send twice as many newsletters as they used to."
    idea = Idea(2, "prose", text, 1, "", 1, True, words=content_words(text), count=12)
    # Two number words, a comparing phrase, a paragraph's first, the first section of three.
    assert plan.score(idea, 3) == pytest.approx(2.0 + 2.0 + 0.5 + (1 - 1 / 3))
    frames = _python_frames(plan.score, idea, 3)
    assert "<genexpr>" not in frames, frames


def test_labels_are_worked_out_once_for_every_platform(articles, monkeypatch):
    """The five platforms of an article word their posts with the same
    labels (its language's, with the config's overrides): they are looked
    up and merged once, not once per platform."""
    from generator.channels.thread import build as build_module

    if hasattr(build_module, "_labels"):
        build_module._labels.cache_clear()
    merged = Calls(build_module.labels_for)
    monkeypatch.setattr(build_module, "labels_for", merged)
    threads = list(_every_platform(articles[0]))
    assert len(threads) == 5
    assert merged.total == 1


def test_x_looks_for_a_dot_before_a_letter_at_the_dots(monkeypatch):
    """A text with no dot before a letter holds no URL: X's count finds out
    from the text's dots (the regex only after one beyond ASCII, or where
    there is a full-width stop), and agrees with the regex after a dot for
    every code point."""
    pattern = counting._MAYBE_URL
    searched: list[str] = []

    class Recording:
        def search(self, text: str) -> Any:
            searched.append(text)
            return pattern.search(text)

        def match(self, text: str, *args: Any) -> Any:
            searched.append(text)
            return pattern.match(text, *args)

    monkeypatch.setattr(counting, "_MAYBE_URL", Recording())
    text = "Bees 🐝 fly 3 km. Hives cost €400… and more. 3/7"
    assert counting.twitter_length(text) == counting.twitter_authority_length(text)
    assert searched == []
    linked = "Read example.com 2/2"
    assert counting.twitter_length(linked) == len(linked) - len("example.com") + 23
    monkeypatch.undo()
    for code in range(0x110000):
        text = "It ends." + chr(code)
        assert counting.dot_letter(text) == (pattern.search(text) is not None), hex(code)


def test_each_words_rarity_is_weighed_once(monkeypatch):
    """Saying the same thing is judged by the weights of the words two
    texts share: each word's weight is worked out once per article, not
    again in every set of words it is part of."""
    import math
    import types

    from generator.channels.thread import said

    logs = Calls(math.log)
    monkeypatch.setattr(said, "math", types.SimpleNamespace(log=logs, fsum=math.fsum))
    texts = [frozenset({"hive", "bee", "city"}), frozenset({"hive", "suit"}), frozenset({"bee"})]
    rarity = said.Rarity(texts)
    sets = [frozenset({"hive", "bee"}), frozenset({"hive", "suit"}), frozenset({"bee", "city"}),
            frozenset({"hive", "bee", "city", "suit"})]
    totals = [rarity.total(words) for words in sets]
    assert logs.total == 4  # hive, bee, suit, city
    expected = [math.fsum(math.log(1 + 3 / n) for n in counts) for counts in
                ([2, 2], [2, 1], [2, 1], [2, 2, 1, 1])]
    assert totals == expected
