"""List items and quotes that hold blocks: code, quotes, paragraphs, lists.

The shape tutorials have — numbered steps, each with a code block, one with a
"Tip" quote under it — through the reader, every channel and `check`: code
stays code, the tip is kept, the steps stay one numbered list, and a phone
never scrolls sideways. The HTML is read back with html5lib (the WHATWG
parsing algorithm), not with anything Masthead uses to write it.
"""

from __future__ import annotations

import json
from xml.etree.ElementTree import Element

import html5lib
import pytest
from browser import ARTIFACTS, chromium_browser, offline_page
from htmlcheck import ALLOWED_ATTRS, Page, assert_same_email, parse_errors

from generator.channels.email import build_email
from generator.channels.email.html import _render_html
from generator.channels.email.parts import email_parts, html_attr
from generator.channels.rss.content import article_html
from generator.channels.thread import build_thread
from generator.check import check_article
from generator.config import Config, parse_config
from generator.model import CodeBlock, Image, ListBlock, Paragraph, Quote, walk
from generator.readers import read_bytes
from generator.theme import resolve

TUTORIAL = """\
---
title: Set up a Python project
---

Three steps get a project going.

## Steps

1. Create a virtual environment:

   ```sh
   python3 -m venv .venv
   ```

2. Activate it:

   ```sh
   source .venv/bin/activate
   ```

   > Tip: your prompt shows the environment's name while it is active.

3. Install the dependencies:

   ```sh
   pip install -r requirements.txt
   ```
"""
CODE = ["python3 -m venv .venv", "source .venv/bin/activate", "pip install -r requirements.txt"]
STEPS = ["Create a virtual environment:", "Activate it:", "Install the dependencies:"]
TIP = "Tip: your prompt shows the environment's name while it is active."


def md(text: str, name: str = "post.md"):  # type: ignore[no-untyped-def]
    return read_bytes(text.encode(), name=name)


def body(text: str):  # type: ignore[no-untyped-def]
    """An article whose lead is `text`."""
    return md(f"---\ntitle: T\n---\n\n{text}")


def tree(html: str, *, fragment: bool = False) -> Element:
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("etree"), namespaceHTMLElements=False)
    return parser.parseFragment(html) if fragment else parser.parse(html)


def text_of(element: Element) -> str:
    return " ".join("".join(element.itertext()).split())


def own_text(element: Element) -> str:
    """The text of `element` outside its block children (what an item says
    on its own line)."""
    parts = [element.text or ""]
    for child in element:
        if child.tag in ("em", "strong", "code", "a"):
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())


def email_body(html: str) -> Element:
    root = tree(html)
    return next(e for e in root.iter() if "mh-body" in (e.get("class") or "").split())


# --- the model --------------------------------------------------------------------


def test_steps_with_code_and_a_tip_are_one_list_whose_items_hold_blocks():
    (intro,) = md(TUTORIAL).lead
    assert isinstance(intro, Paragraph)
    (steps,) = md(TUTORIAL).sections[0].blocks
    assert isinstance(steps, ListBlock) and steps.ordered
    assert [i.plain_text for i in steps.items] == STEPS
    assert [[type(b) for b in steps.body(n)] for n in range(3)] == [
        [CodeBlock],
        [CodeBlock, Quote],
        [CodeBlock],
    ]
    assert [steps.body(n)[0].text for n in range(3)] == CODE
    assert [steps.body(n)[0].language for n in range(3)] == ["sh"] * 3
    # The line each code block starts on, in the file: for check's messages.
    assert [steps.body(n)[0].line for n in range(3)] == [11, 17, 25]
    assert steps.body(1)[1].text.plain_text == TIP


def test_the_cases_the_spec_names_keep_every_block_in_order():
    # A quote under an item, with a lazy continuation after it.
    (quoted,) = body("* a\n  > b\n  >\n* c\n").lead
    assert quoted.bodies == ((Quote(body("b").lead[0].text),), ())
    # A list in a quote, a quote in its item, and a lazy line.
    (outer,) = body("> 1. > Blockquote\ncontinued here.\n").lead
    assert isinstance(outer, Quote) and not outer.text
    (inner_list,) = outer.blocks
    assert isinstance(inner_list, ListBlock) and not inner_list.items[0]
    (inner_quote,) = inner_list.body(0)
    assert inner_quote.text.plain_text == "Blockquote continued here."
    # A paragraph between two lists in one item: three blocks, in order.
    (item,) = body("- a\n\n  - x\n\n  between\n\n  - y\n").lead
    kinds = [type(b).__name__ for b in item.body(0)]
    assert kinds == ["ListBlock", "Paragraph", "ListBlock"]
    assert item.body(0)[1].text.plain_text == "between"
    # Indented code in an item, after a paragraph of two lines.
    (numbered,) = body("1.  A paragraph\n    with two lines.\n\n        indented code\n").lead
    assert numbered.items[0].plain_text == "A paragraph with two lines."
    assert numbered.body(0) == (CodeBlock("indented code"),)
    # Tight and loose items of one paragraph read as before: a line each.
    for source in ("- a\n- b\n", "- a\n\n- b\n"):
        assert body(source).lead[0] == ListBlock((body("a").lead[0].text, body("b").lead[0].text))
    # A list that starts at 3 says so.
    assert body("3. c\n4. d\n").lead[0].start == 3


def test_a_quote_of_paragraphs_reads_as_before_and_holds_what_follows():
    (plain,) = body("> One.\n>\n> Two.\n> — Ann\n").lead
    assert plain.text.plain_text == "One.\nTwo." and not plain.blocks
    assert plain.attribution.plain_text == "Ann"
    (mixed,) = body("> One.\n>\n>     code\n>\n> After.\n> — Ann\n").lead
    assert mixed.text.plain_text == "One."
    assert [type(b).__name__ for b in mixed.blocks] == ["CodeBlock", "Paragraph"]
    assert mixed.blocks[1].text.plain_text == "After."
    assert mixed.attribution.plain_text == "Ann"


def test_walk_visits_the_blocks_inside_items_and_quotes():
    article = body("- a\n\n  > q\n  >\n  > ```\n  > x\n  > ```\n\n  ![i](https://e.com/i.png)\n")
    names = [type(b).__name__ for b in walk(article.lead)]
    assert names == ["ListBlock", "Quote", "CodeBlock", "Image"]


def test_inspect_json_shows_bodies_blocks_and_start(cli, tmp_path):
    source = tmp_path / "tutorial.md"
    source.write_text(TUTORIAL + "\n> 1. > Blockquote\ncontinued here.\n", encoding="utf-8")
    data = json.loads(cli("inspect", source, "--format", "json").stdout)
    steps, quote = data["sections"][0]["blocks"]
    assert steps["items"] == STEPS and "start" not in steps
    assert steps["bodies"][1] == [
        {"type": "code", "language": "sh", "text": CODE[1]},
        {"type": "quote", "text": TIP, "attribution": None},
    ]
    assert quote == {
        "type": "quote",
        "text": "",
        "attribution": None,
        "blocks": [
            {
                "type": "list",
                "ordered": True,
                "items": [""],
                "bodies": [
                    [{"type": "quote", "text": "Blockquote continued here.", "attribution": None}]
                ],
            }
        ],
    }
    source.write_text("---\ntitle: T\n---\n\n## S\n\n3. c\n4. d\n", encoding="utf-8")
    (listed,) = json.loads(cli("inspect", source, "--format", "json").stdout)["sections"][0][
        "blocks"
    ]
    assert listed == {"type": "list", "ordered": True, "items": ["c", "d"], "start": 3}
    assert "  3. c\n  4. d\n" in cli("inspect", source).stdout


# --- the email -------------------------------------------------------------------


def test_email_steps_are_one_ordered_list_with_code_and_the_tip_inside():
    html = build_email(md(TUTORIAL), Config()).html
    assert not parse_errors(html)
    content = email_body(html)
    (ol,) = content.iter("ol")
    assert not list(content.iter("ul"))
    items = ol.findall("li")
    assert [own_text(li) for li in items] == STEPS  # the code is not in the sentence
    assert [[text_of(pre) for pre in li.iter("pre")] for li in items] == [[c] for c in CODE]
    # The tip stays, in the quote's bar, inside the second step.
    bars = [td for td in items[1].iter("td") if "mh-bar" in (td.get("class") or "")]
    assert [text_of(bar) for bar in bars] == [TIP]
    assert all("mh-code" in pre.get("class", "") for pre in content.iter("pre"))


def test_email_and_feed_number_a_list_from_its_first_number():
    article = body("3. c\n4. d\n")
    (ol,) = email_body(build_email(article, Config()).html).iter("ol")
    assert ol.get("start") == "3"
    (feed_ol,) = tree(article_html(article), fragment=True).iter("ol")
    assert feed_ol.get("start") == "3"
    # The email's attribute whitelist (which the hostile tests hold it to) knows it.
    for _, attrs in Page(build_email(article, Config()).html).tags:
        assert set(attrs) <= ALLOWED_ATTRS, attrs
    assert "\n3. c\n4. d\n" in build_email(article, Config()).text


def test_the_email_compiled_whole_is_the_one_from_the_reused_layout():
    """Blocks nested in items and quotes survive mjml-python's compile."""
    article = md(
        TUTORIAL
        + "\n> 1. > Blockquote\ncontinued here.\n\n- a\n\n  para\n\n  | x |\n  |---|\n  | y |\n"
    )
    parts = email_parts(article, Config())
    whole = _render_html(parts, reuse_compiled=False)
    assert_same_email(build_email(article, Config()).html, whole, html_attr(parts.subject_raw))
    assert [text_of(pre) for pre in email_body(whole).iter("pre")] == CODE


def test_a_copy_of_the_quote_template_older_than_its_blocks_still_shows_them(tmp_path):
    """`init --templates` copies made before quotes held blocks place only
    the text: the blocks then follow the quote, never lost."""
    folder = tmp_path / "templates"
    (folder / "email" / "blocks").mkdir(parents=True)
    (folder / "email" / "blocks" / "quote.html.j2").write_text(
        '<table role="presentation" width="100%"><tr><td class="mh-bar">\n'
        "<p>{{ text }}</p>\n"
        "{% if attribution %}<p>— {{ attribution }}</p>\n{% endif %}</td></tr></table>",
        encoding="utf-8",
    )
    config = parse_config(f'templates = "{folder}"\n', path=tmp_path / "masthead.toml")
    html = build_email(body("> Said.\n>\n>     kept code\n"), config).html
    assert [text_of(pre) for pre in email_body(html).iter("pre")] == ["kept code"]
    assert "Said." in text_of(email_body(html))


# --- the text part ------------------------------------------------------------------


def test_text_part_sets_code_under_its_step_and_marks_the_tip():
    text = build_email(md(TUTORIAL), Config()).text
    assert (
        "1. Create a virtual environment:\n"
        "\n"
        "       python3 -m venv .venv\n"
        "\n"
        "2. Activate it:\n"
        "\n"
        "       source .venv/bin/activate\n"
        "\n"
        "   > Tip: your prompt shows the environment's name while it is active.\n"
        "\n"
        "3. Install the dependencies:\n"
        "\n"
        "       pip install -r requirements.txt\n"
    ) in text


def test_text_part_keeps_a_list_in_a_quote_and_its_quote():
    text = build_email(body("> 1. > Blockquote\ncontinued here.\n"), Config()).text
    assert "    1.\n       > Blockquote continued here.\n" in text


# --- the feed --------------------------------------------------------------------


def test_feed_keeps_the_code_as_pre_and_the_tip_as_a_blockquote():
    content = article_html(md(TUTORIAL))
    assert not parse_errors(content, fragment=True)
    root = tree(content, fragment=True)
    (ol,) = root.iter("ol")
    items = ol.findall("li")
    assert [own_text(li) for li in items] == STEPS
    assert [[text_of(pre) for pre in li.iter("pre")] for li in items] == [[c] for c in CODE]
    assert [pre.find("code").get("class") for pre in root.iter("pre")] == ["language-sh"] * 3
    assert [text_of(q) for q in items[1].iter("blockquote")] == [TIP]


# --- threads ------------------------------------------------------------------------


@pytest.mark.parametrize("platform", ["x", "bluesky", "mastodon", "threads"])
def test_a_steps_code_goes_on_its_own_line_in_the_post(platform):
    thread = build_thread(md(TUTORIAL), platform, Config())
    text = "\n".join(post.text for post in thread.posts)
    for step, code in zip(STEPS, CODE, strict=True):
        assert f"{step}\n{code}" in text
    assert "environment: python3" not in text
    assert not thread.left_out


def test_a_steps_code_in_a_post_has_its_bidi_isolates_closed_on_each_line():
    """Code is body text: an isolate left open (U+2067) is closed at the end
    of its line, an override (U+202E) is dropped (see text/sanitize.py)."""
    article = md(TUTORIAL.replace("python3 -m venv .venv", "echo \u2067abc\u202e def"))
    text = "\n".join(post.text for post in build_thread(article, "x", Config()).posts)
    assert f"{STEPS[0]}\necho \u2067abc def\u2069\n" in text + "\n"


def test_the_single_post_keeps_a_points_code_on_its_own_line():
    post = build_thread(md(TUTORIAL), "linkedin", Config()).posts[0].text
    assert "Create a virtual environment:\npython3 -m venv .venv" in post


LONG = "curl -fsSL https://example.com/install.sh | sh -s -- " + " ".join(
    f"--flag-{n}=value" for n in range(22)
)


def long_code_article() -> str:
    return TUTORIAL.replace("   python3 -m venv .venv\n", f"   {LONG}\n")


def test_code_too_long_for_a_post_is_left_out_and_the_step_kept():
    assert 300 < len(LONG) < 480
    article = md(long_code_article())
    for platform in ("x", "bluesky"):
        thread = build_thread(article, platform, Config())
        text = "\n".join(post.text for post in thread.posts)
        assert STEPS[0] in text
        assert "curl" not in text and "--flag" not in text  # not glued, not split
        assert f"{STEPS[1]}\n{CODE[1]}" in text  # the code that fits stays
        assert [code.text for code in thread.left_out] == [LONG]
    mastodon = build_thread(article, "mastodon", Config())
    assert f"{STEPS[0]}\n{LONG}" in "\n".join(post.text for post in mastodon.posts)
    assert not mastodon.left_out


def test_check_names_the_file_line_and_platforms_that_leave_code_out(cli, tmp_path):
    source = tmp_path / "steps.md"
    source.write_text(long_code_article(), encoding="utf-8")
    run = cli("check", source, "--format", "json")
    found = [f for f in run.json()["findings"] if f["rule"] == "code-left-out"]
    assert len(found) == 1
    (finding,) = found
    assert finding["severity"] == "warning"
    assert finding["path"] == str(source) and finding["line"] == 11
    assert "X and Bluesky" in finding["message"] and "curl -fsSL" in finding["message"]
    text = cli("check", source).stdout
    assert f"{source}:11: warning:" in text


def test_render_reports_the_code_its_threads_leave_out(cli, tmp_path):
    source = tmp_path / "steps.md"
    source.write_text(long_code_article(), encoding="utf-8")
    run = cli("render", source, "-o", tmp_path / "out")
    assert run.exit_code == 0
    assert "does not fit a post on X and Bluesky" in run.stdout
    assert "[code-left-out]" in run.stdout


def test_check_sees_images_and_links_inside_items_and_quotes():
    article = md(
        "---\ntitle: T\n---\n\nLead.\n\n- step\n\n  ![shot](shot.png)\n\n"
        "> said\n>\n> - a [link](ftp://e.com/x)\n>   - b\n"
    )
    findings = list(check_article(article, Config(), "post.md", skip_threads=True))
    relative = [f for f in findings if f.rule == "relative-image"]
    assert [(f.path, f.line) for f in relative] == [("post.md", 9)]
    assert [f.rule for f in findings if "ftp:" in f.message] == ["link-scheme"]


def test_images_in_items_are_images():
    article = body("- step\n\n  ![shot](https://e.com/shot.png)\n")
    (image,) = article.lead[0].body(0)
    assert image == Image("https://e.com/shot.png", "shot")
    (img,) = email_body(build_email(article, Config()).html).iter("img")
    assert img.get("src") == "https://e.com/shot.png"


# --- in a browser -----------------------------------------------------------------

WIDE = TUTORIAL + (
    "\n4. Check it against this table and the notes:\n\n"
    "   | command | what it does |\n   |---|---|\n   | `pip list` | lists packages |\n\n"
    "   > Note: the long line below must wrap inside its box.\n   >\n"
    f"   >     {LONG}\n\n"
    "   - a nested point\n\n     ```\n     " + "x" * 140 + "\n     ```\n"
)


@pytest.fixture(scope="module")
def browser():
    yield from chromium_browser()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("theme", ["classic", "digest"])
def test_no_horizontal_overflow_at_375px_outside_pre(browser, scheme, theme):
    palette = resolve(theme, {})
    html = build_email(md(WIDE), Config(), theme=theme).html
    page = offline_page(browser, viewport={"width": 375, "height": 900}, color_scheme=scheme)
    page.set_content(html, wait_until="load")
    document = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert document[0] <= document[1], "the page scrolls sideways"
    overflowing = page.evaluate(
        """() => [...document.body.querySelectorAll('*')]
            .filter(e => !e.closest('pre') && e.clientWidth > 0)
            .filter(e => e.scrollWidth > e.clientWidth
                      || e.getBoundingClientRect().right > window.innerWidth)
            .map(e => [e.tagName, e.className, e.scrollWidth, e.clientWidth,
                       e.textContent.trim().slice(0, 40)])"""
    )
    assert not overflowing
    # Code nested in an item wraps inside its own box too.
    pres = page.evaluate(
        """() => [...document.querySelectorAll('li pre')].map(p =>
            [p.scrollWidth <= p.clientWidth, getComputedStyle(p).backgroundColor])"""
    )
    assert len(pres) == 5 and all(fits for fits, _ in pres)
    background = palette["dark_code"] if scheme == "dark" else palette["code"]
    r, g, b = (int(background[i : i + 2], 16) for i in (1, 3, 5))
    assert {colour for _, colour in pres} == {f"rgb({r}, {g}, {b})"}
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"item-blocks-375-{theme}-{scheme}.png"), full_page=True)
    page.close()


def test_nested_blocks_take_the_dark_scheme_as_the_others_do(browser):
    palette = resolve("classic", {})
    html = build_email(md(WIDE), Config()).html
    page = offline_page(browser, viewport={"width": 375, "height": 900}, color_scheme="dark")
    page.set_content(html, wait_until="load")
    colours = page.evaluate(
        """() => ({
            item: getComputedStyle(document.querySelector('li')).color,
            tip: getComputedStyle(document.querySelector('li .mh-bar p')).color,
            bar: getComputedStyle(document.querySelector('li .mh-bar')).borderLeftColor,
            cell: getComputedStyle(document.querySelector('li td.mh-rule')).borderBottomColor,
        })"""
    )

    def rgb(hex_colour: str) -> str:
        r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
        return f"rgb({r}, {g}, {b})"

    assert colours == {
        "item": rgb(palette["dark_text"]),
        "tip": rgb(palette["dark_text"]),
        "bar": rgb(palette["dark_accent"]),
        "cell": rgb(palette["dark_rule"]),
    }
    page.close()
