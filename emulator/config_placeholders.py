"""Placeholders an import left unresolved (`${ssm:/x}`, `{"Ref": "X"}`, `{{resolve:ssm:/x}}`): a config
holding one is refused, since an authorizer whose audience reads `${ssm:...}` would match nothing, or
worse, be edited into matching anything."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_VARIABLE = re.compile(r"\$\{[^}]*\}|\{\{resolve:[^}]*\}\}")


def first_placeholder(value: Any, path: str = "") -> tuple[str, str] | None:
    """(key path, placeholder text) of the first unresolved placeholder in a parsed config, else None."""
    if isinstance(value, Mapping):
        if len(value) == 1:
            (key,) = value
            if key == "Ref" or (isinstance(key, str) and key.startswith("Fn::")):
                return path or "(top level)", f"{key}: {value[key]!r}"
        for key, item in value.items():
            found = first_placeholder(item, f"{path}.{key}" if path else str(key))
            if found:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = first_placeholder(item, f"{path}[{i}]")
            if found:
                return found
    elif isinstance(value, str):
        match = _VARIABLE.search(value)
        if match:
            return path or "(top level)", match[0]
    return None
