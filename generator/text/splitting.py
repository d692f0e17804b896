"""Splitting text into parts that each fit a length test.

Text is split at the widest boundary that works: sentences first (CJK `。！？`
included), then clauses, then words. A part that stops mid-sentence ends with
`…`. A word longer than a whole part (a 500-character token) is cut between
grapheme clusters as a last resort; a link never is — it raises
`SplitError` instead, because a cut link is a broken link. Nothing here ever
cuts inside a grapheme cluster, so ZWJ emoji, flags and skin tones stay whole.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from itertools import accumulate

import regex

from generator.errors import MastheadError

ELLIPSIS = "…"

# Each pattern matches the end of one unit, separator included, so that
# concatenating the units gives back the text exactly.
# A run of stops is matched from its start only, and never handed back: a
# line of ten thousand dots with no space after it is one try, not millions.
_SENTENCE_END = regex.compile(
    r"(?<![.!?…])(?P<stop>[.!?…]++)[\"'”’)\]»]*+\s+|[。！？]+[」』）\"”’]*\s*|\n+"
)
# Words a full stop follows without ending the sentence ("Mr. Lee"), and
# "No." before a number ("No. 5").
_ABBREVIATIONS = frozenset(
    {
        "Mr",
        "Mrs",
        "Ms",
        "Mx",
        "Dr",
        "Prof",
        "St",
        "Sr",
        "Jr",
        "Mt",
        "Ft",
        "vs",
        "Gen",
        "Gov",
        "Sen",
        "Rep",
        "Rev",
        "Hon",
        "Lt",
        "Col",
        "Capt",
        "Sgt",
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Sept",
        "Oct",
        "Nov",
        "Dec",
        "Fig",
        "Figs",
        "Vol",
        "Ch",
        "pp",
        "approx",
        "cf",
        "al",
    }
)
_OPENERS = "\"'“‘([«"
_DOTTED = regex.compile(r"(?:\p{L}\.)+\p{L}")  # U.S, a.m, e.g, Ph.D
_INITIAL_NEXT = regex.compile(r"\p{Lu}\.\s")  # "J. K. Rowling"
# The next word, lower case in a script with capitals and no capital inside
# ("approx. five", "“Really?” she asked"; not "iOS 18", nor Georgian, which
# has no capitals in everyday use): the sentence goes on.
_GOES_ON = regex.compile(
    r"[[\p{Latin}\p{Greek}\p{Cyrillic}\p{Armenian}]&&\p{Ll}][^\s\p{Lu}]*(?:\s|$)", regex.VERSION1
)


def _ends_sentence(text: str, match: regex.Match[str]) -> bool:
    """Whether a sentence-end candidate really ends one: not after an
    abbreviation, dotted initials (U.S.) or one initial before another,
    and not before a word that continues the sentence in lower case."""
    if match.group("stop") is None:
        return True  # a line break or a full-width stop
    after = match.end()
    if _GOES_ON.match(text, after):
        return False
    if match.group("stop") != ".":
        return True
    start = end = match.start()
    while start > 0 and not text[start - 1].isspace() and text[start - 1] not in _OPENERS:
        start -= 1  # back over the word the stop ends; it stops at a space
    word = text[start:end]
    if word in _ABBREVIATIONS or _DOTTED.fullmatch(word):
        return False
    if word == "No" and text[after : after + 1].isdigit():
        return False
    if len(word) == 1 and word.isupper():
        return not (_INITIAL_NEXT.match(text, after) or _initial_before(text, start))
    return True


def _initial_before(text: str, at: int) -> bool:
    """Whether an initial ("J. ") comes just before `at`."""
    while at > 0 and text[at - 1].isspace():
        at -= 1
    return (
        at >= 2
        and text[at - 1] == "."
        and text[at - 2].isupper()
        and (at == 2 or text[at - 3].isspace())
    )


_CLAUSE_END = regex.compile(r"[,;:]\s+|(?<!\s)\s++[—–]\s+|[—–](?=\S)|[、，；：]\s*")
_WORD_END = regex.compile(r"\s+")
_LINK = regex.compile(r"^[a-z][a-z0-9+.-]*://\S+$", regex.IGNORECASE)
_TRIM_BEFORE_ELLIPSIS = ",;:，；：、—– "

Fits = Callable[[str], bool]


class SplitError(MastheadError):
    """A piece of text cannot be made to fit, even alone."""


def split_to_fit(text: str, fits: Fits) -> list[str]:
    """Split `text` into stripped parts for which `fits(part)` is true."""
    text = text.strip()
    if not text:
        return []
    if fits(text):
        return [text]
    return _pack(text, fits, 0)


def _units(text: str, level: int) -> list[str]:
    if level == 3:
        return regex.findall(r"\X", text)
    pattern = (_SENTENCE_END, _CLAUSE_END, _WORD_END)[level]
    units: list[str] = []
    start = 0
    for match in pattern.finditer(text):
        if level == 0 and not _ends_sentence(text, match):
            continue
        if match.end() > start and match.start() > start:
            units.append(text[start : match.end()])
            start = match.end()
    if start < len(text):
        units.append(text[start:])
    return units


_WORD_CHARACTER = regex.compile(r"[\p{L}\p{N}]")
_GRAPHEMES = regex.compile(r"\X")


def _is_lead_in(text: str) -> bool:
    """A signpost emoji or a dash: a few signs and no word."""
    text = text.strip()
    if not text or _WORD_CHARACTER.search(text):
        return False
    return len(_GRAPHEMES.findall(text)) <= 3


def _with_ellipsis(part: str) -> str:
    if part.endswith(ELLIPSIS):
        return part
    part = part.rstrip(_TRIM_BEFORE_ELLIPSIS)
    if _LINK.match(part.rsplit(None, 1)[-1] if part else ""):
        # Glued on, the mark would be read as part of the link and break it.
        return part + " " + ELLIPSIS
    return part + ELLIPSIS


def sentences(text: str) -> list[str]:
    """The sentences of `text`, each with its end punctuation."""
    return [unit.strip() for unit in _units(text.strip(), 0) if unit.strip()]


_FULL_WIDTH_END = regex.compile(r"[。！？][」』）\"”’]*$")


def join_sentences(said: list[str]) -> str:
    """Sentences back into text: a space between them, none after a
    full-width stop (Chinese and Japanese put none), closing quote or not."""
    text = ""
    for sentence in said:
        if text and not _FULL_WIDTH_END.search(text[-4:]):
            text += " "
        text += sentence
    return text


# Punctuation that ends a heading's phrase, in any script (؟ । ‼ too); not
# the signs that end a word (10%, C#, Q&A) nor a quote mark.
_ENDS_IN_PUNCTUATION = regex.compile(
    r"[[\p{Po}\p{Pd}]--[%#&*@/\\\"'·]][\"'”’)\]»]*$", regex.VERSION1
)


def with_colon(heading: str) -> str:
    """`heading` introducing what follows: "Key Takeaways:", but "What's
    Next?" and "Q&A:" stay as they are, never "Next?:"."""
    heading = heading.rstrip()
    if not heading or _ENDS_IN_PUNCTUATION.search(heading):
        return heading
    return heading + ":"


def first_sentence(text: str) -> str:
    """The first sentence of `text` (all of it when it has one sentence)."""
    units = _units(text.strip(), 0)
    return units[0].strip() if units else ""


def _pack(text: str, fits: Fits, level: int) -> list[str]:
    """Units of `level` into parts, each as many units as fit: greedily, as if
    adding one unit at a time until one does not fit. Done that way, the
    whole part was counted again for every word added (twice, with and
    without the … mark), so a part cost as many counts as it has words and
    a 1 MB paragraph without a sentence stop took 10 s for X. The run is
    found by `_fitting_run` instead, two or three counts a part."""
    if level == 3:
        return _pack_graphemes(_units(text, 3), fits)
    units = _units(text, level)
    ends = list(accumulate(map(len, units), initial=0))
    parts: list[str] = []
    current = ""
    index = 0
    previous = 0  # the last part's length: the next one is guessed as long
    while index < len(units):
        end = _fitting_run(units, ends, index, current, fits, previous - len(current))
        if end > index:
            current += "".join(units[index:end])
            index = end
            if index == len(units):
                break
        unit = units[index]
        index += 1
        if level < 3 and _is_lead_in(current):
            # A lead-in of signs only (a signpost emoji, a dash) is never a
            # part of its own: it goes with what follows.
            unit = current + unit
            current = ""
        if current.strip():
            parts.append(current.strip())
            previous = len(current)
            current = ""
        if fits(unit.strip()):
            current = unit
            continue
        # The unit alone is too long: split it at the next boundary down,
        # marking each piece but the last as continued.
        pieces = _split_unit(unit.strip(), fits, level + 1)
        parts.extend(_with_ellipsis(p) for p in pieces[:-1])
        trailing = unit[len(unit.rstrip()) :]
        current = pieces[-1] + trailing
    if current.strip():
        parts.append(current.strip())
    return parts


def _fitting_run(
    units: list[str], ends: list[int], start: int, current: str, fits: Fits, guess: int
) -> int:
    """The largest `end` for which `current` and units[start:end] fit
    together; `start` if not even one more unit does.

    Whether a text fits only grows harder as units are added (a count never
    falls when words are added after a space, a stop or a dash), so the
    first unit that does not fit is found by doubling and halving around a
    first guess: as many units as make `guess` characters, the last part's
    length, so a part costs two or three counts, and no try reaches much
    past the unit that does not fit. `ends` holds the units' running
    lengths (ends[i] is where unit i starts)."""

    def fits_to(end: int) -> bool:
        return fits((current + "".join(units[start:end])).strip())

    first = bisect_right(ends, ends[start] + guess, lo=start + 1) - 1
    first = min(max(first, start + 1), len(units))
    step = 1
    if fits_to(first):
        good = first
        while good < len(units):
            end = min(good + step, len(units))
            if not fits_to(end):
                bad = end
                break
            good, step = end, step * 2
        else:
            return good
    else:
        bad = first
        while True:
            end = bad - step
            if end <= start:
                good = start  # no unit is tried alone here: the caller does that
                break
            if fits_to(end):
                good = end
                break
            bad, step = end, step * 2
    while bad - good > 1:
        middle = (good + bad) // 2
        if fits_to(middle):
            good = middle
        else:
            bad = middle
    return good


def _pack_graphemes(units: list[str], fits: Fits) -> list[str]:
    """`_pack` for grapheme clusters, where a part holds hundreds of them:
    the longest run that fits is found by doubling and halving, a few counts
    a part rather than one per character (a long text without a space, in
    Chinese say, took seconds a kilobyte). Every part returned was counted."""
    parts: list[str] = []
    start = 0
    while start < len(units):
        end = _longest_fitting(units, start, fits)
        if end == start:  # not even one cluster fits: a clear error
            _split_unit(units[start].strip(), fits, 4)  # raises
        if piece := "".join(units[start:end]).strip():
            parts.append(piece)
        start = end
    return parts


def _longest_fitting(units: list[str], start: int, fits: Fits) -> int:
    """The largest `end` for which units[start:end] fits; `start` if none."""

    def fits_to(end: int) -> bool:
        return fits("".join(units[start:end]).strip())

    good, step = start, 1
    while good < len(units):
        end = min(start + step, len(units))
        if not fits_to(end):
            bad = end
            break
        good, step = end, step * 2
    else:
        return good
    while bad - good > 1:
        middle = (good + bad) // 2
        if fits_to(middle):
            good = middle
        else:
            bad = middle
    return good


class _Continued:
    """A piece fits if it fits with the … that marks it continued, and as it
    is too: the last piece goes out without the mark, and the mark may have
    taken the place of trailing punctuation. Marking twice is marking once,
    so a piece of a piece is tested by the same rule, not by one nested in
    another (which counted the same two texts twice per level)."""

    __slots__ = ("fits",)

    def __init__(self, fits: Fits) -> None:
        self.fits = fits

    def __call__(self, part: str) -> bool:
        marked = _with_ellipsis(part)
        return self.fits(marked) and (marked == part or self.fits(part))


def _split_unit(unit: str, fits: Fits, level: int) -> list[str]:
    link = next((word for word in unit.split() if _LINK.match(word)), None) if level == 3 else None
    if link:  # cutting this unit into characters would cut the link
        raise SplitError(
            f"the link {link[:60]}{'…' if len(link) > 60 else ''} is longer than a whole "
            "post on this platform and cannot be split; shorten it"
        )
    if level > 3:
        raise SplitError(
            f"the post limit is too small: not even '{unit[:8]}' fits in a post "
            "(with its number); raise the limit"
        )

    pieces = _pack(unit, fits if isinstance(fits, _Continued) else _Continued(fits), level)
    # The last piece is not continued: it may hold a little more, but the
    # marker check above already guarantees it fits without one.
    return pieces
