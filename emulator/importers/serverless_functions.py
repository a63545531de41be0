"""Lambda functions -> what the emulator runs: a Python handler becomes a `python:` spec; any other
function's routes forward to an HTTP backend, and it cannot be an authorizer here."""

from __future__ import annotations

from collections.abc import Mapping
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
    """A route's Target, whether it is a Python handler, and the comment that goes beside it."""

    target: str
    python: bool
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


class FunctionTargets:
    """The Target of each function of the service, decided (and warned about) once per function."""

    def __init__(self, provider: Mapping[str, Any], backend: str, report: Report) -> None:
        self.provider = provider
        self.backend = backend
        self.report = report
        self._targets: dict[str, Target] = {}

    def runtime(self, fn: Mapping[str, Any]) -> tuple[str, str | None]:
        """The function's runtime, and its handler as a python: spec when the runtime is Python's."""
        runtime = stringify(fn.get("runtime") or self.provider.get("runtime") or "nodejs (the default)")
        return runtime, python_handler_spec(fn.get("handler")) if runtime.startswith("python") else None

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
        else:
            why = f"runs {runtime}, not Python"
        placeholder = " (a placeholder)" if self.backend == PLACEHOLDER_BACKEND else ""
        self.report.warn(f"function {fn_name} {why}: its routes forward to {self.backend}{placeholder}; "
                         "serve it there or edit Target")
        return Target(self.backend, False, f"function {fn_name} {why}: serve it here{placeholder}")

    def authorizer_spec(self, fn_name: str, fn: Mapping[str, Any]) -> str | Refused:
        """The python: spec that runs the function as a Lambda authorizer, or why it cannot be one."""
        runtime, spec = self.runtime(fn)
        if spec is None:
            return Refused(f"its function {fn_name} runs {runtime} (handler {fn.get('handler')!r}); the "
                           "emulator runs Lambda authorizers only as Python handlers")
        return spec
