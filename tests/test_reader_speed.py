"""Structural checks on how articles are read fast (issue 21): each test
fails when its optimisation is taken out. What the readers build is checked
by the reader tests; the numbers are in benchmarks/ (not timed here).
"""

from __future__ import annotations

import markdown_it
import markdown_it.tree
import pytest
from conftest import ARTICLES, recorded_calls

import generator.readers.base as base
import generator.readers.markdown as markdown_reader
from generator.readers import read_bytes, read_path
from generator.readers.source import _looks_binary

MARKDOWN = ARTICLES / "newsletter-stack-2026.md"
SEED = ARTICLES / "the-great-ai-divorce.txt"

# Markdown that nests every kind of container and inline node the reader
# walks: quotes in lists in quotes, tables, code, links holding emphasis,
# images, hard and soft breaks, an autolink.
NESTED = """\
# Title

Lead with *emphasis*, **strong *nested* text**, `code`, [a **link**](https://example.com)
and a soft break, a hard one\\
and <https://auto.example> and ![alt *text*](pic.png "t").

## Section

> Quoted *words*
>
> - item one
>   > inner quote
>   ```py
>   code
>   ```
> - item two
>
> -- Someone

1. first

   more of the first

       indented code
2. second
   - nested [x](y)

| a | *b* |
|---|-----|
| 1 | [2](z) |
"""


def _shape(node: object) -> tuple[object, ...]:
    """A node as (type, its token, its children's shapes): markdown-it's
    SyntaxTreeNode keeps the opening token of a pair in `nester_tokens`."""
    token = getattr(node, "token", None)
    nester = getattr(node, "nester_tokens", None)
    if nester is not None:
        token = nester.opening
    children = node.children  # type: ignore[attr-defined]
    return (node.type, id(token), tuple(_shape(child) for child in children))  # type: ignore[attr-defined]


@pytest.mark.parametrize("text", [NESTED, MARKDOWN.read_text(encoding="utf-8")])
def test_the_reader_tree_has_markdown_its_shape(text):
    """The reader's own tree of the tokens is node for node the one
    markdown-it's SyntaxTreeNode builds (the library is the oracle)."""
    tokens = markdown_reader._MARKDOWN.parse(text)
    ours = tuple(_shape(node) for node in markdown_reader._tree(tokens))
    theirs = tuple(_shape(node) for node in markdown_it.tree.SyntaxTreeNode(tokens).children)
    assert ours == theirs
    assert len(repr(ours)) > 2000  # the whole nested document, not an empty walk


def test_reading_markdown_builds_no_syntax_tree_node_and_no_parser(monkeypatch):
    """markdown-it's SyntaxTreeNode cost more than turning the tree into the
    model (its per-node bookkeeping): the reader builds its own. The parser
    is built once, when the module is imported, not per article."""
    calls = {"tree": 0, "parser": 0}
    tree_init = markdown_it.tree.SyntaxTreeNode.__init__
    parser_init = markdown_it.MarkdownIt.__init__

    def count_tree(self, *args, **kwargs):
        calls["tree"] += 1
        tree_init(self, *args, **kwargs)

    def count_parser(self, *args, **kwargs):
        calls["parser"] += 1
        parser_init(self, *args, **kwargs)

    monkeypatch.setattr(markdown_it.tree.SyntaxTreeNode, "__init__", count_tree)
    monkeypatch.setattr(markdown_it.MarkdownIt, "__init__", count_parser)
    article = read_path(MARKDOWN)
    read_bytes(NESTED.encode(), fmt="markdown")
    assert article.sections and article.lead
    assert calls == {"tree": 0, "parser": 0}


def test_lines_without_a_url_skip_the_url_search(monkeypatch):
    """A line with no "://" holds no bare URL: it becomes its text without
    the URL regex, which most lines of an article are."""
    searched: list[str] = recorded_calls(monkeypatch, base, "find_urls")
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
    import slugify as package  # base imports slugify from it when it needs it

    names: list[str] = recorded_calls(monkeypatch, package, "slugify")
    assert base.make_slug(None, "the-great-ai-divorce-2", "Title") == "the-great-ai-divorce-2"
    assert names == []
    assert base.make_slug(None, "Über Uns", "Title") == "uber-uns"
    assert base.make_slug(None, "a--b", "Title") == "a-b"  # (snake names: test_import_weight)
    assert base.make_slug(None, "x" * 81, "Title") == "x" * 80
    assert base.make_slug(None, "con", "Title") == "con-article"  # Windows' reserved names
    assert names == ["Über Uns", "x" * 81]


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


def test_the_parser_skips_the_raw_html_rules_and_html_stays_text():
    """With raw HTML off, markdown-it's html_block and html_inline rules
    return False wherever they are tried: the parser leaves them out, and
    raw HTML is still text around the Markdown in it."""
    active = (
        markdown_reader._MARKDOWN.block.ruler.get_active_rules()
        + markdown_reader._MARKDOWN.inline.ruler.get_active_rules()
    )
    assert "html_block" not in active
    assert "html_inline" not in active
    assert {"table", "paragraph", "emphasis", "autolink", "entity"} <= set(active)
    article = read_bytes(b"# T\n\n<div>\n*x* <b>y</b>\n</div>\n", fmt="markdown")
    assert repr(article.lead) == (
        "(Paragraph(text=RichText(nodes=(Text(text='<div> '), Emphasis(children=(Text(text='x'),)), "
        "Text(text=' <b>y</b> </div>')))),)"
    )


def test_reading_markdown_imports_no_front_matter_package():
    """The front matter is split with one regex: python-frontmatter (and
    the toml module it loads) is no longer imported, nor a dependency."""
    import subprocess
    import sys

    from conftest import subprocess_env

    code = (
        "import sys; from generator.readers import read_path; "
        f"a = read_path({str(MARKDOWN)!r}); "
        "print(a.title, 'frontmatter' in sys.modules, 'toml' in sys.modules)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=60,
        check=True,
    )
    assert run.stdout.strip() == "How We Rebuilt Our Newsletter Stack in a Weekend False False"
