"""Python handlers in process: `handler(event, context)`, sync or async, imported from the config's folder."""

from __future__ import annotations

import asyncio
import copy
import importlib
import inspect
import json
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from emulator.lambdas.context import LambdaContext, function_label
from emulator.lambdas.handler_threads import HANDLER_THREADS
from emulator.lambdas.outcomes import NOT_FOUND, BadPayload, FunctionError, Outcome, Returned, TimedOut, Unreachable
from emulator.lambdas.targets import PYTHON_PREFIX, PythonTarget, parse_python

__all__ = ["PYTHON_PREFIX", "call", "invoke", "load_function", "parse_spec"]

parse_spec = parse_python


def load_function(spec: str, base_dir: Path | None = None) -> Callable[..., Any]:
    """Import the handler named by `spec`; `base_dir` (the config file's folder) goes on sys.path first.

    Raises ValueError with a plain reason; config loading turns it into a ConfigError naming the key path."""
    module_name, function_name = parse_python(spec)
    if base_dir is not None:
        folder = str(Path(base_dir).resolve())
        if folder not in sys.path:
            sys.path.insert(0, folder)
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # any import-time failure is a config problem, not a crash
        searched = f" (searched {base_dir} and sys.path)" if base_dir is not None else ""
        raise ValueError(f"cannot import module {module_name!r}{searched}: {type(exc).__name__}: {exc}") from exc
    function = getattr(module, function_name, None)
    if function is None:
        raise ValueError(f"module {module_name!r} has no attribute {function_name!r}")
    if not callable(function):
        raise ValueError(f"{module_name}.{function_name} is not callable")
    return function


async def invoke(function: Callable[..., Any], event: dict, function_name: str, timeout_seconds: float) -> Any:
    """Call `function(event, context)` from async code (the gateway's use); sync handlers run on a worker
    thread (handler_threads). The handler's own exception propagates; TimeoutError past `timeout_seconds`."""
    context = LambdaContext(function_name=function_label(function_name), timeout_seconds=timeout_seconds)
    async with asyncio.timeout(timeout_seconds):  # wait_for would wrap the call in a task of its own
        if inspect.iscoroutinefunction(function):
            result = await function(event, context)
        else:
            result = await HANDLER_THREADS.run(function, event, context)
    if inspect.isawaitable(result):  # a sync function returning a coroutine (e.g. a wrapped async def)
        remaining = max(0.001, context.get_remaining_time_in_millis() / 1000)
        async with asyncio.timeout(remaining):
            result = await result
    return result


def call(target: PythonTarget, base_dir: Path, event: dict[str, Any], context: LambdaContext) -> Outcome:
    """Run the handler in a thread of its own, from sync code, as Lambda would: the event is a copy, the result
    must be JSON, and past the context's time the caller gets TimedOut (the thread cannot be killed: its late
    result is dropped)."""
    try:
        function = load_function(target.label, base_dir)
    except ValueError as exc:
        return Unreachable(NOT_FOUND, str(exc))
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            result = function(copy.deepcopy(event), context)
            if inspect.isawaitable(result):
                result = asyncio.run(_awaited(result))
            box["result"] = result
        except Exception as exc:  # the handler's own failure: Lambda reports it as a function error
            box["error"] = exc

    worker = threading.Thread(target=run, name=f"lambda {target.label}", daemon=True)
    worker.start()
    worker.join(context.timeout_seconds)
    if worker.is_alive():
        return TimedOut(context.timeout_seconds)
    if "error" in box:
        exc = box["error"]
        return FunctionError(type(exc).__name__, str(exc))
    try:
        return Returned(json.loads(json.dumps(box.get("result"))))
    except (TypeError, ValueError) as exc:
        return BadPayload(str(exc))


async def _awaited(value: Any) -> Any:
    return await value
