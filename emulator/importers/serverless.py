"""`cognito-emulator import serverless.yml`: a Serverless Framework (v3/v4) service -> the `Apis:` section.

Four layers, each usable on its own:

1. `load_document(text)`: YAML in, a plain dict out. CloudFormation short tags (`!Ref`, `!GetAtt`,
   `!Sub`, ...) become their long forms (`{"Ref": ...}`, `{"Fn::GetAtt": ...}`) instead of failing,
   because serverless.yml files use them freely in `resources:`.
2. `resolve_variables(doc, sources)`: Serverless variables (`${self:...}`, `${opt:stage, 'dev'}`,
   `${env:X}`, `${sls:stage}`, `${aws:region}`, `${param:X}`, `${file(x.yml):key}`) and the few
   CloudFormation functions an authorizer needs (`Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`) are
   evaluated; what cannot be known offline (`${ssm:...}`, `${cf:...}`, a pool's `Ref`) stays as a
   visible placeholder such as `${ssm:/cognito/client-id/dev}`, with the reason kept beside it.
   `--set EXPR=VALUE` supplies any of them (`--set 'ssm:/cognito/client-id/dev=piyopiyo'`).
3. `translate(doc, unresolved)`: pure; `provider.httpApi` + `functions.*.events[].httpApi` -> one HTTP
   API, `functions.*.events[].http` -> one REST API, with API Gateway's names as the emulator's
   config uses them (see emulator/gateway/config.py). The result always passes `parse_apis`: what
   cannot be translated becomes a warning (and a YAML comment), never a crash and never an
   invalid config.
4. `render(apis)` writes the YAML with those comments; `main(argv)` does the file I/O.

Faithfulness rules (they decide every "what now?" below):
- Serverless's own defaults are reproduced (http-api.js / api-gateway validate.js): a missing
  authorizer `type` is JWT, `payloadVersion` defaults to 2.0, `cors: true` means origins `*`,
  the seven default headers and OPTIONS plus every route's method, REST authorizer names come
  from the ARN as Serverless derives them.
- Fail closed. A route whose authorizer cannot run here (a Node.js Lambda authorizer, an external
  ARN, a broken JWT definition) is left out (404) rather than served without its authorizer, since
  an emulator that lets through what AWS refuses hides the bug. The one exception is the brief's:
  `aws_iam` routes are kept, open, with a comment and a warning saying so.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import yaml

from emulator.config_fields import ConfigError
from emulator.gateway import lambda_runtime

DEFAULT_PORT = 8080
DEFAULT_STAGE = "dev"  # Serverless's default stage
DEFAULT_REGION = "us-east-1"  # Serverless's default region
PLACEHOLDER_BACKEND = "http://127.0.0.1:3000"
# The emulator does not check the account part of a pool ARN; this one is lambda_runtime's own.
STAND_IN_ACCOUNT = lambda_runtime.FAKE_ACCOUNT
# Python targets are not imported while validating (that would run user code from wherever the
# importer happens to be started); this handler stands in for them. It is never called.
STAND_IN_SPEC = "python:emulator.importers.serverless:validation_stand_in"

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
# http-api.js `defaultCors.allowedHeaders`; REST's getCors uses the same seven.
DEFAULT_CORS_HEADERS = ("Content-Type", "X-Amz-Date", "Authorization", "X-Api-Key", "X-Amz-Security-Token",
                        "X-Amz-User-Agent", "X-Amzn-Trace-Id")
REST_DEFAULT_IDENTITY_SOURCE = "method.request.header.Authorization"

_COGNITO_ARN = re.compile(r"^arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:\d{12}:userpool/[\w-]+_[0-9A-Za-z]+$")
_LOOSE_COGNITO_ARN = re.compile(r"^arn:([^:]*):cognito-idp:([^:]*):([^:]*):userpool/(.*)$", re.S)
_POOL_ID = re.compile(r"^[\w-]+_[0-9A-Za-z]+$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
# A Serverless variable's first part: `source:address`, `source(arg)` or `source(arg):address`.
# `AWS::Region` (two colons) and `Logical.Attr` are Fn::Sub's, not Serverless's, and stay literal.
_SOURCE = re.compile(r"^(?P<source>[A-Za-z][\w-]*)(?:\((?P<arg>[^()]*)\))?(?::(?!:)(?P<address>.*))?$", re.S)
_HTTP_API_EVENT = re.compile(r"^(?P<method>\S+)\s+(?P<path>/\S*)$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


class ServerlessFileError(ValueError):
    """The file is not a serverless.yml this importer can read (not YAML, no provider, not AWS)."""


class Node(dict):  # type: ignore[type-arg]
    """A mapping of the output that carries its YAML comments.

    `above[key]`: comment lines written above `key` (`above[None]`: above the mapping itself, i.e.
    above its `- ` in a list); `inline[key]`: a comment at the end of `key`'s line. A dict subclass so
    that the translation compares equal to plain dicts in tests and validates as one.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.above: dict[str | None, list[str]] = {}
        self.inline: dict[str, str] = {}

    def note(self, key: str | None, text: str) -> Node:
        lines = self.above.setdefault(key, [])
        if text not in lines:
            lines.append(text)
        return self


class Translation(NamedTuple):
    """The `Apis:` entries (Node mappings, comments attached) and the warnings, one line each."""

    apis: list[Node]
    warnings: list[str]


def validation_stand_in(event: Any, context: Any) -> None:
    """Stands in for python: targets while the importer validates its output; never called."""


# ---------------------------------------------------------------------------------------------
# 1. YAML with CloudFormation short tags
# ---------------------------------------------------------------------------------------------

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


def load_document(text: str) -> dict[str, Any]:
    """Parse serverless.yml text; ServerlessFileError (one line) when it is not YAML or not a mapping."""
    try:
        doc = yaml.load(text, Loader=_ServerlessLoader)  # a SafeLoader subclass: no arbitrary objects
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


# ---------------------------------------------------------------------------------------------
# 2. Variables
# ---------------------------------------------------------------------------------------------

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


def _variable_spans(text: str) -> list[tuple[int, int]]:
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


def _stringify(value: Any) -> str:
    """A value interpolated into a string, as JavaScript's String() writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


def _lookup(data: Any, address: str) -> tuple[bool, Any]:
    """Walk `a.b.0.c` through mappings and lists; (False, None) when absent."""
    node = data
    for part in (address.split(".") if address else []):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False, None
    return True, node


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
        found, raw = _lookup(self.doc, address)
        if not found or raw is None:
            return default
        value = self.value(raw, address, settings=False)
        if isinstance(value, str | int) and not self.placeholders(str(value)):
            return str(value)
        why = "; ".join(self.unresolved[p] for p in self.placeholders(_stringify(value))) or "not a string"
        self.warnings.append(f"{address} `{_stringify(value)}`: {why}; using '{default}' "
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
        spans = _variable_spans(text)
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
            out.append(_stringify(value))
            last = end
        out.append(text[last:])
        return "".join(out)

    def placeholders(self, text: str) -> list[str]:
        """The unresolved placeholders inside text."""
        return [text[a:b] for a, b in _variable_spans(text) if text[a:b] in self.unresolved]

    def placeholder(self, inner: str, reason: str) -> str:
        text = "${" + inner + "}"
        self.unresolved.setdefault(text, reason)
        return text

    def variable(self, content: str, path: str) -> Any:
        if content in self.sources.overrides:
            return self.sources.overrides[content]
        parts = _split_parts(content)
        if not _is_source(parts[0]) and _variable_spans(parts[0]) != [(0, len(parts[0]))]:
            return "${" + content + "}"  # not a Serverless variable (Fn::Sub's ${AWS::Region}): literal
        shown: list[str] = []
        reasons: list[str] = []
        for index, part in enumerate(parts):
            if part in self.sources.overrides:
                return self.sources.overrides[part]
            if _variable_spans(part) == [(0, len(part))]:  # a nested variable as a fallback
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
        return self.placeholder(", ".join(shown), "; ".join(dict.fromkeys(reasons)))

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
        """Like _lookup on the document, resolving a variable met on the way (`custom: ${file(c.yml)}`)."""
        node: Any = self.doc
        walked: list[str] = []
        for part in (address.split(".") if address else []):
            if isinstance(node, str) and _variable_spans(node):
                node = self.value(node, ".".join(walked))
            found, node = _lookup(node, part)
            if not found:
                return False, None
            walked.append(part)
        return True, node

    def param(self, name: str) -> Any:
        # v3: params.<stage>.<name> then params.default; v4: stages.<stage>.params then stages.default.
        stage = self.stage()
        for address in (f"params.{stage}.{name}", f"params.default.{name}",
                        f"stages.{stage}.params.{name}", f"stages.default.params.{name}"):
            found, node = _lookup(self.doc, address)
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
        found, node = _lookup(content, address)
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
            return _stringify(arg[0]).join(_stringify(item) for item in arg[1])
        if key == "Fn::Sub":
            template, names = (arg[0], arg[1]) if isinstance(arg, list) and len(arg) == 2 else (arg, {})
            if isinstance(template, str) and isinstance(names, dict):
                return re.sub(r"\$\{([^}]*)\}", lambda m: self._sub(m[1], names), template)
        if key == "Fn::ImportValue":
            inner = f"ImportValue:{_stringify(arg)}"
            return self.sources.overrides.get(inner) or self.placeholder(
                inner, "cannot resolve Fn::ImportValue offline (an export of another stack)")
        inner = f"{key}@{path}"
        return self.sources.overrides.get(inner) or self.placeholder(
            inner, f"CloudFormation {key} is not evaluated offline")

    def _sub(self, name: str, names: Mapping[str, Any]) -> str:
        if name.startswith("!"):
            return "${" + name[1:] + "}"  # ${!Literal} is an escaped ${Literal}
        if name in names:
            return _stringify(names[name])
        if "." in name:
            logical, attribute = name.split(".", 1)
            return _stringify(self.get_att(logical, attribute))
        return _stringify(self.ref(name))

    def _resource_type(self, logical: str) -> str | None:
        found, resource = _lookup(self.doc, f"resources.Resources.{logical}")
        return resource.get("Type") if found and isinstance(resource, Mapping) else None

    def ref(self, name: str) -> Any:
        pseudo = {"AWS::Region": self.region(), "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com"}
        if name in pseudo:
            return pseudo[name]
        for inner in (f"Ref:{name}", name):
            if inner in self.sources.overrides:
                return self.sources.overrides[inner]
        if name == "AWS::AccountId":
            return self.placeholder(name, "the AWS account id is not known offline")
        kind = self._resource_type(name)
        what = f"the id AWS gives the {kind} {name} when it deploys" if kind else \
            f"{name}, a resource made at deploy time"
        return self.placeholder(f"Ref:{name}", f"Ref is {what}; not known offline")

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


# ---------------------------------------------------------------------------------------------
# 3. Translation
# ---------------------------------------------------------------------------------------------

class _Authorizer(NamedTuple):
    """An authorizer of the source file: its Node when it translates, else why not."""

    name: str  # the Name routes refer to
    node: Node | None
    problem: str | None
    kind: str  # JWT, REQUEST, TOKEN, COGNITO_USER_POOLS


class _Target(NamedTuple):
    target: str
    python: bool
    comment: str | None


def python_handler_spec(handler: Any) -> str | None:
    """`src/auth.handler` -> `python:src.auth:handler`, as Lambda's Python runtime imports it; else None."""
    if not isinstance(handler, str):
        return None
    text = handler.strip()
    while text.startswith("./"):
        text = text[2:]
    module_path, dot, function = text.rpartition(".")
    if not dot or not module_path or not function:
        return None
    spec = f"python:{module_path.replace('/', '.')}:{function}"
    try:
        lambda_runtime.parse_spec(spec)
    except ValueError:
        return None
    return spec


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _dedupe(items: list[Any]) -> list[Any]:
    return list(dict.fromkeys(items))


def _version(value: Any, default: str) -> str:
    """`2`, `2.0` or `'2.0'` -> '2.0' (YAML reads an unquoted 2.0 as a number)."""
    if value is None:
        return default
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{float(value):.1f}"
    return str(value)


def _ttl(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class _Translator:
    def __init__(self, doc: Mapping[str, Any], unresolved: Mapping[str, str], port: int, backend: str) -> None:
        provider = doc.get("provider")
        if provider is None:
            raise ServerlessFileError("no `provider:` section; is this a Serverless Framework serverless.yml?")
        if not isinstance(provider, Mapping):
            raise ServerlessFileError(f"`provider:` should be a mapping (name: aws, runtime: ..., httpApi: ...), "
                                      f"got {provider!r}")
        name = provider.get("name")
        if name is not None and str(name).lower() != "aws":
            raise ServerlessFileError(f"provider.name is {name!r}; only AWS services can be imported")
        self.doc = doc
        self.provider = provider
        self.unresolved = unresolved
        self.port = port
        self.backend = backend
        self.warnings: list[str] = []
        self._flagged: set[str] = set()
        self._targets: dict[str, _Target] = {}
        service = doc.get("service")
        if isinstance(service, Mapping):  # v1's `service: {name: ...}`
            service = service.get("name")
        self.service = _stringify(service) if service is not None else "service"
        self.stage = _stringify(provider.get("stage") or DEFAULT_STAGE)
        self.region = _stringify(provider.get("region") or DEFAULT_REGION)
        if not _REGION.match(self.region):
            self.warn(f"provider.region {self.region!r} is not a region name; using {DEFAULT_REGION}")
            self.region = DEFAULT_REGION
        self.functions = self._functions(doc.get("functions"))

    # -- helpers --------------------------------------------------------------------------------

    def warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)

    def _functions(self, raw: Any) -> dict[str, Mapping[str, Any]]:
        # v3 takes a mapping; older files (and merged ${file()}s) may give a list of mappings.
        merged: dict[str, Any] = {}
        for chunk in (raw if isinstance(raw, list) else [raw]):
            if isinstance(chunk, Mapping):
                merged.update(chunk)
            elif chunk is not None:
                self.warn(f"functions: {_stringify(chunk)!r} is not a mapping of functions; skipped")
        out: dict[str, Mapping[str, Any]] = {}
        for name, fn in merged.items():
            if isinstance(fn, Mapping):
                out[str(name)] = fn
            else:
                self.warn(f"functions.{name} is not a mapping; skipped")
        return out

    def events(self, kind: str) -> Iterator[tuple[str, Mapping[str, Any], str, Any]]:
        """(function name, function, where, event value) of every `kind` event, in file order."""
        for fn_name, fn in self.functions.items():
            for index, event in enumerate(_as_list(fn.get("events"))):
                if isinstance(event, Mapping) and kind in event:
                    yield fn_name, fn, f"functions.{fn_name}.events[{index}].{kind}", event[kind]

    def flag(self, node: Node, key: str, value: Any, what: str, owner: str, hint: str,
             value_name: str = "value") -> None:
        """Warn (once per placeholder) and comment on the unresolved placeholders inside value.

        The warning reads `audience entry `${ssm:/x}` (authorizer a): cannot resolve ssm: parameters
        offline; <hint>, or pass --set 'ssm:/x=<client id>'`: what, why, and both ways out.
        """
        found = [p for item in _as_list(value) if isinstance(item, str) for p in self._placeholders(item)]
        for placeholder in found:
            node.note(key, f"unresolved {placeholder}: {self.unresolved[placeholder]}")
            if placeholder in self._flagged:
                continue
            self._flagged.add(placeholder)
            inner = placeholder[2:-1]
            if inner in ("AWS::AccountId", "aws:accountId"):
                advice = f"the emulator does not check the account ({STAND_IN_ACCOUNT} stands in)"
            else:
                advice = f"{hint}, or pass --set '{inner.split(', ')[0]}=<{value_name}>'"
            self.warn(f"{what} `{placeholder}`{f' ({owner})' if owner else ''}: "
                      f"{self.unresolved[placeholder]}; {advice}")

    def _placeholders(self, text: str) -> list[str]:
        return [text[a:b] for a, b in _variable_spans(text) if text[a:b] in self.unresolved]

    def target(self, fn_name: str, fn: Mapping[str, Any]) -> _Target:
        """The route Target for a function: its Python handler, else an HTTP placeholder (one warning)."""
        if fn_name in self._targets:
            return self._targets[fn_name]
        runtime = _stringify(fn.get("runtime") or self.provider.get("runtime") or "nodejs (the default)")
        spec = python_handler_spec(fn.get("handler")) if runtime.startswith("python") else None
        if fn.get("image") is not None:
            why = "is a container image"
        elif spec is not None:
            result = self._targets[fn_name] = _Target(spec, True, None)
            return result
        elif runtime.startswith("python"):
            why = f"has handler {fn.get('handler')!r}, which is not path/module.function"
        else:
            why = f"runs {runtime}, not Python"
        placeholder = " (a placeholder)" if self.backend == PLACEHOLDER_BACKEND else ""
        self.warn(f"function {fn_name} {why}: its routes forward to {self.backend}{placeholder}; "
                  "serve it there or edit Target")
        result = self._targets[fn_name] = _Target(
            self.backend, False, f"function {fn_name} {why}: serve it here{placeholder}")
        return result

    def left_out(self, api: Node, route_key: str, where: str, why: str) -> None:
        api.note("Routes", f"left out {route_key} ({where}): {why}")
        self.warn(f"{where}: route {route_key} left out: {why}")

    def next_port(self) -> int:
        port, self.port = self.port, self.port + 1
        return port

    def api_name(self, configured: Any) -> str:
        # Serverless names both APIs `${stage}-${service}` unless configured otherwise.
        return _stringify(configured) if configured else f"{self.stage}-{self.service}"

    # -- the whole service ------------------------------------------------------------------------

    def translate(self) -> Translation:
        apis: list[Node] = []
        http = self.http_api()
        if http is not None:
            apis.append(http)
        rest = self.rest_api(taken={str(a["Name"]) for a in apis})
        if rest is not None:
            apis.append(rest)
        if not apis:
            self.warn("no provider.httpApi authorizers and no httpApi or http events: nothing to import")
        self.sweep(apis)
        return Translation(_validated(apis, self.warnings, self.region), self.warnings)

    def sweep(self, apis: list[Node]) -> None:
        """Warn about placeholders in any other output value (names, paths, targets)."""
        def walk(value: Any, node: Node | None, key: str, where: str) -> None:
            if isinstance(value, Mapping):
                for k, v in value.items():
                    walk(v, value if isinstance(value, Node) else node, k, f"{where}.{k}")
            elif isinstance(value, list):
                for i, v in enumerate(value):
                    walk(v, node, key, f"{where}[{i}]")
            elif isinstance(value, str) and node is not None:
                self.flag(node, key, value, where, "", "replace it by hand")

        for i, api in enumerate(apis):
            walk(api, api, "", f"Apis[{i}]")

    # -- HTTP API ---------------------------------------------------------------------------------

    def http_api(self) -> Node | None:
        config = self.provider.get("httpApi") or {}
        if not isinstance(config, Mapping):
            self.warn("provider.httpApi is not a mapping; ignored")
            config = {}
        events = list(self.events("httpApi"))
        if not events and not config.get("authorizers"):
            return None
        api = Node(Name=self.api_name(config.get("name")), ProtocolType="HTTP", Port=self.next_port())
        api.note(None, f"HTTP API: provider.httpApi and the functions' httpApi events of {self.service} "
                       f"(stage {self.stage})")
        if config.get("id"):
            self.warn(f"provider.httpApi.id {config['id']!r}: the API is managed outside this service; "
                      "its routes are imported, its own authorizers and CORS are not known")
        authorizers = self.http_authorizers(config.get("authorizers"))
        routes, methods = self.http_routes(api, events, authorizers)
        cors = self.http_cors(config.get("cors"), methods)
        if cors is not None:
            api["CorsConfiguration"] = cors
        api["Authorizers"] = [a.node for a in authorizers.values() if a.node is not None]
        api["Routes"] = routes
        if not events:
            api.note("Routes", "no function has httpApi events; add routes here")
            self.warn("provider.httpApi has authorizers but no function has httpApi events: the HTTP API "
                      "has no routes (add them under Routes:)")
        return api

    def http_authorizers(self, raw: Any) -> dict[str, _Authorizer]:
        out: dict[str, _Authorizer] = {}
        if raw is None:
            return out
        if not isinstance(raw, Mapping):
            self.warn("provider.httpApi.authorizers is not a mapping; ignored")
            return out
        for key, conf in raw.items():
            where = f"provider.httpApi.authorizers.{key}"
            name = _stringify(conf.get("name") or key) if isinstance(conf, Mapping) else str(key)
            kind = str(conf.get("type") or "jwt").lower() if isinstance(conf, Mapping) else "jwt"
            if not isinstance(conf, Mapping):
                authorizer = _Authorizer(name, None, "it is not a mapping", "JWT")
            elif kind == "request":  # http-api.js: a missing type is JWT
                authorizer = self.http_request_authorizer(name, conf, where)
            elif kind == "jwt":
                authorizer = self.jwt_authorizer(name, conf, where)
            else:
                authorizer = _Authorizer(name, None, f"type {kind!r} is not jwt or request", kind.upper())
            if authorizer.problem:
                self.warn(f"{where}: not imported: {authorizer.problem}")
            out[str(key)] = authorizer
        return out

    def jwt_authorizer(self, name: str, conf: Mapping[str, Any], where: str) -> _Authorizer:
        issuer = conf.get("issuerUrl")
        audience = [_stringify(a) for a in _dedupe(_as_list(conf.get("audience"))) if a is not None]
        if not isinstance(issuer, str) or not issuer:
            return _Authorizer(name, None, "it has no issuerUrl", "JWT")
        if not audience:
            return _Authorizer(name, None, "its audience is empty (list the app client ids)", "JWT")
        node = Node(Name=name, AuthorizerType="JWT")
        sources = [_stringify(s) for s in _as_list(conf.get("identitySource"))]
        if sources:
            node["IdentitySource"] = sources[0] if len(sources) == 1 else sources
        jwt = Node(Issuer=issuer, Audience=audience)
        self.flag(jwt, "Issuer", issuer, "issuerUrl part", f"authorizer {name}",
                  "replace it so that the issuer reads https://cognito-idp.<region>.amazonaws.com/<Id of a "
                  "user pool in config.yaml>", "pool id")
        for entry in audience:
            self.flag(jwt, "Audience", entry, "audience entry", f"authorizer {name}",
                      "replace it with the app client id from config.yaml", "client id")
        if not _is_url(issuer):
            if not self._placeholders(issuer):
                return _Authorizer(name, None, f"issuerUrl {issuer!r} is not an http(s) URL", "JWT")
            # The validator needs a URL; this stand-in names the region and says what to put in.
            jwt["Issuer"] = f"https://cognito-idp.{self.region}.amazonaws.com/{self.region}_REPLACEME"
            jwt.inline["Issuer"] = f"stands in for {issuer}"
        node["JwtConfiguration"] = jwt
        return _Authorizer(name, node, None, "JWT")

    def http_request_authorizer(self, name: str, conf: Mapping[str, Any], where: str) -> _Authorizer:
        if conf.get("functionArn"):
            return _Authorizer(name, None, f"functionArn {_stringify(conf['functionArn'])!r} is a Lambda outside "
                                           "this service; the emulator runs authorizers as Python handlers",
                               "REQUEST")
        if not conf.get("functionName"):
            return _Authorizer(name, None, "a request authorizer needs functionName (or functionArn)", "REQUEST")
        fn_name = _stringify(conf.get("functionName"))
        fn = self.functions.get(fn_name)
        if fn is None:
            return _Authorizer(name, None, f"functionName {fn_name!r} is not a function of this service",
                               "REQUEST")
        spec = self.authorizer_spec(fn_name, fn)
        if isinstance(spec, _Unresolved):
            return _Authorizer(name, None, spec.reason, "REQUEST")
        node = Node(Name=name, AuthorizerType="REQUEST", AuthorizerUri=spec)
        sources = [_stringify(s) for s in _as_list(conf.get("identitySource"))]
        if sources:
            node["IdentitySource"] = sources
        node["AuthorizerPayloadFormatVersion"] = _version(conf.get("payloadVersion"), "2.0")
        if conf.get("enableSimpleResponses") is not None:
            node["EnableSimpleResponses"] = bool(conf["enableSimpleResponses"])
        ttl = _ttl(conf.get("resultTtlInSeconds"))
        if ttl is not None:
            node["AuthorizerResultTtlInSeconds"] = ttl
        elif not sources:
            # AWS caches only by identity source, so without one the only deployable TTL is 0.
            node["AuthorizerResultTtlInSeconds"] = 0
            node.inline["AuthorizerResultTtlInSeconds"] = "no identitySource, so no caching"
        return _Authorizer(name, node, None, "REQUEST")

    def authorizer_spec(self, fn_name: str, fn: Mapping[str, Any]) -> str | _Unresolved:
        runtime = _stringify(fn.get("runtime") or self.provider.get("runtime") or "nodejs (the default)")
        spec = python_handler_spec(fn.get("handler")) if runtime.startswith("python") else None
        if spec is None:
            return _Unresolved(f"its function {fn_name} runs {runtime} (handler {fn.get('handler')!r}); the "
                               "emulator runs Lambda authorizers only as Python handlers")
        return spec

    def http_routes(self, api: Node, events: list[tuple[str, Mapping[str, Any], str, Any]],
                    authorizers: Mapping[str, _Authorizer]) -> tuple[list[Node], list[str]]:
        routes: list[Node] = []
        methods: list[str] = []
        seen: dict[str, str] = {}
        config = self.provider.get("httpApi")
        payload_default = config.get("payload") if isinstance(config, Mapping) else None
        for fn_name, fn, where, event in events:
            parsed = self.http_route_key(event, where)
            if parsed is None:
                continue
            route_key, method = parsed
            methods.append(method)
            if route_key in seen:
                self.warn(f"{where}: route {route_key} is already {seen[route_key]}'s (Serverless refuses "
                          "duplicates); skipped")
                continue
            seen[route_key] = where
            route = Node(RouteKey=route_key)
            authorizer = event.get("authorizer") if isinstance(event, Mapping) else None
            if authorizer and not self.http_route_authorizer(api, route, authorizer, authorizers, where):
                continue  # left out: its authorizer cannot run here
            target = self.target(fn_name, fn)
            route["Target"] = target.target
            if target.comment:
                route.inline["Target"] = target.comment
            fn_http = fn.get("httpApi") if isinstance(fn.get("httpApi"), Mapping) else {}
            payload = _version(fn_http.get("payload") or payload_default, "2.0")
            if target.python and payload != "2.0":
                route["PayloadFormatVersion"] = payload
            routes.append(route)
        return routes, methods

    def http_route_key(self, event: Any, where: str) -> tuple[str, str] | None:
        """(RouteKey, method for CORS) of an httpApi event, or None (warned) when it is not one."""
        if isinstance(event, Mapping):
            method, path = event.get("method"), event.get("path")
        else:
            text = _stringify(event).strip()
            if text == "*":
                method, path = None, "*"
            else:
                match = _HTTP_API_EVENT.match(text)
                if not match:
                    self.warn(f"{where}: {text!r} is not '*' or '<METHOD> /path'; skipped")
                    return None
                method, path = match["method"], match["path"]
        path = _stringify(path) if path is not None else None
        if path == "*":
            if method not in (None, "*"):
                self.warn(f"{where}: path '*' takes no method (or '*'); skipped")
                return None
            return "$default", "ANY"
        if not path or not path.startswith("/"):
            self.warn(f"{where}: path {path!r} does not start with '/'; skipped")
            return None
        if method is None:
            self.warn(f"{where}: no method; skipped")
            return None
        method = _stringify(method).upper()
        method = "ANY" if method == "*" else method
        if method not in (*HTTP_METHODS, "ANY"):
            self.warn(f"{where}: method {method!r} is not an HTTP method API Gateway routes; skipped")
            return None
        return f"{method} {path}", method

    def http_route_authorizer(self, api: Node, route: Node, raw: Any, authorizers: Mapping[str, _Authorizer],
                              where: str) -> bool:
        """Attach the route's authorizer; False when the route must be left out (fail closed)."""
        conf = raw if isinstance(raw, Mapping) else {"name": raw}
        route_key = str(route["RouteKey"])
        if str(conf.get("type") or "").lower() == "aws_iam":
            route.note("RouteKey", "authorizer: aws_iam (SigV4) is not emulated: this route is OPEN here")
            self.warn(f"{where}: route {route_key} uses an aws_iam authorizer, which the emulator does not "
                      "emulate; the route is imported without an authorizer (open)")
            return True
        if conf.get("id"):
            self.left_out(api, route_key, where, f"its authorizer id {_stringify(conf['id'])!r} belongs to an "
                                                 "API outside this service")
            return False
        key = _stringify(conf.get("name"))
        authorizer = authorizers.get(key)
        if authorizer is None:
            self.left_out(api, route_key, where, f"authorizer {key!r} is not in provider.httpApi.authorizers")
            return False
        if authorizer.node is None:
            self.left_out(api, route_key, where, f"its authorizer {key!r} is not imported: {authorizer.problem}")
            return False
        route["AuthorizerName"] = authorizer.name
        scopes = [_stringify(s) for s in _dedupe(_as_list(conf.get("scopes")))]
        if scopes and authorizer.kind == "JWT":
            route["AuthorizationScopes"] = scopes
        elif scopes:
            self.warn(f"{where}: scopes {scopes} dropped: API Gateway checks scopes only with JWT authorizers")
        return True

    def http_cors(self, raw: Any, methods: list[str]) -> Node | None:
        if not raw:
            return None
        if raw is not True and not isinstance(raw, Mapping):
            self.warn(f"provider.httpApi.cors {raw!r} is not true or a mapping; ignored")
            return None
        conf: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
        origins = [_stringify(o) for o in _as_list(conf.get("allowedOrigins"))] or ["*"]
        headers = [_stringify(h) for h in _as_list(conf.get("allowedHeaders"))] or list(DEFAULT_CORS_HEADERS)
        allowed = [_stringify(m).upper() for m in _as_list(conf.get("allowedMethods"))]
        if not allowed:
            # http-api.js: OPTIONS plus the method of every httpApi event (ANY: all of them).
            allowed = ["OPTIONS"]
            for method in methods:
                allowed.extend(HTTP_METHODS if method == "ANY" else [method])
        cors = Node(AllowOrigins=origins, AllowHeaders=headers, AllowMethods=_dedupe(allowed))
        if raw is True:
            cors.note(None, "cors: true, as Serverless expands it")
        if conf.get("allowCredentials"):
            if "*" in origins:
                self.warn("provider.httpApi.cors: allowCredentials with the origin '*' is refused by AWS and "
                          "browsers; imported without AllowCredentials (list the origins to keep it)")
            else:
                cors["AllowCredentials"] = True
        if conf.get("exposedResponseHeaders"):
            cors["ExposeHeaders"] = [_stringify(h) for h in _as_list(conf["exposedResponseHeaders"])]
        if _ttl(conf.get("maxAge")) is not None:
            cors["MaxAge"] = _ttl(conf["maxAge"])
        return cors

    # -- REST API ---------------------------------------------------------------------------------

    def rest_api(self, taken: set[str]) -> Node | None:
        events = list(self.events("http"))
        if not events:
            return None
        gateway = self.provider.get("apiGateway") if isinstance(self.provider.get("apiGateway"), Mapping) else {}
        name = self.api_name(self.provider.get("apiName") or gateway.get("apiName"))
        if name in taken:
            name = f"{name}-rest"  # the emulator needs unique names; both APIs default to stage-service
        stage = self.stage
        if not re.match(r"^[A-Za-z0-9_-]{1,128}$", stage):
            self.warn(f"provider.stage {stage!r} is not a REST stage name; the REST API uses '{DEFAULT_STAGE}'")
            stage = DEFAULT_STAGE
        api = Node(Name=name, ProtocolType="REST", StageName=stage, Port=self.next_port())
        api.note(None, f"REST API: the functions' http events of {self.service} (URLs are /{stage}/...)")
        if gateway.get("restApiId"):
            self.warn(f"provider.apiGateway.restApiId {gateway['restApiId']!r}: the REST API is managed outside "
                      "this service; only this service's http events are imported")
        registry: dict[str, _Authorizer] = {}
        routes: list[Node] = []
        seen: dict[str, str] = {}
        for fn_name, fn, where, event in events:
            route = self.rest_route(api, fn_name, fn, where, event, registry, seen)
            if route is not None:
                routes.append(route)
        api["Authorizers"] = [a.node for a in registry.values() if a.node is not None]
        api["Routes"] = routes
        return api

    def rest_route(self, api: Node, fn_name: str, fn: Mapping[str, Any], where: str, event: Any,
                   registry: dict[str, _Authorizer], seen: dict[str, str]) -> Node | None:
        if isinstance(event, Mapping):
            method, path = event.get("method"), event.get("path")
        else:
            method, _, path = _stringify(event).strip().partition(" ")
        if not method or path is None:
            self.warn(f"{where}: needs a method and a path; skipped")
            return None
        method = _stringify(method).upper()
        method = "ANY" if method == "*" else method
        if method not in (*HTTP_METHODS, "ANY"):
            self.warn(f"{where}: method {method!r} is not an HTTP method; skipped")
            return None
        route_key = f"{method} /{_stringify(path).strip().strip('/')}"  # Serverless trims the slashes too
        if route_key in seen:
            self.warn(f"{where}: route {route_key} is already {seen[route_key]}'s; skipped")
            return None
        seen[route_key] = where
        conf: Mapping[str, Any] = event if isinstance(event, Mapping) else {}
        if conf.get("cors"):
            self.warn(f"{where}: cors on a REST API (an OPTIONS mock method in AWS) is not emulated; preflights "
                      "of this route get 403")
        if conf.get("private"):
            self.warn(f"{where}: private: true (API key required) is not emulated; no key is checked")
        route = Node(RouteKey=route_key)
        if conf.get("authorizer") and not self.rest_route_authorizer(api, route, conf["authorizer"], registry,
                                                                     where):
            return None  # left out: its authorizer cannot run here
        target = self.rest_target(api, fn_name, fn, where, conf, route_key)
        if target is None:
            return None
        route["Target"] = target.target
        if target.comment:
            route.inline["Target"] = target.comment
        return route

    def rest_target(self, api: Node, fn_name: str, fn: Mapping[str, Any], where: str, conf: Mapping[str, Any],
                    route_key: str) -> _Target | None:
        integration = str(conf.get("integration") or ("lambda" if conf.get("async") else "lambda-proxy"))
        integration = integration.upper().replace("-", "_")
        if integration in ("LAMBDA", "AWS"):
            self.warn(f"{where}: integration: lambda (mapping templates) is not emulated; the handler gets the "
                      "Lambda proxy event v1.0 instead")
        elif integration in ("HTTP", "HTTP_PROXY"):
            request = conf.get("request") if isinstance(conf.get("request"), Mapping) else {}
            uri = request.get("uri")
            if not isinstance(uri, str) or not _is_url(uri):
                self.left_out(api, route_key, where, f"{integration.lower()} integration without an http(s) "
                                                     "request.uri")
                return None
            if integration == "HTTP":
                self.warn(f"{where}: integration: http (mapping templates) is imported as an HTTP proxy")
            return _Target(uri, False, None)
        elif integration == "MOCK":
            self.left_out(api, route_key, where, "mock integrations are not emulated")
            return None
        return self.target(fn_name, fn)

    def rest_route_authorizer(self, api: Node, route: Node, raw: Any, registry: dict[str, _Authorizer],
                              where: str) -> bool:
        """Attach the route's REST authorizer (api-gateway validate.js getAuthorizer); False: leave it out."""
        route_key = str(route["RouteKey"])
        conf: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
        kind = _stringify(conf.get("type") or "").upper()
        if (isinstance(raw, str) and raw.upper() == "AWS_IAM") or kind == "AWS_IAM":
            route.note("RouteKey", "authorizer: aws_iam (SigV4) is not emulated: this route is OPEN here")
            self.warn(f"{where}: route {route_key} uses an aws_iam authorizer, which the emulator does not "
                      "emulate; the route is imported without an authorizer (open)")
            return True
        authorizer = self.rest_authorizer(raw, conf, kind, registry, where)
        if authorizer.node is None:
            self.left_out(api, route_key, where, f"its authorizer is not imported: {authorizer.problem}")
            return False
        known = registry.get(authorizer.name)
        if known is None:
            registry[authorizer.name] = authorizer
        elif known.node is not None and dict(known.node) != dict(authorizer.node):
            self.warn(f"{where}: authorizer {authorizer.name!r} is defined differently by an earlier event; "
                      "the first definition is kept")
        route["AuthorizerName"] = authorizer.name
        scopes = [_stringify(s) for s in _dedupe(_as_list(conf.get("scopes")))]
        if scopes and (known or authorizer).kind == "COGNITO_USER_POOLS":
            route["AuthorizationScopes"] = scopes
        elif scopes:
            self.warn(f"{where}: scopes {scopes} dropped: API Gateway checks scopes only with Cognito authorizers")
        return True

    def rest_authorizer(self, raw: Any, conf: Mapping[str, Any], kind: str, registry: Mapping[str, _Authorizer],
                        where: str) -> _Authorizer:
        arn: Any = None
        function_name: str | None = None
        derived = False
        if isinstance(raw, str):
            if ":" in raw:
                arn, name, derived = raw, _name_from_arn(raw), True
            else:
                function_name = name = raw
        elif conf.get("authorizerId"):
            return self.external_rest_authorizer(conf, where)
        elif conf.get("arn"):
            arn = conf["arn"]
            derived = not isinstance(conf.get("name"), str)
            name = _stringify(conf["name"]) if not derived else (_name_from_arn(arn) if isinstance(arn, str) else "")
            if not name:
                return _Authorizer("?", None, "a COGNITO_USER_POOLS authorizer with a non-string arn needs a name",
                                   "COGNITO_USER_POOLS")
        elif conf.get("name"):
            function_name = name = _stringify(conf["name"])
        else:
            return _Authorizer("?", None, "it has neither a name nor an arn", kind or "TOKEN")
        if function_name is not None and function_name not in self.functions and function_name in registry:
            return registry[function_name]  # a name defined by an earlier event's arn (lenient)
        ttl = _ttl(conf.get("resultTtlInSeconds"))
        sources = [s.strip() for item in _as_list(conf.get("identitySource")) for s in _stringify(item).split(",")
                   if s.strip()]
        if not sources and not (kind == "REQUEST" and ttl == 0):
            sources = [REST_DEFAULT_IDENTITY_SOURCE]  # validate.js's default
        is_cognito = kind == "COGNITO_USER_POOLS" or (isinstance(arn, str) and ":cognito-idp:" in arn)
        if is_cognito and arn is not None:
            fixed = self.provider_arn(arn, name)
            if isinstance(fixed, _Unresolved):
                return _Authorizer(name, None, fixed.reason, "COGNITO_USER_POOLS")
            node = Node(Name=name, Type="COGNITO_USER_POOLS", IdentitySource=sources[0], ProviderARNs=[fixed[0]])
            if fixed[1]:
                node.inline["ProviderARNs"] = fixed[1]
            if derived:
                node.inline["Name"] = "the name Serverless derives from the ARN (set authorizer.name to choose)"
            whole = _variable_spans(_stringify(arn)) == [(0, len(_stringify(arn)))]
            self.flag(node, "ProviderARNs", _stringify(arn), "arn" if whole else "arn part", f"authorizer {name}",
                      "replace the arn with a pool of config.yaml's: "
                      "arn:aws:cognito-idp:<region>:<account>:userpool/<Id>", "pool ARN" if whole else "pool id")
            if isinstance(conf.get("identityValidationExpression"), str):
                node["IdentityValidationExpression"] = conf["identityValidationExpression"]
            if ttl is not None:
                node["AuthorizerResultTtlInSeconds"] = ttl
            return _Authorizer(name, node, None, "COGNITO_USER_POOLS")
        if arn is not None:
            return _Authorizer(name, None, f"arn {_stringify(arn)!r} is a Lambda outside this service; the "
                                           "emulator runs Lambda authorizers as Python handlers", kind or "TOKEN")
        assert function_name is not None
        fn = self.functions.get(function_name)
        if fn is None:
            return _Authorizer(name, None, f"no function {function_name!r} in this service", kind or "TOKEN")
        spec = self.authorizer_spec(function_name, fn)
        if isinstance(spec, _Unresolved):
            return _Authorizer(name, None, spec.reason, kind or "TOKEN")
        lambda_kind = kind if kind in ("TOKEN", "REQUEST") else "TOKEN"
        if kind and kind not in ("TOKEN", "REQUEST"):
            self.warn(f"{where}: authorizer type {kind!r} with a function name is imported as TOKEN")
        node = Node(Name=name, Type=lambda_kind, AuthorizerUri=spec)
        if sources:
            node["IdentitySource"] = sources[0] if lambda_kind == "TOKEN" else sources
        if lambda_kind == "TOKEN" and isinstance(conf.get("identityValidationExpression"), str):
            node["IdentityValidationExpression"] = conf["identityValidationExpression"]
        if ttl is not None:
            node["AuthorizerResultTtlInSeconds"] = ttl
        return _Authorizer(name, node, None, lambda_kind)

    def external_rest_authorizer(self, conf: Mapping[str, Any], where: str) -> _Authorizer:
        """`authorizerId: {Ref: X}` naming an AWS::ApiGateway::Authorizer in resources.Resources."""
        raw_id = conf["authorizerId"]
        logical = None
        if isinstance(raw_id, str) and raw_id.startswith("${Ref:") and raw_id.endswith("}"):
            logical = raw_id[len("${Ref:"):-1]
        found, resource = _lookup(self.doc, f"resources.Resources.{logical}") if logical else (False, None)
        if not found or not isinstance(resource, Mapping) or resource.get("Type") != "AWS::ApiGateway::Authorizer":
            return _Authorizer(_stringify(raw_id), None, f"authorizerId {_stringify(raw_id)!r} is not an "
                                                         "AWS::ApiGateway::Authorizer in resources", "?")
        props = resource.get("Properties") if isinstance(resource.get("Properties"), Mapping) else {}
        if str(props.get("Type", "")).upper() != "COGNITO_USER_POOLS":
            return _Authorizer(str(logical), None, f"resources.Resources.{logical} is a {props.get('Type')} "
                                                   "authorizer; only COGNITO_USER_POOLS ones are read from resources",
                               str(props.get("Type")))
        arns = _as_list(props.get("ProviderARNs"))
        synthetic = {"arn": arns[0] if arns else None, "name": _stringify(props.get("Name") or logical),
                     "type": "COGNITO_USER_POOLS", "identitySource": props.get("IdentitySource"),
                     "identityValidationExpression": props.get("IdentityValidationExpression"),
                     "resultTtlInSeconds": props.get("AuthorizerResultTtlInSeconds")}
        if len(arns) > 1:
            self.warn(f"{where}: only the first of the ProviderARNs of {logical} is imported")
        return self.rest_authorizer(synthetic, synthetic, "COGNITO_USER_POOLS", {}, where)

    def provider_arn(self, arn: Any, name: str) -> tuple[str, str | None] | _Unresolved:
        """A pool ARN the validator accepts: as written, or with unresolved parts replaced by stand-ins."""
        text = _stringify(arn)
        if _COGNITO_ARN.match(text):
            return text, None
        if not self._placeholders(text):
            return _Unresolved(f"arn {text!r} is not arn:aws:cognito-idp:<region>:<12-digit account>:userpool/<Id>")
        # Mask placeholders first: `${AWS::AccountId}` has colons of its own. A masked part is unknown.
        masked, spans = text, _variable_spans(text)
        for index, (start, end) in reversed(list(enumerate(spans))):
            masked = f"{masked[:start]}\0{index}\0{masked[end:]}"
        match = _LOOSE_COGNITO_ARN.match(masked)
        partition, region, account, pool = match.groups() if match else ("", "", "", "")
        partition = partition if re.match(r"^aws[a-z-]*$", partition) else "aws"
        region = region if _REGION.match(region) else self.region
        account = account if re.match(r"^\d{12}$", account) else STAND_IN_ACCOUNT
        pool = pool if _POOL_ID.match(pool) else f"{region}_REPLACEME"
        return f"arn:{partition}:cognito-idp:{region}:{account}:userpool/{pool}", f"stands in for {text}"


def _name_from_arn(arn: str) -> str:
    """Serverless's naming.extractAuthorizerNameFromArn: the last ':' part, then its last '-' part."""
    return arn.split(":")[-1].split("-")[-1]


def _is_url(text: str) -> bool:
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - a bad port only raises when read
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def translate(doc: Mapping[str, Any], unresolved: Mapping[str, str] | None = None, *, port: int = DEFAULT_PORT,
              backend: str = PLACEHOLDER_BACKEND) -> Translation:
    """A resolved serverless.yml document -> the `Apis:` entries and warnings (pure; no file is read).

    `unresolved` (from resolve_variables) tells which `${...}` texts are placeholders; `port` is the
    first API's port (the next API gets port + 1); `backend` is the Target of non-Python functions.
    Raises ServerlessFileError when the document is not a serverless.yml at all.
    """
    return _Translator(doc, unresolved or {}, port, backend).translate()


def import_serverless(text: str, sources: VariableSources | None = None, *, port: int = DEFAULT_PORT,
                      backend: str = PLACEHOLDER_BACKEND) -> Translation:
    """serverless.yml text -> Translation: load, resolve variables, translate. Pure given `sources`."""
    resolved = resolve_variables(load_document(text), sources)
    translation = translate(resolved.doc, resolved.unresolved, port=port, backend=backend)
    return Translation(translation.apis, resolved.warnings + translation.warnings)


# ---------------------------------------------------------------------------------------------
# Validation: the output must pass the emulator's own parse_apis
# ---------------------------------------------------------------------------------------------

_ERROR_PATH = re.compile(r"^Apis\[(\d+)\](?:\.(Routes|Authorizers)\[(\d+)\]|\.(CorsConfiguration))?")


def stand_in_handlers(apis: list[Any]) -> list[Any]:
    """A copy whose python: targets and authorizers point at validation_stand_in (user code is not imported)."""
    copied = copy.deepcopy([dict(api) for api in apis])
    for api in copied:
        for group, key in (("Routes", "Target"), ("Authorizers", "AuthorizerUri")):
            items = api.get(group)
            for item in items if isinstance(items, list) else []:
                value = item.get(key) if isinstance(item, Mapping) else None
                if isinstance(value, str) and value.startswith(lambda_runtime.PYTHON_PREFIX):
                    try:
                        lambda_runtime.parse_spec(value)
                    except ValueError:
                        continue  # malformed: let the validator say so
                    item[key] = STAND_IN_SPEC
    return copied


def check_apis(apis: list[Any], region: str = DEFAULT_REGION) -> None:
    """Raise ConfigError unless `apis` passes the emulator's own validation (python targets stood in)."""
    from emulator.gateway.config import parse_apis

    parse_apis(stand_in_handlers(apis), "Apis", region=region)


def _validated(apis: list[Node], warnings: list[str], region: str) -> list[Node]:
    """Run the emulator's validation; drop what it refuses (a route, an authorizer and its routes, CORS, or
    an API), with a warning each, until it passes. Translation aims never to get here."""
    for _ in range(1000):
        try:
            check_apis(apis, region)
            return apis
        except ConfigError as exc:
            _prune(apis, exc, warnings)
    raise AssertionError("validation never passed")  # pragma: no cover - each round removes something


def _prune(apis: list[Node], exc: ConfigError, warnings: list[str]) -> None:
    match = _ERROR_PATH.match(exc.path)
    if match is None or int(match[1]) >= len(apis):
        raise exc  # not a path this importer produces: a bug, not a serverless.yml problem
    api = apis[int(match[1])]
    group, index, cors = match[2], match[3], match[4]
    if group == "Routes":
        route = api["Routes"].pop(int(index))
        api.note("Routes", f"left out {route.get('RouteKey')}: the emulator refuses it: {exc.reason}")
        warnings.append(f"route {route.get('RouteKey')} of API {api['Name']} left out: {exc}")
    elif group == "Authorizers":
        authorizer = api["Authorizers"].pop(int(index))
        name = authorizer.get("Name")
        warnings.append(f"authorizer {name} of API {api['Name']} left out, with its routes: {exc}")
        for route in [r for r in api["Routes"] if r.get("AuthorizerName") == name]:
            api["Routes"].remove(route)
            api.note("Routes", f"left out {route.get('RouteKey')}: its authorizer {name} is refused: {exc.reason}")
    elif cors:
        del api["CorsConfiguration"]
        warnings.append(f"CORS of API {api['Name']} left out: {exc}")
    else:
        apis.remove(api)
        warnings.append(f"API {api['Name']} left out: {exc}")


# ---------------------------------------------------------------------------------------------
# 4. Rendering
# ---------------------------------------------------------------------------------------------

def _scalar(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, width=10**9, allow_unicode=True)
    return text.removesuffix("\n...\n").rstrip("\n")


def _flow(items: list[Any]) -> str:
    return yaml.safe_dump(items, default_flow_style=True, width=10**9, allow_unicode=True).rstrip("\n")


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
            text = _flow(value) if isinstance(value, list | Mapping) else _scalar(value)
            lines.append(f"{head} {text}")
        if key in inline:
            lines[-1] += "  " + _comment(inline[key])
    return lines


def render(apis: list[Node], header: list[str] | None = None) -> str:
    """The `Apis:` section as YAML text, comments included."""
    lines = [_comment(text) for text in header or []]
    if not apis:
        return "\n".join([*lines, "Apis: []", ""])
    lines.append("Apis:")
    for api in apis:
        lines.extend(_mapping_lines(api, 2, item=True))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# main: the file I/O
# ---------------------------------------------------------------------------------------------

def _file_reader(base: Path) -> Callable[[str], Any]:
    """`${file(./x.yml)}` reads YAML/JSON relative to serverless.yml's folder; .js/.ts would need Node."""
    def read(name: str) -> Any:
        path = (base / name).resolve()
        if path.suffix in (".js", ".cjs", ".mjs", ".ts"):
            raise ValueError(f"{name} is JavaScript, which the importer does not run")
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            return json.loads(text)
        return yaml.load(text, Loader=_ServerlessLoader)
    return read


def _parse_sets(values: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        name = name.strip()
        if name.startswith("${") and name.endswith("}"):
            name = name[2:-1]  # accept the placeholder as printed
        if not sep or not name:
            raise ValueError(f"--set {item!r}: expected EXPRESSION=VALUE, e.g. 'ssm:/cognito/client-id/dev=piyopiyo'")
        out[name] = value
    return out


def _missing_modules(apis: list[Node], base: Path) -> list[str]:
    """python: targets whose module file is not under `base` (where a config.yaml beside it would load them)."""
    missing: list[str] = []
    for api in apis:
        for item in [*api.get("Routes", []), *api.get("Authorizers", [])]:
            spec = item.get("Target") or item.get("AuthorizerUri")
            if not isinstance(spec, str) or not spec.startswith(lambda_runtime.PYTHON_PREFIX):
                continue
            module = lambda_runtime.parse_spec(spec)[0]
            relative = Path(*module.split("."))
            if not (base / relative.with_suffix(".py")).is_file() and not (base / relative / "__init__.py").is_file():
                missing.append(f"{relative}.py")
    return _dedupe(missing)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cognito-emulator import",
        description="Translate a Serverless Framework serverless.yml into the Apis: section of the emulator's "
                    "config (HTTP API from provider.httpApi and httpApi events, REST API from http events).")
    parser.add_argument("file", help="the serverless.yml to read")
    parser.add_argument("--out", metavar="FILE", help="write the Apis: section to FILE instead of stdout")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port of the first API; the next gets port+1 (default {DEFAULT_PORT})")
    parser.add_argument("--stage", help="the --stage you deploy with (${opt:stage})")
    parser.add_argument("--region", help="the --region you deploy with (${opt:region})")
    parser.add_argument("--set", dest="sets", action="append", default=[], metavar="EXPR=VALUE",
                        help="a value for a variable that cannot be resolved offline, named as inside ${}: "
                             "--set 'ssm:/cognito/client-id/dev=piyopiyo' (repeatable)")
    parser.add_argument("--backend", default=PLACEHOLDER_BACKEND,
                        help=f"Target for functions that are not Python (default {PLACEHOLDER_BACKEND})")
    return parser


def main(argv: list[str]) -> int:
    """`cognito-emulator import serverless.yml [--out FILE] ...`: 0 on success (warnings on stderr), 1 on error."""
    args = _parser().parse_args(argv)
    if not 1 <= args.port <= 65534:
        print(f"cognito-emulator import: --port {args.port} is not 1..65534", file=sys.stderr)
        return 1
    if not _is_url(args.backend):
        print(f"cognito-emulator import: --backend {args.backend!r} is not an http(s) URL", file=sys.stderr)
        return 1
    source = Path(args.file)
    try:
        overrides = _parse_sets(args.sets)
        text = source.read_text(encoding="utf-8")
    except ValueError as exc:
        print(f"cognito-emulator import: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"{args.file}: cannot read the file: {exc.strerror or exc}", file=sys.stderr)
        return 1
    options = {k: v for k, v in (("stage", args.stage), ("region", args.region)) if v}
    sources = VariableSources(options=options, env=dict(os.environ), overrides=overrides,
                              read_file=_file_reader(source.resolve().parent))
    try:
        translation = import_serverless(text, sources, port=args.port, backend=args.backend)
    except ServerlessFileError as exc:
        print(f"{args.file}: {exc}", file=sys.stderr)
        return 1
    except ConfigError as exc:  # pragma: no cover - pruning handles every path translate() produces
        print(f"{args.file}: internal error, the translation does not validate: {exc}", file=sys.stderr)
        return 1
    apis, warnings = translation
    missing = _missing_modules(apis, source.resolve().parent)
    if missing:
        warnings.append(f"python: targets load relative to the config file's folder; not found beside "
                        f"{args.file}: {', '.join(missing)}")
    header = [f"Generated by `cognito-emulator import {source.name}`. Paste it into config.yaml beside UserPools:,",
              "then check it with `cognito-emulator check-config config.yaml`."]
    output = render(apis, header)
    try:
        # The text printed is what is checked: a rendering slip must not reach the user as a broken config.
        check_apis((yaml.safe_load(output) or {}).get("Apis") or [])
    except ConfigError as exc:  # pragma: no cover - translate() already validated the same data
        print(f"cognito-emulator import: internal error, the rendered config does not validate: {exc}",
              file=sys.stderr)
        return 1
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.out:
        return _write(Path(args.out), output, len(apis))
    sys.stdout.write(output)
    return 0


def _write(path: Path, output: str, count: int) -> int:
    if path.exists():
        # --out writes only the Apis: section; never clobber a whole config (pools, users) with it.
        try:
            existing = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            existing = False  # unreadable or not YAML: not ours to overwrite
        if existing is not None and (not isinstance(existing, Mapping) or set(existing) - {"Apis"}):
            print(f"cognito-emulator import: {path} exists and is not an Apis:-only file; not overwritten "
                  "(write elsewhere and paste the section in)", file=sys.stderr)
            return 1
    try:
        path.write_text(output, encoding="utf-8")
    except OSError as exc:
        print(f"cognito-emulator import: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"wrote {count} API{'s' if count != 1 else ''} to {path}", file=sys.stderr)
    return 0
