"""botocore's string patterns, matched in time linear in the value's length.

Python's `re` backtracks, and it holds the GIL while it does: one pattern with two overlapping
unbounded repeats (`X+@X+` where X contains `@`) turns a 32 KB value into seconds during which no
port answers. Every model pattern is therefore one of three kinds, decided once per pattern:

- at most one unbounded repeat, of a single character: backtracking is bounded by the value's
  length times the pattern's;
- several unbounded repeats, reviewed: each is followed by a separator it cannot match, so a
  failed attempt never rescans (REVIEWED_LINEAR, with the reason);
- several overlapping unbounded repeats: matched by an equivalent linear check (REWRITTEN).

A pattern of none of these kinds (a future botocore's) is matched only on values of at most
UNREVIEWED_LIMIT characters and otherwise fails closed; tests/test_hostile_patterns.py keeps the
model's patterns all classified, and each rewrite equal to its regular expression.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

# botocore's patterns use Java's \p{..} classes, which Python's re lacks. LMSNP (letters, marks,
# symbols, numbers, punctuation) is everything printable but separators; Z is the separators.
_LMSNP = "!-~\u00a1-\ud7ff\ue000-\U0010ffff"
_Z = " \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"

UNREVIEWED_LIMIT = 1024  # n² steps stay in the low milliseconds below this


def translated(pattern: str) -> str:
    """The pattern in Python's syntax (Java's Unicode classes spelled out)."""
    return pattern.replace(r"\p{L}\p{M}\p{S}\p{N}\p{P}", _LMSNP).replace(r"\p{Z}", _Z)


@functools.cache
def compiled(pattern: str) -> re.Pattern[str] | None:
    """The pattern compiled as the emulator has always read it (DOTALL), or None if Python cannot."""
    try:
        return re.compile(translated(pattern), re.DOTALL)
    except re.error:
        return None


def unbounded_repeats(pattern: str) -> tuple[int, bool]:
    """How many `*`, `+` and `{n,}` quantifiers the pattern has outside character classes, and whether
    one of them repeats a group (whose alternatives can make backtracking exponential)."""
    count, repeats_group = 0, False
    i, in_class, previous = 0, False, ""
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i, previous = i + 2, "atom"
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class, previous = True, "atom"
            if pattern[i + 1:i + 2] == "]":  # a leading ] is a literal in the class
                i += 1
        elif char in "*+" or (char == "{" and re.match(r"\{\d+,\}", pattern[i:])):
            count += 1
            repeats_group = repeats_group or previous == "group"
        else:
            previous = "group" if char == ")" else "atom"
        i += 1
    return count, repeats_group


def _all_in(char_class: str, value: str) -> bool:
    regex = compiled(char_class + "*")
    return regex is not None and regex.fullmatch(value) is not None


@dataclass(frozen=True)
class Around:
    """`C{min_before,} needle C{min_after,}` where C also matches the needle's characters: the value is all
    C, and the needle occurs with enough room on either side."""

    char_class: str
    needle: str
    min_before: int = 0
    min_after: int = 0

    def __call__(self, value: str) -> bool:
        if not _all_in(self.char_class, value):
            return False
        # The first occurrence far enough from the start leaves the most room after it.
        at = value.find(self.needle, self.min_before)
        return at >= 0 and at + len(self.needle) <= len(value) - self.min_after


@dataclass(frozen=True)
class Between:
    """`C* opening C* closing C*` where C also matches both markers: the value is all C, and a closing
    marker starts at or after the end of the first opening one."""

    char_class: str
    opening: str
    closing: str

    def __call__(self, value: str) -> bool:
        if not _all_in(self.char_class, value):
            return False
        start = value.find(self.opening)
        return start >= 0 and value.find(self.closing, start + len(self.opening)) >= 0


_MESSAGE = r"[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]"
_PRINTABLE = r"[\p{L}\p{M}\p{S}\p{N}\p{P}]"

# Patterns whose repeats overlap, with a linear equivalent each.
REWRITTEN: dict[str, Callable[[str], bool]] = {
    # EmailAddressType (no length limit): `X+@X+`, and X contains `@`.
    _PRINTABLE + "+@" + _PRINTABLE + "+": Around(_PRINTABLE, "@", 1, 1),
    # EmailVerificationMessageType, EmailMfaMessageType (up to 20,000 characters).
    _MESSAGE + r"*\{####\}" + _MESSAGE + "*": Around(_MESSAGE, "{####}"),
    # EmailVerificationMessageByLinkType: `{##...##}` somewhere in a message.
    _MESSAGE + r"*\{##" + _MESSAGE + r"*##\}" + _MESSAGE + "*": Between(_MESSAGE, "{##", "##}"),
    # SmsVerificationMessageType: `.` matches anything here (DOTALL).
    r".*\{####\}.*": Around("(?s:.)", "{####}"),
}

# Patterns with several unbounded repeats that backtrack linearly, and why.
REVIEWED_LINEAR: dict[str, str] = {
    r"[\w-]+_[0-9a-zA-Z]+": "the second repeat cannot match '_', so each '_' is tried once",
    r"[\w-]+_[0-9a-f-]+": "the second repeat cannot match '_', so each '_' is tried once",
    r"arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?":
        "':' separates every repeat and none matches ':'",
    r"(arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?)?":
        "':' separates every repeat and none matches ':'",
    r"arn:[\w+=/,.@-]+:[\w+=/,.@-]+:::[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?":
        "':' separates every repeat and none matches ':'",
    r"^arn\:(aws|aws-us-gov|aws-eusc)\:secretsmanager\:([\d\w\-]+):(\d{12})\:secret\/[\w+=\/,.@\-]+$":
        "':' ends the first repeat, which cannot match ':'",
}


def kind(pattern: str) -> str:
    """'rewritten', 'reviewed', 'simple' (at most one unbounded repeat, of one character) or 'unreviewed'."""
    if pattern in REWRITTEN:
        return "rewritten"
    if pattern in REVIEWED_LINEAR:
        return "reviewed"
    count, repeats_group = unbounded_repeats(pattern)
    return "simple" if count <= 1 and not repeats_group else "unreviewed"


def matches(pattern: str, value: str) -> bool | None:
    """Whether `value` matches the whole pattern; None when the pattern cannot be read in Python."""
    rewrite = REWRITTEN.get(pattern)
    if rewrite is not None:
        return rewrite(value)
    regex = compiled(pattern)
    if regex is None:
        return None
    if kind(pattern) == "unreviewed" and len(value) > UNREVIEWED_LIMIT:
        return False  # fail closed rather than risk a super-linear match on a pattern nobody classified
    return regex.fullmatch(value) is not None
