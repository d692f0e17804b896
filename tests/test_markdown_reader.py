"""The Markdown reader: front matter, CommonMark body, and equality with the seed."""

from __future__ import annotations

import collections

import pytest
from conftest import ARTICLES, ROOT, SEED, examples, yaml_string
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.errors import ReaderError
from generator.model import (
    Code,
    CodeBlock,
    Emphasis,
    Image,
    Link,
    Paragraph,
    Quote,
    Strong,
    Subheading,
    Table,
    Text,
)
from generator.readers import read_bytes, read_path

SAMPLE = ARTICLES / "newsletter-stack-2026.md"


def md(text: str, name: str = "post.md"):
    return read_bytes(text.encode("utf-8"), name=name, fmt="markdown")


def test_sample_json_every_field(cli):
    run = cli("inspect", SAMPLE, "--format", "json")
    assert run.exit_code == 0, run.stderr
    data = run.json()
    assert data["title"] == "How We Rebuilt Our Newsletter Stack in a Weekend"
    assert data["dek"] == (
        "One Markdown file, one command, and every channel our readers use — "
        "here is what we learned."
    )
    assert data["author"] == "Sam Rivera and Noor Haddad"
    assert data["authors"] == ["Sam Rivera", "Noor Haddad"]
    assert data["date"] == "2026-03-03T09:30:00+01:00"
    assert data["updated"] == "2026-03-05"
    assert data["reading_minutes"] == 4
    assert data["url"] == "https://blog.example.com/posts/newsletter-stack-2026/"
    assert data["slug"] == "newsletter-stack-2026"
    assert data["tags"] == ["newsletters", "developer relations", "open source"]
    assert data["image"] == "https://blog.example.com/images/newsletter-stack.png"
    assert data["image_alt"] == "A laptop showing a newsletter draft next to a cup of coffee"
    assert data["lang"] == "en"
    assert data["draft"] is False
    assert data["extra"] == {"series": "Behind the Scenes"}
    assert data["lead"] == [
        "Our newsletter used to take three tools and two hours every Thursday. Now it takes "
        "one command — masthead render — and the full write-up explains why. Raw HTML such "
        "as <b>this tag</b> stays visible text."
    ]
    sections = data["sections"]
    # The body's `# Title` repeats the front-matter title: it is not duplicated.
    assert [s["heading"] for s in sections] == ["What Was Broken", "How It Works Now", "FAQ"]
    broken, works, faq = sections
    assert [b["type"] for b in broken["blocks"]] == [
        "paragraph",
        "list",
        "subheading",
        "paragraph",
        "quote",
    ]
    assert broken["blocks"][1]["ordered"] is True
    assert broken["blocks"][1]["items"][0] == "The email was pasted from a Google Doc."
    assert broken["blocks"][2] == {"type": "subheading", "text": "The cost of drift"}
    assert broken["blocks"][4] == {
        "type": "quote",
        "text": "One source of truth is not a slogan; it is the only way a four-person team "
        "can publish in five places without mistakes.",
        "attribution": "Noor Haddad, engineering lead",
    }
    assert [b["type"] for b in works["blocks"]] == ["list", "code", "code", "table", "image"]
    assert works["blocks"][0] == {
        "type": "list",
        "ordered": False,
        "items": [
            "Write the article once, in Markdown.",
            "Render every channel with one command.",
            "Paste, post, publish.",
        ],
        "bodies": [
            [],
            [{"type": "list", "ordered": False, "items": ["A nested item stays under its parent."]}],
            [],
        ],
    }
    assert works["blocks"][1]["language"] == "python"
    assert works["blocks"][1]["text"].startswith("from generator.readers import read_path\n")
    assert works["blocks"][2] == {
        "type": "code",
        "language": None,
        "text": "masthead render article/ -o out/",
    }
    assert works["blocks"][3] == {
        "type": "table",
        "header": ["Channel", "Before", "After"],
        "rows": [
            ["Email", "45 min", "2 min"],
            ["Thread", "30 min", "1 min"],
            ["RSS", "forgotten", "automatic"],
        ],
    }
    assert works["blocks"][4] == {
        "type": "image",
        "src": "https://blog.example.com/images/time-saved.png",
        "alt": "A chart showing time saved per issue",
    }
    assert faq["blocks"] == [
        {
            "type": "faq",
            "items": [
                {
                    "question": "Does it work with our email service?",
                    "answer": "Yes. Presets cover Mailchimp, Buttondown, Kit and more.",
                },
                {
                    "question": "Can we keep our own templates?",
                    "answer": "Yes: point the config at a folder of templates and they replace "
                    "the built-in ones.",
                },
            ],
        }
    ]


def test_sample_model_keeps_inline_structure_and_overrides():
    article = read_path(SAMPLE)
    assert article.subject == "We rebuilt our newsletter stack in a weekend"
    assert article.preheader == "What broke, what we kept, and the command that now does it all."
    lead = article.lead[0]
    assert isinstance(lead, Paragraph)
    kinds = [type(n) for n in lead.text.nodes]
    assert Strong in kinds and Emphasis in kinds and Code in kinds and Link in kinds
    link = next(n for n in lead.text.nodes if isinstance(n, Link))
    assert link.href == "https://blog.example.com/posts/stack/"
    assert link.plain_text == "full write-up"
    # Raw HTML is literal text, never markup.
    assert any(isinstance(n, Text) and "<b>this tag</b>" in n.text for n in lead.text.nodes)
    # A bare URL becomes a link, as in the seed layout.
    para = article.sections[0].blocks[3]
    assert any(
        isinstance(n, Link) and n.href == "https://example.org/drift-report"
        for n in para.text.nodes
    )


def test_markdown_twin_of_the_seed_is_equal():
    assert read_path(ROOT / "tests" / "data" / "the-great-ai-divorce.md") == read_path(SEED)


def test_title_from_body_heading_and_cover_image():
    article = md("# A Title From the Body\n\n![Cover alt](https://x.example/c.png)\n\nBody.\n")
    assert article.title == "A Title From the Body"
    assert article.image == "https://x.example/c.png"
    assert article.image_alt == "Cover alt"
    assert [type(b) for b in article.lead] == [Paragraph]
    # Without front matter or a file name, the slug comes from the title.
    assert read_bytes(b"# Hello World\n\nBody.\n", fmt="markdown").slug == "hello-world"


def test_front_matter_aliases():
    article = md(
        "---\ntitle: T\nsummary: The dek\nauthor: Solo Writer\ncategories: a, b , a\n"
        "url: https://x.example/p\ncover:\n  image: https://x.example/i.png\n  alt: Alt text\n"
        "language: de\nreading_time: 7 min read\ndraft: yes\ndate: March 3, 2026\n---\nBody.\n"
    )
    assert article.dek == "The dek"
    assert article.authors == ("Solo Writer",)
    assert article.tags == ("a", "b")
    assert article.url == "https://x.example/p"
    assert (article.image, article.image_alt) == ("https://x.example/i.png", "Alt text")
    assert article.lang == "de"
    assert article.reading_minutes == 7
    assert article.draft is True
    assert str(article.date) == "2026-03-03"


def test_config_language_is_the_default():
    article = read_bytes(b"---\ntitle: T\n---\nBody.\n", fmt="markdown", lang="fr")
    assert article.lang == "fr"


def test_blockquote_attribution_forms():
    for source in ("> Quoted.\n> -- Ann\n", "> Quoted.\n>\n> — Ann\n", "> Quoted.\n> - Ann\n"):
        article = md("---\ntitle: T\n---\n" + source)
        quote = article.lead[0]
        assert isinstance(quote, Quote), source
        assert quote.text.plain_text == "Quoted."
        assert quote.attribution.plain_text == "Ann"
    plain = md("---\ntitle: T\n---\n> Just a quote\n> over two lines.\n").lead[0]
    assert plain.text.plain_text == "Just a quote over two lines."
    assert plain.attribution is None


def test_subheadings_code_and_tables_types():
    article = md("---\ntitle: T\n---\n## S\n\n### Sub\n\n```js\nx()\n```\n\n| a |\n|---|\n| 1 |\n")
    blocks = article.sections[0].blocks
    assert [type(b) for b in blocks] == [Subheading, CodeBlock, Table]
    assert blocks[1].language == "js"
    cover = "---\ntitle: T\n---\n![a](https://x.example/b.png)\n\nText.\n"
    assert [type(b) for b in md(cover).lead] == [Paragraph]
    assert isinstance(md("---\ntitle: T\n---\nText.\n\n![a](b.png)\n").lead[1], Image)


def test_stdin_with_input_format(cli):
    data = SAMPLE.read_bytes()
    run = cli("inspect", "-", "--input-format", "markdown", "-f", "json", input=data)
    assert run.exit_code == 0, run.stderr
    assert run.json()["title"] == "How We Rebuilt Our Newsletter Stack in a Weekend"
    # The same file read as the seed layout is a different (valid) article.
    run = cli("inspect", SAMPLE, "--input-format", "seed", "-f", "json")
    assert run.exit_code == 0
    assert run.json()["title"] == "---"


def error_of(cli, tmp_path, text: str):
    path = tmp_path / "bad.md"
    path.write_text(text, encoding="utf-8")
    run = cli("inspect", path)
    assert run.exit_code == 1
    assert run.stdout == ""
    assert len(run.stderr.strip().splitlines()) == 1
    assert "Traceback" not in run.stderr
    return run.stderr.strip(), str(path)


def test_malformed_yaml_names_the_line(cli, tmp_path):
    line, path = error_of(cli, tmp_path, "---\ntitle: ok\ntags: [a, b\ndek: x\n---\nBody.\n")
    assert line.startswith(f"error: {path}:4:") or line.startswith(f"error: {path}:5:")
    assert "not valid YAML" in line


def test_front_matter_not_a_mapping(cli, tmp_path):
    line, path = error_of(cli, tmp_path, "---\n- a\n- b\n---\nBody.\n")
    assert line.startswith(f"error: {path}:2:")
    assert "must be a mapping" in line


def test_unclosed_front_matter(cli, tmp_path):
    line, path = error_of(cli, tmp_path, "---\ntitle: T\nBody.\n")
    assert line.startswith(f"error: {path}:1:")
    assert "never closed" in line


def test_bad_date(cli, tmp_path):
    line, path = error_of(cli, tmp_path, "---\ntitle: T\n\ndate: next tuesday\n---\nBody.\n")
    assert line.startswith(f"error: {path}:4:")
    assert "'date' is not a date" in line


def test_missing_title(cli, tmp_path):
    line, path = error_of(cli, tmp_path, "---\ndek: x\n---\nJust a body.\n")
    assert line.startswith(f"error: {path}:1:")
    assert "no title" in line


def test_faq_question_without_answer(cli, tmp_path):
    text = "---\ntitle: T\n---\nLead.\n\n## FAQ\n\n### Why?\n\nBecause.\n\n### How?\n"
    line, path = error_of(cli, tmp_path, text)
    assert line.startswith(f"error: {path}:12:")
    assert "'How?' has no answer" in line


def test_no_body(cli, tmp_path):
    line, _ = error_of(cli, tmp_path, "---\ntitle: T\n---\n\n## Empty\n")
    assert "no body" in line


markup = st.sampled_from(
    [
        "# ",
        "## ",
        "### ",
        "- ",
        "1. ",
        "> ",
        "```",
        "    ",
        "| a | b |\n|---|---|\n",
        "**",
        "*",
        "`",
        "[x](",
        ")",
        "![",
        "<b>",
        "---\n",
        "\n\n",
        "\n",
        "— ",
        "?",
        "FAQ",
        "https://x.example/a?b=1",
        "title: x\n",
        ": [",
        "\t",
    ]
)
markdown_piece = st.one_of(st.text(max_size=40), markup)


@settings(max_examples=examples(200))
@given(st.lists(markdown_piece, max_size=40))
def test_random_markdown_soup_reads_or_fails_cleanly(pieces):
    """Anything at all, front matter included: nearly always refused (most
    soups have no title), but never with anything but the reader's error.
    The success path is test_random_markdown_under_a_title_reads's."""
    text = "".join(pieces)
    try:
        article = read_bytes(text.encode("utf-8"), name="rand.md", fmt="markdown")
    except ReaderError as exc:
        assert str(exc).startswith("rand.md")
        return
    assert article.title
    assert article.slug.isascii()


# What a random body may rightly be refused for; any other refusal of an
# article with a valid title is a bug.
BODY_REFUSALS = ("has no body", "has no answer", "nested too deeply")
# Random text, without the control characters that make a file binary.
prose = st.text(
    alphabet=st.characters(
        exclude_categories=("Cs",),
        exclude_characters="".join(map(chr, [*range(0x00, 0x09), *range(0x0E, 0x20)])),
    ),
    max_size=40,
)
# Any character a title keeps, YAML-escaped: controls and line separators
# are cleaned out of front-matter text (tests/test_attack_round3.py).
title_text = st.text(
    alphabet=st.characters(
        exclude_categories=("Cc", "Cs", "Zl", "Zp"), exclude_characters="\ufffe\uffff"
    ),
    min_size=1,
    max_size=60,
).filter(str.strip)


@pytest.mark.hypothesis  # its @given is inside: marked for `-m hypothesis`
def test_random_markdown_under_a_title_reads():
    """Random Markdown after a front matter whose title is any printable text: at least
    80 % must read (the rest only for what a body can rightly lack)."""
    outcomes: collections.Counter[str] = collections.Counter()

    @settings(max_examples=examples(400))
    @given(title_text, st.lists(st.one_of(prose, markup), min_size=1, max_size=40))
    def read(title, pieces):
        text = f"---\ntitle: {yaml_string(title)}\n---\n" + "".join(pieces)
        try:
            article = read_bytes(text.encode("utf-8"), name="rand.md", fmt="markdown")
        except ReaderError as exc:
            assert str(exc).startswith("rand.md:"), exc
            assert any(refusal in str(exc) for refusal in BODY_REFUSALS), exc
            outcomes["refused"] += 1
            return
        assert article.title == title.strip()
        assert article.slug.isascii() and article.slug
        assert article.lead or any(section.blocks for section in article.sections)
        outcomes["read"] += 1

    read()
    assert outcomes["read"] >= 0.8 * outcomes.total(), outcomes


def test_standard_input_opening_with_front_matter_is_read_as_markdown(cli):
    source = (ARTICLES / "newsletter-stack-2026.md").read_text(encoding="utf-8")
    data = cli("inspect", "-", "--format", "json", input=source).json()
    assert data["title"] == "How We Rebuilt Our Newsletter Stack in a Weekend"
    heading_only = cli("inspect", "-", "--format", "json", input="# A Title\n\nBody text.\n")
    assert heading_only.json()["title"] == "A Title"
    seed = cli("inspect", "-", "--format", "json", input="A Plain Title\nA dek.\n\nBody.\n")
    assert seed.json()["title"] == "A Plain Title"


def test_a_quote_keeps_its_hard_breaks_and_loses_its_soft_ones():
    a = md(
        "---\ntitle: T\n---\n\n> First line  \n> second line, *soft\n> break* and [a\n"
        "> link](https://e.com).\n> — Dana Q., editor\n"
    )
    quote = a.lead[0]
    assert quote.text.plain_text == "First line\nsecond line, soft break and a link."
    assert quote.attribution.plain_text == "Dana Q., editor"


def test_line_break_characters_from_entities_are_spaces_and_never_a_sentinel():
    a = md(
        "---\ntitle: T\n---\n\nOne&#10;two&#13;three.\n\n"
        "> Quote text&#13;-- Not An Author\n\n> Said.\n> — *Jane\n> Doe*, CEO\n"
    )
    assert a.lead[0].text.plain_text == "One two three."
    assert a.lead[1].text.plain_text == "Quote text -- Not An Author"
    assert a.lead[1].attribution is None
    assert a.lead[2].attribution.plain_text == "Jane Doe, CEO"


def test_a_list_in_an_faq_answer_keeps_its_numbers_and_marks_nested_items():
    a = md(
        "---\ntitle: T\n---\n\n## FAQ\n\n### Why?\n\n1. first\n   - nested one\n"
        "   - nested two\n2. second\n"
    )
    answer = a.sections[0].blocks[0].items[0].answer
    assert [line.plain_text for line in answer] == [
        "1. first",
        "◦ nested one",
        "◦ nested two",
        "2. second",
    ]


def test_nesting_too_deep_to_read_is_an_error_not_lost_text():
    def deep(levels: int) -> str:
        items = "\n".join("  " * i + f"- item {i}" for i in range(levels))
        return f"---\ntitle: Deep\n---\n\n{items}\n\nAfter.\n"

    article = md(deep(19))
    assert article.lead[-1].plain_text == "After."
    with pytest.raises(ReaderError, match=r"post\.md:24: .*nested too deeply"):
        md(deep(20))
    with pytest.raises(ReaderError, match="nested too deeply"):
        md("---\ntitle: Q\n---\n\n" + "> " * 40 + "deep\n\nAfter.\n")
