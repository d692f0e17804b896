"""`masthead publish bluesky`: post an article's thread to the real service,
safe to run again (nothing is ever posted twice)."""

import os
from pathlib import Path
from typing import Annotated

import typer

from generator.cli.common import declare_commands, load, reports_errors, say, stop_on_sigterm
from generator.cli.group import SHORT_HELP
from generator.cli.options import ConfigOption, InputFormatOption
from generator.errors import MastheadError

commands = declare_commands()
publish_app = typer.Typer(
    help="Post an article's output to the real services. Safe to run again: "
    "nothing is ever posted twice.",
    short_help=SHORT_HELP["publish"],
    no_args_is_help=True,
    rich_markup_mode=None,
)
commands.add_typer(publish_app, name="publish")


@publish_app.command("bluesky", short_help="Post the article's thread to Bluesky.")
@reports_errors
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
    from generator.config import load_config
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
    parsed = load(article, cfg, input_format)
    if parsed.draft:
        raise MastheadError("is a draft (draft: true); set it to false to publish it", article)
    path = Path(article)
    log_path = log if log is not None else path.parent / LOG_NAME
    guid = identity(parsed, cfg).guid

    def notice(message: str) -> None:
        say(message, err=True)

    if dry_run:
        records = bluesky.dry_run(parsed, path, cfg, who, log_path, guid, notice)
        typer.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    with stop_on_sigterm():
        outcome = bluesky.publish(parsed, path, cfg, who, log_path, guid, notice)
    if not outcome.already:
        say(f"posted {outcome.posted} of {outcome.total} posts to Bluesky", err=True)
    say(outcome.url)
    say(outcome.uri)
