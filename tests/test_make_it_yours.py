"""Themes, template overrides, labels in the reader's language, right-to-left."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from conftest import ARTICLES, SEED
from htmlcheck import Page

from generator.channels.email import build_email
from generator.channels.thread import build_thread
from generator.config import parse_config
from generator.language import labels_for
from generator.model import FAQ, ListBlock, Paragraph, Quote
from generator.platforms import platforms
from generator.readers import read_path
from generator.text.headings import is_takeaways

DATED = ARTICLES / "small-newsrooms-bet-on-newsletters.txt"


def config(text: str = "", tmp_path=None):
    if tmp_path is not None:
        (tmp_path / "masthead.toml").write_text(text, encoding="utf-8")
        from generator.config import load_config

        return load_config(tmp_path / "masthead.toml")
    return parse_config(text)


def visible_blocks_in_order(article, html: str) -> None:
    visible = Page(html).visible
    position = 0
    for block in article.blocks():
        pieces = []
        match block:
            case Paragraph(text=text):
                pieces = [text.plain_text]
            case ListBlock(items=items):
                pieces = [i.plain_text for i in items]
            case Quote(text=text):
                pieces = [text.plain_text]
            case FAQ(items=items):
                pieces = [i.question.plain_text for i in items]
        for piece in pieces:
            found = visible.find(" ".join(piece.split()), position)
            assert found >= 0, piece[:50]
            position = found


@pytest.mark.parametrize("theme", ["classic", "digest"])
def test_built_in_themes(cli, theme):
    html = cli("email", SEED, "--theme", theme).stdout
    accent = {"classic": "#1a56db", "digest": "#0f766e"}[theme]
    title = {"classic": "font-size:32px", "digest": "font-size:24px"}[theme]
    assert accent in html and title in html
    article = read_path(SEED)
    if theme == "digest":  # a digest sets the takeaways box first, under the dek
        first = [s for s in article.sections if is_takeaways(s.heading)]
        article = dataclasses.replace(
            article,
            lead=(*(b for s in first for b in s.blocks), *article.lead),
            sections=tuple(s for s in article.sections if s not in first),
        )
    visible_blocks_in_order(article, html)
    assert len(Page(html).all("h1")) == 1


def test_theme_from_config_and_custom_colours(cli, tmp_path):
    (tmp_path / "masthead.toml").write_text(
        '[brand]\nname = "The Ledger"\nlogo_url = "https://news.example.com/logo.png"\n'
        'logo_width = 120\nlogo_alt = "The Ledger logo"\n'
        '[theme]\nname = "digest"\naccent = "#b42318"\ntext = "#101828"\ncard = "#fffdf7"\n'
        'page = "#f2efe6"\ndark_accent = "#f97066"\nfont = "Georgia, serif"\nheader = "center"\n'
        'footer_text = "Written and edited in Portsmouth."\n'
        'social = [{ name = "Mastodon", url = "https://mastodon.social/@ledger" }]\n',
        encoding="utf-8",
    )
    html = cli("email", SEED).stdout
    for value in ("#b42318", "#101828", "#fffdf7", "#f2efe6", "#f97066", "font-family:Georgia"):
        assert value in html, value
    page = Page(html)
    logo = [img for img in page.all("img") if "logo.png" in img["src"]]
    assert logo and logo[0]["alt"] == "The Ledger logo" and logo[0]["width"] == "120"
    assert "Written and edited in Portsmouth." in page.visible
    assert {"href": "https://mastodon.social/@ledger"}.items() <= next(
        a for a in page.all("a") if "mastodon" in a["href"]
    ).items()
    # --theme overrides the config's theme name, not its colours.
    assert "#b42318" in cli("email", SEED, "--theme", "classic").stdout


@pytest.mark.parametrize(
    ("toml", "keys"),
    [
        ('[theme]\ntext = "#aaaaaa"\n', "theme.text"),
        ('[theme]\ncard = "#333333"\n', "theme.card"),
        ('[brand]\naccent = "#ffd400"\n', "brand.accent"),
        ('[theme]\ndark_accent = "#333399"\n', "theme.dark_accent"),
    ],
)
def test_low_contrast_theme_is_a_clear_config_error(cli, tmp_path, toml, keys):
    (tmp_path / "masthead.toml").write_text(toml, encoding="utf-8")
    run = cli("email", SEED)
    assert run.exit_code == 1
    line = run.stderr.strip()
    assert line.startswith("error: ") and "masthead.toml:2:" in line
    assert keys in line and "WCAG AA" in line and "4.5:1" in line


def test_template_override_shadows_file_by_file(cli, tmp_path):
    assert cli("init", tmp_path, "--templates").exit_code == 0
    paragraph = tmp_path / "templates" / "email" / "blocks" / "paragraph.html.j2"
    paragraph.write_text(
        '<p class="house-style" style="margin:0 0 {{ t.gap }}px;">{{ text }}</p>\n',
        encoding="utf-8",
    )
    hook = tmp_path / "templates" / "social" / "thread.j2"
    hook.write_text(
        hook.read_text(encoding="utf-8").replace(
            '{% macro hook(title, fact="") -%}\n', '{% macro hook(title, fact="") -%}\nNEW: '
        ),
        encoding="utf-8",
    )
    # Only what was changed differs: delete the rest, the built-ins fill in.
    (tmp_path / "templates" / "email" / "base.mjml.j2").unlink()
    html = cli("email", SEED).stdout
    assert 'class="house-style"' in html or "class=house-style" in html
    assert "Key Takeaways" in Page(html).visible
    posts = cli("thread", SEED, "-p", "mastodon").stdout
    assert posts.startswith("NEW: The Great AI Divorce")


def test_init_templates_refuses_to_overwrite(cli, tmp_path):
    assert cli("init", tmp_path, "--templates").exit_code == 0
    run = cli("init", tmp_path, "--templates")
    assert run.exit_code == 1 and "--force" in run.stderr
    assert cli("init", tmp_path, "--templates", "--force").exit_code == 0


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("{% if %}\n", "paragraph.html.j2:1:"),
        ("<p>\n{{ nothing_here }}</p>\n", "paragraph.html.j2:2:"),
    ],
)
def test_broken_override_names_the_template_and_line(cli, tmp_path, body, fragment):
    override = tmp_path / "mine" / "email" / "blocks"
    override.mkdir(parents=True)
    (override / "paragraph.html.j2").write_text(body, encoding="utf-8")
    (tmp_path / "masthead.toml").write_text('templates = "mine"\n', encoding="utf-8")
    run = cli("email", SEED)
    assert run.exit_code == 1
    assert "Traceback" not in run.stderr
    line = run.stderr.strip()
    assert line.startswith("error: ") and fragment in line and "template error" in line


def test_an_override_that_breaks_the_mjml_names_the_templates_folder(cli, tmp_path):
    assert cli("init", tmp_path, "--templates").exit_code == 0
    base = tmp_path / "templates" / "email" / "base.mjml.j2"
    base.write_text(base.read_text(encoding="utf-8") + "<mj-bogus>\n", encoding="utf-8")
    (tmp_path / "masthead.toml").write_text('templates = "templates"\n', encoding="utf-8")
    run = cli("email", SEED, "--config", tmp_path / "masthead.toml")
    assert run.exit_code == 1
    line = run.stderr.strip()
    assert "Traceback" not in line and "internal error" not in line
    assert line.startswith(f"error: {tmp_path / 'templates'}: the email templates here do not")


LABEL_CASES = {
    "de": ("Online lesen", "Abmelden", "Im Browser ansehen", "3. März 2026", "6 Min. Lesezeit"),
    "ja": ("オンラインで読む", "配信停止", "ブラウザで表示", "2026年3月3日", "6分で読めます"),
    "fr": ("Lire en ligne", "Se désabonner", "Afficher dans le navigateur", "3 mars 2026"),
    "es": ("Leer en línea", "Darse de baja", "Ver en el navegador", "3 de marzo de 2026"),
}


@pytest.mark.parametrize("lang", list(LABEL_CASES))
@pytest.mark.parametrize("theme", ["classic", "digest"])
def test_email_in_the_readers_language(lang, theme):
    cfg = parse_config(
        f'lang = "{lang}"\nsite_url = "https://news.example.com"\n'
        '[email]\nunsubscribe_url = "https://news.example.com/u"\n'
        'web_version_url = "https://news.example.com/w"\n'
    )
    article = read_path(DATED, lang=lang)
    message = build_email(article, cfg, theme=theme)
    visible = Page(message.html).visible.replace("\xa0", " ")
    text = message.text.replace("\xa0", " ")
    for word in LABEL_CASES[lang]:
        assert word in visible, word
        assert word in text, word
    assert Page(message.html).all("html")[0]["lang"] == lang
    english = labels_for("en")
    local = labels_for(lang)
    for key, value in english.items():
        if local[key] == value or key in ("and", "thread_marker"):
            continue  # the same in both ("Links" in German), or a word the content uses
        words = value.replace("{n}", "").replace("{brand}", "").strip()
        assert words not in visible, f"English '{words}' left in a {lang} email"
        assert words not in text, f"English '{words}' left in a {lang} text part"
    visible_blocks_in_order(article, message.html)
    assert "Priya Raman" in visible and " and Tom" not in visible


@pytest.mark.parametrize("lang", ["de", "ja"])
def test_threads_in_the_readers_language(lang):
    cfg = parse_config(f'lang = "{lang}"\nsite_url = "https://news.example.com"\n')
    article = read_path(DATED, lang=lang)
    for key, rules in platforms().items():
        thread = build_thread(article, key, cfg)
        assert all(rules.fits(p.text) for p in thread.posts)
        assert "Read more" not in thread.posts[-1].text
        assert labels_for(lang)["read_more"] in thread.posts[-1].text


def test_labels_overridden_in_config(cli, tmp_path):
    (tmp_path / "masthead.toml").write_text(
        'site_url = "https://news.example.com"\n[labels]\nread_online = "Read the whole story"\n'
        'read_more = "Keep reading"\n',
        encoding="utf-8",
    )
    assert "Read the whole story" in Page(cli("email", SEED).stdout).visible
    assert "Keep reading, 5 min read: https://" in cli("thread", SEED).stdout


def test_right_to_left(cli, tmp_path):
    (tmp_path / "masthead.toml").write_text(
        'site_url = "https://news.example.com"\n', encoding="utf-8"
    )
    article = ARTICLES.parent / "tests" / "hostile" / "cjk_rtl.md"
    html = cli("email", article).stdout
    root = Page(html).all("html")[0]
    assert root["dir"] == "rtl" and root["lang"] == "ar"
    assert "اقرأ على الإنترنت" in Page(html).visible
    item = ET.fromstring(cli("rss", article).stdout)
    content = item.findtext("{http://purl.org/rss/1.0/modules/content/}encoded")
    assert content.startswith('<div dir="rtl" lang="ar">')


def test_language_without_labels_falls_back_and_check_warns(cli, tmp_path):
    article = tmp_path / "post.md"
    article.write_text("---\ntitle: Olá\nlang: pt\n---\nTexto.\n", encoding="utf-8")
    (tmp_path / "masthead.toml").write_text(
        'site_url = "https://news.example.com"\n', encoding="utf-8"
    )
    assert "Read online" in Page(cli("email", article).stdout).visible
    data = cli("check", article, "-f", "json").json()
    assert "no-labels" in {f["rule"] for f in data["findings"]}


def test_render_uses_theme_and_rerenders_on_override_change(cli, tmp_path):
    src = tmp_path / "src"
    shutil.copytree(ARTICLES, src)
    (tmp_path / "masthead.toml").write_text('templates = "mine"\n', encoding="utf-8")
    (tmp_path / "mine").mkdir()  # empty: every built-in template still applies
    out = tmp_path / "out"
    run = cli("render", src, "-o", out, "--theme", "digest")
    assert run.exit_code == 0, run.stderr
    assert "#0f766e" in (out / "the-great-ai-divorce" / "email.html").read_text(encoding="utf-8")
    assert "0 rendered" in cli("render", src, "-o", out, "--theme", "digest").stdout
    blocks = tmp_path / "mine" / "email" / "blocks"
    blocks.mkdir(parents=True)
    (blocks / "paragraph.html.j2").write_text("<p data-x>{{ text }}</p>\n", encoding="utf-8")
    run = cli("render", src, "-o", out, "--theme", "digest")
    assert "4 rendered" in run.stdout
    json.loads((out / "the-great-ai-divorce" / "thread.json").read_text(encoding="utf-8"))


def test_edited_override_is_compiled_afresh_despite_the_template_cache(cli, tmp_path):
    """Compiled templates are cached between runs; an edit to an override
    must still show in the next run, not the cached version."""
    override = tmp_path / "mine" / "email" / "blocks"
    override.mkdir(parents=True)
    (tmp_path / "masthead.toml").write_text('templates = "mine"\n', encoding="utf-8")
    block = override / "paragraph.html.j2"
    for marker in ("FIRST-VERSION", "SECOND-VERSION"):
        block.write_text(f"<p>{marker} {{{{ text }}}}</p>\n", encoding="utf-8")
        code = (
            "import sys\n"
            "from generator.cli import main\n"
            f"sys.argv = ['masthead', 'email', {str(SEED)!r}]\n"
            "main()\n"
        )
        run = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path
        )
        assert marker in run.stdout, run.stderr


def test_templates_copied_before_new_macros_still_work(cli, tmp_path):
    """A thread.j2 without the `points` macro and a linkedin.j2 whose `post`
    has no `intro` argument (copies made by an older `init --templates`)
    still give whole threads: one post per list item, the long dek kept."""
    social = tmp_path / "mine" / "social"
    social.mkdir(parents=True)
    from generator.resources import templates_dir

    thread = (templates_dir() / "social" / "thread.j2").read_text(encoding="utf-8")
    start = thread.index("{#- A list of two or more items")
    end = thread.index("{% macro quote(")
    (social / "thread.j2").write_text(thread[:start] + thread[end:], encoding="utf-8")
    linkedin = (templates_dir() / "social" / "linkedin.j2").read_text(encoding="utf-8")
    old_signature = linkedin.replace(', intro="", groups=[])', ")")
    assert old_signature != linkedin
    linkedin = old_signature.replace("{%- if intro %}", "{%- if false %}").replace(
        "{%- for group in groups %}", "{%- for group in [] %}"
    )
    (social / "linkedin.j2").write_text(linkedin, encoding="utf-8")
    (tmp_path / "masthead.toml").write_text('templates = "mine"\n', encoding="utf-8")
    stack = ARTICLES / "newsletter-stack-2026.md"
    run = cli("thread", stack, "--platform", "x")
    assert run.exit_code == 0, run.stderr
    assert "📌 The email was pasted from a Google Doc." in run.stdout
    run = cli("thread", SEED, "--platform", "linkedin")
    assert run.exit_code == 0, run.stderr
    assert read_dek() in run.stdout
    run = cli("thread", stack, "--platform", "linkedin")
    assert run.exit_code == 0, run.stderr
    assert "🔹 The email was pasted from a Google Doc." in run.stdout


def read_dek() -> str:
    from generator.readers import read_path

    return read_path(SEED).dek or ""


def test_brand_accent_carries_into_dark_mode_lightened(cli, tmp_path):
    """The design brief: in dark mode the accent is lightened to keep 4.5:1,
    not replaced by the theme's own blue."""
    from generator.config import parse_config
    from generator.theme import contrast, themes

    (tmp_path / "masthead.toml").write_text('[brand]\naccent = "#b45309"\n', encoding="utf-8")
    theme = parse_config('[brand]\naccent = "#b45309"\n').resolved_theme()
    dark = theme["dark_accent"]
    assert dark != themes()["classic"]["dark_accent"]
    assert contrast(dark, theme["dark_card"]) >= 4.5 and contrast(dark, theme["dark_box"]) >= 4.5
    red, green, blue = (int(dark[i : i + 2], 16) for i in (1, 3, 5))
    assert red > green > blue  # still amber, lighter
    html = cli("email", SEED).stdout
    dark_css = html[html.index("prefers-color-scheme: dark") :]
    assert dark in dark_css and "#8ab4f8" not in dark_css
    # A dark accent set in the config is used as it is.
    chosen = parse_config('[brand]\naccent = "#b45309"\n[theme]\ndark_accent = "#fbbf24"\n')
    assert chosen.resolved_theme()["dark_accent"] == "#fbbf24"


@pytest.mark.parametrize("accent", ["#e11d48", "#0f766e", "#000000", "#b45309", "#1a56db"])
def test_a_lightened_dark_accent_reads_on_the_card_and_in_the_box(accent):
    from generator.config import parse_config
    from generator.theme import contrast

    theme = parse_config(f'[brand]\naccent = "{accent}"\n').resolved_theme()
    assert contrast(theme["dark_accent"], theme["dark_card"]) >= 4.5
    assert contrast(theme["dark_accent"], theme["dark_box"]) >= 4.5


def test_a_dark_accent_too_dim_for_the_takeaways_box_is_a_check_warning(cli, tmp_path):
    # #527cf8 reads on the dark card (4.5:1) but not on the box tinted with it.
    config = tmp_path / "masthead.toml"
    config.write_text('[theme]\ndark_accent = "#527cf8"\n', encoding="utf-8")
    run = cli("check", SEED, "--config", config, "--format", "json")
    found = [f for f in run.json()["findings"] if f["rule"] == "low-contrast"]
    assert [f["severity"] for f in found] == ["warning"]
    assert "dark_accent #527cf8 on dark_box" in found[0]["message"]
    assert cli("email", SEED, "--config", config).exit_code == 0  # still renders
    config.write_text("", encoding="utf-8")
    run = cli("check", SEED, "--config", config, "--format", "json")
    assert not [f for f in run.json()["findings"] if f["rule"] == "low-contrast"]


def test_a_templates_folder_that_does_not_exist_is_a_config_error(cli, tmp_path):
    (tmp_path / "masthead.toml").write_text('lang = "en"\ntemplates = "mnie"\n', encoding="utf-8")
    run = cli("email", SEED, "--config", tmp_path / "masthead.toml")
    assert run.exit_code == 1
    assert "masthead.toml:2: templates: no such folder" in run.stderr
