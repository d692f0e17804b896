"""Keeping article text from becoming a live ESP merge tag.

Every ESP tag starts with a delimiter: `*|` (Mailchimp), `{{`/`{%` (Liquid,
Go and Django-style ESPs), `{$` (MailerLite), `[` (Sendy, Campaign Monitor,
old Brevo) or `<` (Campaign Monitor and Sendy pseudo-tags). In HTML the
delimiter characters of article text become character references, which
render the same but which no ESP's tag parser sees. In plain text a
zero-width space goes between the delimiters.

Article delimiters travel through templating and the MJML compile as Unicode
noncharacters (U+FDD0…, reserved for exactly this kind of internal use) and
become references only in the finished HTML (`restore_html`), so no step in
between can decode a reference back into a live delimiter.
"""

from __future__ import annotations

import re

_REFERENCES = {"{": "&#123;", "|": "&#124;", "[": "&#91;", "<": "&lt;"}
_SENTINELS = {ch: chr(0xFDD0 + n) for n, ch in enumerate(_REFERENCES)}
_NONCHARACTERS = re.compile("[\ufdd0-\ufdef]")

ZWSP = "\u200b"
_TEXT_OPENERS = re.compile(r"([*{\[<])(?=[|{%$\w/])")


def neutralize_html(escaped: str) -> str:
    """For already HTML-escaped article text: delimiters as sentinels."""
    # str.replace, not str.translate: it runs at C speed on every text node.
    escaped = _NONCHARACTERS.sub("", escaped)
    for char in "{|[":
        if char in escaped:
            escaped = escaped.replace(char, _SENTINELS[char])
    return escaped.replace("&lt;", _SENTINELS["<"])


def restore_html(html: str) -> str:
    """The finished HTML with every sentinel as its character reference."""
    for char, sentinel in _SENTINELS.items():
        html = html.replace(sentinel, _REFERENCES[char])
    return html


def neutralize_text(text: str) -> str:
    """For plain article text: a zero-width space after each tag opener."""
    return _TEXT_OPENERS.sub(lambda m: m.group(1) + ZWSP, _NONCHARACTERS.sub("", text))
