"""The gateway runs Lambda authorizers and integrations through the same invoker as the triggers: Node.js
handlers in a worker the emulator starts, and functions behind a Lambda Invoke API endpoint."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulator.config import ConfigError, parse_config
from emulator.server import EmulatorServer
from emulator.testing import free_port, running_emulator

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")]

HERE = Path(__file__).resolve().parent


class _InvokeApi(BaseHTTPRequestHandler):
    """A minimal Lambda Invoke API serving the functions `hello` and `gate` (as `sam local start-lambda` would)."""

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        event = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path == "/2015-03-31/functions/gate/invocations":
            body: dict[str, Any] = {"isAuthorized": event["headers"].get("authorization") == "let-me-in"}
        else:
            body = {"statusCode": 201, "body": json.dumps({"from": "invoke-api", "path": event["rawPath"]})}
        data = json.dumps(body).encode()
        self.send_response(200 if self.path.endswith(("/hello/invocations", "/gate/invocations")) else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def invoke_endpoint() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), _InvokeApi)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def _config(endpoint: str) -> dict[str, Any]:
    return {"Apis": [{
        "Name": "runtimes", "ProtocolType": "HTTP", "Port": free_port(),
        "Authorizers": [{"Name": "nodeAuthorizer", "AuthorizerType": "REQUEST",
                         "AuthorizerUri": "node:lambdas/gateway_authorizer.mjs:handler",
                         "IdentitySource": ["$request.header.Authorization"], "EnableSimpleResponses": True,
                         "AuthorizerPayloadFormatVersion": "2.0"},
                        {"Name": "remoteAuthorizer", "AuthorizerType": "REQUEST",
                         "AuthorizerUri": f"invoke:{endpoint}:gate",
                         "IdentitySource": ["$request.header.Authorization"], "EnableSimpleResponses": True,
                         "AuthorizerPayloadFormatVersion": "2.0"}],
        "Routes": [
            {"RouteKey": "GET /node", "AuthorizerName": "nodeAuthorizer",
             "Target": "node:lambdas/gateway_handler.cjs:handler"},
            {"RouteKey": "GET /remote", "Target": f"invoke:{endpoint}:hello"},
            {"RouteKey": "GET /guarded", "AuthorizerName": "remoteAuthorizer", "Target": f"invoke:{endpoint}:hello"},
            {"RouteKey": "GET /broken", "Target": "node:lambdas/gateway_throws.mjs:handler"},
        ],
    }]}


@pytest.fixture(scope="module")
def gateway(invoke_endpoint: str) -> Iterator[str]:
    config = parse_config(_config(invoke_endpoint), base_dir=HERE)
    with running_emulator(config) as server:
        yield _api_url(server)


def _api_url(server: EmulatorServer) -> str:
    return next(listener.url for listener in server.listeners if listener.name == "api runtimes")


def test_a_node_authorizer_and_a_node_integration(gateway: str) -> None:
    allowed = httpx.get(f"{gateway}/node", headers={"Authorization": "let-me-in"})
    assert allowed.status_code == 200
    body = allowed.json()
    assert body["authorizer"]["lambda"] == {"runtime": "node", "route": "GET /node"}
    assert body["fn"]
    denied = httpx.get(f"{gateway}/node", headers={"Authorization": "wrong"})
    assert (denied.status_code, denied.json()) == (403, {"message": "Forbidden"})


def test_an_integration_behind_the_lambda_invoke_api(gateway: str) -> None:
    response = httpx.get(f"{gateway}/remote")
    assert (response.status_code, response.json()) == (201, {"from": "invoke-api", "path": "/remote"})


def test_an_authorizer_behind_the_lambda_invoke_api(gateway: str) -> None:
    assert httpx.get(f"{gateway}/guarded", headers={"Authorization": "let-me-in"}).status_code == 201
    denied = httpx.get(f"{gateway}/guarded", headers={"Authorization": "nope"})
    assert (denied.status_code, denied.json()) == (403, {"message": "Forbidden"})


def test_a_node_handler_that_throws_is_a_500_with_the_reason(gateway: str) -> None:
    response = httpx.get(f"{gateway}/broken")
    assert (response.status_code, response.json()) == (500, {"message": "Internal Server Error"})
    assert "threw TypeError: the handler broke" in response.headers["x-emulator-reason"]


def test_a_missing_node_file_fails_at_start_with_its_key_path() -> None:
    config = _config("http://127.0.0.1:1")
    config["Apis"][0]["Routes"][0]["Target"] = "node:lambdas/nope.js:handler"
    with pytest.raises(ConfigError) as info:
        parse_config(config, base_dir=HERE)
    assert info.value.path == "Apis[0].Routes[0].Target" and "does not exist" in info.value.reason
