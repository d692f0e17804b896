"""The reader's language: labels (the fixed words), dates, writing direction.

Labels are data (`labels.toml`), chosen by the article's `lang` and
overridable in the config. Dates are formatted by Babel from CLDR data, never
from hand-made month tables.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from functools import cache

from generator.resources import data_table

FALLBACK = "en"
RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur", "yi", "ps", "sd", "ug", "dv"})
# English dates in the design brief's form ("3 March 2026"): the British
# CLDR pattern; other languages use their own "long" format.
_BABEL_LOCALE = {"en": "en_GB"}


@cache
def _table() -> dict[str, dict[str, str]]:
    return data_table("labels.toml")


# BCP 47 in the shape people write it: "en", "pt-BR", "zh-Hant-TW", "en-US-x-twain".
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")


def is_language_tag(value: str) -> bool:
    """Whether `value` can go in a `lang` attribute as a language tag."""
    return bool(_LANGUAGE_TAG.match(value))


def base_language(lang: str) -> str:
    return lang.replace("_", "-").split("-")[0].lower()


def label_keys() -> tuple[str, ...]:
    return tuple(_table()[FALLBACK])


def has_labels(lang: str, overrides: Mapping[str, str] | None = None) -> bool:
    """Whether every label has words for `lang`: shipped, or all set in the
    config's [labels]."""
    if base_language(lang) in _table():
        return True
    return bool(overrides) and set(_table()[FALLBACK]) <= set(overrides)


def labels_for(lang: str, overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """The labels for `lang`, English where it has none, then the overrides."""
    table = _table()
    labels = dict(table[FALLBACK])
    labels.update(table.get(base_language(lang), {}))
    labels.update({k: v for k, v in (overrides or {}).items() if v})
    return labels


def direction(lang: str) -> str:
    return "rtl" if base_language(lang) in RTL_LANGUAGES else "ltr"


def format_date(value: dt.date | dt.datetime, lang: str) -> str:
    from babel.core import UnknownLocaleError
    from babel.dates import format_date as babel_format

    day = value.date() if isinstance(value, dt.datetime) else value
    base = base_language(lang)
    locale = _BABEL_LOCALE.get(lang.lower(), _BABEL_LOCALE.get(base, lang.replace("-", "_")))
    try:
        return babel_format(day, "long", locale=locale)
    except (UnknownLocaleError, ValueError):
        try:
            return babel_format(day, "long", locale=base)
        except (UnknownLocaleError, ValueError):
            return babel_format(day, "long", locale=_BABEL_LOCALE[FALLBACK])


def join_names(names: tuple[str, ...], labels: Mapping[str, str]) -> str | None:
    """ "A", "A and B", "A, B and C" in the reader's language."""
    if not names:
        return None
    if len(names) == 1:
        return names[0]
    conjunction = labels["and"]
    if conjunction in ("、",):  # Japanese lists every name with the same mark
        return conjunction.join(names)
    return ", ".join(names[:-1]) + f" {conjunction} " + names[-1]
