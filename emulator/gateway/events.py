"""Lambda proxy events (payload 1.0 and 2.0) for a Python target, and the requestContext they carry.

All pure: the app hands in the request (built once) and its route, gets back plain dicts. Shapes
follow AWS's documented examples ("Working with AWS Lambda proxy integrations for HTTP APIs" for
2.0/1.0 and "Set up Lambda proxy integrations in API Gateway" for REST) and AWS's own test
fixtures (aws/aws-lambda-go events/testdata/apigw-*.json).
"""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import unquote

from emulator.gateway.request import IncomingRequest, Query, RouteInfo

ACCOUNT_ID = "123456789012"  # the same fake account the Lambda context reports


def request_time(epoch_ms: int) -> str:
    """"12/Mar/2020:19:03:58 +0000", the format of requestContext.time / requestTime."""
    return time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(epoch_ms / 1000))


def headers_v2(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Lower-case names, duplicates comma-joined; the cookie header goes to `cookies` instead."""
    out: dict[str, str] = {}
    for name, value in headers:
        key = name.lower()
        if key == "cookie":
            continue
        out[key] = f"{out[key]},{value}" if key in out else value
    return out


def cookies_v2(headers: Iterable[tuple[str, str]]) -> list[str]:
    """The 2.0 event's `cookies`: every cookie of every Cookie header."""
    return [c.strip() for k, v in headers if k.lower() == "cookie" for c in v.split(";") if c.strip()]


def headers_v1(headers: Iterable[tuple[str, str]]
               ) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    """(headers with the last value of each, multiValueHeaders with all), names as held; None if none."""
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in headers:
        single[name] = value
        multi.setdefault(name, []).append(value)
    return (single or None), (multi or None)


def query_v1(query: Query) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    """(queryStringParameters, multiValueQueryStringParameters); None if there are none."""
    # the doc's example keeps the last value ("multivalueName": "me")
    single = {name: values[-1] for name, values in query.items() if values}
    multi = {name: list(values) for name, values in query.items() if values}
    return (single or None), (multi or None)


def query_v2(query: Query) -> dict[str, str] | None:
    """2.0 queryStringParameters: repeated values comma-joined; None if there are none."""
    return {name: ",".join(values) for name, values in query.items() if values} or None


def encode_body(body: bytes) -> tuple[str | None, bool]:
    """(body, isBase64Encoded). Text that is valid UTF-8 goes as is, anything else Base64 (UNCONFIRMED:
    AWS decides by content type and binaryMediaTypes; UTF-8 validity is the practical equivalent)."""
    if not body:
        return None, False
    try:
        return body.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(body).decode("ascii"), True


def _stable_id(*parts: str, length: int = 6) -> str:
    digest = int(hashlib.sha256("\0".join(parts).encode()).hexdigest(), 16)
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    for _ in range(length):
        digest, i = divmod(digest, 36)
        out += alphabet[i]
    return out


def _domain_prefix(host: str, api_id: str) -> str:
    name = host.split(":")[0]
    first = name.split(".")[0]
    # For an IP or a bare name AWS would never be addressed by, report the API id as AWS would.
    return api_id if not first or first.isdigit() or name == first else first


def _identity(request: IncomingRequest, rest: bool) -> dict[str, Any]:
    """1.0 requestContext.identity: everything null except sourceIp and userAgent (no IAM here).
    REST also reports apiKey/apiKeyId (API keys are a REST feature)."""
    keys = {"apiKey": None, "apiKeyId": None} if rest else {}
    return {
        "cognitoIdentityPoolId": None,
        "accountId": None,
        "cognitoIdentityId": None,
        "caller": None,
        **keys,
        "accessKey": None,
        "sourceIp": request.source_ip,
        "cognitoAuthenticationType": None,
        "cognitoAuthenticationProvider": None,
        "userArn": None,
        "userAgent": request.header("user-agent") or "",
        "user": None,
        "principalOrgId": None,
    }


def request_context_v1(request: IncomingRequest, info: RouteInfo) -> dict[str, Any]:
    """requestContext of a 1.0 event, without `authorizer` (added once the authorizer allowed)."""
    rest = info.protocol_type == "REST"
    resource = info.resource_path if info.resource_path is not None else unquote(info.path)
    context: dict[str, Any] = {
        "accountId": ACCOUNT_ID,
        "apiId": info.api_id,
        "domainName": request.host,
        "domainPrefix": _domain_prefix(request.host, info.api_id),
        "extendedRequestId": request.extended_request_id,
        "httpMethod": request.method,
        "identity": _identity(request, rest),
        # REST reports the path with the stage ("/test/" for stage "test" in AWS's example).
        "path": unquote(request.raw_path),
        "protocol": request.protocol,
        "requestId": request.request_id,
        "requestTime": request_time(request.time_epoch_ms),
        "requestTimeEpoch": request.time_epoch_ms,
        "resourceId": _stable_id(info.api_id, resource) if rest else None,
        "resourcePath": resource,
        "stage": info.stage,
    }
    if rest:
        context["deploymentId"] = _stable_id(info.api_id, info.stage, "deployment")
    return context


def request_context_v2(request: IncomingRequest, info: RouteInfo) -> dict[str, Any]:
    """requestContext of a 2.0 event, without `authorizer`."""
    return {
        "accountId": ACCOUNT_ID,
        "apiId": info.api_id,
        "domainName": request.host,
        "domainPrefix": _domain_prefix(request.host, info.api_id),
        "http": {
            "method": request.method,
            "path": unquote(request.raw_path),
            "protocol": request.protocol,
            "sourceIp": request.source_ip,
            "userAgent": request.header("user-agent") or "",
        },
        "requestId": request.request_id,
        "routeKey": info.route_key,
        "stage": info.stage,
        "time": request_time(request.time_epoch_ms),
        "timeEpoch": request.time_epoch_ms,
    }


class RequestContexts:
    """One request's requestContext for each payload version, built on first use and then shared:
    the Lambda authorizer's event and the integration's event carry the same one. Read-only."""

    def __init__(self, request: IncomingRequest, info: RouteInfo) -> None:
        self.request = request
        self.info = info
        self._built: dict[str, dict[str, Any]] = {}

    def get(self, payload_format_version: str) -> Mapping[str, Any]:
        """The requestContext of a `payload_format_version` ("1.0" | "2.0") event."""
        context = self._built.get(payload_format_version)
        if context is None:
            build = request_context_v2 if payload_format_version == "2.0" else request_context_v1
            context = self._built[payload_format_version] = build(self.request, self.info)
        return context


def v1_authorizer_view(protocol_type: str, authorizer_context: Mapping[str, Any]) -> dict[str, Any]:
    """HTTP APIs with payload 1.0 show JWT results as {claims, scopes}, not under "jwt"."""
    if protocol_type == "HTTP" and "jwt" in authorizer_context:
        return dict(authorizer_context["jwt"])
    return dict(authorizer_context)


def build_event_v1(request: IncomingRequest, info: RouteInfo, authorizer_context: Mapping[str, Any] | None,
                   body: bytes = b"", context: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """1.0 event (REST, or HTTP APIs with payload 1.0); `context` is the request's shared requestContext."""
    headers, multi_headers = headers_v1(request.headers.items())
    query, multi_query = query_v1(request.query)
    context = dict(context if context is not None else request_context_v1(request, info))
    if authorizer_context is not None:
        context["authorizer"] = v1_authorizer_view(info.protocol_type, authorizer_context)
    encoded, is_b64 = encode_body(body)
    event: dict[str, Any] = {}
    if info.protocol_type == "HTTP":
        event["version"] = "1.0"
    event.update({
        "resource": context["resourcePath"],
        "path": unquote(info.path),
        "httpMethod": request.method,
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": dict(info.path_parameters) or None,
        "stageVariables": dict(info.stage_variables) or None,
        "requestContext": context,
        "body": encoded,
        "isBase64Encoded": is_b64,
    })
    return event


def build_event_v2(request: IncomingRequest, info: RouteInfo, authorizer_context: Mapping[str, Any] | None,
                   body: bytes = b"", context: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """2.0 event; optional fields are left out when empty, as AWS does."""
    context = dict(context if context is not None else request_context_v2(request, info))
    if authorizer_context is not None:
        context["authorizer"] = dict(authorizer_context)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": info.route_key,
        "rawPath": request.raw_path,
        "rawQueryString": request.raw_query,
    }
    header_pairs = request.headers.items()
    cookies = cookies_v2(header_pairs)
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers_v2(header_pairs)
    query = query_v2(request.query)
    if query:
        event["queryStringParameters"] = query
    event["requestContext"] = context
    encoded, is_b64 = encode_body(body)
    if encoded is not None:
        event["body"] = encoded
    if info.path_parameters:
        event["pathParameters"] = dict(info.path_parameters)
    event["isBase64Encoded"] = is_b64
    if info.stage_variables:
        event["stageVariables"] = dict(info.stage_variables)
    return event


def build_event(payload_format_version: str, request: IncomingRequest, info: RouteInfo,
                authorizer_context: Mapping[str, Any] | None, body: bytes = b"",
                context: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The event of a Python target for this payload format version."""
    if payload_format_version == "2.0":
        return build_event_v2(request, info, authorizer_context, body, context)
    return build_event_v1(request, info, authorizer_context, body, context)
