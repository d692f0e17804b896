"""Properties of the seed-layout reader.

Valid layouts, built line by line to the layout's rules, must read, and read
as written: title, byline, dek, every section and block. Damage that changes
nothing (other line endings, a byte-order mark, spaces, blank lines) must
give the same article; a NUL or a byte that is not UTF-8 must be refused,
naming where it is. Arbitrary layout lines, arbitrary bytes and arbitrary
damage must read or fail with the reader's own error, never anything else.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import operator

import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.errors import ReaderError
from generator.model import FAQ, Article, ListBlock, Paragraph, Quote
from generator.readers import read_bytes

words = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\u2028\u2029\x85"
    ),
    min_size=1,
    max_size=12,
).filter(lambda w: w.strip() == w and w)
sentence = st.lists(words, min_size=1, max_size=14).map(" ".join)
title_word = st.sampled_from(["Key", "Facts", "What", "Comes", "Next", "of", "the", "FAQ", "2026"])

line = st.one_of(
    sentence.map(lambda s: s + "."),  # paragraph
    sentence,  # paragraph, attribution or heading, depending on shape
    st.lists(title_word, min_size=1, max_size=5).map(" ".join),  # heading-like
    sentence.map(lambda s: "- " + s),  # list item
    sentence.map(lambda s: s + "?"),  # question
    sentence.map(lambda s: "— " + s),  # explicit attribution
    st.sampled_from(["FAQ", "Frequently Asked Questions", "", "   "]),
    st.builds(
        lambda a, d, m: f"By {a} — {d} — {m} min read",
        sentence,
        st.sampled_from(["", "March 3, 2026", "2026-02-30", "3 Foo 2026", "2026-03-03"]),
        st.integers(0, 120),
    ),
    sentence.map(lambda s: f"{s} https://example.com/{len(s)}?q=1"),
)


@settings(max_examples=examples(400))
@given(st.lists(line, max_size=30))
def test_any_layout_text_reads_or_fails_cleanly(lines):
    """Layout lines in any order: about half are refused (no body, a bad
    byline date), the rest read; nothing else may happen."""
    text = "\n".join(lines)
    try:
        article = read_bytes(text.encode("utf-8"), name="gen.txt")
    except ReaderError as exc:
        assert str(exc).startswith("gen.txt:")
        return
    assert isinstance(article, Article)
    assert article.title
    assert article.slug.isascii() and article.slug
    assert article.reading_minutes >= 1
    assert article.lead or any(s.blocks for s in article.sections)


# --- valid layouts, by construction ---------------------------------------------------

# A line that starts with a letter is never a list item (`- `, `• `) or an
# attribution (a dash); one that ends in `.` is never a heading. Words hold no
# space and no character the reader drops or splits lines on.
inner = st.characters(
    exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp"),
    # U+FEFF would be taken for a byte-order mark at the start of the file.
    exclude_characters="\ufeff",
)
letter = st.characters(categories=("Lu", "Ll", "Lt", "Lm", "Lo"))
opening = st.builds(operator.add, letter, st.text(inner, max_size=11))
text_line = st.builds(
    lambda first, rest: " ".join([first, *rest]),
    opening,
    st.lists(st.text(inner, min_size=1, max_size=12), max_size=13),
)
paragraph = text_line.map(lambda s: s + ".")
# A name: short, as an unmarked or `— ` attribution must be.
name = st.lists(opening, min_size=1, max_size=3).map(" ".join)
heading = st.builds(
    lambda first, rest: " ".join([first, *rest]),
    st.sampled_from(["Key", "What", "Comes", "Next", "Facts", "Über", "東京", "2026 Plans"]),
    st.lists(
        st.sampled_from(["Facts", "of", "the", "Next", "Steps", "and", "Ünïcode"]), max_size=4
    ),
)
block = st.one_of(
    paragraph.map(lambda p: ("p", p)),
    st.lists(text_line, min_size=1, max_size=4).map(lambda items: ("list", items)),
    st.tuples(paragraph, name).map(lambda q: ("quote", *q)),
)
faq_pair = st.tuples(text_line.map(lambda q: q + "?"), st.lists(paragraph, min_size=1, max_size=3))
section = st.one_of(
    st.tuples(heading, st.lists(block, max_size=4), st.just([])),
    st.tuples(
        st.sampled_from(["FAQ", "FAQs", "Frequently Asked Questions"]),
        st.lists(paragraph.map(lambda p: ("p", p)), max_size=2),  # an introduction
        st.lists(faq_pair, min_size=1, max_size=4),
    ),
)
AUTHORS = ["Ann Lee", "Dana Quinn", "José Álvarez", "李娜", "Ngozi Okafor", "Mary-Kate O'Neil"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]  # fmt: skip


def written_date(day: dt.date, form: int) -> str:
    month = MONTHS[day.month - 1]
    return [
        day.isoformat(),
        f"{month} {day.day}, {day.year}",
        f"{day.day} {month} {day.year}",
        f"{month[:3]} {day.day}, {day.year}",
        f"{day.year}/{day.month:02}/{day.day:02}",
    ][form]


@st.composite
def valid_layout(draw: st.DrawFn) -> tuple[str, dict]:
    """A seed-layout article and what the reader must find in it."""
    title = draw(text_line)
    lines = [title]
    authors = draw(st.lists(st.sampled_from(AUTHORS), max_size=3, unique=True))
    date = draw(st.none() | st.dates(dt.date(1000, 1, 1), dt.date(9999, 12, 31)))
    minutes = draw(st.none() | st.integers(0, 9999))
    byline = draw(st.booleans())
    if byline:
        joined = (
            ", ".join(authors[:-1]) + (" and " if len(authors) > 1 else "") + "".join(authors[-1:])
        )
        parts = [
            joined,
            written_date(date, draw(st.integers(0, 4))) if date else "",
            f"{minutes} min read" if minutes is not None else "",
        ]
        lines.append("By " + " — ".join(parts))
    dek = draw(text_line.filter(lambda line: not line.startswith("By ")))
    lines.append(dek)
    lead = draw(st.lists(block, max_size=3))
    sections = draw(st.lists(section, min_size=0 if lead else 1, max_size=4))
    if not lead and not any(blocks or faq for _, blocks, faq in sections):
        lead = [draw(block)]
    blank = st.sampled_from(["", "   "])  # blank lines are ignored everywhere

    def put(blocks: list[tuple]) -> None:
        for kind, *value in blocks:
            if draw(st.booleans()):
                lines.append(draw(blank))
            if kind == "p":
                lines.append(value[0])
            elif kind == "list":
                lines.extend("- " + item for item in value[0])
            else:
                lines.extend([value[0], "— " + value[1]])

    put(lead)
    for head, blocks, faq in sections:
        lines.append(head)
        put(blocks)
        for question, answer in faq:
            lines.extend([question, *answer])
    expected = {
        "title": title,
        "dek": dek,
        "authors": tuple(authors) if byline else (),
        "date": date if byline else None,
        "minutes": max(1, minutes) if byline and minutes is not None else None,
        "lead": _merged(lead),
        "sections": [
            (head, _merged(blocks) + ([("faq", faq)] if faq else []))
            for head, blocks, faq in sections
        ],
    }
    return "\n".join(lines) + "\n", expected


def _merged(blocks: list[tuple]) -> list[tuple]:
    """Consecutive list items are one list, as the layout says."""
    out: list[tuple] = []
    for block in blocks:
        if block[0] == "list" and out and out[-1][0] == "list":
            out[-1] = ("list", [*out[-1][1], *block[1]])
        else:
            out.append(block)
    return out


def _shape(block) -> tuple:
    if isinstance(block, Paragraph):
        return ("p", block.text.plain_text)
    if isinstance(block, ListBlock):
        return ("list", [item.plain_text for item in block.items])
    if isinstance(block, Quote):
        assert block.attribution is not None
        return ("quote", block.text.plain_text, block.attribution.plain_text)
    assert isinstance(block, FAQ), block
    return ("faq", [(i.question.plain_text, [a.plain_text for a in i.answer]) for i in block.items])


@settings(max_examples=examples(200))
@given(valid_layout())
def test_valid_layouts_read_as_written(case):
    """Every one must read (a refusal fails the test), and every line must
    land where the layout's rules put it."""
    text, expected = case
    article = read_bytes(text.encode("utf-8"), name="gen.txt")
    assert article.title == expected["title"]
    assert article.dek == expected["dek"]
    assert article.authors == expected["authors"]
    assert article.date == expected["date"]
    if expected["minutes"] is not None:
        assert article.reading_minutes == expected["minutes"]
    assert article.reading_minutes >= 1
    assert article.slug.isascii() and article.slug
    assert [_shape(b) for b in article.lead] == [_as_shape(b) for b in expected["lead"]]
    assert [(s.heading, [_shape(b) for b in s.blocks]) for s in article.sections] == [
        (head, [_as_shape(b) for b in blocks]) for head, blocks in expected["sections"]
    ]


def _as_shape(block: tuple) -> tuple:
    kind, *value = block
    if kind == "p":
        return ("p", value[0])
    if kind == "list":
        return ("list", list(value[0]))
    if kind == "quote":
        return ("quote", value[0], value[1])
    return ("faq", [(q, list(a)) for q, a in value[0]])


# --- bytes ------------------------------------------------------------------------------


@settings(max_examples=examples(200))
@given(st.binary(max_size=400))
def test_any_bytes_read_or_fail_cleanly(data):
    """Rejection is the point: random bytes are almost never an article."""
    with contextlib.suppress(ReaderError):
        read_bytes(data, name="bytes.txt")


def _spliced(text: str, places: list[tuple[int, bytes]]) -> bytes:
    """`text` as UTF-8 with bytes put in between characters (inside one, any
    byte is bad UTF-8), each at its place in the undamaged text."""
    data = text.encode("utf-8")
    for place, junk in sorted(places, reverse=True):  # from the end: places stay put
        at = len(text[:place].encode("utf-8"))
        data = data[:at] + junk + data[at:]
    return data


@settings(max_examples=examples(200))
@given(
    valid_layout(),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.booleans(),
    st.lists(st.sampled_from(["", " ", "\t", "  \t"]), min_size=1),
    st.lists(st.integers(0, 3), min_size=1),
)
def test_harmless_damage_reads_the_same_article(case, ending, bom, trailing, extra_blanks):
    """Line endings of another system, a byte-order mark, spaces at line ends
    and more blank lines change nothing the reader gives back."""
    text = case[0]
    original = read_bytes(text.encode("utf-8"), name="bytes.txt")
    lines = []
    for number, line in enumerate(text.split("\n")):
        lines.append(line + trailing[number % len(trailing)])
        lines.extend([""] * extra_blanks[number % len(extra_blanks)])
    data = ending.join(lines).encode("utf-8")
    damaged = read_bytes((b"\xef\xbb\xbf" if bom else b"") + data, name="bytes.txt")
    assert damaged == original


@settings(max_examples=examples(200))
@given(valid_layout(), st.integers(0, 2000), st.sampled_from([b"\x00", b"\x80", b"\xe9", b"\xff"]))
def test_bad_bytes_are_refused_where_they_are(case, where, byte):
    """A NUL makes it a binary file (within the first 8 KB, where the reader
    looks: 2,000 characters are at most 8,000 bytes); a byte that is not
    UTF-8 (a Latin-1 é, a stray continuation byte) is named with its offset
    and line."""
    text = case[0]
    place = where % (len(text) + 1)
    data = _spliced(text, [(place, byte)])
    with pytest.raises(ReaderError) as refused:
        read_bytes(data, name="bytes.txt")
    message = str(refused.value)
    if byte == b"\x00":
        assert message == "bytes.txt: looks like a binary file, not a text article"
    else:
        offset = len(text[:place].encode("utf-8"))
        line = text[:place].count("\n") + 1
        assert message.startswith(
            f"bytes.txt:{line}: byte 0x{byte[0]:02x} at offset {offset} is not valid UTF-8"
        ), message


@settings(max_examples=examples(200))
@given(
    valid_layout(),
    st.lists(
        st.tuples(st.integers(0, 10**6), st.binary(min_size=1, max_size=3)), min_size=1, max_size=3
    ),
)
def test_any_damage_reads_or_fails_cleanly(case, damage):
    """Random bytes in a valid article: some still read, some are refused."""
    text = case[0]
    data = _spliced(text, [(where % (len(text) + 1), junk) for where, junk in damage])
    with contextlib.suppress(ReaderError):
        article = read_bytes(data, name="bytes.txt")
        assert article.title and article.slug
