"""Bidi controls: none in headers and titles, balanced in body text, and
`check` says so (issue 22, item 3).

An override makes "Hi \\u202egnp.exe" show as "Hi exe.png". Everything is
read back from what the CLI wrote, with the standard library's email and
HTML parsers, feedparser and json; the oracle below is the rule as the
tests state it, not the code that applies it.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
from html.parser import HTMLParser

import feedparser
import pytest
from conftest import ROOT

RLO, LRO, RLE, PDF = "\u202e", "\u202d", "\u202b", "\u202c"
LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"
LRM, RLM = "\u200e", "\u200f"
ANY_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")
OVERRIDES = re.compile("[\u202a-\u202e]")

# Bidi controls in every field and kind of block (tests/hostile/bidi.md):
# an override in the title, an isolate in the subject, isolates open,
# closed and stray in body text, an embedding in a quote.
HOSTILE = (ROOT / "tests" / "hostile" / "bidi.md").read_text(encoding="utf-8")

CONFIG = f'site_url = "https://example.com"\n[sender]\nname = "News {RLO}Desk"\n'
CONFIG += 'address = "news@example.com"\n'


def balanced(text: str) -> bool:
    """The test's own statement of the body rule for one line: no
    embedding or override, and every isolate opened is closed, in order."""
    if OVERRIDES.search(text):
        return False
    depth = 0
    for char in text:
        if char in (LRI, RLI, FSI):
            depth += 1
        elif char == PDI:
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


class _Blocks(HTMLParser):
    """The text of each block element (p, li, h1-h6, dt, dd, td, th, title)."""

    BLOCKS = frozenset({"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "td", "th", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[list[str]] = []
        self.blocks: dict[str, list[str]] = {}
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in self.BLOCKS:
            self.stack.append([])
            self.tags.append(tag)
        elif tag == "br" and self.stack:
            self.stack[-1].append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS and self.tags and self.tags[-1] == tag:
            self.tags.pop()
            self.blocks.setdefault(tag, []).append("".join(self.stack.pop()))

    def handle_data(self, data: str) -> None:
        if self.stack:
            self.stack[-1].append(data)


def blocks_of(html: str) -> dict[str, list[str]]:
    parser = _Blocks()
    parser.feed(html)
    parser.close()
    return parser.blocks


@pytest.fixture
def rendered(cli, tmp_path):
    (tmp_path / "masthead.toml").write_text(CONFIG, encoding="utf-8")
    article = tmp_path / "hostile.md"
    article.write_text(HOSTILE, encoding="utf-8")
    run = cli("render", article, "-o", tmp_path / "out", "-q")
    assert run.exit_code == 0, run.stderr
    return tmp_path / "out"


def test_the_eml_headers_hold_no_bidi_control(rendered):
    message = email.message_from_bytes(
        (rendered / "hostile" / "email.eml").read_bytes(), policy=email.policy.default
    )
    assert str(message["Subject"]) == "Open me"
    assert message["From"].addresses[0].display_name == "News Desk"
    for name, value in message.items():
        assert not ANY_CONTROL.search(str(value)), (name, value)


def test_the_email_title_and_preheader_hold_no_bidi_control(rendered):
    html = (rendered / "hostile" / "email.html").read_text(encoding="utf-8")
    blocks = blocks_of(html)
    assert blocks["title"] == ["Open me"]
    assert blocks["h1"] == ["Hi gnp.exe"]  # the title in the body: no override either
    assert "Pre header" in html and f"Pre {LRO}header" not in html
    for value in re.findall(r'(?:aria-label|alt|title)="([^"]*)"', html):
        assert not ANY_CONTROL.search(value), value


def test_feed_titles_hold_no_bidi_control(rendered):
    for name in ("feed.xml", "atom.xml"):
        feed = feedparser.parse((rendered / name).read_bytes())
        assert not feed.bozo, (name, feed.get("bozo_exception"))
        (entry,) = feed.entries
        assert entry.title == "Hi gnp.exe", name
        for author in entry.get("authors", []):
            assert not ANY_CONTROL.search(author.get("name", "")), (name, author)
        for tag in entry.get("tags", []):
            assert not ANY_CONTROL.search(tag.term), (name, tag.term)
    (item,) = json.loads((rendered / "feed.json").read_text(encoding="utf-8"))["items"]
    assert item["title"] == "Hi gnp.exe"
    assert not ANY_CONTROL.search(json.dumps(item.get("authors", []), ensure_ascii=False))
    assert not ANY_CONTROL.search(" ".join(item.get("tags", [])))


def test_body_text_keeps_its_isolates_balanced_and_loses_its_overrides(rendered):
    folder = rendered / "hostile"
    email_html = (folder / "email.html").read_text(encoding="utf-8")
    feed = feedparser.parse((rendered / "feed.xml").read_bytes())
    content = feed.entries[0].content[0].value
    for html in (email_html, content):
        texts = [text for found in blocks_of(html).values() for text in found]
        joined = "\n".join(texts)
        assert RLI in joined and FSI in joined and LRI in joined  # isolates are kept
        assert LRM + RLM in joined  # marks are kept
        for text in texts:
            for line in text.split("\n"):
                assert balanced(line), repr(line)
        # The open isolate is closed at the end of its paragraph; the stray closer is gone.
        lead = next(text for text in texts if text.startswith("Lead with"))
        assert lead == (
            f"Lead with {RLI}an isolate{PDI}, a stray closer, an override and {RLI}one left open.{PDI}"
        )
        item = next(text for text in texts if text.startswith("item") and "open" in text)
        assert item == f"item {LRI}open{PDI}"
    for line in (folder / "email.txt").read_text(encoding="utf-8").splitlines():
        assert balanced(line), repr(line)
    threads = json.loads((folder / "thread.json").read_text(encoding="utf-8"))
    for platform, thread in threads.items():
        for post in thread["posts"]:
            assert not OVERRIDES.search(post["text"]), (platform, post["text"])
            for line in post["text"].split("\n"):
                assert balanced(line), (platform, line)
    hook = threads["x"]["posts"][0]["text"]
    assert hook.startswith("Hi gnp.exe")


def test_check_warns_of_bidi_controls_naming_the_file(cli, tmp_path):
    article = tmp_path / "hostile.md"
    article.write_text(HOSTILE, encoding="utf-8")
    run = cli("check", article)
    lines = [line for line in run.stdout.splitlines() if line.endswith("[bidi-control]")]
    assert len(lines) == 2, run.stdout
    assert all(line.startswith(f"{article}: warning: ") for line in lines)
    assert "the title (U+202E RIGHT-TO-LEFT OVERRIDE); " in lines[0]
    assert "the subject (U+2067 RIGHT-TO-LEFT ISOLATE)" in lines[0]
    listed = lines[1].split("bidi controls in the text (", 1)[1].split("):", 1)[0]
    # The balanced isolate in the body ("*with RLI split* isolate PDI") is not listed
    # for itself; RLI is, for the one left open in the lead.
    assert listed.split(", ") == [
        "U+202B RIGHT-TO-LEFT EMBEDDING",
        "U+202C POP DIRECTIONAL FORMATTING",
        "U+202E RIGHT-TO-LEFT OVERRIDE",
        "U+2066 LEFT-TO-RIGHT ISOLATE",
        "U+2067 RIGHT-TO-LEFT ISOLATE",
        "U+2068 FIRST STRONG ISOLATE",
        "U+2069 POP DIRECTIONAL ISOLATE",
    ]

    # Balanced isolates and marks in body text are how RTL words are set: no warning.
    fine = tmp_path / "fine.md"
    fine.write_text(
        f"---\ntitle: Fine\ndate: 2026-03-03\n---\n\nA word {RLI}שלום{PDI} and *a {LRI}b* c{PDI}."
        f" {RLM}\n",
        encoding="utf-8",
    )
    run = cli("check", fine)
    assert "[bidi-control]" not in run.stdout, run.stdout


def test_the_rule_line_by_line():
    from generator.text.sanitize import balanced_bidi, bidi_controls, without_bidi_controls

    text = f"a {RLI}b\nc{PDI} d {FSI}e{PDI} {RLO}f{PDF} {LRM}"
    assert balanced_bidi(text) == f"a {RLI}b{PDI}\nc d {FSI}e{PDI} f {LRM}"
    assert without_bidi_controls(text) == f"a b\nc d e f {LRM}"
    assert bidi_controls(f"x {RLI}y{PDI}", title=False) == []
    assert bidi_controls(f"x {RLI}y{PDI}", title=True) == [
        "U+2067 RIGHT-TO-LEFT ISOLATE",
        "U+2069 POP DIRECTIONAL ISOLATE",
    ]
    assert balanced_bidi("plain") == "plain"
