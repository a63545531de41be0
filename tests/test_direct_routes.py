"""The port's busiest FastAPI route (/oauth2/token) is called straight, past FastAPI's router; every other
request, and that path with another method, still goes through FastAPI."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from emulator.cognito.app import DirectRoutes, build_routes
from emulator.server import EmulatorServer


def called(routes: DirectRoutes, method: str, path: str) -> tuple[int, bytes]:
    scope = {"type": "http", "method": method, "path": path, "raw_path": path.encode(), "query_string": b"",
             "headers": [], "root_path": "", "scheme": "http", "server": ("127.0.0.1", 1)}
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(routes(scope, receive, send))
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


def test_a_direct_route_is_answered_without_the_app_and_the_rest_by_it() -> None:
    seen: list[str] = []

    async def app(scope: dict, receive: object, send: object) -> None:
        seen.append(f"{scope['method']} {scope['path']}")
        await PlainTextResponse("app", status_code=404)(scope, receive, send)

    async def token(request: Request) -> Response:
        return PlainTextResponse(f"direct {request.method} {request.url.path}")

    routes = DirectRoutes(app, {("POST", "/oauth2/token"): token})
    assert called(routes, "POST", "/oauth2/token") == (200, b"direct POST /oauth2/token")
    assert called(routes, "GET", "/oauth2/token") == (404, b"app")
    assert called(routes, "POST", "/oauth2/token/") == (404, b"app")
    assert seen == ["GET /oauth2/token", "POST /oauth2/token/"]


def test_the_port_calls_its_token_endpoint_straight(server: EmulatorServer) -> None:
    routes = build_routes(server.runtime)
    assert set(routes.direct) == {("POST", "/oauth2/token")}
    # An empty grant is refused by the endpoint itself, in AWS's OAuth2 shape.
    status, body = called(routes, "POST", "/oauth2/token")
    assert status == 400 and b'"error"' in body
