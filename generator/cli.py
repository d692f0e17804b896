"""The `masthead` command: argument parsing, reading input, writing output.

Nothing here decides what an output says; that is the channels' job. Every
input problem is printed as one line, `error: PATH:LINE: what to fix`, with
exit code 1; usage mistakes exit 2. A traceback only appears with `--debug`.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import sys
import traceback
from collections.abc import Callable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import typer
from typer._types import TyperChoice
from typer.core import TyperGroup

from generator import __version__
from generator.config import CONFIG_NAME, Config, defaults_as_toml, load_config
from generator.errors import MastheadError
from generator.model import Article
from generator.resources import data_keys, data_names
from generator.text.terminal import printable
from generator.writers import write_atomic

# The order `masthead --help` lists commands in: the everyday ones first.
COMMAND_ORDER = (
    "render", "email", "thread", "rss", "feed", "publish", "check", "preview", "inspect", "init",
)  # fmt: skip


class _Commands(TyperGroup):
    def list_commands(self, ctx: typer.Context) -> list[str]:
        names = super().list_commands(ctx)
        rank = {name: n for n, name in enumerate(COMMAND_ORDER)}
        return sorted(names, key=lambda name: rank.get(name, len(rank)))


app = typer.Typer(
    cls=_Commands,
    name="masthead",
    help="Turn one article into a newsletter email, social threads and an RSS item.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_state = {"debug": False}

P = ParamSpec("P")
R = TypeVar("R")


def _say(message: str, *, err: bool = False) -> None:
    """Print one of Masthead's own lines (an error, a warning, a finding, a
    summary): made printable, as it may quote a file name, a config key or an
    article's words, any of which may hold a terminal escape. What a command
    outputs (an email, a thread, JSON) is printed as it is."""
    typer.echo(printable(message), err=err)


def _reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn Masthead errors (and, unless --debug, any crash) into one stderr line."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except MastheadError as exc:
            if _state["debug"]:
                traceback.print_exc()
            _say(f"error: {exc}", err=True)
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
            if _state["debug"]:
                raise
            _say(
                f"error: internal error ({type(exc).__name__}: {exc}); "
                "please report it, and rerun with --debug for details",
                err=True,
            )
            raise typer.Exit(1) from None

    return wrapper


def _stdout_to_devnull() -> None:
    """Point standard output at /dev/null, so that flushing it at exit does
    not raise again on the closed pipe."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _version(value: bool) -> None:
    if value:
        _say(f"masthead {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show a traceback when something fails.")
    ] = False,
) -> None:
    _state["debug"] = debug


# --- shared options -------------------------------------------------------------

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help=f"Config file (default: the nearest {CONFIG_NAME} here or above).",
        dir_okay=False,
    ),
]
ArticleArg = Annotated[
    str,
    typer.Argument(metavar="ARTICLE", help="Article file (.txt or .md), or - for standard input."),
]


class InputFormat(StrEnum):
    seed = "seed"
    markdown = "markdown"


InputFormatOption = Annotated[
    InputFormat | None,
    typer.Option(
        "--input-format",
        help="Read the article in this format instead of guessing from the extension.",
    ),
]


def _load(
    article: str, config: Config, fmt: InputFormat | None, output: str | None = None
) -> Article:
    # Imported here so `masthead --help` stays fast.
    from generator.readers import read_bytes, read_path
    from generator.readers.source import read_stdin

    if output not in (None, "-") and article != "-" and _same_file(output, article):
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


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return False


# --- commands ---------------------------------------------------------------------


class InspectFormat(StrEnum):
    text = "text"
    json = "json"


@app.command(short_help="Show the article as Masthead parsed it.")
@_reports_errors
def inspect(
    article: ArticleArg,
    format: Annotated[
        InspectFormat, typer.Option("--format", "-f", help="Outline for people, JSON for tools.")
    ] = InspectFormat.text,
    config: ConfigOption = None,
    input_format: InputFormatOption = None,
) -> None:
    """Print the article as Masthead understands it (the parsed model)."""
    from generator.channels.inspect import to_json, to_outline

    cfg = load_config(config)
    parsed = _load(article, cfg, input_format)
    typer.echo(to_json(parsed) if format is InspectFormat.json else to_outline(parsed), nl=False)


OutputOption = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        help="Write to this file (atomically) instead of stdout; - is stdout.",
    ),
]


def _emit(text: str, output: str | None) -> None:
    """Print `text`, or write it atomically to `output`."""
    if output is None or output == "-":
        typer.echo(text, nl=False)
        return
    write_atomic(output, text)
    _say(f"wrote {output}", err=True)


# Choices come from the data tables, so a platform, theme or ESP added there
# needs no edit here (read with tomllib alone: no start-up cost).
Platform = StrEnum("Platform", {key: key for key in data_keys("platforms.toml")})  # type: ignore[misc]
DEFAULT_PLATFORM = Platform("x")


class _PlatformChoice(TyperChoice[str]):
    """A platform by its key or another of its names (platforms.toml's
    `aliases`: twitter for x), in any case; --help lists the keys."""

    def normalize_choice(self, choice: object, ctx: object) -> str:
        name = super().normalize_choice(choice, ctx)  # type: ignore[arg-type]
        return data_names("platforms.toml").get(name, name)


PLATFORM_CHOICE = _PlatformChoice(list(data_keys("platforms.toml")), case_sensitive=False)
# "x or twitter, bluesky or bsky": each other name said once, by its platform.
PLATFORM_NAMES = ", ".join(
    f"{key} or {alias}" for alias, key in data_names("platforms.toml").items() if alias != key
)


def _words(option: str) -> Callable[[str | None], str | None]:
    def check(value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise typer.BadParameter(
                "give the words to post, or leave the option out", param_hint=option
            )
        return value

    return check


# The author's own first and last words for a thread, as front-matter
# `social.hook` / `social.close` set them, for this run and every platform.
HookOption = Annotated[
    str | None,
    typer.Option(
        "--hook",
        callback=_words("--hook"),
        help="The first post's words, used as written (instead of the title and the fact "
        "Masthead picks); the thread marker and number still follow.",
    ),
]
CloseOption = Annotated[
    str | None,
    typer.Option(
        "--close",
        callback=_words("--close"),
        help="The closing post's line, used as written (instead of why it matters); "
        "the link and hashtags still follow.",
    ),
]


def _steered(article: Article, hook: str | None, close: str | None) -> Article:
    """The article with the author's hook and close given on the command line."""
    if hook is None and close is None:
        return article
    from dataclasses import replace

    return replace(article, social=article.social.overridden(hook=hook, close=close))


@app.command(short_help="Write the article as a social thread.")
@_reports_errors
def thread(
    article: ArticleArg,
    platform: Annotated[
        Platform,
        typer.Option(
            "--platform",
            "-p",
            click_type=PLATFORM_CHOICE,
            help=f"Where the thread will be posted ({PLATFORM_NAMES}; any case).",
        ),
    ] = DEFAULT_PLATFORM,
    format: Annotated[
        InspectFormat,
        typer.Option("--format", "-f", help="Posts separated by '---' lines, or JSON for tools."),
    ] = InspectFormat.text,
    max_posts: Annotated[
        int | None,
        typer.Option(
            "--max-posts",
            min=2,
            help="Keep at most N posts: the least salient ideas go first; the hook and link stay.",
        ),
    ] = None,
    numbering: Annotated[
        bool, typer.Option("--numbering/--no-numbering", help="Add 1/7 to each post.")
    ] = True,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            min=1,
            help="Override the platform's post limit (e.g. your Mastodon instance's; "
            "default: [limits] in the config, else the platform's).",
        ),
    ] = None,
    faq: Annotated[bool, typer.Option("--faq", help="Add a post per FAQ question.")] = False,
    hook: HookOption = None,
    close: CloseOption = None,
    output: OutputOption = None,
    config: ConfigOption = None,
    input_format: InputFormatOption = None,
) -> None:
    """Write the article as a thread of posts that fit the platform's limit."""
    import json

    from generator.channels.thread import build_thread, to_dict, to_text

    cfg = load_config(config)
    parsed = _steered(_load(article, cfg, input_format, output), hook, close)
    result = build_thread(
        parsed,
        platform.value,
        cfg,
        max_posts=max_posts,
        numbering=numbering,
        limit=limit if limit is not None else getattr(cfg.limits, platform.value),
        include_faq=faq,
    )
    if format is InspectFormat.json:
        text = json.dumps(to_dict(result), ensure_ascii=False, indent=2) + "\n"
    else:
        text = to_text(result)
    _emit(text, output)


ThemeName = StrEnum("ThemeName", {key: key for key in data_keys("themes.toml")})  # type: ignore[misc]


ThemeOption = Annotated[
    ThemeName | None,
    typer.Option(
        "--theme", help="Email theme (default: [theme] name in the config, else classic)."
    ),
]


ESPName = StrEnum("ESPName", {key: key for key in data_keys("esp.toml")})  # type: ignore[misc]
EspOption = Annotated[
    ESPName | None,
    typer.Option(
        "--esp",
        help="Email service whose unsubscribe and web-version tags the footer uses "
        "(default: [email] esp in the config, else generic).",
    ),
]


@app.command(short_help="Render the newsletter email (HTML, text, .eml).")
@_reports_errors
def email(
    article: ArticleArg,
    output: OutputOption = None,
    esp: EspOption = None,
    text: Annotated[bool, typer.Option("--text", help="Print the plain-text part.")] = False,
    eml: Annotated[
        bool, typer.Option("--eml", help="Write a complete message file (.eml) instead.")
    ] = False,
    subject: Annotated[
        str | None, typer.Option("--subject", help="Subject line (default: the article's).")
    ] = None,
    theme: ThemeOption = None,
    send_test: Annotated[
        str | None,
        typer.Option(
            "--send-test",
            metavar="ADDRESS",
            help="Send the email (as --eml makes it, subject prefixed '[Test] ') to this one "
            "address through the [smtp] server of the config; the password comes only from "
            "MASTHEAD_SMTP_PASSWORD.",
        ),
    ] = None,
    smtp: Annotated[
        str | None,
        typer.Option(
            "--smtp",
            metavar="HOST[:PORT]",
            help="SMTP server for --send-test, instead of [smtp] host and port "
            "(an IPv6 address in brackets; default port: 587, 465 or 25 by [smtp] security).",
        ),
    ] = None,
    config: ConfigOption = None,
    input_format: InputFormatOption = None,
) -> None:
    """Render the article as a newsletter email: HTML (default), plain text or .eml;
    or send it as a test email with --send-test."""
    from generator.channels.email import build_email

    if text and eml:
        raise typer.BadParameter("choose one of --text and --eml", param_hint="--text/--eml")
    if smtp is not None and send_test is None:
        raise typer.BadParameter("is the server for --send-test ADDRESS", param_hint="--smtp")
    if send_test is not None and (text or eml or output is not None):
        raise typer.BadParameter(
            "sends the email; it does not combine with --text, --eml or --output",
            param_hint="--send-test",
        )
    cfg = load_config(config)
    box = None
    if send_test is not None:  # everything checked before rendering or connecting
        from generator.publish import smtp as sending

        try:
            recipient = sending.parse_recipient(send_test)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--send-test") from None
        try:
            box = sending.outbox(cfg, recipient, smtp, os.environ.get(sending.PASSWORD_ENV, ""))
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--smtp") from None
    parsed = _load(article, cfg, input_format, output)
    message = build_email(
        parsed,
        cfg,
        esp=esp.value if esp else None,
        subject=subject,
        theme=theme.value if theme else None,
    )
    if eml or box is not None:
        from generator.channels.email.eml import build_eml
        from generator.clock import now

        data = build_eml(  # the one message: a test email is this .eml, marked
            subject=(sending.SUBJECT_PREFIX if box is not None else "") + message.subject,
            text=message.text,
            html=message.html,
            config=cfg,
            now=now(),
            esp=esp.value if esp else None,
        )
        if box is not None:
            sending.send(data, box)
            _say(f"sent test email to {send_test} via {box.server.address}")
            return
        if output is None or output == "-":
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            write_atomic(output, data)
            _say(f"wrote {output}", err=True)
        return
    _emit(message.text if text else message.html + "\n", output)


@app.command(short_help="Print the article's RSS item.")
@_reports_errors
def rss(
    article: ArticleArg,
    output: OutputOption = None,
    config: ConfigOption = None,
    input_format: InputFormatOption = None,
) -> None:
    """Print the article's RSS 2.0 <item>, well-formed on its own."""
    from generator.channels.rss.item import article_item_xml
    from generator.clock import now

    cfg = load_config(config)
    _emit(article_item_xml(_load(article, cfg, input_format, output), cfg, now=now()), output)


feed_app = typer.Typer(
    help="Keep an RSS feed file (and Atom / JSON Feed copies) up to date.",
    short_help="Add articles to an RSS feed, or remove them.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(feed_app, name="feed")

FeedOption = Annotated[
    Path, typer.Option("--feed", help="The RSS feed file to update.", dir_okay=False)
]
AtomOption = Annotated[
    Path | None,
    typer.Option("--atom", help="Also keep an Atom 1.0 copy of the feed here.", dir_okay=False),
]
JsonFeedOption = Annotated[
    Path | None,
    typer.Option("--json-feed", help="Also keep a JSON Feed 1.1 copy here.", dir_okay=False),
]


@feed_app.command("add", short_help="Add articles to a feed (made if missing).")
@_reports_errors
def feed_add(
    articles: Annotated[list[str], typer.Argument(metavar="ARTICLE...", help="Articles to add.")],
    feed: FeedOption,
    max_items: Annotated[
        int | None,
        typer.Option(
            "--max-items",
            min=0,
            help="Keep only the N newest items (foreign ones included); 0 keeps all "
            "(default: [feed] max_items in the config, else 0).",
        ),
    ] = None,
    drafts: Annotated[bool, typer.Option("--drafts", help="Add drafts too.")] = False,
    atom: AtomOption = None,
    json_feed: JsonFeedOption = None,
    config: ConfigOption = None,
    input_format: InputFormatOption = None,
) -> None:
    """Add articles to a feed, creating it if missing; an item already there
    (same guid) is replaced in place, and nothing else is touched."""
    from generator.channels.rss.item import identity
    from generator.clock import now
    from generator.feedfile import Siblings, add_articles

    cfg = load_config(config)
    parsed = [_load(path, cfg, input_format) for path in articles]
    if not drafts:
        for path, article in zip(articles, parsed, strict=True):
            if article.draft:
                raise MastheadError("is a draft; pass --drafts to add it anyway", path)
    # Two articles with one guid would be one item: the second would replace
    # the first without a word. The same file named twice is one article.
    sources: dict[str, str] = {}
    for path, article in zip(articles, parsed, strict=True):
        guid = identity(article, cfg).guid
        first = sources.setdefault(guid, path)
        if first != path and not _same_file(first, path):
            raise MastheadError(
                f"has the same guid as {first} ({guid}), so one item would replace the "
                "other; give one of them another slug or url",
                path,
            )
    update = add_articles(
        feed,
        parsed,
        cfg,
        now=now(),
        max_items=cfg.feed.max_items if max_items is None else max_items,
        siblings=Siblings(atom, json_feed),
    )
    if not cfg.site_url:  # (after: without a feed to add to, the error says it all)
        _say(
            "warning: no site_url in the config: items without a url get no link "
            "and a non-permalink guid",
            err=True,
        )
    summary = f"{feed}: {update.added} added, {update.replaced} replaced"
    if update.dropped:
        summary += f", {update.dropped} oldest dropped (--max-items)"
    _say(f"{summary}; {update.total} items", err=True)


@feed_app.command("remove")
@_reports_errors
def feed_remove(
    items: Annotated[
        list[str],
        typer.Argument(metavar="GUID|ARTICLE...", help="Guids (or links) or article files."),
    ],
    feed: FeedOption,
    atom: AtomOption = None,
    json_feed: JsonFeedOption = None,
    config: ConfigOption = None,
    input_format: InputFormatOption = None,
) -> None:
    """Remove items from a feed by guid, link or article file."""
    from generator.channels.rss.item import identity
    from generator.clock import now
    from generator.feedfile import Siblings, remove_items

    cfg = load_config(config)
    guids = [
        identity(_load(item, cfg, input_format), cfg).guid if Path(item).is_file() else item
        for item in items
    ]
    removed = remove_items(feed, guids, cfg, now=now(), siblings=Siblings(atom, json_feed))
    if removed == 0:
        raise MastheadError("no item with that guid; the feed is unchanged", str(feed))
    _say(f"{feed}: {removed} removed", err=True)


publish_app = typer.Typer(
    help="Post an article's output to the real services. Safe to run again: "
    "nothing is ever posted twice.",
    short_help="Post the article's thread to Bluesky.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(publish_app, name="publish")


@publish_app.command("bluesky", short_help="Post the article's thread to Bluesky.")
@_reports_errors
def publish_bluesky(
    article: Annotated[str, typer.Argument(metavar="ARTICLE", help="Article file (.txt or .md).")],
    service: Annotated[
        str | None,
        typer.Option(
            "--service",
            metavar="URL",
            help="The server to post through (default: MASTHEAD_BLUESKY_SERVICE, else "
            "[bluesky] service in the config, else https://bsky.social).",
        ),
    ] = None,
    handle: Annotated[
        str | None,
        typer.Option(
            "--handle",
            metavar="HANDLE",
            help="The account to post as (default: MASTHEAD_BLUESKY_HANDLE, else [bluesky] "
            "handle in the config). Its app password comes only from MASTHEAD_BLUESKY_PASSWORD.",
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Print the records it would create, as JSON; send nothing."),
    ] = False,
    log: Annotated[
        Path | None,
        typer.Option(
            "--log",
            metavar="FILE",
            dir_okay=False,
            help="The publish log: what is live already (default: .masthead-published.json "
            "in the article's folder).",
        ),
    ] = None,
    config: ConfigOption = None,
    input_format: InputFormatOption = None,
) -> None:
    """Post the article's Bluesky thread (as `masthead thread --platform bluesky
    --format json` gives it) and print the first post's address. A thread that
    stopped part-way goes on where it stopped; a finished one is not posted again."""
    import json

    from generator.channels.rss.item import identity
    from generator.publish import bluesky
    from generator.publish.log import LOG_NAME

    if article == "-":
        raise typer.BadParameter(
            "publishing needs the article's file (the publish log goes beside it), "
            "not standard input",
            param_hint="ARTICLE",
        )
    cfg = load_config(config)
    who = bluesky.account(cfg, service=service, handle=handle, environ=os.environ)
    parsed = _load(article, cfg, input_format)
    if parsed.draft:
        raise MastheadError("is a draft (draft: true); set it to false to publish it", article)
    path = Path(article)
    log_path = log if log is not None else path.parent / LOG_NAME
    guid = identity(parsed, cfg).guid

    def notice(message: str) -> None:
        _say(message, err=True)

    if dry_run:
        records = bluesky.dry_run(parsed, path, cfg, who, log_path, guid, notice)
        typer.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    with _stop_on_sigterm():
        outcome = bluesky.publish(parsed, path, cfg, who, log_path, guid, notice)
    if not outcome.already:
        _say(f"posted {outcome.posted} of {outcome.total} posts to Bluesky", err=True)
    _say(outcome.url)
    _say(outcome.uri)


@app.command(short_help="Render every channel of articles or folders.")
@_reports_errors
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

    from generator.clock import now
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
    with _stop_on_sigterm():
        try:
            summary = render_run(
                paths,
                output,
                cfg,
                options,
                now=now(),
                jobs=jobs,
                progress=reporter.progress,
                notice=None if quiet else lambda note: _say(note, err=True),
            )
        except KeyboardInterrupt as stop:
            _ignore_stops()  # one message and exit 130, whatever else arrives now
            reporter.stop()
            _say(
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
            _say(f"warning: {finding.message} [{finding.rule}]", err=True)
        if findings and cfg.path is None:
            _say("hint: `masthead init` writes a masthead.toml to fill in", err=True)
    if summary.failed:
        raise typer.Exit(1)


def _ignore_stops() -> None:
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)


@contextlib.contextmanager
def _stop_on_sigterm() -> Iterator[None]:
    """Make SIGTERM (a `kill`, a CI job cancelled) stop a run as Ctrl-C does:
    cleanly, leaving no temporary files behind."""
    import signal
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
            _say(f"error: {result.error}", err=True)
        for problem in result.errors:  # rendered, but `check` would fail it
            _say(f"error: {result.path}: {problem}", err=True)
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
            _say(f"[{done}/{total}] {result.status}: {result.path}")

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
                _say(
                    "Nothing changed since the last run; nothing rendered (--force renders all)."
                )
            elif summary.count("draft"):
                _say("Nothing to render: every article is a draft (--drafts renders them).")
            else:
                _say("No articles found (.txt, .md or .markdown).")
        _say(", ".join(counts) + ".")
        if summary.feed_message:
            _say(summary.feed_message)


class CheckFormat(StrEnum):
    text = "text"
    json = "json"


@app.command(short_help="Lint articles across every channel.")
@_reports_errors
def check(
    paths: Annotated[
        list[str],
        typer.Argument(metavar="PATH...", help="Article files, or folders to search for them."),
    ],
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 1 on warnings too, not only on errors.")
    ] = False,
    format: Annotated[
        CheckFormat, typer.Option("--format", "-f", help="Lines for people, JSON for CI.")
    ] = CheckFormat.text,
    esp: EspOption = None,
    config: ConfigOption = None,
    input_format: InputFormatOption = None,
) -> None:
    """Lint articles across every channel, writing nothing: warnings exit 0
    (1 with --strict), errors exit 1."""
    import json

    from generator.check import check_article, check_config
    from generator.render import find_articles

    cfg = load_config(config)
    service = esp.value if esp else None
    findings = list(check_config(cfg, esp=service))
    for path in find_articles(paths, Path(".masthead-no-output")):
        try:
            article = _load(str(path), cfg, input_format)
        except MastheadError as exc:
            from generator.check import Finding

            findings.append(
                Finding(exc.path or str(path), "error", "unreadable", exc.message, exc.line)
            )
            continue
        findings.extend(check_article(article, cfg, str(path), esp=service))
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    if format is CheckFormat.json:
        typer.echo(
            json.dumps(
                {
                    "errors": errors,
                    "warnings": warnings,
                    "findings": [f.as_dict() for f in findings],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        for finding in findings:
            _say(finding.as_line())
        _say(f"{errors} error(s), {warnings} warning(s)")
    if errors or (strict and warnings):
        raise typer.Exit(1)


@app.command(short_help="Preview every channel in the browser, live.")
@_reports_errors
def preview(
    article: Annotated[str, typer.Argument(metavar="ARTICLE", help="Article file (.txt or .md).")],
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port on 127.0.0.1 (0: any free one).")
    ] = 8000,
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the preview in your web browser.")
    ] = False,
    theme: ThemeOption = None,
    config: ConfigOption = None,
    input_format: InputFormatOption = None,
) -> None:
    """See every channel in the browser while you edit; Ctrl-C stops."""
    from generator.preview import Preview, serve
    from generator.readers.source import load_path

    path = Path(article)
    load_path(path)  # a missing file or a folder is an error now, not a page
    live = Preview(
        path,
        config,
        input_format.value if input_format else None,
        theme.value if theme else None,
    )

    def ready(url: str) -> None:
        _say(f"Previewing {article} at {url} (Ctrl-C to stop)")
        sys.stdout.flush()
        if open_browser:
            import webbrowser

            webbrowser.open(url)

    def rendered(snapshot) -> None:  # type: ignore[no-untyped-def]
        if snapshot.error:
            _say(f"error: {snapshot.error}", err=True)
        else:
            _say(f"re-rendered {article}")
        sys.stdout.flush()

    if live.snapshot.error:
        _say(f"error: {live.snapshot.error}", err=True)
    serve(live, port, on_ready=ready, on_render=rendered)
    _say("Stopped.")


@app.command(short_help="Write a commented masthead.toml.")
@_reports_errors
def init(
    directory: Annotated[
        Path, typer.Argument(help="Where to write masthead.toml.", file_okay=False)
    ] = Path("."),
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing files.")] = False,
    templates: Annotated[
        bool,
        typer.Option(
            "--templates",
            help="Also copy the built-in templates into DIRECTORY/templates to edit.",
        ),
    ] = False,
) -> None:
    """Write a commented masthead.toml with every setting at its default
    (and, with --templates, a copy of the built-in templates to make your own)."""
    target = directory / CONFIG_NAME
    if templates:
        _copy_templates(directory / "templates", force=force)
        if target.exists():
            # The user's config is theirs: say what to set rather than rewrite it.
            with contextlib.suppress(MastheadError):
                if load_config(target).templates_path() == (directory / "templates"):
                    return  # it uses them already
            _say(f'{target} exists: set templates = "templates" in it to use the copies')
            return
        write_atomic(
            target, defaults_as_toml().replace('templates = ""', 'templates = "templates"')
        )
        _say(f"wrote {target}")
        return
    if target.exists() and not force:
        raise MastheadError(
            "already exists; edit it, or pass --force to replace it with the defaults",
            str(target),
        )
    write_atomic(target, defaults_as_toml())
    _say(f"wrote {target}")


def _copy_templates(destination: Path, *, force: bool) -> None:
    from generator.resources import templates_dir

    source = templates_dir()
    files = [p for p in sorted(source.rglob("*.j2")) if p.relative_to(source).parts[0] != "preview"]
    clashes = [destination / p.relative_to(source) for p in files]
    existing = [str(c) for c in clashes if c.exists()]
    if existing and not force:
        raise MastheadError(
            f"{len(existing)} template(s) already there; pass --force to replace them",
            existing[0],
        )
    for path, copy in zip(files, clashes, strict=True):
        copy.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(copy, path.read_bytes())
    _say(f"copied {len(files)} templates into {destination}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
