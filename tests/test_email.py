"""The email channel: content in order, inert article text, ESPs, text part, .eml."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import email.policy
import html as html_module
import re
import unicodedata

import pytest
from conftest import ARTICLES, ROOT, SEED
from htmlcheck import ALLOWED_ATTRS, ALLOWED_TAGS, VALID_HOSTILE, Page, assert_same_email
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.channels.email import build_email
from generator.channels.email.mergetags import ZWSP
from generator.config import Config, Sender, parse_config
from generator.esp import all_patterns, esps
from generator.model import FAQ, ListBlock, Paragraph, Quote
from generator.readers import read_path

SAMPLES = sorted(p for p in ARTICLES.iterdir() if p.suffix in (".txt", ".md"))
HOSTILE = [ROOT / "tests" / "hostile" / name for name in VALID_HOSTILE]
FULL = parse_config(
    'site_url = "https://news.example.com"\n'
    'postal_address = "1 Harbour Street, Portsmouth PO1 2AB, United Kingdom"\n'
    '[brand]\nname = "The Ledger"\n[sender]\nname = "The Ledger"\naddress = "news@example.com"\n'
)


def norm(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_every_block_is_in_the_html_in_order(sample):
    article = read_path(sample)
    page = Page(build_email(article, FULL).html)
    visible = page.visible
    position = visible.index(norm(article.title))
    expected: list[str] = []
    for block in article.blocks():
        match block:
            case Paragraph(text=text):
                expected.append(text.plain_text)
            case ListBlock(items=items):
                expected += [i.plain_text for i in items]
            case Quote(text=text, attribution=attribution):
                expected.append(text.plain_text)
                if attribution:
                    expected.append("— " + attribution.plain_text)
            case FAQ(items=items):
                for item in items:
                    expected += [item.question.plain_text, *(a.plain_text for a in item.answer)]
    for piece in expected:
        found = visible.find(norm(piece), position)
        assert found >= 0, f"missing or out of order: {piece[:60]!r}"
        position = found + len(norm(piece))
    for bad in ("None", "— —", "· ·", "··", "{{", "{%"):
        assert bad not in visible
    assert len(page.all("h1")) == 1
    assert len(page.all("h2")) == len(article.sections)


def test_seed_layout_and_accessibility():
    html = build_email(read_path(SEED), FULL).html
    page = Page(html)
    assert len(html.encode("utf-8")) < 40_000
    assert page.all("html")[0]["lang"] == "en"
    assert {"name": "color-scheme", "content": "light dark"} in page.all("meta")
    assert "prefers-color-scheme:dark" in html.replace(" ", "")
    assert "<!--[if mso" in html  # Outlook's conditional comments survive
    for table in page.all("table"):
        if "role" not in table:
            continue
        assert table["role"] == "presentation"
    for img in page.all("img"):
        assert "alt" in img
    for a in page.all("a"):
        assert a["href"].startswith(("https://", "http://", "mailto:", "*|", "{{", "{$", "["))
    # The byline holds only the parts that exist (the seed has no date).
    assert "SignalWire Newsroom · 5 min read" in page.visible
    assert "5\xa0min\xa0read" in html  # kept on one line
    # Key Takeaways is set off in a tinted box.
    boxes = [td for td in page.all("td") if "mh-box" in td.get("class", "")]
    assert len(boxes) == 1 and "background-color:#edf1fc" in boxes[0]["style"]
    # "Read online" and the plain link, with the site URL as the article link.
    assert "Read online" in page.visible
    assert "https://news.example.com/the-great-ai-divorce/" in page.visible
    assert "1 Harbour Street" in page.visible
    assert "You are receiving this email because you subscribed to The Ledger." in page.visible


def test_preheader_comes_first_and_is_hidden():
    article = read_path(SEED)
    html = build_email(article, Config()).html
    body = re.search(r"<body[^>]*>(.*)", html, re.S).group(1)
    first = re.match(r"<div style=\"?([^\">]*)\"?>([^<]*)</div>", body)
    assert first, body[:200]
    style, content = first.groups()
    assert "display:none" in style and "mso-hide:all" in style
    assert content.startswith(article.dek)
    assert content.count("&zwnj;&nbsp;") >= 50


def test_no_link_no_button_no_postal_line_when_not_configured():
    page = Page(build_email(read_path(SEED), Config()).html)
    assert "Read online" not in page.visible
    assert "Harbour" not in page.visible
    assert not page.all("a")


@pytest.mark.parametrize("sample", HOSTILE, ids=lambda p: p.name)
@pytest.mark.parametrize("esp", list(esps()))
def test_hostile_article_is_inert(sample, esp):
    message = build_email(read_path(sample), FULL, esp=esp)
    page = Page(message.html)
    for tag, attrs in page.tags:
        allowed = ALLOWED_TAGS | (
            {"unsubscribe", "webversion"} if esp == "campaign_monitor" else set()
        )
        assert tag in allowed, f"<{tag}> came from the article"
        assert set(attrs) <= ALLOWED_ATTRS, f"<{tag} {attrs}> has a foreign attribute"
        for value in attrs.values():
            assert not value.strip().lower().startswith(("javascript:", "vbscript:", "data:"))
    assert "<script" not in message.html.lower()
    # The article's markup is visible as text.
    if "<script>alert(2)</script>" in sample.read_text(encoding="utf-8", errors="replace"):
        assert "<script>alert(2)</script>" in page.visible
    # No merge tag from article text is live, in HTML or in text: strip the
    # footer's own tags, then no ESP pattern may match anything.
    own = esps()[esp]
    html, text = message.html, message.text
    for tag in (own.unsubscribe_text, own.web_version_text, own.address):
        if tag:
            html, text = html.replace(tag, ""), text.replace(tag, "")
    html = (
        re.sub(r"</?(unsubscribe|webversion)\b[^>]*>", "", html)
        if esp == "campaign_monitor"
        else html
    )
    for pattern in all_patterns():
        assert not pattern.search(html), f"{pattern.pattern} is live in the HTML"
        assert not pattern.search(text), f"{pattern.pattern} is live in the text"
        assert not pattern.search(message.subject)


def test_merge_tags_are_visible_as_written():
    message = build_email(read_path(ROOT / "tests" / "hostile" / "markup.txt"), FULL)
    page = Page(message.html)
    # Entities render as the characters the author typed.
    assert "{{ config }} *|UNSUB|*" in page.visible
    assert "*&#124;UNSUB&#124;*" in message.html
    assert "&#123;&#123; config }}" in message.html
    assert f"{{{ZWSP}{{ config }}" in message.text
    assert (
        message.subject.replace(ZWSP, "")
        == 'Title <script>alert("t")</script> {{ config }} *|UNSUB|*'
    )


@pytest.mark.parametrize("key", list(esps()))
def test_esp_footer_tags(key, cli, tmp_path):
    (tmp_path / "masthead.toml").write_text(
        '[email]\nunsubscribe_url = "https://news.example.com/unsub"\n'
        'web_version_url = "https://news.example.com/web"\n',
        encoding="utf-8",
    )
    esp = esps()[key]
    html = cli("email", SEED, "--esp", key).stdout
    text = cli("email", SEED, "--esp", key, "--text").stdout
    if key == "generic":
        assert 'href="https://news.example.com/unsub"' in html
        assert "Unsubscribe: https://news.example.com/unsub" in text
        return
    marker = esp.unsubscribe.split("{attrs}")[0]
    assert marker in html, marker
    assert f"Unsubscribe: {esp.unsubscribe_text}" in text
    if esp.web_version_text:
        assert f"View in your browser: {esp.web_version_text}" in text


def test_esp_from_config_and_unknown_esp(cli, tmp_path):
    (tmp_path / "masthead.toml").write_text('[email]\nesp = "listmonk"\n', encoding="utf-8")
    assert 'href="{{ UnsubscribeURL }}"' in cli("email", SEED).stdout
    run = cli("email", SEED, "--esp", "aweber")
    assert run.exit_code == 2
    assert "mailchimp" in run.stderr and "listmonk" in run.stderr


def test_mailchimp_address_tag_when_config_has_none():
    html = build_email(read_path(SEED), Config(), esp="mailchimp").html
    assert "*|LIST:ADDRESSLINE|*" in html


def test_plain_text_part(cli):
    text = cli("email", ARTICLES / "newsletter-stack-2026.md", "--text").stdout
    lines = text.split("\n")
    title = "How We Rebuilt Our Newsletter Stack in a Weekend"
    assert lines[0] == title and lines[1] == "=" * len(title)
    assert "What Was Broken\n---------------\n" in text
    assert "1. The email was pasted from a Google Doc." in text
    assert "- Write the article once, in Markdown." in text
    assert "    — Noor Haddad, engineering lead" in text
    assert "Does it work with our email service?\nYes. Presets cover" in text
    assert "full write-up [1]" in text
    assert "\n[1] https://blog.example.com/posts/stack/" in text
    assert "Read online: https://blog.example.com/posts/newsletter-stack-2026/" in text
    assert all(len(line) <= 72 or "http" in line for line in lines)
    assert "None" not in text


def test_subject_preheader_and_overrides(cli):
    stack = read_path(ARTICLES / "newsletter-stack-2026.md")
    message = build_email(stack, Config())
    assert message.subject == "We rebuilt our newsletter stack in a weekend"
    assert message.preheader == "What broke, what we kept, and the command that now does it all."
    seed = build_email(read_path(SEED), Config())
    assert seed.subject.startswith("The Great AI Divorce")
    assert seed.preheader.startswith("The historic alliance")
    html = cli("email", SEED, "--subject", "Weekly: AI split").stdout
    assert "<title>Weekly: AI split</title>" in html


def test_utm_merged_into_article_links():
    config = parse_config('[utm]\nenabled = true\ncampaign = "weekly-{slug}"\n')
    article = read_path(ROOT / "tests" / "hostile" / "links.md")
    message = build_email(article, config)
    expected = (
        "https://example.com/post?a=1&utm_source=newsletter&utm_medium=email"
        "&utm_campaign=weekly-links#top"
    )
    hrefs = [a["href"] for a in Page(message.html).all("a")]
    assert hrefs.count(expected) == 2  # the button and the footer link
    assert "https://example.com/post?a=1&utm_source=newsletter" in message.text
    # The footer shows the link as written; the tracking stays in the href.
    page = Page(message.html)
    assert "https://example.com/post?a=1#top" in page.visible
    assert "utm_" not in page.visible


def test_eml_round_trip_and_reproducible(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1772530200")
    (tmp_path / "masthead.toml").write_text(
        '[sender]\nname = "Ledger Newsroom"\naddress = "news@example.com"\n', encoding="utf-8"
    )
    first, second = tmp_path / "a.eml", tmp_path / "b.eml"
    assert cli("email", SEED, "--eml", "-o", first).exit_code == 0
    assert cli("email", SEED, "--eml", "-o", second).exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    message = email.message_from_bytes(first.read_bytes(), policy=email.policy.default)
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in parts)
    assert str(message["Subject"]) == (
        "The Great AI Divorce: How Microsoft and OpenAI Became Each Other’s Biggest Rivals"
    )
    assert message["From"].addresses[0].addr_spec == "news@example.com"
    assert message["Date"].datetime.isoformat() == "2026-03-03T09:30:00+00:00"
    assert message["Message-ID"].endswith("@example.com>")
    assert parts[1].get_content().startswith("<!doctype html>")
    assert "The historic alliance" in parts[0].get_content()


def test_eml_without_sender_has_a_clear_placeholder(cli):
    run = cli("email", SEED, "--eml")
    assert run.exit_code == 0
    assert "From: Sender not configured <sender@example.invalid>" in run.stdout


def test_html_to_file_and_text_eml_conflict(cli, tmp_path):
    out = tmp_path / "email.html"
    assert cli("email", SEED, "-o", out).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")
    assert cli("email", SEED, "--text", "--eml").exit_code == 2


@pytest.mark.parametrize("theme", ["classic", "digest"])
def test_built_in_themes_are_wcag_aa(theme):
    from generator.theme import low_contrast, resolve

    assert low_contrast(resolve(theme, {})) == []


@settings(max_examples=300, deadline=None)
@given(
    subject=st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=300
    ),
    name=st.text(st.characters(blacklist_categories=("Cs",)), max_size=40),
    body=st.text(st.characters(blacklist_categories=("Cs",)), max_size=400),
)
def test_eml_parses_back_to_what_went_in(subject, name, body):
    """Whatever the subject, sender name and bodies, the standard library reads
    the .eml back to the same values (less bidi controls and control
    characters other than spaces, which no header keeps): no header
    injection, no mangled part."""
    from generator.channels.email.eml import build_eml

    bidi = re.compile("[\u202a-\u202e\u2066-\u2069]")

    def kept(value: str) -> str:
        value = "".join(
            c for c in value if c.isspace() or unicodedata.category(c) != "Cc"
        )
        return " ".join(bidi.sub("", value).split())

    config = dataclasses.replace(Config(), sender=Sender(name, "news@example.com"))
    when = dt.datetime(2026, 3, 3, 9, 30, tzinfo=dt.UTC)
    data = build_eml(subject=subject, text=body, html=f"<p>{body}</p>", config=config, now=when)
    assert all(len(line) <= 998 for line in data.split(b"\r\n"))
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert not message.defects
    assert str(message["Subject"]) == kept(subject)
    assert message["From"].addresses[0].addr_spec == "news@example.com"
    shown = message["From"].addresses[0].display_name
    assert " ".join(shown.split()) == kept(name)
    assert message["Date"].datetime == when
    plain, html = message.iter_parts()
    assert plain.get_payload(decode=True).decode("utf-8") == body
    assert html.get_payload(decode=True).decode("utf-8") == f"<p>{body}</p>"


def test_eml_has_list_unsubscribe_only_with_a_configured_url(cli, tmp_path):
    (tmp_path / "masthead.toml").write_text(
        '[email]\nunsubscribe_url = "https://news.example.com/unsubscribe"\n', encoding="utf-8"
    )
    for esp, expected in (("generic", "<https://news.example.com/unsubscribe>"), ("kit", None)):
        target = tmp_path / f"{esp}.eml"
        assert cli("email", SEED, "--eml", "--esp", esp, "-o", target).exit_code == 0
        message = email.message_from_bytes(target.read_bytes(), policy=email.policy.default)
        # An email service adds its own header when it sends.
        assert message["List-Unsubscribe"] == expected


def test_missing_unsubscribe_link_is_a_warning(cli, tmp_path):
    run = cli("check", SEED)
    assert "[no-unsubscribe]" in run.stdout and run.exit_code == 0
    assert cli("check", SEED, "--strict").exit_code == 1
    out = tmp_path / "out"
    run = cli("render", SEED, "-o", out)
    assert "warning:" in run.stderr and "[no-unsubscribe]" in run.stderr
    assert "hint: `masthead init`" in run.stderr  # no config file yet
    assert (
        cli("render", SEED, "-o", out, "--force", "--esp", "buttondown").stderr.count(
            "[no-unsubscribe]"
        )
        == 0
    )
    assert cli("render", SEED, "-o", out, "--force", "-q").stderr == ""


def test_text_part_wraps_the_title_and_lines_up_tables():
    from generator.channels.email.parts import byline, email_parts
    from generator.channels.email.text import render_text
    from generator.language import labels_for

    seed = read_path(SEED)
    lines = render_text(email_parts(seed, Config())).split("\n")
    assert lines[:3] == [
        "The Great AI Divorce: How Microsoft and OpenAI Became Each Other’s",
        "Biggest Rivals",
        "=" * len(lines[0]),
    ]
    stack = read_path(ARTICLES / "newsletter-stack-2026.md")
    text = render_text(email_parts(stack, Config()))
    assert "Channel | Before    | After\n" in text
    assert "RSS     | forgotten | automatic\n" in text
    # A wrapped byline starts its next line with the separator, never ends with it.
    assert " ·\u00a0" in (byline(stack, labels_for("en")) or "")


def test_subject_delimiters_are_references_everywhere_mjml_copies_the_title(tmp_path):
    """MJML copies the subject into <title> and an aria-label: there too the
    merge-tag delimiters are character references, and nothing internal
    (no private-use or noncharacter code point) reaches the HTML."""
    source = tmp_path / "pipes.txt"
    source.write_text(
        "Pipes | and {{ x }} *|UNSUB|* [tag] <$x$>\nA dek.\n\nA paragraph.\n", encoding="utf-8"
    )
    html = build_email(read_path(source), Config()).html
    assert not re.search("[\ufdd0-\ufdef\ue000-\uf8ff]|\\\\u\\{", html)
    title = re.search(r"<title>(.*?)</title>", html).group(1)
    label = re.search(r'aria-label="([^"]*)"', html).group(1)
    for text in (title, label):
        assert "|" not in text and "{" not in text and "[" not in text
        assert html_module.unescape(text) == "Pipes | and {{ x }} *|UNSUB|* [tag] <$x$>"


def test_international_sender_domain_goes_out_as_idna(tmp_path):
    from generator.channels.email.eml import build_eml

    config = dataclasses.replace(Config(), sender=Sender("Bücher", "news@bücher.de"))
    when = dt.datetime(2026, 3, 3, tzinfo=dt.UTC)
    data = build_eml(subject="S", text="t", html="<p>h</p>", config=config, now=when)
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert message["From"].addresses[0].addr_spec == "news@xn--bcher-kva.de"
    assert message["Message-ID"].endswith("@xn--bcher-kva.de>")
    error = parse_config_error('[sender]\naddress = "nöws@example.com"\n')
    assert "ASCII" in error and "sender.address" in error


def parse_config_error(text: str) -> str:
    from generator.errors import MastheadError

    try:
        parse_config(text)
    except MastheadError as exc:
        return str(exc)
    raise AssertionError("no error")


REUSE_CONFIGS = [
    "",
    'site_url = "https://news.example.com/a/"\npostal_address = "1 Main St"\n[utm]\nenabled = true',
    '[email]\nesp = "mailchimp"\n[brand]\nname = "A & B <x>"\nlogo_url = "https://e.com/l.png"',
]


@pytest.mark.parametrize(
    "path",
    sorted(ARTICLES.iterdir()) + [ROOT / "tests" / "hostile" / name for name in VALID_HOSTILE],
    ids=lambda p: p.name,
)
def test_reused_layout_gives_what_a_full_compile_gives(path):
    from generator.channels.email.html import _render_html
    from generator.channels.email.parts import email_parts, html_attr

    article = read_path(path)
    for text in REUSE_CONFIGS:
        parts = email_parts(article, parse_config(text))
        whole = _render_html(parts, reuse_compiled=False)
        assert_same_email(_render_html(parts), whole, html_attr(parts.subject_raw))


def test_article_text_cannot_spell_a_placeholder(tmp_path):
    """Placeholders carry a random part: text that looks like one (here in the
    language tag, which goes into attributes as it is) is only text."""
    from generator.channels.email.html import _render_html
    from generator.channels.email.parts import email_parts, html_attr

    source = tmp_path / "spoof.md"
    source.write_text(
        "---\n"
        "title: 'T\" onmouseover=\"alert(1)'\n"
        "lang: en-mhslot1z\n"
        "description: mhslot2z mhb0z\n"
        "---\n\nBody mhslot6z and mhb1z.\n",
        encoding="utf-8",
    )
    article = read_path(source)
    email = build_email(article, Config())
    page = Page(email.html)
    for tag, attrs in page.tags:
        assert "onmouseover" not in attrs, (tag, attrs)
    assert 'lang="en-mhslot1z"' in email.html
    assert "Body mhslot6z and mhb1z." in email.html
    parts = email_parts(article, Config())
    whole = _render_html(parts, reuse_compiled=False)
    assert_same_email(email.html, whole, html_attr(parts.subject_raw))


def test_text_placeholder_inside_a_tag_is_seen():
    """A layout that put text escaped for a text node into an attribute
    would be compiled whole, not filled in: the skeleton says where each
    placeholder sits."""
    from generator.channels.email.html import _NONCE, _skeleton

    token = f"mh{_NONCE}s1z"
    source = (
        "<mjml><mj-body><mj-section><mj-column>"
        f'<mj-image src="https://e.com/a.png" alt="{token}" />'
        f"<mj-text>mh{_NONCE}s2z</mj-text>"
        "</mj-column></mj-section></mj-body></mjml>"
    )
    _, found, in_tags = _skeleton(source)
    assert {token, f"mh{_NONCE}s2z"} <= found
    assert token in in_tags and f"mh{_NONCE}s2z" not in in_tags


def test_layout_with_text_in_an_attribute_is_compiled_whole(monkeypatch):
    from generator.channels.email import html as email_html
    from generator.channels.email.parts import email_parts

    article = read_path(SEED)
    context = email_html._context

    def title_in_lang(parts, fields):
        values = context(parts, fields)
        values["lang"] = values["title"]  # a layout that puts the title in an attribute
        return values

    compiled: list[str] = []
    compile_ = email_html._compile

    def spy(source: str) -> str:
        compiled.append(source)
        return compile_(source)

    email_html._skeleton.cache_clear()
    monkeypatch.setattr(email_html, "_context", title_in_lang)
    monkeypatch.setattr(email_html, "_compile", spy)
    email_html._render_html(email_parts(article, Config()))
    email_html._skeleton.cache_clear()
    assert any(f'lang="{article.title}"' in source for source in compiled)


def test_text_empty_once_escaped_renders_as_a_full_compile(tmp_path):
    """An attribution or code language of noncharacters only is empty once
    escaped: the reused blocks leave it out, as rendering each block does."""
    from generator.channels.email.html import _render_html
    from generator.channels.email.parts import email_parts, html_attr

    source = tmp_path / "empty.md"
    source.write_text("# T\n\n> quote text\n> — \ufdd0\n\n```\ufdd0\ncode\n```\n", encoding="utf-8")
    parts = email_parts(read_path(source), Config())
    reused = _render_html(parts)
    assert "— </p>" not in reused and 'data-language=""' not in reused
    whole = _render_html(parts, reuse_compiled=False)
    assert_same_email(reused, whole, html_attr(parts.subject_raw))


def test_hard_line_breaks_are_line_breaks_in_html(tmp_path):
    """A Markdown hard break (two spaces or a backslash at the end of a line)
    and the break between a quote's paragraphs stay breaks: HTML would fold a
    bare newline into a space, or into nothing between two formatted spans."""
    from generator.channels.email.html import _render_html
    from generator.channels.email.parts import email_parts, html_attr

    source = tmp_path / "breaks.md"
    source.write_text(
        "---\ntitle: T\n---\n\n**a**  \n*b* and c\\\nd\n\n> One.\n>\n> Two.\n> — Someone\n",
        encoding="utf-8",
    )
    article = read_path(source)
    email = build_email(article, Config())
    assert "<strong>a</strong><br /><em>b</em> and c<br />d</p>" in email.html
    assert "One.<br />Two.</p>" in email.html
    parts = email_parts(article, Config())
    assert_same_email(
        email.html, _render_html(parts, reuse_compiled=False), html_attr(parts.subject_raw)
    )
    assert "\na\nb and c\nd\n" in email.text


def test_plain_text_breaks_only_what_could_open_a_merge_tag():
    """A zero-width space goes only where an ESP tag could start, so code in
    the text part (`arr[0]`, `*args`, `{x}`) copies as written."""
    from generator.channels.email.mergetags import neutralize_text

    code = "arr[0] = f(*args, **kw) or {x} or 2*3"
    assert neutralize_text(code) == code
    for tag in ("*|UNSUB|*", "{{ a }}", "{% b %}", "{$c}", "[Name]", "[[v]]", "<unsubscribe>"):
        neutral = neutralize_text(tag)
        assert neutral == tag[0] + ZWSP + tag[1:] or neutral.startswith(tag[0] + ZWSP)
        assert not any(p.search(neutral) for p in all_patterns()), tag


def test_nested_lists_stay_nested_in_html_and_text(tmp_path):
    from generator.channels.email.html import _render_html
    from generator.channels.email.parts import email_parts, html_attr

    source = tmp_path / "nested.md"
    source.write_text(
        "---\ntitle: T\n---\n\n1. First step\n   1. Sub-step one\n   2. Sub-step two\n"
        "2. Second step\n   - a bullet under it\n3. Third step\n",
        encoding="utf-8",
    )
    article = read_path(source)
    email = build_email(article, Config())
    tags = [tag for tag, _ in Page(email.html).tags if tag in ("ol", "ul", "li")]
    assert tags == ["ol", "li", "ol", "li", "li", "li", "ul", "li", "li"]
    assert (
        "1. First step\n   1. Sub-step one\n   2. Sub-step two\n"
        "2. Second step\n   - a bullet under it\n3. Third step\n"
    ) in email.text
    parts = email_parts(article, Config())
    whole = _render_html(parts, reuse_compiled=False)
    assert_same_email(email.html, whole, html_attr(parts.subject_raw))


def test_text_title_underline_is_as_wide_as_the_title_on_screen():
    email = build_email(read_path(ARTICLES / "urban-beekeeping-guide.txt"), Config())
    title, underline = email.text.splitlines()[:2]
    assert title.endswith("🐝") and underline == "=" * (len(title) + 1)


@pytest.mark.parametrize("esp", list(esps()))
def test_a_merge_tag_split_over_inline_nodes_stays_inert_in_text(tmp_path, esp):
    """Tags that only appear once inline nodes are joined, or once the text
    part adds its brackets round an image's alt text, or in the front
    matter's link."""
    source = tmp_path / "split.md"
    source.write_text(
        '---\ntitle: T\nurl: "https://e.com/{{unsubscribe_url}}/*|UNSUB|*/[unsubscribe]"\n---\n\n'
        "A {*{ unsubscribe_url }}* b \\[*unsubscribe*] c {`{ email_url }}` d <`unsubscribe`>"
        " e {`$unsubscribe}` f x[*webversion*]y, *|*UNSUB*|* and {# hidden #}\n\n"
        "![unsubscribe](https://e.com/x.png)\n",
        encoding="utf-8",
    )
    message = build_email(read_path(source), FULL, esp=esp)
    own = esps()[esp]
    text = message.text
    for tag in (own.unsubscribe_text, own.web_version_text, own.address):
        if tag:
            text = text.replace(tag, "")
    for pattern in all_patterns():
        assert not pattern.search(text), (pattern.pattern, pattern.search(text).group())
    assert f"{{{ZWSP}#" in text


def test_an_item_holding_only_a_nested_list_keeps_its_number_in_text(tmp_path):
    source = tmp_path / "only.md"
    source.write_text("---\ntitle: T\n---\n\n1. a\n2.\n   - only nested\n3. c\n", encoding="utf-8")
    assert "1. a\n2.\n   - only nested\n3. c\n" in build_email(read_path(source), Config()).text


def test_text_part_urls_stay_working_and_config_footer_text_inert(tmp_path):
    source = tmp_path / "urls.md"
    source.write_text(
        '---\ntitle: T\nurl: "https://e.com/p?filter[tag]=bees"\n---\n\n'
        "See https://e.com/s?sort[field]=date now.\n",
        encoding="utf-8",
    )
    config = parse_config(
        'postal_address = "1 Road {{ x }} [Name]"\n[labels]\nwhy = "Because {{ q }}"\n'
    )
    text = build_email(read_path(source), config).text
    assert "https://e.com/p?filter%5Btag%5D=bees" in text
    assert "https://e.com/s?sort%5Bfield%5D=date" in text
    assert ZWSP not in text.split("-- \n")[0]  # nothing needed breaking above the footer
    for pattern in all_patterns():
        assert not pattern.search(text), pattern.pattern


def test_a_subheading_before_any_section_is_the_level_under_the_title():
    from generator.channels.rss.content import article_html
    from generator.readers import read_bytes

    article = read_bytes(
        b"---\ntitle: H\n---\n\nLead.\n\n### In the lead\n\nText.\n\n## Section\n\n### Under it\n\nMore.\n",
        name="h.md",
    )
    levels = re.findall(r"<h([1-6])\b", build_email(article, Config()).html)
    assert levels == ["1", "2", "2", "3"]  # title, lead subheading, section, its subheading
    assert re.findall(r"<h([1-6])>", article_html(article)) == ["2", "2", "3"]
