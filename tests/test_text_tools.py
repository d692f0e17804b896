"""Dates, URLs and atomic writes: the small tools the readers and writers share."""

from __future__ import annotations

import errno
import os
import stat
import string
import textwrap
import threading
from collections import Counter
from datetime import date
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from generator.errors import MastheadError
from generator.readers.dates import DateError, looks_like_date, parse_date
from generator.text.urls import article_link, find_urls, is_safe_href
from generator.text.wrapping import fill
from generator.writers import write_atomic


@pytest.mark.parametrize(
    "text",
    [
        "March 3, 2026",
        "Mar 3, 2026",
        "Mar. 3 2026",
        "3 March 2026",
        "3rd March 2026",
        "2026-03-03",
        "2026/3/3",
        "march 3, 2026",
    ],
)
def test_date_forms(text):
    assert parse_date(text) == date(2026, 3, 3)
    assert looks_like_date(text)


def test_datetime_with_and_without_offset():
    assert parse_date("2026-03-03T09:30:00+01:00").isoformat() == "2026-03-03T09:30:00+01:00"
    assert parse_date("2026-03-03T09:30:00Z").isoformat() == "2026-03-03T09:30:00+00:00"
    assert parse_date("2026-03-03 09:30").isoformat() == "2026-03-03T09:30:00+00:00"


@pytest.mark.parametrize("text", ["February 30, 2026", "2026-13-01", "Smarch 3, 2026", "soon"])
def test_bad_dates(text):
    with pytest.raises(DateError):
        parse_date(text)


def spans(text):
    return [text[s:e] for s, e in find_urls(text)]


def test_find_urls_trims_sentence_punctuation():
    assert spans("See https://a.example/x?y=1.") == ["https://a.example/x?y=1"]
    assert spans("(see https://en.wikipedia.org/wiki/Bee_(disambiguation))") == [
        "https://en.wikipedia.org/wiki/Bee_(disambiguation)"
    ]
    assert spans("“https://a.example/q”, she said") == ["https://a.example/q"]
    assert spans("no scheme example.com or ftp://x.example") == []
    assert spans("http:// alone") == []


def test_safe_href():
    assert is_safe_href("https://x.example")
    assert is_safe_href("MAILTO:a@b.example")
    assert not is_safe_href("javascript:alert(1)")
    assert not is_safe_href(" data:text/html,x")
    assert not is_safe_href("relative/path")


def test_article_link():
    assert article_link("https://a.example/p", "https://site.example", "s") == "https://a.example/p"
    assert article_link(None, "https://site.example/", "my-slug") == "https://site.example/my-slug/"
    assert article_link(None, "", "my-slug") is None


def test_write_atomic_replaces_and_keeps_mode(tmp_path):
    target = tmp_path / "out.txt"
    write_atomic(target, "first")
    os.chmod(target, 0o640)
    write_atomic(target, "second")
    assert target.read_text() == "second"
    assert target.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_write_atomic_failure_keeps_old_file(tmp_path, monkeypatch):
    target = tmp_path / "out.txt"
    target.write_text("precious")

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(MastheadError, match="No space left"):
        write_atomic(target, "new content")
    assert target.read_text() == "precious"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_write_atomic_writes_through_a_link(tmp_path):
    real = tmp_path / "real.html"
    real.write_text("old")
    link = tmp_path / "link.html"
    link.symlink_to("real.html")
    write_atomic(link, "new")
    assert link.is_symlink()
    assert real.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.html", "real.html"]


def test_write_atomic_writes_into_a_pipe_not_over_it(tmp_path):
    # A FIFO, not /dev/null: were this broken, a test run as root would
    # replace the machine's /dev/null with a file.
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_text()))
    reader.start()
    write_atomic(pipe, "through the pipe")
    reader.join(5)
    assert received == ["through the pipe"]
    assert stat.S_ISFIFO(pipe.stat().st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]


def test_write_atomic_to_dev_fd_writes_to_that_open_file(tmp_path):
    """`-o /dev/stdout >> log` appends to the log through the open
    descriptor; the log is neither replaced nor overwritten from the start."""
    log = tmp_path / "log.txt"
    log.write_text("KEEP\n")
    fd = os.open(log, os.O_WRONLY | os.O_APPEND)
    try:
        write_atomic(f"/dev/fd/{fd}", "new\n")
    finally:
        os.close(fd)
    assert log.read_text() == "KEEP\nnew\n"
    assert [p.name for p in tmp_path.iterdir()] == ["log.txt"]
    with pytest.raises(MastheadError, match="cannot write here"):
        write_atomic("/dev/fd/999", "x")  # not open


def test_write_atomic_to_a_folder_is_an_error(tmp_path):
    with pytest.raises(MastheadError, match="is a folder"):
        write_atomic(tmp_path, "x")


def test_write_atomic_missing_folder(tmp_path):
    with pytest.raises(MastheadError, match="does not exist"):
        write_atomic(tmp_path / "missing" / "out.txt", "x")


@settings(max_examples=500, deadline=None)
@given(
    words=st.lists(
        st.text(
            st.characters(blacklist_categories=("Zs", "Zl", "Zp", "Cc", "Cs")),
            min_size=1,
            max_size=30,
        ),
        max_size=40,
    ),
    width=st.integers(10, 90),
    indent=st.sampled_from(["", "  ", "    "]),
)
def test_fill_wraps_like_textwrap(words, width, indent):
    """Single-spaced text wraps exactly as textwrap does with long words and
    hyphens left whole."""
    text = " ".join(words)
    expected = textwrap.fill(
        text,
        width=width,
        initial_indent=indent,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    assert fill(text, width, indent, indent) == expected


def test_fill_keeps_no_break_spaces_and_long_words():
    text = "Distance: 10\u00a0km " + "https://example.com/" + "a" * 80 + " end"
    lines = fill(text, 20).split("\n")
    assert lines == ["Distance: 10\u00a0km", "https://example.com/" + "a" * 80, "end"]
    assert fill("  \n ", 72) == ""
    assert fill("a  b\tc", 72) == "a b c"


def test_terminal_escape_sequences_are_dropped_whole():
    """A colour code pasted from a terminal leaves nothing behind, not '[31m'."""
    from generator.readers.source import decode

    raw = (
        "Red \x1b[31mwarning\x1b[0m and \x1b[1;32mgreen\x1b[m, a title\x1b]0;x\x07, "
        "a bell \x07, a stray \x1b end.\n"
    )
    assert decode(raw.encode(), "a.txt") == (
        "Red warning and green, a title, a bell , a stray  end.\n"
    )


def test_a_stray_escape_loses_no_text():
    from generator.readers.source import decode

    assert decode(b"See \x1b[Link](x)\n", "a.txt") == "See [Link](x)\n"
    raw = b"Title \x1b]oops\n\nWhole paragraph\x07 end\n"
    assert decode(raw, "a.txt") == "Title ]oops\n\nWhole paragraph end\n"


def test_a_temporary_file_left_by_a_killed_run_is_not_in_the_way(tmp_path, monkeypatch):
    import generator.writers as writers

    target = tmp_path / "feed.xml"
    names = iter(["aaaaaaaaaaaa", "aaaaaaaaaaaa", "bbbbbbbbbbbb"])
    monkeypatch.setattr(writers.secrets, "token_hex", lambda n: next(names))
    (tmp_path / ".feed.xml.aaaaaaaaaaaa.tmp").write_text("left by a kill", encoding="utf-8")
    write_atomic(target, "new")
    assert target.read_text(encoding="utf-8") == "new"
    assert (tmp_path / ".feed.xml.aaaaaaaaaaaa.tmp").read_text(encoding="utf-8") == "left by a kill"


def test_files_that_change_together_are_all_flushed_before_any_is_renamed(tmp_path, monkeypatch):
    """A flush failing on the second of two files leaves both targets as they were."""
    import generator.writers as writers
    from generator.writers import PendingFile

    first, second = tmp_path / "feed.xml", tmp_path / "atom.xml"
    first.write_text("old feed", encoding="utf-8")
    second.write_text("old atom", encoding="utf-8")
    pending = [PendingFile(first), PendingFile(second)]
    for file in pending:
        file.write(b"new")
    calls = []

    def fsync(fd):
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(writers.os, "fsync", fsync)
    with pytest.raises(MastheadError, match="Input/output error"):
        for file in pending:
            file.finish()
    for file in pending:
        file.discard()
    assert first.read_text(encoding="utf-8") == "old feed"
    assert second.read_text(encoding="utf-8") == "old atom"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["atom.xml", "feed.xml"]


def test_a_new_folder_appears_whole(tmp_path, monkeypatch):
    from generator.writers import write_folder

    seen = []
    rename = os.rename

    def watch(src, dst):
        # At the moment of the rename, the target is absent and the files are complete.
        seen.append((Path(dst).exists(), sorted(p.name for p in Path(src).iterdir())))
        rename(src, dst)

    monkeypatch.setattr(os, "rename", watch)
    write_folder(tmp_path / "story", {"a.txt": b"one", "b.txt": b"two"})
    assert seen == [(False, ["a.txt", "b.txt"])]
    assert (tmp_path / "story" / "b.txt").read_bytes() == b"two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["story"]


def test_an_existing_folder_gets_each_file_replaced(tmp_path):
    from generator.writers import write_folder

    folder = tmp_path / "story"
    folder.mkdir()
    (folder / "a.txt").write_bytes(b"old")
    (folder / "keep.txt").write_bytes(b"mine")
    write_folder(folder, {"a.txt": b"new", "b.txt": b"two"})
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == {
        "a.txt": b"new",
        "b.txt": b"two",
        "keep.txt": b"mine",
    }


def test_a_folder_that_appears_meanwhile_gets_the_files(tmp_path, monkeypatch):
    from generator.writers import write_folder

    rename = os.rename

    def late(src, dst):
        Path(dst).mkdir()
        (Path(dst) / "other.txt").write_bytes(b"x")
        rename(src, dst)  # a folder with files in it: the rename fails

    monkeypatch.setattr(os, "rename", late)
    write_folder(tmp_path / "story", {"a.txt": b"one"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["story"]
    assert sorted(p.name for p in (tmp_path / "story").iterdir()) == ["a.txt", "other.txt"]


def test_a_failed_folder_write_leaves_nothing(tmp_path, monkeypatch):
    from generator import writers
    from generator.writers import write_folder

    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(writers.os, "write", full)
    with pytest.raises(MastheadError, match="No space left"):
        write_folder(tmp_path / "story", {"a.txt": b"one"})
    assert list(tmp_path.iterdir()) == []


# A host, and a path of RFC 3986 path characters: the links articles hold.
_HOSTS = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?(\.[a-z]{2,6}){1,2}", fullmatch=True)
_PATH_CHARACTERS = string.ascii_letters + string.digits + "-._~!$&'()*+,;=:@%/"
_UNRESERVED = string.ascii_letters + string.digits + "-._~"


_PLAIN_LINKS = st.builds(
    lambda scheme, host, path: f"{scheme}{host}{'/' if path[:1] != '/' else ''}{path}",
    st.sampled_from(["https://", "http://"]),
    _HOSTS,
    st.text(alphabet=_PATH_CHARACTERS, max_size=30),
)
# A site's address alone ("https://news.example" or with "/").
_SITE_LINKS = st.builds(
    str.__add__, st.sampled_from(["https://", "http://"]), _HOSTS.map(str) | _HOSTS.map("{}/".format)
)
# A plain link with a query or a fragment after it, to merge with or keep.
_QUERY_PARTS = st.text(alphabet=_PATH_CHARACTERS + "?", max_size=12)
_LINKS_WITH_MORE = st.builds(
    lambda link, query, fragment: link + query + fragment,
    _PLAIN_LINKS,
    st.just("") | _QUERY_PARTS.map("?".__add__),
    st.just("") | _QUERY_PARTS.map("#".__add__),
)
# Anything after the scheme: brackets, spaces, non-ASCII, no host.
_ANY_LINKS = st.builds(
    str.__add__,
    st.sampled_from(["https://", "http://", "HTTPS://"]),
    st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=40) | st.text(max_size=30),
)
# Plain links and sites, the common case, are two kinds of four, and the other
# two reach the quick path too when they have no query or fragment: about 80 %
# of the examples take it (asserted below), the rest merge.
_LINKS = st.one_of(_PLAIN_LINKS, _SITE_LINKS, _LINKS_WITH_MORE, _ANY_LINKS)


# UTM-like parameters, now and then with a character a query must escape.
_PARAM_TEXT = _UNRESERVED + " &=+%/?#"
_PARAMS = (
    st.dictionaries(
        st.text(_PARAM_TEXT, min_size=1, max_size=6),
        st.text(_PARAM_TEXT, max_size=8),
        min_size=1,
        max_size=3,
    )
    | st.dictionaries(st.text(max_size=5), st.text(max_size=8), min_size=1, max_size=3)
)


def merged_by_urllib(url: str, params: dict[str, str]) -> str:
    """The oracle, from urllib.parse alone: the keys of `url`'s query that
    `params` does not name, in their order, then `params`; scheme, host, path
    and fragment as urllib reads them."""
    scheme, netloc, path, query, fragment = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k not in params]
    return urlunsplit((scheme, netloc, path, urlencode(kept + list(params.items())), fragment))


def test_query_added_on_the_end_only_where_a_full_merge_gives_the_same(monkeypatch):
    from generator.text import urls

    # Counts the examples that leave the quick path, behaviour unchanged.
    taken = Counter()
    merge = urls._merged_query

    def counted(url: str, params: dict[str, str]) -> str:
        taken["merged"] += 1
        return merge(url, params)

    monkeypatch.setattr(urls, "_merged_query", counted)

    @settings(max_examples=3000)
    @example(url="https:////x", params={"a": "b"})
    @example(url="https://", params={"a": "b"})
    @example(url="https://e.com/p/", params={"utm_source": "x", "c": "a-b.c~d_9"})
    @example(url="https://e.com/p/", params={"utm_source": "x y", "c": "é&"})
    @example(url="https://e.com/p?a=1&b=2#top", params={"a": "x", "c": "3"})
    @example(url="https://e.com/p", params={})
    @example(url="https://e.com/p#top", params={"a": "b"})
    @example(url="https://e.com/p", params={"utm_source": "x y"})
    @given(url=_LINKS, params=_PARAMS)
    def check(url: str, params: dict[str, str]) -> None:
        taken["examples"] += 1
        try:
            expected = merged_by_urllib(url, params)
        except ValueError:  # urlsplit refuses it (a stray '['): so must add_query
            with pytest.raises(ValueError):
                urls.add_query(url, params)
            return
        assert urls.add_query(url, params) == expected

    check()
    # Most examples are plain links that get the query on the end without a
    # merge: the quick path is what is tested, not only the slow one.
    assert taken["examples"] >= 3000
    assert taken["merged"] <= 0.25 * taken["examples"], taken


def test_display_width_counts_columns():
    from generator.text.wrapping import display_width

    assert display_width("Bees") == 4
    assert display_width("Bees 🐝") == 7
    assert display_width("日本語") == 6
    assert display_width("e\u0301") == 1
    assert display_width("👩\u200d💻") == 4  # two wide emoji a terminal may join
    assert display_width("❤\ufe0f") == 2
    assert display_width("❤") == 1


TAKEAWAY_HEADINGS = {
    "Key Takeaways": True,
    "🔑 Key Takeaways:": True,
    "Three Takeaways": True,
    "Executive Summary": True,
    "Summary (TL;DR)": True,
    "Key Takeaways: Q3 2024": True,
    "Key points to remember": True,
    "What to Know": True,
    "Takeaway Food Sales Rise": False,
    "Summary Judgment Denied in Smith Case": False,
}
WHY_HEADINGS = {
    "Why It Matters": True,
    "Real-World Impact": True,
    "Impact of the ruling": True,
    "Environmental and Social Impact": True,
    "Policy Implications": True,
    "What’s Next": True,
    "The Outlook for 2027": True,
    "Outlook": False,  # may be the email client
    "High-Impact Grants": False,
    "Impact Fees Rise Again": False,
}


@pytest.mark.parametrize(("heading", "expected"), TAKEAWAY_HEADINGS.items())
def test_takeaway_headings(heading, expected):
    from generator.text.headings import is_takeaways

    assert is_takeaways(heading) is expected


@pytest.mark.parametrize(("heading", "expected"), WHY_HEADINGS.items())
def test_why_it_matters_headings(heading, expected):
    from generator.text.headings import is_why_it_matters

    assert is_why_it_matters(heading) is expected
