"""Feed safety: feeds in any encoding, ids that are valid URIs, temporary
files left by killed runs, and feeds a validator accepts."""

from __future__ import annotations

import json
import os
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from conftest import ARTICLES, MASTHEAD, PYTHON, ROOT, SEED, subprocess_env

SITE = 'site_url = "https://news.example.com"\n'
CJK = ROOT / "tests" / "hostile" / "cjk_rtl.md"
SEED_TITLE = "The Great AI Divorce: How Microsoft and OpenAI Became Each Other’s Biggest Rivals"
CJK_TITLE = "東京の新しい図書館 — مكتبة جديدة"


def masthead(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The `masthead` command in a process of its own, as a user runs it."""
    env = subprocess_env()
    env.pop("SOURCE_DATE_EPOCH", None)
    return subprocess.run(
        [*MASTHEAD, *map(str, args)],
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
    env = subprocess_env()
    process = subprocess.Popen(
        [*PYTHON, "-c", script, *map(str, args)],
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


# --- feeds a validator accepts ----------------------------------------------------

SAMPLES = sorted(p for p in ARTICLES.iterdir() if p.suffix in (".txt", ".md"))
HOSTILE = sorted((ROOT / "tests" / "hostile").iterdir())
ODD = """\
---
title: "Odd <URLs> & \\"chars\\" — ünïcödé 😀"
slug: odd-urls
date: 2026-03-01
authors: ["Zoë <zoe@example.com>", "<b>Mal</b>lory", "A & B"]
tags: ["C++", "a<b", "ünï"]
image: "https://example.com/img path/ü.png"
canonical_url: "https://example.com/a b/ü?x=<1>&y=\\"2\\""
---

Lead paragraph with a [link](https://example.com/x y) and <b>markup</b>.

## Section & more

Text with an emoji 😀.
"""

# RFC 3986, appendix A, written out here (independently of Masthead's own
# URL code): an absolute URI, with an optional fragment.
_UNRESERVED = r"[A-Za-z0-9\-._~]"
_PCT = r"%[0-9A-Fa-f]{2}"
_SUB_DELIMS = r"[!$&'()*+,;=]"
_PCHAR = f"(?:{_UNRESERVED}|{_PCT}|{_SUB_DELIMS}|[:@])"
_QUERY = f"(?:{_PCHAR}|[/?])*"
_SEGMENT_NZ = f"{_PCHAR}+"
_HOST = rf"(?:\[[0-9A-Fa-f:.]+\]|(?:{_UNRESERVED}|{_PCT}|{_SUB_DELIMS})*)"
_AUTHORITY = f"(?:(?:{_UNRESERVED}|{_PCT}|{_SUB_DELIMS}|:)*@)?{_HOST}(?::[0-9]*)?"
_HIER_PART = (
    f"(?://{_AUTHORITY}(?:/{_PCHAR}*)*"
    f"|/(?:{_SEGMENT_NZ}(?:/{_PCHAR}*)*)?"
    f"|{_SEGMENT_NZ}(?:/{_PCHAR}*)*|)"
)
RFC3986_URI = re.compile(f"[A-Za-z][A-Za-z0-9+.\\-]*:{_HIER_PART}(?:\\?{_QUERY})?(?:#{_QUERY})?")
UUID_URN = re.compile(r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ATOM = "{http://www.w3.org/2005/Atom}"


def _render(cli, folder: Path, *articles: Path, config: str = SITE) -> Path:
    """Render `articles` into folder/out with `config`; the output folder."""
    (folder / "masthead.toml").write_text(config, encoding="utf-8")
    out = folder / "out"
    run = cli("render", *articles, "-o", out, "-c", folder / "masthead.toml", "-q")
    assert "feeds not written" not in run.stdout
    assert (out / "feed.xml").exists(), run.stderr
    return out


def _written_hostile(folder: Path) -> list[Path]:
    odd = folder / "odd-urls.md"
    odd.write_text(ODD, encoding="utf-8")
    return [*HOSTILE, odd]


def test_every_feed_has_its_own_address_and_ids_that_are_uris(cli, tmp_path):
    """What the W3C validator checks, checked here without it: an absolute
    rel="self" link in each feed, and Atom ids that are valid URIs."""
    out = _render(cli, tmp_path, *SAMPLES, *_written_hostile(tmp_path))
    rss = ET.parse(out / "feed.xml").getroot().find("channel")
    assert rss.findtext("link") == "https://news.example.com"
    self_links = [e for e in rss.findall(f"{ATOM}link") if e.get("rel") == "self"]
    assert [e.get("href") for e in self_links] == ["https://news.example.com/feed.xml"]
    for item in rss.findall("item"):
        tags = [child.tag for child in item]
        if "{http://purl.org/rss/1.0/modules/content/}encoded" in tags:
            assert "description" in tags, item.findtext("title")
            assert tags.index("description") < tags.index(
                "{http://purl.org/rss/1.0/modules/content/}encoded"
            )

    atom = ET.parse(out / "atom.xml").getroot()
    links = {e.get("rel"): e.get("href") for e in atom.findall(f"{ATOM}link")}
    assert links["self"] == "https://news.example.com/atom.xml"
    feed_id = atom.findtext(f"{ATOM}id")
    assert UUID_URN.fullmatch(feed_id), feed_id
    ids = [e.findtext(f"{ATOM}id") for e in atom.findall(f"{ATOM}entry")]
    assert len(ids) == len(set(ids)) == len(rss.findall("item"))
    for value in [feed_id, *ids, *links.values()]:
        assert RFC3986_URI.fullmatch(value), value
    for name in atom.iter(f"{ATOM}name"):
        assert "<" not in name.text and "@" not in name.text, name.text
    emails = [e.text for e in atom.iter(f"{ATOM}email")]
    assert emails == ["zoe@example.com"]

    feed = json.loads((out / "feed.json").read_text(encoding="utf-8"))
    assert feed["feed_url"] == "https://news.example.com/feed.json"
    assert feed["home_page_url"] == "https://news.example.com"


FEEDVALIDATOR = os.environ.get("MASTHEAD_FEEDVALIDATOR")
FEEDVALIDATOR_PYTHON = os.environ.get("MASTHEAD_FEEDVALIDATOR_PYTHON")

# Runs the W3C validator's own library on a file as if it were served from
# the address given, as the online service validates a feed by its URL.
VALIDATE = """
import sys
sys.path.insert(0, sys.argv[1])
import feedvalidator
from feedvalidator import compatibility
from feedvalidator.formatter.text_plain import Formatter
with open(sys.argv[2], "rb") as feed:
    try:
        events = feedvalidator.validateStream(feed, firstOccurrenceOnly=1, base=sys.argv[3])
        events = events["loggedEvents"]
    except feedvalidator.logging.ValidationFailure as failure:
        events = [failure.event]
print("\\n".join(Formatter(compatibility.AA(events))))
"""


def _validator_report(path: Path, address: str) -> str:
    run = subprocess.run(
        [FEEDVALIDATOR_PYTHON, "-c", VALIDATE, FEEDVALIDATOR, str(path), address],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout.strip()


@pytest.mark.skipif(
    not (FEEDVALIDATOR and FEEDVALIDATOR_PYTHON),
    reason="the W3C feed validator (w3c/feedvalidator, on no package registry) is not "
    "installed: set MASTHEAD_FEEDVALIDATOR to its src folder and "
    "MASTHEAD_FEEDVALIDATOR_PYTHON to a Python that can run it",
)
def test_the_w3c_validator_accepts_every_feed(cli, tmp_path):
    """The samples in one feed, and each hostile article in a feed of its
    own: no error and no warning in the RSS or the Atom feed."""
    groups = {"samples": SAMPLES}
    for article in _written_hostile(tmp_path):
        groups[article.name] = [article]
    reports = {}
    for name, articles in groups.items():
        folder = tmp_path / f"feed-of-{name}"
        folder.mkdir()
        run = cli("render", *articles, "-o", folder / "out", "-c", _config(tmp_path), "-q")
        if not (folder / "out" / "feed.xml").exists():
            assert run.exit_code == 1, name  # an article refused outright: no feed
            continue
        for feed in ("feed.xml", "atom.xml"):
            address = f"https://news.example.com/{feed}"
            reports[f"{name} {feed}"] = _validator_report(folder / "out" / feed, address)
    assert len(reports) >= 2 * 10
    assert {k: v for k, v in reports.items() if v} == {}


def _config(folder: Path) -> Path:
    config = folder / "masthead.toml"
    config.write_text(SITE, encoding="utf-8")
    return config


# --- without a site address --------------------------------------------------------


def test_render_without_a_site_url_writes_no_feed_and_says_why_in_one_line(tmp_path):
    """From a folder with no masthead.toml above it (the system temp folder)."""
    run = masthead("render", SEED, "-o", "out", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    lines = [line for line in run.stdout.splitlines() if "feed" in line]
    assert len(lines) == 1 and lines[0].startswith("feeds not written: "), run.stdout
    assert "site_url" in lines[0]
    out = tmp_path / "out"
    assert not any((out / name).exists() for name in ("feed.xml", "atom.xml", "feed.json"))
    assert (out / "the-great-ai-divorce" / "email.html").exists()


def test_feed_add_without_a_channel_link_is_refused_before_writing(cli, tmp_path):
    feed = tmp_path / "feed.xml"
    run = cli("feed", "add", SEED, "--feed", feed, "--atom", tmp_path / "atom.xml")
    assert run.exit_code == 1
    assert "site_url" in run.stderr and "Traceback" not in run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    # A feed that has no channel link either: refused too, and left as it was.
    linkless = FOREIGN.format(declared="utf-8", title="x").replace(
        "<link>https://other.example/</link>\n", ""
    )
    feed.write_text(linkless, encoding="utf-8")
    run = cli("feed", "add", SEED, "--feed", feed)
    assert run.exit_code == 1 and "site_url" in run.stderr
    assert feed.read_text(encoding="utf-8") == linkless
    # With the site's address in the config, the channel gets it as its link.
    (tmp_path / "masthead.toml").write_text(SITE, encoding="utf-8")
    run = cli("feed", "add", SEED, "--feed", feed)
    assert run.exit_code == 0, run.stderr
    parsed = feedparser.parse(feed.read_bytes())
    assert parsed.bozo == 0 and parsed.feed.link == "https://news.example.com"
    assert len(parsed.entries) == 2


def test_feed_add_into_a_feed_with_a_channel_link_needs_no_config(cli, tmp_path):
    """The link the channel already has is the site's; an article's never is."""
    feed = tmp_path / "feed.xml"
    feed.write_text(FOREIGN.format(declared="utf-8", title="x"), encoding="utf-8")
    run = cli("feed", "add", SEED, "--feed", feed)
    assert run.exit_code == 0, run.stderr
    parsed = feedparser.parse(feed.read_bytes())
    assert parsed.bozo == 0 and parsed.feed.link == "https://other.example/"
    assert len(parsed.entries) == 2


# --- ids that never move ------------------------------------------------------------

OLD_ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <title>Old</title>
  <id>{feed_id}</id>
  <updated>2026-01-01T00:00:00Z</updated>
</feed>
"""


@pytest.mark.parametrize(
    "feed_id", ["https://news.example.com/", "urn:masthead:feed:feed/", "tag:example.com,2020:f"]
)
def test_an_atom_feed_keeps_its_id_and_its_entries_theirs(cli, tmp_path, feed_id):
    """An Atom copy made before keeps its id, and its entries the ids they had
    (`FEED-ID:item:GUID` for a guid that is not a URI), whatever the config says
    now; the RSS guids are never touched."""
    (tmp_path / "masthead.toml").write_text(SITE, encoding="utf-8")
    feed, atom = tmp_path / "feed.xml", tmp_path / "atom.xml"
    feed.write_text(FOREIGN.format(declared="utf-8", title="x"), encoding="utf-8")
    atom.write_text(OLD_ATOM.format(feed_id=feed_id), encoding="utf-8")
    run = cli("feed", "add", SEED, CJK, "--feed", feed, "--atom", atom)
    assert run.exit_code == 0, run.stderr
    parsed = feedparser.parse(atom.read_bytes())
    assert parsed.bozo == 0 and parsed.feed.id == feed_id
    ids = {e.title: e.id for e in parsed.entries}
    assert ids["x"] == feed_id.rstrip("/") + ":item:foreign-1"
    assert ids[SEED_TITLE] == "https://news.example.com/the-great-ai-divorce/"
    guids = [i.findtext("guid") for i in ET.parse(feed).getroot().iter("item")]
    assert guids == [
        "https://news.example.com/the-great-ai-divorce/",
        "https://news.example.com/cjk-rtl/",
        "foreign-1",
    ]


def test_a_new_atom_feed_id_is_a_uuid_urn_that_stays(cli, tmp_path):
    """Made from the feed's address: the same for the same feed, kept when the
    site's address changes later; an entry whose guid is not a URI gets a
    urn:uuid that does not change from one run to the next."""
    (tmp_path / "masthead.toml").write_text(SITE, encoding="utf-8")
    feed, atom = tmp_path / "feed.xml", tmp_path / "atom.xml"
    feed.write_text(FOREIGN.format(declared="utf-8", title="x"), encoding="utf-8")
    assert cli("feed", "add", SEED, "--feed", feed, "--atom", atom).exit_code == 0
    first = feedparser.parse(atom.read_bytes())
    assert UUID_URN.fullmatch(first.feed.id)
    foreign = next(e.id for e in first.entries if e.title == "x")
    assert UUID_URN.fullmatch(foreign)

    (tmp_path / "masthead.toml").write_text('site_url = "https://moved.example.org"\n')
    assert cli("feed", "add", CJK, "--feed", feed, "--atom", atom).exit_code == 0
    again = feedparser.parse(atom.read_bytes())
    assert again.feed.id == first.feed.id
    assert next(e.id for e in again.entries if e.title == "x") == foreign
    # (A new copy made now would get another id: the old one was kept, not remade.)
    fresh = tmp_path / "fresh.xml"
    assert cli("feed", "add", CJK, "--feed", feed, "--atom", fresh).exit_code == 0
    assert feedparser.parse(fresh.read_bytes()).feed.id != first.feed.id


def test_a_masthead_feed_without_a_self_link_gets_one(cli, tmp_path):
    """A feed Masthead made before there was a self link gains one (the
    validator's 'Missing atom:link with rel="self"'), its items untouched."""
    (tmp_path / "masthead.toml").write_text(SITE, encoding="utf-8")
    feed = tmp_path / "feed.xml"
    feed.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0">\n  <channel>\n'
        "    <title>T</title>\n    <link>https://news.example.com</link>\n"
        "    <description>D</description>\n    <generator>Masthead 0.1.0</generator>\n"
        "    <item><title>Old</title><guid>old-1</guid></item>\n  </channel>\n</rss>\n",
        encoding="utf-8",
    )
    assert cli("feed", "add", SEED, "--feed", feed).exit_code == 0
    channel = ET.parse(feed).getroot().find("channel")
    links = [e.attrib for e in channel.findall(f"{ATOM}link")]
    assert links == [
        {"href": "https://news.example.com/feed.xml", "rel": "self", "type": "application/rss+xml"}
    ]
    assert b"<item><title>Old</title><guid>old-1</guid></item>" in feed.read_bytes()
