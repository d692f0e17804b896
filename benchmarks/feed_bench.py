"""`feed add` into an RSS feed of 10,000 items of about 1 KB each.

Run by hand: `python benchmarks/feed_bench.py [N]`. Prints the time of one
add (in-process, and as a CLI process minus a bare start-up of the same
process) and the peak memory of the CLI process. Budget: 80 ms beyond
process start for 10,000 items, for an add into a feed Masthead wrote (its
scan kept, see generator/feedfile.py); the first add into a feed another
tool wrote scans it whole, and is printed too. The scan cache goes to a
temporary folder, never the user's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

import bench_cache  # noqa: E402, F401  (before generator: the run's own cache folder)

from generator.clock import now  # noqa: E402
from generator.config import parse_config  # noqa: E402
from generator.feedfile import add_articles  # noqa: E402
from generator.readers import read_path  # noqa: E402

SITE = 'site_url = "https://news.example.com"\n'
FILLER = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 12


def make_feed(path: Path, n: int) -> None:
    items = []
    for i in range(n):
        items.append(
            f"""    <item>
      <title>Existing item {i}</title>
      <link>https://news.example.com/existing-{i}/</link>
      <guid isPermaLink="true">https://news.example.com/existing-{i}/</guid>
      <pubDate>Mon, 01 Jan 2024 00:00:00 +0000</pubDate>
      <description>{FILLER[:700]}</description>
    </item>"""
        )
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0">\n  <channel>\n'
        "    <title>Bench</title>\n    <link>https://news.example.com/</link>\n"
        "    <description>Bench</description>\n"
        "    <lastBuildDate>Mon, 01 Jan 2024 00:00:00 +0000</lastBuildDate>\n"
        + "\n".join(items)
        + "\n  </channel>\n</rss>\n",
        encoding="utf-8",
    )


def cli_time(args: list[str], cwd: Path) -> tuple[float, int, float]:
    """Wall seconds in the process, its peak RSS (KB), and its CPU seconds."""
    code = (
        "import sys, time; t = time.perf_counter();"
        "from generator.cli import app;"
        "sys.argv = ['masthead'] + sys.argv[1:];"
        "\ntry:\n    app()\nexcept SystemExit:\n    pass\n"
        # VmHWM, not ru_maxrss: the latter keeps the parent's peak across exec.
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1];"
        "print(time.perf_counter() - t, hwm, time.process_time(), file=sys.stderr)"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: start from .pyc files
    result = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=cwd, env=env, capture_output=True, text=True
    )
    seconds, rss_kb, cpu = result.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(rss_kb), float(cpu)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "masthead.toml").write_text(SITE, encoding="utf-8")
        feed = folder / "feed.xml"
        make_feed(feed, n)
        size = feed.stat().st_size
        config = parse_config(SITE)
        article = read_path(ROOT / "article" / "the-great-ai-divorce.txt")
        start = time.perf_counter()
        add_articles(feed, [article], config, now=now())
        in_process = time.perf_counter() - start
        start = time.perf_counter()
        add_articles(feed, [article], config, now=now())
        replace = time.perf_counter() - start

        make_feed(feed, n)
        articles = sorted(str(p) for p in (ROOT / "article").glob("*.txt"))
        cli_time(["--version"], folder)  # writes the .pyc files; untimed
        base, base_rss, base_cpu = min(cli_time(["--version"], folder) for _ in range(3))
        # The first add into a feed another tool wrote: scanned whole.
        first = ["feed", "add", articles[0], "--feed", str(feed)]
        cold, cold_peak, cold_cpu = cli_time(first, folder)
        # Then adds into the feed Masthead wrote, each a new item.
        warm = [
            cli_time(["feed", "add", path, "--feed", str(feed)], folder) for path in articles[1:]
        ]
        total, peak, cpu = min(warm)
        print(f"feed of {n} items, {size / 1e6:.1f} MB")
        print(f"in-process add (new item):      {in_process * 1000:7.1f} ms")
        print(f"in-process add (replace item):  {replace * 1000:7.1f} ms")
        print(
            f"CLI start-up alone (--version): {base * 1000:7.1f} ms"
            f" (CPU {base_cpu * 1000:.0f} ms)"
        )
        print(
            f"CLI first add (another tool's feed) beyond start-up: {(cold - base) * 1000:7.1f} ms"
            f" (CPU {(cold_cpu - base_cpu) * 1000:.0f} ms)"
        )
        print(
            f"CLI feed add beyond start-up:   {(total - base) * 1000:7.1f} ms"
            f" (CPU {(cpu - base_cpu) * 1000:.0f} ms; best of {len(warm)}; budget 80 ms)"
        )
        print(f"peak RSS of the CLI process:    {max(peak, cold_peak) / 1024:7.1f} MB")
        print(f"peak RSS of --version alone:    {base_rss / 1024:7.1f} MB")


if __name__ == "__main__":
    main()
