"""Render speed and memory: one cold article, and a folder of N articles.

Run by hand: `python benchmarks/render_bench.py [N] [WORKDIR]` (default 2000,
a temporary folder beside the project: /tmp may sit on a slower disk).
Prints numbers; asserts nothing. Budgets (2 cores): cold single render under
350 ms, 1,000+ articles/s with 2 jobs, peak memory under 250 MB and flat in N.
"""

from __future__ import annotations

import collections
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from corpus import build  # noqa: E402

PEAK = (
    "import resource, sys, runpy; sys.argv = ['masthead'] + sys.argv[1:];\n"
    "try:\n    runpy.run_module('generator', run_name='__main__')\n"
    "except SystemExit:\n    pass\n"
    "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]\n"
    "print('PEAK', hwm, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
)


def run(args: list[str], cwd: Path) -> tuple[float, int, int]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", PEAK, *args], cwd=cwd, env=env, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    line = [x for x in result.stderr.splitlines() if x.startswith("PEAK")]
    if result.returncode or not line:
        raise SystemExit(result.stderr)
    _, parent, children = line[-1].split()
    return elapsed, int(parent), int(children)


def stages(folder: Path, out: Path, jobs: int) -> tuple[float, dict[str, float]]:
    from generator.clock import now
    from generator.config import Config
    from generator.render import Options, render_run

    start = time.perf_counter()
    summary = render_run([folder], out, Config(), Options(force=True), now=now(), jobs=jobs)
    elapsed = time.perf_counter() - start
    totals: dict[str, float] = collections.Counter()
    for result in summary.results:
        for stage, seconds in result.timings.items():
            totals[stage] += seconds
    return elapsed, totals


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    base = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT.parent
    work = Path(tempfile.mkdtemp(prefix="masthead-bench-", dir=base))
    try:
        seed = ROOT / "article" / "the-great-ai-divorce.txt"
        cold = [
            run(["render", str(seed), "-o", str(work / "one"), "--force", "-q"], work)[0]
            for _ in range(5)
        ]
        median = statistics.median(cold) * 1000
        print(
            f"cold CLI render of the seed, all channels: median {median:.0f} ms"
            f" (min {min(cold) * 1000:.0f}, budget 350 ms)"
        )

        corpus = work / "corpus"
        build(n, corpus)
        for jobs in (1, 2):
            out = work / f"out-{jobs}"
            elapsed, totals = stages(corpus, out, jobs)
            per = {k: v * 1000 / n for k, v in sorted(totals.items())}
            breakdown = ", ".join(f"{k} {v:.2f}" for k, v in per.items())
            print(
                f"{n} articles, --jobs {jobs}: {elapsed:.1f} s = {n / elapsed:.0f} articles/s"
                f" (budget 1000/s with 2 jobs); ms per article in workers: {breakdown}"
            )
            shutil.rmtree(out)
        for count in (n // 4, n):
            out = work / f"mem-{count}"
            folder = work / f"corpus-{count}"
            build(count, folder)
            elapsed, parent, children = run(
                ["render", str(folder), "-o", str(out), "-j", "2", "-q"], work
            )
            print(
                f"peak RSS, {count} articles, 2 jobs: parent {parent / 1024:.0f} MB, "
                f"largest worker {children / 1024:.0f} MB ({elapsed:.1f} s)"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
