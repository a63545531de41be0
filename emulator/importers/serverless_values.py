"""Plain values of a serverless.yml read the way Serverless reads them: strings as JavaScript writes
them, `a.b.0` addresses, one-or-many lists, methods, payload versions, TTLs and URLs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit


def stringify(value: Any) -> str:
    """A value interpolated into a string, as JavaScript's String() writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


def lookup(data: Any, address: str) -> tuple[bool, Any]:
    """Walk `a.b.0.c` through mappings and lists; (False, None) when absent."""
    node = data
    for part in (address.split(".") if address else []):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False, None
    return True, node


def as_list(value: Any) -> list[Any]:
    """A setting that takes one value or a list of them, as a list (None: empty)."""
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def strings(value: Any) -> list[str]:
    """A one-or-many setting (`identitySource`, `allowedHeaders`) as a list of strings."""
    return [stringify(item) for item in as_list(value)]


def dedupe(items: list[Any]) -> list[Any]:
    """The items without repeats, first occurrence kept."""
    return list(dict.fromkeys(items))


def route_method(value: Any) -> str:
    """An event's method as API Gateway writes it: upper case, `*` as ANY."""
    method = stringify(value).upper()
    return "ANY" if method == "*" else method


def payload_version(value: Any, default: str) -> str:
    """`2`, `2.0` or `'2.0'` -> '2.0' (YAML reads an unquoted 2.0 as a number)."""
    if value is None:
        return default
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{float(value):.1f}"
    return str(value)


def ttl(value: Any) -> int | None:
    """A number of seconds, or None when the value is not one."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def is_url(text: str) -> bool:
    """True for an http(s) URL with a host (and, if any, a valid port)."""
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - a bad port only raises when read
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def name_value_pairs(values: list[str], option: str, expected: str = "NAME=VALUE") -> dict[str, str]:
    """`--set`/`--parameter`/`--id` values as a mapping; `${NAME}` is accepted as printed. ValueError says which."""
    out: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        name = name.strip()
        if name.startswith("${") and name.endswith("}"):
            name = name[2:-1]
        if not sep or not name:
            raise ValueError(f"{option} {item!r}: expected {expected}")
        out[name] = value
    return out
