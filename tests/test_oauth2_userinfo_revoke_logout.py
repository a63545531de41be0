"""GET /oauth2/userInfo, POST /oauth2/revoke and GET /logout, and the discovery document that names them."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import pytest

from emulator.cognito.lookup import secret_hash
from emulator.oauth2.testing import callback_params, hosted_sign_in
from emulator.server import EmulatorServer
from emulator.testing import running_emulator
from tests.conftest import POOL_ID, bundled_config, cognito_client

pytestmark = pytest.mark.e2e

CALLBACK = "http://localhost:3000/callback"
SPA = "spapublic01"
WEB, WEB_SECRET = "webconfidential01", "webconfidentialsecret0123456789"
NOREVOKE = "norevoke01"
USER, PASSWORD = "peroper@hoge.com", "munyamunya"


def _config() -> dict:
    data = bundled_config()
    pool = data["UserPools"][0]
    pool["Schema"] = [{"Name": "team", "AttributeDataType": "String"}]
    pool["Users"][0]["UserAttributes"] = {"email": USER, "email_verified": "true", "name": "Pero Per",
                                          "phone_number": "+15555550100", "custom:team": "blue"}
    common = {"AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["code"], "CallbackURLs": [CALLBACK],
              "LogoutURLs": ["http://localhost:3000/", "http://localhost:3000/bye"]}
    pool["Clients"] += [
        {"ClientName": "spa", "ClientId": SPA, "AllowedOAuthScopes": ["openid", "email", "profile", "phone"], **common},
        {"ClientName": "web", "ClientId": WEB, "ClientSecret": WEB_SECRET, "AllowedOAuthScopes": ["openid"], **common},
        {"ClientName": "no-revoke", "ClientId": NOREVOKE, "EnableTokenRevocation": False,
         "AllowedOAuthScopes": ["openid"], **common},
    ]
    return data


@pytest.fixture(scope="module")
def emu() -> Iterator[EmulatorServer]:
    with running_emulator(_config()) as server:
        yield server


def _tokens(emu: EmulatorServer, client_id: str = SPA, scope: str = "openid", secret: str | None = None) -> dict:
    code = callback_params(hosted_sign_in(emu.url, USER, PASSWORD, client_id=client_id, response_type="code",
                                          redirect_uri=CALLBACK, scope=scope))["code"]
    auth = (client_id, secret) if secret else None
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK}
    if not secret:
        data["client_id"] = client_id
    response = httpx.post(f"{emu.url}/oauth2/token", data=data, auth=auth)
    assert response.status_code == 200, response.text
    return response.json()


def _userinfo(emu: EmulatorServer, token: str | None = None, header: str | None = None) -> httpx.Response:
    headers = {"Authorization": header or f"Bearer {token}"} if (token or header) else {}
    return httpx.get(f"{emu.url}/oauth2/userInfo", headers=headers)


# -- userInfo ----------------------------------------------------------------------------------------


def test_userinfo_with_openid_returns_every_attribute(emu: EmulatorServer) -> None:
    response = _userinfo(emu, _tokens(emu)["access_token"])
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == USER and body["email_verified"] == "true"  # a string here, unlike the ID token
    assert body["name"] == "Pero Per" and body["phone_number"] == "+15555550100" and body["custom:team"] == "blue"
    assert body["username"] == USER and body["sub"]


def test_userinfo_limits_attributes_to_the_scopes(emu: EmulatorServer) -> None:
    body = _userinfo(emu, _tokens(emu, scope="openid email")["access_token"]).json()
    assert set(body) == {"sub", "email", "email_verified", "username"}
    body = _userinfo(emu, _tokens(emu, scope="openid profile")["access_token"]).json()
    assert set(body) == {"sub", "name", "custom:team", "username"}


def test_userinfo_without_a_token_is_invalid_request(emu: EmulatorServer) -> None:
    for response in (_userinfo(emu), _userinfo(emu, header="Basic abc")):
        assert response.status_code == 400
        assert response.headers["www-authenticate"] == \
            'error="invalid_request", error_description="Bad OAuth2 request at UserInfo Endpoint"'
        assert response.headers["x-emulator-reason"]


def _assert_invalid_token(response: httpx.Response, why: str) -> None:
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith('error="invalid_token", error_description="Access token is')
    assert response.json()["error"] == "invalid_token"
    assert why in response.headers["x-emulator-reason"], response.headers["x-emulator-reason"]


def test_userinfo_refuses_an_api_access_token_without_openid(emu: EmulatorServer) -> None:
    cognito = cognito_client(emu.url)
    result = cognito.initiate_auth(ClientId="piyopiyo", AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": USER, "PASSWORD": PASSWORD, "SECRET_HASH": secret_hash("amoamo", USER, "piyopiyo")})
    _assert_invalid_token(_userinfo(emu, result["AuthenticationResult"]["AccessToken"]), "lacks openid")


def test_userinfo_refuses_a_client_credentials_token(emu: EmulatorServer) -> None:
    token = httpx.post(f"{emu.url}/oauth2/token", auth=("testserver01", "testserversecret0123456789"),
                       data={"grant_type": "client_credentials"}).json()["access_token"]
    _assert_invalid_token(_userinfo(emu, token), "lacks openid")


def test_userinfo_refuses_garbage_and_id_tokens(emu: EmulatorServer) -> None:
    _assert_invalid_token(_userinfo(emu, "not.a.jwt"), "not a JWT issued by a pool")
    _assert_invalid_token(_userinfo(emu, _tokens(emu)["id_token"]), "does not verify")


def test_userinfo_refuses_a_token_whose_refresh_token_was_revoked(emu: EmulatorServer) -> None:
    tokens = _tokens(emu)
    assert httpx.post(f"{emu.url}/oauth2/revoke", data={"token": tokens["refresh_token"],
                                                        "client_id": SPA}).status_code == 200
    _assert_invalid_token(_userinfo(emu, tokens["access_token"]), "revoked")


# -- revoke ------------------------------------------------------------------------------------------


def _revoke(emu: EmulatorServer, **kwargs) -> httpx.Response:
    return httpx.post(f"{emu.url}/oauth2/revoke", **kwargs)


def test_revoke_answers_200_with_an_empty_body_and_the_token_stops_working(emu: EmulatorServer) -> None:
    tokens = _tokens(emu, WEB, secret=WEB_SECRET)
    response = _revoke(emu, auth=(WEB, WEB_SECRET), data={"token": tokens["refresh_token"]})
    assert response.status_code == 200 and response.content == b""
    refresh = httpx.post(f"{emu.url}/oauth2/token", auth=(WEB, WEB_SECRET),
                         data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert refresh.status_code == 400 and refresh.json() == {"error": "invalid_grant"}
    again = _revoke(emu, auth=(WEB, WEB_SECRET), data={"token": tokens["refresh_token"]})
    assert again.status_code == 200 and "already revoked" in again.headers["x-emulator-reason"]


def test_revoke_of_an_unknown_token_is_200(emu: EmulatorServer) -> None:
    response = _revoke(emu, data={"token": "a.b.c.d.e", "client_id": SPA})
    assert response.status_code == 200 and response.content == b""


def test_revoke_is_honoured_by_the_cognito_api_too(emu: EmulatorServer) -> None:
    tokens = _tokens(emu, scope="openid")
    _revoke(emu, data={"token": tokens["refresh_token"], "client_id": SPA})
    cognito = cognito_client(emu.url)
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as caught:
        cognito.initiate_auth(ClientId=SPA, AuthFlow="REFRESH_TOKEN_AUTH",
                              AuthParameters={"REFRESH_TOKEN": tokens["refresh_token"]})
    assert caught.value.response["Error"]["Message"] == "Refresh Token has been revoked"


@pytest.mark.parametrize(("kwargs", "status", "error", "why"), [
    ({"data": {"client_id": SPA}}, 400, "invalid_request", "has no token"),
    ({"data": {"token": "x.y.z", "client_id": SPA}}, 400, "unsupported_token_type", "is a JWT"),
    ({"data": {"token": "abc"}, "auth": (WEB, "wrong")}, 401, "invalid_client", "is not the secret"),
    ({"data": {"token": "abc", "client_id": WEB}}, 401, "invalid_client", "has a secret"),
    ({"data": {"token": "abc", "client_id": "nosuch"}}, 401, "invalid_client", "no app client"),
    ({"data": {"token": "abc", "client_id": NOREVOKE}}, 400, "invalid_request", "EnableTokenRevocation false"),
    ({"json": {"token": "abc", "client_id": SPA}}, 400, "invalid_request", "must be application/x-www-form-urlencoded"),
])
def test_revoke_refusals(emu: EmulatorServer, kwargs: dict, status: int, error: str, why: str) -> None:
    response = _revoke(emu, **kwargs)
    assert response.status_code == status
    assert response.json() == {"error": error}
    assert why in response.headers["x-emulator-reason"]


def test_revoke_of_another_clients_token_is_refused(emu: EmulatorServer) -> None:
    tokens = _tokens(emu, SPA)
    response = _revoke(emu, auth=(WEB, WEB_SECRET), data={"token": tokens["refresh_token"]})
    assert response.status_code == 400 and response.json() == {"error": "invalid_request"}
    assert f"issued to client {SPA}" in response.headers["x-emulator-reason"]
    assert _userinfo(emu, tokens["access_token"]).status_code == 200  # not revoked


# -- logout ------------------------------------------------------------------------------------------


def test_logout_ends_the_session_and_redirects_to_the_logout_uri(emu: EmulatorServer) -> None:
    with httpx.Client(base_url=emu.url) as browser:
        hosted_sign_in(emu.url, USER, PASSWORD, client=browser, client_id=SPA, response_type="code",
                       redirect_uri=CALLBACK)
        silent = browser.get("/oauth2/authorize", params={"client_id": SPA, "response_type": "code",
                                                          "redirect_uri": CALLBACK})
        assert silent.headers["location"].startswith(CALLBACK)
        out = browser.get("/logout", params={"client_id": SPA, "logout_uri": "http://localhost:3000/bye"})
        assert out.status_code == 302 and out.headers["location"] == "http://localhost:3000/bye"
        after = browser.get("/oauth2/authorize", params={"client_id": SPA, "response_type": "code",
                                                         "redirect_uri": CALLBACK})
        assert after.headers["location"].startswith("/login?")


def test_logout_with_redirect_uri_goes_to_the_login_page(emu: EmulatorServer) -> None:
    response = httpx.get(f"{emu.url}/logout", params={"client_id": SPA, "response_type": "code",
                                                      "redirect_uri": CALLBACK, "state": "s"})
    assert response.status_code == 302
    assert response.headers["location"] == \
        "/login?response_type=code&client_id=spapublic01&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcallback&state=s"


@pytest.mark.parametrize(("params", "location", "why"), [
    ({"client_id": SPA, "logout_uri": "http://evil.example/"}, f"/error?error=redirect_mismatch&client_id={SPA}",
     "is not one of the LogoutURLs of client 'spa'"),
    ({"logout_uri": "http://localhost:3000/"}, "/error?error=invalid_request", "has no client_id"),
    ({"client_id": "nosuch", "logout_uri": "http://localhost:3000/"}, "/error?error=invalid_request&client_id=nosuch",
     "no app client"),
    ({"client_id": SPA}, f"/error?error=invalid_request&client_id={SPA}", "neither logout_uri"),
])
def test_logout_refusals(emu: EmulatorServer, params: dict, location: str, why: str) -> None:
    response = httpx.get(f"{emu.url}/logout", params=params)
    assert response.status_code == 302 and response.headers["location"] == location
    assert why in response.headers["x-emulator-reason"]


# -- discovery ---------------------------------------------------------------------------------------


def test_discovery_names_the_hosted_ui_endpoints_at_the_emulators_url(emu: EmulatorServer) -> None:
    doc = httpx.get(f"{emu.url}/{POOL_ID}/.well-known/openid-configuration").json()
    assert doc["authorization_endpoint"] == f"{emu.url}/oauth2/authorize"
    assert doc["token_endpoint"] == f"{emu.url}/oauth2/token"
    assert doc["userinfo_endpoint"] == f"{emu.url}/oauth2/userInfo"
    assert doc["revocation_endpoint"] == f"{emu.url}/oauth2/revoke"
    tokens = _tokens(emu, scope="openid email")
    assert httpx.get(doc["userinfo_endpoint"], headers={"Authorization": f"Bearer {tokens['access_token']}"}).json()[
        "email"] == USER
    basic = base64.b64encode(b"testserver01:testserversecret0123456789").decode()
    assert httpx.post(doc["token_endpoint"], headers={"Authorization": f"Basic {basic}"},
                      data={"grant_type": "client_credentials"}).status_code == 200
