"""A complete message file (.eml): multipart/alternative, text then HTML.

Built with the standard library's `email` package. Everything that would
vary between runs is derived from the content: the MIME boundary and the
Message-ID come from a hash of the message, and the Date from
`generator.clock` (which honours SOURCE_DATE_EPOCH), so the same input gives
a byte-identical file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from generator.config import Config

PLACEHOLDER_FROM = ("Sender not configured", "sender@example.invalid")
PLACEHOLDER_TO = "subscriber@example.invalid"


def build_eml(*, subject: str, text: str, html: str, config: Config, now: dt.datetime) -> bytes:
    digest = hashlib.sha256(
        "\0".join((subject, text, html, config.sender.name, config.sender.address)).encode()
    ).hexdigest()
    name, address = (config.sender.name, config.sender.address)
    if not address:
        name, address = PLACEHOLDER_FROM
    domain = address.rsplit("@", 1)[-1]

    # No folding below 998 characters: Python folds a long subject next to an
    # encoded word so that it decodes with a doubled space.
    message = EmailMessage(policy=policy.SMTP.clone(max_line_length=998))
    message["From"] = formataddr((name, address))
    message["To"] = PLACEHOLDER_TO
    message["Subject"] = subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = f"<{digest[:32]}@{domain}>"
    message["MIME-Version"] = "1.0"
    # Base64: the standard library encodes it at C speed (quoted-printable is
    # pure Python and costs as much as rendering the email).
    message.set_content(text, subtype="plain", charset="utf-8", cte="base64")
    message.add_alternative(html, subtype="html", charset="utf-8", cte="base64")
    message.set_boundary(f"masthead-{digest[32:56]}")
    return message.as_bytes()
