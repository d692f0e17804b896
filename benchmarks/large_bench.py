"""One very large article, every channel: time and peak memory of a cold CLI.

Run by hand: `python benchmarks/large_bench.py [MB] [WORKDIR]` (defaults 10
and a temporary folder beside the project). Prints numbers; asserts nothing.
Budget: a 10 MB article in under 10 s and 500 MB.

Two shapes, as a long article has one or the other: the seed sample repeated
(sections, lists, quotes and FAQ by the thousand: what a single LinkedIn post
and a thread must choose from), and long prose under a few headings.
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
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
