"""The gateway's authorizers against the hostile JWT corpus, over HTTP only: the bundled config's HTTP API
(JWT authorizer) and REST API (Cognito user pools authorizer) in front of the example backend. A token
that is not the real thing gets 401/403 in API Gateway's shape; never the backend, never a 5xx."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from emulator.cognito.lookup import secret_hash
from emulator.server import EmulatorServer
from emulator.testing import running_emulator
from tests.conftest import bundled_config, cognito_client
from tests.jwt_corpus import FORGED_LABELS, forged, parts

POOL = "us-east-1_Example01"
ROUTES = {  # (api, method, path): the kind of token the route lets through
    ("mogemoge", "GET", "/mogemoge"): "id",
    ("test-api", "GET", "/dev/profile"): "id",
    ("test-api", "POST", "/dev/access"): "machine",
}


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with running_emulator(bundled_config(with_apis=True)) as emu:
        yield emu


@pytest.fixture(scope="module")
def tokens(server: EmulatorServer) -> dict[str, str]:
    result = cognito_client(server.url).initiate_auth(ClientId="piyopiyo", AuthFlow="USER_PASSWORD_AUTH",
                                                      AuthParameters={
        "USERNAME": "peroper@hoge.com", "PASSWORD": "munyamunya",
        "SECRET_HASH": secret_hash("amoamo", "peroper@hoge.com", "piyopiyo")})["AuthenticationResult"]
    machine = httpx.post(f"{server.url}/oauth2/token", auth=("testserver01", "testserversecret0123456789"),
                         data={"grant_type": "client_credentials"}).json()["access_token"]
    return {"id": result["IdToken"], "access": result["AccessToken"], "machine": machine}


def call(server: EmulatorServer, route: tuple[str, str, str], token: str, bearer: bool = True) -> httpx.Response:
    api, method, path = route
    value = f"Bearer {token}" if bearer else token
    return httpx.request(method, server.api_url(api) + path, headers={"Authorization": value}, timeout=30)


def assert_denied(response: httpx.Response, label: str) -> None:
    assert response.status_code in (401, 403), f"{label}: {response.status_code} {response.text[:200]}"
    body = response.json()
    assert set(body) <= {"message", "Message"} and body, f"{label}: {body}"


def jwk_for(server: EmulatorServer, token: str) -> dict:
    kid = parts(token)[0]["kid"]
    return next(k for k in httpx.get(f"{server.url}/{POOL}/.well-known/jwks.json").json()["keys"] if k["kid"] == kid)


@pytest.mark.parametrize("route", list(ROUTES))
def test_the_real_tokens_pass(route: tuple[str, str, str], server: EmulatorServer, tokens: dict[str, str]) -> None:
    assert call(server, route, tokens[ROUTES[route]]).status_code == 200


@pytest.mark.parametrize("label", FORGED_LABELS)
def test_forged_tokens_are_denied_on_every_route(label: str, server: EmulatorServer, tokens: dict[str, str]) -> None:
    for route, kind in ROUTES.items():
        token = forged(tokens[kind], jwk_for(server, tokens[kind]))[label]
        for bearer in (True, False) if token else ():  # HTTP clients cannot send an empty token after "Bearer "
            assert_denied(call(server, route, token, bearer), f"{label} on {route}")


def test_tokens_of_the_wrong_kind_are_denied(server: EmulatorServer, tokens: dict[str, str]) -> None:
    wrong = {("mogemoge", "GET", "/mogemoge"): ["machine"],  # audience: a client_credentials client
             ("test-api", "GET", "/dev/profile"): ["access", "machine"],  # no scopes: ID tokens only
             ("test-api", "POST", "/dev/access"): ["id", "access"]}  # the scope only the machine token has
    for route, kinds in wrong.items():
        for kind in kinds:
            assert_denied(call(server, route, tokens[kind]), f"{kind} token on {route}")


@pytest.mark.parametrize("header", ["Bearer", "Basic dXNlcjpwYXNz", "Bearer a.b.c", "Bearer " + "A" * 9000,
                                    "Bearer \u00e9\u00e9", "Bearer x.y", "bearer eyJ.eyJ.sig"])
def test_malformed_authorization_headers_are_denied(header: str, server: EmulatorServer) -> None:
    for route in ROUTES:
        api, method, path = route
        response = httpx.request(method, server.api_url(api) + path,
                                 headers={"Authorization": header.encode()}, timeout=30)
        assert_denied(response, f"{header[:30]!r} on {route}")
