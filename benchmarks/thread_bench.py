"""Thread build time per article and per post, for every platform.

Run by hand: `python benchmarks/thread_bench.py [N] [ROUNDS]`. Prints numbers;
it asserts nothing. Each platform builds the threads of N distinct articles
from the corpus generator once: the counters remember recent texts, so
building the same samples again and again would measure those memories, not
the work. The first build (template compile, the twitter-text import) is
reported apart.

Two ways of building are timed, in CPU time (a machine shared with other
work changes wall time, not this), the best of ROUNDS:

- one platform at a time, every article (`masthead thread` for one platform,
  over a folder): each build reads and plans the article itself;
- every platform of one article, then the next (what `masthead render`
  does): the platforms share the article's reading and, where their hooks
  are worded alike, its plan.
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
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    config = parse_config(CONFIG)
    with tempfile.TemporaryDirectory() as folder:
        articles = [read_path(p) for p in build(n + 1, Path(folder))]
    first_article, articles = articles[0], articles[1:]
    print(f"{n} distinct articles, newsroom config (every closing post has a link)")
    print(f"CPU time, best of {rounds} rounds")
    print(
        f"{'platform':<10} {'first ms':>9} {'per article ms':>15} {'per post ms':>12} {'posts':>6}"
    )
    for key in platforms():
        start = time.process_time()
        build_thread(first_article, key, config)
        first = (time.process_time() - start) * 1000
        best = float("inf")
        for _ in range(rounds):
            posts = 0
            start = time.process_time()
            for article in articles:
                posts += len(build_thread(article, key, config).posts)
            best = min(best, (time.process_time() - start) * 1000)
        print(
            f"{key:<10} {first:>9.2f} {best / n:>15.3f} {best / posts:>12.4f} {posts / n:>6.1f}"
        )
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for article in articles:
            for key in platforms():
                build_thread(article, key, config)
        best = min(best, (time.process_time() - start) * 1000)
    print(f"{'all five':<10} {'':>9} {best / n:>15.3f}   (every platform of an article, as render)")


if __name__ == "__main__":
    main()
