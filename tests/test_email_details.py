"""Email details editors expect: the takeaways as a TL;DR, long quotes that
read on a phone, a "View in browser" link at the top, and a brand colour
refused for contrast with the shade that would pass."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from browser import ARTIFACTS, chromium_browser, offline_page
from conftest import ARTICLES, SEED

from generator.config import parse_config
from generator.errors import ConfigError
from generator.theme import themes

SAMPLES = sorted(p for p in ARTICLES.iterdir() if p.suffix in (".txt", ".md"))


@pytest.fixture(scope="module")
def browser():
    yield from chromium_browser()


def _email(cli, article: Path, *args: object, config: str | None = None, text: bool = False):
    """`masthead email` as a user runs it, from a folder holding `config`."""
    if config is not None:
        Path("masthead.toml").write_text(config, encoding="utf-8")
    run = cli("email", article, *args, *(["--text"] if text else []))
    assert run.exit_code == 0, run.stderr
    return run.stdout


# --- the takeaways box: top (a TL;DR under the dek) or bottom ------------------------

TAKEAWAYS_MD = """\
---
title: A Long Read About Ports
dek: Why the harbour moved, and what it means for the town.
{front}---

The harbour moved in 1987. {filler}

## The Move

{filler}

{filler}

## The Town

{filler}

## Key Takeaways

- The harbour moved for deeper water.
- The town kept its fish market.
"""
FILLER = "Ships grew and the old quay could not take them, so the port went east. " * 6

POSITIONS = """() => {
    const box = document.querySelector('td.mh-box').getBoundingClientRect();
    const h1 = document.querySelector('h1');
    const dek = [...h1.parentElement.querySelectorAll('p.mh-muted')]
        .filter(p => !p.classList.contains('mh-byline'))[0].getBoundingClientRect();
    const heading = [...document.querySelectorAll('.mh-body h2')]
        .filter(h => !h.closest('td.mh-box'))[0].getBoundingClientRect();
    return {box: box.top, dek: dek.bottom, heading: heading.top, width: innerWidth};
}"""


def _positions(browser, html: str, name: str) -> dict[str, float]:
    page = offline_page(browser, viewport={"width": 375, "height": 800})
    page.set_content(html, wait_until="load")
    found = page.evaluate(POSITIONS)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"takeaways-{name}-375.png"), full_page=True)
    page.close()
    return found


@pytest.mark.parametrize(
    ("case", "theme", "config", "front", "place"),
    [
        ("classic-default", "classic", "", "", "bottom"),
        ("digest-default", "digest", "", "", "top"),
        ("classic-config-top", "classic", '[email]\ntakeaways = "top"\n', "", "top"),
        ("digest-config-bottom", "digest", '[email]\ntakeaways = "bottom"\n', "", "bottom"),
        # The article's own word wins over the config's.
        ("classic-front-matter", "classic", '[email]\ntakeaways = "bottom"\n', "takeaways: Top\n", "top"),
        ("digest-front-matter", "digest", "", "takeaways: bottom\n", "bottom"),
    ],
)
def test_the_takeaways_box_goes_where_the_theme_config_or_article_says(
    cli, browser, tmp_path, case, theme, config, front, place
):
    """At 375 px, the box sits under the dek and above the first section
    heading (top), or below that heading, where the article has it (bottom)."""
    article = tmp_path / "ports.md"
    article.write_text(TAKEAWAYS_MD.format(front=front, filler=FILLER), encoding="utf-8")
    html = _email(cli, article, "--theme", theme, config=config)
    at = _positions(browser, html, case)
    assert at["width"] == 375
    if place == "top":
        assert at["dek"] <= at["box"] < at["heading"], at
    else:
        assert at["box"] > at["heading"], at
    text = _email(cli, article, "--theme", theme, text=True)
    takeaways, lead = text.index("Key Takeaways\n---"), text.index("The harbour moved in 1987")
    assert (takeaways < lead) == (place == "top")


def test_on_the_sample_the_tldr_is_thousands_of_pixels_higher(cli, browser, tmp_path):
    """the-great-ai-divorce on a phone: the box moves up by the article's length."""
    bottom = _positions(browser, _email(cli, SEED, "--theme", "classic"), "seed-bottom")
    top = _positions(browser, _email(cli, SEED, "--theme", "digest"), "seed-top")
    assert top["dek"] <= top["box"] < top["heading"]
    moved = bottom["box"] - top["box"]
    print(f"takeaways box: {bottom['box']:.0f} px (bottom) -> {top['box']:.0f} px (top)")
    assert moved > 2000


def test_a_takeaways_place_the_email_does_not_know_is_an_error_on_its_line(cli, tmp_path):
    article = tmp_path / "ports.md"
    article.write_text(TAKEAWAYS_MD.format(front="takeaways: middle\n", filler="x"))
    run = cli("email", article)
    assert run.exit_code == 1
    assert f"{article}:4:" in run.stderr and "'top' or 'bottom'" in run.stderr
    (tmp_path / "masthead.toml").write_text('[email]\ntakeaways = "first"\n')
    run = cli("email", SEED)
    assert run.exit_code == 1 and "masthead.toml:2:" in run.stderr
    assert "Traceback" not in run.stderr


# --- long quotes ----------------------------------------------------------------------

SHORT = "Short quotes stay large and italic."
LONG = (
    "A quote this long is a paragraph of someone else's words, and a dozen lines of large "
    "italics on a phone is hard going; set in the body's own type beside its rule, it reads "
    "as the rest of the article does, and the rule still says who is speaking here."
)
QUOTES_MD = f"---\ntitle: Quotes\n---\n\nIntro.\n\n> {SHORT}\n> — Ann\n\n> {LONG}\n> — Bo\n"


class _QuoteStyles(HTMLParser):
    """The inline style of each <p> whose text starts a quote, by its text."""

    def __init__(self, starts: tuple[str, ...]) -> None:
        super().__init__(convert_charrefs=True)
        self.starts, self.styles, self._style = starts, {}, None

    def handle_starttag(self, tag, attrs):
        if tag == "p":
            self._style = dict(attrs).get("style", "")

    def handle_data(self, data):
        for start in self.starts:
            if self._style is not None and data.startswith(start[:30]):
                self.styles[start] = self._style
        self._style = None


@pytest.mark.parametrize("theme", ["classic", "digest"])
def test_long_quotes_are_set_in_the_body_type_beside_the_rule(cli, browser, tmp_path, theme):
    assert len(SHORT) < 200 < len(LONG)
    article = tmp_path / "quotes.md"
    article.write_text(QUOTES_MD, encoding="utf-8")
    html = _email(cli, article, "--theme", theme)
    sizes = themes()[theme]
    parser = _QuoteStyles((SHORT, LONG))
    parser.feed(html)
    short, long = parser.styles[SHORT], parser.styles[LONG]
    assert "font-style:italic" in short and f"font-size:{sizes['quote_size']}px" in short
    assert "italic" not in long and f"font-size:{sizes['body_size']}px" in long

    page = offline_page(browser, viewport={"width": 375, "height": 800})
    page.set_content(html, wait_until="load")
    rendered = page.evaluate(
        """(starts) => starts.map(start => {
            const p = [...document.querySelectorAll('p')]
                .find(e => e.textContent.startsWith(start.slice(0, 30)));
            const s = getComputedStyle(p);
            const cell = getComputedStyle(p.closest('td'));
            return [s.fontStyle, parseFloat(s.fontSize), parseInt(s.fontWeight),
                    cell.borderLeftStyle, parseFloat(cell.borderLeftWidth)];
        })""",
        [SHORT, LONG],
    )
    page.screenshot(path=str(ARTIFACTS / f"quotes-{theme}-375.png"), full_page=True)
    page.close()
    assert rendered[0][:2] == ["italic", sizes["quote_size"]]
    assert rendered[1][:3] == ["normal", sizes["body_size"], 400]
    # Both keep the rule beside them.
    assert all(r[3] == "solid" and r[4] == 4 for r in rendered)


# --- "View in browser" at the top -----------------------------------------------------

WEB = "https://news.example.com/issues/latest/"


def _top_link(html: str) -> str | None:
    """The href of the first link in the email's body, when it is the
    web-version link above the header."""
    body = html[html.index("<body") :]
    first = re.search(r'<a href="([^"]*)"[^>]*>([^<]*)</a>', body)
    brand = body.index("mh-bar")  # the accent rule under the header
    if first and first.start() < brand and first.group(2) == "View in your browser":
        return first.group(1)
    return None


def test_view_in_browser_from_the_config_url(cli, tmp_path):
    html = _email(cli, SEED, config=f'[email]\nweb_version_url = "{WEB}"\n')
    assert _top_link(html) == WEB
    # Kit has no web-version tag: the config's page is used for it too.
    html = _email(cli, SEED, "--esp", "kit", config=f'[email]\nweb_version_url = "{WEB}"\n')
    assert _top_link(html) == WEB


@pytest.mark.parametrize(
    ("esp", "tag"),
    [("mailchimp", "*|ARCHIVE|*"), ("buttondown", "{{ email_url }}"), ("listmonk", "{{ MessageURL }}")],
)
def test_view_in_browser_is_the_esps_own_merge_tag(cli, tmp_path, esp, tag):
    html = _email(cli, SEED, "--esp", esp, config="")
    assert _top_link(html) == tag


def test_no_view_in_browser_without_a_web_version(cli, tmp_path):
    assert _top_link(_email(cli, SEED, config="")) is None
    assert _top_link(_email(cli, SEED, "--esp", "kit", config="")) is None
    assert "View in your browser" not in _email(cli, SEED, "--esp", "kit", config="")


def test_article_text_never_becomes_the_web_version_tag(cli, tmp_path):
    """Only Masthead places the tag: an article that spells it gets it inert."""
    article = tmp_path / "tag.md"
    article.write_text("---\ntitle: '*|ARCHIVE|*'\n---\n\nSee *|ARCHIVE|* and {{ email_url }}.\n")
    html = _email(cli, article, "--esp", "mailchimp", config="")
    assert html.count("*|ARCHIVE|*") == 2  # the top link and the footer's, ours
    assert _top_link(html) == "*|ARCHIVE|*"


# --- a brand colour refused for contrast: the shade that passes -----------------------


def _luminance(hex_colour: str) -> float:
    """WCAG 2 relative luminance, written out here rather than imported."""
    channels = []
    for i in (1, 3, 5):
        c = int(hex_colour[i : i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


def _ratio(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize(
    ("config", "key", "against"),
    [
        # Light: an orange accent on the white card (2.94:1), as brand.accent or theme.accent.
        ('[brand]\naccent = "#ff6600"\n', "brand.accent", ("card", "on_accent")),
        ('[theme]\naccent = "#ff6600"\n', "theme.accent", ("card", "on_accent")),
        ('[theme]\nname = "digest"\naccent = "#ff6600"\n', "theme.accent", ("card", "on_accent")),
        # Dark: a blue too dark for the dark card.
        ('[theme]\ndark_accent = "#1a56db"\n', "theme.dark_accent", ("dark_card",)),
    ],
)
def test_a_colour_refused_for_contrast_comes_with_the_shade_that_passes(config, key, against):
    with pytest.raises(ConfigError) as refused:
        parse_config(config)
    message = str(refused.value)
    found = re.search(rf'try {re.escape(key)} = "(#[0-9a-f]{{6}})"', message)
    assert found, message
    shade = found.group(1)
    name = "digest" if "digest" in config else "classic"
    for partner in against:
        assert _ratio(shade, themes()[name][partner]) >= 4.5, (shade, partner)
    # The same shade, lighter or darker only: its hue stays (within rounding).
    given = re.search(r"#[0-9a-f]{6}", config).group()
    assert _hue(shade) == pytest.approx(_hue(given), abs=2)
    # And the config with it passes the very check that refused it.
    field = key.split(".")[1]
    fixed = config.replace(re.search(rf'{field} = "#[0-9a-f]+"', config).group(), f'{field} = "{shade}"')
    assert parse_config(fixed)


def _hue(hex_colour: str) -> float:
    import colorsys

    r, g, b = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return colorsys.rgb_to_hls(r, g, b)[0] * 360


def test_the_suggestion_is_the_nearest_shade_not_any_that_passes():
    """A shade a little nearer the colour given would not pass."""
    with pytest.raises(ConfigError) as refused:
        parse_config('[brand]\naccent = "#ff6600"\n')
    shade = re.search(r'"(#[0-9a-f]{6})"', str(refused.value)).group(1)
    assert _ratio(shade, "#ffffff") >= 4.5
    nearer = "#" + "".join(
        f"{round(int(shade[i : i + 2], 16) * 0.97 + int('ff6600'[i - 1 : i + 1], 16) * 0.03):02x}"
        for i in (1, 3, 5)
    )
    assert _ratio(nearer, "#ffffff") < 4.5, (shade, nearer)


# --- size --------------------------------------------------------------------------------


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("theme", ["classic", "digest"])
def test_sample_emails_stay_under_40_kb(cli, tmp_path, sample, theme):
    """Gmail clips a message past about 100 KB; the budget is 40 KB, with
    the top link and both takeaways places."""
    html = _email(cli, sample, "--esp", "mailchimp", "--theme", theme, config="")
    size = len(html.encode("utf-8"))
    print(f"{sample.stem} {theme}: {size / 1024:.1f} KB")
    assert size < 40 * 1024
