"""What a Lambda authorizer's handler receives (pure): its identity-source values and its event.

TOKEN events, REST REQUEST events and HTTP API REQUEST events in payload 1.0 and 2.0, as AWS's
"Input to an Amazon API Gateway Lambda authorizer" and "Working with AWS Lambda authorizers for
HTTP APIs" show them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from emulator.gateway.authorizer_config import LambdaAuthorizer
from emulator.gateway.events import cookies_v2, headers_v1, headers_v2
from emulator.gateway.request import AuthRequest, header_value


def context_value(request: AuthRequest, path: str) -> Any:
    """`$context.a.b` / `context.a.b`: looked up in the event's requestContext, then in the request."""
    value: Any = request.event_context
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    if value is not None:
        return value
    return {"routeKey": request.route_key, "stage": request.stage, "apiId": request.api_id,
            "requestId": request.request_id, "httpMethod": request.method, "path": request.path,
            "identity.sourceIp": request.source_ip, "http.sourceIp": request.source_ip}.get(path)


def source_value(request: AuthRequest, source: str) -> str | None:
    """The value of one identity source (REST `method.request.header.X` or HTTP `$request.header.X` ...)."""
    name = source.removeprefix("$").removeprefix("method.").removeprefix("request.")
    if name.startswith("header."):
        value = header_value(request.headers, name.removeprefix("header."))
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


def fallback_request_context(request: AuthRequest) -> dict:
    """A minimal requestContext when app.py supplies none (tests, or an event_context left empty)."""
    arn = request.method_arn.split(":")
    return {"accountId": arn[4] if len(arn) > 4 else "", "apiId": request.api_id, "stage": request.stage,
            "requestId": request.request_id, "httpMethod": request.method, "path": request.path,
            "resourcePath": request.route_key, "identity": {"sourceIp": request.source_ip}}


def token_event(request: AuthRequest, token: str) -> dict:
    """REST TOKEN authorizer event."""
    return {"type": "TOKEN", "authorizationToken": token, "methodArn": request.method_arn}


def rest_request_event(request: AuthRequest) -> dict:
    """REST REQUEST authorizer event: headers and query as in the 1.0 proxy event of the same request."""
    query = {k: v[-1] for k, v in request.query.items() if v}
    headers, multi_headers = headers_v1(request.headers.items())
    return {
        "type": "REQUEST",
        "methodArn": request.method_arn,
        "resource": request.route_key.split(" ", 1)[-1],
        "path": request.path,
        "httpMethod": request.method,
        "headers": headers or {},
        "multiValueHeaders": multi_headers or {},
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
    header_pairs = request.headers.items()
    event: dict[str, Any] = {
        "version": "2.0",
        "type": "REQUEST",
        "routeArn": request.method_arn,
        "identitySource": values,
        "routeKey": request.route_key,
        "rawPath": request.path,
        "rawQueryString": urlencode([(k, v) for k, vs in request.query.items() for v in vs]),
        "headers": headers_v2(header_pairs),
        "requestContext": dict(request.event_context) or fallback_request_context(request),
    }
    optional = {"cookies": cookies_v2(header_pairs),
                "queryStringParameters": {k: ",".join(v) for k, v in request.query.items()},
                "pathParameters": dict(request.path_parameters),
                "stageVariables": dict(request.stage_variables)}
    event.update({k: v for k, v in optional.items() if v})
    return event


def build_event(authorizer: LambdaAuthorizer, request: AuthRequest, values: list[str]) -> dict:
    """The event for this authorizer's type, protocol and payload format version."""
    if authorizer.type == "TOKEN":
        return token_event(request, values[0] if values else "")
    if request.protocol_type != "HTTP":
        return rest_request_event(request)
    if authorizer.payload_format_version == "2.0":
        return http_v2_request_event(request, values)
    return http_v1_request_event(request, values)
