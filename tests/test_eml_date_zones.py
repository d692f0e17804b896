"""An .eml's Date header says the clock reading it was given, in its zone
(issue 21 review, F5): equal instants in different zones are equal
datetimes, and the remembered header of one must not serve the other."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest

from generator.channels.email import eml
from generator.config import Config


def _zone(hours: int, minutes: int = 0) -> dt.timezone:
    return dt.timezone(dt.timedelta(hours=hours, minutes=minutes))


# One instant, 2026-01-01 12:00 UTC (a Thursday), read in four zones, and
# the header RFC 5322 writes for each (by hand, not by the code under test).
SAME_INSTANT = [
    (dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC), "Thu, 01 Jan 2026 12:00:00 +0000"),
    (dt.datetime(2026, 1, 1, 13, tzinfo=_zone(1)), "Thu, 01 Jan 2026 13:00:00 +0100"),
    (dt.datetime(2026, 1, 1, 7, tzinfo=_zone(-5)), "Thu, 01 Jan 2026 07:00:00 -0500"),
    (dt.datetime(2026, 1, 1, 17, 30, tzinfo=_zone(5, 30)), "Thu, 01 Jan 2026 17:30:00 +0530"),
]


def _date_header(now: dt.datetime) -> str:
    data = eml.build_eml(subject="S", text="t", html="<p>h</p>", config=Config(), now=now)
    found = re.search(rb"\r\nDate: ([^\r\n]*)\r\n", data)
    assert found is not None
    return found.group(1).decode("ascii")


@pytest.mark.parametrize("order", list(itertools.permutations(range(len(SAME_INSTANT)), 2)))
def test_equal_instants_in_other_zones_get_their_own_date_header(order):
    eml._date.cache_clear()  # each order starts from nothing remembered
    for index in order:
        now, header = SAME_INSTANT[index]
        assert _date_header(now) == header


def test_the_same_reading_twice_gets_the_same_header():
    eml._date.cache_clear()
    now, header = SAME_INSTANT[1]
    assert [_date_header(now) for _ in range(3)] == [header] * 3
