"""The `masthead` command: argument parsing, reading input, writing output.

Nothing here decides what an output says; that is the channels' job. Every
input problem is printed as one line, `error: PATH:LINE: what to fix`, with
exit code 1; usage mistakes exit 2. A traceback only appears with `--debug`.
"""

from __future__ import annotations

import functools
import sys
import traceback
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import typer

from generator import __version__
from generator.config import CONFIG_NAME, Config, defaults_as_toml, load_config
from generator.errors import MastheadError
from generator.model import Article
from generator.writers import write_atomic

app = typer.Typer(
    name="masthead",
    help="Turn one article into a newsletter email, social threads and an RSS item.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_state = {"debug": False}

P = ParamSpec("P")
R = TypeVar("R")


def _reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn Masthead errors (and, unless --debug, any crash) into one stderr line."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except MastheadError as exc:
            if _state["debug"]:
                traceback.print_exc()
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
        except (typer.Exit, typer.Abort, typer.BadParameter, KeyboardInterrupt):
            raise
        except Exception as exc:
            if _state["debug"]:
                raise
            typer.echo(
                f"error: internal error ({type(exc).__name__}: {exc}); "
                "please report it, and rerun with --debug for details",
                err=True,
            )
            raise typer.Exit(1) from None

    return wrapper


def _version(value: bool) -> None:
    if value:
        typer.echo(f"masthead {__version__}")
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


def _load(article: str, config: Config, fmt: InputFormat | None) -> Article:
    # Imported here so `masthead --help` stays fast.
    from generator.readers import read_bytes, read_path

    fmt_name = fmt.value if fmt else None
    if article == "-":
        return read_bytes(sys.stdin.buffer.read(), fmt=fmt_name, lang=config.lang)
    return read_path(article, fmt=fmt_name, lang=config.lang)


# --- commands ---------------------------------------------------------------------


class InspectFormat(StrEnum):
    text = "text"
    json = "json"


@app.command()
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
        "--output", "-o", help="Write to this file (atomically) instead of stdout; - is stdout."
    ),
]


def _emit(text: str, output: str | None) -> None:
    """Print `text`, or write it atomically to `output`."""
    if output is None or output == "-":
        typer.echo(text, nl=False)
        return
    write_atomic(output, text)
    typer.echo(f"wrote {output}", err=True)


class Platform(StrEnum):
    x = "x"
    bluesky = "bluesky"
    mastodon = "mastodon"
    threads = "threads"
    linkedin = "linkedin"


@app.command()
@_reports_errors
def thread(
    article: ArticleArg,
    platform: Annotated[
        Platform, typer.Option("--platform", "-p", help="Where the thread will be posted.")
    ] = Platform.x,
    format: Annotated[
        InspectFormat,
        typer.Option("--format", "-f", help="Posts separated by '---' lines, or JSON for tools."),
    ] = InspectFormat.text,
    max_posts: Annotated[
        int | None,
        typer.Option(
            "--max-posts",
            min=2,
            help="Keep at most N posts: the hook, takeaways and link stay, the rest go first.",
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
            help="Override the platform's post limit (e.g. your Mastodon instance's).",
        ),
    ] = None,
    faq: Annotated[bool, typer.Option("--faq", help="Add a post per FAQ question.")] = False,
    output: OutputOption = None,
    config: ConfigOption = None,
    input_format: InputFormatOption = None,
) -> None:
    """Write the article as a thread of posts that fit the platform's limit."""
    import json

    from generator.channels.thread import build_thread, to_dict, to_text

    cfg = load_config(config)
    parsed = _load(article, cfg, input_format)
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


class ESPName(StrEnum):
    generic = "generic"
    mailchimp = "mailchimp"
    buttondown = "buttondown"
    kit = "kit"
    listmonk = "listmonk"
    sendy = "sendy"
    brevo = "brevo"
    mailerlite = "mailerlite"
    campaign_monitor = "campaign_monitor"


@app.command()
@_reports_errors
def email(
    article: ArticleArg,
    output: OutputOption = None,
    esp: Annotated[
        ESPName | None,
        typer.Option(
            "--esp",
            help="Email service whose unsubscribe and web-version tags the footer uses "
            "(default: [email] esp in the config, else generic).",
        ),
    ] = None,
    text: Annotated[bool, typer.Option("--text", help="Print the plain-text part.")] = False,
    eml: Annotated[
        bool, typer.Option("--eml", help="Write a complete message file (.eml) instead.")
    ] = False,
    subject: Annotated[
        str | None, typer.Option("--subject", help="Subject line (default: the article's).")
    ] = None,
    config: ConfigOption = None,
    input_format: InputFormatOption = None,
) -> None:
    """Render the article as a newsletter email: HTML (default), plain text or .eml."""
    from generator.channels.email import build_email

    if text and eml:
        raise typer.BadParameter("choose one of --text and --eml", param_hint="--text/--eml")
    cfg = load_config(config)
    parsed = _load(article, cfg, input_format)
    message = build_email(parsed, cfg, esp=esp.value if esp else None, subject=subject)
    if eml:
        from generator.channels.email.eml import build_eml
        from generator.clock import now

        data = build_eml(
            subject=message.subject, text=message.text, html=message.html, config=cfg, now=now()
        )
        if output is None or output == "-":
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            write_atomic(output, data)
            typer.echo(f"wrote {output}", err=True)
        return
    _emit(message.text if text else message.html + "\n", output)


@app.command()
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
    _emit(article_item_xml(_load(article, cfg, input_format), cfg, now=now()), output)


feed_app = typer.Typer(
    help="Keep an RSS feed file (and Atom / JSON Feed copies) up to date.",
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


@feed_app.command("add")
@_reports_errors
def feed_add(
    articles: Annotated[list[str], typer.Argument(metavar="ARTICLE...", help="Articles to add.")],
    feed: FeedOption,
    max_items: Annotated[
        int | None,
        typer.Option(
            "--max-items",
            min=0,
            help="Keep only the N newest items (foreign ones included); 0 keeps all.",
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
    from generator.clock import now
    from generator.feedfile import Siblings, add_articles

    cfg = load_config(config)
    parsed = [_load(path, cfg, input_format) for path in articles]
    if not drafts:
        for path, article in zip(articles, parsed, strict=True):
            if article.draft:
                raise MastheadError("is a draft; pass --drafts to add it anyway", path)
    if not cfg.site_url:
        typer.echo(
            "warning: no site_url in the config: items without a url get no link "
            "and a non-permalink guid",
            err=True,
        )
    update = add_articles(
        feed,
        parsed,
        cfg,
        now=now(),
        max_items=cfg.feed.max_items if max_items is None else max_items,
        siblings=Siblings(atom, json_feed),
    )
    summary = f"{feed}: {update.added} added, {update.replaced} replaced"
    if update.dropped:
        summary += f", {update.dropped} oldest dropped (--max-items)"
    typer.echo(f"{summary}; {update.total} items", err=True)


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
    typer.echo(f"{feed}: {removed} removed", err=True)


@app.command()
@_reports_errors
def init(
    directory: Annotated[
        Path, typer.Argument(help="Where to write masthead.toml.", file_okay=False)
    ] = Path("."),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented masthead.toml with every setting at its default."""
    target = directory / CONFIG_NAME
    if target.exists() and not force:
        raise MastheadError(
            "already exists; edit it, or pass --force to replace it with the defaults",
            str(target),
        )
    write_atomic(target, defaults_as_toml())
    typer.echo(f"wrote {target}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
