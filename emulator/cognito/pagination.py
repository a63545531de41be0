"""Pagination of List operations: opaque NextToken/PaginationToken strings that carry the key of the last item
returned and what was asked, so a token is refused for another listing (another pool, group or filter)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from emulator.cognito.errors import reject
from emulator.encoding import b64url, b64url_decode

DEFAULT_LIMIT = 60


def page_token(after: str, query: str = "") -> str:
    """An opaque continuation token: the key of the last item returned (and what was asked)."""
    return b64url(json.dumps({"after": after, "q": query}).encode())


def page_start(token: str | None, query: str = "") -> str | None:
    """The key to continue after, from a token page_token made; AWS's error for anything else."""
    if not token:
        return None
    try:
        data = json.loads(b64url_decode(token))
        after, asked = data["after"], data.get("q", "")
    except (ValueError, TypeError, KeyError):
        raise reject("pagination_token_invalid", "the pagination token was not issued by this emulator") from None
    if not isinstance(after, str) or asked != query:
        raise reject("pagination_token_invalid", "the pagination token belongs to a different listing "
                                                 "(another pool, group or filter)")
    return after


def page(keyed: list[tuple[str, Any]], token: str | None, limit: int | None,
         query: str = "") -> tuple[list[Any], str | None]:
    """One page of (key, item) pairs sorted by key, and the token for the next page (None at the end)."""
    size = limit or DEFAULT_LIMIT  # Limit 0 means the default (UNCONFIRMED)
    after = page_start(token, query)
    remaining = [(k, v) for k, v in sorted(keyed, key=lambda kv: kv[0]) if after is None or k > after]
    chosen = remaining[:size]
    more = len(remaining) > size
    return [v for _, v in chosen], (page_token(chosen[-1][0], query) if more and chosen else None)


def read_page(fetch: Callable[[str | None, int], list[tuple[str, Any]]], token: str | None, limit: int | None,
              query: str = "") -> tuple[list[Any], str | None]:
    """One page read by `fetch(after, n)`: at most n (cursor, item) pairs after a cursor, in the store's stable
    order (an index), so a listing never loads what it does not return; and the token for the next page."""
    size = limit or DEFAULT_LIMIT
    rows = fetch(page_start(token, query), size + 1)
    chosen = rows[:size]
    return [v for _, v in chosen], (page_token(chosen[-1][0], query) if len(rows) > size and chosen else None)
