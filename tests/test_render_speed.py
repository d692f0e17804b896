"""Structural checks of the feed and writer speed work (issue 21): each fails
when its optimisation is removed. Nothing here is timed."""

from __future__ import annotations

import datetime as dt
import email.utils
import os
import subprocess
import sys
import time
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest

from generator.channels.rss.item import rfc822, xml_escape, xml_quoteattr
from generator.config import parse_config
from generator.feedfile import Siblings, add_articles
from generator.readers import read_path
from generator.writers import write_folder

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "article" / "the-great-ai-divorce.txt"

TEXTS = [
    "",
    "plain",
    "a & b < c > d",
    "&amp; already",
    "quote \" only",
    "apostrophe ' only",
    "both \" and '",
    "tab\there\nnewline\rreturn",
    "]]> -- <!-- --> <?pi?>",
    "ünïcödé ☃ 𝄞 \u202e",
]


@pytest.mark.parametrize("text", TEXTS)
def test_xml_escapes_are_the_standard_librarys(text):
    assert xml_escape(text) == escape(text)
    assert xml_quoteattr(text) == quoteattr(text)


def test_rfc822_is_email_utils_format_datetime():
    zones = [dt.UTC, dt.timezone(dt.timedelta(hours=5, minutes=30)), dt.timezone(-dt.timedelta(hours=8))]
    moments = [
        dt.datetime(2024, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=d, seconds=d * 3607)
        for d in range(0, 800, 7)
    ]
    for moment in moments:
        for zone in zones:
            aware = moment.astimezone(zone)
            assert rfc822(aware) == email.utils.format_datetime(aware)
        naive = moment.replace(tzinfo=None)
        assert rfc822(naive) == email.utils.format_datetime(naive.replace(tzinfo=dt.UTC))
        day = moment.date()
        midnight = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
        assert rfc822(day) == email.utils.format_datetime(midnight)
    assert rfc822(dt.datetime(99, 3, 4, 5, 6, 7, tzinfo=dt.UTC)) == "Wed, 04 Mar 0099 05:06:07 +0000"


def test_adding_to_a_feed_imports_no_url_or_mail_library():
    """xml.sax.saxutils pulls in urllib.request (http.client, ssl), email.utils
    pulls in socket: ~14 ms of a `feed add`'s start for an escape and a date."""
    code = (
        "import sys\n"
        "import generator.feedfile, generator.channels.rss.feed\n"
        "heavy = ['urllib.request', 'xml.sax', 'email.utils', 'http.client', "
        "'generator.channels.rss.entries']\n"
        "print([m for m in heavy if m in sys.modules])\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    run = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


def _aged(path: Path) -> Path:
    path.write_bytes(b"left by a killed run")
    then = time.time() - 7200
    os.utime(path, (then, then))
    return path


def _count_listings(monkeypatch) -> list[str]:
    listed: list[str] = []
    real = os.scandir

    def counting(path="."):
        listed.append(os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", counting)
    return listed


NAMES = ["email.html", "email.txt", "email.eml", "thread.json", "item.xml", "thread-x.txt"]


def test_writing_a_folder_lists_it_once_and_still_removes_every_leftover(tmp_path, monkeypatch):
    folder = tmp_path / "story"
    folder.mkdir()
    stale = [_aged(folder / f".{name}.0123456789ab.tmp") for name in NAMES]
    decoy = _aged(folder / ".other.txt.0123456789ab.tmp")  # not a file this write makes
    listed = _count_listings(monkeypatch)
    write_folder(folder, {name: name.encode() for name in NAMES})
    assert listed == [str(folder)]  # once, not once per file (was six times)
    assert not any(path.exists() for path in stale)
    assert decoy.exists()
    assert {p.name: p.read_bytes() for p in folder.iterdir() if not p.name.startswith(".")} == {
        name: name.encode() for name in NAMES
    }


def test_a_feed_and_its_copies_list_their_folder_once(tmp_path, monkeypatch):
    config = parse_config('site_url = "https://news.example.com"\n')
    article = read_path(SEED)
    names = ("feed.xml", "atom.xml", "feed.json")
    stale = [_aged(tmp_path / f".{name}.00000000000a.tmp") for name in names]
    listed = _count_listings(monkeypatch)
    add_articles(
        tmp_path / "feed.xml",
        [article],
        config,
        now=dt.datetime(2024, 5, 1, tzinfo=dt.UTC),
        siblings=Siblings(tmp_path / "atom.xml", tmp_path / "feed.json"),
    )
    assert listed == [str(tmp_path)]  # was three times
    assert not any(path.exists() for path in stale)
    assert all((tmp_path / name).stat().st_size > 100 for name in names)


# --- the run loop (issue 21) -----------------------------------------------------


def _corpus(folder: Path, slugs: list[str]) -> Path:
    folder.mkdir()
    body = "A short article.\n\nIts one paragraph says enough to be rendered.\n"
    for n, slug in enumerate(slugs):
        (folder / f"{n}.md").write_text(f"---\ntitle: Story {n}\nslug: {slug}\n---\n{body}")
    return folder


def _created_claims(monkeypatch) -> list[str]:
    """The claim files a run creates (O_EXCL opens in its claims folder)."""
    created: list[str] = []
    real = os.open

    def spying(path, flags, *args, **kwargs):
        if ".masthead-claims-" in os.fspath(path) and flags & os.O_EXCL:
            created.append(os.fspath(path))
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", spying)
    return created


def test_a_one_process_run_claims_slugs_in_memory(tmp_path, monkeypatch):
    from generator.render import Options, render_run

    source = _corpus(tmp_path / "src", ["one", "two", "three"])
    created = _created_claims(monkeypatch)
    config = parse_config('site_url = "https://news.example.com"\n')
    when = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    summary = render_run([source], tmp_path / "out", config, Options(), now=when, jobs=1)
    assert [r.status for r in summary.results] == ["rendered"] * 3
    assert created == []  # was a file per article


def test_a_one_process_run_still_refuses_a_slug_twice(tmp_path, monkeypatch):
    from generator.render import Options, render_run

    source = _corpus(tmp_path / "src", ["same", "same"])
    config = parse_config('site_url = "https://news.example.com"\n')
    when = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    summary = render_run([source], tmp_path / "out", config, Options(), now=when, jobs=1)
    assert [r.status for r in summary.results] == ["rendered", "failed"]
    assert "has the same slug 'same' as " in (summary.results[1].error or "")
    # A second run (the same process, as tests and a watch loop do) starts afresh.
    again = render_run([source], tmp_path / "out2", config, Options(), now=when, jobs=1)
    assert [r.status for r in again.results] == ["rendered", "failed"]


def test_a_run_resolves_each_article_path_once(tmp_path, monkeypatch):
    from generator.render import Options, render_run

    source = _corpus(tmp_path / "src", ["a", "b", "c", "d"])
    resolved: list[str] = []
    real = Path.resolve

    def counting(self, strict=False):
        resolved.append(str(self))
        return real(self, strict)

    monkeypatch.setattr(Path, "resolve", counting)
    config = parse_config('site_url = "https://news.example.com"\n')
    when = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    render_run([source], tmp_path / "out", config, Options(), now=when, jobs=1)
    articles = [p for p in resolved if p.endswith(".md")]
    assert sorted(articles) == sorted(str(source / f"{n}.md") for n in range(4))  # was twice each
