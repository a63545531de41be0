"""What one invocation came to, whatever ran it: a payload, the function's own error, a timeout, a payload
that is not JSON, or no invocation at all (nothing to run, or it could not be reached)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Returned:
    payload: Any  # already a JSON value (what the function's result serialises to)


@dataclass(frozen=True)
class FunctionError:
    """The handler threw or called back with an error (Lambda's X-Amz-Function-Error)."""

    error_type: str
    message: str


@dataclass(frozen=True)
class TimedOut:
    seconds: float


@dataclass(frozen=True)
class BadPayload:
    """The function answered something that is not JSON."""

    detail: str


@dataclass(frozen=True)
class Unreachable:
    """No invocation happened: `code` is the Lambda service error a caller would see, `detail` the why."""

    code: str
    detail: str


Outcome = Returned | FunctionError | TimedOut | BadPayload | Unreachable

# Lambda service error codes (the Invoke API's), used when the emulator itself cannot invoke the function.
NOT_FOUND = "ResourceNotFoundException"  # no such function (unmapped ARN, missing file or module)
SERVICE = "ServiceException"  # the runtime could not run it (no `node`, endpoint down)


def describe(outcome: Outcome) -> str:
    """One line for logs and reasons."""
    if isinstance(outcome, Returned):
        return "returned"
    if isinstance(outcome, FunctionError):
        return f"threw {outcome.error_type}: {outcome.message}"
    if isinstance(outcome, TimedOut):
        return f"timed out after {outcome.seconds:g} s"
    if isinstance(outcome, BadPayload):
        return f"answered a payload that is not JSON ({outcome.detail})"
    return f"could not be invoked ({outcome.code}: {outcome.detail})"
