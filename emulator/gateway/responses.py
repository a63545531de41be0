"""What the client gets from the gateway itself: its error table, and a handler's result as HTTP.

Shapes follow AWS's documented examples ("Working with AWS Lambda proxy integrations for HTTP
APIs" and "Set up Lambda proxy integrations in API Gateway") and observed responses, each cited.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

HeaderPairs = tuple[tuple[str, str], ...]  # a response's headers, in order


# --- the gateway's own error responses: one table, one place -------------------------------------

@dataclass(frozen=True)
class ErrorShape:
    """One row of ERRORS."""

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
    # HTTP backend unreachable / too slow. REST: 504 "Network error communicating with endpoint" with
    # InternalServerErrorException, from a real `curl -v` quoted in a repository README (2020); the docs'
    # INTEGRATION_FAILURE gateway response defaults to 504 (supported-gateway-response-types; AWS_EVIDENCE.md
    # §1). HTTP API: UNCONFIRMED, its generic 503/504 wording.
    ("HTTP", "backend_unreachable"): ErrorShape(503, b'{"message":"Service Unavailable"}'),
    ("REST", "backend_unreachable"): ErrorShape(504, b'{"message": "Network error communicating with endpoint"}',
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
    """A complete response the gateway sends itself (errors, preflights, a handler's mapped result)."""

    status: int
    headers: HeaderPairs
    body: bytes
    reason: str | None = None  # plain words when the gateway refused or failed; None on success


def gateway_error(protocol_type: str, kind: str, reason: str) -> GatewayResponse:
    """The gateway's own error response of `kind`, exactly as AWS sends it, with the plain reason."""
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


def _with_default_type(headers: list[tuple[str, str]]) -> HeaderPairs:
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


def map_v1_response(result: Any) -> tuple[int, HeaderPairs, bytes]:
    """REST and HTTP-with-1.0: {statusCode, headers, multiValueHeaders, body, isBase64Encoded}."""
    result = lambda_boundary(result)
    if not isinstance(result, dict):
        raise MalformedResponse(f"a payload 1.0 handler must return an object with statusCode, "
                                f"got {type(result).__name__}")
    if "statusCode" not in result:
        raise MalformedResponse("the handler's result has no statusCode (payload 1.0 requires it)")
    status = _status(result["statusCode"])
    return status, _with_default_type(_merged_headers(result)), _body(result)


def map_v2_response(result: Any) -> tuple[int, HeaderPairs, bytes]:
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


def map_response(payload_format_version: str, result: Any) -> tuple[int, HeaderPairs, bytes]:
    """(status, headers, body) from a handler's result; MalformedResponse if API Gateway could not map it."""
    if payload_format_version == "2.0":
        return map_v2_response(result)
    return map_v1_response(result)
