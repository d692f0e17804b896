"""What every command shares: printing Masthead's own lines, turning errors
into one stderr line and an exit code, reading the article, writing output,
and stopping cleanly on a signal. Imports nothing heavy: a command's channel,
reader and template engine are imported when the command runs."""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import sys
import traceback
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, ParamSpec, TypeVar

import typer

from generator.cli import collection_paused
from generator.errors import MastheadError
from generator.text.terminal import printable

if TYPE_CHECKING:
    from generator.cli.options import InputFormat
    from generator.config import Config
    from generator.model import Article

# Set by the top-level group's --debug, read when a command fails.
state = {"debug": False}

P = ParamSpec("P")
R = TypeVar("R")


def declare_commands() -> typer.Typer:
    """The Typer a command module declares its command on, made as the
    top-level app is (plain help text, Masthead's own error reporting), so
    that the group builds the command just as it would its own."""
    return typer.Typer(pretty_exceptions_enable=False, rich_markup_mode=None)


def say(message: str, *, err: bool = False) -> None:
    """Print one of Masthead's own lines (an error, a warning, a finding, a
    summary): made printable, as it may quote a file name, a config key or an
    article's words, any of which may hold a terminal escape. What a command
    outputs (an email, a thread, JSON) is printed as it is."""
    typer.echo(printable(message), err=err)


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn Masthead errors (and, unless --debug, any crash) into one stderr line."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except MastheadError as exc:
            if state["debug"]:
                traceback.print_exc()
            say(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
        except (typer.Exit, typer.Abort, typer.BadParameter, KeyboardInterrupt):
            raise
        except BrokenPipeError:
            # Whoever read our output has gone (`| head`): stop quietly, as a
            # Unix tool killed by SIGPIPE would. Files are written atomically,
            # so a stopped render leaves whole folders and the old feed.
            _stdout_to_devnull()
            raise typer.Exit(128 + signal.SIGPIPE) from None
        except Exception as exc:
            if state["debug"]:
                raise
            say(
                f"error: internal error ({type(exc).__name__}: {exc}); "
                "please report it, and rerun with --debug for details",
                err=True,
            )
            raise typer.Exit(1) from None

    return wrapper


def one_article(command: Callable[P, R]) -> Callable[P, R]:
    """For a command that reads one article: its whole run is start-up (its
    channel's imports, the caches' first fill) plus one article's garbage,
    which is bounded, so the collector stays paused to the end (see
    generator.cli.collection_paused)."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with collection_paused():
            return command(*args, **kwargs)

    return wrapper


def _stdout_to_devnull() -> None:
    """Point standard output at /dev/null, so that flushing it at exit does
    not raise again on the closed pipe."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def load(
    article: str, config: Config, fmt: InputFormat | None, output: str | None = None
) -> Article:
    """Read `article` (a path, or - for standard input) in format `fmt`
    (None: by its extension); `output`, when given, must not be the article."""
    from generator.readers import read_bytes, read_path
    from generator.readers.source import read_stdin

    if output not in (None, "-") and article != "-" and same_file(output, article):
        raise MastheadError("is the article itself; write the output to another file", output)

    fmt_name = fmt.value if fmt else None
    if article == "-":
        return read_bytes(
            read_stdin(sys.stdin.buffer),
            fmt=fmt_name,
            lang=config.lang,
            site_url=config.site_url,
            shortcodes=config.markdown.shortcodes,
        )
    return read_path(
        article,
        fmt=fmt_name,
        lang=config.lang,
        site_url=config.site_url,
        shortcodes=config.markdown.shortcodes,
    )


def same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return False


def emit(text: str, output: str | None) -> None:
    """Print `text`, or write it atomically to `output`."""
    if output is None or output == "-":
        typer.echo(text, nl=False)
        return
    write(output, text)


def write(output: str, data: str | bytes) -> None:
    """Write `data` atomically to the file `output` and say so on stderr."""
    from generator.writers import write_atomic

    write_atomic(output, data)
    say(f"wrote {output}", err=True)


def ignore_stops() -> None:
    """From now on, Ctrl-C and SIGTERM do nothing (in the main thread)."""
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)


@contextlib.contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """Make SIGTERM (a `kill`, a CI job cancelled) stop a run as Ctrl-C does:
    cleanly, leaving no temporary files behind."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        if signal.getsignal(signal.SIGTERM) is stop:  # not if stops are ignored by now
            signal.signal(signal.SIGTERM, previous)
