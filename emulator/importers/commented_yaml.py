"""YAML text from mappings that carry their own comments: `Node`, a dict with comment lines attached to
its keys, and `render`, which writes a top-level list of them (block style, scalars and short lists in
flow style) with each comment where it belongs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml


class Node(dict):  # type: ignore[type-arg]
    """A mapping of the output that carries its YAML comments.

    `above[key]`: comment lines written above `key` (`above[None]`: above the mapping itself, i.e.
    above its `- ` in a list); `inline[key]`: a comment at the end of `key`'s line. A dict subclass so
    that it compares equal to plain dicts in tests and validates as one.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.above: dict[str | None, list[str]] = {}
        self.inline: dict[str, str] = {}

    def note(self, key: str | None, text: str) -> None:
        lines = self.above.setdefault(key, [])
        if text not in lines:
            lines.append(text)


def _flow(value: Any) -> str:
    """A scalar, or a list or mapping written on one line."""
    text = yaml.safe_dump(value, default_flow_style=True, width=10**9, allow_unicode=True)
    return text.removesuffix("\n...\n").rstrip("\n")


def _comment(text: str) -> str:
    return "# " + " ".join(text.split())


def _mapping_lines(data: Mapping[str, Any], indent: int, item: bool) -> list[str]:
    """YAML lines for a mapping; `item`: it is a list item (`- ` before its first key)."""
    above = getattr(data, "above", {})
    inline = getattr(data, "inline", {})
    pad = " " * indent
    key_pad = " " * (indent + 2) if item else pad
    lines = [pad + _comment(text) for text in above.get(None, [])]
    for position, (key, value) in enumerate(data.items()):
        first = item and position == 0
        lines.extend((pad if first else key_pad) + _comment(text) for text in above.get(key, []))
        head = f"{pad}- {key}:" if first else f"{key_pad}{key}:"
        child = indent + 2 if item else indent
        if isinstance(value, Mapping) and value:
            lines.append(head)
            lines.extend(_mapping_lines(value, child + 2, item=False))
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            lines.append(head)
            for entry in value:
                lines.extend(_mapping_lines(entry, child + 2, item=True))
        else:
            lines.append(f"{head} {_flow(value)}")
        if key in inline:
            lines[-1] += "  " + _comment(inline[key])
    return lines


def render(key: str, items: list[Node], header: list[str] | None = None) -> str:
    """`key:` and its list of mappings as YAML text, the header's lines and every Node's comments included."""
    lines = [_comment(text) for text in header or []]
    if not items:
        return "\n".join([*lines, f"{key}: []", ""])
    lines.append(f"{key}:")
    for item in items:
        lines.extend(_mapping_lines(item, 2, item=True))
    return "\n".join(lines) + "\n"
