"""The one place Masthead asks for "now", so builds can be reproducible.

When `SOURCE_DATE_EPOCH` is set (see reproducible-builds.org), it is "now".
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from generator.errors import MastheadError


def now() -> datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), UTC)
        except (ValueError, OverflowError, OSError):
            raise MastheadError(
                f"SOURCE_DATE_EPOCH must be a whole number of seconds, not '{epoch}'"
            ) from None
    return datetime.now(UTC)
