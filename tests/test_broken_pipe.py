"""A reader that stops reading (`masthead … | head -1`) stops Masthead quietly,
as it would any Unix tool: no 'internal error', no traceback, exit 141
(128 + SIGPIPE), and whatever render had written is whole."""

from __future__ import annotations

import shutil
import subprocess

from conftest import ARTICLES, MASTHEAD, subprocess_env


def run_until_first_line(command: list[str], cwd) -> tuple[int, str]:
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=subprocess_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    assert first, "the command printed nothing before the pipe was closed"
    process.stdout.close()  # as `head -1` does once it has its line
    stderr = process.stderr.read().decode()
    return process.wait(timeout=120), stderr


def test_render_into_a_closed_pipe_stops_quietly(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    # Many articles, so that render has more progress lines to print after
    # the reader has gone.
    for index in range(12):
        for article in ARTICLES.iterdir():
            shutil.copy(article, source / f"{index:02d}-{article.name}")
    code, stderr = run_until_first_line(
        [*MASTHEAD, "render", "src", "-o", "out", "-j", "1"], tmp_path
    )
    assert "internal error" not in stderr and "Traceback" not in stderr, stderr
    assert code == 141, (code, stderr)
    # Every folder render left is whole: no temporary names, each with its email.
    for folder in (tmp_path / "out").iterdir():
        if folder.is_dir():
            assert not folder.name.startswith("."), folder
            assert (folder / "email.html").is_file(), folder


def test_a_thread_into_a_closed_pipe_stops_quietly(tmp_path):
    long_article = tmp_path / "long.txt"
    text = (ARTICLES / "the-great-ai-divorce.txt").read_text(encoding="utf-8")
    long_article.write_text(text + "\n" + "More words here. " * 20000 + "\n", encoding="utf-8")
    code, stderr = run_until_first_line(
        [*MASTHEAD, "thread", str(long_article), "--platform", "x"], tmp_path
    )
    assert "internal error" not in stderr and "Traceback" not in stderr, stderr
    assert code in (0, 141), (code, stderr)
