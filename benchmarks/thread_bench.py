"""Thread build time per article and per post, for every platform.

Run by hand: `python benchmarks/thread_bench.py [N]`. Prints numbers; it
asserts nothing. Each platform builds the threads of N distinct articles
from the corpus generator once: the counters remember recent texts, so
building the same samples again and again would measure those memories, not
the work. The first build (template compile, the twitter-text import) is
reported apart.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from corpus import build  # noqa: E402
from render_bench import CONFIG  # noqa: E402

from generator.channels.thread import build_thread  # noqa: E402
from generator.config import parse_config  # noqa: E402
from generator.platforms import platforms  # noqa: E402
from generator.readers import read_path  # noqa: E402


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    config = parse_config(CONFIG)
    with tempfile.TemporaryDirectory() as folder:
        articles = [read_path(p) for p in build(n + 1, Path(folder))]
    first_article, articles = articles[0], articles[1:]
    print(f"{n} distinct articles, newsroom config (every closing post has a link)")
    print(
        f"{'platform':<10} {'first ms':>9} {'per article ms':>15} {'per post ms':>12} {'posts':>6}"
    )
    for key in platforms():
        start = time.perf_counter()
        build_thread(first_article, key, config)
        first = (time.perf_counter() - start) * 1000
        posts = 0
        start = time.perf_counter()
        for article in articles:
            posts += len(build_thread(article, key, config).posts)
        elapsed = (time.perf_counter() - start) * 1000
        print(
            f"{key:<10} {first:>9.2f} {elapsed / n:>15.3f} "
            f"{elapsed / posts:>12.4f} {posts / n:>6.1f}"
        )


if __name__ == "__main__":
    main()
