"""Build a corpus of N varied articles from the samples, for the benchmarks.

`python benchmarks/corpus.py N FOLDER`. Each article is a sample with its
title and slug changed, its sections kept, and two words of every prose line
replaced by made-up words drawn for that article, so no paragraph, bullet or
quote repeats between articles: a cache keyed on text gets no help from the
corpus that a real folder of distinct articles would not give it.
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS = "harbour ledger signal market policy river summit archive network council".split()  # noqa: SIM905
SYLLABLES = "ka lo mi ren dus ta vel or sil bra nu ek fam po gri zel".split()  # noqa: SIM905
_WORD = re.compile(r"(?<![\w/.(\[*_`@-])[A-Za-z]{4,}(?![\w/.:)\]*_`@-])")


def _made_up(rng: random.Random, like: str) -> str:
    word = "".join(rng.choice(SYLLABLES) for _ in range(3))
    return word.capitalize() if like[0].isupper() else word


def _vary(line: str, rng: random.Random) -> str:
    """Two words of a prose line swapped for made-up ones; other lines as they are."""
    if len(line.split()) < 8 or line.startswith(("By ", "#", "|", "    ", "```", "!")):
        return line
    spans = [m.span() for m in _WORD.finditer(line)]
    for start, end in sorted(rng.sample(spans, min(2, len(spans))), reverse=True):
        line = line[:start] + _made_up(rng, line[start:end]) + line[end:]
    return line


def _vary_body(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    front = 0
    if lines[0] == "---":  # Markdown: leave the front matter alone
        front = lines.index("---", 1) + 1
    fenced = False
    for index in range(front, len(lines)):
        if lines[index].startswith("```"):
            fenced = not fenced
        elif not fenced:
            lines[index] = _vary(lines[index], rng)
    return "\n".join(lines)


def build(n: int, folder: Path, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    samples = sorted(p for p in (ROOT / "article").iterdir() if p.suffix in (".txt", ".md"))
    texts = [(p.suffix, p.read_text(encoding="utf-8")) for p in samples]
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        suffix, text = texts[i % len(texts)]
        word = rng.choice(WORDS)
        text = _vary_body(text, rng)
        if suffix == ".txt":
            lines = text.split("\n")
            lines[0] = f"{lines[0]} — {word.title()} Edition {i}"
            text = "\n".join(lines)
        else:
            text = text.replace('title: "', f'title: "{word.title()} {i}: ', 1)
            text = text.replace("slug: newsletter-stack-2026", f"slug: stack-{i}", 1)
        path = folder / f"article-{i:05d}{suffix}"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    build(int(sys.argv[1]), Path(sys.argv[2]))
