"""The cache of compiled templates in the user's cache folder (issue 21).

A cold process that renders an email whose layout was compiled before
skips Jinja2's template compile and MJML's layout compile; whatever the
cache holds (nothing, something stale, damaged, a link, another user's
file), what a render writes is the same, byte for byte, and it holds no
article text. Renders run as the CLI does, in subprocesses, each with its
own cache folder.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PYTHON, SEED, subprocess_env

# Runs the CLI, then reports which of these modules the process imported.
_RUN = """
import atexit, runpy, sys
atexit.register(lambda: print("IMPORTED:" + ",".join(
    m for m in ("mjml", "jinja2") if m in sys.modules), file=sys.stderr))
sys.argv = ["masthead", *sys.argv[1:]]
runpy.run_module("generator", run_name="__main__", alter_sys=True)
"""


def _run(cache: Path | None, *args: str | Path) -> tuple[set[str], str]:
    env = subprocess_env(SOURCE_DATE_EPOCH="1767225600")
    env.pop("MASTHEAD_NO_TEMPLATE_CACHE", None)
    if cache is None:
        env["MASTHEAD_NO_TEMPLATE_CACHE"] = "1"
    else:
        env["MASTHEAD_CACHE_DIR"] = str(cache)
    done = subprocess.run(
        [*PYTHON, "-c", _RUN, *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    report, _, imported = done.stderr.rpartition("IMPORTED:")
    return set(filter(None, imported.strip().split(","))), report.strip()


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _render(tmp_path: Path, name: str, cache: Path | None, *extra: str | Path):
    out = tmp_path / name
    imported, report = _run(cache, "render", SEED, "-o", out, "-q", *extra)
    assert report == ""  # no warning, no error
    return _files(out), imported


@pytest.fixture(scope="module")
def uncached(tmp_path_factory) -> dict[str, bytes]:
    """What render writes with the cache off."""
    files, imported = _render(tmp_path_factory.mktemp("uncached"), "out", None)
    assert "mjml" in imported  # the layout was compiled
    return files


def test_a_warm_cache_skips_the_compile_and_writes_the_same_bytes(tmp_path, uncached):
    cache = tmp_path / "cache"
    first, imported = _render(tmp_path, "first", cache)
    assert "mjml" in imported and first == uncached
    assert any(cache.iterdir())
    second, imported = _render(tmp_path, "second", cache)
    # Nothing compiled: mjml-python is not even imported.
    assert "mjml" not in imported
    assert second == uncached


def test_the_email_command_with_a_warm_cache_imports_neither_jinja_nor_mjml(tmp_path):
    cache = tmp_path / "cache"
    out = [tmp_path / f"email-{n}.html" for n in range(3)]
    imported, _ = _run(None, "email", SEED, "-o", out[0])
    assert {"mjml", "jinja2"} <= imported
    _run(cache, "email", SEED, "-o", out[1])
    imported, _ = _run(cache, "email", SEED, "-o", out[2])
    assert imported == set()
    assert out[0].read_bytes() == out[1].read_bytes() == out[2].read_bytes()


def test_a_changed_theme_value_is_compiled_afresh(tmp_path):
    cache = tmp_path / "cache"
    _render(tmp_path, "warm", cache)
    config = tmp_path / "masthead.toml"
    config.write_text('[theme]\nname = "classic"\naccent = "#123456"\n', encoding="utf-8")
    cached, imported = _render(tmp_path, "accent", cache, "--config", config)
    assert "mjml" in imported  # a new layout: compiled, not taken from the cache
    uncached, _ = _render(tmp_path, "accent-uncached", None, "--config", config)
    assert cached == uncached
    assert any(b"#123456" in data for name, data in cached.items() if name.endswith(".html"))


def test_a_changed_template_is_compiled_afresh(tmp_path, monkeypatch):
    """A template edited in place (a checkout) is a new layout, in a new
    process as in the preview that reloads templates."""
    from generator import resources
    from generator.channels.email import build_email
    from generator.channels.email import html as email_html
    from generator.config import Config
    from generator.readers import read_path

    monkeypatch.setenv("MASTHEAD_CACHE_DIR", str(tmp_path / "cache"))
    templates = tmp_path / "templates"
    resources.cache_folder.cache_clear()
    real = resources.templates_dir()
    article = read_path(SEED)

    def fresh_process() -> str:
        resources.template_environment.cache_clear()
        email_html._STORES.clear()
        email_html._skeleton.cache_clear()
        return build_email(article, Config()).html

    try:
        import shutil

        shutil.copytree(real, templates)
        monkeypatch.setattr(resources, "templates_dir", lambda: templates)
        before = fresh_process()
        assert "mh-edited" not in before
        for name in ("base.mjml.j2", "blocks/paragraph.html.j2"):
            path = templates / "email" / name
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace("mh-page", "mh-page mh-edited").replace(
                "<p style=", '<p class="mh-edited" style='), encoding="utf-8")
        after = fresh_process()
        assert "mh-page mh-edited" in after
        assert '<p class="mh-edited"' in after
    finally:
        resources.cache_folder.cache_clear()
        resources.template_environment.cache_clear()
        email_html._STORES.clear()
        email_html._skeleton.cache_clear()


def _entries(cache: Path) -> list[Path]:
    return sorted(p for p in cache.iterdir() if p.is_file() and not p.name.startswith("."))


@pytest.mark.parametrize("damage", ["truncated", "flipped", "garbage", "empty"])
def test_a_damaged_cache_is_compiled_afresh_with_the_same_bytes(tmp_path, uncached, damage):
    cache = tmp_path / "cache"
    _render(tmp_path, "warm", cache)
    for path in _entries(cache):
        data = path.read_bytes()
        if damage == "truncated":
            data = data[: len(data) // 2]
        elif damage == "flipped":  # a byte of the layout changed, length kept
            middle = len(data) // 2
            data = data[:middle] + bytes([data[middle] ^ 0x20]) + data[middle + 1 :]
        elif damage == "garbage":
            data = os.urandom(len(data))
        else:
            data = b""
        path.write_bytes(data)
    files, imported = _render(tmp_path, "again", cache)
    assert "mjml" in imported  # not taken from the damaged entries
    assert files == uncached


def test_an_unusable_cache_folder_changes_nothing(tmp_path, uncached):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    files, _ = _render(tmp_path, "under-a-file", blocker / "cache")
    assert files == uncached
    # A folder others may write to is not trusted, read or written.
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    files, _ = _render(tmp_path, "out-shared", shared)
    assert files == uncached and list(shared.iterdir()) == []
    # One that cannot be written (as root it can: still the same bytes).
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        files, _ = _render(tmp_path, "out-locked", locked)
    finally:
        locked.chmod(0o700)
    assert files == uncached


def _forged(entry: Path, target: Path) -> None:
    """A well-formed entry whose layout says EVIL where the real one says
    mh-page: what a link or another user's file might hold."""
    data = entry.read_bytes()
    magic_end = data.index(b"\n") + 1
    payload = data[magic_end + 32 :].replace(b"mh-page", b"EVIL-page")
    assert b"EVIL" in payload
    seal = hashlib.sha256(entry.name.encode() + b"\0" + payload).digest()
    target.write_bytes(data[:magic_end] + seal + payload)


def _layout_entries(cache: Path) -> list[Path]:
    return [p for p in _entries(cache) if p.name.startswith("email-") and b"mh-page" in p.read_bytes()]


def test_a_linked_cache_entry_is_not_followed(tmp_path, uncached):
    cache = tmp_path / "cache"
    _render(tmp_path, "warm", cache)
    layouts = _layout_entries(cache)
    assert layouts
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for entry in layouts:
        target = elsewhere / entry.name
        _forged(entry, target)
        entry.unlink()
        entry.symlink_to(target)
    files, _ = _render(tmp_path, "again", cache)
    assert files == uncached
    assert not any(b"EVIL" in data for data in files.values())
    for entry in layouts:  # neither read nor written through
        assert b"EVIL" in (elsewhere / entry.name).read_bytes()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs chown")
def test_a_cache_entry_of_another_user_is_not_read(tmp_path, uncached):
    cache = tmp_path / "cache"
    _render(tmp_path, "warm", cache)
    for entry in _layout_entries(cache):
        _forged(entry, entry)
        os.chown(entry, 65534, -1)
    files, _ = _render(tmp_path, "again", cache)
    assert files == uncached


def test_the_cache_holds_no_article_text(tmp_path):
    cache = tmp_path / "cache"
    _render(tmp_path, "warm", cache)
    text = SEED.read_text(encoding="utf-8")
    # Runs of the article's own words: its title and pieces of each paragraph.
    phrases = {line.strip()[:24] for line in text.splitlines() if len(line.strip()) >= 24}
    phrases = {p for p in phrases if p.isascii()}
    assert len(phrases) > 10
    stored = b"".join(p.read_bytes() for p in _entries(cache))
    assert b"mh-page" in stored  # the layout is there
    found = [p for p in phrases if p.encode() in stored]
    assert found == []


def test_each_block_shape_is_rendered_once(monkeypatch):
    """A block template is rendered once per shape and layout, then the
    stencil serves: a second email of the same article renders none."""
    from generator.channels.email import build_email
    from generator.channels.email import html as email_html
    from generator.config import Config
    from generator.readers import read_path

    article = read_path(SEED)
    calls: list[str] = []
    render_block = email_html._render_block

    def spy(env, name, t, start, values):
        calls.append(name)
        return render_block(env, name, t, start, values)

    monkeypatch.setattr(email_html, "_render_block", spy)
    first = build_email(article, Config()).html
    calls.clear()
    assert build_email(article, Config()).html == first
    assert calls == []


def test_package_data_stamp_names_each_package():
    """The entry names carry the packages that make the HTML: an upgrade of
    one is a new entry."""
    from generator.channels.email import html as email_html

    stamp = email_html._code_stamp()
    names = [part[0] for part in stamp[3:]]
    assert names == ["jinja2", "markupsafe", "mjml"]
    assert all(part[1] for part in stamp[3:])  # their files were found
    assert sys.version in stamp


# --- per-article speed-ups that must not change a byte -------------------------------

_SUBJECT_CHARACTERS = "abc de\u00e9\u00fc\u4e2d\u6587\U0001f600\u0928\u0939 ,;-\u200d\u00a0"


def test_subject_encoded_words_are_the_standard_librarys():
    """eml's encoded words (counted as it goes) are the ones the standard
    library's Charset makes (which encodes every prefix anew)."""
    import random
    from email.charset import BASE64, Charset
    from email.header import Header

    from generator.channels.email.eml import _UTF8_BASE64

    reference = Charset("utf-8")
    reference.header_encoding = BASE64
    rng = random.Random(21)
    for _ in range(2000):
        size = rng.choice([1, 5, 20, 40, 60, 75, 80, 120, 200, 400])
        subject = " ".join("".join(rng.choice(_SUBJECT_CHARACTERS) for _ in range(size)).split())
        for width in (76, 30, 12):
            assert Header(subject, _UTF8_BASE64, maxlinelen=width).encode(linesep="\r\n") == (
                Header(subject, reference, maxlinelen=width).encode(linesep="\r\n")
            ), (subject, width)


def _greedy(text: str, width: int, first: str, rest: str) -> str:
    """Word by word: each word on the line when it fits, else on a new one."""
    words = [w for w in re.split(r"[\t\n\x0b\x0c\r ]+", text) if w]
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append((rest if lines else first) + word)
    return "\n".join(lines)


def test_fill_is_word_by_word_greedy_wrapping():
    import random

    from generator.text.wrapping import fill

    rng = random.Random(17)
    pieces = ["a", "b c", "  ", "\t", "\n", "\x0b\x0c\r", "\u00a0", "\u3000", "é", " "]
    for _ in range(20000):
        text = "".join(
            rng.choice(pieces) if rng.random() < 0.7 else "w" * rng.randint(1, 30)
            for _ in range(rng.randint(0, 60))
        )
        width = rng.choice([0, 1, 3, 10, 20, 72])
        first, rest = rng.choice(["", "- ", "x" * 12]), rng.choice(["", "    ", "x" * 25])
        assert fill(text, width, first, rest) == _greedy(text, width, first, rest)


def test_entries_swapped_between_names_are_compiled_afresh(tmp_path):
    """Each entry answers the question its name asks (a layout for these
    fields, these stencils for this theme). An entry restored or renamed
    under another's name is whole and well-formed; it must still not be used:
    it made an article lose its image or stop on an internal error."""
    samples = Path(__file__).resolve().parent.parent / "article"
    uncached = tmp_path / "uncached"
    _run(None, "render", samples, "-o", uncached, "-q")
    cache = tmp_path / "cache"
    _run(cache, "render", samples, "-o", tmp_path / "warm", "-q")
    email = [p for p in _entries(cache) if p.name.startswith("email-")]
    assert len(email) >= 2
    contents = [p.read_bytes() for p in email]
    for path, data in zip(email, contents[1:] + contents[:1], strict=True):
        path.write_bytes(data)  # every entry now sits under its neighbour's name
    _run(cache, "render", samples, "-o", tmp_path / "swapped", "-q")
    assert _files(tmp_path / "swapped") == _files(uncached)


def test_a_template_compiled_with_autoescape_is_not_used_without_it(tmp_path, monkeypatch):
    """Jinja checks a cached template against its source only; the same file
    compiled with and without autoescaping is different code."""
    from generator import resources

    monkeypatch.setenv("MASTHEAD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("MASTHEAD_NO_TEMPLATE_CACHE", raising=False)
    folder = tmp_path / "templates"
    (folder / "social").mkdir(parents=True)
    (folder / "social" / "t.j2").write_text("{{ value }}", encoding="utf-8")
    make = resources._environment.__wrapped__  # a new environment each time: no memory but the cache
    for clear in (resources.cache_folder, resources._bytecode_cache):
        clear.cache_clear()
    try:
        escaped = make("social", True, folder).get_template("t.j2")
        assert escaped.render(value="<b>") == "&lt;b&gt;"
        assert any(p.name.startswith("jinja-") for p in (tmp_path / "cache").iterdir())
        raw = make("social", False, folder).get_template("t.j2")
        assert raw.render(value="<b>") == "<b>"
        again = make("social", True, folder).get_template("t.j2")
        assert again.render(value="<b>") == "&lt;b&gt;"
    finally:
        for clear in (resources.cache_folder, resources._bytecode_cache):
            clear.cache_clear()
