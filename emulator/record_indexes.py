"""What the store indexes of a record, by kind: the (field, value) pairs written to its `record_index` table, so
users are found by sub, e-mail or phone and refresh tokens by user or sign-in without reading a pool's records.

Pure functions over a record's data; state.py keeps the index rows in step with the records."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from emulator.cognito.list_users_filter import CASE_INSENSITIVE, searchable_values

# Sign-in names compared without case (a case-insensitive pool; e-mails always): indexed lower-cased under
# FOLDED + the attribute's name, beside the value as written.
FOLDED = "~"
SIGN_IN_ATTRIBUTES = ("email", "phone_number", "preferred_username")
SUB = "sub"
REFRESH_BY_USER = "user"
REFRESH_HELD_BY = "holder"
REFRESH_BY_ORIGIN = "origin"
MEMBER = "username"
GROUP = "group"


def folded(attribute: str) -> str:
    """The index field of an attribute's lower-cased values."""
    return FOLDED + attribute


def user_fields(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A user's ListUsers-searchable values (as written; the case-insensitive ones lower-cased), its sub, and its
    sign-in attributes lower-cased."""
    values = searchable_values(data["username"], data["status"], data.get("enabled", True), data["attributes"])
    pairs = [(name, value.lower() if name in CASE_INSENSITIVE else value) for name, value in values.items()]
    pairs.append((SUB, data["sub"]))
    attributes = data["attributes"]
    pairs += [(folded(name), attributes[name].lower()) for name in SIGN_IN_ATTRIBUTES if attributes.get(name)]
    return list(dict.fromkeys(pairs))


def refresh_fields(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A refresh token's user (every token they were issued), its holder while it is not revoked (GlobalSignOut
    reads only those), and the sign-in it continues (origin_jti)."""
    held = [] if data.get("revoked") else [(REFRESH_HELD_BY, data["username"])]
    return [(REFRESH_BY_USER, data["username"]), *held, (REFRESH_BY_ORIGIN, data["origin_jti"])]


def membership_fields(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A group membership's user (the groups a token lists) and group (ListUsersInGroup)."""
    return [(MEMBER, data["username"]), (GROUP, data["group"])]


# Kind value -> its indexer; kinds not listed have no index rows.
INDEXERS: dict[str, Callable[[Mapping[str, Any]], list[tuple[str, str]]]] = {
    "user": user_fields,
    "refresh": refresh_fields,
    "membership": membership_fields,
}


def index_rows(kind: str, scope: str, key: str, data: Any) -> list[tuple[str, str, str, str, str]]:
    """The record_index rows of one record (none for a kind without an indexer)."""
    indexer = INDEXERS.get(kind)
    if indexer is None or not isinstance(data, Mapping):
        return []
    return [(kind, scope, field, value, key) for field, value in indexer(data)]
