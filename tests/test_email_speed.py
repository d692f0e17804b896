"""Per-article speed-ups of the email (and the HTML text shared with RSS), issue 21.

Each structural test fails when its optimisation is taken out; the
equivalence tests compare the rewritten escaping with an oracle written
here from the rules (XML 1.0's Char production, HTML's text escaping, the
bidi rule of `sanitize`), sharing no code with what it checks.
"""

from __future__ import annotations

from conftest import examples, recorded_calls
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.model import Code, Emphasis, Link, RichText, Strong, Text

# --- the oracle ------------------------------------------------------------------

_ISOLATES = {"\u2066", "\u2067", "\u2068"}
_PDI = "\u2069"
_EMBEDDINGS = {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e"}
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_ATTR_ESCAPES = {**_ESCAPES, '"': "&#34;", "'": "&#39;"}


def _xml_char(c: str) -> bool:
    """XML 1.0, production [2] Char."""
    o = ord(c)
    return c in "\t\n\r" or 0x20 <= o <= 0xD7FF or 0xE000 <= o <= 0xFFFD or o >= 0x10000


def _escaped(text: str, table: dict[str, str] = _ESCAPES) -> str:
    return "".join(table.get(c, c) for c in text if _xml_char(c))


class _Balance:
    """Bidi controls as body text has them: embeddings and overrides
    dropped, an isolate left open closed at its line's end, a PDI that
    closes nothing dropped; the depth carried from text to text."""

    def __init__(self) -> None:
        self.depth = 0

    def __call__(self, text: str) -> str:
        out = []
        for c in text:
            if c in _EMBEDDINGS:
                continue
            if c in _ISOLATES:
                self.depth += 1
            elif c == _PDI:
                if not self.depth:
                    continue
                self.depth -= 1
            elif c == "\n":
                out.append(_PDI * self.depth)
                self.depth = 0
            out.append(c)
        return "".join(out)


def _oracle_inline(text: RichText, neutralize, attrs: dict[str, str]) -> str:
    balance = _Balance()

    def esc(value: str) -> str:
        escaped = _escaped(value)
        return neutralize(escaped) if neutralize else escaped

    def tag(name: str, inner: str) -> str:
        extra = f" {attrs[name]}" if name in attrs else ""
        return f"<{name}{extra}>{inner}</{name}>"

    def node(n) -> str:
        if isinstance(n, Text):
            return "<br />".join(esc(line) for line in balance(n.text).split("\n"))
        if isinstance(n, Code):
            return tag("code", esc(balance(n.text)))
        if isinstance(n, Emphasis | Strong):
            inner = "".join(node(c) for c in n.children)
            return tag("em" if isinstance(n, Emphasis) else "strong", inner)
        inner = "".join(node(c) for c in n.children)
        href = "".join(c for c in n.href.strip() if _xml_char(c))
        scheme, colon, _ = href.strip().partition(":")
        if not colon or scheme.lower() not in ("http", "https", "mailto"):
            return inner
        if any(c.isspace() for c in href):
            return inner
        href = _escaped(href, _ATTR_ESCAPES)
        extra = f" {attrs['a']}" if "a" in attrs else ""
        return f'<a href="{neutralize(href) if neutralize else href}"{extra}>{inner}</a>'

    html = "".join(node(n) for n in text.nodes)
    return html + esc(_PDI * balance.depth) if balance.depth else html


# --- escaping: every character -------------------------------------------------------

_EMAIL_REFERENCES = {"{": "&#123;", "|": "&#124;", "[": "&#91;"}


def _email_neutralized(escaped: str) -> str:
    """mergetags' rule for HTML: the delimiters { | [ as character
    references, the noncharacters U+FDD0-U+FDEF dropped."""
    return "".join(
        _EMAIL_REFERENCES.get(c, c) for c in escaped if not 0xFDD0 <= ord(c) <= 0xFDEF
    )



def _every_character():
    """Every BMP code point (surrogates included) and a spread of the others."""
    yield from map(chr, range(0x10000))
    yield from map(chr, range(0x10000, 0x110000, 97))
    yield "\U0010ffff"


def test_text_escaping_matches_the_rules_for_every_character():
    """Each character alone, between letters and in each inline node: what
    `text_html`, `attr_html` and `inline_html` make of it is the oracle's
    (so the one search that lets most text through untouched misses no
    character that escaping, XML or the bidi rule would change)."""
    from markupsafe import escape

    from generator.channels.email.mergetags import neutralize_html
    from generator.text.html import attr_html, inline_html, text_html

    bidi = _ISOLATES | _EMBEDDINGS | {_PDI}
    for c in _every_character():
        for text in (c, f"a{c}b"):
            attribute = _escaped("".join(x for x in text if x not in bidi), _ATTR_ESCAPES)
            assert attr_html(text) == attribute, ascii(c)
            if _xml_char(c) and c not in bidi:
                assert attr_html(text) == escape(text), ascii(c)  # MarkupSafe's escape
            balance = _Balance()
            body = _escaped(balance(text) + _PDI * balance.depth)
            assert text_html(text) == body, ascii(c)
            assert text_html(text, neutralize_html) == _email_neutralized(body), ascii(c)
            assert inline_html(RichText((Text(text),)), neutralize=neutralize_html) == (
                _oracle_inline(RichText((Text(text),)), _email_neutralized, {})
            ), ascii(c)
            expected = _oracle_inline(RichText((Text(text),)), None, {})
            assert inline_html(RichText((Text(text),))) == expected, ascii(c)
            assert inline_html(RichText((Code(text),))) == _oracle_inline(
                RichText((Code(text),)), None, {}
            ), ascii(c)


_PIECES = st.sampled_from(
    [
        "a", "word ", " ", "\n", "&", "<", ">", '"', "'", "{", "|", "[", "*|", "{{",
        "\x00", "\x0b", "\x1f", "\ufffe", "\ud800", "\ufdd0", "\u00e9", "\u05d0",
        "\u2066", "\u2067", "\u2068", "\u2069", "\u202a", "\u202e", "\u200f", "&amp;",
    ]
)  # fmt: skip
_TEXTS = st.lists(_PIECES, max_size=8).map("".join)
_HREFS = st.sampled_from(
    [
        "https://example.com/a?b=1&c=<2>", " http://x.test/\u202e ", "mailto:a@b.test",
        "javascript:alert(1)", "https://x.test/a b", "HTTPS://X.TEST/\"'", "ftp://x",
        "https://x.test/\x00\ud800{|[", "",
    ]
)  # fmt: skip


def _inlines(depth: int = 2):
    leaves = st.one_of(_TEXTS.map(Text), _TEXTS.map(Code))
    if not depth:
        return leaves
    children = st.lists(_inlines(depth - 1), max_size=3).map(tuple)
    return st.one_of(
        leaves,
        children.map(Emphasis),
        children.map(Strong),
        st.builds(Link, _HREFS, children),
    )


def _neutralize(escaped: str) -> str:
    return escaped.replace("{", "&#123;").replace("[", "&#91;")


_ATTRS = st.sampled_from(
    [{}, {"a": 'style="color:red"', "code": 'class="c"', "em": "x", "strong": "y"}, {"a": "z"}]
)


@settings(max_examples=examples(500))
@given(st.lists(_inlines(), max_size=5).map(tuple), st.sampled_from([0, 1, 2]), _ATTRS)
def test_inline_html_is_the_oracles(nodes, neutralized, attrs):
    """Without a filter, with a plain function, and with a Neutralizer
    naming the characters it changes."""
    from generator.text.html import Neutralizer, inline_html, text_html

    neutralize = [None, _neutralize, Neutralizer(_neutralize, "{\\[")][neutralized]
    text = RichText(nodes)
    assert inline_html(text, neutralize=neutralize, attrs=attrs) == _oracle_inline(
        text, neutralize, attrs
    )
    plain = text.plain_text
    balance = _Balance()
    escaped = _escaped(balance(plain) + _PDI * balance.depth)
    assert text_html(plain, neutralize) == (neutralize(escaped) if neutralize else escaped)


def test_a_neutralizer_sees_only_text_holding_what_it_changes():
    """Text with nothing to escape and none of a Neutralizer's characters
    is not passed to it (one search tells both)."""
    from generator.text.html import Neutralizer, inline_html, text_html

    seen: list[str] = []

    def braces(text: str) -> str:
        seen.append(text)
        return text.replace("{", "&#123;")

    neutralize = Neutralizer(braces, "{")
    assert inline_html(_PLAIN_RICH, neutralize=neutralize).startswith("Plain words, <em>")
    assert text_html("plain words", neutralize) == "plain words"
    assert seen == ["https://example.com/a"]  # a link's href (an attribute) only
    seen.clear()
    assert inline_html(RichText((Text("a {b"), Code("c < d"))), neutralize=neutralize) == (
        "a &#123;b<code>c &lt; d</code>"
    )
    assert seen == ["a {b", "c &lt; d"]


# --- structure: the work each optimisation spares ----------------------------------

_PLAIN_RICH = RichText(
    (
        Text("Plain words, "),
        Emphasis((Text("some stressed"),)),
        Text(" and "),
        Link("https://example.com/a", (Strong((Text("a link"),)),)),
        Text(", then "),
        Code("code"),
        Text(" to end."),
    )
)


def test_inline_html_makes_one_markup_and_escapes_no_plain_text(monkeypatch):
    """Rich text is built as plain strings: one Markup for the whole, and
    text with nothing to escape is not run through the escape at all (it
    was one Markup and one escape per text node)."""
    from markupsafe import Markup

    from generator.text import html as text_html_module

    made: list[str] = []
    escaped: list[str] = []

    class Counted(Markup):
        def __new__(cls, base="", *args, **kwargs):
            made.append(str(base))
            return super().__new__(cls, base, *args, **kwargs)

    real_escape = text_html_module.escape_text

    def counted_escape(s):
        escaped.append(s)
        return real_escape(s)

    # Markup made either way: as Markup(...) or as text/html's as_markup.
    monkeypatch.setattr(text_html_module, "Markup", Counted)
    monkeypatch.setattr(text_html_module, "as_markup", Counted, raising=False)
    monkeypatch.setattr(text_html_module, "escape_text", counted_escape)
    result = text_html_module.inline_html(_PLAIN_RICH, attrs={"a": 'style="x"'})
    assert str(result) == (
        'Plain words, <em>some stressed</em> and <a href="https://example.com/a" style="x">'
        "<strong>a link</strong></a>, then <code>code</code> to end."
    )
    assert len(made) == 1 and isinstance(result, Markup)
    assert escaped == []
    # Text that has something to escape still is escaped.
    assert str(text_html_module.inline_html(RichText((Text("a < b"),)))) == "a &lt; b"
    assert escaped == ["a < b"]


def test_rich_text_without_a_bidi_control_is_not_rebuilt_to_balance_it(monkeypatch):
    """balanced_bidi_rich (which reads the whole plain text and rebuilds the
    nodes) runs only for text that holds a bidi control."""
    from generator.text import html as text_html_module

    calls: list[RichText] = recorded_calls(monkeypatch, text_html_module, "balanced_bidi_rich")
    text_html_module.inline_html(_PLAIN_RICH)
    assert calls == []
    spoof = RichText((Text("Hi "), Emphasis((Text("\u2067abc"),)), Text(" more")))
    assert str(text_html_module.inline_html(spoof)) == "Hi <em>\u2067abc</em> more\u2069"
    assert calls == [spoof]


# --- the text part ------------------------------------------------------------------


def test_fill_splits_words_out_only_where_spacing_is_uneven(monkeypatch):
    """Text whose words are one space apart (most paragraphs) is wrapped as
    it is; only text with a run of spaces or another break character is
    split into words and joined back. The lines are the greedy ones either
    way."""
    import random

    from test_email_cache import _greedy

    from generator.text import wrapping

    splits: list[str] = []

    class Counted:
        def split(self, text):
            splits.append(text)
            return real.split(text)

    real = wrapping._BREAK
    monkeypatch.setattr(wrapping, "_BREAK", Counted())
    rng = random.Random(5)
    words = ["a", "bb", "word", "x" * 30, "\u00a0", "é\u00a0é", "https://example.com/" + "p" * 70]
    for _ in range(3000):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 40)))
        text = rng.choice(["", " "]) + text + rng.choice(["", " ", "  "])
        width = rng.choice([1, 10, 30, 72])
        assert wrapping.fill(text, width, "> ", "  ") == _greedy(text, width, "> ", "  ")
        assert splits == ([text] if text.endswith("  ") else [])
        splits.clear()
    for spaced in ("a  b", "a\tb", "a\nb", "a\rb", "a\x0bb", "a\x0cb"):
        assert wrapping.fill(spaced, 72) == "a b"
        assert splits == [spaced]
        splits.clear()


# --- the .eml ------------------------------------------------------------------------

_SUBJECT_PIECES = [
    "a", "word ", " ", "é", "\u4e2d\u6587", "\U0001f600", "\u0928\u0939", "=?", "?=",
    "\x00", "\x1b", "\t", "\r\n", "\u202e", "\u00a0", ";", ",", "x" * 40,
]  # fmt: skip


def test_the_subject_header_is_the_standard_librarys():
    """header_value folds encoded words as email.header.Header does (with
    the standard library's own UTF-8 charset, set to base64), without
    making a Header."""
    import random
    from email.charset import BASE64, Charset
    from email.header import Header

    from generator.channels.email import eml

    reference = Charset("utf-8")
    reference.header_encoding = BASE64
    rng = random.Random(8)
    for n in range(3000):
        size = rng.randint(0, 60) if n % 10 else rng.randint(100, 400)
        subject = "".join(rng.choice(_SUBJECT_PIECES) for _ in range(size))
        line = " ".join(
            "".join(
                c for c in subject if c not in "\u202e" and (c.isspace() or ord(c) >= 0x20)
            ).split()
        )
        if line.isascii() and len(line) <= 900 and "=?" not in line:
            expected = line
        else:
            expected = Header(line, reference, maxlinelen=76).encode(linesep="\r\n")
        assert eml.header_value(subject) == expected, ascii(subject)


def test_a_subject_is_encoded_without_the_header_machinery(monkeypatch):
    from generator.channels.email import eml

    def refuse(*args, **kwargs):
        raise AssertionError("email.header.Header used")

    monkeypatch.setattr(eml, "Header", refuse)
    assert eml.header_value("Caf\u00e9 " * 30).startswith("=?utf-8?b?")


def test_each_part_is_base64_in_lines_as_the_standard_library_cuts_them(monkeypatch):
    """A part's base64 is the standard library's body encoding (76-column
    lines, CRLF), at every length around a whole line, cut in one call per
    part rather than line by line."""
    import random
    from email.base64mime import body_encode

    from generator.channels.email import eml

    cuts: list[int] = recorded_calls(monkeypatch, eml, "_lines")
    rng = random.Random(3)
    for size in [*range(0, 400), 4096, 20000, 20001, 20002, 57 * 300]:
        body = rng.randbytes(size)
        head, _, lines = eml._part("b", "plain", body).partition(b"\r\n\r\n")
        assert head.endswith(b"Content-Transfer-Encoding: base64")
        assert lines == (body_encode(body, 76, "\r\n").encode("ascii") or b"\r\n")
    assert len(cuts) == 405


def test_the_message_hash_is_over_the_joined_fields():
    """Boundary and Message-ID come from the SHA-256 of subject, text,
    HTML, sender name and address joined by NULs, as documented, though
    each part is encoded once for the hash and its base64."""
    import dataclasses
    import datetime as dt
    import hashlib

    from generator.channels.email.eml import build_eml
    from generator.config import Config, Sender

    config = dataclasses.replace(Config(), sender=Sender("Caf\u00e9 \u4e2d", "news@example.com"))
    fields = ("Subj\u00e9ct \U0001f600", "t\u00e9xt\n" * 50, "<p>h\u2019</p>" * 70)
    data = build_eml(
        subject=fields[0], text=fields[1], html=fields[2], config=config,
        now=dt.datetime(2026, 3, 3, tzinfo=dt.UTC),
    )  # fmt: skip
    digest = hashlib.sha256(
        "\0".join((*fields, "Caf\u00e9 \u4e2d", "news@example.com")).encode()
    ).hexdigest()
    assert f"\r\nMessage-ID: <{digest[:32]}@example.com>\r\n".encode() in data
    assert f'boundary="masthead-{digest[32:56]}"'.encode() in data


def test_sender_and_date_headers_are_made_once_per_config_and_clock(monkeypatch):
    import datetime as dt

    from generator.channels.email import eml
    from generator.config import Config

    made: list[str] = []
    real_addr, real_date = eml.formataddr, eml.format_datetime
    monkeypatch.setattr(eml, "formataddr", lambda pair: made.append("from") or real_addr(pair))
    monkeypatch.setattr(eml, "format_datetime", lambda d: made.append("date") or real_date(d))
    eml._sender.cache_clear()
    eml._date.cache_clear()
    config, now = Config(), dt.datetime(2026, 3, 3, tzinfo=dt.UTC)
    first = eml.build_eml(subject="S", text="t", html="<p>h</p>", config=config, now=now)
    for _ in range(3):
        assert eml.build_eml(subject="S", text="t", html="<p>h</p>", config=config, now=now) == (
            first
        )
    assert sorted(made) == ["date", "from"]


# --- the HTML part -------------------------------------------------------------------


def test_an_article_of_a_known_shape_finds_its_layout_without_making_its_context(monkeypatch):
    """The compiled layout is found by which fields an article has (and the
    config's part, made once per config): a second article with the same
    fields neither builds the layout's context nor hashes it, and its HTML
    is what compiling it whole gives."""
    import dataclasses

    from conftest import SEED
    from htmlcheck import assert_same_email

    from generator.channels.email import build_email
    from generator.channels.email import html as email_html
    from generator.channels.email.parts import email_parts, html_attr
    from generator.config import Config
    from generator.readers import read_path

    made: list[object] = []
    real = email_html._context

    def counted(parts, fields):
        made.append(fields)
        return real(parts, fields)

    monkeypatch.setattr(email_html, "_context", counted)
    config = Config()
    article = read_path(SEED)
    build_email(article, config)
    made.clear()
    other = dataclasses.replace(article, title="Another & <title>", dek="A dek {{ x }}")
    html = build_email(other, config).html
    assert made == []
    first, second = email_parts(article, config), email_parts(other, config)
    assert first.shared is second.shared
    assert email_html._static(first) is email_html._static(second)
    whole = email_html._render_html(second, reuse_compiled=False)
    assert_same_email(html, whole, html_attr(second.subject_raw))
    assert "Another &amp; &lt;title&gt;" in html and "A dek &#123;&#123; x }}" in html


def test_headings_and_dates_are_judged_once_per_folder(monkeypatch):
    """Whether a heading is a takeaways heading, and a byline's date in
    words (Babel), are worked out once per heading and per day and
    language, not for every article; the date is the day the article's
    datetime falls on in its own zone."""
    import dataclasses
    import datetime as dt

    from conftest import SEED

    from generator.channels.email import build_email
    from generator.channels.email import html as email_html
    from generator.channels.email import parts as email_parts_module
    from generator.config import Config
    from generator.readers import read_path

    asked: list[str] = []
    dated: list[object] = []
    real_is, real_date = email_parts_module.is_takeaways, email_parts_module.format_date

    def is_takeaways(heading):
        asked.append(heading)
        return real_is(heading)

    def format_date(value, lang):
        dated.append(value)
        return real_date(value, lang)

    monkeypatch.setattr(email_parts_module, "is_takeaways", is_takeaways)
    monkeypatch.setattr(email_html, "is_takeaways", is_takeaways, raising=False)
    monkeypatch.setattr(email_parts_module, "format_date", format_date)
    email_parts_module.takeaways_heading.cache_clear()
    email_parts_module._long_date.cache_clear()
    article = read_path(SEED)
    late = dt.datetime(2026, 3, 3, 23, 30, tzinfo=dt.UTC)
    early = late.astimezone(dt.timezone(dt.timedelta(hours=2)))  # the same instant, 4 March
    assert late == early
    config = dataclasses.replace(Config(), email=dataclasses.replace(Config().email, takeaways="top"))
    first = build_email(dataclasses.replace(article, date=late), config).text
    headings = {s.heading for s in article.sections}
    assert sorted(asked) == sorted(headings)
    build_email(dataclasses.replace(article, date=late, title="Another"), config)
    second = build_email(dataclasses.replace(article, date=early), config).text
    assert sorted(asked) == sorted(headings)
    assert dated == [late.date(), early.date()]
    assert "3 March 2026" in first and "4 March 2026" in second


def test_as_markup_is_markup():
    """as_markup gives what Markup gives for a str: the same class and text,
    escaped no further, and Markup's operations on it."""
    from markupsafe import Markup

    from generator.text.html import as_markup

    for text in ("", "a < b &amp; <em>x</em>", "\u202e\ud800\x00", "x" * 1000):
        made = as_markup(text)
        assert type(made) is Markup and made == Markup(text) and str(made) == text
        assert made.__html__() == text
        assert made + "<" == Markup(text) + "<" and str(made + "<").endswith("&lt;")


def test_a_block_is_made_from_its_stencil_without_markup_arithmetic(monkeypatch):
    """The email's blocks are joined as str and made Markup once: no
    Markup.__new__ (a Python-level check per piece), no Markup + Markup
    (which escapes its right side anew), for a folder's articles once the
    stencils are known."""
    from conftest import ARTICLES
    from markupsafe import Markup

    from generator.channels.email import build_email
    from generator.config import Config
    from generator.readers import read_path

    articles = [read_path(p) for p in sorted(ARTICLES.iterdir()) if p.suffix in (".txt", ".md")]
    for article in articles:
        build_email(article, Config())
    calls: list[str] = []
    real_new, real_add, real_join = Markup.__new__, Markup.__add__, Markup.join

    def new(cls, base="", *args, **kwargs):
        calls.append("new")
        return real_new(cls, base, *args, **kwargs)

    def add(self, other):
        calls.append("add")
        return real_add(self, other)

    def join(self, seq):
        calls.append("join")
        return real_join(self, seq)

    monkeypatch.setattr(Markup, "__new__", new)
    monkeypatch.setattr(Markup, "__add__", add)
    monkeypatch.setattr(Markup, "join", join)
    for article in articles:
        build_email(article, Config())
    assert calls == []


def _oracle_width(text: str) -> int:
    """The documented rule, character by character: wide (W, F) two, a
    U+FE0F after a one-column character one more, combining marks, format
    characters and variation selectors none, the rest one."""
    import unicodedata

    width, last = 0, 0
    for c in text:
        if c == "\ufe0f" and last == 1:
            width, last = width + 1, 2
        elif unicodedata.category(c) in ("Mn", "Me", "Cf") or 0xFE00 <= ord(c) <= 0xFE0F:
            continue
        else:
            last = 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1
            width += last
    return width


def test_display_width_of_narrow_text_is_its_length_without_a_lookup(monkeypatch):
    """Every character the fast class takes is one column by the rule; text
    of them only (curly quotes, accents, Greek, Cyrillic) is measured
    without unicodedata; mixed text is measured as the rule says."""
    import random

    from generator.text import wrapping

    narrow = [chr(o) for o in range(0x110000) if wrapping._NARROW.fullmatch(chr(o))]
    assert len(narrow) > 1000
    for c in narrow:
        assert _oracle_width(c) == 1, ascii(c)
    rng = random.Random(11)
    others = ["\u00ad", "\u0301", "\u4e2d", "\U0001f600", "\ufe0f", "\u200d", "\u2764", "\u0378"]
    for _ in range(2000):
        text = "".join(rng.choice(narrow if rng.random() < 0.9 else others) for _ in range(20))
        assert wrapping.display_width(text) == _oracle_width(text), ascii(text)

    class NoLookups:
        def __getattr__(self, name):
            raise AssertionError(f"unicodedata.{name} used")

    monkeypatch.setattr(wrapping, "unicodedata", NoLookups())
    assert wrapping.display_width("\u201cCaf\u00e9\u201d \u2014 \u0394\u0436 \u20ac5") == 14


def test_the_text_part_walks_only_rich_text(monkeypatch, tmp_path):
    """A paragraph of plain text goes into the text part as it is: only
    text with inline structure is walked node by node."""
    from generator.channels.email import build_email
    from generator.channels.email import text as email_text
    from generator.config import Config
    from generator.readers import read_path

    walked: list[object] = recorded_calls(monkeypatch, email_text, "_inline")
    source = tmp_path / "a.md"
    source.write_text("# T\n\nPlain words here.\n\nSome *stressed* words.\n", encoding="utf-8")
    text = build_email(read_path(source), Config()).text
    assert "Plain words here.\n\nSome stressed words." in text
    assert walked and all("Plain" not in getattr(n, "text", "") for n in walked)


def test_the_preheader_goes_into_the_layouts_body_piece_without_searching_the_email(
    monkeypatch,
):
    """The hidden preheader is put after the <body> tag of the compiled
    layout's piece that holds it (found once per layout), not searched for
    in each whole email; the email is the one compiling it whole gives."""
    import dataclasses

    from conftest import SEED
    from htmlcheck import assert_same_email

    from generator.channels.email import build_email
    from generator.channels.email import html as email_html
    from generator.channels.email.parts import email_parts, html_attr
    from generator.config import Config
    from generator.readers import read_path

    article = dataclasses.replace(read_path(SEED), preheader="Read <this> & {{ that }}")
    build_email(article, Config())  # the layout compiled, its <body> piece found

    def refuse(html, preheader):
        raise AssertionError("the whole email searched for <body>")

    monkeypatch.setattr(email_html, "_insert_preheader", refuse)
    html = build_email(article, Config()).html
    monkeypatch.undo()
    parts = email_parts(article, Config())
    whole = email_html._render_html(parts, reuse_compiled=False)
    assert_same_email(html, whole, html_attr(parts.subject_raw))
    # (neutralized as plain text, with a zero-width space, then escaped)
    assert "Read &lt;\u200bthis&gt; &amp; &#123;\u200b&#123; that }}&zwnj;" in html


def test_the_body_tag_piece_is_found_only_where_no_field_could_begin_a_tag():
    from generator.channels.email.html import _body_tag_at

    head, body = '<html><title>', '</title></head><body class="x"><p>'
    assert _body_tag_at((head, body, "</p></body>"), ("subject", "title")) == (1, 31)
    # A field of blocks (HTML) before it, or a piece ending in the start of
    # "<body" before a field: the whole is searched instead.
    assert _body_tag_at((head, body, "</p>"), ("body", "title")) is None
    assert _body_tag_at(("<html><bo", "<body>"), ("title",)) is None
    assert _body_tag_at(("<html>", "</html>"), ("title",)) is None


def test_a_blocks_text_and_flags_go_into_its_stencil_key_without_the_walk(monkeypatch, tmp_path):
    """A paragraph's or heading's values (text, None, a tag name, a level)
    are read straight into the stencil's key; only lists and dicts (items,
    rows, FAQ entries) are walked."""
    from generator.channels.email import build_email
    from generator.channels.email import html as email_html
    from generator.config import Config
    from generator.readers import read_path

    source = tmp_path / "a.md"
    source.write_text(
        "# T\n\nOne paragraph.\n\n## A heading\n\nTwo *paragraphs*.\n\n### Sub\n\n- a\n- b\n",
        encoding="utf-8",
    )
    article = read_path(source)
    first = build_email(article, Config()).html
    walked: list[object] = recorded_calls(monkeypatch, email_html, "_slot")
    assert build_email(article, Config()).html == first
    # The list's items, and what is in them: nothing else.
    assert walked and all(type(v) is list or v in ("a", "b") for v in walked), walked


def test_the_text_parts_footer_is_made_once_per_config(monkeypatch):
    """The text part's footer (sender, address, why you get this, the
    unsubscribe and web-version lines) depends on the config alone: a
    second article's text part takes it as made for the first."""
    import dataclasses

    from conftest import SEED

    from generator.channels.email import build_email
    from generator.channels.email import text as email_text
    from generator.config import parse_config
    from generator.readers import read_path

    config = parse_config(
        '[sender]\nname = "Sender {{ Name }}"\naddress = "news@example.com"\n'
        '[email]\nesp = "generic"\nunsubscribe_url = "https://example.com/u"\n'
    )
    article = read_path(SEED)
    first = build_email(article, config).text
    assert "Sender {\u200b{ Name }}" in first and "https://example.com/u" in first
    seen: list[str] = recorded_calls(monkeypatch, email_text, "neutralize_text")
    second = build_email(dataclasses.replace(article, title="Other"), config).text
    assert "Sender {{ Name }}" not in seen and len(seen) == 1  # the article's text, once
    assert first.partition("\n-- \n")[2] == second.partition("\n-- \n")[2]


def test_an_email_of_a_known_config_hashes_no_config(monkeypatch):
    """The per-config parts and the sender headers are found by the Config
    object itself: a folder's next email and message hash no Config (every
    field, nested)."""
    import dataclasses
    import datetime as dt

    from conftest import SEED

    from generator.channels.email import build_email
    from generator.channels.email.eml import build_eml
    from generator.config import Config, parse_config
    from generator.readers import read_path

    config = parse_config('[sender]\nname = "The Ledger"\naddress = "news@example.com"\n')
    now = dt.datetime(2026, 3, 3, tzinfo=dt.UTC)
    article = read_path(SEED)

    def message(article):
        email = build_email(article, config)
        return build_eml(subject=email.subject, text=email.text, html=email.html,
                         config=config, now=now)  # fmt: skip

    first = message(article)
    hashed: list[object] = recorded_calls(monkeypatch, Config, "__hash__")
    assert message(article) == first
    message(dataclasses.replace(article, title="Another"))
    assert hashed == []
    # Another config is its own, looked up by value.
    other = dataclasses.replace(config, postal_address="2 Quay Street")
    assert "2 Quay Street" in build_email(article, other).text
    assert hashed
