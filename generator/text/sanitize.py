"""Making untrusted text safe to put in XML.

XML 1.0 forbids most control characters (and U+FFFE/U+FFFF); one of them in
a feed makes the whole feed unreadable, so they are dropped.
"""

from __future__ import annotations

import re

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 cannot hold."""
    return _XML_ILLEGAL.sub("", text)
