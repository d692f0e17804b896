"""Email HTML size and render time for every sample article.

Run by hand: `python benchmarks/email_bench.py [ROUNDS]`. Prints numbers only.
Budget: the seed's HTML under 40 KB (Gmail clips at about 102 KB).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.channels.email import build_email  # noqa: E402
from generator.config import parse_config  # noqa: E402
from generator.readers import read_path  # noqa: E402

CONFIG = parse_config(
    'site_url = "https://news.example.com"\npostal_address = "1 Harbour Street, Portsmouth"\n'
    '[brand]\nname = "The Ledger"\n[email]\nesp = "mailchimp"\n'
)


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    print(f"{'article':<40} {'HTML KB':>8} {'text KB':>8} {'first ms':>9} {'ms/render':>10}")
    for path in sorted((ROOT / "article").iterdir()):
        article = read_path(path)
        start = time.perf_counter()
        message = build_email(article, CONFIG)
        first = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        for _ in range(rounds):
            build_email(article, CONFIG)
        each = (time.perf_counter() - start) * 1000 / rounds
        print(
            f"{path.name:<40} {len(message.html.encode()) / 1024:>8.1f} "
            f"{len(message.text.encode()) / 1024:>8.1f} {first:>9.1f} {each:>10.2f}"
        )


if __name__ == "__main__":
    main()
