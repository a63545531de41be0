"""The gateway app end to end: in-process for most cases, over real HTTP (uvicorn threads, a real
backend server, httpx) where the wire matters: proxying, streaming, timeouts, refused connections."""

from __future__ import annotations

import asyncio
import hashlib
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa

from emulator.decisions import REASON_HEADER, DecisionLog
from emulator.gateway.app import build_gateway_app
from emulator.gateway.authorizers import Authorizers
from emulator.gateway.config import ApiConfig, parse_apis
from emulator.gateway.request import AuthRequest
from emulator.gateway.verdicts import Allow, Deny, refuse

pytestmark = pytest.mark.e2e  # real uvicorn servers and backends

HERE = Path(__file__).parent
ECHO = "python:gateway_fixtures.handlers:echo"


# --- helpers: servers on free ports in threads -----------------------------------------------------

class ServerThread:
    """uvicorn serving `app` on 127.0.0.1 in a daemon thread, on a socket we bound (so the port is known)."""

    def __init__(self, app: Any) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        # proxy_headers off: the gateway must see the real client, not X-Forwarded-For (the lead must do the same).
        config = uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False,
                                proxy_headers=False, server_header=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def backend(scope: dict, receive: Any, send: Any) -> None:
    """A tiny real backend: echoes what it received as JSON; a few paths misbehave on purpose."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    path = scope["path"]
    if path == "/slow":
        await asyncio.sleep(1.0)
    if path == "/stream":
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        for i in range(3):
            await send({"type": "http.response.body", "body": f"part{i};".encode(), "more_body": True})
            await asyncio.sleep(0.01)
        await send({"type": "http.response.body", "body": b""})
        return
    if path == "/redirect":
        await send({"type": "http.response.start", "status": 302, "headers": [(b"location", b"/elsewhere")]})
        await send({"type": "http.response.body", "body": b""})
        return
    echo = {
        "method": scope["method"], "path": path, "query": scope["query_string"].decode(),
        "headers": [[k.decode(), v.decode()] for k, v in scope["headers"]],
        "body_len": len(body), "body_sha": hashlib.sha256(body).hexdigest(),
    }
    headers = [(b"content-type", b"application/json"), (b"access-control-allow-origin", b"https://evil.example"),
               (b"set-cookie", b"a=1"), (b"set-cookie", b"b=2")]
    await send({"type": "http.response.start", "status": 201 if path == "/created" else 200, "headers": headers})
    await send({"type": "http.response.body", "body": json.dumps(echo).encode()})


class StandIn:
    """Authorizers stand-in: 'Bearer good' allows, 'Bearer raise' crashes, anything else is denied."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, AuthRequest]] = []
        self.clock = time.time
        self.invoker = None

    async def authorize(self, authorizer: Any, request: AuthRequest) -> Allow | Deny:
        self.calls.append((authorizer.name, request))
        token = request.headers.get("authorization", "")
        if token == "Bearer raise":
            raise RuntimeError("stand-in exploded")
        if token == "Bearer good":
            if request.protocol_type == "REST":
                return Allow({"claims": {"sub": "u1", "email_verified": "true"}})
            return Allow({"jwt": {"claims": {"sub": "u1"}, "scopes": None}})
        # Built as every real Deny is, through the authorizers' one table of AWS responses.
        return refuse(request.protocol_type, "unauthorized", f"token {token!r} is not the good one",
                      {"www-authenticate": 'Bearer scope="" error="invalid_token" error_description="nope"'})


def header(response: httpx.Response, name: str) -> str | None:
    return response.headers.get(name)


def echoed_headers(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.json()["headers"]}


# --- the APIs under test -----------------------------------------------------------------------------

def http_api(backend_url: str) -> ApiConfig:
    raw = [{
        "Name": "web", "ProtocolType": "HTTP", "Port": 8080, "StageVariables": {"env": "test"},
        "CorsConfiguration": {"AllowOrigins": ["http://app.example"], "AllowMethods": ["GET", "POST"],
                              "AllowHeaders": ["authorization"], "ExposeHeaders": ["x-total"], "MaxAge": 60,
                              "AllowCredentials": True},
        "Authorizers": [{"Name": "jwt", "AuthorizerType": "JWT", "JwtConfiguration": {
            "Issuer": "https://issuer.example", "Audience": ["aud"]}}],
        "Routes": [
            {"RouteKey": "ANY /echo", "Target": backend_url},
            {"RouteKey": "GET /open/{proxy+}", "Target": backend_url},
            {"RouteKey": "GET /mapped/{id}", "Target": f"{backend_url}/items/{{id}}?fixed=1"},
            {"RouteKey": "POST /upload", "Target": backend_url},
            {"RouteKey": "GET /stream", "Target": backend_url},
            {"RouteKey": "GET /redirect", "Target": backend_url},
            {"RouteKey": "GET /slow", "Target": backend_url, "TimeoutInMillis": 200},
            {"RouteKey": "GET /down", "Target": f"http://127.0.0.1:{closed_port()}"},
            {"RouteKey": "GET /secure", "Target": backend_url, "AuthorizerName": "jwt"},
            {"RouteKey": "ANY /fn/{proxy+}", "Target": ECHO, "AuthorizerName": "jwt"},
            {"RouteKey": "POST /fn1", "Target": ECHO, "PayloadFormatVersion": "1.0", "AuthorizerName": "jwt"},
            {"RouteKey": "GET /async", "Target": "python:gateway_fixtures.handlers:async_echo"},
            {"RouteKey": "GET /boom", "Target": "python:gateway_fixtures.handlers:boom"},
            {"RouteKey": "GET /slowfn", "Target": "python:gateway_fixtures.handlers:slow", "TimeoutInMillis": 100},
            {"RouteKey": "GET /badbody", "Target": "python:gateway_fixtures.handlers:body_object"},
            {"RouteKey": "GET /plain", "Target": "python:gateway_fixtures.handlers:plain_dict"},
            {"RouteKey": "GET /plainstr", "Target": "python:gateway_fixtures.handlers:plain_str"},
            {"RouteKey": "GET /cookies", "Target": "python:gateway_fixtures.handlers:cookies"},
            {"RouteKey": "GET /binary", "Target": "python:gateway_fixtures.handlers:binary"},
            {"RouteKey": "GET /sink", "Target": ECHO},
            {"RouteKey": "POST /sink", "Target": ECHO},
        ],
    }]
    return parse_apis(raw, "Apis", HERE)[0]


def rest_api(backend_url: str) -> ApiConfig:
    raw = [{
        "Name": "rest", "ProtocolType": "REST", "Port": 8081, "StageName": "dev",
        "Authorizers": [{"Name": "pool", "Type": "COGNITO_USER_POOLS",
                         "ProviderARNs": ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Abc"]}],
        "Routes": [
            {"RouteKey": "GET /pets/{id}", "Target": ECHO, "AuthorizerName": "pool"},
            {"RouteKey": "GET /boom", "Target": "python:gateway_fixtures.handlers:boom"},
            {"RouteKey": "GET /slowfn", "Target": "python:gateway_fixtures.handlers:slow", "TimeoutInMillis": 100},
            {"RouteKey": "GET /plain", "Target": "python:gateway_fixtures.handlers:plain_dict"},
            {"RouteKey": "GET /multi", "Target": "python:gateway_fixtures.handlers:multi_headers"},
            {"RouteKey": "GET /down", "Target": f"http://127.0.0.1:{closed_port()}"},
            {"RouteKey": "ANY /files/{proxy+}", "Target": backend_url},
            {"RouteKey": "GET /", "Target": ECHO},
        ],
    }]
    return parse_apis(raw, "Apis", HERE)[0]


@pytest.fixture(scope="module")
def backend_server() -> Iterator[ServerThread]:
    with ServerThread(backend) as server:
        yield server


class Gateway:
    def __init__(self, api: ApiConfig) -> None:
        self.api = api
        self.authorizers = StandIn()
        self.decisions = DecisionLog()
        self.app = build_gateway_app(api, self.authorizers, self.decisions)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def web(backend_server: ServerThread) -> Iterator[tuple[Gateway, ServerThread]]:
    gateway = Gateway(http_api(backend_server.url))
    with ServerThread(gateway.app) as server:
        yield gateway, server


@pytest.fixture(scope="module")
def rest(backend_server: ServerThread) -> Iterator[tuple[Gateway, ServerThread]]:
    gateway = Gateway(rest_api(backend_server.url))
    with ServerThread(gateway.app) as server:
        yield gateway, server


def get(server: ServerThread, method: str, path: str, **kwargs: Any) -> httpx.Response:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        return client.request(method, path, **kwargs)


# --- HTTP API over real HTTP -------------------------------------------------------------------------

def test_proxy_rewrites_host_and_adds_aws_headers(web: tuple[Gateway, ServerThread],
                                                  backend_server: ServerThread) -> None:
    gateway, server = web
    response = get(server, "GET", "/echo?a=1&a=2", headers={"x-custom": "yes", "x-forwarded-for": "9.9.9.9"})
    assert response.status_code == 200
    seen = response.json()
    assert (seen["method"], seen["path"], seen["query"]) == ("GET", "/echo", "a=1&a=2")
    sent = echoed_headers(response)
    assert sent["host"] == f"127.0.0.1:{backend_server.port}"
    assert sent["x-custom"] == "yes"
    assert sent["x-forwarded-for"] == "9.9.9.9, 127.0.0.1"
    assert sent["x-amzn-apigateway-api-id"] == gateway.api.api_id
    assert sent["x-amzn-trace-id"].startswith("Root=1-")
    assert len(response.headers["apigw-requestid"]) == 16
    assert response.headers.get_list("set-cookie") == ["a=1", "b=2"]
    assert len(response.headers.get_list("date")) == 1 and "server" not in response.headers
    assert gateway.authorizers.calls == []  # no authorizer on this route


def test_proxy_paths_and_mapped_variables(web: tuple[Gateway, ServerThread]) -> None:
    _, server = web
    assert get(server, "GET", "/open/a/b%20c?x=1").json()["path"] == "/open/a/b c"
    mapped = get(server, "GET", "/mapped/42?y=2").json()
    assert (mapped["path"], mapped["query"]) == ("/items/42", "fixed=1&y=2")


def test_proxy_streams_large_bodies_both_ways(web: tuple[Gateway, ServerThread]) -> None:
    _, server = web
    payload = bytes(range(256)) * 4096  # 1 MiB, not UTF-8
    response = get(server, "POST", "/upload", content=payload)
    assert response.json()["body_len"] == len(payload)
    assert response.json()["body_sha"] == hashlib.sha256(payload).hexdigest()

    def chunks() -> Iterator[bytes]:
        yield b"abc"
        yield b"def"

    chunked = get(server, "POST", "/upload", content=chunks())
    assert chunked.json()["body_len"] == 6
    streamed = get(server, "GET", "/stream")
    assert streamed.text == "part0;part1;part2;"


def test_proxy_passes_redirects_through(web: tuple[Gateway, ServerThread]) -> None:
    _, server = web
    response = get(server, "GET", "/redirect")
    assert response.status_code == 302 and response.headers["location"] == "/elsewhere"


def test_backend_timeout_and_refusal(web: tuple[Gateway, ServerThread]) -> None:
    gateway, server = web
    slow = get(server, "GET", "/slow")
    assert slow.status_code == 504 and slow.json() == {"message": "Gateway Timeout"}
    assert "TimeoutInMillis" in slow.headers[REASON_HEADER]
    down = get(server, "GET", "/down")
    assert down.status_code == 503 and down.json() == {"message": "Service Unavailable"}
    assert "ConnectError" in down.headers[REASON_HEADER]
    assert any("GET /down" in d["component"] for d in gateway.decisions.recent())


def test_not_found(web: tuple[Gateway, ServerThread]) -> None:
    gateway, server = web
    response = get(server, "GET", "/nowhere")
    assert response.status_code == 404 and response.content == b'{"message":"Not Found"}'
    assert "no route matches GET /nowhere" in response.headers[REASON_HEADER]
    assert "apigw-requestid" in response.headers
    decision = gateway.decisions.recent(1)[0]
    assert decision["component"] == "gateway web GET /nowhere"
    assert decision["error"] == '404 {"message":"Not Found"}'


def test_authorizer_deny_and_allow(web: tuple[Gateway, ServerThread]) -> None:
    gateway, server = web
    denied = get(server, "GET", "/secure", headers={"authorization": "Bearer bad"})
    assert denied.status_code == 401 and denied.json() == {"message": "Unauthorized"}
    assert denied.headers["www-authenticate"].startswith("Bearer")
    assert denied.headers[REASON_HEADER] == "token 'Bearer bad' is not the good one"
    assert gateway.decisions.recent(1)[0]["component"] == "gateway web GET /secure"
    allowed = get(server, "GET", "/secure", headers={"authorization": "Bearer good"})
    assert allowed.status_code == 200 and REASON_HEADER not in allowed.headers
    name, request = gateway.authorizers.calls[-1]
    assert name == "jwt"
    assert (request.protocol_type, request.stage, request.route_key) == ("HTTP", "$default", "GET /secure")
    assert request.method_arn == f"arn:aws:execute-api:us-east-1:123456789012:{gateway.api.api_id}/$default/GET/secure"
    assert request.headers["authorization"] == "Bearer good"
    assert request.event_context["http"]["method"] == "GET"


def test_python_v2_event_carries_authorizer_context(web: tuple[Gateway, ServerThread]) -> None:
    gateway, server = web
    response = get(server, "PUT", "/fn/a/b?q=1&q=2", headers={"authorization": "Bearer good", "cookie": "c=1; d=2"},
                   content=b'{"x": 1}')
    assert response.status_code == 200 and response.headers["x-handler"] == "echo"
    event = response.json()["event"]
    assert event["version"] == "2.0" and event["routeKey"] == "ANY /fn/{proxy+}"
    assert event["rawPath"] == "/fn/a/b" and event["rawQueryString"] == "q=1&q=2"
    assert event["queryStringParameters"] == {"q": "1,2"}
    assert event["pathParameters"] == {"proxy": "a/b"}
    assert event["cookies"] == ["c=1", "d=2"] and "cookie" not in event["headers"]
    assert event["body"] == '{"x": 1}' and event["isBase64Encoded"] is False
    assert event["stageVariables"] == {"env": "test"}
    assert event["headers"]["x-forwarded-for"] == "127.0.0.1"
    assert event["headers"]["x-forwarded-port"] == str(server.port)
    context = event["requestContext"]
    assert context["authorizer"] == {"jwt": {"claims": {"sub": "u1"}, "scopes": None}}
    assert context["apiId"] == gateway.api.api_id and context["stage"] == "$default"
    assert context["requestId"] == response.headers["apigw-requestid"]
    lambda_context = response.json()["context"]
    assert lambda_context["function_name"] == "gateway_fixtures-handlers-echo"
    assert 0 < lambda_context["remaining_ms"] <= 30000


def test_python_v1_event_on_http_api(web: tuple[Gateway, ServerThread]) -> None:
    _, server = web
    response = get(server, "POST", "/fn1", headers={"authorization": "Bearer good"}, content=b"\xff\xfe")
    event = response.json()["event"]
    assert event["version"] == "1.0" and event["resource"] == "/fn1"
    assert event["requestContext"]["authorizer"] == {"claims": {"sub": "u1"}, "scopes": None}
    assert event["isBase64Encoded"] is True


# --- HTTP API in-process (fast) ----------------------------------------------------------------------

def call(gateway: Gateway, method: str, path: str, **kwargs: Any) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=gateway.app, client=("10.0.0.7", 4242))
        async with httpx.AsyncClient(transport=transport, base_url="http://gw.test") as client:
            return await client.request(method, path, **kwargs)
    return asyncio.run(go())


@pytest.fixture(scope="module")
def web_local(backend_server: ServerThread) -> Gateway:
    return Gateway(http_api(backend_server.url))


@pytest.mark.parametrize(("path", "status", "body", "reason"), [
    ("/boom", 500, b'{"message":"Internal Server Error"}', "raised ValueError: kaput at "),
    ("/slowfn", 503, b'{"message":"Service Unavailable"}', "did not return within TimeoutInMillis (100 ms)"),
    ("/badbody", 500, b'{"message":"Internal Server Error"}', "body must be a string"),
])
def test_http_handler_failures(web_local: Gateway, path: str, status: int, body: bytes, reason: str) -> None:
    response = call(web_local, "GET", path)
    assert (response.status_code, response.content) == (status, body)
    assert reason in response.headers[REASON_HEADER]
    assert "Traceback" not in response.text


@pytest.mark.parametrize(("path", "status", "content_type", "body"), [
    ("/plain", 200, "application/json", b'{"message": "Hello from Lambda!"}'),
    ("/plainstr", 200, "application/json", b"Hello from Lambda!"),
    ("/binary", 200, "application/octet-stream", b"\x00\x01\xff"),
])
def test_http_handler_inferred_responses(web_local: Gateway, path: str, status: int, content_type: str,
                                         body: bytes) -> None:
    response = call(web_local, "GET", path)
    assert (response.status_code, response.headers["content-type"], response.content) == (status, content_type, body)


def test_http_cookies_and_async_handler(web_local: Gateway) -> None:
    response = call(web_local, "GET", "/cookies")
    assert response.status_code == 201 and response.headers.get_list("set-cookie") == ["a=1; Path=/", "b=2"]
    assert call(web_local, "GET", "/async").json()["event"]["requestContext"]["http"]["sourceIp"] == "10.0.0.7"


def test_cors_preflight_skips_the_authorizer(web_local: Gateway) -> None:
    before = len(web_local.authorizers.calls)
    response = call(web_local, "OPTIONS", "/secure", headers={
        "origin": "http://app.example", "access-control-request-method": "GET"})
    assert response.status_code == 204 and response.content == b""
    assert response.headers["access-control-allow-origin"] == "http://app.example"
    assert response.headers["access-control-allow-methods"] == "GET,POST"
    assert response.headers["access-control-allow-headers"] == "authorization"
    assert response.headers["access-control-max-age"] == "60"
    assert response.headers["access-control-allow-credentials"] == "true"
    assert len(web_local.authorizers.calls) == before
    stranger = call(web_local, "OPTIONS", "/secure", headers={
        "origin": "http://evil.example", "access-control-request-method": "GET"})
    assert stranger.status_code == 204 and "access-control-allow-origin" not in stranger.headers
    assert "not in AllowOrigins" in stranger.headers[REASON_HEADER]


def test_cors_headers_on_responses_replace_the_backends(web_local: Gateway) -> None:
    response = call(web_local, "GET", "/echo", headers={"origin": "http://app.example"})
    assert response.headers.get_list("access-control-allow-origin") == ["http://app.example"]
    assert response.headers["access-control-expose-headers"] == "x-total"
    denied = call(web_local, "GET", "/secure", headers={"origin": "http://app.example"})
    assert denied.status_code == 401 and denied.headers["access-control-allow-origin"] == "http://app.example"


def test_emulator_fault_is_an_aws_500(web_local: Gateway) -> None:
    response = call(web_local, "GET", "/secure", headers={"authorization": "Bearer raise"})
    assert response.status_code == 500 and response.content == b'{"message":"Internal Server Error"}'
    assert "RuntimeError: stand-in exploded" in response.headers[REASON_HEADER]
    assert "apigw-requestid" in response.headers


def test_body_over_10_mb(web_local: Gateway) -> None:
    big = b"x" * (10 * 1024 * 1024 + 1)
    response = call(web_local, "POST", "/sink", content=big)
    assert response.status_code == 413 and response.content == b"HTTP content length exceeded 10485760 bytes."
    assert "10 MB" in response.headers[REASON_HEADER]

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(11):
            yield b"y" * (1024 * 1024)

    streamed = call(web_local, "POST", "/sink", content=chunks())
    assert streamed.status_code == 413
    assert call(web_local, "POST", "/sink", content=b"x" * (10 * 1024 * 1024)).status_code == 200


# --- REST --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def rest_local(backend_server: ServerThread) -> Gateway:
    return Gateway(rest_api(backend_server.url))


def test_rest_over_http(rest: tuple[Gateway, ServerThread]) -> None:
    gateway, server = rest
    response = get(server, "GET", "/dev/pets/7?x=1", headers={"authorization": "Bearer good"})
    assert response.status_code == 200
    assert len(response.headers["x-amzn-requestid"]) == 36 and response.headers["x-amz-apigw-id"]
    event = response.json()["event"]
    assert (event["resource"], event["path"], event["httpMethod"]) == ("/pets/{id}", "/pets/7", "GET")
    assert event["pathParameters"] == {"id": "7"} and event["queryStringParameters"] == {"x": "1"}
    context = event["requestContext"]
    assert context["authorizer"] == {"claims": {"sub": "u1", "email_verified": "true"}}
    assert (context["stage"], context["path"], context["resourcePath"]) == ("dev", "/dev/pets/7", "/pets/{id}")
    assert context["requestId"] == response.headers["x-amzn-requestid"]
    _, request = gateway.authorizers.calls[-1]
    assert (request.route_key, request.path, request.stage) == ("/pets/{id}", "/pets/7", "dev")
    assert request.method_arn.endswith(f":{gateway.api.api_id}/dev/GET/pets/7")
    files = get(server, "POST", "/dev/files/a/b", content=b"hi")
    assert files.json()["path"] == "/files/a/b" and files.json()["body_len"] == 2
    assert len(files.headers.get_list("date")) == 1 and "x-amzn-remapped-date" in files.headers


@pytest.mark.parametrize(("path", "headers", "status", "body", "reason"), [
    ("/pets/7", {}, 403, b'{"message":"Missing Authentication Token"}', "start with the stage"),
    ("/dev/nothing", {}, 403, b'{"message":"Missing Authentication Token"}', "no route matches GET /nothing"),
    ("/prod/pets/7", {}, 403, b'{"message":"Missing Authentication Token"}', "/dev/..."),
    ("/dev/boom", {}, 502, b'{"message": "Internal server error"}', "raised ValueError: kaput"),
    ("/dev/slowfn", {}, 504, b'{"message": "Endpoint request timed out"}', "TimeoutInMillis (100 ms)"),
    ("/dev/down", {}, 504, b'{"message": "Network error communicating with endpoint"}', "failed: ConnectError"),
    ("/dev/pets/7", {"authorization": "Bearer raise"}, 500, b'{"message": "Internal server error"}',
     "stand-in exploded"),
])
def test_rest_refusals(rest_local: Gateway, path: str, headers: dict, status: int, body: bytes,
                       reason: str) -> None:
    response = call(rest_local, "GET", path, headers=headers)
    assert (response.status_code, response.content) == (status, body)
    assert reason in response.headers[REASON_HEADER]
    assert "x-amzn-requestid" in response.headers


def test_rest_unreachable_backend_is_aws_504(rest_local: Gateway) -> None:
    down = call(rest_local, "GET", "/dev/down")  # AWS_EVIDENCE.md §1: a real curl -v, INTEGRATION_FAILURE
    assert down.status_code == 504 and down.headers["x-amzn-errortype"] == "InternalServerErrorException"


def test_rest_missing_token_header_and_sigv4_quirk(rest_local: Gateway) -> None:
    missing = call(rest_local, "GET", "/dev/nothing")
    assert missing.headers["x-amzn-errortype"] == "MissingAuthenticationTokenException"
    with_auth = call(rest_local, "GET", "/dev/nothing", headers={"authorization": "Bearer x"})
    assert with_auth.status_code == 403
    assert with_auth.json()["message"].startswith("Invalid key=value pair (missing equal-sign)")


def test_rest_deny_and_root(rest_local: Gateway) -> None:
    denied = call(rest_local, "GET", "/dev/pets/7", headers={"authorization": "Bearer bad"})
    assert denied.status_code == 401 and denied.headers["x-amzn-errortype"] == "UnauthorizedException"
    root = call(rest_local, "GET", "/dev")
    assert root.status_code == 200 and root.json()["event"]["resource"] == "/"
    assert call(rest_local, "GET", "/dev/").json()["event"]["path"] == "/"


def test_rest_response_mapping(rest_local: Gateway) -> None:
    plain = call(rest_local, "GET", "/dev/plain")  # no statusCode: malformed for payload 1.0
    assert plain.status_code == 502 and "has no statusCode" in plain.headers[REASON_HEADER]
    multi = call(rest_local, "GET", "/dev/multi")
    assert multi.headers.get_list("x-a") == ["m1", "m2"] and multi.headers["x-b"] == "b"


# --- with the real Authorizers: a JWT minted here, keys served by a fake IssuerKeys ------------------

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example01"


class FakeIssuerKeys:
    def __init__(self, jwks: dict) -> None:
        self.jwks = jwks

    def local_jwks(self, issuer: str) -> dict | None:
        return self.jwks if issuer == ISSUER else None

    def pool_issuer(self, pool_id: str) -> str | None:
        return ISSUER if pool_id == "us-east-1_Example01" else None


def test_real_authorizers_with_jwt() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": "k1", "alg": "RS256", "use": "sig"})
    raw = [{"Name": "real", "ProtocolType": "HTTP",
            "Authorizers": [{"Name": "cognitoAuthorizer", "AuthorizerType": "JWT",
                             "JwtConfiguration": {"Issuer": ISSUER, "Audience": ["piyopiyo"]}}],
            "Routes": [{"RouteKey": "GET /mogemoge", "AuthorizerName": "cognitoAuthorizer", "Target": ECHO}]}]
    api = parse_apis(raw, "Apis", HERE)[0]
    decisions = DecisionLog()
    gateway = Gateway(api)
    gateway.decisions = decisions
    gateway.app = build_gateway_app(api, Authorizers(FakeIssuerKeys({"keys": [jwk]})), decisions)
    now = int(time.time())

    def token(**claims: Any) -> str:
        body = {"iss": ISSUER, "sub": "user-1", "token_use": "id", "iat": now, "exp": now + 3600, **claims}
        return jwt.encode(body, key, algorithm="RS256", headers={"kid": "k1"})

    ok = call(gateway, "GET", "/mogemoge", headers={"authorization": f"Bearer {token(aud='piyopiyo')}"})
    assert ok.status_code == 200, ok.headers.get(REASON_HEADER)
    claims = ok.json()["event"]["requestContext"]["authorizer"]["jwt"]["claims"]
    assert claims["aud"] == "piyopiyo" and claims["sub"] == "user-1"

    access = token(client_id="piyopiyo", token_use="access", scope="aws.cognito.signin.user.admin")
    assert call(gateway, "GET", "/mogemoge", headers={"authorization": access}).status_code == 200

    wrong = call(gateway, "GET", "/mogemoge", headers={"authorization": token(aud="other-client")})
    assert wrong.status_code == 401 and wrong.json() == {"message": "Unauthorized"}
    assert "audience" in wrong.headers["www-authenticate"]
    assert "other-client" in wrong.headers[REASON_HEADER]
    assert decisions.recent(1)[0]["component"] == "gateway real GET /mogemoge"
    missing = call(gateway, "GET", "/mogemoge")
    assert missing.status_code == 401
