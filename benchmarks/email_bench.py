"""Email HTML size and render time for every sample article; CPU per part over a corpus.

Run by hand, numbers only:

- `python benchmarks/email_bench.py [ROUNDS]`: per sample, the HTML and text
  sizes and the time of a render. Budget: the seed's HTML under 40 KB (Gmail
  clips at about 102 KB).
- `python benchmarks/email_bench.py --corpus N [--rounds R] [CHECKOUT]...`: the
  email stage a render runs per article (parts, HTML, text part, both
  encoded, the .eml), in one process, steady state (every layout and stencil
  known), over N corpus articles with a newsroom's config: CPU milliseconds
  per article (time.process_time, the least of R rounds), in all and part by
  part. Each CHECKOUT (default: this one) runs in its own process with its
  own cache folder, in turn, twice, so a before and an after share the
  machine's noise: `--corpus 500 ../base .`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# One checkout's numbers: run with `python -c STAGE CHECKOUT CORPUS ROUNDS`.
STAGE = """
import sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from generator.channels.email import build_email
from generator.channels.email.eml import build_eml
from generator.channels.email.html import render_html
from generator.channels.email.parts import email_parts
from generator.channels.email.text import render_text
from generator.clock import now
from generator.config import parse_config
from generator.readers import read_path
config = parse_config(sys.argv[4])
articles = [read_path(p) for p in sorted(Path(sys.argv[2]).iterdir())]
when = now()

def stage(article):
    message = build_email(article, config)
    message.html.encode("utf-8"), message.text.encode("utf-8")
    build_eml(subject=message.subject, text=message.text, html=message.html,
              config=config, now=when)

def timed(run):
    start = time.process_time()
    run()
    return (time.process_time() - start) * 1000 / len(articles)

for article in articles:
    stage(article)
best = {}
for _ in range(int(sys.argv[3])):
    parts = [email_parts(a, config) for a in articles]
    html = [render_html(p) for p in parts]
    text = [render_text(p) for p in parts]
    for name, run in (
        ("email stage", lambda: [stage(a) for a in articles]),
        ("parts", lambda: [email_parts(a, config) for a in articles]),
        ("HTML", lambda: [render_html(p) for p in parts]),
        ("text", lambda: [render_text(p) for p in parts]),
        (".eml", lambda: [build_eml(subject=p.subject_text, text=t, html=h, config=config,
                                    now=when) for p, h, t in zip(parts, html, text)]),
    ):
        best[name] = min(best.get(name, float("inf")), timed(run))
print(", ".join(f"{k} {v:.3f}" for k, v in best.items()))
"""


def corpus(n: int, rounds: int, checkouts: list[Path]) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from corpus import build
    from render_bench import CONFIG

    with tempfile.TemporaryDirectory(prefix="masthead-email-bench-") as work:
        folder = Path(work) / "corpus"
        build(n, folder)
        print(f"{n} articles, CPU ms per article, least of {rounds} rounds")
        for turn in range(2):
            for checkout in checkouts:
                env = {**os.environ, "MASTHEAD_CACHE_DIR": f"{work}/cache-{turn}-{checkout.name}"}
                env.pop("MASTHEAD_NO_TEMPLATE_CACHE", None)
                done = subprocess.run(
                    [sys.executable, "-c", STAGE, str(checkout), str(folder), str(rounds), CONFIG],
                    env=env,
                    capture_output=True,
                    text=True,
                )
                if done.returncode:
                    raise SystemExit(done.stderr)
                print(f"{checkout}: {done.stdout.strip()}")


def samples(rounds: int) -> None:
    sys.path.insert(0, str(ROOT))
    from generator.channels.email import build_email
    from generator.config import parse_config
    from generator.readers import read_path

    config = parse_config(
        'site_url = "https://news.example.com"\n'
        'postal_address = "1 Harbour Street, Portsmouth"\n'
        '[brand]\nname = "The Ledger"\n[email]\nesp = "mailchimp"\n'
    )
    print(f"{'article':<40} {'HTML KB':>8} {'text KB':>8} {'first ms':>9} {'ms/render':>10}")
    for path in sorted((ROOT / "article").iterdir()):
        article = read_path(path)
        start = time.perf_counter()
        message = build_email(article, config)
        first = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        for _ in range(rounds):
            build_email(article, config)
        each = (time.perf_counter() - start) * 1000 / rounds
        print(
            f"{path.name:<40} {len(message.html.encode()) / 1024:>8.1f} "
            f"{len(message.text.encode()) / 1024:>8.1f} {first:>9.1f} {each:>10.2f}"
        )


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["--corpus"]:
        n = int(args[1])
        rest = args[2:]
        rounds = 5
        if rest[:1] == ["--rounds"]:
            rounds, rest = int(rest[1]), rest[2:]
        corpus(n, rounds, [Path(c).resolve() for c in rest] or [ROOT])
    else:
        samples(int(args[0]) if args else 100)


if __name__ == "__main__":
    main()
