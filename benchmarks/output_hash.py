"""One hash of every file Masthead writes, to show a speed change changed no output.

Run by hand: `python benchmarks/output_hash.py [N] [MANIFEST]` (default 400 corpus
articles). Renders the samples, the hostile files that render, and N corpus articles
(benchmarks/corpus.py), each folder twice: with a newsroom's config (site URL, UTM,
sender, so links, feeds and tracked URLs are all written) and with none. The clock is
fixed with SOURCE_DATE_EPOCH. Prints one sha256 over every output file (path and bytes);
MANIFEST, when given, gets one line per file so two builds can be diffed.
Run it at two commits: the same digest means the same bytes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).parent))

from corpus import build  # noqa: E402
from render_bench import CONFIG  # noqa: E402

# The run's own bookkeeping, not output: it records file times.
SKIP = {".masthead-cache.json"}


def render(sources: Path, out: Path, config: Path | None, cache: Path) -> None:
    # A cache of our own, shared by the runs: the first compiles the email's
    # layouts, later ones take them from it, so both paths are in the digest,
    # and the user's ~/.cache is left alone.
    env = dict(
        os.environ,
        SOURCE_DATE_EPOCH="1767225600",
        PYTHONPATH=str(ROOT),
        MASTHEAD_CACHE_DIR=str(cache),
    )
    args = [sys.executable, "-m", "generator", "render", str(sources), "-o", str(out), "-q"]
    args += ["-c", str(config)] if config else []
    # --jobs 1: worker order never matters to the bytes, but one process is easy to debug.
    result = subprocess.run([*args, "--jobs", "1"], env=env, capture_output=True, text=True)
    if result.returncode not in (0, 1):  # 1: some hostile files are refused, on purpose
        raise SystemExit(f"render failed ({result.returncode}):\n{result.stderr}")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    manifest = Path(sys.argv[2]) if len(sys.argv) > 2 else None
    work = Path(tempfile.mkdtemp(prefix="masthead-hash-"))
    try:
        folders = {"samples": ROOT / "article", "hostile": ROOT / "tests" / "hostile"}
        build(n, work / "corpus")
        folders["corpus"] = work / "corpus"
        config = work / "masthead.toml"
        config.write_text(CONFIG, encoding="utf-8")
        (work / "empty.toml").write_text("", encoding="utf-8")
        lines = []
        for name, folder in folders.items():
            for label, cfg in (("site", config), ("bare", None)):
                out = work / "out" / f"{name}-{label}"
                # A bare run must not find a masthead.toml above the sources.
                render(folder, out, cfg if cfg else work / "empty.toml", work / "cache")
                for path in sorted(out.rglob("*")):
                    if path.is_file() and path.name not in SKIP:
                        digest = hashlib.sha256(path.read_bytes()).hexdigest()
                        lines.append(f"{digest}  {path.relative_to(work / 'out')}")
        total = hashlib.sha256("\n".join(lines).encode()).hexdigest()
        if manifest:
            manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{len(lines)} files, sha256 {total}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
