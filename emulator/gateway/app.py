"""One API Gateway stage as an ASGI app: CORS preflight, route match, authorizer, target.

Every response carries API Gateway's request-id header; every rejection also carries the plain
reason in `x-emulator-reason` and lands in the DecisionLog. No exception reaches the client: an
emulator fault becomes AWS's generic 500.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote, unquote

from starlette.datastructures import Headers

from emulator.companion.claim_mismatch import identity_header, token_details
from emulator.decisions import REASON_HEADER, DecisionLog, header_safe
from emulator.gateway import events
from emulator.gateway.authorizer_config import Authorizer, LambdaAuthorizer
from emulator.gateway.config import ApiConfig, CorsConfig, RouteConfig
from emulator.gateway.events import RequestContexts
from emulator.gateway.iam_route import authorize_iam
from emulator.gateway.integrations import (
    BodyTooLarge,
    StreamedResponse,
    backend_request_headers,
    backend_url,
    invoke_lambda,
    limited,
    proxy_http,
)
from emulator.gateway.request import (
    MAX_BODY_BYTES,
    AuthRequest,
    IncomingRequest,
    RouteInfo,
    header_value,
    new_request_ids,
    new_trace_id,
    with_gateway_headers,
)
from emulator.gateway.responses import GatewayResponse, gateway_error, sigv4_parse_error
from emulator.gateway.routes import RouteMatch, match_route, strip_stage
from emulator.gateway.verdicts import Allow, Deny
from emulator.lambdas.invoker import LambdaInvoker

if TYPE_CHECKING:
    import httpx

log = logging.getLogger("cognito_emulator.gateway")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

class AuthorizerService(Protocol):
    """What the app needs of authorizers.Authorizers: verdicts, and the clock requests are stamped with."""

    clock: Callable[[], float]
    invoker: LambdaInvoker | None  # runs node: and invoke: code (None: python: handlers only)

    async def authorize(self, authorizer: Authorizer, request: AuthRequest) -> Allow | Deny:
        """The authorizer's verdict; never raises."""
        ...


def build_gateway_app(api: ApiConfig, authorizers: AuthorizerService, decisions: DecisionLog, *,
                      http_client: httpx.AsyncClient | None = None) -> GatewayApp:
    """The ASGI app serving `api`; run one per API port."""
    return GatewayApp(api, authorizers, decisions, http_client)


def json_body(body: Any) -> bytes:
    """Compact JSON, as API Gateway writes its own bodies."""
    return json.dumps(body, separators=(",", ":")).encode()


class GatewayApp:
    """The ASGI app of one API; see build_gateway_app."""

    def __init__(self, api: ApiConfig, authorizers: AuthorizerService, decisions: DecisionLog,
                 http_client: httpx.AsyncClient | None) -> None:
        self.api = api
        self.authorizers = authorizers
        self.decisions = decisions
        self._client = http_client
        self._own_client = http_client is None
        self.rest = api.protocol_type == "REST"

    # --- ASGI plumbing --------------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def aclose(self) -> None:
        """Close the backend HTTP client if this app made it."""
        if self._own_client and self._client is not None:
            await self._client.aclose()
            self._client = None

    def _http_client(self) -> httpx.AsyncClient:
        # Created inside the serving event loop; never follows redirects (a proxy passes them on).
        if self._client is None:
            import httpx  # ~40 ms to import: the first proxied request or remote JWKS loads it, not the start

            self._client = httpx.AsyncClient(follow_redirects=False, trust_env=False)
        return self._client

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_ids = new_request_ids(self.api.protocol_type)
        started = {"value": False}

        async def tracked_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                started["value"] = True
            await send(message)

        try:
            await self._handle(self._incoming(scope, request_ids), receive, tracked_send)
        except Exception as exc:  # an emulator fault: log it, answer like AWS's generic 500
            log.exception("gateway %s failed on %s %s", self.api.name, scope.get("method"), scope.get("path"))
            if started["value"]:
                return
            reason = f"emulator error (please report): {type(exc).__name__}: {exc}"
            response = gateway_error(self.api.protocol_type, "internal", reason)
            self._record(f"{scope.get('method')} {scope.get('path')}", response)
            await self._send(tracked_send, response, request_ids, None)

    def _incoming(self, scope: Scope, request_ids: tuple[str, str]) -> IncomingRequest:
        """The one request object every later step reads."""
        raw_path = scope.get("raw_path")
        path = raw_path.decode("latin-1") if raw_path else quote(scope.get("path") or "/")
        received = Headers(raw=[(name.lower(), value) for name, value in scope.get("headers", [])])
        client = scope.get("client") or ("127.0.0.1", 0)
        server = scope.get("server") or ("127.0.0.1", 80)
        port = int(server[1] or 80)
        now = self.authorizers.clock()
        headers = with_gateway_headers(received, client[0], port, scope.get("scheme", "http"), new_trace_id(now))
        return IncomingRequest(
            method=scope["method"].upper(),
            raw_path=path,
            raw_query=scope.get("query_string", b"").decode("latin-1"),
            headers=headers,
            source_ip=client[0],
            host=header_value(received, "host") or f"{server[0]}:{port}",
            request_id=request_ids[0],
            extended_request_id=request_ids[1],
            time_epoch_ms=int(now * 1000),
            protocol=f"HTTP/{scope.get('http_version', '1.1')}",
        )

    # --- the request's journey ------------------------------------------------------------------------

    async def _handle(self, request: IncomingRequest, receive: Receive, send: Send) -> None:
        preflight = self._preflight(request)
        if preflight is not None:
            if preflight.reason:
                self._record(f"OPTIONS {request.raw_path} (CORS preflight)", preflight)
            await self._send(send, preflight, ids(request), request.header("origin"))
            return
        length = request.header("content-length")
        if length and length.isdigit() and int(length) > MAX_BODY_BYTES:
            await self._refuse(send, request, f"{request.method} {request.raw_path}", gateway_error(
                self.api.protocol_type, "too_large",
                f"Content-Length {length} is over API Gateway's 10 MB payload quota ({MAX_BODY_BYTES} bytes)"))
            return
        route_path = strip_stage(request.raw_path, self.api.stage_name) if self.rest else request.raw_path
        match = None if route_path is None else match_route(self.api.routes, request.method, route_path)
        if match is None:
            await self._refuse(send, request, f"{request.method} {request.raw_path}",
                               self._no_route(request, route_path))
            return
        route: RouteConfig = match.route  # type: ignore[assignment]
        info = self._route_info(route, match, route_path or "/")
        contexts = RequestContexts(request, info)
        allow_context: dict | None = None
        identity: dict | None = None
        if route.iam:  # AWS_IAM: SigV4 over the whole request, then the caller's policy (iam_authorizer.py)
            iam, receive = await authorize_iam(request, self.api.protocol_type, self._method_arn(request, info),
                                               receive, getattr(self.authorizers, "principals", None),
                                               self.authorizers.clock())
            if isinstance(iam, BodyTooLarge):
                await self._refuse(send, request, route.route_key,
                                   gateway_error(self.api.protocol_type, "too_large", str(iam)))
                return
            if isinstance(iam, Deny):
                await self._refuse(send, request, route.route_key, self._deny_response(iam))
                return
            allow_context, identity = iam.authorizer_context, iam.identity
        if route.authorizer is not None:
            outcome = await self._authorize(request, route, route.authorizer, info, contexts)
            if isinstance(outcome, Deny):
                # The refused token's claims and the one that did not match, for the dashboard.
                header = identity_header(route.authorizer)
                details = token_details(route.authorizer, request.header(header) if header else None,
                                        self.authorizers.clock(), route.authorization_scopes)
                await self._refuse(send, request, route.route_key, self._deny_response(outcome), details)
                return
            if not isinstance(outcome, Allow):  # anything but an explicit Allow must never let through
                raise TypeError(f"authorizer {route.authorizer.name!r} returned {type(outcome).__name__}, "
                                "neither Allow nor Deny")
            allow_context = outcome.authorizer_context
        if route.target_kind == "http":
            await self._proxy(request, route, info, receive, send)
        else:
            await self._invoke(request, route, info, contexts, allow_context, receive, send, identity)

    def _no_route(self, request: IncomingRequest, route_path: str | None) -> GatewayResponse:
        keys = [r.route_key for r in self.api.routes]
        listed = ", ".join(keys[:15]) + (f" and {len(keys) - 15} more" if len(keys) > 15 else "") or "none"
        if self.rest and route_path is None:
            why = (f"REST API URLs start with the stage: /{self.api.stage_name}/...; "
                   f"{request.raw_path} does not")
        else:
            why = f"no route matches {request.method} {route_path} (routes: {listed})"
        authorization = request.header("authorization")
        if self.rest and authorization:
            # Real REST APIs read a stray Authorization header as a broken SigV4 signature here.
            response = sigv4_parse_error(authorization)
            return GatewayResponse(response.status, response.headers, response.body,
                                   why + "; REST answers an unknown resource that carries an Authorization "
                                         "header with a SigV4 parse error")
        return gateway_error(self.api.protocol_type, "no_route", why)

    def _route_info(self, route: RouteConfig, match: RouteMatch, route_path: str) -> RouteInfo:
        return RouteInfo(
            protocol_type=self.api.protocol_type,
            api_id=self.api.api_id,
            stage=self.api.stage_name,
            route_key=route.route_key,
            resource_path=route.path,
            path=route_path,
            path_parameters=match.path_parameters,
            stage_variables=self.api.stage_variables,
        )

    async def _authorize(self, request: IncomingRequest, route: RouteConfig, authorizer: Authorizer,
                         info: RouteInfo, contexts: RequestContexts) -> Allow | Deny:
        path = unquote(info.path)
        v1_context = self.rest or (isinstance(authorizer, LambdaAuthorizer)
                                   and authorizer.payload_format_version == "1.0")
        auth_request = AuthRequest(
            protocol_type=self.api.protocol_type,
            api_id=self.api.api_id,
            stage=self.api.stage_name,
            method=request.method,
            path=path,
            route_key=(route.path or "/") if self.rest else route.route_key,
            headers=request.headers,
            query=request.query,
            path_parameters=info.path_parameters,
            stage_variables=self.api.stage_variables,
            source_ip=request.source_ip,
            route_scopes=route.authorization_scopes,
            method_arn=self._method_arn(request, info),
            request_id=request.request_id,
            event_context=contexts.get("1.0" if v1_context else "2.0"),
        )
        return await self.authorizers.authorize(authorizer, auth_request)

    def _method_arn(self, request: IncomingRequest, info: RouteInfo) -> str:
        return (f"arn:aws:execute-api:{self.api.region}:{events.ACCOUNT_ID}:{self.api.api_id}/"
                f"{self.api.stage_name}/{request.method}/{unquote(info.path).lstrip('/')}")

    def _deny_response(self, deny: Deny) -> GatewayResponse:
        # Every Deny comes from verdicts.refuse, whose table already holds AWS's x-amzn-ErrorType.
        headers = [("content-type", "application/json"), *deny.headers.items()]
        return GatewayResponse(deny.status, tuple(headers), json_body(deny.body), deny.reason)

    # --- targets --------------------------------------------------------------------------------------

    async def _invoke(self, request: IncomingRequest, route: RouteConfig, info: RouteInfo,
                      contexts: RequestContexts, allow_context: dict | None, receive: Receive, send: Send,
                      identity: dict | None = None) -> None:
        try:
            body = await read_body(receive)
        except BodyTooLarge as exc:
            await self._refuse(send, request, route.route_key,
                               gateway_error(self.api.protocol_type, "too_large", str(exc)))
            return
        version = route.payload_format_version
        event = events.build_event(version, request, info, allow_context, body, contexts.get(version))
        if identity is not None and isinstance(event["requestContext"].get("identity"), dict):
            event["requestContext"]["identity"].update(identity)  # an AWS_IAM caller, as API Gateway reports it
        response = await invoke_lambda(route.function, route.target, event, self.api.protocol_type,
                                       version, route.timeout_ms, self.authorizers.invoker)
        if response.reason:
            await self._refuse(send, request, route.route_key, response)
        else:
            await self._send(send, response, ids(request), request.header("origin"))

    async def _proxy(self, request: IncomingRequest, route: RouteConfig, info: RouteInfo, receive: Receive,
                     send: Send) -> None:
        url = backend_url(route.target, info.path, info.path_parameters, request.raw_query)
        has_body = (request.header("content-length") not in (None, "0")
                    or request.header("transfer-encoding") is not None)
        body = limited(stream_body(receive)) if has_body else None
        headers = backend_request_headers(request.headers, self.api.api_id)
        result = await proxy_http(self._http_client(), self.api.protocol_type, request.method, url, headers,
                                  body, route.timeout_ms / 1000, drop_cors=self.api.cors is not None)
        if isinstance(result, GatewayResponse):
            await self._refuse(send, request, route.route_key, result)
            return
        await self._stream(send, result, ids(request), request.header("origin"))

    # --- CORS -----------------------------------------------------------------------------------------

    def _preflight(self, request: IncomingRequest) -> GatewayResponse | None:
        """HTTP API CORS: a preflight is answered by the gateway, before routes and authorizers."""
        cors = self.api.cors
        origin = request.header("origin")
        asked = request.header("access-control-request-method")
        if cors is None or request.method != "OPTIONS" or not origin or not asked:
            return None
        if cors_origin(cors, origin) is None:
            allowed = ", ".join(cors.allow_origins) or "none"
            return GatewayResponse(204, (), b"", f"CORS preflight from origin {origin} answered without "
                                                 f"CORS headers: it is not in AllowOrigins ({allowed})")
        headers = [("access-control-allow-methods", ",".join(cors.allow_methods) or asked)]
        if cors.allow_headers:
            headers.append(("access-control-allow-headers", ",".join(cors.allow_headers)))
        if cors.max_age is not None:
            headers.append(("access-control-max-age", str(cors.max_age)))
        return GatewayResponse(204, tuple(headers), b"", None)

    def _cors_headers(self, origin: str | None) -> list[tuple[str, str]]:
        cors = self.api.cors
        if cors is None or not origin:
            return []
        allowed = cors_origin(cors, origin)
        if allowed is None:
            return []
        headers = [("access-control-allow-origin", allowed)]
        if cors.allow_credentials:
            headers.append(("access-control-allow-credentials", "true"))
        if cors.expose_headers:
            headers.append(("access-control-expose-headers", ",".join(cors.expose_headers)))
        return headers

    # --- sending --------------------------------------------------------------------------------------

    def _id_headers(self, ids: tuple[str, str]) -> list[tuple[str, str]]:
        if self.rest:
            return [("x-amzn-RequestId", ids[0]), ("x-amz-apigw-id", ids[1])]
        return [("apigw-requestid", ids[0])]

    def _record(self, what: str, response: GatewayResponse, request_id: str | None = None,
                details: dict | None = None) -> None:
        shown = response.body.decode("utf-8", "replace")
        self.decisions.reject(f"gateway {self.api.name} {what}", f"{response.status} {shown}",
                              response.reason or "", request_id=request_id, **(details or {}))

    async def _refuse(self, send: Send, request: IncomingRequest, what: str, response: GatewayResponse,
                      details: dict | None = None) -> None:
        self._record(what, response, request.request_id, details)
        await self._send(send, response, ids(request), request.header("origin"))

    async def _send(self, send: Send, response: GatewayResponse, ids: tuple[str, str],
                    origin: str | None) -> None:
        headers = [*response.headers, *self._id_headers(ids), *self._cors_headers(origin)]
        headers.append(("content-length", str(len(response.body))))
        if response.reason:
            headers.append((REASON_HEADER, header_safe(response.reason)))
        await send({"type": "http.response.start", "status": response.status, "headers": encode(headers)})
        await send({"type": "http.response.body", "body": response.body})

    async def _stream(self, send: Send, response: StreamedResponse, ids: tuple[str, str],
                      origin: str | None) -> None:
        headers = [*response.headers, *self._id_headers(ids), *self._cors_headers(origin)]
        try:
            await send({"type": "http.response.start", "status": response.status, "headers": encode(headers)})
            async for chunk in response.chunks:
                if chunk:
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        finally:
            await response.close()


def ids(request: IncomingRequest) -> tuple[str, str]:
    """(requestId, extendedRequestId): what the response's id headers carry."""
    return request.request_id, request.extended_request_id


def cors_origin(cors: CorsConfig, origin: str) -> str | None:
    """The Access-Control-Allow-Origin value for `origin`, or None if it is not allowed."""
    if origin in cors.allow_origins:
        return origin
    if "*" in cors.allow_origins:
        return "*"
    return None


def encode(headers: list[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    """ASGI response headers: lower-case latin-1 bytes."""
    return [(k.lower().encode("latin-1"), v.encode("latin-1", "replace")) for k, v in headers]


async def stream_body(receive: Receive) -> AsyncIterator[bytes]:
    """The request body's chunks as the client sends them."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        chunk = message.get("body", b"")
        if chunk:
            yield chunk
        if not message.get("more_body", False):
            return


async def read_body(receive: Receive, limit: int = MAX_BODY_BYTES) -> bytes:
    """The whole request body; BodyTooLarge past `limit`."""
    parts = []
    async for chunk in limited(stream_body(receive), limit):
        parts.append(chunk)
    return b"".join(parts)
