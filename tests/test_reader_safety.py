"""The readers against input built to hang, crash or mislead them (issue 22).

YAML alias bombs, named pipes, dates past what a feed can carry, UTF-16 and
UTF-32 files, Unicode line separators and slugs Windows cannot use as a
folder name: each is either read as the writer meant or refused with one
`error: FILE:LINE: …` line, in every command. Commands that could hang run
in a subprocess under a timeout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

HOSTILE = ROOT / "tests" / "hostile"
SITE = 'site_url = "https://news.example.com"\n'
# Generous: each command starts Python and imports Masthead, on a shared
# machine; a hang (what this guards against) never ends at all.
TIMEOUT = 60

GOOD_MD = "---\ntitle: A Good Article\ndate: 2026-03-03\n---\n\nIts body.\n"


def masthead(*args: object, cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """`masthead ARGS…` as a user runs it, killed if it outlives `TIMEOUT`."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("SOURCE_DATE_EPOCH", None)
    return subprocess.run(
        [sys.executable, "-m", "generator", *map(str, args)],
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
