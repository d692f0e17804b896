"""What a command's start-up imports: heavy libraries only where they are used.

Structural, not timed (issue 21): each test looks at `sys.modules` in a fresh
subprocess, so it fails when a module goes back to importing at the top what
it now imports only when needed. And the emoji data Masthead ships instead of
importing the `emoji` package is checked against that package, the authority.
"""

from __future__ import annotations

import json
import subprocess
import unicodedata
from pathlib import Path

import emoji
import pytest
from conftest import PYTHON, SEED, subprocess_env
from hypothesis import given
from hypothesis import strategies as st

from generator.text import emojis

# Runs `masthead ARGS` (argv[1:]) in this process and prints the names of
# the modules imported by then, as JSON, on the last line of stdout.
_RUN_AND_LIST = """
import json, runpy, sys
sys.argv = ["masthead", *sys.argv[1:]]
try:
    runpy.run_module("generator", run_name="__main__", alter_sys=True)
except SystemExit as exc:
    assert not exc.code, exc.code
print(json.dumps(sorted(sys.modules)))
"""


def modules_after(*args: str, cwd: str | None = None) -> set[str]:
    """The modules a fresh `masthead ARGS` has imported when it ends."""
    run = subprocess.run(
        [*PYTHON, "-c", _RUN_AND_LIST, *args],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        cwd=cwd,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    return set(json.loads(run.stdout.splitlines()[-1]))


def modules_after_import(module: str) -> set[str]:
    code = f"import json, sys, {module}; print(json.dumps(sorted(sys.modules)))"
    run = subprocess.run(
        [*PYTHON, "-c", code], capture_output=True, text=True, env=subprocess_env(), timeout=60
    )
    assert run.returncode == 0, run.stderr
    return set(json.loads(run.stdout))


# Imports MODULE (argv[1]) and prints, as JSON, [file, pattern] for every
# regular expression a module body compiled while it was imported.
_COMPILING_FILES = """
import json, re, sys
compiled_in = set()
original = re._compile
def compile_and_note(pattern, flags):
    frame = sys._getframe(1)
    while frame and frame.f_code.co_filename == re.__file__:
        frame = frame.f_back
    if frame is not None and frame.f_code.co_name == "<module>":
        compiled_in.add((frame.f_code.co_filename, str(pattern)))
    return original(pattern, flags)
re._compile = compile_and_note
__import__(sys.argv[1])
print(json.dumps(sorted(compiled_in)))
"""


def patterns_compiled_on_import(module: str) -> set[tuple[str, str]]:
    """(file, pattern) of every pattern compiled by a module body when
    `module` is imported in a fresh process."""
    run = subprocess.run(
        [*PYTHON, "-c", _COMPILING_FILES, module],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    return {(Path(f).as_posix(), p) for f, p in json.loads(run.stdout)}


# --- emoji --------------------------------------------------------------------


def test_the_shipped_code_points_are_the_emoji_packages():
    expected = {c for sequence in emoji.EMOJI_DATA for c in sequence}
    assert emojis.code_points() == expected


def test_every_shortcode_becomes_what_the_emoji_package_makes_it():
    names = {n for row in emoji.EMOJI_DATA.values() for n in (row["en"], *row.get("alias", ()))}
    text = " ".join(sorted(names))
    assert emojis.emojize(text) == emoji.emojize(text, language="alias")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "no colon at all",
        ":not_an_emoji: stays",
        ":tada::tada: :tada:tada: ::tada:: :tada",
        ":ｔａｄａ: in full-width letters",  # looked up in NFKC form
        ":keycap_#: :A_button_(blood_type): :flag_for_England:",
        ":TADA: :Tada: (names are case-sensitive)",
        "10:30:00 https://example.com/:tada:",
        ":a b: :\u200d: :\ufe0f: :😀:",
        ":ﷺ:",  # NFKC gives a name with spaces
    ],
)
def test_edge_cases_as_the_emoji_package(text):
    assert emojis.emojize(text) == emoji.emojize(text, language="alias")


_NAME_PIECES = st.sampled_from(
    [":", "::", " ", "tada", "thumbs", "_up", "+1", "-1", "flag", "_for_", "ｔａｄａ",
     "é", "\u0301", "(", ")", "#", "keycap", "・", "’", "A", "button", "smile", "x", "\n"]
)  # fmt: skip


@given(st.lists(_NAME_PIECES, max_size=12).map("".join))
def test_any_text_as_the_emoji_package(text):
    assert emojis.emojize(text) == emoji.emojize(text, language="alias")


def test_the_data_file_says_where_it_came_from():
    # A hand edit or a stale file shows here before it shows in a post.
    first = emojis.DATA.read_text(encoding="utf-8").splitlines()[0]
    assert f"`emoji` package {emoji.__version__}," in first


def test_a_shortcode_line_of_the_data_cannot_be_matched_across_lines():
    # Every line of the data file is one thing: no name holds a space or a
    # line break, and an emoji no line break (the lookup relies on both).
    for name, sequence in [
        (n, s)
        for s, row in emoji.EMOJI_DATA.items()
        for n in (row["en"], *row.get("alias", ()))
    ]:
        assert not any(c.isspace() for c in name), name
        assert "\n" not in sequence
        assert unicodedata.normalize("NFKC", name) == name, name


def test_rendering_imports_no_emoji_package(tmp_path):
    markdown = tmp_path / "party.md"
    markdown.write_text(
        "---\ntitle: \"A party :tada:\"\n---\n\nWe did it :rocket: and :+1: to that.\n",
        encoding="utf-8",
    )
    loaded = modules_after("render", str(SEED), str(markdown), "-o", str(tmp_path / "out"), "-q")
    assert "emoji" not in loaded
    assert "generator.text.emojis" in loaded  # it did meet shortcodes and emoji
    (email,) = [p for p in (tmp_path / "out").glob("*/email.html") if "party" in str(p)]
    assert "A party 🎉" in email.read_text(encoding="utf-8")


def test_the_emoji_module_imports_no_emoji_package():
    assert "emoji" not in modules_after_import("generator.text.emojis")


# --- config -----------------------------------------------------------------------


def test_importing_the_config_imports_nothing_only_reading_a_file_needs():
    # Every command imports generator.config (`--help` too, for CONFIG_NAME);
    # the TOML parser, the templates' resources (jinja2), the article model
    # and the text rules come in only when a config file is read.
    loaded = modules_after_import("generator.config")
    heavy = {
        "tomllib",
        "jinja2",
        "emoji",
        "generator.resources",
        "generator.model",
        "generator.language",
        "generator.text.sanitize",
        "generator.text.urls",
    }
    assert loaded & heavy == set()


def test_reading_a_config_file_still_knows_every_key():
    # The [labels] rows join the schema when a file is first read.
    code = (
        "from generator.config import parse_config\n"
        "c = parse_config('[labels]\\nread_online = \"Read it\"\\n[email]\\nesp = \"kit\"\\n')\n"
        "print(dict(c.labels)['read_online'], c.email.esp)"
    )
    run = subprocess.run(
        [*PYTHON, "-c", code], capture_output=True, text=True, env=subprocess_env(), timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["Read", "it", "kit"]


def test_a_valid_config_is_read_without_searching_for_its_keys_lines(monkeypatch):
    # The line of a key is for an error message; the search compiles
    # patterns made of the key's name.
    from generator import config

    searched = []
    real = config._line_of
    monkeypatch.setattr(config, "_line_of", lambda *a: searched.append(a) or real(*a))
    text = 'site_url = "https://news.example.com/"\n[brand]\nname = "The Ledger"\n[utm]\nenabled = true\n'
    assert config.parse_config(text).brand.name == "The Ledger"
    assert searched == []
    with pytest.raises(config.ConfigError) as error:
        config.parse_config(text + "[feed]\nmax_items = -1\n")
    assert error.value.line == 7
    assert searched == [(text + "[feed]\nmax_items = -1\n", "max_items", "feed")]


def test_importing_the_config_compiles_no_pattern():
    compiled = patterns_compiled_on_import("generator.config")
    assert [p for f, p in compiled if f.endswith("generator/config.py")] == []


# --- text ---------------------------------------------------------------------------


def test_rare_patterns_are_compiled_when_first_needed():
    # terminal.py is imported by every command's start, for error messages;
    # sanitize.py splits text on bidi controls only when it holds one.
    compiled = patterns_compiled_on_import("generator.text.terminal")
    assert [p for f, p in compiled if f.endswith("generator/text/terminal.py")] == []
    compiled = patterns_compiled_on_import("generator.text.sanitize")
    assert "([\u202a-\u202e\u2066-\u2069\n])" not in {p for f, p in compiled}
    assert [f for f, p in compiled if f.endswith("generator/text/sanitize.py")]  # the others
    # What they are for still works.
    from generator.text import sanitize, terminal

    assert terminal.printable("a\x1b[2Jb\u202e") == "a\\x1b[2Jb\\u202e"
    assert sanitize.balanced_bidi("\u2067\u05e9\u202e\nx") == "\u2067\u05e9\u2069\nx"


# --- esp ------------------------------------------------------------------------------

# Runs `masthead ARGS` in this process and prints, as JSON, every pattern
# `re` compiled meanwhile.
_RUN_AND_LIST_PATTERNS = """
import json, re, runpy, sys
compiled = set()
original = re._compile
def compile_and_note(pattern, flags):
    compiled.add(str(pattern))
    return original(pattern, flags)
re._compile = compile_and_note
sys.argv = ["masthead", *sys.argv[1:]]
try:
    runpy.run_module("generator", run_name="__main__", alter_sys=True)
except SystemExit as exc:
    assert not exc.code, exc.code
print(json.dumps(sorted(compiled)))
"""


def test_a_render_compiles_no_merge_tag_pattern(tmp_path):
    # The ESPs' merge-tag patterns are for checking output (the tests' "no
    # tag survives"); a render only reads the ESP's footer tags.
    import tomllib

    import generator

    table = tomllib.loads((Path(generator.__file__).parent / "esp.toml").read_text("utf-8"))
    tag_patterns = {p for row in table.values() for p in row["patterns"]}
    assert len(tag_patterns) >= 10
    run = subprocess.run(
        [*PYTHON, "-c", _RUN_AND_LIST_PATTERNS, "render", str(SEED), "-o", str(tmp_path), "-q"],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert list(tmp_path.glob("*/email.html"))  # the email was made
    assert tag_patterns & set(json.loads(run.stdout.splitlines()[-1])) == set()
    # Asked for, they are there.
    from generator.esp import esps

    assert {p.pattern for esp in esps().values() for p in esp.patterns} == tag_patterns


# --- data tables -----------------------------------------------------------------------


def test_the_shipped_tables_are_tomllibs_parse_of_the_data_files():
    # The oracle is tomllib on the file as it is now; repr compares the
    # order of keys and the types (a list is not a tuple, 1 is not 1.0) too.
    import hashlib
    import tomllib

    from generator import _tables, resources

    package = Path(resources.__file__).parent
    assert sorted(p.name for p in package.glob("*.toml")) == sorted(resources.DATA_FILES)
    assert sorted(_tables.TABLES) == sorted(resources.DATA_FILES)
    for name in resources.DATA_FILES:
        data = (package / name).read_bytes()
        digest, table = _tables.TABLES[name]
        stale = f"{name} changed since generator/_tables.py was written: run `python -m generator.resources`"
        assert digest == hashlib.sha256(data).hexdigest(), stale
        assert repr(table) == repr(tomllib.loads(data.decode("utf-8"))), stale
        assert resources.data_table(name) is table  # the copy is what a run uses


def test_an_edited_data_file_is_parsed_not_served_stale(tmp_path, monkeypatch):
    # A data file edited after the copy was written (no regeneration) is
    # read as it now is: the copy's hash no longer matches.
    from generator import resources

    package = Path(resources.__file__).parent
    for name in resources.DATA_FILES:
        (tmp_path / name).write_bytes((package / name).read_bytes())
    edited = (package / "platforms.toml").read_text(encoding="utf-8")
    assert "limit = 280\n" in edited
    (tmp_path / "platforms.toml").write_text(edited.replace("limit = 280\n", "limit = 281\n"))
    monkeypatch.setattr(resources, "_PACKAGE", tmp_path)
    assert resources.data_table.__wrapped__("platforms.toml")["x"]["limit"] == 281
    assert resources.data_table.__wrapped__("esp.toml") == resources.data_table("esp.toml")


def test_a_render_without_a_config_parses_no_toml(tmp_path):
    # The data tables come from the shipped copies, and the sidecar reader
    # imports tomllib only for a sidecar.
    out = tmp_path / "out"
    loaded = modules_after("render", str(SEED), "-o", str(out), "-q", cwd=str(tmp_path))
    assert list(out.glob("*/email.html"))  # it did render
    assert "generator._tables" in loaded
    assert not {m for m in loaded if m == "tomllib" or m.startswith("tomllib.")}


# --- readers ------------------------------------------------------------------------------


def test_an_article_whose_file_name_is_a_slug_imports_no_slugify(tmp_path):
    # Such a name is its own slug; slugify (whose import compiles a dozen
    # patterns) is for the others.
    out = tmp_path / "out"
    loaded = modules_after("render", str(SEED), "-o", str(out), "-q", cwd=str(tmp_path))
    assert (out / SEED.stem / "email.html").is_file()
    assert "slugify" not in loaded
    odd = tmp_path / "Odd Name.txt"
    odd.write_bytes(SEED.read_bytes())
    loaded = modules_after("render", str(odd), "-o", str(out), "-q", cwd=str(tmp_path))
    assert (out / "odd-name" / "email.html").is_file()
    assert "slugify" in loaded


_NAME_CHARACTERS = st.text(st.sampled_from("abz09_-_--"), min_size=1, max_size=90)


@given(st.one_of(_NAME_CHARACTERS, st.text(st.sampled_from("aZ9_- .é"), max_size=90)))
def test_a_snake_case_name_is_slugged_as_slugify_slugs_it(name):
    from slugify import slugify

    from generator.readers import base

    assert base._slug(name) == slugify(name, max_length=80, word_boundary=True)


def test_an_article_named_in_snake_case_imports_no_slugify(tmp_path):
    snake = tmp_path / "2024_01__report-.txt"
    snake.write_bytes(SEED.read_bytes())
    out = tmp_path / "out"
    loaded = modules_after("render", str(snake), "-o", str(out), "-q", cwd=str(tmp_path))
    assert (out / "2024-01-report" / "email.html").is_file()
    assert "slugify" not in loaded


# --- text ---------------------------------------------------------------------------------

_ESCAPABLE = st.text(st.sampled_from("&<>\"' a;#x\u00e9\u202e\n"), max_size=30)


@given(_ESCAPABLE)
def test_escape_text_is_the_stdlibs_escape_without_quotes(text):
    import html

    from generator.text.html import escape_text

    assert escape_text(text) == html.escape(text, quote=False)


def test_a_render_imports_no_html_entities_table(tmp_path):
    # The stdlib `html` module loads html.entities (unescaping's table).
    out = tmp_path / "out"
    loaded = modules_after("render", str(SEED), "-o", str(out), "-q", cwd=str(tmp_path))
    assert list(out.glob("*/email.html"))
    assert "generator.text.html" in loaded
    assert {"html", "html.entities"} & loaded == set()


# --- render -----------------------------------------------------------------------------


def test_a_one_process_render_imports_no_pool(tmp_path):
    # One article (or --jobs 1) is rendered in this process: the process pool
    # (multiprocessing, concurrent.futures, their logging and pickling) and
    # ctypes (a pool worker's parent-death signal) are not needed.
    out = tmp_path / "out"
    loaded = modules_after("render", str(SEED), "-o", str(out), "-q", cwd=str(tmp_path))
    assert list(out.glob("*/email.html"))
    pool = {"multiprocessing", "concurrent", "ctypes", "logging"}
    assert {m for m in loaded if m.split(".")[0] in pool} == set()


def test_a_render_of_unchanged_articles_imports_no_counting(tmp_path):
    # Knowing the platforms (their names, the default list) needs no
    # counter; the counters' patterns and the regex module are for threads.
    out = tmp_path / "out"
    first = modules_after("render", str(SEED), "-o", str(out), "-q", cwd=str(tmp_path))
    assert {"generator.text.counting", "regex"} <= first  # a thread was written
    again = modules_after("render", str(SEED), "-o", str(out), "-q", cwd=str(tmp_path))
    assert {"generator.text.counting", "regex", "generator.channels.thread"} & again == set()
    assert "generator.platforms" in again
