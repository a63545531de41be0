"""Lambda authorizers' I/O: invoking the handler (with a timeout) and the result cache.

What the handler receives is lambda_authorizer_events', the verdict over what it returns
lambda_authorizer_verdict's; both are pure.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from emulator.gateway import lambda_runtime
from emulator.gateway.authorizer_config import LambdaAuthorizer
from emulator.gateway.lambda_authorizer_events import build_event, identity_values
from emulator.gateway.lambda_authorizer_verdict import decide_error, decide_output, missing_identity, token_mismatch
from emulator.gateway.request import AuthRequest
from emulator.gateway.verdicts import Allow, Deny, listed
from emulator.lambdas.invoker import LambdaInvoker

# A Lambda function's default timeout is 3 s; a local Python handler's first call (imports, cold
# caches) can be slower than a warm Lambda, so the emulator is more patient. Past it: 500.
AUTHORIZER_TIMEOUT_SECONDS = 10.0
# Lambda authorizer outputs kept at most (by identity); AWS bounds its cache by TTL only (UNCONFIRMED size).
MAX_CACHED_RESULTS = 4096


@dataclass(frozen=True)
class CachedResult:
    """A handler's output, kept for the authorizer's TTL."""

    output: Any
    stored_at: float
    expires_at: float
    method_arn: str


class LambdaAuthorizers:
    """Invokes Lambda authorizers and caches their outputs by identity-source values.

    As in AWS, the cached *output* (the policy) is reused for every route of the authorizer and
    re-evaluated against each request's ARN, so a policy naming one exact resource denies the others.
    """

    def __init__(self, clock: Callable[[], float] = time.time, invoker: LambdaInvoker | None = None) -> None:
        self._clock = clock
        self._invoker = invoker
        self._cache: dict[tuple, CachedResult] = {}

    def clear(self) -> None:
        """Forget every cached output."""
        self._cache.clear()

    async def authorize(self, authorizer: LambdaAuthorizer, request: AuthRequest) -> Allow | Deny:
        """The verdict over the handler's output, cached or fresh."""
        values, missing = identity_values(authorizer, request)
        if missing:
            return missing_identity(authorizer, request, missing)
        refused = token_mismatch(authorizer, request, values[0] if values else "")
        if refused is not None:
            return refused
        key = self._key(authorizer, request, values)
        cached = self._cached(key)
        if cached is not None:
            return decide_output(authorizer, request, cached.output, 0, self._cache_note(cached, values))
        return await self._invoke(authorizer, request, values, key)

    async def _invoke(self, authorizer: LambdaAuthorizer, request: AuthRequest, values: list[str],
                      key: tuple | None) -> Allow | Deny:
        # Through JSON as into a real Lambda: the handler gets its own copy, so nothing it changes
        # reaches the requestContext the integration's event shares.
        event = json.loads(json.dumps(build_event(authorizer, request, values)))
        started = time.perf_counter()
        try:
            output = await lambda_runtime.invoke(authorizer.function, event, authorizer.function_name,
                                                 AUTHORIZER_TIMEOUT_SECONDS, self._invoker)
        except Exception as exc:  # the handler's failure is the authorizer's verdict, not a crash
            return decide_error(authorizer, request, exc, AUTHORIZER_TIMEOUT_SECONDS)
        latency_ms = int((time.perf_counter() - started) * 1000)
        decision = decide_output(authorizer, request, output, latency_ms)
        if key is not None and not (isinstance(decision, Deny) and decision.status == 500):
            now = self._clock()
            expires = now + authorizer.result_ttl_seconds
            self._remember(key, CachedResult(output, now, expires, request.method_arn))
        return decision

    def _remember(self, key: tuple, result: CachedResult) -> None:
        # Bounded: a client sending a new token per request must not grow the process without end. Expired
        # outputs go first, then the oldest stored (a dict keeps insertion order).
        if len(self._cache) >= MAX_CACHED_RESULTS:
            now = self._clock()
            for stale in [k for k, v in self._cache.items() if v.expires_at <= now]:
                del self._cache[stale]
            while len(self._cache) >= MAX_CACHED_RESULTS:
                del self._cache[next(iter(self._cache))]
        self._cache.pop(key, None)
        self._cache[key] = result

    @staticmethod
    def _key(authorizer: LambdaAuthorizer, request: AuthRequest, values: list[str]) -> tuple | None:
        """Caching needs a TTL above 0 and at least one identity source (AWS)."""
        if authorizer.result_ttl_seconds <= 0 or not values:
            return None
        return request.api_id, request.stage, authorizer.name, tuple(values)

    def _cached(self, key: tuple | None) -> CachedResult | None:
        if key is None:
            return None
        cached = self._cache.get(key)
        if cached is None or cached.expires_at <= self._clock():
            self._cache.pop(key, None)
            return None
        return cached

    def _cache_note(self, cached: CachedResult, values: list[str]) -> str:
        age = int(self._clock() - cached.stored_at)
        return (f" (result cached {age} s ago for identity {listed(values)} when the request was for "
                f"{cached.method_arn}; a cached policy applies to every method of the authorizer)")
