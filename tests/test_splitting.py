"""Splitting never cuts a word, a link or a grapheme, and every part fits."""

from __future__ import annotations

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.platforms import platforms
from generator.text.counting import grapheme_length
from generator.text.splitting import ELLIPSIS, SplitError, first_sentence, sentences, split_to_fit

PLATFORMS = [p for p in platforms().values() if p.thread]


def words_of(text: str) -> list[str]:
    return text.replace(ELLIPSIS, " ").split()


def test_sentences_first():
    fits = lambda s: len(s) <= 30  # noqa: E731
    parts = split_to_fit("One short sentence. Another short one. And a third.", fits)
    assert parts == ["One short sentence.", "Another short one.", "And a third."]


def test_clause_then_word_with_ellipsis():
    fits = lambda s: len(s) <= 40  # noqa: E731
    text = "This sentence is long, it has clauses, and it goes on for quite a while indeed."
    parts = split_to_fit(text, fits)
    assert all(len(p) <= 40 for p in parts)
    assert parts[0].endswith(ELLIPSIS)
    assert parts[-1].endswith("indeed.")
    assert [w.strip(",") for w in words_of(" ".join(parts))] == [w.strip(",") for w in text.split()]


def test_cjk_sentences_split_without_spaces():
    fits = lambda s: len(s) <= 12  # noqa: E731
    parts = split_to_fit("東京に新しい図書館が開館した。多くの人が訪れた！とても人気だ。", fits)
    assert all(len(p) <= 12 for p in parts)
    assert parts[-2:] == ["多くの人が訪れた！", "とても人気だ。"]
    assert "".join(p.rstrip(ELLIPSIS) for p in parts) == (
        "東京に新しい図書館が開館した。多くの人が訪れた！とても人気だ。"
    )


def test_long_link_is_an_error_not_a_cut():
    fits = lambda s: len(s) <= 50  # noqa: E731
    with pytest.raises(SplitError, match="link"):
        split_to_fit("See https://example.com/" + "a" * 100, fits)


def test_long_word_falls_back_to_graphemes():
    fits = lambda s: len(s) <= 50  # noqa: E731
    parts = split_to_fit("x" * 120, fits)
    assert all(len(p) <= 50 for p in parts)
    assert "".join(p.rstrip(ELLIPSIS) for p in parts) == "x" * 120


def test_first_sentence():
    assert first_sentence("First one. Second one.") == "First one."
    assert first_sentence("只有一句。") == "只有一句。"


EMOJI = ["👨‍👩‍👧‍👦", "🇯🇵", "👍🏽", "🏳️‍🌈", "❤️", "😀", "1️⃣"]
word = st.one_of(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzéü", min_size=1, max_size=12),
    st.sampled_from(EMOJI),
    st.text(alphabet="東京図書館開人気日本語", min_size=1, max_size=30),
    st.sampled_from(
        [
            "https://example.com/a?b=1&c=2#d",
            "https://www.example.org/path/to/page",
            "https://a.example/" + "p" * 60,
        ]
    ),
    st.text(alphabet="abcdefghij", min_size=60, max_size=320),
)
punct = st.sampled_from(["", "", ".", ",", ";", "!", "?", "。", " —"])
text = st.lists(st.tuples(word, punct).map("".join), min_size=1, max_size=80).map(" ".join)


@pytest.mark.parametrize("platform", PLATFORMS, ids=lambda p: p.key)
@settings(max_examples=150)
@given(text=text)
def test_every_part_fits_and_nothing_is_lost(platform, text):
    parts = split_to_fit(text, platform.fits)
    assert all(platform.fits(p) for p in parts)
    assert all(p.strip() for p in parts)
    source_graphemes = [g for g in regex.findall(r"\X", text) if not g.isspace()]
    joined = "".join(p.removesuffix(ELLIPSIS) for p in parts)
    joined_graphemes = [g for g in regex.findall(r"\X", joined) if not g.isspace()]
    # Only trailing clause punctuation (dashes too) may give way to an ellipsis.
    strip = lambda gs: [g for g in gs if g not in ",;:，；：、—–"]  # noqa: E731
    assert strip(joined_graphemes) == strip(source_graphemes)


@pytest.mark.parametrize("lead", ["📌 ", "💬 ", "— "])
def test_a_signpost_is_never_a_post_of_its_own(lead):
    """A signpost before a token too long for any post goes with the token's
    first piece instead of standing alone as an empty post."""

    def fits(text: str) -> bool:
        return len(text) <= 100

    parts = split_to_fit(lead + "x" * 500, fits)
    assert parts[0].startswith(lead.strip() + " x")
    assert all(regex.search(r"\p{L}", part) for part in parts)
    parts = split_to_fit(lead + "A short start. " + "y" * 300, fits)
    assert all(regex.search(r"\p{L}", part) for part in parts)


def test_a_signpost_before_a_long_link_does_not_let_the_link_be_cut():
    with pytest.raises(SplitError, match="link"):
        split_to_fit("📌 https://example.com/" + "a" * 600, lambda text: len(text) <= 100)


def test_with_colon_adds_one_only_where_none_is():
    from generator.text.splitting import with_colon

    assert with_colon("Key Takeaways") == "Key Takeaways:"
    assert with_colon("What We Learned:") == "What We Learned:"
    assert with_colon("What's Next?") == "What's Next?"
    assert with_colon("“Why Now?”") == "“Why Now?”"
    assert with_colon("Q&A") == "Q&A:"
    assert with_colon("Growth by 10%") == "Growth by 10%:"
    assert with_colon("Why we chose C#") == "Why we chose C#:"
    assert with_colon("ما التالي؟") == "ما التالي؟"
    assert with_colon("आगे क्या।") == "आगे क्या।"
    assert with_colon('Why "Now"') == 'Why "Now":'
    assert with_colon("今後。") == "今後。"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Abbreviations, dotted initials and initials end no sentence.
        ("Mr. Lee spoke. Then Mrs. Chan.", ["Mr. Lee spoke.", "Then Mrs. Chan."]),
        ("The U.S. Senate voted. It passed.", ["The U.S. Senate voted.", "It passed."]),
        ("Meet at 5 p.m. sharp. Bring food.", ["Meet at 5 p.m. sharp.", "Bring food."]),
        ("J. K. Rowling wrote it. Fans cheered.", ["J. K. Rowling wrote it.", "Fans cheered."]),
        ("See No. 5 here. End.", ["See No. 5 here.", "End."]),
        # A lower-case word goes on with the sentence.
        ("It was approx. five. Then six.", ["It was approx. five.", "Then six."]),
        ("“Really?” she asked. Yes.", ["“Really?” she asked.", "Yes."]),
        # Real ends: a lone capital, "No." as an answer, a word cased inside.
        ("We chose Plan B. It worked.", ["We chose Plan B.", "It worked."]),
        ("Take vitamin D. It helps.", ["Take vitamin D.", "It helps."]),
        ("Was it close? No. It passed.", ["Was it close?", "No.", "It passed."]),
        ("We sell the iPhone 16. iOS 18 ships.", ["We sell the iPhone 16.", "iOS 18 ships."]),
        ("Apples, pears, etc. The rest went.", ["Apples, pears, etc.", "The rest went."]),
        # Scripts without capitals in everyday use, and one-syllable words.
        ("ეს პირველია. ეს მეორეა.", ["ეს პირველია.", "ეს მეორეა."]),
        ("빨리 해. 지금 가자.", ["빨리 해.", "지금 가자."]),
        ("Он пришёл. Она ушла.", ["Он пришёл.", "Она ушла."]),
    ],
)
def test_sentence_ends(text, expected):
    assert sentences(text) == expected


def test_a_long_text_without_spaces_is_cut_with_few_counts():
    """Cut one cluster at a time, a 30,000-character run of Chinese took
    ten seconds: every cluster recounted the whole post. The longest piece
    that fits is found by doubling and halving."""
    calls = []

    def fits(text: str) -> bool:
        calls.append(text)
        return grapheme_length(text) <= 100

    text = ("日本語の文章です" * 4000)[:30000]
    parts = split_to_fit(text, fits)
    assert all(fits(p) for p in parts)
    assert "".join(p.removesuffix(ELLIPSIS) for p in parts) == text
    assert len(parts) == 30000 // 99 + 1  # 99 characters and the mark, every part
    assert len(calls) < len(text)  # one count a character or more, cut one at a time


@pytest.mark.parametrize(
    "text",
    [
        "." * 20000,
        "…" * 20000,
        "Wait" + "!" * 20000,
        "x" + " " * 20000 + "— y",
        "a" + "?" * 5000 + "b",
    ],
)
def test_runs_of_stops_and_spaces_split_like_short_ones(text):
    # Each pattern meets a run once (it used to retry from every character
    # of it: quadratic, minutes for a few kilobytes). Nothing is lost.
    parts = split_to_fit(text, lambda t: len(t) <= 280)
    assert all(len(p) <= 280 for p in parts)
    # Every character is kept but spaces, and a dash that gave way to "…".
    kept = "".join(parts).replace(" ", "").replace("—", "")
    assert len(kept) >= len(text.replace(" ", "").replace("—", ""))


def test_the_last_piece_fits_as_it_goes_out_without_the_mark():
    # The mark takes the place of trailing punctuation, so a piece counted
    # only with it could go out longer than the limit.
    parts = split_to_fit("a@b.com — , ", lambda s: len(s) <= 3)
    assert parts and all(len(p) <= 3 for p in parts)
