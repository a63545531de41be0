"""Load and call local Python functions the way Lambda calls a handler: `handler(event, context)`.

Used by route integrations (`Target: python:...`) and by Lambda authorizers (`AuthorizerUri`).
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PYTHON_PREFIX = "python:"
FAKE_REGION = "us-east-1"
FAKE_ACCOUNT = "123456789012"


def parse_spec(spec: str) -> tuple[str, str]:
    """Split "python:pkg.module:function" (prefix optional) into (module, function) or raise ValueError."""
    text = spec[len(PYTHON_PREFIX):] if spec.startswith(PYTHON_PREFIX) else spec
    module, sep, function = text.rpartition(":")
    if not sep or not module or not function:
        raise ValueError(f"{spec!r} is not of the form python:package.module:function")
    if not all(part.isidentifier() for part in module.split(".")) or not function.isidentifier():
        raise ValueError(f"{spec!r} is not of the form python:package.module:function")
    return module, function


def load_function(spec: str, base_dir: Path | None = None) -> Callable[..., Any]:
    """Import the handler named by `spec`; `base_dir` (the config file's folder) goes on sys.path first.

    Raises ValueError with a plain reason; config.py turns it into a ConfigError naming the key path.
    """
    module_name, function_name = parse_spec(spec)
    if base_dir is not None:
        folder = str(Path(base_dir).resolve())
        if folder not in sys.path:
            sys.path.insert(0, folder)
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # any import-time failure is a config problem, not a crash
        searched = f" (searched {base_dir} and sys.path)" if base_dir is not None else ""
        detail = f"{type(exc).__name__}: {exc}"
        raise ValueError(f"cannot import module {module_name!r}{searched}: {detail}") from exc
    function = getattr(module, function_name, None)
    if function is None:
        raise ValueError(f"module {module_name!r} has no attribute {function_name!r}")
    if not callable(function):
        raise ValueError(f"{module_name}.{function_name} is not callable")
    return function


@dataclass
class LambdaContext:
    """The attributes of the Python Lambda runtime's context object that handlers commonly read."""

    function_name: str
    timeout_seconds: float
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 128
    _deadline: float = 0.0

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_seconds

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{FAKE_REGION}:{FAKE_ACCOUNT}:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return f"{time.strftime('%Y/%m/%d')}/[$LATEST]{self.aws_request_id.replace('-', '')}"

    identity: Any = None
    client_context: Any = None

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def function_label(function_name: str) -> str:
    """A Lambda-like name from a spec: "python:auth.handlers:authorize" -> "auth-handlers-authorize"."""
    try:
        module, function = parse_spec(function_name)
    except ValueError:
        return function_name
    return f"{module.replace('.', '-')}-{function}"


async def invoke(
    function: Callable[..., Any], event: dict, function_name: str, timeout_seconds: float
) -> Any:
    """Call `function(event, context)`; sync handlers run in a worker thread so the server keeps serving.

    The handler's own exception propagates; asyncio.TimeoutError is raised past `timeout_seconds`
    (a sync handler's thread cannot be killed, it finishes in the background and its result is dropped).
    """
    context = LambdaContext(function_name=function_label(function_name), timeout_seconds=timeout_seconds)
    if inspect.iscoroutinefunction(function):
        call = function(event, context)
    else:
        call = asyncio.to_thread(function, event, context)
    result = await asyncio.wait_for(call, timeout=timeout_seconds)
    if inspect.isawaitable(result):  # a sync function returning a coroutine (e.g. a wrapped async def)
        remaining = max(0.001, context.get_remaining_time_in_millis() / 1000)
        result = await asyncio.wait_for(result, timeout=remaining)
    return result
