"""Only regular files are read: a config (or article) that is a named pipe or a
folder is refused at once with an error naming it, never waited on."""

from __future__ import annotations

import os
import subprocess

import pytest
from conftest import MASTHEAD

from generator.files import NotRegularFileError, read_regular_file

ARTICLE = "Title\nBy Ann Lee — March 3, 2026 — 2 min read\nDek.\nBody.\n"


def masthead(*args: str, cwd) -> subprocess.CompletedProcess[str]:
    # A subprocess with a timeout: a hang is the bug this file guards against.
    return subprocess.run(
        [*MASTHEAD, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("command", [["inspect"], ["email"], ["thread"], ["rss"], ["check"]])
def test_a_config_that_is_a_named_pipe_is_refused(tmp_path, command):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.toml")
    run = masthead(*command, "a.txt", "-c", "pipe.toml", cwd=tmp_path)
    assert run.returncode != 0
    assert "pipe.toml" in run.stderr
    assert "not a regular file" in run.stderr
    assert "Traceback" not in run.stderr


def test_a_config_that_is_a_folder_is_refused(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "conf").mkdir()
    run = masthead("inspect", "a.txt", "-c", "conf", cwd=tmp_path)
    assert run.returncode != 0
    assert "conf" in run.stderr and "is a directory" in run.stderr
    assert "Traceback" not in run.stderr


def test_read_regular_file(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"a\r\nb")
    assert read_regular_file(path) == b"a\r\nb"  # bytes as they are, no newline folding
    os.mkfifo(tmp_path / "p")
    with pytest.raises(NotRegularFileError):
        read_regular_file(tmp_path / "p")
    with pytest.raises(IsADirectoryError):
        read_regular_file(tmp_path)
    with pytest.raises(FileNotFoundError):
        read_regular_file(tmp_path / "missing")
