"""One very large article, every channel: time and peak memory of a cold CLI.

Run by hand: `python benchmarks/large_bench.py [MB] [WORKDIR]` (defaults 10
and a temporary folder beside the project). Prints numbers; asserts nothing.
Budget: a 10 MB article in under 10 s and 500 MB.

Two shapes, as a long article has one or the other: the seed sample repeated
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


def main() -> None:
    megabytes = float(sys.argv[1]) if len(sys.argv) > 1 else 10
    base = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT.parent
    work = Path(tempfile.mkdtemp(prefix="masthead-large-", dir=base))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    try:
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
