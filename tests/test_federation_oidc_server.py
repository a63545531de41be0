"""Federated sign-in through a small real OIDC provider run in the test (tests/oidc_test_server.py): discovery,
client_secret_basic at its token endpoint, its own RS256 keys, userInfo by POST (attributes_request_method), and a
multi-valued claim flattened as AWS flattens it."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import jwt
import pytest

from emulator.server import EmulatorServer
from emulator.testing import free_port, running_emulator
from tests.oidc_test_server import CLIENT_ID, CLIENT_SECRET, USER, serving_oidc_provider

pytestmark = pytest.mark.e2e

IDP_PORT = free_port()
POOL, APP, CALLBACK = "us-east-1_MiniRp", "minirpclient", "http://localhost:3000/callback"


def _provider(name: str, method: str) -> dict:
    return {"ProviderName": name, "ProviderType": "OIDC",
            "ProviderDetails": {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "authorize_scopes": "openid",
                                "oidc_issuer": f"http://127.0.0.1:{IDP_PORT}", "attributes_request_method": method},
            "AttributeMapping": {"email": "email", "email_verified": "email_verified", "custom:groups": "groups"}}


CONFIG = {"Region": "us-east-1", "UserPools": [{
    "Id": POOL, "Name": "mini rp", "UsernameConfiguration": {"CaseSensitive": True},
    "Schema": [{"Name": "groups", "AttributeDataType": "String", "Mutable": True}],
    "IdentityProviders": [_provider("MiniIdP", "POST"), _provider("MiniGet", "GET")],
    "Clients": [{"ClientName": "rp", "ClientId": APP, "AllowedOAuthFlowsUserPoolClient": True,
                 "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid", "email"], "CallbackURLs": [CALLBACK],
                 "SupportedIdentityProviders": ["MiniIdP", "MiniGet"]}]}]}


@pytest.fixture(scope="module")
def emu() -> Iterator[EmulatorServer]:
    with serving_oidc_provider(IDP_PORT), running_emulator(CONFIG) as server:
        yield server


def _sign_in(emu: EmulatorServer, provider: str) -> httpx.Response:
    query = {"response_type": "code", "client_id": APP, "redirect_uri": CALLBACK, "scope": "openid email",
             "state": "s1", "identity_provider": provider}
    with httpx.Client(follow_redirects=False) as http:
        to_idp = http.get(f"{emu.url}/oauth2/authorize?{urlencode(query)}")
        assert to_idp.status_code == 302 and to_idp.headers["location"].startswith(f"http://127.0.0.1:{IDP_PORT}/")
        back = http.get(to_idp.headers["location"])
        return http.get(back.headers["location"])


def test_a_real_oidc_server_signs_in_with_userinfo_by_post(emu: EmulatorServer) -> None:
    callback = _sign_in(emu, "MiniIdP")
    assert callback.status_code == 302, callback.headers.get("x-emulator-reason")
    code = parse_qs(urlsplit(callback.headers["location"]).query)["code"][0]
    tokens = httpx.post(f"{emu.url}/oauth2/token", data={"grant_type": "authorization_code", "client_id": APP,
                                                          "code": code, "redirect_uri": CALLBACK}).json()
    keys = jwt.PyJWKClient(f"{emu.url}/{POOL}/.well-known/jwks.json")
    token = tokens["id_token"]
    claims = jwt.decode(token, keys.get_signing_key_from_jwt(token).key, algorithms=["RS256"], audience=APP)
    assert claims["cognito:username"] == f"MiniIdP_{USER['sub']}"  # a case-sensitive pool keeps the case
    assert claims["email"] == USER["email"] and claims["email_verified"] is True
    assert claims["custom:groups"] == "[admins,dev%20ops]"  # multi-valued: flattened, URL-encoded
    assert claims["identities"][0]["providerType"] == "OIDC" and claims["identities"][0]["userId"] == USER["sub"]


def test_userinfo_by_get_where_the_idp_wants_post_fails_closed(emu: EmulatorServer) -> None:
    callback = _sign_in(emu, "MiniGet")
    query = parse_qs(urlsplit(callback.headers["location"]).query)
    assert query["error"] == ["invalid_request"] and "userInfo endpoint" in callback.headers["x-emulator-reason"]
    assert "HTTP 405" in callback.headers["x-emulator-reason"]
