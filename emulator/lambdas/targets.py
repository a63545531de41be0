"""Naming Lambda code (pure): how a config names a function to run, and how AWS ARNs map onto those names.

    python:package.module:function          imported and called in process
    node:path/to/file.js:exportName         run by `node` (path relative to the config file's folder;
                                            .js, .mjs or .cjs)
    invoke:http://127.0.0.1:3001:Name       POST {endpoint}/2015-03-31/functions/Name/invocations

A pool's LambdaConfig names functions by ARN, as AWS does; the top-level `Functions` mapping says which
local target runs each (keyed by ARN or by function name). A LambdaConfig value may also be a target itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

PYTHON_PREFIX = "python:"
NODE_PREFIX = "node:"
INVOKE_PREFIX = "invoke:"
PREFIXES = (PYTHON_PREFIX, NODE_PREFIX, INVOKE_PREFIX)
NODE_SUFFIXES = (".js", ".mjs", ".cjs")

# arn:aws:lambda:<region>:<account>:function:<name>[:<version or alias>] (AWS Lambda's ARN form).
FUNCTION_ARN = re.compile(r"arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:([A-Za-z0-9_-]{1,64})(:[\w$-]+)?")
IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*")


@dataclass(frozen=True)
class PythonTarget:
    module: str
    function: str

    @property
    def label(self) -> str:
        return f"{PYTHON_PREFIX}{self.module}:{self.function}"


@dataclass(frozen=True)
class NodeTarget:
    path: str  # as written: relative to the config file's folder, or absolute
    export: str

    @property
    def label(self) -> str:
        return f"{NODE_PREFIX}{self.path}:{self.export}"


@dataclass(frozen=True)
class InvokeTarget:
    endpoint: str  # scheme://host:port, no trailing slash
    function: str

    @property
    def label(self) -> str:
        return f"{INVOKE_PREFIX}{self.endpoint}:{self.function}"


Target = PythonTarget | NodeTarget | InvokeTarget


def is_target(text: str) -> bool:
    """Whether `text` names a local target (rather than an ARN or a function name)."""
    return text.startswith(PREFIXES)


def parse_target(text: str) -> Target:
    """The target `text` names; ValueError with the expected form otherwise."""
    if text.startswith(PYTHON_PREFIX):
        module, function = parse_python(text)
        return PythonTarget(module, function)
    if text.startswith(NODE_PREFIX):
        path, sep, export = text[len(NODE_PREFIX):].rpartition(":")
        if not sep or not path.endswith(NODE_SUFFIXES) or not IDENTIFIER.fullmatch(export):
            raise ValueError(f"{text!r} is not of the form node:path/to/file.js:exportName (.js, .mjs or .cjs)")
        return NodeTarget(path, export)
    if text.startswith(INVOKE_PREFIX):
        endpoint, sep, function = text[len(INVOKE_PREFIX):].rpartition(":")
        parts = urlsplit(endpoint)
        if (not sep or parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/")
                or not re.fullmatch(r"[\w-]{1,64}", function) or (function.isdigit() and parts.port is None)):
            raise ValueError(f"{text!r} is not of the form invoke:http://host:port:FunctionName")
        return InvokeTarget(endpoint.rstrip("/"), function)
    raise ValueError(f"{text!r} names no runtime: use {PYTHON_PREFIX}package.module:function, "
                     f"{NODE_PREFIX}path/file.js:export or {INVOKE_PREFIX}http://host:port:FunctionName")


def parse_python(spec: str) -> tuple[str, str]:
    """Split "python:pkg.module:function" (prefix optional) into (module, function) or raise ValueError."""
    text = spec[len(PYTHON_PREFIX):] if spec.startswith(PYTHON_PREFIX) else spec
    module, sep, function = text.rpartition(":")
    if (not sep or not module or not all(part.isidentifier() for part in module.split("."))
            or not function.isidentifier()):
        raise ValueError(f"{spec!r} is not of the form python:package.module:function")
    return module, function


def function_name(reference: str) -> str:
    """The Lambda function name of an ARN or a plain name; a target's own label otherwise."""
    found = FUNCTION_ARN.fullmatch(reference)
    return found.group(1) if found else reference


def resolve(reference: str, functions: Mapping[str, str]) -> Target:
    """The local target that runs `reference` (a LambdaConfig value): itself when it is a target, else the
    `Functions` entry for its ARN or its function name. ValueError says what is missing."""
    if is_target(reference):
        return parse_target(reference)
    if reference in functions:
        return parse_target(functions[reference])
    name = function_name(reference)
    if name in functions:
        return parse_target(functions[name])
    if FUNCTION_ARN.fullmatch(reference) is None and ":" in reference:
        raise ValueError(f"{reference!r} is neither a Lambda function ARN nor a local target "
                         f"({PYTHON_PREFIX}..., {NODE_PREFIX}..., {INVOKE_PREFIX}...)")
    raise ValueError(f"{reference!r} has no entry in Functions (by ARN or by the name '{name}'); map it to a "
                     "local target, e.g. Functions: {" + name + ": node:triggers/" + name + ".js:handler}")
