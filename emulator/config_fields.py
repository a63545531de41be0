"""Typed reads from the parsed YAML, each failure naming the key path and the reason."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any


class ConfigError(ValueError):
    """A config problem at one key path, e.g. `UserPools[0].Clients[1].ExplicitAuthFlows`."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def join(path: str, key: str) -> str:
    """`path.key`, or just `key` at the top level (path "")."""
    return f"{path}.{key}" if path else key


def type_name(value: Any) -> str:
    """The YAML-facing name of a value's type, for error messages."""
    if value is None:
        return "null"
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "list", dict: "mapping"}.get(
        type(value), type(value).__name__
    )


def mapping(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(path, f"expected a mapping, got {type_name(value)}")
    return value


def only_keys(data: Mapping[str, Any], allowed: Iterable[str], path: str) -> None:
    """Refuse unknown keys, suggesting the closest known one (a typo should not be silently ignored)."""
    import difflib

    allowed = list(allowed)
    for key in data:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f"; did you mean {close[0]}?" if close else f"; known keys: {', '.join(allowed)}"
            raise ConfigError(join(path, key), f"unknown key{hint}")


def _value(data: Mapping[str, Any], key: str, default: Any) -> Any:
    """The key's value; an explicit YAML null (`Key:` with nothing after it) counts as absent."""
    value = data.get(key)
    return default if value is None else value


def string(data: Mapping[str, Any], key: str, path: str, default: str | None = None,
           required: bool = False) -> str | None:
    value = _value(data, key, default)
    if value is None:
        if required:
            raise ConfigError(join(path, key), "is required")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ConfigError(join(path, key), f"expected a string, got {type_name(value)}")
    return str(value)


def boolean(data: Mapping[str, Any], key: str, path: str, default: bool) -> bool:
    value = _value(data, key, default)
    if not isinstance(value, bool):
        raise ConfigError(join(path, key), f"expected true or false, got {type_name(value)}")
    return value


def integer(data: Mapping[str, Any], key: str, path: str, default: int | None = None,
            minimum: int | None = None, maximum: int | None = None) -> int | None:
    value = _value(data, key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(join(path, key), f"expected an integer, got {type_name(value)}")
    if minimum is not None and value < minimum:
        raise ConfigError(join(path, key), f"must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ConfigError(join(path, key), f"must be at most {maximum}, got {value}")
    return value


def string_list(data: Mapping[str, Any], key: str, path: str) -> tuple[str, ...] | None:
    """A list of strings; a single string is accepted as a one-item list. None when absent."""
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list):
        raise ConfigError(join(path, key), f"expected a list of strings, got {type_name(value)}")
    for i, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            raise ConfigError(f"{join(path, key)}[{i}]", f"expected a string, got {type_name(item)}")
    return tuple(str(item) for item in value)


def mapping_list(data: Mapping[str, Any], key: str, path: str) -> list[tuple[str, Mapping[str, Any]]]:
    """A list of mappings, each paired with its key path."""
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ConfigError(join(path, key), f"expected a list, got {type_name(value)}")
    return [(f"{join(path, key)}[{i}]", mapping(item, f"{join(path, key)}[{i}]")) for i, item in enumerate(value)]


LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
ALNUM = LOWER_ALNUM + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def stable_token(seed: str, length: int, alphabet: str) -> str:
    """A deterministic id from a name, so a pool or client without an explicit id keeps it across restarts."""
    digest = int.from_bytes(hashlib.sha256(seed.encode()).digest(), "big")
    out = []
    for _ in range(length):
        digest, i = divmod(digest, len(alphabet))
        out.append(alphabet[i])
    return "".join(out)
