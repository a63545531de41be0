"""The context object Lambda hands a handler, with the fields AWS's runtimes give it."""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field
from typing import Any

from emulator.request_ids import random_uuid4

FAKE_REGION = "us-east-1"
FAKE_ACCOUNT = "123456789012"


@dataclass
class LambdaContext:
    """The Python runtime's context attributes that handlers commonly read; `to_node()` gives Node's names."""

    function_name: str
    timeout_seconds: float
    aws_request_id: str = field(default_factory=lambda: str(random_uuid4()))
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 128
    identity: Any = None
    client_context: Any = None
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

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))

    def to_node(self) -> dict[str, Any]:
        """The Node.js runtime's context fields (its worker adds getRemainingTimeInMillis and the callbacks)."""
        return {"functionName": self.function_name, "functionVersion": self.function_version,
                "invokedFunctionArn": self.invoked_function_arn, "memoryLimitInMB": str(self.memory_limit_in_mb),
                "awsRequestId": self.aws_request_id, "logGroupName": self.log_group_name,
                "logStreamName": self.log_stream_name,
                "remainingMs": self.get_remaining_time_in_millis()}


@functools.lru_cache(maxsize=1024)  # pure, and asked on every gateway invocation
def function_label(function_name: str) -> str:
    """A Lambda-like name from a target: "python:auth.handlers:authorize" -> "auth-handlers-authorize",
    "node:triggers/pre.js:handler" -> "pre-handler"; an ARN's or a plain name's function name as it is."""
    from emulator.lambdas.targets import FUNCTION_ARN, NodeTarget, PythonTarget, is_target, parse_target

    found = FUNCTION_ARN.fullmatch(function_name)
    if found:
        return found.group(1)
    if not is_target(function_name):
        try:  # the gateway's bare "module:function" form
            from emulator.lambdas.targets import parse_python
            module, function = parse_python(function_name)
            return f"{module.replace('.', '-')}-{function}"
        except ValueError:
            return function_name
    try:
        target = parse_target(function_name)
    except ValueError:
        return function_name
    if isinstance(target, PythonTarget):
        return f"{target.module.replace('.', '-')}-{target.function}"
    if isinstance(target, NodeTarget):
        stem = target.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        return f"{stem}-{target.export}"
    return target.function
