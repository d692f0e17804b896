"""Structural checks on how articles are read fast (issue 21): each test
fails when its optimisation is taken out. What the readers build is checked
by the reader tests; the numbers are in benchmarks/ (not timed here).
"""

from __future__ import annotations

from conftest import ARTICLES

import generator.readers.base as base
from generator.readers import read_bytes
from generator.readers.source import _looks_binary

SEED = ARTICLES / "the-great-ai-divorce.txt"

def test_lines_without_a_url_skip_the_url_search(monkeypatch):
    """A line with no "://" holds no bare URL: it becomes its text without
    the URL regex, which most lines of an article are."""
    searched: list[str] = []
    find_urls = base.find_urls

    def counting(text):
        searched.append(text)
        return find_urls(text)

    monkeypatch.setattr(base, "find_urls", counting)
    text = SEED.read_text(encoding="utf-8") + (
        "\nSee https://example.com/report for the numbers.\n- Also at HTTPS://EXAMPLE.ORG/x\n"
    )
    article = read_bytes(text.encode(), name="seed.txt", fmt="seed")
    assert article.sections
    # The two lines with a URL, and no other.
    assert len(searched) == 2
    assert all("://" in line for line in searched)
    assert "Link(href='https://example.com/report'" in repr(article)  # still a link
    assert base.linkify("") == base.RichText()
    assert base.linkify("plain words").nodes == (base.Text("plain words"),)


def test_a_file_name_that_is_a_slug_skips_slugify(monkeypatch):
    """`make_slug` takes a name that is already a slug as it is; any other
    still goes through slugify."""
    names: list[str] = []
    slugify = base.slugify

    def counting(text, **kwargs):
        names.append(text)
        return slugify(text, **kwargs)

    monkeypatch.setattr(base, "slugify", counting)
    assert base.make_slug(None, "the-great-ai-divorce-2", "Title") == "the-great-ai-divorce-2"
    assert names == []
    assert base.make_slug(None, "Über Uns", "Title") == "uber-uns"
    assert base.make_slug(None, "a--b", "Title") == "a-b"
    assert base.make_slug(None, "x" * 81, "Title") == "x" * 80
    assert base.make_slug(None, "con", "Title") == "con-article"  # Windows' reserved names
    assert names == ["Über Uns", "a--b", "x" * 81]


def test_the_binary_check_is_one_regex_over_the_documented_controls():
    """The controls a binary file is told by (C0 but tab, the line breaks
    and ESC) are matched by one compiled character class: a str.translate
    table cost a Python lookup per character of the 8 KiB head."""
    from generator.readers import source

    documented = {*range(0x00, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20)}
    matched = {c for c in range(0x110000) if source._BINARY_CONTROL.fullmatch(chr(c))}
    assert matched == documented
    assert not _looks_binary("prose\twith\ttabs\x1b[0m and lines\n" * 40)
    assert _looks_binary("\x01\x02\x03 text " * 40)
    assert _looks_binary("text\x00")
