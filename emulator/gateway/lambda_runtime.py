"""The gateway's way into the one Lambda invoker (emulator/lambdas): route integrations and Lambda authorizers
name their code as triggers do, `python:module:function` (loaded at start, awaited in process),
`node:path/file.js:export` or `invoke:http://host:port:Name` (run by the runtime's invoker). Every failure
surfaces as an exception, which the gateway maps to API Gateway's answer for a failed integration or authorizer.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from emulator.lambdas.context import FAKE_ACCOUNT, FAKE_REGION, LambdaContext, function_label
from emulator.lambdas.invoker import LambdaInvoker
from emulator.lambdas.node_runtime import node_problem
from emulator.lambdas.outcomes import BadPayload, FunctionError, Returned, TimedOut, describe
from emulator.lambdas.python_runtime import invoke as invoke_python_function
from emulator.lambdas.python_runtime import load_function
from emulator.lambdas.targets import NodeTarget, PythonTarget, is_target, parse_target

__all__ = ["FAKE_ACCOUNT", "FAKE_REGION", "LambdaContext", "LambdaFailure", "function_label", "invoke",
           "is_target", "load_function", "load_target"]


class LambdaFailure(Exception):
    """A node: or invoke: function did not answer with a payload (it threw, its answer was not JSON, or it could
    not be reached); the message says which, as a handler's own exception would."""


def load_target(spec: str, base_dir: Path | None) -> Callable[..., Any] | None:
    """At start: the loaded handler of a python: target (None for node:/invoke:, run by the invoker);
    ValueError with the reason when it cannot run at all (so a typo fails before any port opens)."""
    target = parse_target(spec)
    if isinstance(target, PythonTarget):
        return load_function(spec, base_dir)
    if isinstance(target, NodeTarget):
        problem = node_problem(target, base_dir or Path.cwd())
        if problem:
            raise ValueError(problem)
    return None


async def invoke(function: Callable[..., Any] | None, event: dict, function_name: str, timeout_seconds: float,
                 invoker: LambdaInvoker | None = None) -> Any:
    """What the function returns for `event`. A python handler's own exception propagates; TimeoutError past
    `timeout_seconds`; LambdaFailure for a node:/invoke: function that failed otherwise."""
    if function is not None:
        return await invoke_python_function(function, event, function_name, timeout_seconds)
    if invoker is None:
        raise LambdaFailure(f"{function_name} needs the runtime's Lambda invoker, and this gateway has none")
    outcome = await invoker.acall(parse_target(function_name), event, timeout_seconds)
    if isinstance(outcome, Returned):
        return outcome.payload
    if isinstance(outcome, TimedOut):
        raise TimeoutError(describe(outcome))
    if isinstance(outcome, FunctionError | BadPayload):
        raise LambdaFailure(describe(outcome))
    raise LambdaFailure(describe(outcome))
