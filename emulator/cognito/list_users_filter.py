"""ListUsers' Filter: `AttributeName = "value"` (exact) or `AttributeName ^= "value"` (starts with).
A pure parser and evaluator; the texts of its errors are AWS's (see errors.py)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

# The attributes AWS lets ListUsers search (service-2.json ListUsersRequest.Filter). Custom attributes
# are not searchable. Only the two statuses are documented as case-insensitive / case-sensitive; the
# others are matched exactly (UNCONFIRMED).
SEARCHABLE = ("username", "email", "phone_number", "name", "given_name", "family_name", "preferred_username",
              "cognito:user_status", "status", "sub")
CASE_INSENSITIVE = frozenset({"cognito:user_status"})

_HEAD = re.compile(r"\s*(?P<name>[\w:.-]+)\s*(?P<op>\^=|=)\s*\"")


@dataclass(frozen=True)
class UserFilter:
    attribute: str
    prefix: bool  # ^= (starts with) rather than = (exact)
    value: str


class FilterError(ValueError):
    """A filter AWS refuses: `key` names the ERRORS entry, `reason` says why in plain words."""

    def __init__(self, key: str, reason: str, name: str = "") -> None:
        super().__init__(reason)
        self.key = key
        self.reason = reason
        self.name = name


def parse_filter(text: str | None) -> UserFilter | None:
    """The filter in `text`, None for an empty one (all users); FilterError when AWS would refuse it."""
    if text is None or not text.strip():
        return None
    head = _HEAD.match(text)
    if head is None:
        raise FilterError("filter_unparsable", f"filter {text!r} is not of the form attribute = \"value\" or "
                                               "attribute ^= \"value\" (the value in double quotes)")
    value, end = _quoted(text, head.end())
    if value is None:
        raise FilterError("filter_unparsable", f"filter {text!r} has no closing double quote")
    if text[end:].strip():
        raise FilterError("filter_unparsable", f"filter {text!r} has {text[end:].strip()!r} after the value; "
                                               "ListUsers searches one attribute at a time")
    name = head.group("name")
    if name not in SEARCHABLE:
        raise FilterError("filter_attribute", f"'{name}' cannot be searched; ListUsers searches only "
                                              f"{', '.join(SEARCHABLE)}", name=name)
    return UserFilter(name, head.group("op") == "^=", value)


def _quoted(text: str, start: int) -> tuple[str | None, int]:
    """The value of a double-quoted string starting at `start` (after its opening quote), and the index
    after its closing quote; backslash escapes the next character."""
    out: list[str] = []
    i = start
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        if char == '"':
            return "".join(out), i + 1
        out.append(char)
        i += 1
    return None, i


def searchable_values(username: str, status: str, enabled: bool, attributes: Mapping[str, str]) -> dict[str, str]:
    """What each searchable name refers to for one user."""
    values = {name: attributes[name] for name in SEARCHABLE if name in attributes}
    values.update({"username": username, "cognito:user_status": status,
                   "status": "Enabled" if enabled else "Disabled"})
    return values


def matches(user_filter: UserFilter | None, values: Mapping[str, str]) -> bool:
    """Whether a user (its searchable_values) passes the filter."""
    if user_filter is None:
        return True
    actual = values.get(user_filter.attribute)
    if actual is None:
        return False
    wanted = user_filter.value
    if user_filter.attribute in CASE_INSENSITIVE:
        actual, wanted = actual.lower(), wanted.lower()
    return actual.startswith(wanted) if user_filter.prefix else actual == wanted
