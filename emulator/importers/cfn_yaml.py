"""Reading a CloudFormation template (JSON or YAML; serverless.yml too) into plain values; the short tags
(`!Ref`, `!GetAtt`, `!Sub`, `!If`, ...) become their long forms so that one resolver handles both."""

from __future__ import annotations

import json
from typing import Any

import yaml

from emulator.importers.cfn_errors import TemplateError


class _TemplateLoader(yaml.SafeLoader):
    """SafeLoader reading `!Ref X` as `{"Ref": "X"}`, `!GetAtt A.B` as `{"Fn::GetAtt": ["A", "B"]}`, ..."""


def _construct_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if suffix in ("Ref", "Condition"):
        return {suffix: value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)  # `!GetAtt Pool.Arn` is `Fn::GetAtt: [Pool, Arn]`
    return {f"Fn::{suffix}": value}


_TemplateLoader.add_multi_constructor("!", _construct_tag)
# CloudFormation reads dates and times as strings (`Version: 2012-10-17` stays a string).
_TemplateLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text: str) -> Any:
    """YAML with CloudFormation's short tags; a SafeLoader subclass, so no arbitrary objects."""
    return yaml.load(text, Loader=_TemplateLoader)


def yaml_problem(exc: yaml.YAMLError) -> str:
    """One line saying where and why a YAML text does not parse."""
    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    problem = " ".join(str(getattr(exc, "problem", None) or exc).split())
    return f"not valid YAML{where}: {problem}"


def load_template(text: str) -> dict[str, Any]:
    """Parse template text; TemplateError (one line) when it is neither JSON nor YAML, or not a mapping."""
    try:
        doc = json.loads(text) if text.lstrip().startswith("{") else load_yaml(text)
    except json.JSONDecodeError as exc:
        raise TemplateError(f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except yaml.YAMLError as exc:
        raise TemplateError(yaml_problem(exc)) from None
    if not isinstance(doc, dict):
        raise TemplateError(f"expected a mapping at the top level (Resources:, ...), got {type(doc).__name__}")
    return doc
