"""The `masthead` command: argument parsing, reading input, writing output.

Nothing here decides what an output says; that is the channels' job. Every
input problem is printed as one line, `error: PATH:LINE: what to fix`, with
exit code 1; usage mistakes exit 2. A traceback only appears with `--debug`.

One module per command (render.py, email.py, …), each importing its channel
only when it runs; group.py is the top-level group, which knows the commands
by name and one-line help and imports a command's module only when that
command is used, so `masthead --help` loads no channel, reader or template
engine. `app` (the typer app) is built on first use too.

The command modules do without `from __future__ import annotations`: typer
reads a command's annotations at run time, and, given them as strings, it
evaluated every one each time it looked at the function (80 evals to start
`render`); written as objects they are made once, as the module loads.
"""

import gc

# This module imports nothing but `gc` (a built-in): what it imported would be
# made before main() pauses the collector, and be scanned (typing, re, enum …
# come in with typer, inside the pause). Hence no `typing` for TYPE_CHECKING
# (type checkers know the name), no contextlib for collection_paused, and
# no `from __future__ import annotations` (it imports the __future__ module).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import TracebackType

    import typer

__all__ = ["app", "main"]

# True once main() runs: this process is the `masthead` command, and its
# garbage collector is Masthead's to manage (not a test runner's or a host
# program's that called the app).
_OWN_PROCESS = {"yes": False}


def main() -> None:
    """Run `masthead` with the process's arguments."""
    _OWN_PROCESS["yes"] = True
    with collection_paused():
        from generator.cli.group import app

    app()


def collection_paused() -> "_Paused":
    """Import what a command needs with the cyclic garbage collector paused,
    then set what was made aside for good (gc.freeze) and resume collecting.

    Importing typer, a command and its channels makes tens of thousands of
    objects (modules, classes, functions) that live as long as the process;
    the collector scanned each about twice as they came (some 65 young and
    6 middle collections: ~10 ms of a one-article render's ~200 ms of CPU).
    Frozen, they are never scanned again. The work itself is collected as
    usual, so a folder of thousands of articles frees its garbage as it goes.
    Only in the `masthead` process itself (see main()), and a no-op when the
    collector is already off."""
    return _Paused()


class _Paused:
    """collection_paused()'s context manager; the collector is on again
    after it, also when what ran inside raised."""

    def __enter__(self) -> None:
        self.pausing = _OWN_PROCESS["yes"] and gc.isenabled()
        if self.pausing:
            gc.disable()

    def __exit__(
        self,
        kind: "type[BaseException] | None",
        error: "BaseException | None",
        trace: "TracebackType | None",
    ) -> None:
        if self.pausing:
            gc.freeze()
            gc.enable()


def __getattr__(name: str) -> "typer.Typer":
    # `from generator.cli import app` builds the group only when asked for.
    if name == "app":
        from generator.cli.group import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

