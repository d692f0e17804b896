"""Masthead beside its two anchors, node mjml and Pelican, in one run: the issue-21 ratios.

Run by hand (it asserts nothing and CI never runs it):

    python benchmarks/compare.py [--masthead CHECKOUT[,PYTHON]]... [--anchors DIR]
        [--pelican PATH] [--mjml PATH] [--rounds 5] [--repeat 3] [--n 1000] [--work DIR]

`--masthead` names a checkout to measure; give it several times (say the commit
before a change and the working tree after it) and every build is measured in
the same run, turn about with the anchors, so a noisy machine slows them all
alike. Each build runs from its own folder (PYTHONPATH=CHECKOUT) with PYTHON
(default: the Python running this script, whose packages it needs), through
the entry point its pyproject.toml names, as the `masthead` command would.
The anchors come from `benchmarks/anchors.sh DIR` (a Python venv with pinned
Pelican and Markdown, and a pinned node mjml): benchmark-only, never a
dependency of Masthead or its tests.

What is measured, each round (the order of the contenders turns each round):
1. a cold `masthead render SEED -o DIR` (every channel) against node
   `mjml in.mjml -o out.html`, a cold process each, compiling the MJML
   Masthead makes for the seed's email (taken from the first build);
2. `masthead --help` and `masthead --version`;
3. N Markdown articles (benchmarks/corpus.py) by `masthead render --jobs 2`
   against `pelican` (HTML and RSS/Atom feeds, no content cache, default
   theme) on the same articles, their YAML front matter written as Pelican's
   metadata lines; both outputs are checked to hold one page per article;
4. CPU per article in one process: the library's render_run over the same
   articles, time.process_time;
5. `feed add` of one article into a feed of 10,000 items (a fresh copy each
   time), minus the start-up of a `--version` process run just before it, and
   minus the same add into a feed of 10 items (what the 10,000 items cost);
   then the next article into the feed that add wrote (an editor's usual
   run); peak RSS with 1,000 and with 10,000 items.

--repeat: cold runs of 1 and 2 per round. Times are wall-clock medians over
the rounds (CPU, user + system of the process and its children, beside them).
The budgets are issue 21's. benchmarks/README.md says more.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from corpus import build  # noqa: E402
from render_bench import CONFIG  # noqa: E402

SEED = ROOT / "article" / "the-great-ai-divorce.txt"

# What the `masthead` command does (sys.argv[0] as the console script sets
# it), plus the process's peak RSS on standard error when it ends. Only the
# first process reports: render's workers end without running `finally`.
LAUNCH = """\
import os, sys
pid = os.getpid()
from {module} import {attr} as entry
sys.argv[0] = "masthead"
try:
    sys.exit(entry())
finally:
    if os.getpid() == pid:
        with open("/proc/self/status") as status:
            hwm = [x for x in status if x.startswith("VmHWM")][0].split()[1]
        print("\\nMASTHEAD-PEAK-KB", hwm, file=sys.stderr)
"""

# The MJML source of the seed's email, as the build compiles it: the email
# module's compile step is wrapped to keep its input, and the email is built
# whole (not from the layout compiled with placeholders, which is how Masthead
# reuses one compile across articles), so the MJML holds the seed's own text.
GET_MJML = """\
import functools, sys
from generator.channels.email import html
seen = []
compile_ = html._compile
html._compile = lambda source: (seen.append(source), compile_(source))[1]
html._render_html = functools.partial(html._render_html, reuse_compiled=False)
from generator.cli import main
article, target = sys.argv[1:]
sys.argv = ["masthead", "email", article, "-o", target + ".html"]
try:
    main()
except SystemExit as exc:
    if exc.code:
        raise
open(target, "w", encoding="utf-8").write(seen[-1])
"""

# feed_bench's feed of N items. feed_bench puts its own checkout first on
# sys.path and imports Masthead: the build's modules are imported first, so
# that checkout (perhaps mid-edit) is never loaded.
MAKE_FEED = """\
import sys
from pathlib import Path
import generator.clock, generator.config, generator.feedfile, generator.readers
sys.path.insert(0, sys.argv[1])
from feed_bench import make_feed
path = Path(sys.argv[2])
make_feed(path, int(path.stem.split("-")[-1]))
"""

# CPU per article in one process, through the library as render_bench does.
IN_PROCESS = """\
import sys, time
from pathlib import Path
from generator.clock import now
from generator.config import parse_config
from generator.render import Options, render_run
config = parse_config(Path(sys.argv[1]).read_text(encoding="utf-8"))
start = time.process_time()
summary = render_run([sys.argv[2]], Path(sys.argv[3]), config, Options(force=True),
                     now=now(), jobs=1)
cpu = time.process_time() - start
stages = " ".join(f"{k}={v:.4f}" for k, v in sorted(summary.timings.items()))
print("IN-PROCESS", cpu, len(summary.results), stages)
"""

PELICAN_CONF = """\
AUTHOR = "The Ledger"
SITENAME = "The Ledger"
SITEURL = "https://news.example.com"
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
FEED_DOMAIN = SITEURL
FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_ALL_RSS = "feeds/all.rss.xml"
"""


@dataclass
class Run:
    wall: float  # seconds
    cpu: float  # seconds, user + system, the process and its children
    peak_kb: int = 0
    stdout: str = ""


@dataclass
class Build:
    label: str
    root: Path
    python: str
    launch: str
    env: dict[str, str]

    def command(self, *args: str) -> list[str]:
        return [self.python, "-c", self.launch, *args]


@dataclass
class Results:
    samples: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    stages: dict[str, str] = field(default_factory=dict)  # the last round's, per build

    def add(self, measure: str, who: str, value: float) -> None:
        self.samples.setdefault((measure, who), []).append(value)

    def median(self, measure: str, who: str) -> float | None:
        values = self.samples.get((measure, who))
        return statistics.median(values) if values else None

    def spread(self, measure: str, who: str) -> str:
        values = sorted(self.samples.get((measure, who), []))
        return f"{values[0]:.2f}–{values[-1]:.2f}, n={len(values)}" if values else "—"


def timed(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode:
        shown = " ".join(c for c in cmd if "\n" not in c)  # not the launcher's code
        raise SystemExit(f"{shown} failed:\n{result.stderr[-3000:]}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    peak = [x for x in result.stderr.splitlines() if x.startswith("MASTHEAD-PEAK-KB")]
    return Run(wall, cpu, int(peak[-1].split()[1]) if peak else 0, result.stdout)


def make_build(spec: str, work: Path, index: int) -> Build:
    path, _, python = spec.partition(",")
    root = Path(path).resolve()
    scripts = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    module, attr = scripts["project"]["scripts"]["masthead"].split(":")
    commit = subprocess.run(
        ["git", "-C", str(root), "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    env = dict(os.environ, PYTHONPATH=str(root))
    # As installed: pip writes the .pyc files an installed package starts from
    # (the warm-up run writes them here).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    # A cache Masthead keeps in the user's cache folder lives in the run's
    # folder, one per build, warmed like any user's by the warm-up run.
    env["XDG_CACHE_HOME"] = str(work / f"cache-{index}")
    label = f"{root.name}@{commit}" if commit else root.name
    launch = LAUNCH.format(module=module, attr=attr)
    return Build(label, root, python or sys.executable, launch, env)


def pelican_source(text: str) -> str:
    """A corpus article with its YAML front matter as Pelican's metadata lines, body as is."""
    _, front, body = text.split("---\n", 2)
    meta = yaml.safe_load(front)

    def joined(value: object) -> str:
        return ", ".join(map(str, value)) if isinstance(value, list) else str(value)

    names = {
        "title": "Title",
        "date": "Date",
        "updated": "Modified",
        "slug": "Slug",
        "tags": "Tags",
        "authors": "Authors",
        "subtitle": "Summary",
        "lang": "Lang",
    }
    lines = [f"{names[k]}: {joined(v)}" for k, v in meta.items() if k in names]
    if meta.get("draft"):
        lines.append("Status: draft")
    return "\n".join(lines) + "\n\n" + body.lstrip("\n")


def corpus(n: int, work: Path) -> tuple[Path, Path]:
    """N Markdown articles for Masthead, and the same for Pelican (metadata lines)."""
    every = work / "corpus-all"
    # One sample in four is Markdown: build four times N and keep those.
    build(4 * n, every)
    markdown = sorted(every.glob("*.md"))[:n]
    if len(markdown) < n:
        raise SystemExit(f"the corpus made {len(markdown)} Markdown articles, not {n}")
    ours, theirs = work / "markdown", work / "pelican" / "content"
    ours.mkdir()
    theirs.mkdir(parents=True)
    for path in markdown:
        path.rename(ours / path.name)
        text = (ours / path.name).read_text(encoding="utf-8")
        (theirs / path.name).write_text(pelican_source(text), encoding="utf-8")
    shutil.rmtree(every)
    (work / "pelican" / "conf.py").write_text(PELICAN_CONF, encoding="utf-8")
    return ours, work / "pelican"


def setup_step(what: str, builds: list[Build], work: Path, code: str, *args: str) -> None:
    """Run CODE with the first build that can: another checkout may be mid-edit."""
    for b in builds:
        result = subprocess.run(
            [b.python, "-c", code, *args], cwd=work, env=b.env, capture_output=True, text=True
        )
        if result.returncode == 0:
            print(f"{what}: made with {b.label}")
            return
        print(f"could not make {what} with {b.label}:\n{result.stderr[-1500:]}")
    raise SystemExit(f"no build could make {what}")


def pages_written(out: Path, slugs: list[str]) -> int:
    return sum((out / f"{slug}.html").is_file() for slug in slugs)


def load() -> str:
    """The machine's load: wall times mean little when it is past its 2 cores."""
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def turns(items: list[str], round_: int) -> list[str]:
    """The contenders in a different order each round."""
    k = round_ % len(items)
    return items[k:] + items[:k]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--masthead", action="append", metavar="CHECKOUT[,PYTHON]")
    parser.add_argument("--anchors", type=Path, default=ROOT / ".bench-anchors")
    parser.add_argument("--pelican", help="default: ANCHORS/venv/bin/pelican")
    parser.add_argument("--mjml", help="default: ANCHORS/node/node_modules/.bin/mjml")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3, help="cold runs per round (1, 2)")
    parser.add_argument("--work", type=Path, default=ROOT.parent, help="folder for the run")
    args = parser.parse_args()
    pelican = args.pelican or str(args.anchors / "venv" / "bin" / "pelican")
    mjml = args.mjml or str(args.anchors / "node" / "node_modules" / ".bin" / "mjml")
    for tool in (pelican, mjml):
        if not os.access(tool, os.X_OK):
            raise SystemExit(f"{tool} not found: run benchmarks/anchors.sh {args.anchors}")

    work = Path(tempfile.mkdtemp(prefix="masthead-compare-", dir=args.work))
    try:
        run(args, work, pelican, mjml)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, work: Path, pelican: str, mjml: str) -> None:
    builds = [make_build(s, work, i) for i, s in enumerate(args.masthead or [str(ROOT)])]
    if len({b.label for b in builds}) < len(builds):
        for i, b in enumerate(builds):
            b.label = f"{b.label}#{i + 1}"
    names = [b.label for b in builds]
    (work / "masthead.toml").write_text(CONFIG, encoding="utf-8")
    shutil.copy(SEED, work / "seed.txt")
    seed = str(work / "seed.txt")
    print(
        "anchors:",
        subprocess.run([pelican, "--version"], capture_output=True, text=True).stdout.strip(),
        "(pelican);",
        subprocess.run([mjml, "--version"], capture_output=True, text=True)
        .stdout.strip()
        .replace("\n", ", "),
    )
    markdown, site = corpus(args.n, work)
    slugs = [
        yaml.safe_load(p.read_text(encoding="utf-8").split("---\n")[1])["slug"]
        for p in sorted(markdown.iterdir())
    ]
    feeds = {size: work / f"feed-{size}.xml" for size in (10, 1_000, 10_000)}
    for size, path in feeds.items():
        setup_step(f"a feed of {size} items", builds, work, MAKE_FEED, str(BENCH), str(path))
    mjml_source = work / "seed.mjml"
    setup_step("the seed's MJML", builds, work, GET_MJML, seed, str(mjml_source))
    anchor_env = dict(os.environ)
    anchor_env.pop("PYTHONDONTWRITEBYTECODE", None)
    fresh: Iterator[Path] = (work / "out" / str(i) for i in range(1_000_000))
    (work / "out").mkdir()

    def feed_add(b: Build, size: int, again: bool = False) -> Run:
        feed = work / f"feed-now-{size}.xml"
        if not again:  # a fresh copy: the first add into a feed this build never wrote
            shutil.copyfile(feeds[size], feed)
        # The next article is another in the seed layout: the same reader, so
        # the difference to the 10-item add is the feed's alone.
        article = str(ROOT / "article" / "urban-beekeeping-guide.txt") if again else seed
        return timed(b.command("feed", "add", article, "--feed", str(feed)), work, b.env)

    small = work / "warm"
    small.mkdir()
    for path in sorted(markdown.iterdir())[:4]:
        shutil.copy(path, small)
    print("warm-up (writes .pyc, fills caches; untimed)")
    for b in builds:
        for cmd in (["--version"], ["--help"], ["render", seed, "-o", str(next(fresh))]):
            timed(b.command(*cmd), work, b.env)
        timed(b.command("render", str(small), "-o", str(next(fresh)), "-j", "2", "-q"), work, b.env)
        feed_add(b, 1_000)
    timed([mjml, str(mjml_source), "-o", str(work / "node.html")], work, anchor_env)
    warm_site = work / "warm-pelican"
    (warm_site / "content").mkdir(parents=True)
    for path in sorted((site / "content").iterdir())[:4]:
        shutil.copy(path, warm_site / "content")
    shutil.copy(site / "conf.py", warm_site)
    timed([pelican, "content", "-s", "conf.py", "-o", str(next(fresh))], warm_site, anchor_env)

    results = Results()
    contenders = ["anchor", *names]
    by_name = dict(zip(names, builds, strict=True))

    def each(round_: int, action: Callable[[str], None]) -> None:
        for who in turns(contenders, round_):
            action(who)

    for r in range(args.rounds):
        print(f"round {r + 1}/{args.rounds}, {load()}", flush=True)

        def cold(who: str) -> None:
            for _ in range(args.repeat):
                if who == "anchor":
                    out = next(fresh)
                    out.mkdir(parents=True)
                    got = timed(
                        [mjml, str(mjml_source), "-o", str(out / "email.html")], work, anchor_env
                    )
                else:
                    b = by_name[who]
                    got = timed(b.command("render", seed, "-o", str(next(fresh))), work, b.env)
                results.add("cold", who, got.wall * 1000)
                results.add("cold CPU", who, got.cpu * 1000)

        each(r, cold)
        for who in turns(names, r):
            b = by_name[who]
            for _ in range(args.repeat):
                for flag in ("--help", "--version"):
                    got = timed(b.command(flag), work, b.env)
                    results.add(flag, who, got.wall * 1000)
                    results.add(f"{flag} CPU", who, got.cpu * 1000)

        def folder(who: str) -> None:
            out = next(fresh)
            if who == "anchor":
                got = timed([pelican, "content", "-s", "conf.py", "-o", str(out)], site, anchor_env)
                done = pages_written(out, slugs)
                if "Processed" not in got.stdout:
                    print(f"pelican said: {got.stdout[-500:]}")
            else:
                b = by_name[who]
                got = timed(
                    b.command("render", str(markdown), "-o", str(out), "-j", "2", "-q"),
                    work,
                    b.env,
                )
                done = sum(p.is_dir() for p in out.iterdir())
            if done != args.n:
                print(f"warning: {who} wrote {done} article pages of {args.n}")
            results.add("folder", who, args.n / got.wall)
            results.add("folder CPU", who, got.cpu * 1000 / args.n)

        each(r, folder)
        for who in turns(names, r):
            b = by_name[who]
            config, out = str(work / "masthead.toml"), str(next(fresh))
            got = timed([b.python, "-c", IN_PROCESS, config, str(markdown), out], work, b.env)
            line = [x for x in got.stdout.splitlines() if x.startswith("IN-PROCESS")][-1]
            _, cpu, count, *stages = line.split()
            results.add("cpu", who, float(cpu) * 1000 / int(count))
            results.stages[who] = ", ".join(
                f"{k} {float(v) * 1000 / int(count):.2f}" for k, v in (x.split("=") for x in stages)
            )
        for who in turns(names, r):
            b = by_name[who]
            # Start-up, two ways: a `--version` process (the CLI alone), and
            # the same `feed add` into a feed of 10 items (every import the
            # command needs): what is past the second is what 10,000 items cost.
            start = timed(b.command("--version"), work, b.env)
            tiny = feed_add(b, 10)
            add = feed_add(b, 10_000)
            results.add("feed", who, (add.wall - start.wall) * 1000)
            results.add("feed CPU", who, (add.cpu - start.cpu) * 1000)
            results.add("feed items", who, (add.wall - tiny.wall) * 1000)
            results.add("feed items CPU", who, (add.cpu - tiny.cpu) * 1000)
            # The next article into the feed the first add wrote: an editor's
            # usual run, one add per article published.
            again = feed_add(b, 10_000, again=True)
            results.add("feed again", who, (again.wall - tiny.wall) * 1000)
            results.add("feed again CPU", who, (again.cpu - tiny.cpu) * 1000)
            results.add("rss10k", who, add.peak_kb / 1024)
            results.add("rss1k", who, feed_add(b, 1_000).peak_kb / 1024)

    print(f"done, {load()}")
    report(results, names, args.n)


def report(results: Results, names: list[str], n: int) -> None:
    med = results.median

    def num(value: float) -> str:
        return f"{value:.0f}" if value >= 10 else f"{value:.2f}"

    def timing(measure: str, who: str, unit: str = "ms") -> str:
        """The wall median, and the CPU median beside it: on a loaded machine the CPU holds."""
        wall, cpu = med(measure, who), med(f"{measure} CPU", who)
        if wall is None:
            return "—"
        return f"{num(wall)} {unit}" + (f" (CPU {num(cpu)})" if cpu is not None else "")

    def mark(ok: bool) -> str:
        return "✔" if ok else "✘"

    def budget_row(label: str, measure: str, limit: float, budget: str) -> list[str]:
        values = [med(measure, w) for w in names]
        return (
            [label, "—"]
            + [timing(measure, w) for w in names]
            + ["—", budget, " ".join(mark(v is not None and v <= limit) for v in values)]
        )

    rows = []
    # Time taken: Masthead's over mjml's (smaller is better), wall and CPU.
    cold = [med("cold", w) / med("cold", "anchor") for w in names]  # type: ignore[operator]
    cold_cpu = [med("cold CPU", w) / med("cold CPU", "anchor") for w in names]  # type: ignore[operator]
    rows.append(
        ["cold `render SEED` (every channel) vs `mjml` (its email)", timing("cold", "anchor")]
        + [timing("cold", w) for w in names]
        + [" / ".join(f"{x:.2f}× (CPU {y:.2f}×)" for x, y in zip(cold, cold_cpu, strict=True))]
        + ["≤ 0.35×", " ".join(mark(x <= 0.35) for x in cold)]
    )
    # Under 80 ms: a budget that is a limit, not a ratio (80 is inside it).
    rows.append(budget_row("`masthead --help`", "--help", 79.999, "< 80 ms"))
    rows.append(budget_row("`masthead --version`", "--version", 79.999, "< 80 ms"))
    # Rate: Masthead's over Pelican's (larger is better); per CPU second too.
    rate = [med("folder", w) / med("folder", "anchor") for w in names]  # type: ignore[operator]
    per_cpu = [med("folder CPU", "anchor") / med("folder CPU", w) for w in names]  # type: ignore[operator]

    def folder(who: str) -> str:
        return f"{med('folder', who):.0f}/s (CPU {med('folder CPU', who):.2f} ms/article)"

    rows.append(
        [f"{n:,} Markdown articles, `render --jobs 2` vs `pelican`", folder("anchor")]
        + [folder(w) for w in names]
        + [" / ".join(f"{x:.2f}× (per CPU s {y:.2f}×)" for x, y in zip(rate, per_cpu, strict=True))]
        + ["≥ 2×", " ".join(mark(x >= 2) for x in rate)]
    )
    rows.append(budget_row("CPU per article, one process (`render_run`)", "cpu", 2.0, "≤ 2.0 ms"))
    rows.append(
        budget_row("`feed add` into 10,000 items, past `--version`", "feed", 80, "≤ 80 ms")
    )
    rows.append(
        budget_row(
            "`feed add` into 10,000 items, past an add into 10 items", "feed items", 80, "≤ 80 ms"
        )
    )
    rows.append(
        budget_row(
            "the next `feed add` into that feed, past an add into 10 items",
            "feed again",
            80,
            "≤ 80 ms",
        )
    )
    small = [med("rss1k", w) or 0.0 for w in names]
    large = [med("rss10k", w) or 0.0 for w in names]
    rows.append(
        ["`feed add` peak RSS, 1,000 → 10,000 items", "—"]
        + [f"{a:.0f} → {b:.0f} MB" for a, b in zip(small, large, strict=True)]
        # Flat: less growth than the feed file's own (about 8.7 MB), so the
        # feed is not held whole.
        + ["—", "flat (< 5 MB more)"]
        + [" ".join(mark(b - a < 5) for a, b in zip(small, large, strict=True))]
    )
    header = ["measure", "anchor", *names, "ratio", "budget", "✔/✘"]
    print()
    print("| " + " | ".join(header) + " |")
    print("| " + " | ".join("---" for _ in header) + " |")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(
        "\nwall medians (CPU: user + system, children included); ratio: Masthead / anchor"
        " time, or rate for the folder"
    )
    print("\nevery measure: median, [min–max] of the runs")
    units = {
        "cold": "ms wall",
        "cold CPU": "ms CPU (user + system)",
        "--help": "ms wall",
        "--help CPU": "ms CPU",
        "--version": "ms wall",
        "--version CPU": "ms CPU",
        "folder": "articles/s",
        "folder CPU": "ms CPU per article (user + system, workers included)",
        "cpu": "ms CPU per article, one process",
        "feed": "ms wall past start-up",
        "feed CPU": "ms CPU past start-up",
        "feed items": "ms wall past an add into 10 items",
        "feed items CPU": "ms CPU past an add into 10 items",
        "feed again": "ms wall, second add, past an add into 10 items",
        "feed again CPU": "ms CPU, second add, past an add into 10 items",
        "rss1k": "MB peak, feed add into 1,000 items",
        "rss10k": "MB peak, feed add into 10,000 items",
    }
    for measure, unit in units.items():
        for who in ["anchor", *names]:
            if (measure, who) in results.samples:
                print(
                    f"  {measure:13} {who:24} {results.median(measure, who):8.2f}"
                    f" [{results.spread(measure, who)}] {unit}"
                )
    for who, stages in results.stages.items():
        print(f"  {'stages':13} {who:24} ms per article in one process (last round): {stages}")


if __name__ == "__main__":
    main()
