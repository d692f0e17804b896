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
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
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
