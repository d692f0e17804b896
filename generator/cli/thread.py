"""`masthead thread`: the article as a social thread for one platform."""

from typing import TYPE_CHECKING, Annotated

import typer

from generator.cli.common import declare_commands, emit, load, one_article, reports_errors
from generator.cli.group import SHORT_HELP
from generator.cli.options import (
    DEFAULT_PLATFORM,
    PLATFORM_CHOICE,
    PLATFORM_NAMES,
    ArticleArg,
    CloseOption,
    ConfigOption,
    HookOption,
    InputFormatOption,
    InspectFormat,
    OutputOption,
    Platform,
)

if TYPE_CHECKING:
    from generator.model import Article

commands = declare_commands()


def _steered(article: "Article", hook: str | None, close: str | None) -> "Article":
    """The article with the author's hook and close given on the command line."""
    if hook is None and close is None:
        return article
    from dataclasses import replace

    return replace(article, social=article.social.overridden(hook=hook, close=close))


@commands.command(short_help=SHORT_HELP["thread"])
@reports_errors
@one_article
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
    from generator.config import load_config

    cfg = load_config(config)
    parsed = _steered(load(article, cfg, input_format, output), hook, close)
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
    emit(text, output)
