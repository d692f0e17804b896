"""`masthead preview`: every channel in the browser, re-rendered as you edit."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from generator.cli.common import declare_commands, reports_errors, say
from generator.cli.group import SHORT_HELP
from generator.cli.options import ConfigOption, InputFormatOption, ThemeOption

commands = declare_commands()


@commands.command(short_help=SHORT_HELP["preview"])
@reports_errors
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
        say(f"Previewing {article} at {url} (Ctrl-C to stop)")
        sys.stdout.flush()
        if open_browser:
            import webbrowser

            webbrowser.open(url)

    def rendered(snapshot) -> None:  # type: ignore[no-untyped-def]
        if snapshot.error:
            say(f"error: {snapshot.error}", err=True)
        else:
            say(f"re-rendered {article}")
        sys.stdout.flush()

    if live.snapshot.error:
        say(f"error: {live.snapshot.error}", err=True)
    serve(live, port, on_ready=ready, on_render=rendered)
    say("Stopped.")
