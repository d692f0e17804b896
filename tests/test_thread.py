"""The thread channel, end to end through `masthead thread`."""

from __future__ import annotations

import json

import pytest
import regex
from conftest import ARTICLES, SEED
from length_oracle import length_oracle
from uniseg.graphemecluster import grapheme_clusters

from generator.channels.thread import build_thread, hashtag
from generator.config import parse_config
from generator.platforms import get_platform, platforms
from generator.readers import read_bytes, read_path
from generator.text.counting import grapheme_length

STACK = ARTICLES / "newsletter-stack-2026.md"
THREADED = ["x", "bluesky", "mastodon", "threads"]
ALL = [*THREADED, "linkedin"]


def posts_of(run) -> list[str]:
    assert run.exit_code == 0, run.stderr
    return run.stdout.rstrip("\n").split("\n---\n")


@pytest.fixture(scope="module")
def oracle():
    return length_oracle()


@pytest.mark.parametrize("platform", ALL)
def test_seed_fits_every_platform(cli, oracle, platform):
    posts = posts_of(cli("thread", SEED, "--platform", platform))
    rules = get_platform(platform)
    seed = read_path(SEED)
    whole = "\n".join(posts)
    for post in posts:
        assert post.strip(), "empty post"
        # The platform's own count (its JavaScript library, in Node): see test_oracles.py.
        assert oracle.length(platform, post) <= rules.limit
        assert not regex.match(r"^\s*[,.;:!?]", post), f"dangling punctuation: {post!r}"
        assert "None" not in post
    # Every list section is material: each says something in the thread.
    for heading in ("Key Facts", "Key Takeaways"):
        items = next(s for s in seed.sections if s.heading == heading).blocks[0].items
        assert any(item.plain_text in whole for item in items), heading
    quote = next(s for s in seed.sections if s.heading == "Expert Insights").blocks[0]
    # The quote is one post, in curly quotes, with its attribution after it:
    # whole, or its strongest complete sentences where the whole is too long.
    said = next(p for p in posts if "— " + quote.attribution.plain_text in p)
    inside = said[said.index("“") + 1 : said.index("”")]
    assert inside in quote.text.plain_text and inside.endswith(".")
    assert said.index("”") < said.index("— ")
    if rules.thread:
        # The hook: the title, the strongest figure, then the marker.
        assert posts[0].startswith(seed.title + "\n\n")
        assert "$13 billion" in posts[0] and "🧵" in posts[0]
        assert grapheme_length(posts[0]) < 200
        assert [p.rsplit(" ", 1)[-1] for p in posts] == [
            f"{i}/{len(posts)}" for i in range(1, len(posts) + 1)
        ]
    else:
        assert len(posts) == 1
        assert posts[0].startswith(seed.title + "\n")


@pytest.mark.parametrize("platform", ALL)
def test_last_post_carries_the_link_and_hashtags(cli, platform):
    posts = posts_of(cli("thread", STACK, "-p", platform))
    link = "https://blog.example.com/posts/newsletter-stack-2026/"
    assert link in posts[-1]
    assert all(link not in p for p in posts[:-1]) or platform == "linkedin"
    assert "http" not in posts[0].split("\n")[0]  # no link in the hook
    expected = {"x": 1, "threads": 1, "bluesky": 3, "mastodon": 3, "linkedin": 3}[platform]
    tags = [w for w in posts[-1].split() if w.startswith("#")]
    assert tags == ["#newsletters", "#DeveloperRelations", "#OpenSource"][:expected]


def test_json_shape_and_lengths(cli):
    run = cli("thread", SEED, "-p", "mastodon", "--format", "json")
    data = run.json()
    assert data["platform"] == "mastodon"
    assert data["limit"] == 500
    assert [p["index"] for p in data["posts"]] == list(range(1, len(data["posts"]) + 1))
    for post in data["posts"]:
        assert set(post) == {"index", "text", "length"}
        assert post["length"] == get_platform("mastodon").count(post["text"]) <= 500


def test_bluesky_json_has_shortened_text_and_facets(cli):
    data = cli("thread", STACK, "-p", "bluesky", "-f", "json").json()
    last = data["posts"][-1]
    assert "blog.example.com/posts/newsle..." in last["text"]
    assert "https://" not in last["text"]
    facet, *tags = last["facets"]
    raw = last["text"].encode("utf-8")
    start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
    assert raw[start:end].decode("utf-8") == "blog.example.com/posts/newsle..."
    assert facet["features"] == [
        {
            "$type": "app.bsky.richtext.facet#link",
            "uri": "https://blog.example.com/posts/newsletter-stack-2026/",
        }
    ]
    # Hashtags are facets too, or the API posts them as plain text.
    shown = [raw[t["index"]["byteStart"] : t["index"]["byteEnd"]].decode() for t in tags]
    assert shown == ["#newsletters", "#DeveloperRelations", "#OpenSource"]
    assert [t["features"] for t in tags] == [
        [{"$type": "app.bsky.richtext.facet#tag", "tag": name[1:]}] for name in shown
    ]
    for post in data["posts"]:
        assert grapheme_length(post["text"]) == post["length"] <= 300
        assert len(post["text"].encode("utf-8")) <= 3000
    # Text output keeps the full URL for pasting into the app.
    text_posts = posts_of(cli("thread", STACK, "-p", "bluesky"))
    assert "https://blog.example.com/posts/newsletter-stack-2026/" in text_posts[-1]


def test_max_posts_keeps_hook_lists_and_link(cli):
    """--max-posts drops the least salient ideas first: the hook, the link
    and each list's best item stay (the old test pinned every takeaway;
    takeaways that restate a key fact are no longer said at all)."""
    full = posts_of(cli("thread", SEED, "-p", "x"))
    short = posts_of(cli("thread", SEED, "-p", "x", "--max-posts", "5"))
    assert len(full) > 5 >= len(short)
    assert short[0].startswith("The Great AI Divorce")
    assert "more choices but also more complexity" in short[-1]
    joined = "\n".join(short)
    assert "Key Facts:" in joined and "Key Takeaways:" in joined
    # The 2019 background sentence scores lower than a list's best item.
    assert "dates back to 2019" in "\n".join(full) and "dates back to 2019" not in joined


def test_max_posts_too_small(cli):
    assert cli("thread", SEED, "--max-posts", "1").exit_code == 2
    run = cli("thread", SEED, "--max-posts", "2", "--limit", "40")
    assert run.exit_code == 1
    assert "--max-posts 2 is too few" in run.stderr


def test_no_numbering(cli):
    posts = posts_of(cli("thread", SEED, "-p", "x", "--no-numbering"))
    assert not any(regex.search(r"\d+/\d+$", p) for p in posts)


def test_numbering_width_is_recomputed(oracle):
    article = read_path(SEED)
    thread = build_thread(article, "x", limit=120)
    total = len(thread.posts)
    assert total >= 10
    for post in thread.posts:
        assert post.text.endswith(f" {post.index}/{total}")
        assert oracle.length("x", post.text) <= 120


def test_limit_option_and_config(cli, tmp_path):
    posts = posts_of(cli("thread", SEED, "-p", "mastodon", "--limit", "200"))
    assert all(grapheme_length(p) <= 200 for p in posts)
    (tmp_path / "masthead.toml").write_text("[limits]\nmastodon = 150\n", encoding="utf-8")
    posts = posts_of(cli("thread", SEED, "-p", "mastodon"))
    assert max(get_platform("mastodon").count(p) for p in posts) <= 150
    assert max(get_platform("mastodon").count(p) for p in posts) > 100


def test_faq_option(cli):
    without = "\n".join(posts_of(cli("thread", SEED)))
    with_faq = "\n".join(posts_of(cli("thread", SEED, "--faq")))
    assert "Does Microsoft own OpenAI?" not in without
    assert "Does Microsoft own OpenAI?" in with_faq


def test_output_file_and_utm(cli, tmp_path):
    (tmp_path / "masthead.toml").write_text(
        '[utm]\nenabled = true\ncampaign = "weekly-{slug}"\n', encoding="utf-8"
    )
    out = tmp_path / "thread.txt"
    run = cli("thread", STACK, "-p", "threads", "-o", out)
    assert run.exit_code == 0, run.stderr
    assert run.stdout == ""
    text = out.read_text(encoding="utf-8")
    assert (
        "https://blog.example.com/posts/newsletter-stack-2026/"
        "?utm_source=threads&utm_medium=social&utm_campaign=weekly-newsletter-stack-2026"
    ) in text


def test_utm_merges_into_query_and_fragment():
    article = read_bytes(
        b"---\ntitle: T\nurl: https://a.example/p?ref=1#top\n---\nBody.\n", fmt="markdown"
    )
    config = parse_config("[utm]\nenabled = true\n")
    thread = build_thread(article, "mastodon", config)
    assert (
        "https://a.example/p?ref=1&utm_source=mastodon&utm_medium=social&utm_campaign=t#top"
        in thread.posts[-1].text
    )


def test_site_url_gives_the_link(cli, tmp_path):
    (tmp_path / "masthead.toml").write_text('site_url = "https://news.example"\n', encoding="utf-8")
    posts = posts_of(cli("thread", SEED, "-p", "x"))
    assert "https://news.example/the-great-ai-divorce/" in posts[-1]


def test_article_shortcodes_and_markup_stay_literal():
    article = read_bytes(
        b"T :pushpin: {{ x }}\nDek with :thread: and <b>tags</b>.\nLead.\nKey Facts\n"
        b"- A fact with :link: and {% raw %}.\n",
        name="t.txt",
    )
    thread = build_thread(article, "bluesky")
    joined = "\n".join(p.text for p in thread.posts)
    # The hook: the title, the fact list's item, the marker (the hook used
    # to be the title alone).
    assert joined.startswith("T :pushpin: {{ x }}\n\nA fact with :link: and {% raw %}. 🧵")
    assert ":thread: and <b>tags</b>." in joined


def test_long_token_and_long_url():
    token = "x" * 500
    article = read_bytes(f"Title\nDek.\nKey Facts\n- {token}\n".encode(), name="t.txt")
    for platform in THREADED:
        thread = build_thread(article, platform)
        rules = get_platform(platform)
        assert all(rules.fits(p.text) for p in thread.posts)
        joined = "".join(p.text for p in thread.posts)
        assert joined.count("x") >= 500
    url = "https://example.com/" + "a" * 600
    article = read_bytes(f"Title\nDek.\nKey Facts\n- See {url}\n".encode(), name="t.txt")
    # X, Bluesky and Mastodon count a link short; Threads counts it in full.
    for platform in ("x", "bluesky", "mastodon"):
        assert url in "\n".join(p.text for p in build_thread(article, platform).posts)


def test_long_url_on_threads_is_a_clear_error(cli, tmp_path):
    url = "https://example.com/" + "a" * 600
    path = tmp_path / "long.txt"
    path.write_text(f"Title\nDek.\nKey Facts\n- See {url}\n", encoding="utf-8")
    run = cli("thread", path, "-p", "threads")
    assert run.exit_code == 1
    assert run.stderr.startswith("error: ")
    assert "longer than a whole post" in run.stderr
    assert "Traceback" not in run.stderr


def test_threads_link_limit():
    links = " ".join(f"https://l{i}.example/x" for i in range(8))
    article = read_bytes(f"Title\nDek.\nKey Facts\n- Links: {links}\n".encode(), name="t.txt")
    thread = build_thread(article, "threads")
    from generator.text.counting import threads_link_count

    assert all(threads_link_count(p.text) <= 5 for p in thread.posts)


def test_emoji_are_never_split():
    family = "👨‍👩‍👧‍👦"
    # A run with no space in it is longer than a post on every platform, so
    # it is cut between clusters: flags side by side (a cut one pair off
    # makes other flags), a skin tone, a combining accent, Hangul jamo, a
    # Devanagari conjunct, a keycap and a tag-sequence flag.
    run = (
        "🇯🇵🇫🇷🇩🇪👍🏽e\u0301\u1100\u1161\u11a8क्षि1\ufe0f\u20e3"
        "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f" + family
    )
    body = " ".join([f"word{i} {family}🇯🇵👍🏽" for i in range(120)]) + " " + run * 120
    article = read_bytes(f"Title\nDek.\nKey Facts\n- {body}\n".encode(), name="t.txt")
    # The clusters of the source, by a segmenter that shares no code with
    # Masthead's (uniseg, not the regex module's \X): every cluster of a
    # post is one of them, or one of the marks the thread adds.
    source = set(grapheme_clusters(body))
    added = {"🧵", "📌", "…"}
    for platform in THREADED:
        posts = build_thread(article, platform).posts
        cut = [p.text for p in posts if run[:30] in p.text and run * 120 not in p.text]
        assert len(cut) >= 2, "the run was not cut across posts"
        for post in posts:
            foreign = {
                c for c in grapheme_clusters(post.text) if not c.isascii() and c not in source
            }
            assert foreign <= added, f"{platform}: clusters cut apart: {foreign - added}"
            assert post.text.count("\u200d") == 3 * post.text.count(family)


def test_linkedin_single_post_hook_first(cli):
    (post,) = posts_of(cli("thread", STACK, "-p", "linkedin"))
    assert len(post.encode("utf-16-le")) // 2 <= 3000
    first_two = post.split("\n")[:2]
    assert first_two[0] == "How We Rebuilt Our Newsletter Stack in a Weekend"
    assert len("\n".join(first_two)) <= 200
    assert "\n\n\n" not in post


def test_hashtag_camel_case():
    assert hashtag("venture capital") == "#VentureCapital"
    assert hashtag("AI") == "#AI"
    assert hashtag("open-source tools") == "#OpenSourceTools"
    assert hashtag("!!!") == ""
    assert hashtag("#AI") == "#AI"
    assert hashtag("c++") == "#CPlusPlus"
    assert hashtag("C#") == "#CSharp" and hashtag("F#") == "#FSharp"
    assert hashtag(".NET") == "#DotNET"
    assert hashtag("iOS 18") == "#iOS18"
    assert hashtag("LGBTQ+") == "#LGBTQPlus"
    assert hashtag("Node.js") == "#NodeJs"


def test_every_platform_is_data():
    assert set(platforms()) == set(ALL)
    assert {p.key: p.limit for p in platforms().values()} == {
        "x": 280,
        "bluesky": 300,
        "mastodon": 500,
        "threads": 500,
        "linkedin": 3000,
    }


def test_cli_json_is_valid_for_every_platform(cli):
    for platform in ALL:
        data = json.loads(cli("thread", STACK, "-p", platform, "-f", "json").stdout)
        assert data["platform"] == platform
        assert all(p["length"] <= data["limit"] for p in data["posts"])


def test_prose_only_sections_speak_through_their_first_sentence():
    article = read_path(ARTICLES / "urban-beekeeping-guide.txt")
    texts = [p.text for p in build_thread(article, "x").posts]
    opener = next(t for t in texts if "New beekeepers most often open the hive too often." in t)
    # The short sentence after it (what to do instead) comes along; the next
    # paragraph, which scores lower, does not.
    assert "Every inspection costs the colony a day of work" in opener
    assert not any("The second mistake" in t for t in texts)
    # Every list is material: the old thread left an article's facts out
    # when it had takeaways; now each list says its strongest item.
    seed = read_path(SEED)
    seed_texts = "\n".join(p.text for p in build_thread(seed, "mastodon").posts)
    for heading in ("Key Facts", "Key Takeaways"):
        items = next(s for s in seed.sections if s.heading == heading).blocks[0].items
        assert any(item.plain_text in seed_texts for item in items), heading


def test_a_list_goes_out_whole_under_its_heading_when_it_fits():
    article = read_path(STACK)
    posts = [p.text for p in build_thread(article, "x").posts]
    broken = next(p for p in posts if "What Was Broken" in p)
    assert broken.splitlines()[0] == "📌 What Was Broken:"
    assert broken.splitlines()[1] == "• The email was pasted from a Google Doc."
    # On a platform too short for the whole list: as few posts as fit, the
    # heading opening the first, each later one marked as going on (they all
    # repeated the bare heading before), the items in order.
    narrow = [p.text for p in build_thread(article, "x", limit=100).posts]
    parts = [p for p in narrow if "What Was Broken" in p]
    assert len(parts) >= 2 and parts[0].startswith("📌 What Was Broken:\n• ")
    assert all(p.startswith("📌 What Was Broken (cont.):\n• ") for p in parts[1:])
    items = [line[2:] for p in parts for line in p.rsplit(" ", 1)[0].splitlines()[1:]]
    assert items == [
        "The email was pasted from a Google Doc.",
        "The thread was written by hand on a phone.",
        "The RSS feed was updated only when someone remembered.",
    ]


def test_a_list_too_long_for_one_post_is_shared_out_evenly():
    """Four items that need two posts go two and two, never three and a lone
    last one. (An article of that list alone: the beekeeping guide's thread
    now says two of its four items, by salience.)"""
    items = (
        "- Join a local beekeeping association and ask its members for a mentor.\n"
        "- Start with one hive and a nucleus colony of gentle, calm bees this spring.\n"
        "- Put a water dish with pebbles near the hive for thirsty foragers to use.\n"
        "- Budget for the hive, the suit, the smoker and the tools before you start.\n"
    )
    article = read_bytes(f"Bees\nA guide.\nGetting Started\n{items}".encode(), name="t.txt")
    posts = [p.text for p in build_thread(article, "x").posts]
    parts = [p for p in posts if "Getting Started" in p]
    assert [p.count("\n• ") for p in parts] == [2, 2]


def test_linkedin_hook_fits_before_see_more():
    """Title and dek are the hook; a dek that would run past "see more" opens
    the body instead of being cut there."""
    seed = read_path(SEED)
    post = build_thread(seed, "linkedin").posts[0].text
    lines = post.split("\n")
    rules = get_platform("linkedin")
    hook = lines[0] if not lines[1] else "\n".join(lines[:2])
    assert rules.count(hook) <= rules.fold
    # The hook's two lines are the title and the strongest figure (they were
    # the title and the dek); the dek opens the body.
    assert lines[0] == seed.title and "$13 billion" in lines[1]
    assert not lines[2] and lines[3] == seed.dek


def test_prose_only_article_still_makes_a_thread():
    article = read_bytes(
        b"A Quiet Week\nNothing much happened.\nThe lead paragraph.\n"
        b"Weather\nIt rained on Monday. Then it stopped.\n"
        b"Sport\nThe match was cancelled. Fans went home.\n",
        name="quiet.txt",
    )
    texts = [p.text for p in build_thread(article, "x").posts]
    assert texts[0].startswith("A Quiet Week")
    assert any("It rained on Monday." in t for t in texts)
    assert any("The match was cancelled." in t for t in texts)


def test_a_limit_too_small_for_anything_is_a_clear_error(cli):
    run = cli("thread", SEED, "-p", "x", "--limit", "10")
    assert run.exit_code == 1
    assert run.stderr.startswith("error: ") and "post limit is too small" in run.stderr
    assert "raise the limit" in run.stderr


def test_hashtags_that_differ_only_in_case_count_once(tmp_path):
    source = tmp_path / "tags.md"
    source.write_text(
        "---\ntitle: Tags\ntags: [tag, TAG, Tag, open source, Open Source, news]\n---\n\n"
        "A paragraph that says something.\n",
        encoding="utf-8",
    )
    article = read_path(source)
    hook = build_thread(article, "mastodon").posts[0].text  # no link: the tags go with it
    assert hook.split()[-4:-1] == ["#tag", "#OpenSource", "#news"]


def test_max_posts_drops_a_list_item_by_item():
    """--max-posts trims a list item by item rather than dropping all of it:
    the prose and the quote go first, each list keeps its best item."""
    full = [p.text for p in build_thread(read_path(SEED), "x").posts]
    posts = [p.text for p in build_thread(read_path(SEED), "x", max_posts=4).posts]
    assert 3 <= len(posts) <= 4 < len(full)
    joined = "\n".join(posts)
    assert "💬" not in joined and "dates back to 2019" not in joined
    assert "Key Facts:\n• OpenAI has launched SearchGPT" in joined  # the list's best item
    assert "Key Takeaways:\n• " in joined
    assert posts[-1].startswith("For businesses and developers")


def test_a_quote_too_long_for_any_shortening_keeps_its_marks_on_every_part():
    posts = [p.text for p in build_thread(read_path(SEED), "bluesky", limit=120).posts]
    quoted = [p for p in posts if p.startswith("💬")]
    assert len(quoted) >= 2
    for post in quoted:
        body = post.rsplit(" ", 1)[0]  # without the post number
        assert "“" in body and "”" in body, post
    assert "— Senior Industry Analyst" in quoted[-1]
    assert all(grapheme_length(p) <= 120 for p in posts)


def test_linkedin_lists_keep_their_section_headings():
    post = build_thread(read_path(STACK), "linkedin").posts[0].text
    assert "\n\nWhat Was Broken:\n🔹 The email was pasted from a Google Doc.\n" in post
    assert "\n\nHow It Works Now:\n🔹 Write the article once, in Markdown.\n" in post


@pytest.mark.parametrize("platform", ["x", "linkedin"])
def test_a_heading_that_ends_in_punctuation_gets_no_second_colon(platform):
    article = read_bytes(
        b"---\ntitle: T\n---\n\n## What We Learned:\n\n- One thing.\n- Another.\n\n"
        b"## What's Next?\n\n- Soon.\n- Later.\n",
        name="t.md",
    )
    text = "\n".join(p.text for p in build_thread(article, platform).posts)
    assert "What We Learned:\n" in text and "What's Next?\n" in text
    assert "::" not in text and "?:" not in text


def test_the_lead_carries_its_news_into_the_thread():
    """What comes before the first heading is often the news itself; a lead
    that only repeats the dek is not said twice."""
    article = read_bytes(
        b"---\ntitle: We Are Moving\ndescription: Our office has a new home.\n---\n\n"
        b"From 1 June we work from 12 Quay Street, Portsmouth. Parking is behind the building.\n",
        name="t.md",
    )
    for platform in ("x", "mastodon"):
        posts = [p.text for p in build_thread(article, platform).posts]
        assert any("12 Quay Street" in p for p in posts), posts
    echo = read_bytes(
        b"---\ntitle: T\ndescription: Our office has a new home.\n---\n\n"
        b"Our office has a new home. We moved to 12 Quay Street.\n\n## Details\n\n- One.\n- Two.\n",
        name="t.md",
    )
    posts = [p.text for p in build_thread(echo, "x").posts]
    assert sum("Our office has a new home" in p for p in posts) == 1
    # The news with a figure is the hook's fact now (it was a body post).
    assert posts[0].startswith("T\n\nWe moved to 12 Quay Street. 🧵")


@pytest.mark.parametrize("platform", ["x", "linkedin"])
def test_a_quote_in_straight_quote_marks_goes_out_in_curly_ones(platform):
    article = read_bytes(
        b'---\ntitle: T\n---\n\n## Said\n\n> "This one uses straight quotes."\n> \xe2\x80\x94 Ann Lee\n',
        name="t.md",
    )
    text = "\n".join(p.text for p in build_thread(article, platform).posts)
    assert "“This one uses straight quotes.”" in text and '"' not in text


def test_the_dek_is_not_said_again_by_an_opener_or_the_closing_post():
    article = read_bytes(
        "Town Library Extends Weekend Hours\nBy Sam Lee — April 2, 2026\n"
        "The library will open on Sundays starting in May.\nLead.\n"
        "Details\nThe library will open on Sundays starting in May. Hours will be noon to five.\n"
        "What Comes Next\nThe library will open on Sundays starting in May.\n".encode(),
        name="t.txt",
    )
    posts = [p.text for p in build_thread(article, "x").posts]
    assert sum("open on Sundays" in p for p in posts) == 1, posts
    assert any(p.startswith("📌 Hours will be noon to five.") for p in posts)


def test_linkedin_takeaways_keep_their_heading():
    post = build_thread(read_path(SEED), "linkedin").posts[0].text
    assert "\n\nKey Takeaways:\n🔹 " in post and "\n\nKey Facts:\n🔹 " in post


def test_a_dek_without_words_hides_nothing():
    article = read_bytes(
        '---\ntitle: T\ndescription: "🚀"\n---\n\nWe ship it today.\n\n## Plan\n\nWe test first.\n'.encode(),
        name="t.md",
    )
    text = "\n".join(p.text for p in build_thread(article, "x").posts)
    assert "We ship it today." in text and "We test first." in text


def test_quote_marks_are_curled_only_round_a_whole_quote():
    from generator.channels.thread import quoted

    assert quoted('"Plain."') == "“Plain.”"
    assert quoted('"We ship," she said. "Then we fix."') == '"We ship," she said. "Then we fix."'
    assert quoted("'Tis the 'experts'") == "'Tis the 'experts'"


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (  # fragments take a colon after their parent and semicolons between them
            "1. First step\n   1. Sub one\n   2. Sub two\n2. Second step\n",
            "• First step: Sub one; Sub two\n• Second step",
        ),
        (  # sentences follow each other
            "- Install it.\n  - Run a.\n  - Run b.\n- Then:\n  - this\n  - that\n",
            "• Install it. Run a. Run b.\n• Then: this; that",
        ),
    ],
)
def test_a_nested_list_joins_its_parent_item(items, expected):
    article = read_bytes(f"---\ntitle: T\n---\n\n## Steps\n\n{items}".encode(), name="t.md")
    post = next(p.text for p in build_thread(article, "x").posts if "Steps" in p.text)
    assert expected in post


def test_hashtags_drop_apostrophes_and_digit_only_tags_and_join_caseless_words():
    assert hashtag("women's health") == "#WomensHealth"
    assert hashtag("New Year’s Eve") == "#NewYearsEve"
    assert hashtag("2026") == "" and hashtag("12 34") == ""  # no platform links "#2026"
    assert hashtag("تربية النحل") == "#تربية_النحل"
    assert hashtag("हिन्दी भाषा") == "#हिन्दी_भाषा"  # vowel signs stay in the word
    assert hashtag("都市 養蜂") == "#都市養蜂"
    assert hashtag("München Bienen") == "#MünchenBienen"
    assert hashtag("Côte d'Ivoire") == "#CôteDIvoire"  # an elision parts two words
    assert hashtag("don't panic") == "#DontPanic"
    article = read_bytes(b"---\ntitle: T\ntags: ['2026', bees]\n---\n\nText here.\n", name="t.md")
    text = "\n".join(p.text for p in build_thread(article, "x").posts)
    assert "#Bees" in text or "#bees" in text
    assert "#2026" not in text


def _thread_text(source: str, platform: str = "x", name: str = "t.txt") -> str:
    article = read_bytes(source.encode(), name=name)
    return "\n---\n".join(p.text for p in build_thread(article, platform).posts)


def test_an_abbreviation_does_not_end_the_sentence():
    text = _thread_text(
        "Honey Prices Hit a Record\nBy City Desk — 2026-05-14\n"
        "Bad weather and fewer colonies pushed prices up.\n"
        "The U.S. honey harvest fell by a fifth last year, the steepest drop on record. "
        "Prices rose.\nPrices\nWholesale prices rose 30 percent.\n"
    )
    assert "The U.S. honey harvest fell by a fifth" in text
    assert "The U.S. 3/" not in text


def test_a_list_before_the_first_heading_reaches_every_platform():
    source = (
        "Three Changes to the Bin Collection\nBy City Desk — 2026-05-14\n"
        "The council is changing how your bins are collected.\n"
        "From Monday, three things change.\n"
        "- Green bins are collected every two weeks.\n"
        "- Glass goes in the new purple box.\n"
        "- Collections start at 6 a.m. on weekdays.\n"
    )
    for platform in ALL:
        text = _thread_text(source, platform)
        assert "Glass goes in the new purple box." in text, (platform, text)
        assert "📌 \n" not in text


def test_a_split_after_a_link_leaves_the_link_whole():
    source = (
        "Councils Publish Their Rules\nBy Ana Ferreira — 2026-05-14\n"
        "Most cities now put their rules on the web.\n"
        "Before you buy a hive or a suit or a smoker or any other piece of kit for the roof "
        "you should first read the short and very readable set of rules that your local "
        "council now keeps online at https://example.org/council/beekeeping-rules, and then "
        "you should also check with your landlord and your insurer before the first colony "
        "arrives on your roof this spring.\n"
    )
    article = read_bytes(source.encode(), name="t.txt")
    for platform in ("x", "bluesky"):
        thread = build_thread(article, platform)
        text = "\n".join(p.text for p in thread.posts)
        assert "beekeeping-rules …" in text and "rules…" not in text
        uris = [f["features"][0].get("uri") for p in thread.posts for f in p.facets]
        assert "https://example.org/council/beekeeping-rules" in uris or platform == "x"


def test_only_a_whole_why_heading_closes_the_thread():
    text = _thread_text(
        "---\ntitle: Five Email Clients Compared\ndescription: We tested five.\n"
        "canonical_url: https://example.com/clients/\n---\n\nWe used each for a week.\n\n"
        "## Gmail\n\nGmail is the fastest to search.\n\n"
        "## Outlook\n\nOutlook crashed twice a day.\n\n"
        "## Why It Matters\n\nYour client shapes your day.\n",
        name="t.md",
    )
    closing = text.split("\n---\n")[-1]
    assert closing.startswith("Your client shapes your day.")
    assert "📌 Outlook crashed twice a day." in text


def test_a_dek_of_two_sentences_copied_into_the_lead_is_said_once():
    text = _thread_text(
        "Bees Are Back in Town\nBy Newsroom — 2026-05-14\n"
        "Bees are back in the city. Councils now welcome them.\n"
        "Bees are back in the city. Councils now welcome them. Honey output doubled.\n"
        "The Numbers\n- Hives: 400.\n- Keepers: 120.\n"
    )
    assert text.count("Councils now welcome them.") == 1
    assert "📌 Honey output doubled." in text


def test_a_dash_gives_way_to_the_ellipsis():
    from generator.text.splitting import split_to_fit

    parts = split_to_fit("word " * 20 + "— " + "more " * 20, lambda t: len(t) <= 110)
    assert all(not p.endswith(("—…", "– …", "— …")) for p in parts), parts


def test_chinese_and_japanese_sentences_are_joined_as_written():
    text = _thread_text(
        "---\ntitle: 都市養蜂\nlang: ja\n---\n\n"
        "都市のミツバチは元気だ。公園が花を咲かせる。農薬も少ない。\n",
        name="t.md",
    )
    assert "都市のミツバチは元気だ。公園が花を咲かせる。農薬も少ない。" in text
    from generator.text.splitting import join_sentences

    assert join_sentences(["他说：“好。”", "我们走了。"]) == "他说：“好。”我们走了。"


def test_an_elision_is_not_taken_for_a_quote_mark():
    text = _thread_text(
        "---\ntitle: T\n---\n\nLead.\n\n## Voices\n\n> 'Tis the season to ship.\n> — Sam Rivera\n",
        name="t.md",
    )
    assert "“'Tis the season to ship.”" in text


def test_hashtags_without_a_link_or_why_go_with_the_hook_not_alone():
    source = "---\ntitle: Plain Article\ntags: [open source]\n---\n\nThe news. More.\n\n- One point.\n- Two points.\n"
    for platform in THREADED:
        posts = [
            p.text for p in build_thread(read_bytes(source.encode(), name="t.md"), platform).posts
        ]
        assert posts[0].startswith("Plain Article 🧵\n\n#OpenSource"), posts
        assert not any(regex.fullmatch(r"#\w+( \d+/\d+)?", p) for p in posts)
        assert sum("#OpenSource" in p for p in posts) == 1


def test_a_long_article_is_fitted_into_one_linkedin_post_in_few_tries(monkeypatch):
    """Dropping quotes and points one by one worded the whole post once per
    drop: thousands of times for a long article (a 10 MB one took a minute
    and gigabytes). Dropping only shortens the post, so halving finds it."""
    from generator.channels.thread import macros as macros_module

    items = "".join(f"- Point number {n} of the long list.\n" for n in range(3000))
    quotes = "".join(f"> Quote number {n} said here.\n> — Person {n}\n\n" for n in range(500))
    article = read_bytes(
        f"---\ntitle: Long\n---\n\nLead.\n\n## Key Takeaways\n\n{items}\n## Voices\n\n{quotes}".encode(),
        name="long.md",
    )
    calls = []
    original = macros_module.Macros.__call__

    def counting(self, name, *args, **kwargs):
        calls.append(name)
        return original(self, name, *args, **kwargs)

    monkeypatch.setattr(macros_module.Macros, "__call__", counting)
    post = build_thread(article, "linkedin").posts[0]
    assert post.length <= get_platform("linkedin").limit
    assert "Point number 0 of the long list." in post.text
    assert calls.count("post") <= 20
