"""Seed story 1 end to end over real HTTP: tokens from the Cognito API (boto3), a real backend
process on a loopback port, and the gateway's JWT authorizer in between."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from emulator.cognito.lookup import secret_hash
from emulator.testing import free_port, running_emulator
from tests.conftest import ROOT, bundled_config, cognito_client

pytestmark = pytest.mark.e2e

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example01"


@pytest.fixture(scope="module")
def backend() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, str(ROOT / "tests" / "echo_backend.py"), str(port)],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "ready"
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


def story_config(backend: str, audience: list[str]) -> dict[str, Any]:
    config = bundled_config()
    config["Apis"] = [{
        "Name": "mogemoge", "ProtocolType": "HTTP", "Port": free_port(),
        "Authorizers": [{"Name": "cognitoAuthorizer", "AuthorizerType": "JWT",
                         "IdentitySource": "$request.header.Authorization",
                         "JwtConfiguration": {"Issuer": ISSUER, "Audience": audience}}],
        "Routes": [{"RouteKey": "GET /mogemoge", "AuthorizerName": "cognitoAuthorizer", "Target": backend}],
    }]
    return config


def curl_flow_id_token(url: str) -> str:
    idp = cognito_client(url)
    return idp.initiate_auth(ClientId="piyopiyo", AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "peroper@hoge.com", "PASSWORD": "munyamunya",
        "SECRET_HASH": secret_hash("amoamo", "peroper@hoge.com", "piyopiyo")})["AuthenticationResult"]["IdToken"]


def test_audience_with_only_the_new_client_rejects_the_old_clients_id_token(backend: str) -> None:
    with running_emulator(story_config(backend, ["managedlogin01"])) as server:
        id_token = curl_flow_id_token(server.url)
        response = httpx.get(f"{server.api_url('mogemoge')}/mogemoge", headers={"Authorization": f"Bearer {id_token}"})
        assert response.status_code == 401
        assert response.json() == {"message": "Unauthorized"}
        assert response.headers["www-authenticate"] == (
            'Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience"')
        assert response.headers["x-emulator-reason"].endswith(
            "token aud 'piyopiyo' is not in authorizer 'cognitoAuthorizer' audience [managedlogin01]")
        decisions = httpx.get(f"{server.url}/_emulator/decisions").json()["decisions"]
        assert any("audience" in d["reason"] for d in decisions)


def test_listing_both_client_ids_lets_the_id_token_through_to_the_backend(backend: str) -> None:
    with running_emulator(story_config(backend, ["managedlogin01", "piyopiyo"])) as server:
        id_token = curl_flow_id_token(server.url)
        response = httpx.get(f"{server.api_url('mogemoge')}/mogemoge?x=1",
                             headers={"Authorization": f"Bearer {id_token}"})
        assert response.status_code == 200
        seen = response.json()
        assert seen["path"] == "/mogemoge?x=1"
        headers = {k.lower(): v for k, v in seen["headers"].items()}
        assert headers["authorization"] == f"Bearer {id_token}"
        assert headers["x-forwarded-for"] == "127.0.0.1"
        assert "x-amzn-trace-id" in headers and "x-amzn-apigateway-api-id" in headers


def test_access_token_matches_by_client_id_when_it_has_no_aud(backend: str) -> None:
    with running_emulator(story_config(backend, ["piyopiyo"])) as server:
        idp = cognito_client(server.url)
        access = idp.initiate_auth(ClientId="piyopiyo", AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
            "USERNAME": "peroper@hoge.com", "PASSWORD": "munyamunya",
            "SECRET_HASH": secret_hash("amoamo", "peroper@hoge.com", "piyopiyo")})["AuthenticationResult"]
        response = httpx.get(f"{server.api_url('mogemoge')}/mogemoge",
                             headers={"Authorization": access["AccessToken"]})
        assert response.status_code == 200


def test_unknown_route_is_not_found_without_running_the_authorizer(backend: str) -> None:
    with running_emulator(story_config(backend, ["piyopiyo"])) as server:
        response = httpx.get(f"{server.api_url('mogemoge')}/nothing-here")
        assert response.status_code == 404 and response.json() == {"message": "Not Found"}
