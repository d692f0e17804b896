"""One very large article, every channel: time and peak memory of a cold CLI.

Run by hand: `python benchmarks/large_bench.py [one-line] [MB] [WORKDIR]`
(defaults 10 and a temporary folder beside the project; `one-line` runs only
the one-line shapes). Prints numbers; asserts nothing. Budget: a 10 MB
article in under 10 s and 500 MB; a 1 MB article of one line threaded in
under 10 s.

First a 1 MB article that is one long line (prose words, no spaces, many
sentences), threaded for X and Bluesky. Then two shapes, as a long article
has one or the other: the seed sample repeated
(sections, lists, quotes and FAQ by the thousand: what a single LinkedIn post
and a thread must choose from), and long prose under a few headings. Then
odd shapes at two small sizes, to show their time grows with the input and
no faster.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).parent))

import bench_cache  # noqa: E402, F401  (before generator: the run's own cache folder)

PEAK = (
    "import sys, runpy; sys.argv = ['masthead'] + sys.argv[1:];\n"
    "try:\n    runpy.run_module('generator', run_name='__main__')\n"
    "except SystemExit:\n    pass\n"
    "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]\n"
    "print('PEAK', hwm, file=sys.stderr)\n"
)


def seed_repeated(size: int) -> str:
    lines = (ROOT / "article" / "the-great-ai-divorce.txt").read_text(encoding="utf-8").splitlines()
    head, body = lines[:3], lines[3:]
    out, total, n = list(head), 0, 0
    while total < size:
        # Each copy says something a little different, as a real article would.
        copy = [line.replace("AI", f"AI{n}") for line in body]
        out += copy
        total += sum(len(line) + 1 for line in copy)
        n += 1
    return "\n".join(out) + "\n"


def long_prose(size: int) -> str:
    words = ("alpha beta gamma delta epsilon zeta eta theta iota kappa " * 12).strip() + "."
    lines = ["A Very Large Article", "By Writer — 2026-03-03", "The dek."]
    total = n = 0
    while total < size:
        lines.append(f"Section Number {n}" if n % 40 == 0 else words)
        total += len(lines[-1]) + 1
        n += 1
    return "\n".join(lines) + "\n"


HEAD = "Stress Article\nBy Writer — 2026-03-03\nThe dek.\nLead.\n"


# Shapes no one writes on purpose, that once cost seconds a kilobyte: each is
# rendered at SMALL bytes, to show the time grows no faster than the input.
PATHOLOGICAL = {
    "a line of dots": lambda n: HEAD + "Heading\n" + "." * n + "\n",
    "spaces in the byline": lambda n: f"Title\nBy A{' ' * n}B — 2026-03-03\nDek.\nLead.\n",
    "Chinese without a stop": lambda n: (
        HEAD + "Heading\n" + ("日本語の文章です" * n)[: n // 3] + "\n"
    ),
    "a list of short items": lambda n: (
        HEAD + "List\n" + "".join(f"- item {i}\n" for i in range(n // 12))
    ),
    "thousands of headings": lambda n: (
        HEAD + "".join(f"Heading {i}\nA para.\n" for i in range(n // 20))
    ),
}
SMALL = (30_000, 100_000)

# An article that is one long line: what a paste from a word processor or a
# PDF can give. Its lead is the whole line, so the thread's hook and lead
# post split a megabyte into posts (was 10-20 s for X and Bluesky).
WORDS = "alpha beta gamma delta epsilon zeta eta theta iota kappa".split()  # noqa: SIM905


def _one_line(size: int, sentences: bool, spaces: bool) -> str:
    out, total, n = [], 0, 0
    while total < size:
        word = WORDS[(n * 7 + n // 10) % len(WORDS)]
        if sentences and n % 12 == 0:
            word = word.capitalize()
        if sentences and n % 12 == 11:
            word += "."
        out.append(word)
        total += len(word) + spaces
        n += 1
    return "One Long Line\nBy Writer — 2026-03-03\nThe dek.\n" + (" " if spaces else "").join(
        out
    )[:size] + "\n"


LONG_LINE = {
    "prose words": lambda n: _one_line(n, sentences=False, spaces=True),
    "no spaces": lambda n: _one_line(n, sentences=False, spaces=False),
    "many sentences": lambda n: _one_line(n, sentences=True, spaces=True),
}


def long_line(work: Path, env: dict[str, str], size: int = 1_000_000) -> None:
    """`thread` for X and Bluesky on a 1 MB article of one line, cold CLI."""
    for name, make in LONG_LINE.items():
        article = work / "one-line.txt"
        article.write_text(make(size), encoding="utf-8")
        times = []
        for platform in ("x", "bluesky"):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "generator", "thread", "--platform", platform,
                 "-f", "json", "-o", str(work / "thread.json"), str(article)],
                cwd=work, env=env, capture_output=True, check=True,
            )  # fmt: skip
            times.append(f"{platform} {time.perf_counter() - start:.2f} s")
        print(f"{size // 1000} KB on one line ({name}), thread: {', '.join(times)} (budget 10 s)")


def main() -> None:
    if sys.argv[1:2] == ["one-line"]:  # only the one-line shapes
        sys.argv[1:2] = []
        only_long_line = True
    else:
        only_long_line = False
    megabytes = float(sys.argv[1]) if len(sys.argv) > 1 else 10
    base = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT.parent
    work = Path(tempfile.mkdtemp(prefix="masthead-large-", dir=base))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    try:
        long_line(work, env)
        if only_long_line:
            return
        for name, make in (("seed repeated", seed_repeated), ("long prose", long_prose)):
            article = work / f"{name.replace(' ', '-')}.txt"
            article.write_text(make(int(megabytes * 1_000_000)), encoding="utf-8")
            start = time.perf_counter()
            result = subprocess.run(
                [sys.executable, "-c", PEAK, "render", str(article), "-o", str(work / "out"), "-q"],
                cwd=work,
                env=env,
                capture_output=True,
                text=True,
            )
            elapsed = time.perf_counter() - start
            peak = [x for x in result.stderr.splitlines() if x.startswith("PEAK")]
            if not peak:
                raise SystemExit(result.stderr)
            print(
                f"{megabytes:g} MB article ({name}), every channel, cold CLI: {elapsed:.1f} s, "
                f"peak RSS {int(peak[-1].split()[1]) / 1024:.0f} MB (budget 10 s, 500 MB)"
            )
        for name, make in PATHOLOGICAL.items():
            times = []
            for size in SMALL:
                article = work / "odd.txt"
                article.write_text(make(size), encoding="utf-8")
                start = time.perf_counter()
                subprocess.run(
                    [sys.executable, "-m", "generator", "render", str(article), "-o",
                     str(work / f"odd-{size}"), "-q"],
                    cwd=work, env=env, capture_output=True, check=False,
                )  # fmt: skip
                times.append(time.perf_counter() - start)
            print(
                f"{name}: {SMALL[0] // 1000} KB {times[0]:.2f} s, "
                f"{SMALL[1] // 1000} KB {times[1]:.2f} s (start-up included)"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
