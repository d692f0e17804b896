"""Where Masthead's own files are: the templates shipped with the package.

An installed package carries the templates inside it (`generator/templates`);
a checkout keeps them at the top level (`templates/`), where designers look.
"""

from __future__ import annotations

import contextlib
import os
import tomllib
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from jinja2 import (
    BytecodeCache,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateError,
    TemplateSyntaxError,
)
from jinja2.bccache import Bucket

from generator.errors import MastheadError
from generator.text.emojis import emojize
from generator.text.splitting import with_colon

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


def data_keys(name: str) -> list[str]:
    """The table names of one of the package's data files (platforms.toml …)."""
    return list(tomllib.loads((_PACKAGE / name).read_text(encoding="utf-8")))


@cache
def data_names(name: str) -> dict[str, str]:
    """Every name a row of one of the package's data files answers to, in
    lower case, and the row's key: the key itself and the row's `aliases`
    (platforms.toml: `twitter` for `x`). One table, so the command line and
    the config accept the same names."""
    names: dict[str, str] = {}
    for key, row in tomllib.loads((_PACKAGE / name).read_text(encoding="utf-8")).items():
        for alias in (key, *row.get("aliases", ())):
            names[alias.lower()] = key
    return names


@cache
def template_environment(
    kind: str, *, autoescape: bool, override: Path | None = None
) -> Environment:
    """The Jinja2 environment for `templates/<kind>/`, shared by every render.

    With `override`, templates in `override/<kind>/` shadow the built-in ones
    file by file (a loader chain). `emojize` turns `:shortcode:` in a template
    into emoji; it is applied to template literals only, so an article's own
    text is never rewritten. `with_colon` ends a heading that introduces
    points with a colon, unless it ends in punctuation already.
    """
    folders = [templates_dir() / kind]
    if override is not None:
        folders.insert(0, override / kind)
    env = Environment(
        loader=FileSystemLoader([str(f) for f in folders]),
        autoescape=autoescape,
        undefined=StrictUndefined,
        keep_trailing_newline=False,
        auto_reload=False,
        bytecode_cache=_bytecode_cache(),
    )
    env.filters["emojize"] = emojize
    env.filters["with_colon"] = with_colon
    return env


def render_template(template: Template, values: dict[str, Any]) -> str:
    """`template.render(values)`, without copying the environment's globals
    into a new dict on every call: that copy was two thirds of the cost of
    rendering a one-line block, and an email renders a block per paragraph."""
    context = template.new_context({**_globals(template), **values}, shared=True)
    try:
        return template.environment.concat(template.root_render_func(context))  # type: ignore[attr-defined]
    except Exception:
        # What Template.render does: the traceback then points at template lines.
        template.environment.handle_exception()
        raise  # not reached: handle_exception always raises


@lru_cache(maxsize=256)
def _globals(template: Template) -> dict[str, Any]:
    return dict(template.globals)


class _QuietBytecodeCache(FileSystemBytecodeCache):
    """Jinja's compiled-template cache, which must never fail a render: a
    cache that cannot be written is simply not written."""

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


@cache
def _bytecode_cache() -> BytecodeCache | None:
    # Compiling the templates is a tenth of a one-article render; Jinja keeps
    # the compiled code in a private folder of the system's temp directory,
    # keyed by each template's path and checked against its source, so an
    # edited or overriding template is always compiled afresh.
    if os.environ.get("MASTHEAD_NO_TEMPLATE_CACHE"):
        return None
    # Jinja checks a cached entry against the template's source and Python's
    # version, not its own: the file names carry Jinja's and Masthead's.
    import jinja2

    from generator import __version__

    pattern = f"__masthead_{__version__}_jinja_{jinja2.__version__}_%s.cache"
    try:
        return _QuietBytecodeCache(pattern=pattern)
    except (OSError, RuntimeError):  # no usable temp dir, or one not ours
        return None


@contextmanager
def template_errors() -> Iterator[None]:
    """Turn a template's mistake into an error naming its file and line."""
    try:
        yield
    except TemplateSyntaxError as exc:
        raise MastheadError(
            f"template error: {exc.message}", exc.filename or exc.name, exc.lineno
        ) from None
    except TemplateError as exc:
        filename, line = None, None
        for frame, lineno in traceback.walk_tb(exc.__traceback__):
            name = frame.f_code.co_filename
            if name.endswith(".j2"):
                filename, line = name, lineno
        raise MastheadError(f"template error: {exc}", filename, line) from None
