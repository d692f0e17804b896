"""Where Masthead's own files are: the templates shipped with the package.

An installed package carries the templates inside it (`generator/templates`);
a checkout keeps them at the top level (`templates/`), where designers look.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import emoji
from jinja2 import Environment, FileSystemLoader, StrictUndefined

_PACKAGE = Path(__file__).resolve().parent


@cache
def templates_dir() -> Path:
    for candidate in (_PACKAGE / "templates", _PACKAGE.parent / "templates"):
        if (candidate / "email").is_dir():
            return candidate
    raise FileNotFoundError(
        f"Masthead's templates are missing (looked in {_PACKAGE / 'templates'} and "
        f"{_PACKAGE.parent / 'templates'}); reinstall the package"
    )


@cache
def template_environment(kind: str, *, autoescape: bool) -> Environment:
    """The Jinja2 environment for `templates/<kind>/`, shared by every render.

    `emojize` turns `:shortcode:` in a template into emoji; it is applied to
    template literals only, so an article's own text is never rewritten.
    """
    env = Environment(
        loader=FileSystemLoader(templates_dir() / kind),
        autoescape=autoescape,
        undefined=StrictUndefined,
        keep_trailing_newline=False,
        auto_reload=False,
    )
    env.filters["emojize"] = lambda text: emoji.emojize(text, language="alias")
    return env
