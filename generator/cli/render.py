"""`masthead render`: every channel of articles or folders, into one folder
per article, with the run's feeds; progress and a summary as it goes."""

import contextlib
import sys
from pathlib import Path
from typing import Annotated

import typer

from generator.cli import collection_paused
from generator.cli.common import (
    declare_commands,
    ignore_stops,
    reports_errors,
    say,
    stop_on_sigterm,
)
from generator.cli.group import SHORT_HELP
from generator.cli.options import (
    PLATFORM_CHOICE,
    PLATFORM_NAMES,
    CloseOption,
    ConfigOption,
    EspOption,
    HookOption,
    InputFormatOption,
    Platform,
    ThemeOption,
)
from generator.text.terminal import printable

commands = declare_commands()


@commands.command(short_help=SHORT_HELP["render"])
@reports_errors
def render(
    paths: Annotated[
        list[str],
        typer.Argument(metavar="PATH...", help="Article files, or folders to search for them."),
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder to write into.", file_okay=False)
    ],
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="Processes to use (default: one per CPU); never more than the articles "
            "or the CPUs this process may use.",
        ),
    ] = None,
    platform: Annotated[
        list[Platform] | None,
        typer.Option(
            "--platform",
            "-p",
            click_type=PLATFORM_CHOICE,
            help=f"Only these thread platforms, repeatable ({PLATFORM_NAMES}; any case).",
        ),
    ] = None,
    esp: EspOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="Render every article, even unchanged ones.")
    ] = False,
    drafts: Annotated[bool, typer.Option("--drafts", help="Render drafts too.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
    theme: ThemeOption = None,
    hook: HookOption = None,
    close: CloseOption = None,
    config: ConfigOption = None,
    input_format: InputFormatOption = None,
) -> None:
    """Render every channel of one article or a folder of them into OUTPUT/<slug>/,
    and update OUTPUT/feed.xml, atom.xml and feed.json once for the run."""
    import os

    with collection_paused():  # the channels, most of a render's imports
        from generator.clock import now
        from generator.config import load_config
        from generator.render import Options, PoolAbandoned, render_run

    if (hook is not None or close is not None) and (len(paths) != 1 or Path(paths[0]).is_dir()):
        raise typer.BadParameter(
            "--hook and --close are one article's words: name one article file",
            param_hint="--hook/--close",
        )
    cfg = load_config(config)
    options = Options(
        platforms=tuple(p.value for p in platform) if platform else Options().platforms,
        esp=esp.value if esp else None,
        theme=theme.value if theme else None,
        drafts=drafts,
        force=force,
        input_format=input_format.value if input_format else None,
        hook=hook,
        close=close,
    )
    reporter = _Reporter(quiet=quiet)
    # One article file: the whole run is start-up (the rest of the imports,
    # the caches' first fill) and one article's garbage, which is bounded, so
    # the collector stays paused to the end. A folder or several files are
    # collected as they go.
    one_article = len(paths) == 1 and not Path(paths[0]).is_dir()
    with stop_on_sigterm(), collection_paused() if one_article else contextlib.nullcontext():
        try:
            summary = render_run(
                paths,
                output,
                cfg,
                options,
                now=now(),
                jobs=jobs,
                progress=reporter.progress,
                notice=None if quiet else lambda note: say(note, err=True),
            )
        except KeyboardInterrupt as stop:
            ignore_stops()  # one message and exit 130, whatever else arrives now
            reporter.stop()
            say(
                f"interrupted: the article folders written so far are complete, but "
                f"{output}'s feeds may not list them yet. Run the same command again to finish.",
                err=True,
            )
            if isinstance(stop, PoolAbandoned):
                # The pool's thread may never end, and a normal exit would wait for it.
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(130)
            raise typer.Exit(130) from None
    reporter.finish(summary, options)
    if not quiet:
        from generator.check import check_config

        findings = list(check_config(cfg, esp=options.esp))
        for finding in findings:
            say(f"warning: {finding.message} [{finding.rule}]", err=True)
        if findings and cfg.path is None:
            say("hint: `masthead init` writes a masthead.toml to fill in", err=True)
    if summary.failed:
        raise typer.Exit(1)


class _Reporter:
    """Progress and the closing summary: a bar and a table on a terminal,
    plain lines otherwise, nothing with --quiet (errors always go to stderr)."""

    def __init__(self, *, quiet: bool) -> None:
        self.quiet = quiet
        self.tty = sys.stdout.isatty() and not quiet
        self.bar = None
        self.task = None

    def progress(self, result, done: int, total: int) -> None:  # type: ignore[no-untyped-def]
        if result.status == "failed":
            say(f"error: {result.error}", err=True)
        for problem in result.errors:  # rendered, but `check` would fail it
            say(f"error: {result.path}: {problem}", err=True)
        if self.quiet:
            return
        if self.tty:
            if self.bar is None:
                from rich.progress import Progress

                self.bar = Progress(transient=True)
                self.bar.start()
                self.task = self.bar.add_task("Rendering", total=total)
            self.bar.update(self.task, completed=done)
        else:
            say(f"[{done}/{total}] {result.status}: {result.path}")

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None

    def finish(self, summary, options) -> None:  # type: ignore[no-untyped-def]
        self.stop()
        if self.quiet:
            return
        rendered = [r for r in summary.results if r.status == "rendered"]
        short = {"x": "X", "bluesky": "Bsky", "mastodon": "Masto", "threads": "Threads"}
        columns = [k for k in options.platforms if k in short]
        if rendered:
            rows = [
                [
                    r.slug or "",
                    f"{r.email_bytes / 1024:.1f} KB",
                    *(str(r.posts.get(k, "")) for k in columns),
                    "; ".join([*(f"error: {e}" for e in r.errors), *r.warnings]) or "-",
                ]
                for r in rendered
            ]
            header = ["article", "email", *(short[k] for k in columns), "warnings"]
            if self.tty:
                from rich.console import Console
                from rich.table import Table
                from rich.text import Text

                table = Table(*header)
                for row in rows:  # Text: a file name's "[red]" is not markup
                    table.add_row(*(Text(printable(cell)) for cell in row))
                Console().print(table)
            else:
                typer.echo("\t".join(header))
                for row in rows:
                    typer.echo("\t".join(map(printable, row)))
        counts = [
            f"{summary.count('rendered')} rendered",
            f"{summary.count('skipped')} unchanged",
        ]
        if summary.count("draft"):
            counts.append(f"{summary.count('draft')} drafts skipped (--drafts renders them)")
        if summary.failed:
            counts.append(f"{len(summary.failed)} failed")
        if not rendered and not summary.failed:
            if summary.count("skipped"):
                say(
                    "Nothing changed since the last run; nothing rendered (--force renders all)."
                )
            elif summary.count("draft"):
                say("Nothing to render: every article is a draft (--drafts renders them).")
            else:
                say("No articles found (.txt, .md or .markdown).")
        say(", ".join(counts) + ".")
        if summary.feed_message:
            say(summary.feed_message)
