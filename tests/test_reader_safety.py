"""The readers against input built to hang, crash or mislead them (issue 22).

YAML alias bombs, named pipes, dates past what a feed can carry, UTF-16 and
UTF-32 files, Unicode line separators and slugs Windows cannot use as a
folder name: each is either read as the writer meant or refused with one
`error: FILE:LINE: …` line, in every command. Commands that could hang run
in a subprocess under a timeout.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import os
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import feedparser
import pytest
from conftest import MASTHEAD, ROOT, subprocess_env
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.config import parse_config
from generator.errors import ReaderError
from generator.feedfile import Siblings, add_articles
from generator.readers import read_bytes

HOSTILE = ROOT / "tests" / "hostile"
SITE = 'site_url = "https://news.example.com"\n'
# Generous: each command starts Python and imports Masthead, on a shared
# machine; a hang (what this guards against) never ends at all.
TIMEOUT = 60

GOOD_MD = "---\ntitle: A Good Article\ndate: 2026-03-03\n---\n\nIts body.\n"


def masthead(*args: object, cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """`masthead ARGS…` as a user runs it, killed if it outlives `TIMEOUT`."""
    env = subprocess_env()
    env.pop("SOURCE_DATE_EPOCH", None)
    return subprocess.run(
        [*MASTHEAD, *map(str, args)],
        cwd=cwd,
        env=env,
        input=stdin if stdin is not None else b"",
        capture_output=True,
        timeout=TIMEOUT,
    )


def one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    return lines[0]


# The commands that read one article, and how each is asked to (feed add
# writes into the run's folder; check reports the error as a finding).
def commands(article: Path, folder: Path) -> dict[str, list[object]]:
    return {
        "inspect": ["inspect", article],
        "email": ["email", article],
        "thread": ["thread", article, "-p", "x"],
        "rss": ["rss", article],
        "feed add": ["feed", "add", article, "--feed", folder / "feed.xml"],
        "check": ["check", article],
        "render": ["render", article, "-o", folder / "out", "-q"],
    }


def assert_refused_everywhere(article: Path, folder: Path, *fragments: str) -> None:
    """Every command refuses `article` with a message holding `fragments`,
    exit 1, and writes no feed."""
    (folder / "masthead.toml").write_text(SITE, encoding="utf-8")
    for name, args in commands(article, folder).items():
        run = masthead(*args, cwd=folder)
        stderr = run.stderr.decode()
        assert run.returncode == 1, (name, stderr)
        assert "Traceback" not in stderr and "internal error" not in stderr, (name, stderr)
        if name == "check":  # a finding per problem, then the count
            text = run.stdout.decode() + stderr
            line = next(x for x in text.splitlines() if "[unreadable]" in x)
        elif name == "render":  # the failed article's error, after the run's summary
            line = next(x for x in stderr.splitlines() if x.startswith("error: "))
        else:
            line = one_error_line(stderr)
        for fragment in fragments:
            assert fragment in line, (name, line)
        assert not (folder / "feed.xml").exists(), name


# --- 6: YAML alias bombs ---------------------------------------------------------


def test_alias_bomb_is_refused_quickly_in_every_command(tmp_path):
    """Ten levels of ten aliases: 10^10 values in 13 lines. Before, `inspect`
    ran past the timeout with its memory growing."""
    bomb = HOSTILE / "alias_bomb.md"
    # lol0..lol2 stand for 11, 111 and 1,111 values; line 6 (lol3's) passes 10,000.
    assert_refused_everywhere(bomb, tmp_path, f"{bomb}:6:", "aliases", "10,000")


def test_many_aliases_are_refused_even_when_each_is_small(cli, tmp_path):
    aliases = "\n".join(f"k{n}: *v" for n in range(101))
    path = tmp_path / "many.md"
    path.write_text(f"---\ntitle: Many\nv: &v x\n{aliases}\n---\n\nBody.\n", encoding="utf-8")
    run = cli("inspect", path)
    assert run.exit_code == 1
    # the 101st alias is the front matter's 104th line
    assert one_error_line(run.stderr).startswith(f"error: {path}:104: "), run.stderr
    assert "more than 100 YAML aliases" in run.stderr


def test_an_alias_inside_its_own_anchor_is_refused(cli):
    """It built a list that holds itself: inspect crashed with RecursionError."""
    path = HOSTILE / "alias_recursive.md"
    run = cli("inspect", path, "-f", "json")
    line = one_error_line(run.stderr)
    assert line.startswith(f"error: {path}:3: ") and "*loop" in line and "&loop" in line


def test_deeply_nested_front_matter_is_refused(cli, tmp_path):
    """900 nested lists were within libyaml's limit and crashed inspect with
    a RecursionError."""
    path = tmp_path / "deep.md"
    deep = "[" * 900 + "]" * 900
    path.write_text(f"---\ntitle: Deep\nnested: {deep}\n---\n\nBody.\n", encoding="utf-8")
    line = one_error_line(cli("inspect", path, "-f", "json").stderr)
    assert line.startswith(f"error: {path}:3: ") and "32 levels" in line


def test_front_matter_with_a_few_anchors_reads_as_before(cli):
    run = cli("inspect", HOSTILE / "anchors.md", "-f", "json")
    assert run.exit_code == 0, run.stderr
    data = run.json()
    assert data["authors"] == ["Jo Park"]
    assert data["tags"] == ["a", "b"]
    extra = data["extra"]
    assert extra["editor"] == "Jo Park"
    assert extra["keywords_copy"] == ["a", "b"]
    # the merge key copies the anchored mapping, and the key written beside it wins
    assert extra["extra_info"] == {"layout": "wide", "comments": True}


def test_yaml_syntax_errors_still_name_their_line(cli, tmp_path):
    path = tmp_path / "bad.md"
    path.write_text('---\ntitle: Fine\n\nsubtitle: "never closed\n---\n\nBody.\n', encoding="utf-8")
    line = one_error_line(cli("inspect", path).stderr)
    assert "not valid YAML" in line and line.startswith(f"error: {path}:")


# --- 9: named pipes and devices ------------------------------------------------------


def test_a_named_pipe_is_refused_not_waited_on(tmp_path):
    """Before, every command but render (which skips pipes in a folder) opened
    the pipe and blocked forever; render blocked too when named one."""
    fifo = tmp_path / "article.txt"
    os.mkfifo(fifo)
    assert_refused_everywhere(fifo, tmp_path, str(fifo), "not a regular file", "'-'")


def test_a_pipe_in_a_folder_is_skipped_by_render(tmp_path):
    (tmp_path / "masthead.toml").write_text(SITE, encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.md")
    (tmp_path / "good.md").write_text(GOOD_MD, encoding="utf-8")
    run = masthead("render", tmp_path, "-o", tmp_path / "out", "-q", cwd=tmp_path)
    assert run.returncode == 0, run.stderr.decode()
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if p.is_dir()) == ["good"]


def test_a_device_is_refused(cli):
    line = one_error_line(cli("inspect", "/dev/null").stderr)
    assert "/dev/null" in line and "not a regular file" in line


def test_standard_input_is_still_read_with_a_dash(tmp_path):
    run = masthead("inspect", "-", "-f", "json", cwd=tmp_path, stdin=GOOD_MD.encode())
    assert run.returncode == 0, run.stderr.decode()
    assert json.loads(run.stdout)["title"] == "A Good Article"


# --- 10: dates out of range --------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("date_year_zero.md", "no year 0"),  # was: internal error (ValueError)
        ("date_overflow.md", "after the year 9999"),  # was read, then OverflowError in feeds
    ],
)
def test_a_date_out_of_range_is_a_clear_error(cli, tmp_path, name, fragment):
    (tmp_path / "masthead.toml").write_text(SITE, encoding="utf-8")
    path = HOSTILE / name
    for args in (["inspect", path], ["rss", path], ["feed", "add", path, "--feed", "f.xml"]):
        line = one_error_line(cli(*args).stderr)
        assert line.startswith(f"error: {path}:3: front matter 'date' ") and fragment in line
    assert not (tmp_path / "f.xml").exists()


@pytest.mark.parametrize(
    ("date", "fragment"),
    [
        ("0000-00-00", "no year 0"),
        ("9999-12-31T23:59:59-12:00", "after the year 9999"),
        ("0001-01-01T00:00:00+14:00", "before the year 1000"),
        ("0999-12-31", "before the year 1000"),
    ],
)
def test_updated_and_byline_dates_are_held_to_the_same_range(cli, tmp_path, date, fragment):
    md = tmp_path / "updated.md"
    md.write_text(
        f"---\ntitle: T\ndate: 2026-03-03\nupdated: {date}\n---\n\nBody.\n", encoding="utf-8"
    )
    line = one_error_line(cli("inspect", md).stderr)
    assert line.startswith(f"error: {md}:4: front matter 'updated' ") and fragment in line
    seed = tmp_path / "byline.txt"
    seed.write_text(f"Title\nBy Ann Lee — {date} — 3 min read\nDek.\nBody.\n", encoding="utf-8")
    line = one_error_line(cli("inspect", seed).stderr)
    assert line.startswith(f"error: {seed}:2: byline date ") and fragment in line


@pytest.mark.parametrize("name", ["date_year_zero.md", "date_overflow.md"])
def test_render_fails_only_the_article_with_the_bad_date(cli, tmp_path, name):
    """Before, 9999-12-31T23:59:59-12:00 was read and then stopped the feed
    update for every article (an internal OverflowError, no feed at all)."""
    (tmp_path / "masthead.toml").write_text(SITE, encoding="utf-8")
    site = tmp_path / "site"
    site.mkdir()
    (site / name).write_bytes((HOSTILE / name).read_bytes())
    (site / "good.md").write_text(GOOD_MD, encoding="utf-8")
    out = tmp_path / "out"
    run = cli("render", site, "-o", out, "-q")
    assert run.exit_code == 1  # an article failed, as for any article that fails
    errors = [x for x in run.stderr.splitlines() if x.startswith("error: ")]
    assert len(errors) == 1 and errors[0].startswith(f"error: {site / name}:3: "), run.stderr
    assert "internal error" not in run.stderr
    assert (out / "good" / "email.html").is_file()
    assert not (out / Path(name).stem.replace("_", "-")).exists()
    for feed in ("feed.xml", "atom.xml"):
        parsed = feedparser.parse((out / feed).read_bytes())
        assert parsed.bozo == 0 and [e.title for e in parsed.entries] == ["A Good Article"]
    items = json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"]
    assert [i["title"] for i in items] == ["A Good Article"]


def test_a_bad_timestamp_in_another_key_is_kept_as_written(cli, tmp_path):
    """YAML raised a bare ValueError for any key; a key Masthead does not read keeps its text."""
    path = tmp_path / "extra.md"
    path.write_text("---\ntitle: T\nexpires: 0000-00-00\n---\n\nBody.\n", encoding="utf-8")
    run = cli("inspect", path, "-f", "json")
    assert run.exit_code == 0, run.stderr
    assert run.json()["extra"] == {"expires": "0000-00-00"}


# --- 12: UTF-16 and UTF-32 ------------------------------------------------------------


SEED_TEXT = "Tides and Timetables 🌊\nBy Zoë Ødegaard — 2026-03-03\nA dek with 東京.\nThe lead.\n"


@pytest.mark.parametrize(
    ("codec", "bom"),
    [
        ("utf-16-le", b"\xff\xfe"),
        ("utf-16-be", b"\xfe\xff"),
        ("utf-32-le", b"\xff\xfe\x00\x00"),
        ("utf-32-be", b"\x00\x00\xfe\xff"),
    ],
)
def test_text_with_a_byte_order_mark_is_read_in_its_encoding(cli, tmp_path, codec, bom):
    """Before, every one of them was 'a binary file'."""
    path = tmp_path / "tides.txt"
    path.write_bytes(bom + SEED_TEXT.replace("\n", "\r\n").encode(codec))
    run = cli("inspect", path, "-f", "json")
    assert run.exit_code == 0, run.stderr
    data = run.json()
    assert data["title"] == "Tides and Timetables 🌊"
    assert data["authors"] == ["Zoë Ødegaard"]
    assert data["dek"] == "A dek with 東京."
    assert data["lead"] == ["The lead."]
    # and every channel gets the same article as from the UTF-8 file
    utf8 = tmp_path / "utf8" / "tides.txt"
    utf8.parent.mkdir()
    utf8.write_text(SEED_TEXT, encoding="utf-8")
    assert cli("email", path).stdout == cli("email", utf8).stdout


@pytest.mark.parametrize("name", ["utf16le_bom.txt", "utf16be_bom.md"])
def test_utf16_samples_render(cli, tmp_path, name):
    (tmp_path / "masthead.toml").write_text(SITE, encoding="utf-8")
    run = cli("render", HOSTILE / name, "-o", tmp_path / "out", "-q")
    assert run.exit_code == 0, run.stderr
    folder = tmp_path / "out" / Path(name).stem.replace("_", "-")
    title = "Notes From the Harbour 🚢" if name.endswith(".txt") else "Big-endian front matter"
    assert title in (folder / "email.html").read_text(encoding="utf-8")
    assert ET.parse(folder / "item.xml").getroot().findtext("title") == title


def test_utf16_markdown_on_standard_input_is_found_to_be_markdown(tmp_path):
    data = b"\xff\xfe" + GOOD_MD.encode("utf-16-le")
    run = masthead("inspect", "-", "-f", "json", cwd=tmp_path, stdin=data)
    assert run.returncode == 0, run.stderr.decode()
    assert json.loads(run.stdout)["title"] == "A Good Article"


def test_utf16_without_a_mark_says_to_save_as_utf8(cli):
    path = HOSTILE / "utf16_no_bom.txt"
    line = one_error_line(cli("inspect", path).stderr)
    assert line == (
        f"error: {path}: looks like UTF-16 text without a byte-order mark; save the file as UTF-8"
    )


def test_a_broken_utf16_file_names_the_line_and_offset(cli, tmp_path):
    path = tmp_path / "broken.txt"
    # a lone high surrogate (0xd83d) on line 3, after the mark and 13 characters
    path.write_bytes(b"\xff\xfe" + "Title\nDek.\nA ".encode("utf-16-le") + b"\x3d\xd8" + b"x\x00")
    line = one_error_line(cli("inspect", path).stderr)
    assert line.startswith(f"error: {path}:3: byte 0x3d at offset 28 is not valid UTF-16")


def test_binary_is_still_binary(cli, tmp_path):
    path = tmp_path / "blob.txt"
    controls = "".join(map(chr, range(32))) * 8
    path.write_bytes(b"\xff\xfe" + controls.encode("utf-16-le"))  # a mark, then controls
    assert "binary" in one_error_line(cli("inspect", path).stderr)


# --- 13: Unicode line separators ---------------------------------------------------------


def test_line_separators_split_the_seed_layout(cli):
    """Before, the title swallowed the byline, the dek and the rest: the
    article had 'no dek and no body'."""
    run = cli("inspect", HOSTILE / "line_separators.txt", "-f", "json")
    assert run.exit_code == 0, run.stderr
    data = run.json()
    assert data["title"] == "Line Separators Split the Layout"  # U+2028
    assert data["authors"] == ["Rui Costa"] and data["date"] == "2026-03-05"  # U+2029
    assert data["dek"] == "The dek comes after a paragraph separator."  # NEL
    assert data["lead"] == [
        "A lead paragraph after a next-line character.",  # VT
        "Another after a vertical tab, as word processors write manual breaks.",  # FF
    ]
    assert [s["heading"] for s in data["sections"]] == ["Section After a Form Feed"]


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85", "\x0b", "\x0c"])
def test_a_line_separator_counts_as_a_line_in_errors(cli, tmp_path, separator):
    path = tmp_path / "a.txt"
    path.write_text(separator.join(["Title", "By Ann — February 30, 2026", "Dek.", "Body."]))
    line = one_error_line(cli("inspect", path).stderr)
    assert line.startswith(f"error: {path}:2: ") and "not a real day" in line


def test_line_separators_in_markdown_are_line_breaks(cli, tmp_path):
    """Decided: in Markdown they are line ends too (YAML says so for the front
    matter): inside a paragraph a soft break, read as a space — never
    words glued together — and a line after one can start a heading."""
    path = tmp_path / "a.md"
    path.write_text(
        "---\ntitle: T\u2028subtitle: The dek\n---\n\n"
        "First line\u2028second line\x85third line.\u2029## A Section\u2029\u2029Its text.\n",
        encoding="utf-8",
    )
    run = cli("inspect", path, "-f", "json")
    assert run.exit_code == 0, run.stderr
    data = run.json()
    assert data["title"] == "T" and data["dek"] == "The dek"
    assert data["lead"] == ["First line second line third line."]
    assert [s["heading"] for s in data["sections"]] == ["A Section"]


# --- 15: slugs Windows reserves ------------------------------------------------------------


@pytest.mark.parametrize(
    ("file_name", "front_matter_slug", "slug"),
    [
        ("con.txt", None, "con-article"),
        ("Aux.md", None, "aux-article"),
        ("post.md", "NUL", "nul-article"),
        ("post.md", "com1", "com1-article"),
        ("post.md", "LPT9", "lpt9-article"),
        ("post.md", "prn", "prn-article"),
        # not reserved: as before
        ("console.txt", None, "console"),
        ("post.md", "con-1", "con-1"),
        ("post.md", "com10", "com10"),
    ],
)
def test_a_slug_windows_reserves_gets_a_suffix(cli, tmp_path, file_name, front_matter_slug, slug):
    path = tmp_path / file_name
    if path.suffix == ".md":
        line = f"slug: {front_matter_slug}\n" if front_matter_slug else ""
        path.write_text(f"---\ntitle: Device Names\n{line}---\n\nBody.\n", encoding="utf-8")
    else:
        path.write_text("Device Names\nThe dek.\nBody.\n", encoding="utf-8")
    run = cli("inspect", path, "-f", "json")
    assert run.exit_code == 0, run.stderr
    assert run.json()["slug"] == slug


def test_a_reserved_title_on_standard_input_gets_a_suffix_and_render_uses_it(cli, tmp_path):
    run = cli("inspect", "-", "-f", "json", input="Con\nThe dek.\nBody.\n")
    assert run.json()["slug"] == "con-article"
    (tmp_path / "masthead.toml").write_text(SITE, encoding="utf-8")
    run = cli("render", HOSTILE / "reserved_slug.md", "-o", tmp_path / "out", "-q")
    assert run.exit_code == 0, run.stderr
    assert (tmp_path / "out" / "con-article" / "email.html").is_file()
    assert not (tmp_path / "out" / "con").exists()


# --- hypothesis: front-matter dates --------------------------------------------------------

CONFIG = parse_config(SITE)
NOW = dt.datetime(2026, 3, 3, tzinfo=dt.UTC)
FIRST, LAST = 1000, 9999  # the years a feed can carry, in UTC

offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))
# Any moment a feed can carry whatever its offset, and any day from year 1.
moments = st.builds(
    lambda d, offset: d.replace(tzinfo=offset),
    st.datetimes(
        min_value=dt.datetime(FIRST, 1, 2), max_value=dt.datetime(LAST, 12, 30, 23, 59, 59)
    ),
    offsets,
)
# The edges: the first and last instants of years 1, 999, 1000 and 9999,
# up to fourteen hours either side of UTC.
edges = st.builds(
    lambda year, end, hours: (
        dt.datetime(year, 12, 31, 23, 59, 59) if end else dt.datetime(year, 1, 1)
    ).replace(tzinfo=dt.timezone(dt.timedelta(hours=hours))),
    st.sampled_from([1, 999, 1000, 9999]),
    st.booleans(),
    st.sampled_from([-14, -12, 0, 12, 14]),
)
MONTHS = list(calendar.month_name)[1:]


def _written_moment(value: dt.datetime, style: int) -> str:
    """ISO 8601, by hand (strftime does not pad years before 1000): with a
    T or a space, the offset as ±HH:MM or Z."""
    offset = value.utcoffset()
    if style == 0 and offset == dt.timedelta(0):
        zone = "Z"
    else:
        sign = "-" if offset < dt.timedelta(0) else "+"
        minutes = abs(offset) // dt.timedelta(minutes=1)
        zone = f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    day = f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    time = f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    return f"{day}{' ' if style == 1 else 'T'}{time}{zone}"


def _written_day(day: dt.date, style: int) -> str:
    month = MONTHS[day.month - 1]
    return [
        f"{day.year:04d}-{day.month:02d}-{day.day:02d}",
        f"{month} {day.day}, {day.year:04d}",
        f"{day.day} {month[:3]} {day.year:04d}",
        f"{day.year:04d}/{day.month:02d}/{day.day:02d}",
    ][style]


def _utc(value: dt.datetime) -> dt.datetime | None:
    """The instant in UTC, or None where Python's datetime cannot hold it."""
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        return None


# (what is written, the UTC instant a feed must carry or None for "refuse",
# or the string "?" when either outcome is fine)
def moment_case(values: st.SearchStrategy[dt.datetime]) -> st.SearchStrategy:
    return st.builds(
        lambda value, style: (_written_moment(value, style), _utc(value)),
        values,
        st.integers(0, 2),
    )


day_case = st.builds(
    lambda day, style: (
        _written_day(day, style),
        dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC),
    ),
    st.one_of(st.dates(min_value=dt.date(FIRST, 1, 1)), st.dates(max_value=dt.date(FIRST, 1, 1))),
    st.integers(0, 3),
)
impossible = st.sampled_from(
    [
        *("0000-00-00", "2026-02-30", "2026-13-01", "2026-00-10", "0000-01-01T00:00:00Z"),
        *("9999-12-31T23:59:59-00:01", "February 29, 2025", "31 Apr 2026", "10000-01-01"),
    ]
).map(lambda text: (text, None))
anything = st.text(max_size=30).map(lambda text: (text, "?"))
case = st.tuples(
    st.one_of(moment_case(moments), day_case, moment_case(edges), impossible, anything),
    st.booleans(),
)


def yaml_quoted(text: str) -> str:
    """`text` as a YAML double-quoted scalar, every character but printable
    ASCII escaped by code point. (json.dumps would do but for characters past
    U+FFFF: it escapes them as surrogate pairs, which YAML refuses.)"""
    return '"' + "".join(
        c if " " <= c <= "~" and c not in '"\\' else f"\\U{ord(c):08x}" for c in text
    ) + '"'


def _in_range(expected: dt.datetime | None) -> bool:
    return expected is not None and FIRST <= expected.year <= LAST


def _feed_dates(folder: Path, article) -> list[dt.datetime]:
    """The article's date as read back from the RSS, Atom and JSON feeds."""
    feed, atom, json_feed = folder / "feed.xml", folder / "atom.xml", folder / "feed.json"
    add_articles(feed, [article], CONFIG, now=NOW, siblings=Siblings(atom, json_feed))
    dates = []
    for path in (feed, atom):
        parsed = feedparser.parse(path.read_bytes())
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        (entry,) = parsed.entries
        dates.append(dt.datetime(*entry.published_parsed[:6], tzinfo=dt.UTC))
    (item,) = json.loads(json_feed.read_text(encoding="utf-8"))["items"]
    dates.append(dt.datetime.fromisoformat(item["date_published"].replace("Z", "+00:00")))
    return dates


def test_front_matter_dates_reach_every_feed_or_fail_on_their_line():
    outcomes: Counter[str] = Counter()

    @settings(max_examples=300)
    @given(case)
    def check(example):
        (written, expected), plain = example
        # Quoted, or plain where YAML reads it as its own timestamp (a date
        # made by the strategies), so that both ways into the reader are taken.
        value = written if plain and expected != "?" else yaml_quoted(written)
        source = f"---\ntitle: Dated\ndate: {value}\n---\n\nThe body.\n"
        try:
            article = read_bytes(source.encode("utf-8"), name="dated.md", fmt="markdown")
        except ReaderError as exc:
            assert exc.path == "dated.md"
            assert exc.line == 3 and exc.message.startswith("front matter 'date' "), str(exc)
            assert expected == "?" or not _in_range(expected), (written, str(exc))
            outcomes["refused"] += 1
            return
        assert expected == "?" or _in_range(expected), (written, article.date)
        with tempfile.TemporaryDirectory() as folder:
            dates = _feed_dates(Path(folder), article)
        assert dates[0] == dates[1] == dates[2], (written, dates)
        if expected != "?":
            assert dates[0] == expected.replace(microsecond=0), (written, dates)
        outcomes["feeds"] += 1

    check()
    total = outcomes["feeds"] + outcomes["refused"]
    assert outcomes["feeds"] > total / 2, outcomes
    assert outcomes["refused"] > total / 10, outcomes
