"""Holes found by the third attack pass, each shut and pinned through the
real command: control characters made by YAML and TOML escapes, terminal
escapes in what Masthead prints, YAML's `!!binary` and `!!set`, bidi
overrides in image alt text, control characters in the sender's address,
an endless standard input, and `*.localhost` names."""

from __future__ import annotations

import email
import email.policy
import json
import subprocess
import unicodedata
from pathlib import Path

import pytest
from conftest import MASTHEAD, subprocess_env, yaml_string
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.errors import ReaderError
from generator.readers import read_bytes

# Generous: each command starts Python and imports Masthead on a shared
# machine; a hang (what some of these guard against) never ends at all.
TIMEOUT = 60


def masthead(
    *args: object, cwd: Path, stdin: bytes | None = None, timeout: float = TIMEOUT
) -> subprocess.CompletedProcess[bytes]:
    """`masthead ARGS…` as a user runs it; stdout and stderr as bytes."""
    env = subprocess_env()
    env.pop("SOURCE_DATE_EPOCH", None)
    return subprocess.run(
        [*MASTHEAD, *map(str, args)],
        cwd=cwd,
        env=env,
        input=stdin if stdin is not None else b"",
        capture_output=True,
        timeout=timeout,
    )


def unprintable(text: str, *, newlines: bool = True) -> list[str]:
    """The characters of `text` no terminal or reader should get: controls
    (Unicode's Cc: C0, DEL, C1), line and paragraph separators, and the
    noncharacters U+FFFE/U+FFFF. Tab is whitespace, as in the article's
    text; `newlines`: LF is allowed too."""
    allowed = {"\t", "\n"} if newlines else {"\t"}
    return [
        c
        for c in text
        if c not in allowed
        and (unicodedata.category(c) in ("Cc", "Zl", "Zp") or c in "\ufffe\uffff")
    ]


def strings(value: object) -> list[str]:
    """Every string in a JSON value, keys too."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *strings(v))]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    return []


# --- A: control characters made by YAML (and TOML) escapes ---------------------

ESCAPED = r"""---
title: "A\0B\x7fC\u0085D\uFFFEE\x1bF\x9b2J"
subtitle: "dek\x1b[2J"
author: ["Bo\x07b", {name: "Al\u2028ice"}]
tags: ["t\x1b[31m", "\e]0;PWN\a"]
image: https://example.com/a.png
image_alt: "alt\x1b[2K"
social:
  x:
    hook: "Hook\x1b[1A"
"note\x1b": "v\x00"
---

A body paragraph with enough words to post.
"""


def test_yaml_escapes_make_no_control_characters_in_the_model(tmp_path):
    (tmp_path / "a.md").write_text(ESCAPED, encoding="utf-8")
    run = masthead("inspect", "--format", "json", "a.md", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    model = json.loads(run.stdout)
    bad = {s: unprintable(s) for s in strings(model) if unprintable(s)}
    assert not bad, bad
    # NEL and U+2028 in one-line fields are a space, not a line break.
    assert model["title"] == "ABC DEF2J"
    assert model["authors"] == ["Bob", "Al ice"]


def test_yaml_escapes_reach_no_thread_post(tmp_path):
    (tmp_path / "a.md").write_text(ESCAPED, encoding="utf-8")
    for platform in ("mastodon", "x"):
        run = masthead("thread", "--platform", platform, "--format", "json", "a.md", cwd=tmp_path)
        assert run.returncode == 0, run.stderr
        thread = json.loads(run.stdout)
        bad = [s for s in strings(thread) if unprintable(s)]
        assert not bad, bad


def test_yaml_escapes_reach_no_email(tmp_path):
    (tmp_path / "a.md").write_text(ESCAPED, encoding="utf-8")
    text = masthead("email", "--text", "a.md", cwd=tmp_path)
    assert text.returncode == 0, text.stderr
    assert not unprintable(text.stdout.decode("utf-8")), text.stdout[:200]
    eml = masthead("email", "--eml", "a.md", cwd=tmp_path)
    assert eml.returncode == 0, eml.stderr
    message = email.message_from_bytes(eml.stdout, policy=email.policy.default)
    assert not unprintable(str(message["Subject"]), newlines=False), message["Subject"]


def test_toml_escapes_in_a_social_sidecar_are_cleaned(tmp_path):
    (tmp_path / "post.txt").write_text(
        "A Plain Title\n\nA dek line.\n\nA body paragraph with enough words to post.\n",
        encoding="utf-8",
    )
    (tmp_path / "post.social.toml").write_text(
        '[social]\nhook = "Read this\\u001b]0;PWN\\u0007 now"\n', encoding="utf-8"
    )
    run = masthead("thread", "--platform", "mastodon", "--format", "json", "post.txt", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    first = json.loads(run.stdout)["posts"][0]["text"]
    assert first.startswith("Read this now"), first
    assert not unprintable(first), first


@pytest.mark.hypothesis
@settings(max_examples=200)
@given(st.text(min_size=1, max_size=40), st.lists(st.text(max_size=12), max_size=4))
def test_any_front_matter_text_reads_without_controls(title, tags):
    """Whatever a title and tags hold (written as YAML escapes), what is read
    holds no control character, line separator or noncharacter."""
    text = (
        f"---\ntitle: {yaml_string(title)}\n"
        f"tags: [{', '.join(map(yaml_string, tags))}]\n---\nA body.\n"
    )
    try:
        article = read_bytes(text.encode("utf-8"), name="t.md", fmt="markdown")
    except ReaderError as exc:
        assert "has no title" in str(exc), exc  # a title of nothing but controls
        return
    for value in (article.title, *article.tags):
        assert not unprintable(value, newlines=False), value



def test_raw_c1_controls_in_an_article_are_dropped(tmp_path):
    """U+009B is CSI on its own on some terminals (and U+0090-U+009F never
    prose): a raw one in the text is dropped, as C0 controls are."""
    (tmp_path / "a.txt").write_text(
        "A Title\u009b2J\n\nThe dek.\n\nA body\u0090 paragraph\u009d with words.\n",
        encoding="utf-8",
    )
    run = masthead("inspect", "--format", "json", "a.txt", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    model = json.loads(run.stdout)
    assert model["title"] == "A Title2J"
    bad = {s: unprintable(s) for s in strings(model) if unprintable(s)}
    assert not bad, bad

# --- B: terminal escapes in what Masthead prints ---------------------------------

# Erase the screen, move the cursor up, write the clipboard (OSC 52), ring.
ESCAPES = ("\x1b", "\x07", "\x9b", "\u202e")


def raw_escapes(output: bytes) -> list[str]:
    return [e for e in ESCAPES if e in output.decode("utf-8", "surrogateescape")]


def test_a_config_key_cannot_write_to_the_terminal(tmp_path):
    (tmp_path / "masthead.toml").write_text(
        '"\\u001b]0;PWN\\u0007\\u001b[2J" = 1\n', encoding="utf-8"
    )
    (tmp_path / "a.md").write_text("---\ntitle: T\n---\nBody.\n", encoding="utf-8")
    run = masthead("inspect", "a.md", cwd=tmp_path)
    assert run.returncode == 1
    assert not raw_escapes(run.stderr), run.stderr
    assert b"\\x1b]0;PWN\\x07" in run.stderr, run.stderr  # shown, not obeyed


def test_a_file_name_cannot_write_to_the_terminal(tmp_path):
    """A folder of articles from anywhere (a cloned repository) may hold a
    file whose name erases the screen or reverses the line."""
    bad = "\x1b[2J\x1b[1Aevil\u202e.md"
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / bad).write_text("---\ntitle: T\n---\n", encoding="utf-8")  # no body
    good = "fine\x1b]0;PWN\x07.md"
    (tmp_path / "posts" / good).write_text("---\ntitle: T\n---\nBody.\n", encoding="utf-8")
    check = masthead("check", "posts", cwd=tmp_path)
    render = masthead("render", "posts", "-o", "out", cwd=tmp_path)
    for run in (check, render):
        assert run.returncode == 1, run
        output = run.stdout + run.stderr
        assert not raw_escapes(output), output
        assert b"\\x1b[2J\\x1b[1Aevil\\u202e.md" in output, output
    assert b"fine\\x1b]0;PWN\\x07.md" in render.stdout, render.stdout  # the progress line


def test_an_error_quoting_a_date_cannot_write_to_the_terminal(tmp_path):
    (tmp_path / "a.md").write_text(
        '---\ntitle: T\ndate: "\\e]52;c;aGk=\\a\\e[2K\\e[1Anot a date"\n---\nBody.\n',
        encoding="utf-8",
    )
    run = masthead("inspect", "a.md", cwd=tmp_path)
    assert run.returncode == 1
    assert not raw_escapes(run.stderr), run.stderr
    assert b"not a date" in run.stderr


# --- C: YAML's !!binary and !!set are not text ------------------------------------


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("title: !!binary aGVsbG8=", "title"),
        ("title: !!set {a, b}", "title"),
        ("subtitle: !!binary aGVsbG8=", "subtitle"),
        ("tags: [news, !!binary aGk=]", "tags"),
        ("tags: [news, {a: 1}]", "tags"),
        ("author: [{name: !!set {a}}]", "author"),
        ("cover: {image: /a.png, alt: !!binary aGk=}", "cover"),
    ],
)
def test_binary_and_sets_are_refused_where_text_belongs(tmp_path, line, key):
    title = "" if key == "title" else "title: T\n"
    (tmp_path / "a.md").write_text(f"---\n{line}\n{title}---\nBody.\n", encoding="utf-8")
    run = masthead("inspect", "--format", "json", "a.md", cwd=tmp_path)
    assert run.returncode == 1, run.stdout
    lines = run.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: a.md:2: front matter '{key}' "), lines
    assert "must be text" in lines[0], lines


# --- D: bidi controls in image alt text --------------------------------------------

RLO = "\u202e"


@pytest.mark.parametrize(
    "article",
    [
        '---\ntitle: T\nimage: https://example.com/a.png\nimage_alt: "alt \\u202Eabc"\n---\n'
        "Body paragraph.\n",
        "---\ntitle: T\n---\n![alt \u202eabc](https://example.com/a.png)\n\nBody paragraph.\n",
    ],
    ids=["front-matter", "leading-image"],
)
def test_image_alt_text_holds_no_bidi_override(tmp_path, article):
    """thread.json, the email and every other file render writes, and the
    Bluesky record's alt: an override would reorder what follows it."""
    (tmp_path / "a.md").write_text(article, encoding="utf-8")
    render = masthead("render", "a.md", "-o", "out", "-q", cwd=tmp_path)
    assert render.returncode == 0, render.stderr
    thread = json.loads((tmp_path / "out" / "a" / "thread.json").read_text(encoding="utf-8"))
    alts = [s for s in strings(thread) if s.startswith("alt")]
    assert alts and all(alt == "alt abc" for alt in alts), alts
    for path in (tmp_path / "out").rglob("*"):
        if path.is_file():
            assert RLO not in path.read_text(encoding="utf-8", errors="replace"), path
    bluesky = masthead(
        "thread", "--platform", "bluesky", "--format", "json", "a.md", cwd=tmp_path
    )
    assert bluesky.returncode == 0, bluesky.stderr
    assert RLO not in bluesky.stdout.decode("utf-8")


# --- E: control characters in the sender's address and name ----------------------


def test_a_sender_address_with_a_bidi_control_is_refused(tmp_path):
    (tmp_path / "masthead.toml").write_text(
        '[sender]\nname = "News"\naddress = "news@example.com\\u202e"\n', encoding="utf-8"
    )
    (tmp_path / "a.md").write_text("---\ntitle: T\n---\nBody.\n", encoding="utf-8")
    run = masthead("email", "--eml", "a.md", cwd=tmp_path)
    assert run.returncode == 1, run.stdout[:300]
    assert run.stdout == b""
    assert b"masthead.toml:3: 'sender.address' must be an email address" in run.stderr


@pytest.mark.parametrize("escape", ["\\u0000", "\\u001b", "\\u009b", "\\u007f"])
def test_a_control_character_in_the_sender_address_never_reaches_the_headers(tmp_path, escape):
    # The config's strings get the article text's rule (text/sanitize.clean_text):
    # the control character a TOML escape made is dropped as the file is read.
    (tmp_path / "masthead.toml").write_text(
        f'[sender]\nname = "News"\naddress = "news@example.com{escape}"\n', encoding="utf-8"
    )
    (tmp_path / "a.md").write_text("---\ntitle: T\n---\nBody.\n", encoding="utf-8")
    run = masthead("email", "--eml", "a.md", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    head = run.stdout.split(b"\r\n\r\n", 1)[0]
    assert not [b for b in head.replace(b"\r\n", b"") if b < 0x20 or b == 0x7F], head
    assert b"From: News <news@example.com>\r\n" in head


def test_no_control_character_reaches_a_message_header(tmp_path):
    (tmp_path / "masthead.toml").write_text(
        '[sender]\nname = "Ne\\u0000ws\\u001b[2J\\u0007 Desk\\u009b"\n'
        'address = "news@example.com"\n',
        encoding="utf-8",
    )
    (tmp_path / "a.md").write_text("---\ntitle: T\n---\nBody.\n", encoding="utf-8")
    run = masthead("email", "--eml", "--subject", "Hi\x07 there\x1b[1A", "a.md", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    head = run.stdout.split(b"\r\n\r\n", 1)[0]
    assert not [b for b in head.replace(b"\r\n", b"") if b < 0x20 or b == 0x7F], head
    message = email.message_from_bytes(run.stdout, policy=email.policy.default)
    for name in ("From", "Subject", "Message-ID"):
        assert not unprintable(str(message[name]), newlines=False), (name, message[name])
    # The config's strings lose whole terminal sequences as the file is read.
    assert message["From"].addresses[0].display_name == "News Desk"
    assert str(message["Subject"]) == "Hi there[1A"


# --- F: standard input has a size limit -------------------------------------------


def test_standard_input_past_64_mib_is_refused(tmp_path):
    """One byte past the limit is an error saying so, after reading no more
    than that (`< /dev/zero` would otherwise be read until memory ran out)."""
    big = tmp_path / "big.md"
    with big.open("wb") as out:
        out.write(b"---\ntitle: Big\n---\n")
        out.truncate(64 * 1024 * 1024 + 1)  # NUL-filled: the old code read it all, then refused
    with big.open("rb") as stdin:
        run = subprocess.run(
            [*MASTHEAD, "inspect", "-"],
            cwd=tmp_path,
            env=subprocess_env(),
            stdin=stdin,
            capture_output=True,
            timeout=TIMEOUT,
        )
    assert run.returncode == 1
    assert run.stderr.decode().splitlines() == [
        "error: <stdin>: standard input is over 64 MiB, more than any article; check what "
        "is piped in, or save the article as a file and name it"
    ]


# --- G: only `localhost` and loopback addresses are this machine --------------------


def test_a_name_under_localhost_gets_no_plain_connection(tmp_path):
    """`mail.localhost` may be resolved through DNS, to anyone's server: an
    unencrypted send to it, and an app password over plain http, are refused
    before any connection is tried."""
    (tmp_path / "masthead.toml").write_text(
        '[sender]\naddress = "news@example.com"\n[smtp]\nsecurity = "none"\n', encoding="utf-8"
    )
    (tmp_path / "a.md").write_text("---\ntitle: T\n---\nBody.\n", encoding="utf-8")
    sent = masthead(
        "email", "a.md", "--send-test", "you@example.com", "--smtp", "mail.localhost:2525",
        cwd=tmp_path,
    )  # fmt: skip
    assert sent.returncode != 0
    assert b"refusing to send to the SMTP server mail.localhost:2525 without TLS" in sent.stderr
    env = subprocess_env(
        MASTHEAD_BLUESKY_HANDLE="me.example.com",
        MASTHEAD_BLUESKY_PASSWORD="app-pass-word-here",
    )
    posted = subprocess.run(
        [*MASTHEAD, "publish", "bluesky", "a.md",
         "--service", "http://pds.localhost:2583"],
        cwd=tmp_path, env=env, capture_output=True, timeout=TIMEOUT,
    )  # fmt: skip
    assert posted.returncode != 0
    assert b"refusing to send the app password to http://pds.localhost:2583" in posted.stderr
