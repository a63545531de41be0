"""Calling a route's target: an HTTP backend (streamed both ways) or a local Python handler.

Errors come back as GatewayResponses built from the one table in responses.ERRORS, each with a reason.
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit, urlunsplit

from starlette.datastructures import Headers

from emulator.gateway import lambda_runtime
from emulator.gateway.request import MAX_BODY_BYTES
from emulator.gateway.responses import GatewayResponse, HeaderPairs, MalformedResponse, gateway_error, map_response
from emulator.lambdas.invoker import LambdaInvoker

if TYPE_CHECKING:
    import httpx

log = logging.getLogger("cognito_emulator.gateway")

# RFC 9110 §7.6.1 connection-specific headers: never forwarded by a proxy.
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
                        "trailer", "transfer-encoding", "upgrade", "proxy-connection"})


class BodyTooLarge(Exception):
    """The client sent more than API Gateway's 10 MB payload quota."""


@dataclass
class StreamedResponse:
    """A backend's response, its body still streaming."""

    status: int
    headers: HeaderPairs
    chunks: AsyncIterator[bytes]
    close: Callable[[], Awaitable[None]]


# --- HTTP backends ------------------------------------------------------------------------------------

def backend_url(target: str, route_path: str, path_parameters: Mapping[str, str], raw_query: str) -> str:
    """Where the request goes.

    A target with a path (`http://host/base/{proxy}`) is used as written, with the route's path
    variables filled in, as API Gateway does with an integration URI. A bare origin
    (`http://127.0.0.1:3000`) gets the request's path appended: an emulator convenience, since
    `Target` stands in for a whole integration and a local backend expects the path it serves.
    """
    parts = urlsplit(target)
    if parts.path in ("", "/"):
        path = route_path
    else:
        path = parts.path
        for name, value in path_parameters.items():
            path = path.replace("{" + name + "}", quote(value, safe="/"))
    query = "&".join(q for q in (parts.query, raw_query) if q)
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def backend_request_headers(headers: Headers, api_id: str) -> list[tuple[str, str]]:
    """Client headers minus hop-by-hop ones and Host (httpx sets Host to the backend's), plus the
    `x-amzn-apigateway-api-id` API Gateway adds. X-Forwarded-For and x-amzn-trace-id are already in
    `headers` (request.with_gateway_headers)."""
    kept = [(k, v) for k, v in headers.items() if k not in HOP_BY_HOP and k != "host"]
    kept.append(("x-amzn-apigateway-api-id", api_id))
    return kept


# Headers the gateway's own server writes. REST APIs pass a backend's as x-amzn-Remapped-<name>
# (AWS "Amazon API Gateway important notes": reserved headers are remapped); for HTTP APIs they are
# dropped here (UNCONFIRMED) so the client never sees two Date headers.
OWN_HEADERS = frozenset({"date", "server"})


def response_headers(headers: httpx.Headers, drop_cors: bool, protocol_type: str = "HTTP") -> HeaderPairs:
    """A backend's response headers as API Gateway passes them on."""
    out = []
    for name, value in headers.multi_items():
        lower = name.lower()
        if lower in HOP_BY_HOP:
            continue
        if lower in OWN_HEADERS:
            if protocol_type == "REST":
                out.append((f"x-amzn-remapped-{lower}", value))
            continue
        # With CorsConfiguration set, API Gateway ignores the backend's CORS headers and uses its own.
        if drop_cors and lower.startswith("access-control-"):
            continue
        out.append((lower, value))
    return tuple(out)


async def limited(chunks: AsyncIterator[bytes], limit: int = MAX_BODY_BYTES) -> AsyncIterator[bytes]:
    """Pass a request body through, raising BodyTooLarge once it passes `limit` bytes."""
    total = 0
    async for chunk in chunks:
        total += len(chunk)
        if total > limit:
            raise BodyTooLarge(f"the request body passed {limit} bytes")
        yield chunk


async def proxy_http(client: httpx.AsyncClient, protocol_type: str, method: str, url: str,
                     headers: list[tuple[str, str]], body: AsyncIterator[bytes] | None,
                     timeout_seconds: float, drop_cors: bool) -> StreamedResponse | GatewayResponse:
    """Send the request to the backend; stream its answer back. Failures map to AWS's error shapes."""
    import httpx  # ~40 ms to import: the first proxied request or remote JWKS loads it, not the start

    request = client.build_request(method, url, headers=headers, content=body,
                                   timeout=httpx.Timeout(timeout_seconds))
    started = time.monotonic()
    try:
        # TimeoutInMillis bounds the wait for the backend's response head, as API Gateway's does.
        response = await asyncio.wait_for(client.send(request, stream=True), timeout_seconds)
    except BodyTooLarge as exc:
        return gateway_error(protocol_type, "too_large", str(exc))
    except (TimeoutError, httpx.TimeoutException):
        return gateway_error(protocol_type, "backend_timeout",
                             f"{method} {url} gave no response within TimeoutInMillis "
                             f"({timeout_seconds * 1000:.0f} ms; waited {time.monotonic() - started:.2f} s)")
    except httpx.HTTPError as exc:
        cause = exc.__cause__ or exc.__context__
        if isinstance(cause, BodyTooLarge):
            return gateway_error(protocol_type, "too_large", str(cause))
        return gateway_error(protocol_type, "backend_unreachable",
                             f"{method} {url} failed: {type(exc).__name__}: {exc or 'no detail'}")
    return StreamedResponse(response.status_code, response_headers(response.headers, drop_cors, protocol_type),
                            response.aiter_raw(), response.aclose)


# --- Python handlers ----------------------------------------------------------------------------------

def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return ""
    last = frames[-1]
    return f" at {last.filename}:{last.lineno} in {last.name}"


async def invoke_lambda(function: Callable[..., Any] | None, function_name: str, event: dict, protocol_type: str,
                        payload_format_version: str, timeout_ms: int,
                        invoker: LambdaInvoker | None = None) -> GatewayResponse:
    """Call the handler like Lambda would and map its result; never raises for handler faults."""
    started = time.monotonic()
    timeout = timeout_ms / 1000
    try:
        result = await lambda_runtime.invoke(function, event, function_name, timeout, invoker)
    except TimeoutError as exc:
        elapsed = time.monotonic() - started
        if elapsed >= timeout * 0.99:
            return gateway_error(protocol_type, "integration_timeout",
                                 f"{function_name} did not return within TimeoutInMillis ({timeout_ms} ms)")
        return _handler_raised(protocol_type, function_name, exc)
    except Exception as exc:  # the handler's own error: what Lambda reports as a function error
        return _handler_raised(protocol_type, function_name, exc)
    try:
        status, headers, body = map_response(payload_format_version, result)
    except MalformedResponse as exc:
        return gateway_error(protocol_type, "integration_error",
                             f"{function_name} returned a response API Gateway cannot map "
                             f"(payload {payload_format_version}): {exc}")
    return GatewayResponse(status, headers, body)


def _handler_raised(protocol_type: str, function_name: str, exc: BaseException) -> GatewayResponse:
    log.warning("handler %s raised", function_name, exc_info=exc)
    return gateway_error(protocol_type, "integration_error",
                         f"{function_name} raised {type(exc).__name__}: {exc}{_where(exc)}")
