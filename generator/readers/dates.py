"""Date parsing shared by the readers: the forms writers actually type.

Accepted: ISO 8601 dates (`2026-03-03`) and date-times with an offset
(`2026-03-03T09:30:00+01:00`; a time without an offset is taken as UTC),
`March 3, 2026`, `Mar 3, 2026`, `3 March 2026`, `3 Mar 2026`, and
`2026/03/03`. Month names are English, whatever the machine's locale.

Every date must fall in the years 1000 to 9999 once converted to UTC, as
feeds carry it: past 9999 the conversion fails (`9999-12-31T23:59:59-12:00`),
and before 1000 the channels cannot write it — RFC 3339 wants four digits,
which `strftime('%Y')` does not pad to, and RFC 822 parsers read a year
below 100 as 19xx or 20xx.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

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

FIRST_YEAR, LAST_YEAR = 1000, 9999
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
        return check_range(value if value.tzinfo else value.replace(tzinfo=UTC), text)
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


def check_range(value: date | datetime, text: str | None = None) -> date | datetime:
    """`value` when its UTC instant (a date's midnight) is in years 1000-9999,
    else a `DateError`; `text` is the date as written, for the message."""
    written = text if text is not None else value.isoformat()
    moment = value if isinstance(value, datetime) else datetime.combine(value, time(), UTC)
    try:
        year = moment.astimezone(UTC).year if moment.tzinfo else moment.year
    except OverflowError:  # the UTC instant is past 9999-12-31 or before 0001-01-01
        year = LAST_YEAR + 1 if moment.year == LAST_YEAR else FIRST_YEAR - 1
    if year < FIRST_YEAR:
        raise DateError(
            f"'{written}' is before the year {FIRST_YEAR}, which feeds cannot carry; check the year"
        )
    if year > LAST_YEAR:
        raise DateError(
            f"'{written}' is after the year {LAST_YEAR} in UTC, which feeds cannot carry; "
            "check the year"
        )
    return value


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


def _make(text: str, year: int, month: int, day: int) -> date | datetime:
    if year < 1:  # the day and month may be fine; Python's message names neither
        raise DateError(f"'{text}' is not a real day (there is no year 0); check the year")
    try:
        value = date(year, month, day)
    except ValueError:
        raise DateError(f"'{text}' is not a real day; check the day and month") from None
    return check_range(value, text)
