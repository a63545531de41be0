"""Seed story 2 end to end: a client_credentials token from /oauth2/token (the article's exact
request: Basic base64(id:secret), form body), sent to a REST API whose Cognito authorizer requires
test_resource/test, reaching a Python Lambda handler that returns the authorizer's claims."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator

import httpx
import jwt
import pytest

from emulator.cognito.lookup import secret_hash
from emulator.server import EmulatorServer
from emulator.testing import running_emulator
from tests.conftest import bundled_config, cognito_client

pytestmark = pytest.mark.e2e

CLIENT_ID, CLIENT_SECRET = "testserver01", "testserversecret0123456789"
SEED_CLAIMS = {"sub", "token_use", "scope", "auth_time", "iss", "exp", "iat", "version", "jti", "client_id"}


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with running_emulator(bundled_config(with_apis=True)) as emu:
        yield emu


def basic_header() -> str:
    # The article builds it with: echo -n "<client id>:<client secret>" | base64
    encoded = subprocess.run(["sh", "-c", f'echo -n "{CLIENT_ID}:{CLIENT_SECRET}" | base64'],
                             capture_output=True, text=True, check=True).stdout.replace("\n", "")
    return f"Basic {encoded}"


def client_credentials_token(server: EmulatorServer) -> str:
    response = httpx.post(f"{server.url}/oauth2/token", headers={"Authorization": basic_header()},
                          data={"grant_type": "client_credentials", "scope": "test_resource/test"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "expires_in", "token_type"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    return body["access_token"]


def test_token_has_exactly_the_seeds_claims(server: EmulatorServer) -> None:
    claims = jwt.decode(client_credentials_token(server), options={"verify_signature": False})
    assert set(claims) == SEED_CLAIMS
    assert claims["sub"] == claims["client_id"] == CLIENT_ID
    assert (claims["token_use"], claims["scope"], claims["version"]) == ("access", "test_resource/test", 2)
    assert claims["iss"] == "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example01"


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_articles_request_with_curl(server: EmulatorServer) -> None:
    result = subprocess.run(
        ["curl", "-s", "-X", "POST", f"{server.url}/oauth2/token", "-H", f"Authorization: {basic_header()}",
         "-H", "Content-Type: application/x-www-form-urlencoded",
         "-d", "grant_type=client_credentials", "-d", "scope=test_resource/test"],
        capture_output=True, text=True, timeout=30)
    assert json.loads(result.stdout)["token_type"] == "Bearer"


def test_access_token_reaches_the_lambda_through_the_scoped_rest_route(server: EmulatorServer) -> None:
    token = client_credentials_token(server)
    response = httpx.post(f"{server.api_url('test-api')}/dev/access", headers={"Authorization": token}, json={})
    assert response.status_code == 200, response.headers.get("x-emulator-reason")
    claims = response.json()["claims"]
    assert claims["client_id"] == CLIENT_ID and claims["scope"] == "test_resource/test"
    assert all(isinstance(v, str) for v in claims.values())


def test_no_token_is_unauthorized(server: EmulatorServer) -> None:
    response = httpx.post(f"{server.api_url('test-api')}/dev/access", json={})
    assert response.status_code == 401 and response.json() == {"message": "Unauthorized"}
    assert response.headers["x-emulator-reason"]


def test_an_id_token_is_refused_where_a_scope_is_required(server: EmulatorServer) -> None:
    id_token = cognito_client(server.url).initiate_auth(
        ClientId="piyopiyo", AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
            "USERNAME": "peroper@hoge.com", "PASSWORD": "munyamunya",
            "SECRET_HASH": secret_hash("amoamo", "peroper@hoge.com", "piyopiyo")})["AuthenticationResult"]["IdToken"]
    response = httpx.post(f"{server.api_url('test-api')}/dev/access", headers={"Authorization": id_token}, json={})
    assert response.status_code == 401 and response.json() == {"message": "Unauthorized"}
    assert "access token" in response.headers["x-emulator-reason"]
    profile = httpx.get(f"{server.api_url('test-api')}/dev/profile", headers={"Authorization": id_token})
    assert profile.status_code == 200


def test_a_route_without_scopes_refuses_the_access_token(server: EmulatorServer) -> None:
    token = client_credentials_token(server)
    response = httpx.get(f"{server.api_url('test-api')}/dev/profile", headers={"Authorization": token})
    assert response.status_code == 401
    assert "ID token" in response.headers["x-emulator-reason"]


def test_rest_api_without_stage_or_route_is_missing_authentication_token(server: EmulatorServer) -> None:
    response = httpx.post(f"{server.api_url('test-api')}/access", json={})
    assert response.status_code == 403 and response.json() == {"message": "Missing Authentication Token"}
