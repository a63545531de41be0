"""The verdict over a Lambda authorizer's output, or over its failure (pure).

Sources: AWS "Output from an Amazon API Gateway Lambda authorizer" and "Working with AWS Lambda
authorizers for HTTP APIs" (simple responses); IAM's policy evaluation for the policy document.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from emulator.gateway.authorizer_config import LambdaAuthorizer
from emulator.gateway.request import AuthRequest
from emulator.gateway.verdicts import Allow, Deny, listed, refuse, shown

# The one error text API Gateway maps to 401 (AWS blueprint: `raise Exception('Unauthorized')`);
# any other text, even "Unauthorized: expired", is a 500
# (github auth0-samples/jwt-rsa-aws-custom-authorizer#6).
UNAUTHORIZED_ERROR = "Unauthorized"
INVOKE_ACTION = "execute-api:Invoke"


class MalformedOutput(Exception):
    """The handler's output is not something API Gateway accepts; its message is the plain reason."""


def wildcard(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    """IAM matching: `*` any run of characters (including `/` and `:`), `?` exactly one."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(regex, 0 if case_sensitive else re.IGNORECASE | re.DOTALL)


def string_list(statement: dict, key: str) -> list[str] | None:
    """A statement's string-or-list field as a list; None when absent."""
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
    """The policy document's statements, each checked for a valid Effect."""
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
    """requestContext.authorizer of the integration event after an allowing policy."""
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
    """The verdict over an IAM policy response (REST, or HTTP without simple responses)."""
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


def decide_error(authorizer: LambdaAuthorizer, request: AuthRequest, error: BaseException,
                 timeout_seconds: float) -> Deny:
    """A handler that raised or ran past `timeout_seconds`: exactly "Unauthorized" is a 401, anything else a 500."""
    if str(error) == UNAUTHORIZED_ERROR:
        return refuse(request.protocol_type, "unauthorized",
                      f"Lambda authorizer '{authorizer.name}' raised \"Unauthorized\"")
    if isinstance(error, asyncio.TimeoutError | TimeoutError):
        why = f"did not answer within {timeout_seconds:g} s"
    else:
        why = f"raised {type(error).__name__}: {shown(str(error), 200)} (only the exact message " \
              "\"Unauthorized\" gives a 401)"
    return refuse(request.protocol_type, "error", f"Lambda authorizer '{authorizer.name}' {why}")


def missing_identity(authorizer: LambdaAuthorizer, request: AuthRequest, missing: list[str]) -> Deny:
    """A request lacking an identity source is refused without invoking the handler (AWS)."""
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
