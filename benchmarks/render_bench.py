"""Render speed and memory: one cold article, and a folder of N articles.

Run by hand: `python benchmarks/render_bench.py [N] [WORKDIR] [ROUNDS]`
(defaults 2000, a temporary folder beside the project, 3). Prints numbers;
asserts nothing. Budgets (2 cores): cold single render under 350 ms,
1,000+ articles/s with 2 jobs, peak memory under 250 MB and flat in N.

Every timed run writes into a folder of its own and nothing is deleted until
the end: on a disk mounted with `discard` (this one), deleting thousands of
files slows the file creation that follows for several seconds, and would be
measured as the render's time.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).parent))

import bench_cache  # noqa: E402, F401  (before generator: the run's own cache folder)

sys.path.insert(0, str(ROOT))

from corpus import build  # noqa: E402

# A newsroom's usual settings: every article gets a link (so every thread's
# closing post carries a URL, the costly case to count on X), UTM tags and a
# complete email footer.
CONFIG = """\
site_url = "https://news.example.com/articles/"
postal_address = "1 Harbour Street, Portsmouth PO1 2AB, United Kingdom"
[brand]
name = "The Ledger"
[sender]
name = "The Ledger"
address = "news@example.com"
[utm]
enabled = true
"""

PEAK = (
    "import resource, sys, runpy; sys.argv = ['masthead'] + sys.argv[1:];\n"
    "try:\n    runpy.run_module('generator', run_name='__main__')\n"
    "except SystemExit:\n    pass\n"
    "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]\n"
    "print('PEAK', hwm, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
)


def run(args: list[str], cwd: Path) -> tuple[float, int, int, float, float]:
    """Wall seconds, parent and largest-worker peak RSS (KB), user and system CPU seconds."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    # As installed: pip writes the .pyc files an installed package starts from.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    os.sync()
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", PEAK, *args], cwd=cwd, env=env, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = [x for x in result.stderr.splitlines() if x.startswith("PEAK")]
    if result.returncode or not line:
        raise SystemExit(result.stderr)
    _, parent, children = line[-1].split()
    user = after.ru_utime - before.ru_utime
    system = after.ru_stime - before.ru_stime
    return elapsed, int(parent), int(children), user, system


def stages(folder: Path, out: Path) -> dict[str, float]:
    """Milliseconds per article in each stage, one process."""
    from generator.clock import now
    from generator.config import parse_config
    from generator.render import Options, render_run

    os.sync()
    config = parse_config(CONFIG)
    summary = render_run([folder], out, config, Options(force=True), now=now(), jobs=1)
    return {k: v * 1000 / len(summary.results) for k, v in sorted(summary.timings.items())}


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    base = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT.parent
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    work = Path(tempfile.mkdtemp(prefix="masthead-bench-", dir=base))
    (work / "masthead.toml").write_text(CONFIG, encoding="utf-8")
    fresh = (work / f"out-{i}" for i in range(10_000))
    try:
        seed = ROOT / "article" / "the-great-ai-divorce.txt"
        run(["render", str(seed), "-o", str(next(fresh)), "-q"], work)  # writes .pyc; untimed
        cold = [run(["render", str(seed), "-o", str(next(fresh)), "-q"], work)[0] for _ in range(7)]
        median = statistics.median(cold) * 1000
        print(
            f"cold CLI render of the seed, all channels: median {median:.0f} ms"
            f" (min {min(cold) * 1000:.0f}, budget 350 ms)"
        )

        corpus = work / "corpus"
        build(n, corpus)
        for jobs in (1, 2):
            runs = [
                run(["render", str(corpus), "-o", str(next(fresh)), "-j", str(jobs), "-q"], work)
                for _ in range(rounds)
            ]
            best = min(runs)
            rates = sorted(n / r[0] for r in runs)
            print(
                f"{n} articles, --jobs {jobs}, cold CLI: {statistics.median(rates):.0f} articles/s"
                f" median of {rounds} (range {rates[0]:.0f}-{rates[-1]:.0f}; budget 1000/s with"
                f" 2 jobs); CPU per article: user {best[3] * 1000 / n:.2f} ms,"
                f" system {best[4] * 1000 / n:.2f} ms"
            )
        per = stages(corpus, next(fresh))
        print(
            "ms per article by stage (one process): "
            + ", ".join(f"{k} {v:.2f}" for k, v in per.items())
            + f"; sum {sum(per.values()):.2f}"
        )
        for count in (n // 4, n):
            folder = work / f"corpus-{count}"
            build(count, folder)
            elapsed, parent, children, _, _ = run(
                ["render", str(folder), "-o", str(next(fresh)), "-j", "2", "-q"], work
            )
            print(
                f"peak RSS, {count} articles, 2 jobs: parent {parent / 1024:.0f} MB, "
                f"largest worker {children / 1024:.0f} MB ({elapsed:.1f} s)"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
