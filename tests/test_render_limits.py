"""What one run may cost: the counts a long paragraph costs a thread, and the
worker processes `render --jobs` starts (capped, and never outliving the run).

No wall-clock timing here (speed is in benchmarks/large_bench.py): the
thread tests count the length tests a split makes, which grew with the
words of every post before and now stay a few per post.
"""

from __future__ import annotations

import itertools

import pytest

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
