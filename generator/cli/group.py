"""The top-level `masthead` group: its own options (--version, --debug) and
the commands, known here by name and one-line help, so that `masthead --help`
imports no command's module; a command's module is imported when that command
is run, completed or asked for its own help."""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from generator import __version__
from generator.cli import collection_paused
from generator.cli.common import say, state

if TYPE_CHECKING:
    from typer._click import Command

# Every command with its one-line help, in the order `masthead --help` lists
# them (the everyday ones first). The module generator.cli.<name> declares the
# command and takes its short help from here: one home for each line.
SHORT_HELP: dict[str, str] = {
    "render": "Render every channel of articles or folders.",
    "email": "Render the newsletter email (HTML, text, .eml).",
    "thread": "Write the article as a social thread.",
    "rss": "Print the article's RSS item.",
    "feed": "Add articles to an RSS feed, or remove them.",
    "publish": "Post the article's thread to Bluesky.",
    "check": "Lint articles across every channel.",
    "preview": "Preview every channel in the browser, live.",
    "inspect": "Show the article as Masthead parsed it.",
    "init": "Write a commented masthead.toml.",
}


class _LazyCommands(Mapping[str, "Command"]):
    """The group's commands by name; a command's module is imported (and its
    click command built) on the first lookup of that name."""

    def __init__(self) -> None:
        self._built: dict[str, Command] = {}

    def __getitem__(self, name: str) -> Command:
        if name not in SHORT_HELP:
            raise KeyError(name)
        if name not in self._built:
            with collection_paused():
                module = importlib.import_module(f"{__package__}.{name}")
                self._built[name] = typer.main.get_group(module.commands).commands[name]
        return self._built[name]

    def __contains__(self, name: object) -> bool:
        return name in SHORT_HELP  # without importing the command

    def __iter__(self) -> Iterator[str]:
        return iter(SHORT_HELP)

    def __len__(self) -> int:
        return len(SHORT_HELP)


class _Masthead(TyperGroup):
    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _LazyCommands()  # type: ignore[assignment]

    def list_commands(self, ctx: typer.Context) -> list[str]:
        return list(self.commands)  # names only: nothing imported

    def format_commands(self, ctx: typer.Context, formatter: Any) -> None:
        # The rows typer would make from each command's short help, made from
        # the table, so that listing the commands imports none of them.
        with formatter.section("Commands"):
            formatter.write_dl(list(SHORT_HELP.items()))


app = typer.Typer(
    cls=_Masthead,
    name="masthead",
    help="Turn one article into a newsletter email, social threads and an RSS item.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        say(f"masthead {__version__}")
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
    state["debug"] = debug
