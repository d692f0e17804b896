"""Where Masthead's own files are: the templates shipped with the package,
and the user's cache folder, where compiled templates are kept between runs.

An installed package carries the templates inside it (`generator/templates`);
a checkout keeps them at the top level (`templates/`), where designers look.

Jinja2 is imported only when a template is compiled or rendered: a command
that renders none (`--help`, `feed add`), or an email whose layout is in the
cache, never loads it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import sys
import tomllib
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.errors import MastheadError

if TYPE_CHECKING:
    from jinja2 import BytecodeCache, Environment, Template

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


def _emojize() -> Callable[[str], str]:
    # The one place templates get emoji from (`:tada:` -> 🎉).
    from generator.text.emojis import emojize

    return emojize


@cache
def _environment(kind: str, autoescape: bool, override: Path | None) -> Environment:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    from generator.text.splitting import with_colon

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
    env.filters["emojize"] = _emojize()
    env.filters["with_colon"] = with_colon
    return env


def template_environment(
    kind: str, *, autoescape: bool, override: Path | None = None
) -> Environment:
    """The Jinja2 environment for `templates/<kind>/`, shared by every render.

    With `override`, templates in `override/<kind>/` shadow the built-in ones
    file by file (a loader chain). `emojize` turns `:shortcode:` in a template
    into emoji; it is applied to template literals only, so an article's own
    text is never rewritten. `with_colon` ends a heading that introduces
    points with a colon, unless it ends in punctuation already.
    `template_environment.cache_clear()` forgets the environments and what
    is known of the templates' contents (`templates_digest`), for a preview
    that reloads edited templates.
    """
    return _environment(kind, autoescape, override)


def _forget_templates() -> None:
    _environment.cache_clear()
    templates_digest.cache_clear()


template_environment.cache_clear = _forget_templates  # type: ignore[attr-defined]


@cache
def templates_digest(kind: str) -> str:
    """A hash of every built-in template of `kind` (names and contents), to key
    what is cached from them: an edited template is a new key."""
    digest = hashlib.sha256()
    root = templates_dir() / kind
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(f"{path.relative_to(root)}\0{path.stat().st_size}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


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


@contextmanager
def template_errors() -> Iterator[None]:
    """Turn a template's mistake into an error naming its file and line."""
    try:
        yield
    except Exception as exc:
        jinja2 = sys.modules.get("jinja2")
        if jinja2 is None:  # no template was compiled: not a template's mistake
            raise
        if isinstance(exc, jinja2.TemplateSyntaxError):
            raise MastheadError(
                f"template error: {exc.message}", exc.filename or exc.name, exc.lineno
            ) from None
        if not isinstance(exc, jinja2.TemplateError):
            raise
        filename, line = None, None
        for frame, lineno in traceback.walk_tb(exc.__traceback__):
            name = frame.f_code.co_filename
            if name.endswith(".j2"):
                filename, line = name, lineno
        raise MastheadError(f"template error: {exc}", filename, line) from None


# --- the user's cache folder ----------------------------------------------------
# What Masthead compiles from its own templates and the config (Jinja's
# compiled templates, the email's compiled MJML layout) is kept here between
# runs, never an article's text. The cache must never change what a render
# writes, nor fail it: an entry carries a hash of its contents and is used
# only when that hash matches; anything that is not a regular file owned by
# this user is ignored, a link is never followed, and a folder or file that
# cannot be read or written is simply not used. MASTHEAD_NO_TEMPLATE_CACHE
# turns the cache off.

_MAGIC = b"masthead-cache-1\n"


@cache
def cache_folder() -> Path | None:
    """$MASTHEAD_CACHE_DIR, else $XDG_CACHE_HOME/masthead, else
    ~/.cache/masthead; created private (0700). None when the cache is off or
    the folder is not a private folder of this user's."""
    if os.environ.get("MASTHEAD_NO_TEMPLATE_CACHE"):
        return None
    named = os.environ.get("MASTHEAD_CACHE_DIR")
    if named:
        folder = Path(named)
    else:
        base = os.environ.get("XDG_CACHE_HOME")
        # The XDG rule: a relative path in the variable is to be ignored.
        root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
        folder = root / "masthead"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.lstat(folder)
    except (OSError, RuntimeError):  # RuntimeError: no home directory
        return None
    if (
        not stat.S_ISDIR(info.st_mode)  # a link to a folder is not ours to trust
        or info.st_uid != os.geteuid()
        or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)  # others could plant entries
    ):
        return None
    return folder


def read_cache(name: str) -> bytes | None:
    """The data written by `write_cache(name, …)`, or None: no such entry, or
    one that is not a regular file of this user's, or damaged."""
    folder = cache_folder()
    if folder is None:
        return None
    flags = os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(folder / name, flags)
    except OSError:
        return None
    try:
        with open(fd, "rb") as file:
            info = os.fstat(file.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
                return None
            data = file.read()
    except OSError:
        return None
    head = len(_MAGIC) + 32
    if not data.startswith(_MAGIC) or len(data) < head:
        return None
    payload = data[head:]
    if hashlib.sha256(payload).digest() != data[len(_MAGIC) : head]:
        return None  # truncated or damaged
    return payload


def write_cache(name: str, payload: bytes) -> None:
    """Keep `payload` under `name`, atomically (a temporary file renamed into
    place); quietly not at all when that fails."""
    folder = cache_folder()
    if folder is None:
        return
    from generator.writers import write_atomic

    data = _MAGIC + hashlib.sha256(payload).digest() + payload
    with contextlib.suppress(OSError, MastheadError):
        write_atomic(folder / name, data, durable=False, through_links=False)


@cache
def _bytecode_cache() -> BytecodeCache | None:
    # Compiling the templates is a tenth of a one-article render. Jinja
    # checks an entry against its template's source (and Python's version);
    # the name carries Jinja's version and Masthead's.
    if cache_folder() is None:
        return None
    import jinja2
    from jinja2.bccache import Bucket, BytecodeCache

    from generator import __version__

    prefix = f"jinja-{__version__}-{jinja2.__version__}-"

    class UserCache(BytecodeCache):
        def load_bytecode(self, bucket: Bucket) -> None:
            data = read_cache(prefix + bucket.key)
            if data is None:
                return
            try:
                bucket.bytecode_from_string(data)
            except Exception:  # unreadable: compiled afresh
                bucket.reset()

        def dump_bytecode(self, bucket: Bucket) -> None:
            write_cache(prefix + bucket.key, bucket.bytecode_to_string())

    return UserCache()
