"""Combining configs: several imported templates and the user's own YAML (users, passwords, handler
mappings, ports) into one. Entries of a list are matched by their name key and merged, later wins."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# The key that identifies an entry of each list (first present wins).
IDENTITY: dict[str, tuple[str, ...]] = {
    "UserPools": ("Id", "Name"),
    "Clients": ("ClientId", "ClientName"),
    "Users": ("Username",),
    "Groups": ("GroupName",),
    "ResourceServers": ("Identifier",),
    "Apis": ("Name",),
    "Routes": ("RouteKey",),
    "Authorizers": ("Name",),
}


def _identity(entry: Any, keys: tuple[str, ...]) -> Any:
    if not isinstance(entry, Mapping):
        return None
    return next(((key, entry[key]) for key in keys if key in entry), None)


def merge(base: Any, overlay: Any, key: str = "") -> Any:
    """`overlay` merged into `base`: mappings key by key, known lists entry by entry, anything else replaced."""
    if isinstance(base, Mapping) and isinstance(overlay, Mapping):
        out = dict(base)
        for k, v in overlay.items():
            out[k] = merge(base[k], v, str(k)) if k in base else v
        return out
    if isinstance(base, list) and isinstance(overlay, list) and key in IDENTITY:
        out_list = list(base)
        for entry in overlay:
            ident = _identity(entry, IDENTITY[key])
            match = next((i for i, old in enumerate(out_list)
                          if ident is not None and _identity(old, IDENTITY[key]) == ident), None)
            if match is None:
                out_list.append(entry)
            else:
                out_list[match] = merge(out_list[match], entry, key)
        return out_list
    return overlay


def merge_all(configs: list[Mapping[str, Any]]) -> dict[str, Any]:
    """All configs merged in order (the first's Region unless a later one sets it)."""
    out: dict[str, Any] = {}
    for config in configs:
        out = merge(out, config)
    return out
