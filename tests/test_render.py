"""`masthead render` and `masthead check`, end to end through the CLI."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from conftest import ARTICLES, MASTHEAD, ROOT, SEED, subprocess_env
from htmlcheck import VALID_HOSTILE, assert_valid_html

from generator.platforms import get_platform

OUTPUTS = [
    "email.html",
    "email.txt",
    "email.eml",
    "thread-x.txt",
    "thread-bluesky.txt",
    "thread-mastodon.txt",
    "thread-threads.txt",
    "linkedin.txt",
    "thread.json",
    "item.xml",
]
SLUGS = [
    "newsletter-stack-2026",
    "small-newsrooms-bet-on-newsletters",
    "the-great-ai-divorce",
    "urban-beekeeping-guide",
]
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"


def assert_valid_output(out: Path, slugs: list[str], *, feeds: bool = True) -> None:
    for slug in slugs:
        folder = out / slug
        assert sorted(p.name for p in folder.iterdir()) == sorted(OUTPUTS), slug
        assert_valid_html((folder / "email.html").read_text(encoding="utf-8"))
        item = ET.parse(folder / "item.xml").getroot()
        assert item.tag == "item"
        content = item.findtext(CONTENT)
        assert content and "<p>" in content, "no content:encoded in the item"
        assert_valid_html(content, fragment=True)
        threads = json.loads((folder / "thread.json").read_text(encoding="utf-8"))
        assert set(threads) == {"x", "bluesky", "mastodon", "threads", "linkedin"}
        for key, thread in threads.items():
            rules = get_platform(key)
            for post in thread["posts"]:
                assert post["length"] <= rules.limit
            text = folder / ("linkedin.txt" if key == "linkedin" else f"thread-{key}.txt")
            posts = text.read_text(encoding="utf-8").rstrip("\n").split("\n---\n")
            assert len(posts) == len(thread["posts"])
            assert all(rules.fits(p) for p in posts)
    if not feeds:  # no site_url: no feed (RSS needs the site's address)
        assert {p.name for p in out.iterdir() if p.is_file()} == {".masthead-cache.json"}
        return
    for name in ("feed.xml", "atom.xml"):
        parsed = feedparser.parse((out / name).read_bytes())
        assert parsed.bozo == 0
        assert len(parsed.entries) == len(slugs)
    feed = json.loads((out / "feed.json").read_text(encoding="utf-8"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    # Nothing but the site: no lock or temporary file to be published with it.
    files = {p.name for p in out.iterdir() if p.is_file()}
    assert files == {"feed.xml", "atom.xml", "feed.json", ".masthead-cache.json"}, files
    assert len(feed["items"]) == len(slugs)


def test_readme_first_command_from_a_checkout(tmp_path):
    """The README's first command, as written, renders the samples into out/."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first = readme.split("```sh\n", 1)[1].split("\n", 1)[0]
    assert first.startswith("python3 -m venv .venv && .venv/bin/pip install . && ")
    render = first.split(" && ")[-1]
    assert render == ".venv/bin/masthead render article/ -o out/"
    checkout = tmp_path / "checkout"
    shutil.copytree(ARTICLES, checkout / "article")
    masthead = Path(sys.executable).parent / "masthead"
    result = subprocess.run(
        [str(masthead), "render", "article/", "-o", "out/"],
        cwd=checkout,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "4 rendered" in result.stdout
    assert "feeds not written" in result.stdout and "site_url" in result.stdout
    assert_valid_output(checkout / "out", SLUGS, feeds=False)


def test_render_folder_parallel_then_nothing_changed(cli, tmp_path):
    (tmp_path / "masthead.toml").write_text('site_url = "https://news.example.com"\n')
    out = tmp_path / "out"
    run = cli("render", ARTICLES, "-o", out, "--jobs", "2")
    assert run.exit_code == 0, run.stderr
    assert_valid_output(out, SLUGS)
    assert "4 rendered, 0 unchanged." in run.stdout
    assert "the-great-ai-divorce" in run.stdout and "long-subject" in run.stdout
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    run = cli("render", ARTICLES, "-o", out)
    assert run.exit_code == 0
    assert "nothing rendered" in run.stdout and "0 rendered, 4 unchanged." in run.stdout
    after = {
        p: p.stat().st_mtime_ns
        for p in out.rglob("*")
        if p.is_file() and p.name != ".masthead-cache.json"
    }
    assert all(before[p] == after[p] for p in after)
    run = cli("render", ARTICLES, "-o", out, "--force", "--quiet")
    assert run.exit_code == 0 and run.stdout == ""
    assert len(feedparser.parse((out / "feed.xml").read_bytes()).entries) == 4


def test_changing_a_source_or_the_config_re_renders(cli, tmp_path):
    src = tmp_path / "src"
    shutil.copytree(ARTICLES, src)
    out = tmp_path / "out"
    cli("render", src, "-o", out)
    seed = src / "the-great-ai-divorce.txt"
    seed.write_text(
        seed.read_text(encoding="utf-8").replace("5 min read", "6 min read"), encoding="utf-8"
    )
    run = cli("render", src, "-o", out)
    assert "1 rendered, 3 unchanged." in run.stdout
    assert "6\xa0min\xa0read" in (out / "the-great-ai-divorce" / "email.txt").read_text(
        encoding="utf-8"
    )
    (tmp_path / "masthead.toml").write_text('[brand]\nname = "The Ledger"\n', encoding="utf-8")
    run = cli("render", src, "-o", out)
    assert "4 rendered, 0 unchanged." in run.stdout


def test_changing_a_template_re_renders(tmp_path):
    """Run from a copy of the package so the test can edit a template."""
    package = tmp_path / "pkg"
    shutil.copytree(ROOT / "generator", package / "generator")
    shutil.copytree(ROOT / "templates", package / "templates")
    env = {"PYTHONPATH": str(package), "PATH": "/usr/bin:/bin"}
    command = [
        sys.executable,
        "-m",
        "generator",
        "render",
        str(ARTICLES),
        "-o",
        str(tmp_path / "out"),
    ]
    first = subprocess.run(command, env=env, capture_output=True, text=True, cwd=tmp_path)
    assert "4 rendered" in first.stdout, first.stderr
    again = subprocess.run(command, env=env, capture_output=True, text=True, cwd=tmp_path)
    assert "0 rendered, 4 unchanged" in again.stdout
    template = package / "templates" / "email" / "blocks" / "paragraph.html.j2"
    template.write_text(template.read_text().replace("<p style=", "<p data-edited style="))
    third = subprocess.run(command, env=env, capture_output=True, text=True, cwd=tmp_path)
    assert "4 rendered, 0 unchanged" in third.stdout
    assert "data-edited" in (tmp_path / "out" / "the-great-ai-divorce" / "email.html").read_text()


def test_one_broken_article_does_not_stop_the_others(cli, tmp_path):
    src = tmp_path / "src"
    shutil.copytree(ARTICLES, src)
    (src / "broken.txt").write_text(
        "Title\nBy Jane — February 30, 2026\nDek.\nBody.\n", encoding="utf-8"
    )
    (tmp_path / "masthead.toml").write_text('site_url = "https://news.example.com"\n')
    out = tmp_path / "out"
    run = cli("render", src, "-o", out, "-j", "2")
    assert run.exit_code == 1
    assert f"error: {src / 'broken.txt'}:2: byline date" in run.stderr
    assert "Traceback" not in run.stderr
    assert "4 rendered, 0 unchanged, 1 failed." in run.stdout
    assert_valid_output(out, SLUGS)


def test_duplicate_slugs_are_an_error_not_an_overwrite(cli, tmp_path):
    src = tmp_path / "src"
    (src / "a").mkdir(parents=True)
    (src / "b").mkdir()
    shutil.copy(SEED, src / "a" / "story.txt")
    (src / "b" / "story.txt").write_text("Other Story\nDek.\nBody.\n", encoding="utf-8")
    out = tmp_path / "out"
    run = cli("render", src, "-o", out, "-j", "1")
    assert run.exit_code == 1
    assert "has the same slug 'story'" in run.stderr
    assert "The Great AI Divorce" in (out / "story" / "email.txt").read_text(encoding="utf-8")
    assert not [p for p in out.rglob(".*") if p.name != ".masthead-cache.json"]


def test_drafts_skipped_unless_asked(cli, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "draft.md").write_text(
        "---\ntitle: Not Yet\ndraft: true\n---\nBody.\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    run = cli("render", src, "-o", out)
    assert "1 drafts skipped" in run.stdout
    assert not (out / "draft").exists()
    run = cli("render", src, "-o", out, "--drafts")
    assert (out / "draft" / "email.html").is_file()


def test_platform_and_esp_options(cli, tmp_path):
    out = tmp_path / "out"
    run = cli(
        "render", SEED, "-o", out, "--platform", "x", "--platform", "mastodon", "--esp", "mailchimp"
    )
    assert run.exit_code == 0, run.stderr
    names = sorted(p.name for p in (out / "the-great-ai-divorce").iterdir())
    assert "thread-x.txt" in names and "thread-mastodon.txt" in names
    assert "thread-bluesky.txt" not in names
    email = (out / "the-great-ai-divorce" / "email.html").read_text(encoding="utf-8")
    assert "*|UNSUB|*" in email
    assert_valid_html(email)


def test_hostile_articles_render_to_html_without_parse_errors(cli, tmp_path):
    """Markup, controls, right-to-left text, CRLF, a BOM in the articles: the
    email and the feed item that render makes of each still parse as HTML
    without an error."""
    for name in VALID_HOSTILE:
        out = tmp_path / name
        run = cli("render", ROOT / "tests" / "hostile" / name, "-o", out, "-j", "1")
        assert run.exit_code == 0, run.stderr
        (folder,) = [p for p in out.iterdir() if p.is_dir()]
        assert_valid_html((folder / "email.html").read_text(encoding="utf-8"))
        content = ET.parse(folder / "item.xml").getroot().findtext(CONTENT)
        assert content, name
        assert_valid_html(content, fragment=True)


# --- check -------------------------------------------------------------------------

PROBLEMS = """---
title: "{title}"
image: https://example.com/cover.png
lang: xx
---

A paragraph with a [bad link](ftp://example.com/file) and a [relative one](/about).

![](https://example.com/no-alt.png)

## Key Facts

- {long_url}
"""


def test_check_flags_each_problem(cli, tmp_path):
    article = tmp_path / "problems.md"
    article.write_text(
        PROBLEMS.format(
            title="A Title That Is Far Too Long For Any Inbox To Show Without Cutting It Off Somewhere",
            long_url="https://example.com/" + "a" * 600,
        ),
        encoding="utf-8",
    )
    run = cli("check", article, "--format", "json")
    assert run.exit_code == 1
    data = run.json()
    rules = {(f["rule"], f["severity"]) for f in data["findings"]}
    assert ("missing-alt", "warning") in rules
    assert ("long-subject", "warning") in rules
    assert ("no-preheader", "warning") in rules
    assert ("no-labels", "warning") in rules
    assert ("no-postal-address", "warning") in rules
    assert ("no-site-url", "warning") in rules
    assert ("link-scheme", "error") in rules
    assert ("relative-link", "warning") in rules
    assert ("thread-unfit", "error") in rules
    assert data["errors"] == sum(1 for f in data["findings"] if f["severity"] == "error")


def test_check_flags_images_the_email_and_feed_leave_out(cli, tmp_path):
    article = tmp_path / "images.md"
    article.write_text(
        "---\ntitle: T\ndescription: D\n---\n\nLead.\n\n![a](ftp://example.com/i.png)\n\n"
        "![b](/images/relative.png)\n\n![c](data:image/png;base64,iVBORw0KGgo=)\n\n"
        "![d](https://example.com/fine.png)\n",
        encoding="utf-8",
    )
    data = cli("check", article, "--format", "json").json()
    found = [(f["rule"], f["severity"], f["message"]) for f in data["findings"]]
    schemes = [m for rule, severity, m in found if (rule, severity) == ("image-scheme", "error")]
    assert len(schemes) == 2 and "ftp:" in schemes[0] and "data:" in schemes[1]
    assert [m for rule, _, m in found if rule == "relative-image"] == [
        "image '/images/relative.png' is relative: the email and the feed leave it out "
        "(give its full https:// address)"
    ]
    assert not any("fine.png" in m for _, _, m in found)


def test_check_email_size_rules(cli, tmp_path):
    big = tmp_path / "big.txt"
    paragraph = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 20
    big.write_text("Big\nDek.\n" + "\n".join([paragraph] * 70) + "\n", encoding="utf-8")
    run = cli("check", big, "-f", "json")
    assert ("email-large", "warning") in {
        (f["rule"], f["severity"]) for f in run.json()["findings"]
    }
    huge = tmp_path / "huge.txt"
    huge.write_text("Huge\nDek.\n" + "\n".join([paragraph] * 120) + "\n", encoding="utf-8")
    run = cli("check", huge, "-f", "json")
    assert run.exit_code == 1
    assert ("email-clipped", "error") in {
        (f["rule"], f["severity"]) for f in run.json()["findings"]
    }


def test_samples_pass_check_with_at_most_warnings(cli, tmp_path):
    (tmp_path / "masthead.toml").write_text(
        'site_url = "https://news.example.com"\npostal_address = "1 Harbour St"\n'
        '[email]\nesp = "buttondown"\n',
        encoding="utf-8",
    )
    run = cli("check", ARTICLES)
    assert run.exit_code == 0, run.stdout
    assert run.stdout.strip().endswith("0 error(s), 1 warning(s)")
    assert "long-subject" in run.stdout
    strict = cli("check", ARTICLES, "--strict")
    assert strict.exit_code == 1


def test_check_reports_unreadable_files(cli, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00binary")
    run = cli("check", bad)
    assert run.exit_code == 1
    assert "unreadable" in run.stdout


def test_run_summary_keeps_rows_not_content(tmp_path):
    """A run reports each stage's total time and keeps, per article, only what
    its summary row shows: no feed item and no timings are held per result."""
    import datetime as dt

    from generator.config import parse_config
    from generator.render import Options, render_run

    summary = render_run(
        [ARTICLES],
        tmp_path / "out",
        parse_config('site_url = "https://news.example.com"\n'),
        Options(),
        now=dt.datetime(2026, 3, 3, tzinfo=dt.UTC),
        jobs=2,
    )
    assert set(summary.timings) == {"read", "email", "thread", "rss", "write"}
    assert all(seconds > 0 for seconds in summary.timings.values())
    rendered = [r for r in summary.results if r.status == "rendered"]
    assert len(rendered) == len(SLUGS)
    assert all(r.feed_item is None and r.timings == {} for r in rendered)
    assert len(feedparser.parse((tmp_path / "out" / "feed.xml").read_bytes()).entries) == 4


def test_a_slug_rendered_earlier_is_not_taken_over_by_another_source(cli, tmp_path):
    """Across runs too: an article that would land on a folder this output
    already holds for another (still existing) source is refused."""
    first, second = tmp_path / "one", tmp_path / "two"
    first.mkdir()
    second.mkdir()
    shutil.copy(SEED, first / "story.txt")
    (second / "story.txt").write_text("Other Story\nDek.\n\nBody.\n", encoding="utf-8")
    out = tmp_path / "out"
    assert cli("render", first, "-o", out).exit_code == 0
    run = cli("render", second, "-o", out)
    assert run.exit_code == 1
    assert (
        "has the same slug 'story'" in run.stderr
        and "rendered into this folder before" in run.stderr
    )
    assert "The Great AI Divorce" in (out / "story" / "email.txt").read_text(encoding="utf-8")
    # Once the first source is gone, its slug is free again.
    (first / "story.txt").unlink()
    assert cli("render", second, "-o", out).exit_code == 0
    assert "Other Story" in (out / "story" / "email.txt").read_text(encoding="utf-8")


def test_render_reports_what_check_calls_an_error(cli, tmp_path):
    article = tmp_path / "ftp.md"
    article.write_text(
        "---\ntitle: Links\n---\n\nA paragraph with a [file](ftp://example.com/file).\n",
        encoding="utf-8",
    )
    run = cli("render", article, "-o", tmp_path / "out", "-q")
    assert run.exit_code == 0  # written: the link is inert text in every channel
    assert "error:" in run.stderr and "[link-scheme]" in run.stderr and "ftp.md" in run.stderr
    table = cli("render", article, "-o", tmp_path / "out", "--force").stdout
    assert "error: " in table and "[link-scheme]" in table


def test_all_drafts_or_nothing_found_say_so(cli, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    out = tmp_path / "out"
    assert "No articles found" in cli("render", src, "-o", out).stdout
    (src / "d.md").write_text("---\ntitle: D\ndraft: true\n---\n\nBody.\n", encoding="utf-8")
    run = cli("render", src, "-o", out)
    assert "every article is a draft" in run.stdout and "Nothing changed" not in run.stdout


def test_no_labels_warning_goes_once_every_label_is_set(cli, tmp_path):
    import tomllib

    from generator.language import FALLBACK
    from generator.resources import _PACKAGE

    keys = tomllib.loads((_PACKAGE / "labels.toml").read_text(encoding="utf-8"))[FALLBACK]
    article = tmp_path / "pt.md"
    article.write_text("---\ntitle: Olá\nlang: pt\n---\n\nUm parágrafo.\n", encoding="utf-8")
    assert "[no-labels]" in cli("check", article).stdout
    labels = "".join(f'{key} = "x {{brand}} {{n}}"\n' for key in keys)
    (tmp_path / "masthead.toml").write_text(f"[labels]\n{labels}", encoding="utf-8")
    run = cli("check", article)
    assert "[no-labels]" not in run.stdout, run.stdout + run.stderr


def test_duplicate_slug_named_when_the_first_file_name_is_not_utf8(tmp_path):
    # A real process: its stderr replaces what it cannot encode, as a terminal's does.
    src = tmp_path / "src"
    src.mkdir()
    first = os.fsdecode(b"0\xff.md")
    (src / first).write_text("---\ntitle: One\nslug: same\n---\n\nBody one.\n", encoding="utf-8")
    (src / "1.md").write_text("---\ntitle: Two\nslug: same\n---\n\nBody two.\n", encoding="utf-8")
    command = [*MASTHEAD, "render", "src", "-o", "out", "-j", "1", "-q"]
    env = subprocess_env()
    run = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert run.returncode == 1
    assert "src/1.md: has the same slug 'same' as src/0" in run.stderr
    assert "internal error" not in run.stderr


@pytest.mark.parametrize(
    "stop", ["ctrl-c", "ctrl-c twice", "kill", "kill the group", "kill the group twice"]
)
def test_a_stopped_run_leaves_complete_folders_and_the_old_feed(tmp_path, stop):
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it;
    once or twice) or a `kill` (SIGTERM to masthead or to its group) stops
    the run with one line and exit 130: no hang, no traceback, no
    half-written folder, no stray temporary files, and the feed a user had is
    untouched."""
    src = tmp_path / "src"
    src.mkdir()
    for n in range(400):
        (src / f"a{n:03d}.md").write_text(
            f"---\ntitle: Article {n}\n---\n\n" + f"Paragraph {n} of some length. " * 40 + "\n",
            encoding="utf-8",
        )
    out = tmp_path / "out"
    out.mkdir()
    (out / "feed.xml").write_bytes(
        b"<rss version='2.0'><channel><title>old</title></channel></rss>"
    )
    before = (out / "feed.xml").read_bytes()
    command = [*MASTHEAD, "render", "src", "-o", "out", "-j", "2"]
    env = subprocess_env()
    proc = subprocess.Popen(
        command,
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()  # the first article is done: the pool is working
    assert first.startswith("[1/400] rendered")
    if stop.startswith("ctrl-c"):
        os.killpg(proc.pid, signal.SIGINT)
        if stop == "ctrl-c twice":  # while the pool is shutting down
            time.sleep(0.05)
            os.killpg(proc.pid, signal.SIGINT)
    elif stop == "kill":
        os.kill(proc.pid, signal.SIGTERM)
    else:  # `timeout`, a cancelled CI job: every process gets it
        os.killpg(proc.pid, signal.SIGTERM)
        if stop == "kill the group twice":
            time.sleep(0.01)
            os.killpg(proc.pid, signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert "interrupted:" in err and "Run the same command again" in err
    assert (out / "feed.xml").read_bytes() == before
    folders = [p for p in out.iterdir() if p.is_dir()]
    hidden = [p.name for p in out.iterdir() if p.name.startswith(".")]
    assert hidden in ([], [".masthead-cache.json"]), hidden
    assert 0 < len(folders) < 400
    for folder in folders:
        assert len(list(folder.iterdir())) == len(OUTPUTS), folder


def test_a_run_clears_what_killed_runs_left_but_not_a_live_run(cli, tmp_path):
    """SIGKILL leaves a claims folder and maybe a staging folder; the next
    run removes them, but never the claims of a run still going (it holds a
    lock on them) nor a staging folder that may be in use."""
    import fcntl
    import time

    out = tmp_path / "out"
    out.mkdir()
    hour_ago = time.time() - 7200
    dead = out / ".masthead-claims-dead"
    dead.mkdir()
    (dead / "slug").write_text("x", encoding="utf-8")
    os.utime(dead, (hour_ago, hour_ago))
    stale = out / ".story.0123456789ab.tmp"
    stale.mkdir()
    os.utime(stale, (hour_ago, hour_ago))
    fresh = out / ".other.0123456789ab.tmp"
    fresh.mkdir()
    mine = out / ".notes.tmp"  # the user's: not a name Masthead stages under
    mine.mkdir()
    os.utime(mine, (hour_ago, hour_ago))
    alive = out / ".masthead-claims-alive"
    alive.mkdir()
    os.utime(alive, (hour_ago, hour_ago))
    fd = os.open(alive, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        run = cli("render", SEED, "-o", out, "-j", "1", "-q")
        assert run.exit_code == 0, run.stderr
    finally:
        os.close(fd)
    assert not dead.exists() and not stale.exists()
    assert alive.exists() and fresh.exists() and mine.exists()


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid`, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue  # ended meanwhile
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _state(pid: int) -> str:
    """The process's state letter (R, S, T, Z…); "gone" once reaped."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return "gone"


def _blocked_in(call: str, pid: int) -> bool:
    """Whether the process (or thread) `pid` sleeps in the kernel's `call`
    (pipe_write, pipe_read; "anon_pipe_write" on newer kernels)."""
    try:
        return call in (Path("/proc") / str(pid) / "wchan").read_text()
    except OSError:
        return False


def _poll(condition, what: str, timeout: float = 60.0):
    """Wait for `condition()` to be true (or return a value): a guard against
    a hang, not a measure of speed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting until {what}")


@pytest.mark.skipif(not Path("/proc/self/wchan").exists(), reason="needs Linux's /proc")
def test_a_stop_after_a_worker_died_sending_its_results_does_not_hang(tmp_path):
    """A SIGTERM to the group (`timeout`, a cancelled CI job) can end a worker
    halfway through sending its results: the pool's own thread then reads
    forever, waiting for the rest. With every worker gone, the stop gives up
    on the pool and the run exits 130 instead of hanging.

    Made for real, with no timing luck, and each state seen in /proc: the run
    is paused (SIGSTOP) while a worker renders a large article, so that
    worker fills the result pipe and blocks in write; SIGTERM ends both
    workers there; the run, resumed, reads the half-sent result and blocks
    for good; then it gets its own SIGTERM. (Sent to the paused run, the
    SIGTERM could land on one of the pool's threads, and Python would act on
    it only when a result woke the main thread: none comes.)"""
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.md").write_text("---\ntitle: Small\n---\n\nBody.\n", encoding="utf-8")
    paragraphs = (f"Paragraph {n} is about bees and the hives they keep, again. " * 3 for n in range(6000))
    # Its result (the feed item among it) is far larger than a pipe holds.
    (src / "b.md").write_text(
        "---\ntitle: Large\n---\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8"
    )
    (tmp_path / "masthead.toml").write_text('site_url = "https://news.example.com"\n')
    out = tmp_path / "out"
    out.mkdir()
    feed = b"<rss version='2.0'><channel><title>old</title></channel></rss>"
    (out / "feed.xml").write_bytes(feed)
    command = [*MASTHEAD, "render", "src", "-o", "out", "-j", "2"]
    env = subprocess_env()
    proc = subprocess.Popen(
        command,
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()  # a.md is in; b.md is being rendered
        assert first.startswith("[1/2] rendered"), first + proc.communicate(timeout=60)[1]
        os.kill(proc.pid, signal.SIGSTOP)
        workers = _children(proc.pid)
        assert len(workers) == 2, workers
        # The worker with b.md's result blocks once the pipe is full.
        _poll(lambda: any(_blocked_in("pipe_write", w) for w in workers), "a worker blocks sending")
        for worker in workers:
            os.kill(worker, signal.SIGTERM)
        _poll(lambda: all(_state(w) in ("Z", "gone") for w in workers), "the workers end")
        os.kill(proc.pid, signal.SIGCONT)
        # The pool's thread reads the rest of the result, which never comes.
        threads = [int(t.name) for t in Path(f"/proc/{proc.pid}/task").iterdir()]
        _poll(lambda: any(_blocked_in("pipe_read", t) for t in threads), "the pool's thread is stuck")
        os.kill(proc.pid, signal.SIGTERM)
        # STOP_WAIT is 30 s: a run that waited it out, or for ever, fails here.
        _, err = proc.communicate(timeout=25)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert "interrupted:" in err and "Run the same command again" in err
    assert (out / "feed.xml").read_bytes() == feed
    folders = [p for p in out.iterdir() if p.is_dir()]
    assert folders  # b's worker wrote its folder before sending the result
    for folder in folders:
        assert len(list(folder.iterdir())) == len(OUTPUTS), folder


def test_links_of_other_schemes_show_as_their_text_and_check_flags_them(cli, tmp_path):
    article = tmp_path / "links.md"
    article.write_text(
        "---\ntitle: T\ndescription: D\n---\n\n"
        "A [v](vbscript:x) and [j](javascript:alert(1)) and [ok](https://e.com).\n",
        encoding="utf-8",
    )
    text = cli("email", article, "--text").stdout
    assert "A v and j and ok [1]." in text and "javascript" not in text
    html = cli("email", article).stdout
    assert "javascript" not in html and "vbscript" not in html
    data = cli("check", article, "--format", "json").json()
    schemes = sorted(
        f["message"].split("'")[1] for f in data["findings"] if f["rule"] == "link-scheme"
    )
    assert schemes == ["javascript:alert(1)", "vbscript:x"]


def test_render_reads_an_odd_extension_with_input_format(cli, tmp_path):
    article = tmp_path / "bees.text"
    article.write_bytes((ARTICLES / "urban-beekeeping-guide.txt").read_bytes())
    out = tmp_path / "out"
    run = cli("render", article, "-o", out)
    assert run.exit_code == 1 and "--input-format" in run.stderr
    run = cli("render", article, "-o", out, "--input-format", "seed", "-q")
    assert run.exit_code == 0, run.stderr
    assert (out / "bees" / "email.html").is_file()


def test_check_builds_the_email_for_the_esp_given(cli, tmp_path):
    (tmp_path / "masthead.toml").write_text("", encoding="utf-8")
    config = tmp_path / "masthead.toml"
    rules = lambda run: {f["rule"] for f in run.json()["findings"]}  # noqa: E731
    plain = cli("check", SEED, "--config", config, "--format", "json")
    assert {"no-unsubscribe", "no-postal-address"} <= rules(plain)
    chosen = cli("check", SEED, "--config", config, "--format", "json", "--esp", "mailchimp")
    assert not {"no-unsubscribe", "no-postal-address"} & rules(chosen)
