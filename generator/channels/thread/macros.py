"""The templates that word each kind of post, called as Python functions.

`templates/social/thread.j2` holds one macro per kind of post; a platform may
override any of them in `<platform>.j2`, and a config's `templates` folder
shadows the built-in files. A copy made by an older `init --templates` may
lack a macro or an argument added since: `has` tells, and callers fall back
to what that copy can say.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment, TemplateNotFound

from generator.resources import template_errors

TEMPLATES = "social"


class Macros:
    """The macros of `<platform>.j2`, falling back to `thread.j2`'s."""

    def __init__(self, env: Environment, platform: str, labels: dict[str, str]) -> None:
        context = {"labels": labels}
        with template_errors():
            base = env.get_template("thread.j2")
            try:
                own = env.get_template(f"{platform}.j2")
            except TemplateNotFound:
                own = None
            self._base = base.make_module(context)
            self._own = own.make_module(context) if own else None
        # Macros from the same templates and labels word everything alike.
        self.key = (base, own, tuple(labels.items()))
        self.labels = labels
        # A thread asks for "3/12" once per post and again per re-layout.
        self._numbers: dict[tuple[int, int], str] = {}
        # Laying out asks for the same wording again and again (a list's
        # items while it packs them, each platform the same pieces): the
        # platforms that share templates and labels share what was worded.
        self._done = _WORDED.setdefault(self.key, {})

    def __call__(self, name: str, *args: Any, **kwargs: Any) -> str:
        """The macro's text, stripped. Callers pass a list's items as a tuple
        (hashable: the wording is looked up without freezing it); the macro
        gets them as a list, as it always has."""
        key: tuple[Any, ...] = (name, args, tuple(kwargs.items()) if kwargs else ())
        try:
            done = self._done.get(key)
        except TypeError:  # a list or a dict among the arguments (LinkedIn's body)
            key = (name, _frozen(args), _frozen(tuple(kwargs.items())))
            done = self._done.get(key)
        if done is None:
            macro = getattr(self._own, name, None) or getattr(self._base, name)
            shown = [list(a) if type(a) is tuple else a for a in args]
            with template_errors():
                done = str(macro(*shown, **kwargs)).strip()
            if len(self._done) >= REMEMBERED:
                self._done.clear()
            self._done[key] = done
        return done

    def has(self, name: str, argument: str | None = None) -> bool:
        """Whether the templates define macro `name` (with `argument`)."""
        macro = getattr(self._own, name, None) or getattr(self._base, name, None)
        if macro is None:
            return False
        return argument is None or argument in getattr(macro, "arguments", ())

    def accepts(self, name: str, argument: str) -> bool:
        """Whether macro `name` takes `argument`, by name or among the
        keyword arguments it reads (`kwargs`)."""
        macro = getattr(self._own, name, None) or getattr(self._base, name, None)
        return self.has(name, argument) or bool(getattr(macro, "catch_kwargs", False))

    def number(self, index: int, total: int) -> str:
        key = (index, total)
        if key not in self._numbers:
            self._numbers[key] = self("number", index, total)
        return self._numbers[key]


# Wordings remembered, per set of templates and labels; each set keeps at
# most `REMEMBERED` (about one article's), so memory stays flat.
REMEMBERED = 1024
_WORDED: dict[tuple[Any, ...], dict[tuple[Any, ...], str]] = {}


def _frozen(value: Any) -> Any:
    """`value` with its lists and dicts as tuples, to key a wording by."""
    if isinstance(value, list | tuple):
        # Text, the most of what is frozen, stands as it is: no call for it.
        return tuple([v if type(v) is str else _frozen(v) for v in value])
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    return value


@lru_cache(maxsize=64)
def macros_for(env: Environment, platform: str, labels: tuple[tuple[str, str], ...]) -> Macros:
    # Keyed by the environment itself, so a preview that drops the cached
    # environment after a template edit gets freshly loaded macros.
    return Macros(env, platform, dict(labels))
