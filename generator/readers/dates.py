"""Date parsing shared by the readers: the forms writers actually type.

Accepted: ISO 8601 dates (`2026-03-03`) and date-times with an offset
(`2026-03-03T09:30:00+01:00`; a time without an offset is taken as UTC),
`March 3, 2026`, `Mar 3, 2026`, `3 March 2026`, `3 Mar 2026`, and
`2026/03/03`. Month names are English, whatever the machine's locale.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}

_MONTH_FIRST = re.compile(r"^([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")
_DAY_FIRST = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})$")
_NUMERIC = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")

FORMS_HINT = "use a form like 'March 3, 2026', '3 March 2026' or '2026-03-03'"


class DateError(ValueError):
    """The text is not a date Masthead understands, or names an impossible day."""


def parse_date(text: str) -> date | datetime:
    """Parse one of the accepted forms; raise `DateError` with a fix-it message."""
    text = text.strip()
    if _ISO_DATETIME.match(text):
        try:
            value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError as exc:
            raise DateError(f"'{text}' is not a valid date and time ({exc})") from None
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if m := _NUMERIC.match(text):
        year, month, day = (int(g) for g in m.groups())
        return _make(text, year, month, day)
    if m := _MONTH_FIRST.match(text):
        month_name, day, year = m.groups()
        return _make(text, int(year), _month(text, month_name), int(day))
    if m := _DAY_FIRST.match(text):
        day, month_name, year = m.groups()
        return _make(text, int(year), _month(text, month_name), int(day))
    raise DateError(f"'{text}' is not a date Masthead understands; {FORMS_HINT}")


def looks_like_date(text: str) -> bool:
    """True when `text` has the shape of a date, valid or not."""
    text = text.strip()
    return bool(
        _ISO_DATETIME.match(text)
        or _NUMERIC.match(text)
        or ((m := _MONTH_FIRST.match(text)) and m.group(1).lower() in _MONTHS)
        or ((m := _DAY_FIRST.match(text)) and m.group(2).lower() in _MONTHS)
    )


def _month(text: str, name: str) -> int:
    try:
        return _MONTHS[name.lower()]
    except KeyError:
        raise DateError(f"'{text}' has an unknown month '{name}'; {FORMS_HINT}") from None


def _make(text: str, year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise DateError(f"'{text}' is not a real day; check the day and month") from None
