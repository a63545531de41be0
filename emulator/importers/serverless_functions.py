"""Lambda functions -> what the emulator runs: a Python handler becomes a `python:` spec, a Node.js handler whose
file is found beside serverless.yml a `node:` target; any other function's routes forward to an HTTP backend,
and it cannot be an authorizer here."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from emulator.importers.commented_yaml import Node
from emulator.importers.serverless_report import Report
from emulator.importers.serverless_values import stringify
from emulator.lambdas import targets

PLACEHOLDER_BACKEND = "http://127.0.0.1:3000"


class Refused(NamedTuple):
    """Why a function or an ARN cannot be used here."""

    reason: str


class Target(NamedTuple):
    """A route's Target, whether it is Lambda code the emulator runs (python: or node:), and its comment."""

    target: str
    lambda_code: bool
    comment: str | None

    def set_on(self, route: Node) -> None:
        """Write the Target (and its comment) on the route."""
        route["Target"] = self.target
        if self.comment:
            route.inline["Target"] = self.comment


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
        targets.parse_python(spec)
    except ValueError:
        return None
    return spec


def node_handler_target(handler: Any, base_dir: Path | None) -> str | None:
    """`src/auth.handler` -> `node:src/auth.mjs:handler` when that file (.js, .mjs or .cjs) is under `base_dir`."""
    if not isinstance(handler, str) or base_dir is None:
        return None
    module_path, dot, export = handler.strip().removeprefix("./").rpartition(".")
    if not dot or not module_path or not export:
        return None
    for suffix in targets.NODE_SUFFIXES:
        if (base_dir / f"{module_path}{suffix}").is_file():
            spec = f"{targets.NODE_PREFIX}{module_path}{suffix}:{export}"
            try:
                targets.parse_target(spec)
            except ValueError:
                return None
            return spec
    return None


class FunctionTargets:
    """The Target of each function of the service, decided (and warned about) once per function. `base_dir` is
    serverless.yml's folder, where Node.js handler files are looked for (None: text only, none is found)."""

    def __init__(self, provider: Mapping[str, Any], backend: str, report: Report,
                 base_dir: Path | None = None) -> None:
        self.provider = provider
        self.backend = backend
        self.report = report
        self.base_dir = base_dir
        self._targets: dict[str, Target] = {}

    def runtime(self, fn: Mapping[str, Any]) -> tuple[str, str | None]:
        """The function's runtime, and its handler as Lambda code the emulator runs (python: or node:), if any."""
        runtime = stringify(fn.get("runtime") or self.provider.get("runtime") or "nodejs (the default)")
        if runtime.startswith("python"):
            return runtime, python_handler_spec(fn.get("handler"))
        if runtime.startswith("nodejs"):
            return runtime, node_handler_target(fn.get("handler"), self.base_dir)
        return runtime, None

    def target(self, fn_name: str, fn: Mapping[str, Any]) -> Target:
        """The route Target for a function: its Python handler, else an HTTP placeholder (one warning)."""
        if fn_name not in self._targets:
            self._targets[fn_name] = self._decide(fn_name, fn)
        return self._targets[fn_name]

    def _decide(self, fn_name: str, fn: Mapping[str, Any]) -> Target:
        runtime, spec = self.runtime(fn)
        if fn.get("image") is not None:
            why = "is a container image"
        elif spec is not None:
            return Target(spec, True, None)
        elif runtime.startswith("python"):
            why = f"has handler {fn.get('handler')!r}, which is not path/module.function"
        elif runtime.startswith("nodejs") and self.base_dir is not None:
            why = f"runs {runtime}, and its handler {fn.get('handler')!r} has no .js/.mjs/.cjs file beside " \
                  "serverless.yml"
        else:
            why = f"runs {runtime}, not Python"
        placeholder = " (a placeholder)" if self.backend == PLACEHOLDER_BACKEND else ""
        self.report.warn(f"function {fn_name} {why}: its routes forward to {self.backend}{placeholder}; "
                         "serve it there or edit Target")
        return Target(self.backend, False, f"function {fn_name} {why}: serve it here{placeholder}")

    def authorizer_spec(self, fn_name: str, fn: Mapping[str, Any]) -> str | Refused:
        """The python: or node: target that runs the function as a Lambda authorizer, or why it cannot be one."""
        runtime, spec = self.runtime(fn)
        if spec is None:
            return Refused(f"its function {fn_name} runs {runtime} (handler {fn.get('handler')!r}); the "
                           "emulator runs Lambda authorizers as Python handlers, or Node.js handlers whose file "
                           "is beside serverless.yml")
        return spec
