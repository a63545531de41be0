"""CloudFormation's intrinsic functions, evaluated offline over plain values.

`resolve(value, scope)` evaluates `Ref`, `Fn::GetAtt`, `Fn::Sub` (both forms), `Fn::Join`, `Fn::Select`,
`Fn::Split`, `Fn::If`, `Fn::FindInMap`, `Fn::ImportValue`, `Fn::Base64`, `Fn::GetAZs`, `Condition` and the
`{{resolve:ssm:...}}` dynamic references; `condition(name, scope)` evaluates `Fn::Equals/And/Or/Not`.
What cannot be known offline raises Unresolved, whose `key` is what `--set` supplies:
`ssm:/path`, `ImportValue:Name`, `secretsmanager:...`.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from emulator.importers.cfn_errors import Unresolved


class _NoValue:
    """`AWS::NoValue`: the property (or list item) it stands for is removed."""

    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()
_SUB_VARIABLE = re.compile(r"\$\{(!?)([^}]*)\}")
_DYNAMIC = re.compile(r"\{\{resolve:([a-z-]+):([^}]*)\}\}")
CONDITION_FUNCTIONS = ("Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Condition")


def _no_attribute(logical_id: str, attribute: str) -> Any:
    raise Unresolved(f"Fn::GetAtt {logical_id}.{attribute} is not known offline")


@dataclass
class Scope:
    """What names mean while resolving.

    `parameters`: parameter and pseudo-parameter values (`AWS::Region`, ...); `refs`: logical id -> the
    resource's Ref value; `attribute(logical_id, name)` -> a Fn::GetAtt value or Unresolved;
    `conditions`: the template's Conditions section (evaluated lazily, memoised in `decided`);
    `mappings`: its Mappings; `outside`: `--set` values by key (`ssm:/x`, `ImportValue:Name`).
    """

    parameters: Mapping[str, Any] = field(default_factory=dict)
    refs: Mapping[str, str] = field(default_factory=dict)
    attribute: Callable[[str, str], Any] = _no_attribute
    conditions: Mapping[str, Any] = field(default_factory=dict)
    mappings: Mapping[str, Any] = field(default_factory=dict)
    outside: Mapping[str, str] = field(default_factory=dict)
    missing_parameters: Mapping[str, str] = field(default_factory=dict)  # name -> why it has no value
    decided: dict[str, bool] = field(default_factory=dict)


def resolve(value: Any, scope: Scope) -> Any:
    """`value` with every intrinsic function evaluated; NO_VALUE entries removed from mappings and lists."""
    if isinstance(value, Mapping):
        if len(value) == 1:
            (key, argument), = value.items()
            if key == "Ref" or (isinstance(key, str) and key.startswith("Fn::")):
                return _function(str(key), argument, scope)
        out = {}
        for key, item in value.items():
            resolved = resolve(item, scope)
            if resolved is not NO_VALUE:
                out[key] = resolved
        return out
    if isinstance(value, list):
        return [r for r in (resolve(item, scope) for item in value) if r is not NO_VALUE]
    if isinstance(value, str) and "{{resolve:" in value:
        return _DYNAMIC.sub(lambda m: _dynamic(m[1], m[2], scope), value)
    return value


def _function(name: str, argument: Any, scope: Scope) -> Any:
    handler = _FUNCTIONS.get(name)
    if handler is None:
        raise Unresolved(f"{name} is not evaluated by the importer")
    return handler(argument, scope)


def _text(value: Any, what: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise Unresolved(f"{what} needs a string, got {type(value).__name__}")


def ref(name: Any, scope: Scope) -> Any:
    """`Ref`: a parameter's value, a pseudo parameter, or a resource's physical id."""
    name = _text(resolve(name, scope), "Ref")
    if name == "AWS::NoValue":
        return NO_VALUE
    if name in scope.parameters:
        return scope.parameters[name]
    if name in scope.refs:
        return scope.refs[name]
    if name in scope.missing_parameters:
        raise Unresolved(f"{scope.missing_parameters[name]}; pass --parameter {name}=<value>")
    raise Unresolved(f"Ref {name} names no parameter or resource of the template (a dangling Ref)")


def _get_att(argument: Any, scope: Scope) -> Any:
    if isinstance(argument, str):
        argument = argument.split(".", 1)
    if not isinstance(argument, list) or len(argument) != 2:
        raise Unresolved(f"Fn::GetAtt takes [LogicalId, Attribute], got {argument!r}")
    logical_id, attribute = (_text(resolve(a, scope), "Fn::GetAtt") for a in argument)
    if logical_id not in scope.refs:
        raise Unresolved(f"Fn::GetAtt names {logical_id}, which is not a resource of the template")
    return scope.attribute(logical_id, attribute)


def _sub(argument: Any, scope: Scope) -> str:
    if isinstance(argument, list):
        if len(argument) != 2 or not isinstance(argument[1], Mapping):
            raise Unresolved("Fn::Sub takes a string or [string, {Name: value}]")
        template, local = argument[0], {k: resolve(v, scope) for k, v in argument[1].items()}
    else:
        template, local = argument, {}
    if not isinstance(template, str):
        raise Unresolved("Fn::Sub's template must be a string")

    def variable(match: re.Match[str]) -> str:
        if match[1]:  # `${!Literal}` writes `${Literal}`
            return "${" + match[2] + "}"
        name = match[2].strip()
        if name in local:
            return _text(local[name], f"Fn::Sub ${{{name}}}")
        if "." in name:
            logical_id, attribute = name.split(".", 1)
            return _text(_get_att([logical_id, attribute], scope), f"Fn::Sub ${{{name}}}")
        return _text(ref(name, scope), f"Fn::Sub ${{{name}}}")

    return resolve(_SUB_VARIABLE.sub(variable, template), scope)


def _join(argument: Any, scope: Scope) -> str:
    if not isinstance(argument, list) or len(argument) != 2:
        raise Unresolved("Fn::Join takes [delimiter, [values]]")
    delimiter, items = _text(resolve(argument[0], scope), "Fn::Join"), resolve(argument[1], scope)
    if not isinstance(items, list):
        raise Unresolved("Fn::Join needs a list of values")
    return delimiter.join(_text(item, "Fn::Join") for item in items)


def _select(argument: Any, scope: Scope) -> Any:
    if not isinstance(argument, list) or len(argument) != 2:
        raise Unresolved("Fn::Select takes [index, [values]]")
    index, items = resolve(argument[0], scope), resolve(argument[1], scope)
    try:
        return items[int(index)]
    except (TypeError, ValueError, IndexError, KeyError):
        raise Unresolved(f"Fn::Select index {index!r} is not in {items!r}") from None


def _split(argument: Any, scope: Scope) -> list[str]:
    if not isinstance(argument, list) or len(argument) != 2:
        raise Unresolved("Fn::Split takes [delimiter, string]")
    delimiter, text = (_text(resolve(a, scope), "Fn::Split") for a in argument)
    return text.split(delimiter)


def _if(argument: Any, scope: Scope) -> Any:
    if not isinstance(argument, list) or len(argument) != 3:
        raise Unresolved("Fn::If takes [condition, value if true, value if false]")
    return resolve(argument[1] if condition(argument[0], scope) else argument[2], scope)


def _find_in_map(argument: Any, scope: Scope) -> Any:
    if not isinstance(argument, list) or len(argument) not in (3, 4):
        raise Unresolved("Fn::FindInMap takes [map, top-level key, second-level key]")
    names = [_text(resolve(a, scope), "Fn::FindInMap") for a in argument[:3]]
    node: Any = scope.mappings
    for name in names:
        if not isinstance(node, Mapping) or name not in node:
            if len(argument) == 4 and isinstance(argument[3], Mapping) and "DefaultValue" in argument[3]:
                return resolve(argument[3]["DefaultValue"], scope)
            raise Unresolved(f"Fn::FindInMap {'/'.join(names)} is not in Mappings")
        node = node[name]
    return node


def _import_value(argument: Any, scope: Scope) -> Any:
    name = _text(resolve(argument, scope), "Fn::ImportValue")
    key = f"ImportValue:{name}"
    if key in scope.outside:
        return scope.outside[key]
    raise Unresolved(f"Fn::ImportValue {name} is another stack's export, not known offline", key)


def _dynamic(service: str, reference: str, scope: Scope) -> str:
    """`{{resolve:ssm:/path}}` (`:version` allowed), `{{resolve:secretsmanager:...}}` from --set."""
    name = reference
    if service == "ssm" and re.search(r":\d+$", reference):
        name = reference.rsplit(":", 1)[0]
    key = f"{service}:{name}"
    if key in scope.outside:
        return scope.outside[key]
    raise Unresolved(f"{{{{resolve:{service}:{reference}}}}} is read from AWS at deploy time, not known offline",
                     key)


def condition(argument: Any, scope: Scope) -> bool:
    """A condition by name (memoised) or a condition function's value."""
    if isinstance(argument, str):
        if argument not in scope.decided:
            if argument not in scope.conditions:
                raise Unresolved(f"condition {argument} is not in the template's Conditions")
            scope.decided[argument] = condition(scope.conditions[argument], scope)
        return scope.decided[argument]
    if isinstance(argument, Mapping) and len(argument) == 1:
        (name, value), = argument.items()
        if name == "Condition":
            return condition(value, scope)
        if name == "Fn::Equals" and isinstance(value, list) and len(value) == 2:
            left, right = (resolve(v, scope) for v in value)
            return _text(left, "Fn::Equals") == _text(right, "Fn::Equals")
        if name == "Fn::Not" and isinstance(value, list) and len(value) == 1:
            return not condition(value[0], scope)
        if name in ("Fn::And", "Fn::Or") and isinstance(value, list):
            results = [condition(v, scope) for v in value]
            return all(results) if name == "Fn::And" else any(results)
    raise Unresolved(f"{argument!r} is not a condition ({', '.join(CONDITION_FUNCTIONS)})")


_FUNCTIONS: dict[str, Callable[[Any, Scope], Any]] = {
    "Ref": ref,
    "Fn::GetAtt": _get_att,
    "Fn::Sub": _sub,
    "Fn::Join": _join,
    "Fn::Select": _select,
    "Fn::Split": _split,
    "Fn::If": _if,
    "Fn::FindInMap": _find_in_map,
    "Fn::ImportValue": _import_value,
    "Fn::Base64": lambda argument, scope: base64.b64encode(
        _text(resolve(argument, scope), "Fn::Base64").encode()).decode(),
    "Fn::GetAZs": lambda argument, scope: [f"{scope.parameters.get('AWS::Region', 'us-east-1')}{z}" for z in "abc"],
    "Fn::Equals": lambda argument, scope: condition({"Fn::Equals": argument}, scope),
    "Fn::And": lambda argument, scope: condition({"Fn::And": argument}, scope),
    "Fn::Or": lambda argument, scope: condition({"Fn::Or": argument}, scope),
    "Fn::Not": lambda argument, scope: condition({"Fn::Not": argument}, scope),
}
