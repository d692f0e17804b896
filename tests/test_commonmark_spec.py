"""Every example of the CommonMark spec through `masthead render`: nothing the
article says is lost.

Each example is made the body of a section of a Markdown article; the words
of the spec's expected HTML (tags stripped, entities unescaped) must all reach
the email's HTML body and its plain-text part, as many times as the spec
shows them. Structure too: code blocks stay `<pre>` in the email and the
feed, and the feed has the spec's block quotes and list items (but for the
quotes with nothing in them, and a quote's last one-item bullet list, which
the reader takes for its attribution, as documented).

The examples come from npm's `commonmark-spec` 0.31.2 (its `tests` export:
markdown, html, section, number), pinned in tests/commonmark/package.json and
package-lock.json and installed with `npm ci --prefix tests/commonmark`
(.ci/run does it). The spec is CC-BY-SA 4.0 and is never committed here.
Without Node or the installed package the tests skip locally and fail under
CI (CI=true), so a missing install never passes unnoticed.

Raw HTML is shown as text by design, so an example is skipped when its
expected HTML holds raw HTML (`is_raw_html`): markup that is not one of the
tags Markdown makes, or that is found verbatim in the example's Markdown.
Nothing else is skipped: 72 of the 652 examples are, all 44 of the section
"HTML blocks", 13 of the 20 of "Raw HTML" (the other 7 show that something
is *not* HTML, and are checked), and 15 from other sections whose examples
hold raw HTML (`**<a href="**">`, a `<!-- -->` between two lists).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.channels.rss.content import article_html
from generator.config import Config
from generator.readers import read_bytes
from generator.render import Options, render_files

SPEC_DIR = Path(__file__).resolve().parent / "commonmark"
SPEC_VERSION = "0.31.2"
EXAMPLES_IN_SPEC = 652  # commonmark-spec 0.31.2's spec.txt
# Every tag the spec's expected HTML shows for Markdown, as its reference
# renderers write it (attribute values escaped: no quote or angle bracket).
MARKDOWN_MARKUP = re.compile(
    r"</?(?:p|h[1-6]|pre|code|blockquote|ul|ol|li|em|strong|a)>|<hr />|<br />"
    r'|<code class="language-[^"<>]*">|<ol start="\d+">'
    r'|<a href="[^"<>]*"(?: title="[^"<>]*")?>'
    r'|<img src="[^"<>]*" alt="[^"<>]*"(?: title="[^"<>]*")? />'
)
RAW_HTML_EXAMPLES = 72
# Tags that end a run of text: words on either side of one are two words.
# Inline tags (em, strong, code, a, img) do not: `foo<em>bar</em>` is one word.
BLOCK_TAGS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "pre", "blockquote", "ul", "ol", "li"}
    | {"br", "div", "table", "thead", "tbody", "tr", "td", "th", "dl", "dt", "dd", "figure"}
    | {"footer"}
)
VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link"})
VOID_TAGS |= {"meta", "source", "track", "wbr"}
NOW = dt.datetime(2026, 3, 3, 9, 0, tzinfo=dt.UTC)
OPTIONS = Options()


@cache
def examples() -> tuple[dict[str, object], ...]:
    """The spec's examples, as the package exports them, tabs restored (the
    spec shows a tab as →)."""
    node = shutil.which("node")
    package = SPEC_DIR / "node_modules" / "commonmark-spec"
    if node is None or not (package / "package.json").is_file():
        why = (
            "Node is not installed"
            if node is None
            else "the CommonMark spec is not installed (npm ci --prefix tests/commonmark)"
        )
        if os.environ.get("CI"):
            pytest.fail(f"{why}; .ci/run installs it")
        pytest.skip(why)
    version = json.loads((package / "package.json").read_text(encoding="utf-8"))["version"]
    assert version == SPEC_VERSION, f"commonmark-spec {version} installed; run npm ci"
    script = "process.stdout.write(JSON.stringify(require('commonmark-spec').tests))"
    run = subprocess.run(
        [node, "-e", script],
        cwd=SPEC_DIR,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=True,
    )
    out = []
    for example in json.loads(run.stdout):
        example["markdown"] = example["markdown"].replace("→", "\t")
        example["html"] = example["html"].replace("→", "\t")
        out.append(example)
    return tuple(out)


class _Words(HTMLParser):
    """The text of an HTML document (or of the element with class `scope`
    only), a space for each block tag."""

    def __init__(self, scope: str | None = None) -> None:
        super().__init__(convert_charrefs=True)
        self.scope = scope
        self.depth = 0 if scope else 1  # > 0: inside what is read
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCK_TAGS:
            self.parts.append(" ")
        if tag in VOID_TAGS or not self.scope:
            return
        if self.depth:
            self.depth += 1
        elif self.scope in (dict(attrs).get("class") or "").split():
            self.depth = 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCK_TAGS:
            self.parts.append(" ")
        if self.scope and self.depth and tag not in VOID_TAGS:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.parts.append(data)


def _parsed(html: str, scope: str | None = None) -> _Words:
    parser = _Words(scope)
    parser.feed(html)
    parser.close()
    return parser


def words(text: str) -> Counter[str]:
    """Runs of letters, digits and underscores, case folded (the text part
    shows subheadings in capitals), counted."""
    return Counter(w.casefold() for w in re.findall(r"\w+", text))


def html_words(html: str, scope: str | None = None) -> Counter[str]:
    return words("".join(_parsed(html, scope).parts))


def is_raw_html(example: dict[str, object]) -> bool:
    """Whether the expected HTML holds raw HTML. Text's `<` is `&lt;` there,
    so every `<` opens markup: the example holds raw HTML when one is left
    once the tags Markdown makes (`MARKDOWN_MARKUP`) are taken out — except
    those found verbatim in the Markdown, which were written, not made
    (`**<a href="**">`)."""
    markdown = str(example["markdown"])
    made = MARKDOWN_MARKUP.sub(
        lambda m: m.group() if m.group() in markdown else "", str(example["html"])
    )
    return "<" in made


def article_for(example: dict[str, object]) -> bytes:
    """The example as the body of a section, after a lead: an example that
    is only a thematic break or a link definition still makes an article."""
    return (
        f"---\ntitle: Zqxj {example['number']}\n---\n\nZqxj lead.\n\n## Zqxj\n\n"
        f"{example['markdown']}"
    ).encode()


def text_body(text: str) -> str:
    """The plain-text part without its link list and footer, which repeat
    link addresses and say the sender's words."""
    for end in ("\nLinks:\n", "\n-- \n"):
        if end in text:
            text = text[: text.index(end)]
    return text


def missing(expected: Counter[str], found: Counter[str]) -> dict[str, int]:
    return {word: count - found[word] for word, count in expected.items() if found[word] < count}


def losses(html: str, text: str, example: dict[str, object]) -> dict[str, dict[str, int]]:
    """The expected words an email's HTML and text part lack (word: how many
    times), by part; empty when none."""
    expected = html_words(str(example["html"]))
    lost = {
        "html": missing(expected, html_words(html, "mh-body")),
        "text": missing(expected, words(text_body(text))),
    }
    return {part: words for part, words in lost.items() if words}


# A quote with nothing in it says nothing, and is left out; a quote's last
# bullet list of one item is its attribution (`> - Name`).
_EMPTY_QUOTE = re.compile(r"<blockquote>\n</blockquote>")
_ATTRIBUTION_ITEM = re.compile(r"<ul>\n<li>(?:(?!<).)*</li>\n</ul>\n</blockquote>", re.DOTALL)


def _count(tag: str, html: str) -> int:
    return len(re.findall(rf"<{tag}[\s>]", html))


def structure_lost(email_body: str, feed: str, example: dict[str, object]) -> list[str]:
    """How the email body and the feed's HTML differ from the expected HTML
    in code blocks, block quotes and list items."""
    expected = str(example["html"])
    quotes = _count("blockquote", expected) - len(_EMPTY_QUOTE.findall(expected))
    items = _count("li", expected) - len(_ATTRIBUTION_ITEM.findall(expected))
    found = {
        "email <pre>": (_count("pre", expected), _count("pre", email_body)),
        "feed <pre>": (_count("pre", expected), _count("pre", feed)),
        "feed <blockquote>": (quotes, _count("blockquote", feed)),
        "feed <li>": (items, _count("li", feed)),
        "email <li>": (items, _count("li", email_body)),
    }
    return [
        f"{what}: {want} expected, {got} made" for what, (want, got) in found.items() if want != got
    ]


def render(example: dict[str, object]) -> tuple[str, str, str]:
    """The example through the render the CLI runs: the email's HTML and
    text, and the feed item's HTML."""
    article = read_bytes(article_for(example), name=f"example-{example['number']}.md")
    files, _ = render_files(article, Config(), OPTIONS, now=NOW)
    return files["email.html"].decode(), files["email.txt"].decode(), article_html(article)


def email_body(html: str) -> str:
    """The email's body: from the element that holds the article's blocks."""
    return html[html.index("mh-body") :]


def test_the_installed_spec_is_the_pinned_one():
    found = examples()
    assert len(found) == EXAMPLES_IN_SPEC
    assert [e["number"] for e in found] == list(range(1, EXAMPLES_IN_SPEC + 1))
    # The spec's own sample of a tab, restored from its →.
    assert any("\t" in str(e["markdown"]) for e in found)


def test_the_skip_rule_takes_raw_html_only():
    """What the rule skips holds raw HTML, and how many it skips."""
    skipped = [e for e in examples() if is_raw_html(e)]
    by_section = Counter(str(e["section"]) for e in skipped)
    print(f"\nskipped {len(skipped)} raw-HTML examples: {dict(by_section)}", file=sys.stderr)
    assert len(skipped) == RAW_HTML_EXAMPLES
    assert all("<" in str(e["markdown"]) for e in skipped)
    # Examples that show something is not HTML are checked like any other.
    not_html = {"markdown": "<33> <__>\n", "html": "<p>&lt;33&gt; &lt;__&gt;</p>\n"}
    assert not is_raw_html(not_html)
    assert not is_raw_html({"markdown": "- a\n", "html": "<ul>\n<li>a</li>\n</ul>\n"})
    assert is_raw_html({"markdown": "<bar>x</bar>\n", "html": "<p><bar>x</bar></p>\n"})
    assert is_raw_html({"markdown": '**<a href="**">\n', "html": '<p>**<a href="**"></p>\n'})
    assert is_raw_html({"markdown": "<!-- c -->\n", "html": "<!-- c -->\n"})


def test_every_word_of_every_example_reaches_the_email_and_its_text_part():
    lost = {}
    checked = 0
    for example in examples():
        if is_raw_html(example):
            continue
        checked += 1
        html, text, _ = render(example)
        if found := losses(html, text, example):
            lost[example["number"]] = (example["section"], found)
    print(f"\nchecked {checked} examples; {len(lost)} lose words", file=sys.stderr)
    assert checked == EXAMPLES_IN_SPEC - RAW_HTML_EXAMPLES
    assert not lost, "\n".join(f"example {n}: {v}" for n, v in lost.items())


def test_code_quotes_and_items_keep_their_structure():
    """Code stays code (not prose glued to an item), quotes and list items
    stay quotes and items, however they nest."""
    wrong = {}
    for example in examples():
        if is_raw_html(example):
            continue
        html, _, feed = render(example)
        if found := structure_lost(email_body(html), feed, example):
            wrong[example["number"]] = (example["section"], found)
    assert not wrong, "\n".join(f"example {n}: {v}" for n, v in wrong.items())


def test_the_cli_renders_the_list_examples_without_losing_a_word(tmp_path):
    """The installed `masthead` command, run for real over a folder of the
    examples of the sections "List items" and "Lists"."""
    chosen = [
        e for e in examples() if e["section"] in ("List items", "Lists") and not is_raw_html(e)
    ]
    folder = tmp_path / "articles"
    folder.mkdir()
    for example in chosen:
        (folder / f"example-{example['number']}.md").write_bytes(article_for(example))
    masthead = Path(sys.executable).parent / "masthead"
    run = subprocess.run(
        [str(masthead), "render", str(folder), "-o", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    lost = {}
    for example in chosen:
        out = tmp_path / "out" / f"example-{example['number']}"
        html = (out / "email.html").read_text(encoding="utf-8")
        text = (out / "email.txt").read_text(encoding="utf-8")
        if found := losses(html, text, example):
            lost[example["number"]] = found
    assert len(chosen) > 40
    assert not lost, lost
