"""One request object per gateway request: stamped by the gateway's clock, its token parsed once, its
requestContext built once and shared by the Lambda authorizer's event and the integration's event."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from emulator.decisions import DecisionLog
from emulator.gateway import events, token_verification
from emulator.gateway.app import build_gateway_app
from emulator.gateway.authorizer_config import CognitoAuthorizer, JwtAuthorizer
from emulator.gateway.authorizers import Authorizers
from emulator.gateway.config import ApiConfig, parse_apis
from emulator.gateway.request import AuthRequest, header_value
from emulator.gateway.verdicts import Allow

HERE = Path(__file__).parent
ECHO = "python:gateway_fixtures.handlers:echo"
NOW = 1_700_000_000.5  # 14 Nov 2023 22:13:20.5 UTC
POOL_ID = "us-east-1_Example01"
ISSUER = f"https://cognito-idp.us-east-1.amazonaws.com/{POOL_ID}"
KEY = rsa.generate_private_key(65537, 2048)


class Clock:
    def __call__(self) -> float:
        return NOW


class OnePool:
    def local_jwks(self, issuer: str) -> dict | None:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key()))
        return {"keys": [{**jwk, "kid": "k1", "alg": "RS256"}]} if issuer == ISSUER else None

    def pool_issuer(self, pool_id: str) -> str | None:
        return ISSUER if pool_id == POOL_ID else None


class Recorder:
    """A Lambda authorizer that records its events, allows, and scribbles over what it was given."""

    def __init__(self) -> None:
        self.events: list[dict] = []

    def __call__(self, event: dict, context: Any) -> dict:
        self.events.append(json.loads(json.dumps(event)))
        event["requestContext"]["requestId"] = "SCRIBBLED"
        if "methodArn" in event:  # REST: a policy
            return {"principalId": "u", "policyDocument": {"Statement": [
                {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*"}]}}
        return {"isAuthorized": True, "context": {"who": "recorder"}}


def lambda_api(recorder: Recorder, protocol: str = "HTTP") -> ApiConfig:
    authorizer: dict[str, Any] = {"Name": "lam", "AuthorizerType": "REQUEST", "AuthorizerResultTtlInSeconds": 0,
                                  "AuthorizerUri": "python:gateway_fixtures.handlers:allow_all"}
    if protocol == "HTTP":
        authorizer.update({"IdentitySource": ["$request.header.X-Token"], "AuthorizerPayloadFormatVersion": "2.0",
                           "EnableSimpleResponses": True})
    else:
        authorizer["IdentitySource"] = "method.request.header.X-Token"
    raw = [{"Name": "ctx", "ProtocolType": protocol, "Authorizers": [authorizer],
            "Routes": [{"RouteKey": "GET /pets/{id}", "Target": ECHO, "AuthorizerName": "lam"}]}]
    api = parse_apis(raw, "Apis", HERE)[0]
    lam = replace(api.authorizers[0], function=recorder)
    return replace(api, authorizers=(lam,), routes=tuple(replace(r, authorizer=lam) for r in api.routes))


def call(api: ApiConfig, path: str, headers: list[tuple[str, str]]) -> httpx.Response:
    app = build_gateway_app(api, Authorizers(OnePool(), clock=Clock()), DecisionLog())

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=("10.0.0.7", 4242))
        async with httpx.AsyncClient(transport=transport, base_url="http://gw.test") as client:
            return await client.get(path, headers=headers)
    return asyncio.run(go())


def test_events_are_stamped_with_the_gateways_clock() -> None:
    recorder = Recorder()
    response = call(lambda_api(recorder), "/pets/7", [("x-token", "t")])
    assert response.status_code == 200, response.headers.get("x-emulator-reason")
    event = response.json()["event"]
    for context in (event["requestContext"], recorder.events[0]["requestContext"]):
        assert context["timeEpoch"] == 1_700_000_000_500
        assert context["time"] == "14/Nov/2023:22:13:20 +0000"
    assert event["headers"]["x-amzn-trace-id"].startswith(f"Root=1-{int(NOW):08x}-")


def test_the_authorizer_and_the_integration_share_one_request_context(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []
    original = events.request_context_v2

    def counting(request: Any, info: Any) -> dict:
        built.append(request.request_id)
        return original(request, info)

    monkeypatch.setattr(events, "request_context_v2", counting)
    recorder = Recorder()
    response = call(lambda_api(recorder), "/pets/7", [("x-token", "t")])
    event = response.json()["event"]
    assert len(built) == 1  # built once for both events
    integration_context = {k: v for k, v in event["requestContext"].items() if k != "authorizer"}
    assert recorder.events[0]["requestContext"] == integration_context
    # what the authorizer's handler did to its own event stays in its event
    assert event["requestContext"]["requestId"] == response.headers["apigw-requestid"]
    assert event["requestContext"]["authorizer"] == {"lambda": {"who": "recorder"}}


def test_repeated_headers_reach_a_rest_request_authorizer_as_aws_sends_them() -> None:
    recorder = Recorder()
    response = call(lambda_api(recorder, "REST"), "/dev/pets/7", [("X-Token", "a"), ("X-Token", "b"),
                                                                  ("Accept", "*/*")])
    assert response.status_code == 200, response.headers.get("x-emulator-reason")
    event = recorder.events[0]
    assert event["headers"]["x-token"] == "b"  # the last value, as in the 1.0 proxy event
    assert event["multiValueHeaders"]["x-token"] == ["a", "b"]
    assert event["multiValueHeaders"]["accept"] == ["*/*"]


class Capture:
    """Authorizers stand-in that keeps the AuthRequest the app built."""

    clock = Clock()
    invoker = None

    def __init__(self) -> None:
        self.requests: list[AuthRequest] = []

    async def authorize(self, authorizer: Any, request: AuthRequest) -> Allow:
        self.requests.append(request)
        return Allow({"lambda": {}})


def test_the_authorizer_sees_the_requests_own_headers_and_query() -> None:
    capture = Capture()
    app = build_gateway_app(lambda_api(Recorder()), capture, DecisionLog())  # type: ignore[arg-type]

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw.test") as client:
            return await client.get("/pets/7?q=1&q=2", headers=[("X-Token", "a"), ("x-token", "b")])
    assert asyncio.run(go()).status_code == 200
    seen = capture.requests[0]
    assert header_value(seen.headers, "X-TOKEN") == "a,b"  # case-insensitive, repeated values comma-joined
    assert seen.query == {"q": ("1", "2")}
    assert seen.event_context["timeEpoch"] == 1_700_000_000_500


def token(**claims: Any) -> str:
    body = {"iss": ISSUER, "sub": "u", "aud": "piyopiyo", "token_use": "id", "iat": int(NOW), "exp": NOW + 60,
            **claims}
    return jwt.encode(body, KEY, algorithm="RS256", headers={"kid": "k1"})


def counting_parser(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    parsed: list[str] = []
    original = token_verification.parse_jwt

    def counting(text: str) -> token_verification.ParsedToken:
        parsed.append(text)
        return original(text)

    monkeypatch.setattr(token_verification, "parse_jwt", counting)
    return parsed


@pytest.mark.parametrize("authorizer", [
    JwtAuthorizer("jwt", ("$request.header.Authorization",), ISSUER, ("piyopiyo",)),
    CognitoAuthorizer("pool", "method.request.header.Authorization",
                      (f"arn:aws:cognito-idp:us-east-1:123456789012:userpool/{POOL_ID}",), None, 300),
], ids=["JWT", "COGNITO_USER_POOLS"])
def test_the_token_is_parsed_once_per_request(monkeypatch: pytest.MonkeyPatch, authorizer: Any) -> None:
    parsed = counting_parser(monkeypatch)
    protocol = "HTTP" if isinstance(authorizer, JwtAuthorizer) else "REST"
    request = AuthRequest(protocol, "api", "$default", "GET", "/x", "GET /x", {"authorization": token()}, {}, {}, {},
                          "127.0.0.1", (), "arn:aws:execute-api:us-east-1:123456789012:api/$default/GET/x", "r", {})
    decision = asyncio.run(Authorizers(OnePool(), clock=Clock()).authorize(authorizer, request))
    assert isinstance(decision, Allow), decision
    assert len(parsed) == 1
