"""What a section's heading says it holds: takeaways, or why the news matters.

The email boxes the takeaways; a thread words them as points and closes on
why it matters. Whole headings are matched, not words in them: "Outlook" may
be the email client, and "Takeaway Food Sales Rise" is news, not a summary.
"""

from __future__ import annotations

import re

# A qualifier after the phrase: "Key Takeaways: Q3", "Summary (TL;DR)",
# "Key points to remember", "Impact on readers".
_TAIL = r"(?:\s*[:(\[–—-].*|\s+(?:for|from|of|on|to|so far)\b.*)?"
_TAKEAWAYS = re.compile(
    r"^[\W\d_]*+(?:(?:the |our )?(?:\w+ )?(?:takeaways?|highlights)|(?:key|main) points"
    r"|(?:\w+ )?summary|tl;?dr|in brief|in short|at a glance|what (?:you need )?to know)"
    + _TAIL
    + r"\W*$",
    re.IGNORECASE,
)
_WHY_IT_MATTERS = re.compile(
    r"^[\W\d_]*+(?:why (?:it|this|that) matters|what (?:it|this|that) means"
    r"|(?:the )?(?:[\w-]+ )?(?:and [\w-]+ )?(?:impacts?|implications)|(?:the )?bottom line"
    r"|(?:in )?conclusions?|what comes next|what['’]?s next|what next|looking ahead"
    r"|the outlook|outlook for\b.*)" + _TAIL + r"\W*$",
    re.IGNORECASE,
)
# Longer than this is a sentence, not a heading of either kind.
_MOST = 120
# Where the email sets the takeaways box: first, as a TL;DR under the dek, or
# where the article has it (`[email] takeaways`, front matter `takeaways:`).
TAKEAWAYS_PLACES = ("top", "bottom")


def is_takeaways(heading: str) -> bool:
    """A heading such as "Key Takeaways", "TL;DR" or "What to Know"."""
    return len(heading) <= _MOST and bool(_TAKEAWAYS.search(heading))


def is_why_it_matters(heading: str) -> bool:
    """A heading such as "Why It Matters", "Real-World Impact" or "What's Next"."""
    return len(heading) <= _MOST and bool(_WHY_IT_MATTERS.search(heading))
