"""Keeping article text from becoming a live ESP merge tag.

Every ESP tag starts with a delimiter: `*|` (Mailchimp), `{{`/`{%` (Liquid,
Go and Django-style ESPs), `{$` (MailerLite), `[` (Sendy, Campaign Monitor,
old Brevo) or `<` (Campaign Monitor and Sendy pseudo-tags). In HTML the
delimiter characters of article text become character references, which
render the same but which no ESP's tag parser sees; the MJML compile keeps
references as they are, in text and in attributes alike. In plain text a
zero-width space goes between the delimiters.
"""

from __future__ import annotations

import re

from generator.text.html import Neutralizer

_REFERENCES = {"{": "&#123;", "|": "&#124;", "[": "&#91;"}
# Unicode noncharacters are never content; an older Masthead used them
# internally, so article text holding one is cleaned rather than trusted.
_NONCHARACTERS = re.compile("[\ufdd0-\ufdef]")

ZWSP = "\u200b"
# Only the openings a tag can have: `*|`, `{{` `{%` `{$` `{!` `{#`, `[` or `<` before
# a letter (`[Name]`, `<unsubscribe>`), `[[`, `</`, `<%`. So `arr[0]`,
# `*args` and `{x}` in an article's code stay as they are, copyable.
_TEXT_OPENERS = re.compile(r"(\*(?=\|)|\{(?=[{%$!#])|\[(?=[^\W\d_]|\[)|<(?=[^\W\d_]|/|%))")


def _neutralize_html(escaped: str) -> str:
    # str.replace, not str.translate: it runs at C speed on every text node.
    escaped = _NONCHARACTERS.sub("", escaped)
    for char, reference in _REFERENCES.items():
        if char in escaped:
            escaped = escaped.replace(char, reference)
    return escaped


# For already HTML-escaped article text (`<` is already `&lt;`): the other
# delimiters as character references. It changes only the characters it
# names (the delimiters, the noncharacters), so text/html passes it no text
# without one.
neutralize_html = Neutralizer(_neutralize_html, "{|\\[\ufdd0-\ufdef")


def neutralize_text(text: str) -> str:
    """For plain article text: a zero-width space after each tag opener."""
    return _TEXT_OPENERS.sub(lambda m: m.group(1) + ZWSP, _NONCHARACTERS.sub("", text))
