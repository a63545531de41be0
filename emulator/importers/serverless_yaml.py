"""Reading serverless.yml and the files it includes with `${file(...)}`.

CloudFormation short tags (`!Ref`, `!GetAtt`, `!Sub`, ...) become their long forms (`{"Ref": ...}`,
`{"Fn::GetAtt": ...}`) instead of failing, because serverless.yml files use them freely in `resources:`
(the template reader's loader, cfn_yaml.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from emulator.importers.cfn_yaml import load_yaml, yaml_problem


class ServerlessFileError(ValueError):
    """The file is not a serverless.yml this importer can read (not YAML, no provider, not AWS)."""


def load_document(text: str) -> dict[str, Any]:
    """Parse serverless.yml text; ServerlessFileError (one line) when it is not YAML or not a mapping."""
    try:
        doc = load_yaml(text)
    except yaml.YAMLError as exc:
        raise ServerlessFileError(yaml_problem(exc)) from None
    if doc is None:
        raise ServerlessFileError("the file is empty")
    if not isinstance(doc, dict):
        raise ServerlessFileError(f"expected a mapping at the top level (service:, provider:, functions:), "
                                  f"got {type(doc).__name__}")
    return doc


def file_reader(base: Path) -> Callable[[str], Any]:
    """`${file(./x.yml)}` reads YAML/JSON relative to serverless.yml's folder; .js/.ts would need Node."""
    def read(name: str) -> Any:
        path = (base / name).resolve()
        if path.suffix in (".js", ".cjs", ".mjs", ".ts"):
            raise ValueError(f"{name} is JavaScript, which the importer does not run")
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            return json.loads(text)
        try:
            return load_yaml(text)
        except yaml.YAMLError as exc:  # reported as an unreadable file, like a missing one
            raise ValueError(f"{name} is not valid YAML: {exc}") from None
    return read
