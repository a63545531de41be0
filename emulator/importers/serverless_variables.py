"""Serverless variables, evaluated offline: `${self:...}`, `${opt:stage, 'dev'}`, `${env:X}`, `${sls:stage}`,
`${aws:region}`, `${param:X}`, `${file(x.yml):key}`, and the few CloudFormation functions an authorizer
needs (`Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`).

What cannot be known offline (`${ssm:...}`, `${cf:...}`, a pool's `Ref`) stays as a visible placeholder
such as `${ssm:/cognito/client-id/dev}`, with the reason kept beside it. `--set EXPR=VALUE` supplies any
of them (`--set 'ssm:/cognito/client-id/dev=piyopiyo'`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from emulator.importers.serverless_values import dedupe, lookup, stringify
from emulator.model import DEFAULT_REGION  # Serverless's default region too

DEFAULT_STAGE = "dev"  # Serverless's default stage

# A Serverless variable's first part: `source:address`, `source(arg)` or `source(arg):address`.
# `AWS::Region` (two colons) and `Logical.Attr` are Fn::Sub's, not Serverless's, and stay literal.
_SOURCE = re.compile(r"^(?P<source>[A-Za-z][\w-]*)(?:\((?P<arg>[^()]*)\))?(?::(?!:)(?P<address>.*))?$", re.S)
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
# How an unresolved `Ref: X` is written: `${Ref:X}`, which is also the name --set takes for it.
_REF = "Ref:"


@dataclass(frozen=True)
class VariableSources:
    """Where variables get their values offline.

    `options`: CLI options for `${opt:...}` (`stage`, `region`); `env`: for `${env:...}`; `overrides`:
    `--set` values keyed by the expression inside `${}` (`ssm:/cognito/client-id/dev`,
    `Ref:UserPool`, `opt:stage`), checked before any source; `read_file`: loads `${file(path)}`
    (None: file() cannot be resolved).
    """

    options: Mapping[str, str] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)
    overrides: Mapping[str, str] = field(default_factory=dict)
    read_file: Callable[[str], Any] | None = None


@dataclass
class Resolved:
    """The document with every variable evaluated or left as a placeholder.

    `unresolved`: placeholder text (`${ssm:/cognito/client-id/dev}`) -> why it has no value;
    `warnings`: problems that matter whatever gets translated (the stage fell back to `dev`).
    """

    doc: dict[str, Any]
    unresolved: dict[str, str]
    warnings: list[str]


class _Unresolved(NamedTuple):
    reason: str


def variable_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each top-level `${...}` in text, nested `${}` and braces balanced."""
    spans: list[tuple[int, int]] = []
    i = 0
    while (start := text.find("${", i)) >= 0:
        depth, j = 0, start
        while j < len(text):
            if text.startswith("${", j):
                depth, j = depth + 1, j + 2
                continue
            if text[j] == "{":
                depth += 1
            elif text[j] == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        if j >= len(text):
            break  # unterminated: the rest is literal text
        spans.append((start, j + 1))
        i = j + 1
    return spans


def is_whole_variable(text: str) -> bool:
    """True when text is one `${...}` and nothing else."""
    return variable_spans(text) == [(0, len(text))]


def placeholders_in(text: str, unresolved: Mapping[str, str]) -> list[str]:
    """The placeholders inside text that are `unresolved`'s keys, in order."""
    return [text[a:b] for a, b in variable_spans(text) if text[a:b] in unresolved]


def ref_placeholder_target(text: str) -> str | None:
    """X when text is `${Ref:X}`, the placeholder an unresolved `Ref: X` leaves; else None."""
    prefix = "${" + _REF
    return text[len(prefix):-1] if text.startswith(prefix) and text.endswith("}") else None


def cloudformation_resource(doc: Mapping[str, Any], logical: str) -> Mapping[str, Any] | None:
    """The resource `logical` of the document's `resources.Resources`, or None when there is no such mapping."""
    found, resource = lookup(doc, f"resources.Resources.{logical}")
    return resource if found and isinstance(resource, Mapping) else None


def _split_parts(content: str) -> list[str]:
    """`opt:stage, self:custom.stage, 'dev'` -> its fallback parts; commas inside ${}, () and quotes stay."""
    parts: list[str] = []
    depth, quote, start = 0, "", 0
    for i, char in enumerate(content):
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char in "({":
            depth += 1
        elif char in ")}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(content[start:i].strip())
            start = i + 1
    parts.append(content[start:].strip())
    return parts


def _is_source(expr: str) -> re.Match[str] | None:
    match = _SOURCE.match(expr)
    if match and (match["address"] is not None or match["arg"] is not None):
        return match
    return None


def _literal(expr: str) -> tuple[bool, Any]:
    """A fallback written as a literal: 'quoted', "quoted", a number, true/false/null."""
    if len(expr) >= 2 and expr[0] == expr[-1] and expr[0] in "'\"":
        return True, expr[1:-1]
    if _NUMBER.match(expr):
        return True, float(expr) if "." in expr else int(expr)
    if expr in ("true", "false"):
        return True, expr == "true"
    if expr == "null":
        return True, None
    return False, None


class _Resolver:
    """Evaluates variables over the whole document; self-references resolve on demand, cycles are caught."""

    # What cannot be read offline, in the words of the warning: "cannot resolve ssm: parameters offline".
    OFFLINE = {"ssm": "parameters", "cf": "stack outputs", "s3": "objects", "secretsmanager": "secrets"}

    def __init__(self, doc: dict[str, Any], sources: VariableSources) -> None:
        self.doc = doc
        self.sources = sources
        self.unresolved: dict[str, str] = {}
        self.warnings: list[str] = []
        self._active: list[str] = []
        self._stage: str | None = None
        self._region: str | None = None

    def run(self) -> Resolved:
        self.stage()  # first: the stage is part of ssm paths and names everywhere else
        resolved = self.value(self.doc, "")
        return Resolved(resolved, self.unresolved, self.warnings)

    # -- stage and region: always have a value ----------------------------------------------

    def stage(self) -> str:
        if self._stage is None:
            self._stage = DEFAULT_STAGE  # provisional: provider.stage may refer to ${sls:stage}
            self._stage = self._setting("stage", "provider.stage", DEFAULT_STAGE)
        return self._stage

    def region(self) -> str:
        if self._region is None:
            self._region = DEFAULT_REGION
            self._region = self._setting("region", "provider.region", DEFAULT_REGION)
        return self._region

    def _setting(self, option: str, address: str, default: str) -> str:
        given = self.sources.overrides.get(f"opt:{option}") or self.sources.options.get(option)
        if given:
            return str(given)
        found, raw = lookup(self.doc, address)
        if not found or raw is None:
            return default
        value = self.value(raw, address, settings=False)
        if isinstance(value, str | int) and not placeholders_in(str(value), self.unresolved):
            return str(value)
        shown = stringify(value)
        why = "; ".join(self.unresolved[p] for p in placeholders_in(shown, self.unresolved)) or "not a string"
        self.warnings.append(f"{address} `{shown}`: {why}; using '{default}' "
                             f"(choose another with --{option})")
        return default

    # -- walking the document -----------------------------------------------------------------

    def value(self, node: Any, path: str, settings: bool = True) -> Any:
        if settings and path == "provider.stage":
            return self.stage()
        if settings and path == "provider.region":
            return self.region()
        if isinstance(node, dict):
            if len(node) == 1:
                key = next(iter(node))
                if key == "Ref" or (isinstance(key, str) and key.startswith("Fn::")):
                    return self.intrinsic(key, node[key], path)
            return {k: self.value(v, f"{path}.{k}" if path else str(k)) for k, v in node.items()}
        if isinstance(node, list):
            return [self.value(v, f"{path}[{i}]") for i, v in enumerate(node)]
        if isinstance(node, str):
            return self.text(node, path)
        return node

    def text(self, text: str, path: str) -> Any:
        spans = variable_spans(text)
        if not spans:
            return text
        if spans == [(0, len(text))]:
            return self.variable(text[2:-1], path)  # a whole-value variable keeps its type (list, number)
        out, last = [], 0
        for start, end in spans:
            out.append(text[last:start])
            value = self.variable(text[start + 2:end - 1], path)
            if isinstance(value, dict | list):
                value = self.placeholder(text[start + 2:end - 1],
                                         "is a mapping or a list, and cannot be part of a string")
            out.append(stringify(value))
            last = end
        out.append(text[last:])
        return "".join(out)

    def placeholder(self, inner: str, reason: str) -> str:
        text = "${" + inner + "}"
        self.unresolved.setdefault(text, reason)
        return text

    def variable(self, content: str, path: str) -> Any:
        if content in self.sources.overrides:
            return self.sources.overrides[content]
        parts = _split_parts(content)
        if not _is_source(parts[0]) and not is_whole_variable(parts[0]):
            return "${" + content + "}"  # not a Serverless variable (Fn::Sub's ${AWS::Region}): literal
        shown: list[str] = []
        reasons: list[str] = []
        for index, part in enumerate(parts):
            if part in self.sources.overrides:
                return self.sources.overrides[part]
            if is_whole_variable(part):  # a nested variable as a fallback
                value = self.text(part, path)
                if not (isinstance(value, str) and value in self.unresolved):
                    return value
                shown.append(value)
                reasons.append(self.unresolved[value])
                continue
            expr = self.text(part, path)
            if not isinstance(expr, str):
                return expr
            if expr in self.sources.overrides:
                return self.sources.overrides[expr]
            shown.append(expr)
            is_literal, literal = _literal(expr)
            if is_literal and index > 0:
                return literal
            if not _is_source(expr):
                if index > 0:
                    return expr  # a bare word as a fallback: taken literally
                reasons.append(f"{expr!r} is not a variable source")
                continue
            outcome = self.source(expr, path)
            if not isinstance(outcome, _Unresolved):
                return outcome
            reasons.append(outcome.reason)
        return self.placeholder(", ".join(shown), "; ".join(dedupe(reasons)))

    def source(self, expr: str, path: str) -> Any:
        match = _is_source(expr)
        assert match is not None
        source, arg, address = match["source"], match["arg"], match["address"]
        address = (address or "").strip()
        if source == "self":
            return self.self_ref(address)
        if source == "opt":
            value = self.sources.options.get(address)
            return _Unresolved(f"no --{address} option was given") if value is None else value
        if source == "env":
            value = self.sources.env.get(address)
            return _Unresolved(f"environment variable {address} is not set") if value is None else value
        if source == "sls":
            if address == "stage":
                return self.stage()
            return _Unresolved(f"cannot resolve sls:{address} offline")
        if source == "aws":
            if address == "region":
                return self.region()
            return _Unresolved(f"cannot resolve aws:{address} offline (it needs AWS credentials)")
        if source == "param":
            return self.param(address)
        if source == "file":
            return self.file(arg or "", address, path)
        if source == "strToBool":
            return str(arg).strip().lower() in ("true", "1")
        what = self.OFFLINE.get(source, "variables")
        return _Unresolved(f"cannot resolve {source}: {what} offline")

    def self_ref(self, address: str) -> Any:
        if address == "provider.stage":
            return self.stage()
        if address == "provider.region":
            return self.region()
        if address in self._active:
            return _Unresolved(f"self:{address} refers to itself")
        self._active.append(address)
        try:
            found, node = self._walk(address)
            if not found or node is None:
                return _Unresolved(f"self:{address} is not in the file")
            return self.value(node, address)
        finally:
            self._active.pop()

    def _walk(self, address: str) -> tuple[bool, Any]:
        """Like lookup on the document, resolving a variable met on the way (`custom: ${file(c.yml)}`)."""
        node: Any = self.doc
        walked: list[str] = []
        for part in (address.split(".") if address else []):
            if isinstance(node, str) and variable_spans(node):
                node = self.value(node, ".".join(walked))
            found, node = lookup(node, part)
            if not found:
                return False, None
            walked.append(part)
        return True, node

    def param(self, name: str) -> Any:
        # v3: params.<stage>.<name> then params.default; v4: stages.<stage>.params then stages.default.
        stage = self.stage()
        for address in (f"params.{stage}.{name}", f"params.default.{name}",
                        f"stages.{stage}.params.{name}", f"stages.default.params.{name}"):
            found, node = lookup(self.doc, address)
            if found and node is not None:
                return self.value(node, address)
        return _Unresolved(f"param {name} is not under params/stages for '{stage}' or default "
                           "(dashboard parameters are not read offline)")

    def file(self, name: str, address: str, path: str) -> Any:
        if self.sources.read_file is None:
            return _Unresolved(f"file({name}) is not read here")
        try:
            content = self.sources.read_file(name.strip().strip("'\""))
        except (OSError, ValueError) as exc:
            return _Unresolved(f"cannot read file({name}): {exc}")
        found, node = lookup(content, address)
        if not found or node is None:
            return _Unresolved(f"file({name}) has no {address!r}")
        return self.value(node, f"file({name}):{address}")

    # -- CloudFormation functions ----------------------------------------------------------------

    def intrinsic(self, key: str, raw: Any, path: str) -> Any:
        arg = self.value(raw, path)
        if key == "Ref":
            return self.ref(str(arg))
        if key == "Fn::GetAtt":
            parts = arg if isinstance(arg, list) else str(arg).split(".", 1)
            if len(parts) == 2:
                return self.get_att(str(parts[0]), str(parts[1]))
        if (key == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list)
                and all(not isinstance(item, dict | list) for item in arg[1])):
            return stringify(arg[0]).join(stringify(item) for item in arg[1])
        if key == "Fn::Sub":
            template, names = (arg[0], arg[1]) if isinstance(arg, list) and len(arg) == 2 else (arg, {})
            if isinstance(template, str) and isinstance(names, dict):
                return re.sub(r"\$\{([^}]*)\}", lambda m: self._sub(m[1], names), template)
        if key == "Fn::ImportValue":
            inner = f"ImportValue:{stringify(arg)}"
            return self.sources.overrides.get(inner) or self.placeholder(
                inner, "cannot resolve Fn::ImportValue offline (an export of another stack)")
        inner = f"{key}@{path}"
        return self.sources.overrides.get(inner) or self.placeholder(
            inner, f"CloudFormation {key} is not evaluated offline")

    def _sub(self, name: str, names: Mapping[str, Any]) -> str:
        if name.startswith("!"):
            return "${" + name[1:] + "}"  # ${!Literal} is an escaped ${Literal}
        if name in names:
            return stringify(names[name])
        if "." in name:
            logical, attribute = name.split(".", 1)
            return stringify(self.get_att(logical, attribute))
        return stringify(self.ref(name))

    def _resource_type(self, logical: str) -> str | None:
        resource = cloudformation_resource(self.doc, logical)
        return resource.get("Type") if resource is not None else None

    def ref(self, name: str) -> Any:
        pseudo = {"AWS::Region": self.region(), "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com"}
        if name in pseudo:
            return pseudo[name]
        for inner in (f"{_REF}{name}", name):
            if inner in self.sources.overrides:
                return self.sources.overrides[inner]
        if name == "AWS::AccountId":
            return self.placeholder(name, "the AWS account id is not known offline")
        kind = self._resource_type(name)
        what = f"the id AWS gives the {kind} {name} when it deploys" if kind else \
            f"{name}, a resource made at deploy time"
        return self.placeholder(f"{_REF}{name}", f"Ref is {what}; not known offline")

    def get_att(self, logical: str, attribute: str) -> Any:
        inner = f"GetAtt:{logical}.{attribute}"
        if inner in self.sources.overrides:
            return self.sources.overrides[inner]
        kind = self._resource_type(logical)
        # A user pool's attributes are built from its id, so one --set 'Ref:Pool=...' fills them all.
        if kind == "AWS::Cognito::UserPool":
            pool, region = self.ref(logical), self.region()
            if attribute == "Arn":
                return f"arn:aws:cognito-idp:{region}:{self.ref('AWS::AccountId')}:userpool/{pool}"
            if attribute in ("ProviderURL", "ProviderName"):
                return f"cognito-idp.{region}.amazonaws.com/{pool}"
            if attribute == "UserPoolId":
                return pool
        if kind == "AWS::Cognito::UserPoolClient" and attribute == "ClientId":
            return self.ref(logical)
        return self.placeholder(inner, f"Fn::GetAtt {logical}.{attribute} is known only once AWS deploys "
                                       "the stack")


def resolve_variables(doc: dict[str, Any], sources: VariableSources | None = None) -> Resolved:
    """Evaluate the variables of a loaded serverless.yml; see VariableSources for where values come from."""
    return _Resolver(doc, sources or VariableSources()).run()

