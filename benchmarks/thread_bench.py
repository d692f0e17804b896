"""Thread build time per article and per post, for every platform.

Run by hand: `python benchmarks/thread_bench.py [ROUNDS]`. Prints numbers; it
asserts nothing. The first build of each platform (template compile, and the
twitter-text import when a post needs the authority) is reported apart.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.channels.thread import build_thread  # noqa: E402
from generator.platforms import platforms  # noqa: E402
from generator.readers import read_path  # noqa: E402


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    articles = [read_path(p) for p in sorted((ROOT / "article").iterdir())]
    print(f"{len(articles)} sample articles, {rounds} rounds each")
    print(
        f"{'platform':<10} {'first ms':>9} {'per article ms':>15} {'per post ms':>12} {'posts':>6}"
    )
    for key in platforms():
        start = time.perf_counter()
        for article in articles:
            build_thread(article, key)
        first = (time.perf_counter() - start) * 1000 / len(articles)
        posts = 0
        start = time.perf_counter()
        for _ in range(rounds):
            for article in articles:
                posts += len(build_thread(article, key).posts)
        elapsed = (time.perf_counter() - start) * 1000
        builds = rounds * len(articles)
        print(
            f"{key:<10} {first:>9.2f} {elapsed / builds:>15.3f} "
            f"{elapsed / posts:>12.4f} {posts / builds:>6.1f}"
        )


if __name__ == "__main__":
    main()
