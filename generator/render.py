"""Every channel for one article, and a folder of articles in parallel.

`render_files` is pure: an article in, the bytes of every output file out.
`render_run` does the I/O around it: it finds the articles, skips the ones
whose source, templates and config are unchanged since the last run (a
content hash kept in the output folder, like Pelican's content cache),
renders the rest across processes, writes each file atomically, refuses two
articles that would share a slug, and updates the run's feeds once.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from generator import __version__
from generator.channels.rss.feed import PreparedItem, item_and_prepared
from generator.config import Config
from generator.errors import MastheadError
from generator.model import Article
from generator.platforms import platforms
from generator.resources import templates_digest, templates_dir
from generator.writers import STAGING, write_atomic, write_folder

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

ARTICLE_SUFFIXES = (".txt", ".md", ".markdown")
CACHE_NAME = ".masthead-cache.json"
THREAD_PLATFORMS = ("x", "bluesky", "mastodon", "threads")
FEED_FILES = ("feed.xml", "atom.xml", "feed.json")


@dataclass(frozen=True, slots=True)
class Options:
    platforms: tuple[str, ...] = tuple(platforms())
    esp: str | None = None
    theme: str | None = None
    drafts: bool = False
    force: bool = False
    input_format: str | None = None  # a reader's name; else chosen by extension
    # The author's hook and closing line for every thread (--hook, --close).
    hook: str | None = None
    close: str | None = None


@dataclass(slots=True)
class Result:
    path: str
    status: str  # rendered | skipped | draft | failed
    slug: str | None = None
    error: str | None = None
    email_bytes: int = 0
    posts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # check errors in what was rendered
    feed_item: PreparedItem | None = None  # for the run's feed
    digest: str | None = None
    timings: dict[str, float] = field(default_factory=dict)  # emptied once counted


@dataclass(slots=True)
class RunSummary:
    results: list[Result]
    feed_message: str | None = None
    # Seconds spent in each stage (read, email, thread, rss, write), all articles.
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def failed(self) -> list[Result]:
        return [r for r in self.results if r.status == "failed"]

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)


# --- one article ------------------------------------------------------------------


def thread_file(key: str) -> str:
    """The file a platform's posts go in: thread-x.txt, …, and linkedin.txt."""
    return "linkedin.txt" if key == "linkedin" else f"thread-{key}.txt"


def render_files(
    article: Article, config: Config, options: Options, *, now: dt.datetime
) -> tuple[dict[str, bytes], Result]:
    """The output files of one article, by name, and what to report of them."""
    from generator.channels.email import build_email
    from generator.channels.email.eml import build_eml
    from generator.channels.thread import build_thread, to_dict, to_text
    from generator.check import check_article

    timings: dict[str, float] = {}
    files: dict[str, bytes] = {}
    clock = time.perf_counter()
    if options.hook is not None or options.close is not None:
        social = article.social.overridden(hook=options.hook, close=options.close)
        article = dataclasses.replace(article, social=social)

    message = build_email(article, config, esp=options.esp, theme=options.theme)
    files["email.html"] = message.html.encode("utf-8")
    files["email.txt"] = message.text.encode("utf-8")
    files["email.eml"] = build_eml(
        subject=message.subject,
        text=message.text,
        html=message.html,
        config=config,
        now=now,
        esp=options.esp,
    )
    timings["email"] = time.perf_counter() - clock
    clock = time.perf_counter()

    posts: dict[str, int] = {}
    thread_json = {}
    threads = []
    for key in options.platforms:
        thread = build_thread(article, key, config, limit=getattr(config.limits, key))
        threads.append(thread)
        files[thread_file(key)] = to_text(thread).encode("utf-8")
        thread_json[key] = to_dict(thread)
        posts[key] = len(thread.posts)
    files["thread.json"] = (
        json.dumps(thread_json, ensure_ascii=False, separators=(",", ":")) + "\n"
    ).encode()
    timings["thread"] = time.perf_counter() - clock
    clock = time.perf_counter()

    standalone, feed_item = item_and_prepared(article, config, now=now)
    files["item.xml"] = standalone.encode("utf-8")
    timings["rss"] = time.perf_counter() - clock

    findings = list(
        check_article(article, config, "", email=message, skip_threads=True, threads=threads)
    )
    warnings = [f"{f.message} [{f.rule}]" for f in findings if f.severity == "warning"]
    # What `masthead check` calls an error (a clipped email, a link no client
    # opens) is written anyway, but never silently: the run reports it.
    errors = [f"{f.message} [{f.rule}]" for f in findings if f.severity == "error"]
    result = Result(
        path="",
        status="rendered",
        slug=article.slug,
        email_bytes=len(files["email.html"]),
        posts=posts,
        warnings=warnings,
        errors=errors,
        feed_item=feed_item,
        timings=timings,
    )
    return files, result


# --- a run ----------------------------------------------------------------------------


def find_articles(paths: Iterable[str | os.PathLike[str]], out_dir: Path) -> list[Path]:
    """Article files named, or found (recursively) in folders named."""
    return list(_found_articles(paths, out_dir))


def _found_articles(paths: Iterable[str | os.PathLike[str]], out_dir: Path) -> dict[Path, str]:
    """`find_articles`, each with its absolute path (resolved once: it is
    what tells an article in the output folder, and the cache's key)."""
    found: dict[Path, str] = {}
    out = out_dir.resolve()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            if path.resolve().is_relative_to(out):
                # Its articles would all be skipped as our own output.
                raise MastheadError(
                    f"is the output folder or inside it ({out_dir}); render into another folder",
                    str(path),
                )
            for candidate in sorted(path.rglob("*")):
                if (
                    candidate.suffix.lower() in ARTICLE_SUFFIXES
                    and candidate.is_file()
                    and not any(p.startswith(".") for p in candidate.relative_to(path).parts)
                    and not (resolved := candidate.resolve()).is_relative_to(out)
                ):
                    found.setdefault(candidate, str(resolved))
        elif path not in found:
            # A missing or odd file is reported by its reader.
            found[path] = str(path.resolve())
    return found


def fingerprint(config: Config, options: Options) -> str:
    """What besides the source decides the output: templates, rules, config."""
    digest = hashlib.sha256(__version__.encode())
    # The built-in templates, a folder per kind, each hashed once per process
    # by the one home that also keys the email's cached layouts.
    for kind in sorted(p.name for p in templates_dir().iterdir() if p.is_dir()):
        digest.update(f"{kind}\0{templates_digest(kind)}\0".encode())
    override = config.templates_path()
    if override is not None and override.is_dir():
        for path in sorted(override.rglob("*")):
            if path.is_file():
                digest.update(b"override:" + str(path.relative_to(override)).encode())
                digest.update(path.read_bytes())
    package = Path(__file__).parent
    for data in ("platforms.toml", "esp.toml", "labels.toml", "themes.toml"):
        digest.update((package / data).read_bytes())
    digest.update(repr((config, options)).encode())
    digest.update(os.environ.get("SOURCE_DATE_EPOCH", "").encode())
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class _Task:
    path: str
    key: str  # the absolute path: how the cache knows the source
    out_dir: str
    claims: str  # the run's folder of slug claims
    fingerprint: str
    cached_digest: str | None
    cached_slug: str | None


_WORKER: dict[str, object] = {}


def _init_worker(
    config: Config,
    options: Options,
    now: dt.datetime,
    reserved: dict[str, str],
    claimed: dict[str, str] | None = None,
) -> None:
    """`claimed`: the run's slug claims kept in memory (slug -> source), when
    this process renders every article; None: claimed by file, which other
    workers see."""
    _WORKER.update(config=config, options=options, now=now, reserved=reserved, claimed=claimed)


def _work(task: _Task) -> Result:
    config: Config = _WORKER["config"]  # type: ignore[assignment]
    options: Options = _WORKER["options"]  # type: ignore[assignment]
    now: dt.datetime = _WORKER["now"]  # type: ignore[assignment]
    try:
        return _render_one(task, config, options, now)
    except MastheadError as exc:
        return Result(task.path, "failed", error=str(exc) if exc.path else f"{task.path}: {exc}")
    except Exception as exc:
        return Result(task.path, "failed", error=f"{task.path}: internal error ({exc!r})")


def _render_one(task: _Task, config: Config, options: Options, now: dt.datetime) -> Result:
    from generator.readers import reader_for
    from generator.readers.social import sidecar_bytes
    from generator.readers.source import Source, decode, read_file

    clock = time.perf_counter()
    path = Path(task.path)
    data = read_file(task.path)  # a named pipe is refused, not waited on
    # A plain-text article's NAME.social.toml is part of its source.
    companion = sidecar_bytes(task.path)
    digest = hashlib.sha256(data + companion + task.fingerprint.encode()).hexdigest()
    out_dir = Path(task.out_dir)

    if (
        not options.force
        and task.cached_digest == digest
        and task.cached_slug
        and _complete(out_dir / task.cached_slug, options)
    ):
        _claim(task.claims, task.cached_slug, task.path)
        return Result(task.path, "skipped", slug=task.cached_slug, digest=digest)

    reader = reader_for(path, options.input_format)
    source = Source(decode(data, task.path), task.path, path.stem)
    article = reader.read(
        source, lang=config.lang, site_url=config.site_url, shortcodes=config.markdown.shortcodes
    )
    read_time = time.perf_counter() - clock
    if article.draft and not options.drafts:
        return Result(task.path, "draft", slug=article.slug, digest=digest)

    owner = _WORKER.get("reserved", {}).get(article.slug)  # type: ignore[union-attr]
    if owner and owner != task.key:
        raise MastheadError(
            f"has the same slug '{article.slug}' as {owner}, rendered into this folder "
            f"before; {_OTHER_SLUG}",
            task.path,
        )
    files, result = render_files(article, config, options, now=now)
    _claim(task.claims, article.slug, task.path)
    clock = time.perf_counter()
    with _signals_held():  # a stop lands between folders, never inside one
        write_folder(out_dir / article.slug, files)
    result.timings["write"] = time.perf_counter() - clock
    result.timings["read"] = read_time
    result.path = task.path
    result.digest = digest
    return result


def _complete(folder: Path, options: Options) -> bool:
    """Every file the run would write is in `folder`: one listing, not a
    stat per file (an unchanged article's whole check)."""
    try:
        with os.scandir(folder) as entries:
            present = {entry.name for entry in entries if entry.is_file()}
    except OSError:
        return False
    return all(name in present for name in _file_names(options))


def _file_names(options: Options) -> list[str]:
    names = ["email.html", "email.txt", "email.eml", "thread.json", "item.xml"]
    for key in options.platforms:
        names.append(thread_file(key))
    return names


_OTHER_SLUG = (
    "give one of them another slug: rename its file, or in Markdown set 'slug:' in the front matter"
)


def _claim(claims: str, slug: str, source: str) -> None:
    """Reserve `slug` for `source` in this run; a second article with the same
    slug is refused rather than allowed to overwrite the first."""
    claimed: dict[str, str] | None = _WORKER.get("claimed")  # type: ignore[assignment]
    if claimed is not None:
        # One process renders the whole run: a dict, not a file per article.
        owner = claimed.setdefault(slug, source)
        if owner != source:
            raise MastheadError(f"has the same slug '{slug}' as {owner}; {_OTHER_SLUG}", source)
        return
    claim = os.path.join(claims, slug)
    try:
        fd = os.open(claim, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        with open(claim, encoding="utf-8", errors="surrogateescape") as handle:
            owner = handle.read().strip() or "another article"
        if owner == source:
            return
        message = f"has the same slug '{slug}' as {owner}; {_OTHER_SLUG}"
        raise MastheadError(message, source) from None
    try:
        os.write(fd, source.encode("utf-8", "surrogateescape"))
    finally:
        os.close(fd)


def _load_cache(out_dir: Path) -> dict[str, dict[str, str]]:
    try:
        data = json.loads((out_dir / CACHE_NAME).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError, OSError):
        return {}
    return data.get("articles", {}) if isinstance(data, dict) else {}


def render_run(
    paths: Iterable[str | os.PathLike[str]],
    out_dir: Path,
    config: Config,
    options: Options,
    *,
    now: dt.datetime,
    jobs: int | None = 1,
    progress: Callable[[Result, int, int], None] | None = None,
    notice: Callable[[str], None] | None = None,
) -> RunSummary:
    """Render `paths` into `out_dir` with up to `jobs` processes (None: one per
    CPU; see `worker_count`); `notice` hears what the run changed of what it
    was asked (fewer processes than --jobs)."""
    found = _found_articles(paths, out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cache = _load_cache(out_dir)
    stamp = fingerprint(config, options)
    # One file per slug, for the run only (removed at its end), kept in a
    # folder of its own so the cleanup is one folder, not a search of all.
    claims = out_dir / f".masthead-claims-{uuid.uuid4().hex}"
    keys = {str(p): key for p, key in found.items()}  # cache keys: absolute paths
    # Slugs this folder already holds for sources outside this run: another
    # article must not take them over (its render would replace their files).
    in_run = set(keys.values())
    reserved = {
        entry["slug"]: source
        for source, entry in cache.items()
        if source not in in_run and entry.get("slug") and Path(source).exists()
    }
    tasks = [
        _Task(
            path=path,
            key=key,
            out_dir=str(out_dir),
            claims=str(claims),
            fingerprint=stamp,
            cached_digest=cache.get(key, {}).get("digest"),
            cached_slug=cache.get(key, {}).get("slug"),
        )
        for path, key in keys.items()
    ]
    results: list[Result] = []
    timings: collections.Counter[str] = collections.Counter()
    workers, note = worker_count(jobs, len(tasks), usable_cpus())
    if note and notice:
        notice(note)
    _remove_leftovers(out_dir)
    with _live_claims(claims), _Spool(out_dir) as spool:
        running = _execute(tasks, config, options, now, workers, reserved)
        try:
            for result in running:
                # Keep what the summary shows; the rest would grow with the folder.
                if result.feed_item is not None:
                    spool.add(result.feed_item)
                    result.feed_item = None
                timings.update(result.timings)
                result.timings = {}
                results.append(result)
                if progress:
                    progress(result, len(results), len(tasks))
        finally:
            # A second Ctrl-C or a SIGTERM now must not leave the claims behind.
            _uninterrupted(lambda caught: _close_run(running, claims))

        summary = RunSummary(results, timings=dict(timings))
        if spool.items:
            from generator.channels.rss.feed import NoChannelLink
            from generator.feedfile import Siblings, add_articles

            try:
                update = add_articles(
                    out_dir / "feed.xml",
                    spool.items,
                    config,
                    now=now,
                    max_items=config.feed.max_items,
                    siblings=Siblings(out_dir / "atom.xml", out_dir / "feed.json"),
                )
            except NoChannelLink as exc:
                # Every other channel is written; the feeds wait for the config.
                summary.feed_message = f"feeds not written: {exc.message}"
            else:
                summary.feed_message = (
                    f"{out_dir / 'feed.xml'}: {update.added} added, {update.replaced} replaced; "
                    f"{update.total} items"
                )
    new_cache = {k: v for k, v in cache.items() if Path(k).exists()}  # forget deleted sources
    for result in results:
        if result.status in ("rendered", "skipped") and result.digest and result.slug:
            new_cache[keys[result.path]] = {
                "digest": result.digest,
                "slug": result.slug,
            }
    write_atomic(
        out_dir / CACHE_NAME,
        json.dumps({"version": __version__, "articles": new_cache}, indent=1, sort_keys=True),
    )
    return summary


# A staging folder (`.<slug>.<hex>.tmp`, see writers.write_folder) this old
# was left by a run that was killed: a live one is renamed within a second.
_STALE_STAGING_SECONDS = 3600
_NEW_CLAIMS_SECONDS = 60


def _remove_leftovers(out_dir: Path) -> None:
    """What runs killed outright (SIGKILL, power loss) left behind: claims
    folders no live run holds, and old staging folders."""
    try:
        entries = list(os.scandir(out_dir))
    except OSError:
        return
    now = time.time()
    for entry in entries:
        name = entry.name
        if (
            name.startswith(".masthead-claims-")
            and entry.is_dir(follow_symlinks=False)
            # Not one a run has only just made and is about to lock.
            and now - entry.stat(follow_symlinks=False).st_mtime > _NEW_CLAIMS_SECONDS
        ):
            try:
                fd = os.open(entry.path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:  # held: a run is using it
                continue
            finally:
                os.close(fd)
            shutil.rmtree(entry.path, ignore_errors=True)
        elif (
            STAGING.fullmatch(name)
            and entry.is_dir(follow_symlinks=False)
            and now - entry.stat(follow_symlinks=False).st_mtime > _STALE_STAGING_SECONDS
        ):
            shutil.rmtree(entry.path, ignore_errors=True)


@contextlib.contextmanager
def _live_claims(claims: Path) -> Iterator[None]:
    """The run's claims folder, locked while the run lasts: a later run knows
    by the lock that these claims are live (see _remove_leftovers)."""
    claims.mkdir()
    fd = os.open(claims, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        with contextlib.suppress(OSError):  # NFS: no lock, and no run removes another's claims
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


@dataclass(frozen=True, slots=True)
class SpooledItem:
    """A rendered article's feed item, its XML kept in the run's spool file."""

    guid: str
    link: str | None
    date: str | None
    former: str | None
    fd: int
    offset: int
    size: int

    def load(self) -> str:
        return os.pread(self.fd, self.size, self.offset).decode("utf-8")


class _Spool:
    """Where a run keeps its feed items until the feed is written: an unnamed
    temporary file, so the parent's memory does not grow with the folder."""

    def __init__(self, out_dir: Path) -> None:
        self._where = str(out_dir)
        try:
            # Closed by __exit__: the spool lives as long as the run.
            self._file = tempfile.TemporaryFile(dir=out_dir)  # noqa: SIM115
        except OSError as exc:
            raise MastheadError(f"cannot write here ({exc.strerror})", self._where) from None
        self._offset = 0
        self.items: list[SpooledItem] = []

    def add(self, item: PreparedItem) -> None:
        data = item.xml.encode("utf-8")
        try:
            written = 0
            while written < len(data):  # a write may be cut short on a full disk
                step = os.pwrite(self._file.fileno(), data[written:], self._offset + written)
                if not step:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                written += step
        except OSError as exc:
            raise MastheadError(
                f"cannot keep the run's feed items ({exc.strerror})", self._where
            ) from None
        fd = self._file.fileno()
        self.items.append(
            SpooledItem(item.guid, item.link, item.date, item.former, fd, self._offset, len(data))
        )
        self._offset += len(data)

    def __enter__(self) -> _Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self._file.close()


def usable_cpus() -> int:
    """The CPUs this process may run on: its affinity (taskset, a container's
    cpuset), not every CPU the machine has."""
    if hasattr(os, "process_cpu_count"):  # Python 3.13
        return os.process_cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def worker_count(jobs: int | None, articles: int, cpus: int) -> tuple[int, str | None]:
    """How many processes render `articles` articles when `jobs` are asked
    for (None: one per CPU), and what to tell the user, if anything.

    Never more than one per article nor one per CPU: `--jobs 4096` once
    forked 4,096 processes for 5 articles, which hung the machine and could
    not be stopped. Fewer processes than articles because of the CPUs is
    said (the run is slower than asked); fewer because there are fewer
    articles is not (no article waits for it)."""
    wanted = cpus if jobs is None else max(1, jobs)
    workers = max(1, min(wanted, articles, cpus))
    if jobs is not None and workers < min(jobs, articles):
        processes = "process" if workers == 1 else "processes"
        return workers, (
            f"--jobs {jobs}: using {workers} {processes}, as this process may use "
            f"{cpus} CPU{'' if cpus == 1 else 's'}"
        )
    return workers, None


def _execute(
    tasks: list[_Task],
    config: Config,
    options: Options,
    now: dt.datetime,
    workers: int,
    reserved: dict[str, str],
) -> Generator[Result, None, None]:
    if workers <= 1 or len(tasks) <= 1:
        _init_worker(config, options, now, reserved, claimed={})
        for task in tasks:
            yield _work(task)
        return
    # Imported here: a run of one process (one article, --jobs 1) needs no pool.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    chunk = max(1, min(32, len(tasks) // (workers * 4)))
    context = multiprocessing.get_context()
    if context.get_start_method() == "fork":
        _load_renderers(tasks, options)
    # A worker's parent is this process, unless a fork server starts them.
    direct = context.get_start_method() != "forkserver"
    # The workers are started by this thread (the first map below), which
    # lives until the pool is shut down: what the parent-death signal of
    # _end_with_parent is tied to.
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_init_pool_worker,
        initargs=(config, options, now, reserved, os.getpid(), direct),
    )
    previous_hook = threading.excepthook
    threading.excepthook = _quiet_pool_race(previous_hook)
    stopping = True  # until every result is in: Ctrl-C, an error, or the run closing early
    try:
        yield from pool.map(_work, tasks, chunksize=chunk)
        stopping = False
    finally:
        try:
            _uninterrupted(lambda caught: _stop_pool(pool, caught, stopping=stopping))
        finally:
            threading.excepthook = previous_hook


def _load_renderers(tasks: list[_Task], options: Options) -> None:
    """Import the channels and make the readers the run's articles need
    before the workers are forked: each worker then starts with them (shared
    with this process) instead of importing them itself, ~0.15 s of CPU each."""
    from generator.channels.email import build_email  # noqa: F401
    from generator.channels.email.eml import build_eml  # noqa: F401
    from generator.channels.thread import build_thread  # noqa: F401
    from generator.check import check_article  # noqa: F401
    from generator.readers import reader_for
    from generator.readers.social import sidecar_bytes  # noqa: F401

    for suffix in {Path(task.path).suffix.lower() for task in tasks}:
        with contextlib.suppress(MastheadError):  # an unknown one: its worker says so
            reader_for(f"article{suffix}", options.input_format)


# How long a stopped run waits for its workers to finish the chunk they are on.
STOP_WAIT = 30.0


class PoolAbandoned(KeyboardInterrupt):
    """A stopped run's workers were killed and its pool left behind: the
    pool's own thread may wait forever on a worker that died while sending
    its results, so the process should end with os._exit."""


def _stop_pool(pool: ProcessPoolExecutor, caught: list[int], *, stopping: bool) -> None:
    """Drop the chunks not started and let the workers finish theirs, so no
    folder is left half-written. A worker that a SIGTERM ended halfway through
    sending its results leaves the pool waiting forever; so once the run is
    stopping, another Ctrl-C or STOP_WAIT seconds kill the workers instead."""
    # Taken first: shutdown(wait=False) forgets them.
    manager = getattr(pool, "_executor_manager_thread", None)
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    if manager is None:
        return
    deadline: float | None = None
    seen = 0  # signals that had come when the stop began
    workers_gone: float | None = None  # when the last worker was seen to end
    while manager.is_alive():
        manager.join(0.1)
        now = time.monotonic()
        if deadline is None and (stopping or caught):
            deadline, seen = now + STOP_WAIT, len(caught)
        if workers_gone is None and not any(p.is_alive() for p in processes):
            workers_gone = now
        # Stopping, with every worker gone, a pool still running after two
        # seconds waits on results that will never come.
        stuck = workers_gone is not None and now - workers_gone > 2.0
        if deadline is not None and (stuck or len(caught) > seen or now > deadline):
            for process in processes:
                process.kill()
            manager.join(1.0)
            if manager.is_alive():
                raise PoolAbandoned
            return


def _quiet_pool_race(
    previous: Callable[[threading.ExceptHookArgs], object],
) -> Callable[[threading.ExceptHookArgs], object]:
    """Python 3.11's pool manager thread raises InvalidStateError when a
    SIGTERM to the process group ends workers while their chunks are being
    cancelled (CPython gh-107219, fixed in 3.12): harmless, and not ours to
    print."""

    from concurrent.futures import InvalidStateError

    def hook(args: threading.ExceptHookArgs) -> object:
        if args.exc_type is InvalidStateError:
            return None
        return previous(args)

    return hook


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block is done (this thread only: a
    worker's and the one-process run's only thread)."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _uninterrupted(action: Callable[[list[int]], object]) -> None:
    """Run `action` with SIGINT and SIGTERM noted in the list it is given,
    not acted on; then act on them as a Ctrl-C. Python handlers run in the
    main thread only, so the pool's own threads cannot be used to get round
    this."""
    caught: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        action(caught)
        return
    previous = {
        signum: signal.signal(signum, lambda number, frame: caught.append(number))
        for signum in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        action(caught)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if caught:
        raise KeyboardInterrupt


def _close_run(running: Generator[Result, None, None], claims: Path) -> None:
    try:
        running.close()  # stop the workers before their claims go
    finally:
        shutil.rmtree(claims, ignore_errors=True)


def _init_pool_worker(
    config: Config,
    options: Options,
    now: dt.datetime,
    reserved: dict[str, str],
    run: int,
    direct: bool,
) -> None:
    # Ctrl-C reaches the whole process group; the parent alone decides what
    # stops. A SIGTERM to the group (`timeout`, a cancelled CI job) ends a
    # worker, but only between folders (see _signals_held).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _end_with_parent(run, direct)
    _init_worker(config, options, now, reserved)


_PR_SET_PDEATHSIG = 1  # from <sys/prctl.h>


def _end_with_parent(run: int, direct: bool) -> None:
    """Make this worker end when its parent does, however that ends: a
    SIGKILL to the run reaches no handler, and its workers used to live on
    for ever, waiting on a task queue their siblings still hold open (and
    holding the run's claims lock). On Linux the kernel sends SIGKILL when
    the parent ends; elsewhere a thread looks twice a second. `run` is the
    run's process id; `direct`: it is this worker's parent (not a fork
    server, which itself ends with the run)."""
    parent = run if direct else os.getppid()
    if os.getppid() != parent:  # the run ended before this worker began
        os._exit(1)
    if not _parent_death_signal():
        _watch_parent(parent)
    elif os.getppid() != parent:  # it ended while the signal was being set
        os._exit(1)


def _parent_death_signal() -> bool:
    """Ask Linux for SIGKILL when this process's parent ends; False if not Linux."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes  # here: only a pool's workers ask

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return False
    zero = ctypes.c_ulong(0)
    return prctl(_PR_SET_PDEATHSIG, ctypes.c_ulong(signal.SIGKILL), zero, zero, zero) == 0


def _watch_parent(parent: int) -> None:
    """End this process soon after `parent` ends (it is then adopted by another)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    # Started with SIGINT and SIGTERM blocked, which the thread keeps: they
    # must reach the worker's main thread, which holds them while it writes.
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        threading.Thread(target=watch, name="masthead-parent-watch", daemon=True).start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
