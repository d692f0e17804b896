"""Feed safety: feeds in any encoding, ids that are valid URIs, temporary
files left by killed runs, and feeds a validator accepts."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from conftest import ROOT, SEED

SITE = 'site_url = "https://news.example.com"\n'
CJK = ROOT / "tests" / "hostile" / "cjk_rtl.md"
SEED_TITLE = "The Great AI Divorce: How Microsoft and OpenAI Became Each Other’s Biggest Rivals"
CJK_TITLE = "東京の新しい図書館 — مكتبة جديدة"


def masthead(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The `masthead` command in a process of its own, as a user runs it."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("SOURCE_DATE_EPOCH", None)
    return subprocess.run(
        [sys.executable, "-m", "generator", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- a feed in its own encoding --------------------------------------------------

FOREIGN = (
    '<?xml version="1.0" encoding="{declared}"?>\n'
    '<rss version="2.0">\n<channel>\n<title>Other Feed</title>\n'
    "<link>https://other.example/</link>\n<description>Another tool's feed</description>\n"
    '<item><title>{title}</title><guid isPermaLink="false">foreign-1</guid>'
    "<description><![CDATA[<p>{title}</p>]]></description><!-- kept --></item>\n"
    "</channel>\n</rss>\n"
)

ENCODINGS = [
    # (how the file is written, the declared name, a foreign title it can hold)
    pytest.param(("utf-16-le", "\ufeff"), "UTF-16", "Fōreign ☃ café 😀", id="utf-16-le-bom"),
    pytest.param(("utf-16-be", "\ufeff"), "UTF-16", "Fōreign ☃ café 😀", id="utf-16-be-bom"),
    pytest.param(("utf-16-le", ""), "UTF-16LE", "Fōreign ☃ café", id="utf-16le-declared"),
    pytest.param(("utf-16-be", ""), "UTF-16BE", "Fōreign ☃ café", id="utf-16be-declared"),
    pytest.param(("utf-8", "\ufeff"), "UTF-8", "Fōreign ☃ café 😀", id="utf-8-bom"),
    pytest.param(("utf-8", ""), "utf-8", "Fōreign ☃ café 😀", id="utf-8"),
    pytest.param(("latin-1", ""), "ISO-8859-1", "Fôreign café ½", id="latin-1"),
    pytest.param(("cp1252", ""), "windows-1252", "Fôreign “café” € – ½", id="windows-1252"),
    pytest.param(("ascii", ""), "US-ASCII", "Foreign cafe", id="us-ascii"),
]


def _foreign_feed(codec: str, bom: str, declared: str, title: str) -> tuple[bytes, bytes]:
    """The feed's bytes, and its foreign item's bytes."""
    text = FOREIGN.format(declared=declared, title=title)
    item = text[text.index("<item>") : text.index("</item>") + len("</item>")]
    return (bom + text).encode(codec), item.encode(codec)


@pytest.mark.parametrize(("written", "declared", "title"), ENCODINGS)
def test_feed_add_keeps_a_feed_in_its_own_encoding(tmp_path, written, declared, title):
    codec, bom = written
    (tmp_path / "masthead.toml").write_text(SITE, encoding="utf-8")
    feed = tmp_path / "feed.xml"
    before, foreign_item = _foreign_feed(codec, bom, declared, title)
    feed.write_bytes(before)

    run = masthead("feed", "add", SEED, CJK, "--feed", feed, "--atom", "atom.xml", cwd=tmp_path)
    assert run.returncode == 0, run.stderr

    after = feed.read_bytes()
    parsed = feedparser.parse(after)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert [e.title for e in parsed.entries] == [SEED_TITLE, CJK_TITLE, title]
    # An independent parser reads the same three items.
    items = ET.fromstring(after).findall("channel/item")
    assert [i.findtext("title") for i in items] == [SEED_TITLE, CJK_TITLE, title]
    # The file keeps its byte order mark and declaration, and the foreign item its bytes.
    head = (bom + FOREIGN[: FOREIGN.index("?>") + 2].format(declared=declared)).encode(codec)
    assert after.startswith(head)
    assert foreign_item in after
    atom = feedparser.parse((tmp_path / "atom.xml").read_bytes())
    assert atom.bozo == 0 and [e.title for e in atom.entries][2] == title

    # Updated again (an item replaced, one removed), it is still whole.
    run = masthead("feed", "add", CJK, "--feed", feed, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    run = masthead("feed", "remove", "foreign-1", "--feed", feed, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    parsed = feedparser.parse(feed.read_bytes())
    assert parsed.bozo == 0 and [e.title for e in parsed.entries] == [SEED_TITLE, CJK_TITLE]
    assert feed.read_bytes().startswith(head)


def test_characters_the_encoding_cannot_hold_become_character_references(tmp_path):
    (tmp_path / "masthead.toml").write_text(SITE, encoding="utf-8")
    feed = tmp_path / "feed.xml"
    feed.write_bytes(_foreign_feed("latin-1", "", "ISO-8859-1", "café")[0])
    run = masthead("feed", "add", CJK, "--feed", feed, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    data = feed.read_bytes()
    data.decode("latin-1")  # every byte is Latin-1 (trivially), and none is a stray '?'
    assert b"&#26481;&#20140;" in data  # 東京
    assert ET.fromstring(data).find("channel/item/title").text == CJK_TITLE


REFUSED = [
    pytest.param(data, message, id=name)
    for name, data, message in [
        (
            "utf-32",
            ("\ufeff" + FOREIGN.format(declared="UTF-32", title="x")).encode("utf-32"),
            "UTF-32",
        ),
        ("utf-7", FOREIGN.format(declared="UTF-7", title="x").encode("ascii"), "utf-7"),
        (
            "iso-2022-jp",
            FOREIGN.format(declared="ISO-2022-JP", title="東京").encode("iso-2022-jp"),
            "iso2022_jp",
        ),
        (
            "unknown",
            FOREIGN.format(declared="x-no-such", title="x").encode("ascii"),
            "x-no-such",
        ),
        (
            "undefined-windows-1252-byte",
            FOREIGN.format(declared="windows-1252", title="x")
            .encode("ascii")
            .replace(b"x<", b"\x81<"),
            "not valid cp1252",
        ),
        (
            "utf-16-declared-without-bom",
            FOREIGN.format(declared="UTF-16", title="x").encode("ascii"),
            "not UTF-16 text",
        ),
        (
            "bom-against-declaration",
            ("\ufeff" + FOREIGN.format(declared="UTF-8", title="x")).encode("utf-16-le"),
            "byte order mark",
        ),
    ]
]


@pytest.mark.parametrize(("data", "message"), REFUSED)
def test_a_feed_that_cannot_be_written_back_is_refused_and_left_untouched(
    cli, tmp_path, data, message
):
    (tmp_path / "masthead.toml").write_text(SITE, encoding="utf-8")
    feed = tmp_path / "feed.xml"
    feed.write_bytes(data)
    run = cli("feed", "add", SEED, "--feed", feed, "--atom", tmp_path / "atom.xml")
    assert run.exit_code == 1, run.stderr
    assert message in run.stderr and str(feed) in run.stderr
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1
    assert feed.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed.xml", "masthead.toml"]


# --- temporary files left by a run killed outright ----------------------------------

# Adds an article to a feed with Atom beside it, and stops for good once the
# Atom copy has its first bytes: the feed's and Atom's temporary files are
# then both on disk, written by the real code, when the test kills it.
HOLDER = """
import sys, time
from pathlib import Path
from generator import writers
from generator.clock import now
from generator.config import parse_config
from generator.feedfile import Siblings, add_articles
from generator.readers import read_path

real_write = writers.PendingFile.write

def write(self, data):
    real_write(self, data)
    if "atom" in self.temporary_path:
        print(self.temporary_path, flush=True)
        time.sleep(600)

writers.PendingFile.write = write
feed = Path(sys.argv[1])
siblings = Siblings(feed.with_name("atom.xml"), feed.with_name("feed.json"))
add_articles(feed, [read_path(sys.argv[2])], parse_config(sys.argv[3]), now=now(),
             siblings=siblings)
"""

# Holds a temporary file of TARGET open, as a run writing it does.
WRITER = """
import sys, time
from generator.writers import PendingFile
pending = PendingFile(sys.argv[1])
pending.write(b"half of a file")
print(pending.temporary_path, flush=True)
time.sleep(600)
"""


def _start(script: str, *args: object) -> tuple[subprocess.Popen[str], str]:
    """Start `script`; returns the process and the line it prints when it is
    at the moment to observe."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    process = subprocess.Popen(
        [sys.executable, "-c", script, *map(str, args)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline().strip()
    assert line, "the process ended before its observed moment"
    return process, line


def _kill(process: subprocess.Popen[str]) -> None:
    process.kill()  # SIGKILL: no handler, no cleanup of its own
    process.wait(timeout=30)
    process.stdout.close()


def _age(path: Path, seconds: int = 600) -> None:
    """Make `path` look as old as a file a run killed ten minutes ago left."""
    then = path.lstat().st_mtime - seconds
    os.utime(path, (then, then), follow_symlinks=False)


def test_a_run_removes_the_temporary_files_a_killed_run_left(tmp_path):
    (tmp_path / "masthead.toml").write_text(SITE, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    feed = out / "feed.xml"
    assert masthead("feed", "add", CJK, "--feed", feed, cwd=tmp_path).returncode == 0
    holder, atom_tmp = _start(HOLDER, feed, SEED, SITE)
    try:
        left = sorted(p.name for p in out.iterdir() if p.name.endswith(".tmp"))
        assert len(left) == 2 and Path(atom_tmp).name in left
        assert all(p.name.startswith((".feed.xml.", ".atom.xml.")) for p in out.glob(".*.tmp"))
    finally:
        _kill(holder)
    feed_tmp = next(out.glob(".feed.xml.*.tmp"))
    assert feed_tmp.stat().st_size > 1000 and Path(atom_tmp).exists()

    # Names that are not this run's temporary files, and one too new to be stale.
    elsewhere = tmp_path / "elsewhere.xml"
    elsewhere.write_text("keep")
    decoys = {
        ".feed.xml.0123456789ab.tmp.keep": "file",
        ".feed.xml.not-hex-name.tmp": "file",
        ".feed.xml.0123456789AB.tmp": "file",
        "feed.xml.0123456789ab.tmp": "file",
        ".other.xml.0123456789ab.tmp": "file",
        ".atom.xml.00000000000a.tmp": "folder",
        ".feed.json.00000000000b.tmp": "link",
        ".feed.json.00000000000c.tmp": "new",
    }
    for name, kind in decoys.items():
        path = out / name
        if kind == "folder":
            path.mkdir()
        elif kind == "link":
            path.symlink_to(elsewhere)
        else:
            path.write_text("not ours")
        if kind != "new":
            _age(path)
    future = (out / ".feed.json.00000000000c.tmp").stat().st_mtime + 3600
    os.utime(out / ".feed.json.00000000000c.tmp", (future, future))

    run = masthead("render", SEED, "-o", out, "-q", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert not feed_tmp.exists() and not Path(atom_tmp).exists()
    assert sorted(p.name for p in out.iterdir() if p.name in decoys) == sorted(decoys)
    assert elsewhere.read_text() == "keep"
    parsed = feedparser.parse(feed.read_bytes())
    assert parsed.bozo == 0 and {e.title for e in parsed.entries} == {SEED_TITLE, CJK_TITLE}


def test_a_temporary_file_a_live_process_holds_is_left_alone(tmp_path):
    target = tmp_path / "email.html"
    writer, held = _start(WRITER, target)
    try:
        _age(Path(held))  # however old it looks: its writer is alive
        run = masthead("email", SEED, "-o", target, cwd=tmp_path)
        assert run.returncode == 0, run.stderr
        assert Path(held).read_bytes() == b"half of a file"
    finally:
        _kill(writer)
    run = masthead("email", SEED, "-o", target, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert not Path(held).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["email.html"]
