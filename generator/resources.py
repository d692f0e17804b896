"""Where Masthead's own files are: the templates shipped with the package.

An installed package carries the templates inside it (`generator/templates`);
a checkout keeps them at the top level (`templates/`), where designers look.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

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
