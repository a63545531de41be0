"""Lambda proxy events (payload 1.0 and 2.0) and the mapping of a handler's result to an HTTP response.

All pure: the app hands in a plain view of the request, gets back plain dicts and GatewayResponses.
Shapes follow AWS's documented examples ("Working with AWS Lambda proxy integrations for HTTP
APIs" for 2.0/1.0 and "Set up Lambda proxy integrations in API Gateway" for REST) and AWS's own
test fixtures (aws/aws-lambda-go events/testdata/apigw-*.json).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

ACCOUNT_ID = "123456789012"  # the same fake account the Lambda context reports
MAX_BODY_BYTES = 10 * 1024 * 1024  # "Payload size 10 MB", HTTP API and REST quotas pages

Headers = tuple[tuple[str, str], ...]


# --- the gateway's own error responses: one table, one place -------------------------------------

@dataclass(frozen=True)
class ErrorShape:
    status: int
    body: bytes  # exact bytes: REST's Lambda errors carry a space after the colon, HTTP API's do not
    error_type: str | None = None  # REST's x-amzn-ErrorType
    content_type: str = "application/json"


ERRORS: dict[tuple[str, str], ErrorShape] = {
    # No route. HTTP: AWS_BEHAVIOR §7. REST: gateway response MISSING_AUTHENTICATION_TOKEN (403).
    ("HTTP", "no_route"): ErrorShape(404, b'{"message":"Not Found"}'),
    ("REST", "no_route"): ErrorShape(403, b'{"message":"Missing Authentication Token"}',
                                     "MissingAuthenticationTokenException"),
    # Handler raised or returned a malformed result. HTTP: "Troubleshooting issues with HTTP API
    # Lambda integrations" ({"message":"Internal Server Error"}, 500). REST: 502 "Internal server
    # error" ("If the function output is of a different format, API Gateway returns a 502"; the
    # exact 36-byte body with its space is quoted in apex/up#395).
    ("HTTP", "integration_error"): ErrorShape(500, b'{"message":"Internal Server Error"}'),
    ("REST", "integration_error"): ErrorShape(502, b'{"message": "Internal server error"}',
                                              "InternalServerErrorException"),
    # Lambda ran past TimeoutInMillis. HTTP: 503 "Service Unavailable" (reported in sst#2232 and
    # serverless#11222). REST: 504 INTEGRATION_TIMEOUT, "Endpoint request timed out" (serverless#3171).
    ("HTTP", "integration_timeout"): ErrorShape(503, b'{"message":"Service Unavailable"}'),
    ("REST", "integration_timeout"): ErrorShape(504, b'{"message": "Endpoint request timed out"}'),
    # HTTP backend unreachable / too slow. UNCONFIRMED for both protocols: AWS does not document the
    # bodies; REST reuses its integration-failure shape, HTTP API its generic 503/504 wording.
    ("HTTP", "backend_unreachable"): ErrorShape(503, b'{"message":"Service Unavailable"}'),
    ("REST", "backend_unreachable"): ErrorShape(502, b'{"message": "Internal server error"}',
                                                "InternalServerErrorException"),
    ("HTTP", "backend_timeout"): ErrorShape(504, b'{"message":"Gateway Timeout"}'),
    ("REST", "backend_timeout"): ErrorShape(504, b'{"message": "Endpoint request timed out"}'),
    # Body over 10 MB: 413 in plain text, observed on a REST API (see the report); the same text is
    # assumed for HTTP APIs (UNCONFIRMED).
    ("HTTP", "too_large"): ErrorShape(413, b"HTTP content length exceeded 10485760 bytes.",
                                      content_type="text/plain"),
    ("REST", "too_large"): ErrorShape(413, b"HTTP content length exceeded 10485760 bytes.",
                                      content_type="text/plain"),
    # The emulator itself failed: never a traceback, always AWS's generic 500.
    ("HTTP", "internal"): ErrorShape(500, b'{"message":"Internal Server Error"}'),
    ("REST", "internal"): ErrorShape(500, b'{"message": "Internal server error"}',
                                     "InternalServerErrorException"),
}


@dataclass(frozen=True)
class GatewayResponse:
    status: int
    headers: Headers
    body: bytes
    reason: str | None = None  # plain words when the gateway refused or failed; None on success


def gateway_error(protocol_type: str, kind: str, reason: str) -> GatewayResponse:
    shape = ERRORS[(protocol_type, kind)]
    headers: list[tuple[str, str]] = [("content-type", shape.content_type)]
    if shape.error_type:
        headers.append(("x-amzn-ErrorType", shape.error_type))
    return GatewayResponse(shape.status, tuple(headers), shape.body, reason)


def sigv4_parse_error(authorization: str) -> GatewayResponse:
    """REST's answer to an unknown resource when the request carries a non-SigV4 Authorization header.

    Observed on real REST APIs: 403 "Invalid key=value pair ... in Authorization header" instead of
    "Missing Authentication Token" (API Gateway tries to read the header as a SigV4 signature).
    The hash is SHA-256 of the header value, Base64 (UNCONFIRMED detail).
    """
    digest = base64.b64encode(hashlib.sha256(authorization.encode()).digest()).decode()
    message = ("Invalid key=value pair (missing equal-sign) in Authorization header "
               f"(hashed with SHA-256 and encoded with Base64): '{digest}'.")
    body = json.dumps({"message": message}, separators=(",", ":")).encode()
    headers = (("content-type", "application/json"), ("x-amzn-ErrorType", "IncompleteSignatureException"))
    return GatewayResponse(403, headers, body)


# --- the request as the event builders see it ------------------------------------------------------

@dataclass(frozen=True)
class IncomingRequest:
    method: str
    raw_path: str  # percent-encoded as sent; REST: still with the /{stage} prefix
    raw_query: str  # as sent, without '?'
    headers: Headers  # as received (name case kept, in order), plus what the gateway adds
    body: bytes
    source_ip: str
    host: str  # the Host header: what requestContext.domainName reports
    request_id: str
    extended_request_id: str
    time_epoch_ms: int = field(default_factory=lambda: int(time.time() * 1000))
    protocol: str = "HTTP/1.1"


@dataclass(frozen=True)
class RouteInfo:
    protocol_type: str  # "HTTP" | "REST"
    api_id: str
    stage: str  # "$default" for HTTP APIs
    route_key: str  # HTTP: "GET /pets/{id}" or "$default"; REST: "GET /pets/{id}"
    resource_path: str | None  # "/pets/{id}"; None for the HTTP $default route
    path: str  # the request path the route saw (REST: without the stage), percent-encoded
    path_parameters: Mapping[str, str]
    stage_variables: Mapping[str, str]


def request_time(epoch_ms: int) -> str:
    """"12/Mar/2020:19:03:58 +0000", the format of requestContext.time / requestTime."""
    return time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(epoch_ms / 1000))


def header_value(headers: Iterable[tuple[str, str]], name: str) -> str | None:
    """All values of a header (case-insensitive), comma-joined, or None."""
    values = [v for k, v in headers if k.lower() == name]
    return ",".join(values) if values else None


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
    return [c.strip() for k, v in headers if k.lower() == "cookie" for c in v.split(";") if c.strip()]


def headers_v1(headers: Iterable[tuple[str, str]]
               ) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    """(headers with the last value of each, multiValueHeaders with all), names as sent; None if none."""
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in headers:
        single[name] = value
        multi.setdefault(name, []).append(value)
    return (single or None), (multi or None)


def query_pairs(raw_query: str) -> list[tuple[str, str]]:
    return parse_qsl(raw_query, keep_blank_values=True)


def query_v1(raw_query: str) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in query_pairs(raw_query):
        single[name] = value  # the doc's example keeps the last value ("multivalueName": "me")
        multi.setdefault(name, []).append(value)
    return (single or None), (multi or None)


def query_v2(raw_query: str) -> dict[str, str] | None:
    out: dict[str, str] = {}
    for name, value in query_pairs(raw_query):
        out[name] = f"{out[name]},{value}" if name in out else value
    return out or None


def query_multi(raw_query: str) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for name, value in query_pairs(raw_query):
        out.setdefault(name, []).append(value)
    return {k: tuple(v) for k, v in out.items()}


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
        "userAgent": header_value(request.headers, "user-agent") or "",
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
            "userAgent": header_value(request.headers, "user-agent") or "",
        },
        "requestId": request.request_id,
        "routeKey": info.route_key,
        "stage": info.stage,
        "time": request_time(request.time_epoch_ms),
        "timeEpoch": request.time_epoch_ms,
    }


def v1_authorizer_view(protocol_type: str, authorizer_context: Mapping[str, Any]) -> dict[str, Any]:
    """HTTP APIs with payload 1.0 show JWT results as {claims, scopes}, not under "jwt"."""
    if protocol_type == "HTTP" and "jwt" in authorizer_context:
        return dict(authorizer_context["jwt"])
    return dict(authorizer_context)


def build_event_v1(request: IncomingRequest, info: RouteInfo,
                   authorizer_context: Mapping[str, Any] | None) -> dict[str, Any]:
    headers, multi_headers = headers_v1(request.headers)
    query, multi_query = query_v1(request.raw_query)
    context = request_context_v1(request, info)
    if authorizer_context is not None:
        context["authorizer"] = v1_authorizer_view(info.protocol_type, authorizer_context)
    body, is_b64 = encode_body(request.body)
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
        "body": body,
        "isBase64Encoded": is_b64,
    })
    return event


def build_event_v2(request: IncomingRequest, info: RouteInfo,
                   authorizer_context: Mapping[str, Any] | None) -> dict[str, Any]:
    """2.0 event; optional fields are left out when empty, as AWS does."""
    context = request_context_v2(request, info)
    if authorizer_context is not None:
        context["authorizer"] = dict(authorizer_context)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": info.route_key,
        "rawPath": request.raw_path,
        "rawQueryString": request.raw_query,
    }
    cookies = cookies_v2(request.headers)
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers_v2(request.headers)
    query = query_v2(request.raw_query)
    if query:
        event["queryStringParameters"] = query
    event["requestContext"] = context
    body, is_b64 = encode_body(request.body)
    if body is not None:
        event["body"] = body
    if info.path_parameters:
        event["pathParameters"] = dict(info.path_parameters)
    event["isBase64Encoded"] = is_b64
    if info.stage_variables:
        event["stageVariables"] = dict(info.stage_variables)
    return event


def build_event(payload_format_version: str, request: IncomingRequest, info: RouteInfo,
                authorizer_context: Mapping[str, Any] | None) -> dict[str, Any]:
    if payload_format_version == "2.0":
        return build_event_v2(request, info, authorizer_context)
    return build_event_v1(request, info, authorizer_context)


# --- handler result -> HTTP response ----------------------------------------------------------------

class MalformedResponse(ValueError):
    """The handler's result is not a response API Gateway can map; the message says why."""


def lambda_boundary(result: Any) -> Any:
    """What API Gateway receives: the result after Lambda's JSON serialization (tuples become lists,
    non-string keys strings). Raises MalformedResponse if it cannot be serialized at all."""
    try:
        return json.loads(json.dumps(result))
    except (TypeError, ValueError) as exc:
        raise MalformedResponse(f"the handler's result is not JSON-serializable ({exc})") from exc


def _status(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise MalformedResponse(f"statusCode must be an integer, got {json.dumps(value)}")
    try:
        status = int(value)
    except ValueError as exc:
        raise MalformedResponse(f"statusCode must be an integer, got {json.dumps(value)}") from exc
    if not 100 <= status <= 599:
        raise MalformedResponse(f"statusCode {status} is not an HTTP status")
    return status


def _scalar(value: Any, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise MalformedResponse(f"{where} must be a string, got {json.dumps(value)}")


def _header_dict(value: Any, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MalformedResponse(f"{where} must be an object, got {json.dumps(value)}")
    return {k: _scalar(v, f"{where}.{k}") for k, v in value.items() if v is not None}


def _multi_header_dict(value: Any) -> dict[str, list[str]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MalformedResponse(f"multiValueHeaders must be an object, got {json.dumps(value)}")
    out: dict[str, list[str]] = {}
    for name, values in value.items():
        if not isinstance(values, list):
            raise MalformedResponse(f"multiValueHeaders.{name} must be a list, got {json.dumps(values)}")
        out[name] = [_scalar(v, f"multiValueHeaders.{name}[]") for v in values if v is not None]
    return out


def _body(result: Mapping[str, Any]) -> bytes:
    body = result.get("body")
    is_b64 = result.get("isBase64Encoded", False)
    if not isinstance(is_b64, bool):
        raise MalformedResponse(f"isBase64Encoded must be true or false, got {json.dumps(is_b64)}")
    if body is None:
        return b""
    if not isinstance(body, str):
        raise MalformedResponse(f"body must be a string (json.dumps it first), got {type(body).__name__}")
    if not is_b64:
        return body.encode("utf-8")
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise MalformedResponse("isBase64Encoded is true but body is not valid Base64") from exc


def _with_default_type(headers: list[tuple[str, str]]) -> Headers:
    # Lambda proxy responses without a content type go out as JSON (HTTP API 2.0 doc; REST alike).
    if not any(k.lower() == "content-type" for k, _ in headers):
        headers.append(("content-type", "application/json"))
    return tuple(headers)


def _merged_headers(result: Mapping[str, Any]) -> list[tuple[str, str]]:
    """headers + multiValueHeaders; a name in both takes multiValueHeaders' values (AWS doc)."""
    single = _header_dict(result.get("headers"), "headers")
    multi = _multi_header_dict(result.get("multiValueHeaders"))
    multi_names = {name.lower() for name in multi}
    merged = [(k, v) for k, v in single.items() if k.lower() not in multi_names]
    merged += [(k, v) for k, values in multi.items() for v in values]
    return merged


def map_v1_response(result: Any) -> tuple[int, Headers, bytes]:
    """REST and HTTP-with-1.0: {statusCode, headers, multiValueHeaders, body, isBase64Encoded}."""
    result = lambda_boundary(result)
    if not isinstance(result, dict):
        raise MalformedResponse(f"a payload 1.0 handler must return an object with statusCode, "
                                f"got {type(result).__name__}")
    if "statusCode" not in result:
        raise MalformedResponse("the handler's result has no statusCode (payload 1.0 requires it)")
    status = _status(result["statusCode"])
    return status, _with_default_type(_merged_headers(result)), _body(result)


def map_v2_response(result: Any) -> tuple[int, Headers, bytes]:
    """Payload 2.0: a result with statusCode is a response; any other JSON value is a 200 JSON body."""
    result = lambda_boundary(result)
    if isinstance(result, dict) and "statusCode" in result:
        status = _status(result["statusCode"])
        headers = list(_header_dict(result.get("headers"), "headers").items())
        cookies = result.get("cookies") or []
        if not isinstance(cookies, list):
            raise MalformedResponse(f"cookies must be a list of strings, got {json.dumps(cookies)}")
        headers += [("set-cookie", _scalar(c, "cookies[]")) for c in cookies]
        return status, _with_default_type(headers), _body(result)
    # "Hello from Lambda!" -> that text; {"message": ...} -> its JSON (AWS's table of inferences).
    body = result if isinstance(result, str) else json.dumps(result)
    return 200, (("content-type", "application/json"),), body.encode("utf-8")


def map_response(payload_format_version: str, result: Any) -> tuple[int, Headers, bytes]:
    if payload_format_version == "2.0":
        return map_v2_response(result)
    return map_v1_response(result)


def with_gateway_headers(headers: Sequence[tuple[str, str]], source_ip: str, port: int, proto: str,
                         trace_id: str) -> Headers:
    """The headers API Gateway adds before the integration sees the request (AWS's example events
    carry X-Forwarded-For/-Port/-Proto and X-Amzn-Trace-Id)."""
    kept = [(k, v) for k, v in headers if k.lower() not in ("x-forwarded-port", "x-forwarded-proto")]
    forwarded_for = header_value(headers, "x-forwarded-for")
    kept = [(k, v) for k, v in kept if k.lower() != "x-forwarded-for"]
    kept.append(("x-forwarded-for", f"{forwarded_for}, {source_ip}" if forwarded_for else source_ip))
    kept.append(("x-forwarded-port", str(port)))
    kept.append(("x-forwarded-proto", proto))
    if header_value(headers, "x-amzn-trace-id") is None:
        kept.append(("x-amzn-trace-id", trace_id))
    return tuple(kept)


def new_trace_id(epoch_s: float | None = None) -> str:
    import os

    return f"Root=1-{int(epoch_s or time.time()):08x}-{os.urandom(12).hex()}"
