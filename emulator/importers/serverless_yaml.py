"""Reading serverless.yml and the files it includes with `${file(...)}`.

CloudFormation short tags (`!Ref`, `!GetAtt`, `!Sub`, ...) become their long forms (`{"Ref": ...}`,
`{"Fn::GetAtt": ...}`) instead of failing, because serverless.yml files use them freely in `resources:`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml


class ServerlessFileError(ValueError):
    """The file is not a serverless.yml this importer can read (not YAML, no provider, not AWS)."""


class _ServerlessLoader(yaml.SafeLoader):
    """SafeLoader that reads `!Ref X`, `!GetAtt A.B`, `!Sub ...`, ... as CloudFormation's long forms."""


def _construct_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if suffix == "Ref" or suffix == "Condition":
        return {suffix: value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)  # `!GetAtt Pool.Arn` is `Fn::GetAtt: [Pool, Arn]`
    return {f"Fn::{suffix}": value}


_ServerlessLoader.add_multi_constructor("!", _construct_tag)


def _load(text: str) -> Any:
    return yaml.load(text, Loader=_ServerlessLoader)  # a SafeLoader subclass: no arbitrary objects


def load_document(text: str) -> dict[str, Any]:
    """Parse serverless.yml text; ServerlessFileError (one line) when it is not YAML or not a mapping."""
    try:
        doc = _load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = " ".join(str(getattr(exc, "problem", None) or exc).split())
        raise ServerlessFileError(f"not valid YAML{where}: {problem}") from None
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
            return _load(text)
        except yaml.YAMLError as exc:  # reported as an unreadable file, like a missing one
            raise ValueError(f"{name} is not valid YAML: {exc}") from None
    return read
