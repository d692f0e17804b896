"""The scan `feed add` keeps between runs (issue 21 review, F3 and F4) is
used only when the very code that made it reads it, and only when what it
holds is of the shapes and at the places a scan gives: otherwise the feed
is scanned again, with the same output as without a cache."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import generator
from generator import feedfile

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "article" / "the-great-ai-divorce.txt"
SITE = 'site_url = "https://news.example.com"\n'


def _big_feed(items: int) -> str:
    """A feed past `feedfile.KEEP_SCAN_FROM`, so a subprocess keeps its scan."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0">\n  <channel>\n'
        "    <title>T</title>\n    <link>https://news.example.com/</link>\n"
        "    <description>D</description>\n"
        "    <lastBuildDate>Mon, 01 Jan 2024 00:00:00 +0000</lastBuildDate>\n"
        + "".join(
            f"    <item>\n      <title>Old {n}</title>\n"
            f"      <guid>https://news.example.com/old-{n}/</guid>\n"
            f"      <description>{'words ' * 60}</description>\n"
            f"      <pubDate>Mon, 0{n % 9 + 1} Jan 2024 00:00:00 +0000</pubDate>\n    </item>\n"
            for n in range(items)
        )
        + "  </channel>\n</rss>\n"
    )


# --- F3: keyed by the code, not only the version ---------------------------------

# Appended to the copy's scan.py: each full scan of a feed says so on stderr.
_SAY_SCANS = '''

_unsaid_scan = scan


def scan(data, name, *, dates=False):  # noqa: F811
    if name != "item":
        sys.stderr.write("FULL SCAN\\n")
    return _unsaid_scan(data, name, dates=dates)


import sys  # noqa: E402
'''


@pytest.mark.parametrize("changed", ["rss/scan.py", "rss/feed.py", "rss/encoding.py"])
def test_a_checkout_that_changes_the_scan_code_never_reuses_an_older_scan(tmp_path, changed):
    """The same version, other code (a `git pull` in an editable install, a
    reinstall from a branch): the scan the old code kept is not used."""
    code = tmp_path / "code"
    shutil.copytree(
        Path(generator.__file__).parent,
        code / "generator",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    rss = code / "generator" / "channels" / "rss"
    with (rss / "scan.py").open("a", encoding="utf-8") as file:
        file.write(_SAY_SCANS)
    site = tmp_path / "site"
    site.mkdir()
    (site / "masthead.toml").write_text(SITE, encoding="utf-8")
    feed = site / "feed.xml"
    feed.write_text(_big_feed(500), encoding="utf-8")
    assert feed.stat().st_size >= feedfile.KEEP_SCAN_FROM
    env = dict(
        os.environ,
        PYTHONPATH=str(code),
        MASTHEAD_CACHE_DIR=str(tmp_path / "cache"),
        SOURCE_DATE_EPOCH="1714521600",
    )
    env.pop("MASTHEAD_NO_TEMPLATE_CACHE", None)
    (tmp_path / "cache").mkdir(mode=0o700)

    def add() -> str:
        run = subprocess.run(
            [sys.executable, "-P", "-m", "generator", "feed", "add", str(SEED), "--feed", str(feed)],
            cwd=site,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, run.stderr
        return run.stderr

    assert "FULL SCAN" in add()  # nothing kept yet
    assert "FULL SCAN" not in add()  # the same code: the kept scan is used
    with (code / "generator" / "channels" / changed).open("a", encoding="utf-8") as file:
        file.write("\n# changed by a checkout, the version kept\n")
    assert "FULL SCAN" in add()  # other code: scanned again
    assert "FULL SCAN" not in add()  # and the new code's scan kept
