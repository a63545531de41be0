"""Lambda authorizers: REST TOKEN / REQUEST and HTTP API REQUEST (payload 1.0 / 2.0, simple responses).

The events a handler receives and the verdict over what it returns are pure functions; the
only I/O is `lambda_runtime.invoke` and the result cache. Sources: AWS "Input to / Output from an
Amazon API Gateway Lambda authorizer", "Working with AWS Lambda authorizers for HTTP APIs".
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from emulator.gateway import lambda_runtime
from emulator.gateway.authorizers import (
    Allow,
    AuthRequest,
    Deny,
    LambdaAuthorizer,
    listed,
    refuse,
    shown,
)

# A Lambda function's default timeout is 3 s; a local Python handler's first call (imports, cold
# caches) can be slower than a warm Lambda, so the emulator is more patient. Past it: 500.
AUTHORIZER_TIMEOUT_SECONDS = 10.0
# The one error text API Gateway maps to 401 (AWS blueprint: `raise Exception('Unauthorized')`);
# any other text, even "Unauthorized: expired", is a 500
# (github auth0-samples/jwt-rsa-aws-custom-authorizer#6).
UNAUTHORIZED_ERROR = "Unauthorized"
INVOKE_ACTION = "execute-api:Invoke"


class MalformedOutput(Exception):
    """The handler's output is not something API Gateway accepts; its message is the plain reason."""


# ---------------------------------------------------------------------------------------------
# Identity sources
# ---------------------------------------------------------------------------------------------

def context_value(request: AuthRequest, path: str) -> Any:
    """`$context.a.b` / `context.a.b`: looked up in the event's requestContext, then in the request."""
    value: Any = request.event_context
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if value is not None:
        return value
    return {"routeKey": request.route_key, "stage": request.stage, "apiId": request.api_id,
            "requestId": request.request_id, "httpMethod": request.method, "path": request.path,
            "identity.sourceIp": request.source_ip, "http.sourceIp": request.source_ip}.get(path)


def source_value(request: AuthRequest, source: str) -> str | None:
    """The value of one identity source (REST `method.request.header.X` or HTTP `$request.header.X` ...)."""
    name = source.removeprefix("$").removeprefix("method.").removeprefix("request.")
    if name.startswith("header."):
        value = request.headers.get(name.removeprefix("header.").lower())
    elif name.startswith("querystring."):
        values = request.query.get(name.removeprefix("querystring."))
        value = values[-1] if values else None
    elif name.startswith("stageVariables."):
        value = request.stage_variables.get(name.removeprefix("stageVariables."))
    elif name.startswith("context."):
        found = context_value(request, name.removeprefix("context."))
        value = None if found is None else str(found)
    else:
        value = None
    return value if value else None  # an empty value counts as missing (AWS: empty token = unauthorized)


def identity_values(authorizer: LambdaAuthorizer, request: AuthRequest) -> tuple[list[str], list[str]]:
    """(the values of the identity sources present, the sources missing)."""
    values, missing = [], []
    for source in authorizer.identity_source:
        value = source_value(request, source)
        if value is None:
            missing.append(source)
        else:
            values.append(value)
    return values, missing


# ---------------------------------------------------------------------------------------------
# Events the handler receives (pure)
# ---------------------------------------------------------------------------------------------

def fallback_request_context(request: AuthRequest) -> dict:
    """A minimal requestContext when app.py supplies none (tests, or an event_context left empty)."""
    arn = request.method_arn.split(":")
    return {"accountId": arn[4] if len(arn) > 4 else "", "apiId": request.api_id, "stage": request.stage,
            "requestId": request.request_id, "httpMethod": request.method, "path": request.path,
            "resourcePath": request.route_key, "identity": {"sourceIp": request.source_ip}}


def token_event(request: AuthRequest, token: str) -> dict:
    return {"type": "TOKEN", "authorizationToken": token, "methodArn": request.method_arn}


def rest_request_event(request: AuthRequest) -> dict:
    """REST REQUEST authorizer event (payload 1.0 shape)."""
    query = {k: v[-1] for k, v in request.query.items() if v}
    return {
        "type": "REQUEST",
        "methodArn": request.method_arn,
        "resource": request.route_key.split(" ", 1)[-1],
        "path": request.path,
        "httpMethod": request.method,
        "headers": dict(request.headers),
        "multiValueHeaders": {k: [v] for k, v in request.headers.items()},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: list(v) for k, v in request.query.items()},
        "pathParameters": dict(request.path_parameters),
        "stageVariables": dict(request.stage_variables),
        "requestContext": dict(request.event_context) or fallback_request_context(request),
    }


def http_v1_request_event(request: AuthRequest, values: list[str]) -> dict:
    """HTTP API REQUEST authorizer, payload 1.0: the REST shape plus version and the joined identity."""
    joined = ",".join(values)
    return {"version": "1.0", **rest_request_event(request), "identitySource": joined,
            "authorizationToken": joined}


def http_v2_request_event(request: AuthRequest, values: list[str]) -> dict:
    """HTTP API REQUEST authorizer, payload 2.0; empty collections are left out, as in 2.0 proxy events."""
    headers = {k: v for k, v in request.headers.items() if k != "cookie"}
    cookies = [c.strip() for c in request.headers.get("cookie", "").split(";") if c.strip()]
    event: dict[str, Any] = {
        "version": "2.0",
        "type": "REQUEST",
        "routeArn": request.method_arn,
        "identitySource": values,
        "routeKey": request.route_key,
        "rawPath": request.path,
        "rawQueryString": urlencode([(k, v) for k, vs in request.query.items() for v in vs]),
        "headers": headers,
        "requestContext": dict(request.event_context) or fallback_request_context(request),
    }
    optional = {"cookies": cookies,
                "queryStringParameters": {k: ",".join(v) for k, v in request.query.items()},
                "pathParameters": dict(request.path_parameters),
                "stageVariables": dict(request.stage_variables)}
    event.update({k: v for k, v in optional.items() if v})
    return event


def build_event(authorizer: LambdaAuthorizer, request: AuthRequest, values: list[str]) -> dict:
    if authorizer.type == "TOKEN":
        return token_event(request, values[0] if values else "")
    if request.protocol_type != "HTTP":
        return rest_request_event(request)
    if authorizer.payload_format_version == "2.0":
        return http_v2_request_event(request, values)
    return http_v1_request_event(request, values)


# ---------------------------------------------------------------------------------------------
# The verdict over the handler's output (pure)
# ---------------------------------------------------------------------------------------------

def wildcard(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    """IAM matching: `*` any run of characters (including `/` and `:`), `?` exactly one."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(regex, 0 if case_sensitive else re.IGNORECASE | re.DOTALL)


def string_list(statement: dict, key: str) -> list[str] | None:
    value = statement.get(key)
    if value is None:
        return None
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(v, str) for v in items):
        raise MalformedOutput(f"policy statement {key} must be a string or a list of strings, "
                              f"got {shown(value)}")
    return items


def matches(statement: dict, key: str, target: str, case_sensitive: bool) -> bool:
    """Does the statement's Action/Resource (or NotAction/NotResource) cover `target`?"""
    positive, negative = string_list(statement, key), string_list(statement, "Not" + key)
    if (positive is None) == (negative is None):
        raise MalformedOutput(f"policy statement needs exactly one of {key} and Not{key}")
    patterns = positive if positive is not None else negative
    hit = any(wildcard(p, case_sensitive).fullmatch(target) for p in patterns or [])
    return hit if positive is not None else not hit


def statements(document: Any) -> list[dict]:
    if not isinstance(document, dict):
        raise MalformedOutput(f"policyDocument must be an object, got {shown(document)}")
    raw = document.get("Statement")
    items = raw if isinstance(raw, list) else [raw] if isinstance(raw, dict) else None
    if items is None or not all(isinstance(s, dict) for s in items):
        raise MalformedOutput(f"policyDocument.Statement must be a statement or a list of them, "
                              f"got {shown(raw)}")
    for item in items:
        if item.get("Effect") not in ("Allow", "Deny"):
            effect = shown(item.get("Effect"))
            raise MalformedOutput(f'policy statement Effect must be "Allow" or "Deny", got {effect}')
    return items


def evaluate_policy(document: Any, method_arn: str) -> tuple[str, list[str]]:
    """("allow" | "explicit_deny" | "no_allow", the Allow resources for the reason). IAM: an explicit
    Deny wins over any Allow; without a matching Allow the answer is no."""
    allowed_resources: list[str] = []
    verdict = "no_allow"
    for statement in statements(document):
        applies = matches(statement, "Action", INVOKE_ACTION, False) and \
            matches(statement, "Resource", method_arn, True)
        if statement["Effect"] == "Allow":
            allowed_resources += string_list(statement, "Resource") or []
        if applies and statement["Effect"] == "Deny":
            return "explicit_deny", allowed_resources
        if applies:
            verdict = "allow"
    return verdict, allowed_resources


def context_of(output: dict, protocol: str) -> dict:
    """The output's context. REST allows only string/number/boolean values (AWS: "you cannot set a JSON
    object or array as a valid value"); HTTP APIs pass arrays and maps through (AWS's HTTP API examples
    return "arrayKey" and "mapKey")."""
    context = output.get("context")
    if context is None:
        return {}
    if not isinstance(context, dict):
        raise MalformedOutput(f"context must be an object, got {shown(context)}")
    if protocol != "HTTP":
        for key, value in context.items():
            if value is None or not isinstance(value, str | int | float | bool):
                raise MalformedOutput(f"context value {key!r} is {shown(value)}; a REST authorizer's context "
                                      "values must be strings, numbers or booleans")
    return context


def rest_context_string(value: str | int | float | bool) -> str:
    """REST delivers every context value stringified: "1", "true" (AWS output docs)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def allow_context(request: AuthRequest, output: dict, context: dict, latency_ms: int) -> dict:
    if request.protocol_type == "HTTP":
        return {"lambda": context}
    strings = {k: rest_context_string(v) for k, v in context.items()}
    return {**strings, "principalId": str(output.get("principalId")), "integrationLatency": latency_ms}


def simple_response(authorizer: LambdaAuthorizer, request: AuthRequest, output: dict,
                    note: str) -> Allow | Deny:
    """HTTP API payload 2.0 with enableSimpleResponses: {"isAuthorized": bool, "context": {...}}."""
    authorized = output.get("isAuthorized")
    if not isinstance(authorized, bool):
        raise MalformedOutput(f"a simple response needs a boolean isAuthorized, got {shown(authorized)}")
    context = context_of(output, "HTTP")
    if not authorized:
        return refuse("HTTP", "forbidden", f"Lambda authorizer '{authorizer.name}' returned "
                                           f"isAuthorized false{note}")
    return Allow({"lambda": context})


def policy_response(authorizer: LambdaAuthorizer, request: AuthRequest, output: dict, latency_ms: int,
                    note: str) -> Allow | Deny:
    if request.protocol_type != "HTTP" and not isinstance(output.get("principalId"), str | int | float):
        # UNCONFIRMED: a REST authorizer's output "must include the principal identifier" (AWS docs)
        raise MalformedOutput(f"the output has no principalId (got {shown(output.get('principalId'))})")
    if "policyDocument" not in output:
        raise MalformedOutput("the output has no policyDocument")
    verdict, allowed = evaluate_policy(output["policyDocument"], request.method_arn)
    context = context_of(output, request.protocol_type)
    who = f"Lambda authorizer '{authorizer.name}' (principalId {shown(output.get('principalId'))})"
    if verdict == "explicit_deny":
        return refuse(request.protocol_type, "explicit_deny",
                      f"{who} returned a policy with a Deny statement matching {request.method_arn}{note}")
    if verdict == "no_allow":
        return refuse(request.protocol_type, "no_allow",
                      f"{who} returned a policy whose Allow resources {listed(allowed)} do not match "
                      f"{request.method_arn}{note}")
    principal = output.get("principalId")
    return Allow(allow_context(request, output, context, latency_ms),
                 principal_id=None if principal is None else str(principal))


def decide_output(authorizer: LambdaAuthorizer, request: AuthRequest, output: Any, latency_ms: int = 0,
                  note: str = "") -> Allow | Deny:
    """The verdict over a handler's return value. `note` adds e.g. where a cached result came from."""
    try:
        output = json.loads(json.dumps(output))  # what crosses the wire is JSON, as from a real Lambda
        if not isinstance(output, dict):
            raise MalformedOutput(f"the output must be a JSON object, got {shown(output)}")
        simple = request.protocol_type == "HTTP" and authorizer.enable_simple_responses \
            and authorizer.payload_format_version == "2.0"
        if simple:
            return simple_response(authorizer, request, output, note)
        return policy_response(authorizer, request, output, latency_ms, note)
    except (MalformedOutput, TypeError, ValueError) as exc:
        return refuse(request.protocol_type, "error",
                      f"Lambda authorizer '{authorizer.name}' returned a malformed response: {exc}")


def decide_error(authorizer: LambdaAuthorizer, request: AuthRequest, error: BaseException) -> Deny:
    """A handler that raised: exactly "Unauthorized" is a 401, anything else a 500."""
    if str(error) == UNAUTHORIZED_ERROR:
        return refuse(request.protocol_type, "unauthorized",
                      f"Lambda authorizer '{authorizer.name}' raised \"Unauthorized\"")
    if isinstance(error, asyncio.TimeoutError | TimeoutError):
        why = f"did not answer within {AUTHORIZER_TIMEOUT_SECONDS:g} s"
    else:
        why = f"raised {type(error).__name__}: {shown(str(error), 200)} (only the exact message " \
              "\"Unauthorized\" gives a 401)"
    return refuse(request.protocol_type, "error", f"Lambda authorizer '{authorizer.name}' {why}")


def missing_identity(authorizer: LambdaAuthorizer, request: AuthRequest, missing: list[str]) -> Deny:
    return refuse(request.protocol_type, "unauthorized",
                  f"Lambda authorizer '{authorizer.name}' was not invoked: identity source(s) "
                  f"{listed(missing)} missing or empty in the request")


def token_mismatch(authorizer: LambdaAuthorizer, request: AuthRequest, token: str) -> Deny | None:
    """TOKEN authorizers: a token not matching IdentityValidationExpression is refused without invoking."""
    expression = authorizer.identity_validation_expression
    if authorizer.type != "TOKEN" or not expression:
        return None
    try:
        if re.fullmatch(expression, token):
            return None
    except re.error:
        pass
    return refuse(request.protocol_type, "unauthorized",
                  f"Lambda authorizer '{authorizer.name}' was not invoked: the token does not match "
                  f"IdentityValidationExpression {shown(expression)}")


# ---------------------------------------------------------------------------------------------
# Invocation and the result cache
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CachedResult:
    output: Any
    stored_at: float
    expires_at: float
    method_arn: str


class LambdaAuthorizers:
    """Invokes Lambda authorizers and caches their outputs by identity-source values.

    As in AWS, the cached *output* (the policy) is reused for every route of the authorizer and
    re-evaluated against each request's ARN, so a policy naming one exact resource denies the others.
    """

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._cache: dict[tuple, CachedResult] = {}

    def clear(self) -> None:
        self._cache.clear()

    async def authorize(self, authorizer: LambdaAuthorizer, request: AuthRequest) -> Allow | Deny:
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
        event = build_event(authorizer, request, values)
        started = time.perf_counter()
        try:
            output = await lambda_runtime.invoke(authorizer.function, event, authorizer.function_name,
                                                 AUTHORIZER_TIMEOUT_SECONDS)
        except Exception as exc:  # the handler's failure is the authorizer's verdict, not a crash
            return decide_error(authorizer, request, exc)
        latency_ms = int((time.perf_counter() - started) * 1000)
        decision = decide_output(authorizer, request, output, latency_ms)
        if key is not None and not (isinstance(decision, Deny) and decision.status == 500):
            now = self._clock()
            expires = now + authorizer.result_ttl_seconds
            self._cache[key] = CachedResult(output, now, expires, request.method_arn)
        return decision

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
