"""Speed figures, measured (never asserted): token issuance against the bare RS256 signing bound,
and the gateway's authorizer decision time per request. Run: python bench/bench.py [--quick]"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import jwt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from emulator.cognito.auth import initiate_auth  # noqa: E402
from emulator.cognito.lookup import secret_hash  # noqa: E402
from emulator.cognito.protocol import Call  # noqa: E402
from emulator.gateway.authorizers import Authorizers, AuthRequest, JwtAuthorizer  # noqa: E402
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
        with httpx.Client(base_url=server.url) as client:
            headers = {"X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
                       "Content-Type": "application/x-amz-json-1.1"}
            row("InitiateAuth USER_PASSWORD_AUTH over HTTP (keep-alive)",
                per_op(lambda: client.post("/", json=AUTH_PARAMS, headers=headers), n), 2 * sign)
            tokens = client.post("/", json=AUTH_PARAMS, headers=headers).json()["AuthenticationResult"]

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
