"""The config file's YAML, read by libyaml when PyYAML was built with it."""

from __future__ import annotations

from typing import Any

import yaml


def read_yaml(text: str) -> Any:
    """yaml.safe_load, by libyaml when PyYAML has it (~15x faster on the bundled config); a document libyaml
    refuses is read again by PyYAML's own parser, so the error (and its line) is the one PyYAML gives."""
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is not None:
        try:
            return yaml.load(text, Loader=loader)  # noqa: S506 - CSafeLoader is the safe loader
        except yaml.YAMLError:
            pass
    return yaml.safe_load(text)
