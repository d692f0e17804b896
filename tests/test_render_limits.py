"""What one run may cost: the counts a long paragraph costs a thread, and the
worker processes `render --jobs` starts (capped, and never outliving the run).

No wall-clock timing here (speed is in benchmarks/large_bench.py): the
thread tests count the length tests a split makes, which grew with the
words of every post before and now stay a few per post.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import MASTHEAD, PYTHON, subprocess_env

from generator.channels.thread import build_thread
from generator.config import Config
from generator.readers import read_bytes
from generator.text import counting
from generator.text.splitting import ELLIPSIS, split_to_fit

WORDS = "alpha beta gamma delta epsilon zeta eta theta iota kappa".split()  # noqa: SIM905


def _one_line(size: int, separator: str = " ") -> str:
    """Prose words without a sentence stop, about `size` characters."""
    words = itertools.cycle(WORDS[i % 10] + WORDS[(i * 3) % 10][:2] for i in range(97))
    out: list[str] = []
    total = 0
    while total < size:
        out.append(next(words))
        total += len(out[-1]) + len(separator)
    return separator.join(out)


@pytest.mark.parametrize("separator", [" ", ", "])
@pytest.mark.parametrize("limit", [280, 3000])
def test_a_long_paragraph_costs_a_few_counts_a_part_not_one_per_word(limit, separator):
    # Before: every word added re-counted the whole part (with and without
    # the … mark, once more per level), ~190 counts a part at 280 and ~1,900
    # at 3,000: 1 MB on one line took 10-20 s for X.
    costs = []
    for size in (20_000, 80_000):
        text = _one_line(size, separator)
        calls = characters = 0

        def fits(part: str, limit: int = limit) -> bool:
            nonlocal calls, characters
            calls += 1
            characters += len(part)
            return len(part) <= limit

        parts = split_to_fit(text, fits)
        assert all(len(part) <= limit for part in parts)
        # Every word is kept, in order; only the … marks are added.
        said = " ".join(part.removesuffix(ELLIPSIS) for part in parts)
        assert said.replace(",", "").split() == text.replace(",", "").split()
        assert calls <= 30 * len(parts), (limit, size, calls, len(parts))
        assert characters <= 30 * len(text), (limit, size, characters, len(text))
        costs.append(calls)
    assert costs[1] <= 4.5 * costs[0], costs  # four times the text, about four times the counts


@pytest.mark.parametrize("platform", ["x", "bluesky"])
def test_a_thread_of_one_long_line_counts_each_post_a_few_times(platform, monkeypatch):
    """Through the real counters: the platform's counter is only wrapped to
    be counted."""
    name = {"x": "twitter", "bluesky": "bluesky"}[platform]
    real = counting.COUNTERS[name]
    calls = 0

    def counted(text: str) -> int:
        nonlocal calls
        calls += 1
        return real(text)

    monkeypatch.setitem(counting.COUNTERS, name, counted)
    per_post = []
    for size in (20_000, 60_000):
        article = read_bytes(
            f"One Long Line\nBy Writer — 2026-03-03\nThe dek.\n{_one_line(size)}\n".encode(),
            name="one-line.txt",
        )
        calls = 0
        thread = build_thread(article, platform, Config())
        assert len(thread.posts) > size // 400
        per_post.append(calls / len(thread.posts))
    # Before: ~370 counts a post for X (one per word, twice, per level).
    assert max(per_post) <= 60, per_post


# --- render --jobs ---------------------------------------------------------------


def test_workers_are_capped_by_articles_and_cpus_and_the_cpu_cap_is_said():
    from generator.render import worker_count

    workers, note = worker_count(4096, 5, 2)
    assert workers == 2
    assert note is not None and "--jobs 4096" in note and "2 processes" in note
    assert "\n" not in note
    assert worker_count(4096, 5, 64) == (5, None)  # fewer articles: nothing to say
    assert worker_count(None, 5, 2) == (2, None)  # the default: one per CPU
    assert worker_count(None, 1, 8) == (1, None)
    assert worker_count(3, 100, 8) == (3, None)
    assert worker_count(1, 100, 8) == (1, None)
    workers, note = worker_count(8, 100, 1)
    assert workers == 1 and note is not None and "1 process," in note


def _children(pid: int) -> set[int]:
    """The processes whose parent is `pid`, from /proc (no psutil)."""
    found: set[int] = set()
    for task in glob.glob(f"/proc/{pid}/task/*/children"):
        with contextlib.suppress(OSError):
            found.update(int(child) for child in Path(task).read_text().split())
    return found


def _alive(pid: int) -> bool:
    """Whether `pid` is a process that has not ended (a zombie has ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _articles(folder: Path, count: int, paragraphs: int = 1) -> None:
    folder.mkdir()
    for n in range(count):
        body = "\n\n".join(
            f"Paragraph {p} of article {n}, with a few words to lay out. " * 30
            for p in range(paragraphs)
        )
        (folder / f"a{n:02d}.md").write_text(
            f"---\ntitle: Article {n}\ndate: 2026-03-03\n---\n\nThe lead.\n\n## Part\n\n{body}\n",
            encoding="utf-8",
        )


def _masthead(*args: str, cwd: Path, cpus: int | None = None) -> subprocess.Popen[str]:
    """Start `masthead ARGS` (on `cpus` CPUs: the affinity it inherits)."""
    env = subprocess_env(SOURCE_DATE_EPOCH="1772539200")
    before = os.sched_getaffinity(0) if cpus is not None else None
    if before is not None:
        os.sched_setaffinity(0, sorted(before)[:cpus])  # this thread's, inherited
    try:
        return subprocess.Popen(
            [*MASTHEAD, *args],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own group: a hung run can be killed whole
        )
    finally:
        if before is not None:
            os.sched_setaffinity(0, before)


def _finish(proc: subprocess.Popen[str], timeout: float) -> tuple[str, str]:
    try:
        return proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".masthead-cache.json"
    }


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="needs CPU affinity (Linux)")
def test_jobs_4096_with_five_articles_uses_a_worker_per_cpu_and_says_so(tmp_path):
    """Before: 4,096 processes were forked for 5 articles; the run hung, a
    SIGTERM did not stop it and a SIGKILL left hundreds behind."""
    _articles(tmp_path / "src", 5)
    cpus = min(2, len(os.sched_getaffinity(0)))
    proc = _masthead("render", "src", "-o", "many", "--jobs", "4096", cwd=tmp_path, cpus=cpus)
    most = 0
    while proc.poll() is None:  # the most workers seen at once
        most = max(most, len(_children(proc.pid)))
        time.sleep(0.005)
    _, err = _finish(proc, timeout=120)
    assert proc.returncode == 0, err
    said = [line for line in err.splitlines() if line.startswith("--jobs 4096:")]
    unit = "process" if cpus == 1 else "processes"
    assert said == [f"--jobs 4096: using {cpus} {unit}, as this process may use {cpus} CPU"
                    + ("s" if cpus > 1 else "")], err  # fmt: skip
    assert most <= cpus

    one = _masthead("render", "src", "-o", "one", "--jobs", "1", cwd=tmp_path)
    _, err = _finish(one, timeout=120)
    assert one.returncode == 0, err
    assert "--jobs" not in err
    many, single = _tree(tmp_path / "many"), _tree(tmp_path / "one")
    assert len([name for name in single if name.endswith("email.html")]) == 5
    assert many == single


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs /proc (Linux)")
def test_a_killed_run_leaves_no_worker_behind(tmp_path):
    """kill -9 of `masthead render`: its workers end too, at once, instead of
    waiting for ever on a queue no one will fill."""
    _articles(tmp_path / "src", 12, paragraphs=40)
    proc = _masthead("render", "src", "-o", "out", "--jobs", "2", cwd=tmp_path)
    workers: set[int] = set()
    deadline = time.monotonic() + 60
    while len(workers) < 2 and proc.poll() is None and time.monotonic() < deadline:
        workers |= _children(proc.pid)
        time.sleep(0.005)
    try:
        assert len(workers) >= 2, "the run ended before its workers were seen"
        assert proc.poll() is None
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = sorted(pid for pid in workers if _alive(pid))
        assert not left, f"workers outlived the killed run: {left}"
    finally:
        for pid in workers:  # never leave one running, even when the test fails
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()


WATCHED = """
import os, sys, time
from generator.render import _watch_parent
if os.fork() == 0:  # the worker, under a parent of its own that the test kills
    _watch_parent(os.getppid())
    time.sleep(60)
    os._exit(0)
time.sleep(60)
"""


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs /proc (Linux)")
def test_where_there_is_no_parent_death_signal_a_worker_watches_its_parent(tmp_path):
    """The fallback for systems without prctl (and fork-server starts): the
    watching thread ends the worker once its parent is gone."""
    env = subprocess_env()
    parent = subprocess.Popen([*PYTHON, "-c", WATCHED], env=env, start_new_session=True)
    worker: set[int] = set()
    deadline = time.monotonic() + 30
    while not worker and time.monotonic() < deadline:
        worker = _children(parent.pid)
        time.sleep(0.01)
    try:
        assert worker, "the worker was not seen"
        time.sleep(0.3)  # its watch has begun
        assert all(_alive(pid) for pid in worker)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in worker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_alive(pid) for pid in worker)
    finally:
        for pid in worker:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.killpg(parent.pid, signal.SIGKILL)
