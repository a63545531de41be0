"""Speed figures, measured (never asserted): token issuance against the bare RS256 signing bound,
and the gateway's authorizer decision time per request. Run: python bench/bench.py [--quick]"""

from __future__ import annotations

import asyncio
import base64
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import jwt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from emulator.cognito.api_root import respond  # noqa: E402
from emulator.cognito.app import operation_table  # noqa: E402
from emulator.cognito.auth import initiate_auth  # noqa: E402
from emulator.cognito.lookup import secret_hash  # noqa: E402
from emulator.cognito.protocol import TARGET_PREFIX as TARGET  # noqa: E402
from emulator.cognito.protocol import Call  # noqa: E402
from emulator.cognito.sigv4 import SignedRequest  # noqa: E402
from emulator.gateway.authorizers import Authorizers, AuthRequest, JwtAuthorizer  # noqa: E402
from emulator.oauth2.token import token_response  # noqa: E402
from emulator.testing import free_port, running_emulator  # noqa: E402
from tests.conftest import POOL_ID, bundled_config  # noqa: E402

AUTH_PARAMS = {"ClientId": "piyopiyo", "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {
    "USERNAME": "peroper@hoge.com", "PASSWORD": "munyamunya",
    "SECRET_HASH": secret_hash("amoamo", "peroper@hoge.com", "piyopiyo")}}
ISSUER = f"https://cognito-idp.us-east-1.amazonaws.com/{POOL_ID}"


def per_op(fn: Callable[[], object], n: int, repeats: int = 3) -> float:
    """Best-of-repeats median time per call, in milliseconds."""
    results = []
    for _ in range(repeats):
        samples = []
        for _ in range(n):
            start = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - start)
        results.append(statistics.median(samples))
    return min(results) * 1000


def row(name: str, ms: float, baseline: float | None = None) -> None:
    ratio = f"  {ms / baseline:5.2f}x baseline" if baseline else ""
    print(f"{name:<58} {ms:8.3f} ms  {1000 / ms:9.0f}/s{ratio}")


def through_app(app: Callable, body: bytes) -> Callable[[], object]:
    """One InitiateAuth through the port's ASGI app as uvicorn calls it (log, body limit, CORS, the API, the
    thread-pool hop), without the socket and HTTP parsing; on an event loop of the bench's own."""
    loop = asyncio.new_event_loop()
    scope = {"type": "http", "method": "POST", "path": "/", "raw_path": b"/", "query_string": b"",
             "headers": [(b"host", b"127.0.0.1"), (b"x-amz-target", (TARGET + "InitiateAuth").encode()),
                         (b"content-type", b"application/x-amz-json-1.1")],
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 9229), "scheme": "http", "http_version": "1.1",
             "root_path": "", "asgi": {"version": "3.0"}}

    async def receive() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            assert message["status"] == 200, message

    return lambda: loop.run_until_complete(app(dict(scope), receive, send))


def main(quick: bool) -> None:
    n = 30 if quick else 200
    config = bundled_config()
    config["Apis"] = [{"Name": "bench", "ProtocolType": "HTTP", "Port": free_port(),
                       "Authorizers": [{"Name": "jwt", "AuthorizerType": "JWT",
                                        "IdentitySource": "$request.header.Authorization",
                                        "JwtConfiguration": {"Issuer": ISSUER, "Audience": ["piyopiyo"]}}],
                       "Routes": [{"RouteKey": "GET /open", "Target": "python:examples.backend:echo_event"},
                                  {"RouteKey": "GET /guarded", "AuthorizerName": "jwt",
                                   "Target": "python:examples.backend:echo_event"}]}]
    with running_emulator(config) as server:
        rt = server.runtime
        key = rt.keyring.signing_key(POOL_ID, "access")
        claims = {"sub": "x", "token_use": "access", "iat": 1, "exp": 2}
        sign = per_op(lambda: jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid}), n)
        print(f"Token issuance ({n} samples, median per call)")
        row("baseline: one RS256 signature (PyJWT, RSA-2048)", sign)
        row("baseline: two signatures (an ID + an access token)", 2 * sign)
        call = Call("InitiateAuth", "bench", "127.0.0.1")
        row("InitiateAuth USER_PASSWORD_AUTH, in process", per_op(lambda: initiate_auth(rt, AUTH_PARAMS, call), n),
            2 * sign)
        row("InitiateAuth through the Cognito port's ASGI app (no socket)",
            per_op(through_app(server.listeners[0].app, json.dumps(AUTH_PARAMS).encode()), n), 2 * sign)
        with httpx.Client(base_url=server.url) as client:
            headers = {"X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
                       "Content-Type": "application/x-amz-json-1.1"}
            row("InitiateAuth USER_PASSWORD_AUTH over HTTP (keep-alive)",
                per_op(lambda: client.post("/", json=AUTH_PARAMS, headers=headers), n), 2 * sign)
            tokens = client.post("/", json=AUTH_PARAMS, headers=headers).json()["AuthenticationResult"]

        print(f"\nOther token operations in process, through the API's whole path ({n} samples)")
        public = rt.keyring.signing_key(POOL_ID, "access").private_key.public_key()
        verify_access = per_op(lambda: jwt.decode(tokens["AccessToken"], public, algorithms=["RS256"],
                                                  options={"verify_exp": False}), n)
        row("baseline: one RS256 verification (PyJWT)", verify_access)
        operations = operation_table()

        def api(operation: str, params: dict, headers: tuple = ()) -> Callable[[], object]:
            request = SignedRequest("POST", "http://127.0.0.1/", [("host", "127.0.0.1"), *headers],
                                    json.dumps(params).encode())
            return lambda: respond(rt, operations, request, TARGET + operation, "bench", "127.0.0.1")

        refresh = api("InitiateAuth", {"ClientId": "piyopiyo", "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": {
            "REFRESH_TOKEN": tokens["RefreshToken"], "SECRET_HASH": AUTH_PARAMS["AuthParameters"]["SECRET_HASH"]}})
        row("InitiateAuth REFRESH_TOKEN_AUTH (bound: two signatures)", per_op(refresh, n), 2 * sign)
        basic = "Basic " + base64.b64encode(b"testserver01:testserversecret0123456789").decode()
        form = {"grant_type": "client_credentials", "scope": "test_resource/test"}
        row("/oauth2/token client_credentials (bound: one signature)",
            per_op(lambda: token_response(rt, form, basic), n), sign)
        row("GetUser (bound: one verification)", per_op(api("GetUser", {"AccessToken": tokens["AccessToken"]}), n),
            verify_access)
        signed = (("authorization", "AWS4-HMAC-SHA256 Credential=k/20260101/us-east-1/cognito-idp/aws4_request, "
                                    "SignedHeaders=host;x-amz-date, Signature=00"), ("x-amz-date", "20260101T000000Z"))
        row("AdminGetUser (no Credentials: signature parsed, not checked)",
            per_op(api("AdminGetUser", {"UserPoolId": POOL_ID, "Username": "peroper@hoge.com"}, signed), n))

        print(f"\nGateway authorizer decision ({n * 10} samples)")
        id_token = tokens["IdToken"]
        public = rt.keyring.signing_key(POOL_ID, "id").private_key.public_key()
        verify = per_op(lambda: jwt.decode(id_token, public, algorithms=["RS256"], audience="piyopiyo",
                                           issuer=ISSUER), n * 10)
        row("baseline: PyJWT RS256 verify of the same ID token", verify)
        authorizer = JwtAuthorizer("cognitoAuthorizer", ("$request.header.Authorization",), ISSUER,
                                   ("managedlogin01", "piyopiyo"))
        request = AuthRequest("HTTP", "api", "$default", "GET", "/mogemoge", "GET /mogemoge",
                              {"authorization": f"Bearer {id_token}"}, {}, {}, {}, "127.0.0.1", (),
                              "arn:aws:execute-api:us-east-1:123456789012:api/$default/GET/mogemoge", "r", {})
        authorizers = Authorizers(rt)
        loop = asyncio.new_event_loop()
        decision = loop.run_until_complete(authorizers.authorize(authorizer, request))
        assert type(decision).__name__ == "Allow", decision
        row("JWT authorizer decision (allow), in process",
            per_op(lambda: loop.run_until_complete(authorizers.authorize(authorizer, request)), n * 10), verify)
        loop.close()

        print(f"\nGateway request over HTTP, Python handler ({n} samples)")
        with httpx.Client(base_url=server.api_url("bench")) as client:
            headers = {"Authorization": f"Bearer {id_token}"}
            assert client.get("/guarded", headers=headers).status_code == 200
            open_ms = per_op(lambda: client.get("/open"), n)
            row("baseline: route without an authorizer", open_ms)
            row("route with the JWT authorizer", per_op(lambda: client.get("/guarded", headers=headers), n),
                open_ms)


if __name__ == "__main__":
    main("--quick" in sys.argv)
