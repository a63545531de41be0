"""Seed 001: a server app gets a client_credentials access token at /oauth2/token (HTTP Basic
client_id:client_secret, scope=test_resource/test). Driven by curl, httpx and Authlib."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator

import httpx
import jwt
import pytest
from authlib.integrations.httpx_client import OAuth2Client

from emulator.oauth2.scopes import client_credentials_scopes
from emulator.server import EmulatorServer
from emulator.testing import running_emulator
from tests.conftest import POOL_ID, bundled_config

pytestmark = pytest.mark.e2e

CLIENT_ID = "testserver01"
SECRET = "testserversecret0123456789"
# The claims of seed 001's decoded access token, exactly.
SEED_CLAIMS = {"sub", "token_use", "scope", "auth_time", "iss", "exp", "iat", "version", "jti", "client_id"}
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _config() -> dict:
    data = bundled_config()
    pool = data["UserPools"][0]
    pool["ResourceServers"].append({"Identifier": "orders", "Name": "Orders",
                                    "Scopes": [{"ScopeName": "read"}, {"ScopeName": "write"}]})
    pool["Clients"] += [
        {"ClientName": "multi-scope", "ClientId": "multiscope01", "ClientSecret": "multiscopesecret0123456789",
         "AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["client_credentials"],
         "AllowedOAuthScopes": ["orders/read", "orders/write", "test_resource/test"]},
        {"ClientName": "web", "ClientId": "webconfidential01", "ClientSecret": "webconfidentialsecret0123456789",
         "AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["code"],
         "AllowedOAuthScopes": ["openid", "test_resource/test"], "CallbackURLs": ["http://localhost:3000/callback"]},
    ]
    return data


@pytest.fixture(scope="module")
def emu() -> Iterator[EmulatorServer]:
    with running_emulator(_config()) as server:
        yield server


def _claims(emu: EmulatorServer, token: str) -> dict:
    """Claims verified against the pool's published JWKS, as a resource server would."""
    jwks = jwt.PyJWKClient(f"{emu.url}/{POOL_ID}/.well-known/jwks.json")
    key = jwks.get_signing_key_from_jwt(token)
    return jwt.decode(token, key.key, algorithms=["RS256"],
                      issuer=f"https://cognito-idp.us-east-1.amazonaws.com/{POOL_ID}")


def _assert_seed_token(emu: EmulatorServer, body: dict) -> dict:
    assert set(body) == {"access_token", "expires_in", "token_type"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    claims = _claims(emu, body["access_token"])
    assert set(claims) == SEED_CLAIMS  # no aud, no username
    assert claims["sub"] == claims["client_id"] == CLIENT_ID
    assert claims["token_use"] == "access"
    assert claims["scope"] == "test_resource/test"
    assert claims["version"] == 2
    assert UUID.fullmatch(claims["jti"])
    assert claims["auth_time"] == claims["iat"] and claims["exp"] == claims["iat"] + 3600
    assert jwt.get_unverified_header(body["access_token"])["alg"] == "RS256"
    return claims


@pytest.mark.skipif(shutil.which("curl") is None or shutil.which("base64") is None, reason="needs curl and base64")
def test_the_seed_request_made_with_curl_returns_the_seed_claims(emu: EmulatorServer) -> None:
    script = (
        f'B=$(echo -n "{CLIENT_ID}:{SECRET}" | base64)\n'
        f'curl -s -X POST "{emu.url}/oauth2/token" -H "Content-Type: application/x-www-form-urlencoded" '
        '-H "Authorization: Basic $B" -d grant_type=client_credentials -d scope=test_resource/test'
    )
    out = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30, check=True)
    _assert_seed_token(emu, json.loads(out.stdout))


def test_the_seed_request_made_with_httpx_returns_the_seed_claims(emu: EmulatorServer) -> None:
    response = httpx.post(f"{emu.url}/oauth2/token", auth=(CLIENT_ID, SECRET),
                          data={"grant_type": "client_credentials", "scope": "test_resource/test"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["cache-control"] == "no-store"
    _assert_seed_token(emu, response.json())


def test_secret_in_the_body_works_like_basic(emu: EmulatorServer) -> None:
    response = httpx.post(f"{emu.url}/oauth2/token", data={
        "grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": SECRET,
        "scope": "test_resource/test"})
    _assert_seed_token(emu, response.json())


@pytest.mark.parametrize("auth_method", ["client_secret_basic", "client_secret_post"])
def test_authlib_fetches_a_client_credentials_token(emu: EmulatorServer, auth_method: str) -> None:
    with OAuth2Client(CLIENT_ID, SECRET, scope="test_resource/test", token_endpoint_auth_method=auth_method) as client:
        token = client.fetch_token(f"{emu.url}/oauth2/token", grant_type="client_credentials")
    assert token["token_type"] == "Bearer"
    assert _claims(emu, token["access_token"])["scope"] == "test_resource/test"


def test_the_token_endpoint_is_the_one_discovery_names(emu: EmulatorServer) -> None:
    discovery = httpx.get(f"{emu.url}/{POOL_ID}/.well-known/openid-configuration").json()
    assert discovery["token_endpoint"] == f"{emu.url}/oauth2/token"
    response = httpx.post(discovery["token_endpoint"], auth=(CLIENT_ID, SECRET),
                          data={"grant_type": "client_credentials"})
    assert response.status_code == 200


def test_no_scope_means_every_custom_scope_the_client_may_use(emu: EmulatorServer) -> None:
    response = httpx.post(f"{emu.url}/oauth2/token", auth=("multiscope01", "multiscopesecret0123456789"),
                          data={"grant_type": "client_credentials"})
    assert _claims(emu, response.json()["access_token"])["scope"] == "orders/read orders/write test_resource/test"


def test_a_subset_of_the_allowed_scopes_is_granted_as_requested(emu: EmulatorServer) -> None:
    response = httpx.post(f"{emu.url}/oauth2/token", auth=("multiscope01", "multiscopesecret0123456789"),
                          data={"grant_type": "client_credentials", "scope": "orders/write orders/read"})
    assert _claims(emu, response.json()["access_token"])["scope"] == "orders/write orders/read"


@pytest.mark.parametrize(("scope", "why"), [
    ("orders/read", "not in the client's AllowedOAuthScopes"),
    ("openid", "openid is a user scope"),
    ("test_resource/nope", "not in the client's AllowedOAuthScopes"),
])
def test_a_scope_the_client_may_not_use_is_invalid_scope(emu: EmulatorServer, scope: str, why: str) -> None:
    response = httpx.post(f"{emu.url}/oauth2/token", auth=(CLIENT_ID, SECRET),
                          data={"grant_type": "client_credentials", "scope": scope})
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_scope"}
    assert why in response.headers["x-emulator-reason"]


def test_a_client_without_the_client_credentials_flow_is_unauthorized(emu: EmulatorServer) -> None:
    response = httpx.post(f"{emu.url}/oauth2/token", auth=("webconfidential01", "webconfidentialsecret0123456789"),
                          data={"grant_type": "client_credentials", "scope": "test_resource/test"})
    assert response.status_code == 400
    assert response.json() == {"error": "unauthorized_client"}
    assert "needs 'client_credentials' in the client's AllowedOAuthFlows" in response.headers["x-emulator-reason"]


def test_a_wrong_secret_is_invalid_client(emu: EmulatorServer) -> None:
    response = httpx.post(f"{emu.url}/oauth2/token", auth=(CLIENT_ID, "not-the-secret"),
                          data={"grant_type": "client_credentials", "scope": "test_resource/test"})
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_client"}
    assert "is not the secret of client 'test-server'" in response.headers["x-emulator-reason"]
    assert any(d["reason"] == response.headers["x-emulator-reason"]
               for d in httpx.get(f"{emu.url}/_emulator/decisions").json()["decisions"])


ALLOWED = ("orders/read", "orders/write", "test_resource/test")
EXISTING = {"orders/read", "orders/write", "test_resource/test"}


@pytest.mark.parametrize(("requested", "allowed", "existing", "granted"), [
    ((), ALLOWED, EXISTING, ALLOWED),
    (("orders/read",), ALLOWED, EXISTING, ("orders/read",)),
    (("orders/write", "orders/read"), ALLOWED, EXISTING, ("orders/write", "orders/read")),
    ((), ("openid", "orders/read"), EXISTING, ("orders/read",)),  # standard scopes never ride along
    ((), ("orders/read",), {"orders/write"}, None),  # the resource server lost the scope
    (("orders/read",), ("orders/write",), EXISTING, None),
    (("email",), ALLOWED + ("email",), EXISTING, None),
    (("orders/read",), ("orders/read",), set(), None),
    ((), (), EXISTING, None),
])
def test_client_credentials_scope_table(requested: tuple, allowed: tuple, existing: set, granted: tuple | None) -> None:
    result = client_credentials_scopes(requested, allowed, existing)
    if granted is None:
        assert isinstance(result, str) and result
    else:
        assert result == granted
