"""The options and arguments several commands share, with their help text.

The platform, theme and email-service choices come from the data tables, so
one added there needs no edit here (read with tomllib alone)."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from typer._types import TyperChoice

from generator.config import CONFIG_NAME
from generator.resources import data_keys, data_names

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


class InspectFormat(StrEnum):
    text = "text"
    json = "json"


OutputOption = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        help="Write to this file (atomically) instead of stdout; - is stdout.",
    ),
]


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
