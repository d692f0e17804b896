"""What a section's heading says it holds: takeaways, or why the news matters.

The email boxes the takeaways; a thread words them as points and closes on
why it matters. Whole headings are matched, not words in them: "Outlook" may
be the email client, and "Takeaway Food Sales Rise" is news, not a summary.
"""

from __future__ import annotations

import re

_TAKEAWAYS = re.compile(
    r"^[\W\d]*(?:(?:the |our )?(?:\w+ )?(?:takeaways?|highlights)|(?:key|main) points|summary"
    r"|tl;?dr|in brief|in short|at a glance|what (?:you need )?to know)"
    r"(?:\s+(?:for|from|of|on)\b.*)?\W*$",
    re.IGNORECASE,
)
_WHY_IT_MATTERS = re.compile(
    r"^[\W\d]*(?:why (?:it|this|that) matters\b.*|what (?:it|this|that) means\b.*"
    r"|(?:the )?(?:[\w-]+ )?impact(?: on\b.*)?|(?:the )?implications\b.*|(?:the )?bottom line"
    r"|(?:in )?conclusions?|what comes next|what'?s next|what next|looking ahead"
    r"|the outlook\b.*|outlook for\b.*)\W*$",
    re.IGNORECASE,
)


def is_takeaways(heading: str) -> bool:
    """A heading such as "Key Takeaways", "TL;DR" or "What to Know"."""
    return bool(_TAKEAWAYS.search(heading))


def is_why_it_matters(heading: str) -> bool:
    """A heading such as "Why It Matters", "Real-World Impact" or "What's Next"."""
    return bool(_WHY_IT_MATTERS.search(heading))
