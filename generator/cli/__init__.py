"""The `masthead` command: argument parsing, reading input, writing output.

Nothing here decides what an output says; that is the channels' job. Every
input problem is printed as one line, `error: PATH:LINE: what to fix`, with
exit code 1; usage mistakes exit 2. A traceback only appears with `--debug`.

One module per command (render.py, email.py, …), each importing its channel
only when it runs; group.py is the top-level group, which knows the commands
by name and one-line help and imports a command's module only when that
command is used, so `masthead --help` loads no channel, reader or template
engine. `app` (the typer app) is built on first use too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer

__all__ = ["app", "main"]


def main() -> None:
    """Run `masthead` with the process's arguments."""
    from generator.cli.group import app

    app()


def __getattr__(name: str) -> typer.Typer:
    # `from generator.cli import app` builds the group only when asked for.
    if name == "app":
        from generator.cli.group import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

