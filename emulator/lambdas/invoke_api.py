"""Functions served by another local tool through the Lambda Invoke API
(`POST {endpoint}/2015-03-31/functions/{name}/invocations`), as `sam local start-lambda`, serverless-offline
and LocalStack expose it. A function error is a 200 answer with `X-Amz-Function-Error` and the error payload
{errorMessage, errorType}; anything but 200 is an error of the Lambda service itself."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING
from urllib.parse import quote

from emulator.lambdas.outcomes import SERVICE, BadPayload, FunctionError, Outcome, Returned, TimedOut, Unreachable
from emulator.lambdas.targets import InvokeTarget

if TYPE_CHECKING:
    import httpx


def invocation_url(target: InvokeTarget) -> str:
    return f"{target.endpoint}/2015-03-31/functions/{quote(target.function, safe='')}/invocations"


def call(target: InvokeTarget, event: dict, timeout_seconds: float) -> Outcome:
    """One RequestResponse invocation, bounded by `timeout_seconds` overall."""
    import httpx  # ~40 ms with what it pulls in: imported by the first invoke: target, not on every start

    try:
        response = httpx.post(invocation_url(target), content=json.dumps(event).encode(),
                              headers={"Content-Type": "application/json",
                                       "X-Amz-Invocation-Type": "RequestResponse"},
                              timeout=timeout_seconds)
    except httpx.TimeoutException:
        return TimedOut(timeout_seconds)
    except httpx.HTTPError as exc:
        return Unreachable(SERVICE, f"{invocation_url(target)} cannot be reached: {type(exc).__name__}: {exc}")
    if response.status_code != 200:
        return Unreachable(_service_error_code(response), f"{invocation_url(target)} answered HTTP "
                                                          f"{response.status_code}: {response.text[:200]}")
    try:
        payload = json.loads(response.content) if response.content.strip() else None
    except ValueError as exc:
        return BadPayload(f"{exc}: {response.text[:100]!r}")
    if response.headers.get("X-Amz-Function-Error"):
        body = payload if isinstance(payload, dict) else {}
        return FunctionError(str(body.get("errorType") or response.headers["X-Amz-Function-Error"]),
                             str(body.get("errorMessage") or payload))
    return Returned(payload)


def _service_error_code(response: httpx.Response) -> str:
    """The Lambda error code of a non-200 answer: x-amzn-ErrorType, or the body's __type / Type."""
    header = response.headers.get("x-amzn-ErrorType", "").split(":", 1)[0]
    if header:
        return header
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        for key in ("__type", "Type", "code"):
            if isinstance(body.get(key), str) and body[key]:
                return body[key].rsplit("#", 1)[-1]
    return SERVICE
