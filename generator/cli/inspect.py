"""`masthead inspect`: the article as Masthead parsed it."""

from typing import Annotated

import typer

from generator.cli.common import declare_commands, load, one_article, reports_errors
from generator.cli.group import SHORT_HELP
from generator.cli.options import (
    ArticleArg,
    ConfigOption,
    InputFormatOption,
    InspectFormat,
)

commands = declare_commands()


@commands.command(short_help=SHORT_HELP["inspect"])
@reports_errors
@one_article
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
    from generator.config import load_config

    cfg = load_config(config)
    parsed = load(article, cfg, input_format)
    typer.echo(to_json(parsed) if format is InspectFormat.json else to_outline(parsed), nl=False)
