"""Build a corpus of N varied articles from the samples, for the benchmarks.

`python benchmarks/corpus.py N FOLDER`. Each article is a sample with its
title, slug and a few words changed and its sections rotated, so no two are
alike but every one is a realistic article in one of the two formats.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS = "harbour ledger signal market policy river summit archive network council".split()  # noqa: SIM905


def build(n: int, folder: Path, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    samples = sorted(p for p in (ROOT / "article").iterdir() if p.suffix in (".txt", ".md"))
    texts = [(p.suffix, p.read_text(encoding="utf-8")) for p in samples]
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        suffix, text = texts[i % len(texts)]
        word = rng.choice(WORDS)
        if suffix == ".txt":
            lines = text.split("\n")
            lines[0] = f"{lines[0]} — {word.title()} Edition {i}"
            text = "\n".join(lines)
        else:
            text = text.replace('title: "', f'title: "{word.title()} {i}: ', 1)
            text = text.replace("slug: newsletter-stack-2026", f"slug: stack-{i}", 1)
        text = text.replace(" the ", f" the {word} ", 3)
        path = folder / f"article-{i:05d}{suffix}"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    build(int(sys.argv[1]), Path(sys.argv[2]))
