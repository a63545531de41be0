"""Authorization code (+ PKCE) through the hosted login, refresh, and the implicit grant; driven by
Authlib's OAuth2Client and plain httpx as a browser would."""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import httpx
import jwt
import pytest
from authlib.integrations.httpx_client import OAuth2Client

from emulator.oauth2.testing import callback_params, hosted_sign_in, pkce_pair
from emulator.server import EmulatorServer
from emulator.testing import running_emulator
from emulator.tokens import at_hash
from tests.conftest import POOL_ID, bundled_config, cognito_client

pytestmark = pytest.mark.e2e

CALLBACK = "http://localhost:3000/callback"
SPA = "spapublic01"
WEB, WEB_SECRET = "webconfidential01", "webconfidentialsecret0123456789"
USER, PASSWORD = "peroper@hoge.com", "munyamunya"


class Clock:
    """A clock the test moves forward (codes expire after five minutes)."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def _config() -> dict:
    data = bundled_config()
    data["UserPools"][0]["Clients"] += [
        {"ClientName": "spa", "ClientId": SPA, "AllowedOAuthFlowsUserPoolClient": True,
         "AllowedOAuthFlows": ["code", "implicit"],
         "AllowedOAuthScopes": ["openid", "email", "profile", "aws.cognito.signin.user.admin", "test_resource/test"],
         "CallbackURLs": [CALLBACK, "http://localhost:3000/other?keep=1"], "LogoutURLs": ["http://localhost:3000/"]},
        {"ClientName": "web", "ClientId": WEB, "ClientSecret": WEB_SECRET, "AllowedOAuthFlowsUserPoolClient": True,
         "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid", "email", "test_resource/test"],
         "CallbackURLs": [CALLBACK]},
    ]
    return data


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="module")
def emu(clock: Clock) -> Iterator[EmulatorServer]:
    with running_emulator(_config(), clock=clock) as server:
        yield server


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def _sign_in(emu: EmulatorServer, **params: str) -> dict[str, str]:
    params = {"response_type": "code", "redirect_uri": CALLBACK, **params}
    return callback_params(hosted_sign_in(emu.url, USER, PASSWORD, **params))


def _exchange(emu: EmulatorServer, code: str, client_id: str = SPA, **extra: str) -> httpx.Response:
    return httpx.post(f"{emu.url}/oauth2/token", data={"grant_type": "authorization_code", "client_id": client_id,
                                                       "code": code, "redirect_uri": CALLBACK, **extra})


def test_authlib_authorization_code_with_pkce_through_the_login_page(emu: EmulatorServer) -> None:
    verifier, _ = pkce_pair()
    with OAuth2Client(SPA, redirect_uri=CALLBACK, scope="openid email profile", code_challenge_method="S256",
                      token_endpoint_auth_method="none") as client:
        url, state = client.create_authorization_url(f"{emu.url}/oauth2/authorize", code_verifier=verifier,
                                                     nonce="n-0S6_WzA2Mj")
        query = dict(parse_qsl(urlsplit(url).query))
        assert query["code_challenge_method"] == "S256"
        location = hosted_sign_in(emu.url, USER, PASSWORD, **query)
        assert callback_params(location)["state"] == state
        token = client.fetch_token(f"{emu.url}/oauth2/token", authorization_response=location,
                                   code_verifier=verifier)
    assert set(token) >= {"id_token", "access_token", "refresh_token", "expires_in", "token_type"}
    assert token["token_type"] == "Bearer"
    access, id_token = _claims(token["access_token"]), _claims(token["id_token"])
    assert access["scope"] == "openid email profile"
    assert access["client_id"] == SPA and access["token_use"] == "access" and "aud" not in access
    assert access["username"] == USER and access["version"] == 2
    assert id_token["aud"] == SPA and id_token["token_use"] == "id"
    assert id_token["nonce"] == "n-0S6_WzA2Mj"
    assert id_token["at_hash"] == at_hash(token["access_token"])
    assert id_token["email"] == USER and id_token["email_verified"] is True
    assert id_token["origin_jti"] == access["origin_jti"]


def test_tokens_verify_against_the_pool_jwks(emu: EmulatorServer) -> None:
    verifier, challenge = pkce_pair()
    code = _sign_in(emu, client_id=SPA, scope="openid", code_challenge=challenge, code_challenge_method="S256")["code"]
    body = _exchange(emu, code, code_verifier=verifier).json()
    jwks = jwt.PyJWKClient(f"{emu.url}/{POOL_ID}/.well-known/jwks.json")
    for name in ("access_token", "id_token"):
        key = jwks.get_signing_key_from_jwt(body[name])
        jwt.decode(body[name], key.key, algorithms=["RS256"], options={"verify_aud": False},
                   issuer=f"https://cognito-idp.us-east-1.amazonaws.com/{POOL_ID}")


def test_authlib_confidential_client_with_basic_auth(emu: EmulatorServer) -> None:
    with OAuth2Client(WEB, WEB_SECRET, redirect_uri=CALLBACK, scope="openid test_resource/test") as client:
        url, _ = client.create_authorization_url(f"{emu.url}/oauth2/authorize")
        location = hosted_sign_in(emu.url, USER, PASSWORD, **dict(parse_qsl(urlsplit(url).query)))
        token = client.fetch_token(f"{emu.url}/oauth2/token", authorization_response=location)
    assert _claims(token["access_token"])["scope"] == "openid test_resource/test"
    assert "refresh_token" in token


def test_no_scope_requested_means_every_scope_of_the_client(emu: EmulatorServer) -> None:
    body = _exchange(emu, _sign_in(emu, client_id=SPA)["code"]).json()
    assert _claims(body["access_token"])["scope"] == \
        "openid email profile aws.cognito.signin.user.admin test_resource/test"


def test_an_id_token_only_when_openid_was_requested(emu: EmulatorServer) -> None:
    body = _exchange(emu, _sign_in(emu, client_id=SPA, scope="aws.cognito.signin.user.admin")["code"]).json()
    assert set(body) == {"access_token", "refresh_token", "expires_in", "token_type"}
    assert _claims(body["access_token"])["scope"] == "aws.cognito.signin.user.admin"


def test_state_comes_back_exactly(emu: EmulatorServer) -> None:
    state = "a b&c=d/é?"
    assert _sign_in(emu, client_id=SPA, state=state)["state"] == state


def test_a_callback_with_its_own_query_keeps_it(emu: EmulatorServer) -> None:
    location = hosted_sign_in(emu.url, USER, PASSWORD, client_id=SPA, response_type="code",
                              redirect_uri="http://localhost:3000/other?keep=1", state="s")
    assert location.startswith("http://localhost:3000/other?keep=1&code=")


def test_a_code_is_single_use(emu: EmulatorServer) -> None:
    code = _sign_in(emu, client_id=SPA, scope="openid")["code"]
    assert _exchange(emu, code).status_code == 200
    again = _exchange(emu, code)
    assert again.status_code == 400 and again.json() == {"error": "invalid_grant"}
    assert "already exchanged" in again.headers["x-emulator-reason"]


def test_a_code_expires_after_five_minutes(emu: EmulatorServer, clock: Clock) -> None:
    code = _sign_in(emu, client_id=SPA, scope="openid")["code"]
    clock.now += 301
    try:
        late = _exchange(emu, code)
    finally:
        clock.now -= 301
    assert late.status_code == 400 and late.json() == {"error": "invalid_grant"}
    assert "expired" in late.headers["x-emulator-reason"]


def test_refresh_gives_new_tokens_and_keeps_auth_time(emu: EmulatorServer, clock: Clock) -> None:
    first = _exchange(emu, _sign_in(emu, client_id=SPA, scope="openid email")["code"]).json()
    clock.now += 120
    try:
        refreshed = httpx.post(f"{emu.url}/oauth2/token", data={"grant_type": "refresh_token", "client_id": SPA,
                                                                "refresh_token": first["refresh_token"]})
    finally:
        clock.now -= 120
    assert refreshed.status_code == 200
    body = refreshed.json()
    assert set(body) == {"id_token", "access_token", "expires_in", "token_type"}  # no new refresh token
    before, after = _claims(first["access_token"]), _claims(body["access_token"])
    assert after["auth_time"] == before["auth_time"] and after["iat"] == before["iat"] + 120
    assert after["origin_jti"] == before["origin_jti"] and after["scope"] == "openid email"
    assert _claims(body["id_token"])["auth_time"] == before["auth_time"]


def test_authlib_refreshes_a_token(emu: EmulatorServer) -> None:
    with OAuth2Client(WEB, WEB_SECRET, redirect_uri=CALLBACK, scope="openid") as client:
        url, _ = client.create_authorization_url(f"{emu.url}/oauth2/authorize")
        location = hosted_sign_in(emu.url, USER, PASSWORD, **dict(parse_qsl(urlsplit(url).query)))
        token = client.fetch_token(f"{emu.url}/oauth2/token", authorization_response=location)
        refreshed = client.refresh_token(f"{emu.url}/oauth2/token", refresh_token=token["refresh_token"])
    assert refreshed["access_token"] != token["access_token"]


def test_a_revoked_refresh_token_is_refused(emu: EmulatorServer) -> None:
    first = _exchange(emu, _sign_in(emu, client_id=SPA, scope="openid")["code"]).json()
    revoked = httpx.post(f"{emu.url}/oauth2/revoke", data={"token": first["refresh_token"], "client_id": SPA})
    assert revoked.status_code == 200 and revoked.content == b""
    refused = httpx.post(f"{emu.url}/oauth2/token", data={"grant_type": "refresh_token", "client_id": SPA,
                                                          "refresh_token": first["refresh_token"]})
    assert refused.status_code == 400 and refused.json() == {"error": "invalid_grant"}
    assert "revoked" in refused.headers["x-emulator-reason"]


def test_a_signed_in_browser_skips_the_form_on_the_next_authorize(emu: EmulatorServer) -> None:
    with httpx.Client(base_url=emu.url) as browser:
        first = hosted_sign_in(emu.url, USER, PASSWORD, client=browser, client_id=SPA, response_type="code",
                               redirect_uri=CALLBACK, scope="openid")
        again = browser.get("/oauth2/authorize", params={"client_id": SPA, "response_type": "code",
                                                          "redirect_uri": CALLBACK, "scope": "openid", "state": "2"})
        assert again.status_code == 302
        second = callback_params(again.headers["location"])
        assert second["state"] == "2" and second["code"] != callback_params(first)["code"]
        assert _exchange(emu, second["code"]).status_code == 200
        forced = browser.get("/oauth2/authorize", params={"client_id": SPA, "response_type": "code",
                                                           "redirect_uri": CALLBACK, "prompt": "login"})
        assert forced.status_code == 302 and urlsplit(forced.headers["location"]).path == "/login"
        assert browser.get(forced.headers["location"]).status_code == 200  # the form, not a redirect


def test_prompt_none_without_a_session_is_login_required(emu: EmulatorServer) -> None:
    response = httpx.get(f"{emu.url}/oauth2/authorize", params={
        "client_id": SPA, "response_type": "code", "redirect_uri": CALLBACK, "prompt": "none", "state": "p"})
    assert response.status_code == 302
    assert callback_params(response.headers["location"]) == {"error": "login_required", "state": "p"}


def test_implicit_grant_puts_tokens_in_the_fragment(emu: EmulatorServer) -> None:
    location = hosted_sign_in(emu.url, USER, PASSWORD, client_id=SPA, response_type="token", redirect_uri=CALLBACK,
                              scope="openid email", state="imp", nonce="nonce-1")
    parts = urlsplit(location)
    assert parts.query == "" and parts.fragment
    fragment = callback_params(location)
    assert set(fragment) == {"id_token", "access_token", "token_type", "expires_in", "state"}
    assert fragment["state"] == "imp" and fragment["expires_in"] == "3600"
    assert _claims(fragment["id_token"])["nonce"] == "nonce-1"
    assert _claims(fragment["id_token"])["at_hash"] == at_hash(fragment["access_token"])


def test_implicit_grant_without_openid_has_no_id_token(emu: EmulatorServer) -> None:
    fragment = callback_params(hosted_sign_in(emu.url, USER, PASSWORD, client_id=SPA, response_type="token",
                                              redirect_uri=CALLBACK, scope="aws.cognito.signin.user.admin"))
    assert "id_token" not in fragment and "access_token" in fragment


def test_implicit_grant_needs_the_implicit_flow(emu: EmulatorServer) -> None:
    response = httpx.get(f"{emu.url}/oauth2/authorize", params={
        "client_id": WEB, "response_type": "token", "redirect_uri": CALLBACK, "state": "x"})
    assert response.status_code == 302
    assert callback_params(response.headers["location"]) == {"error": "unauthorized_client", "state": "x"}
    assert "needs 'implicit'" in response.headers["x-emulator-reason"]


def test_code_exchanged_later_keeps_the_sign_ins_auth_time() -> None:
    clock = {"now": 1_800_000_000.0}
    with running_emulator(bundled_config(), clock=lambda: clock["now"]) as server:
        location = hosted_sign_in(server.url, "peroper@hoge.com", "munyamunya", client_id="managedlogin01",
                                  response_type="code", scope="openid email",
                                  redirect_uri="http://localhost:3000/callback")
        clock["now"] += 120
        tokens = httpx.post(f"{server.url}/oauth2/token", data={
            "grant_type": "authorization_code", "client_id": "managedlogin01",
            "code": callback_params(location)["code"], "redirect_uri": "http://localhost:3000/callback"}).json()
        claims = jwt.decode(tokens["id_token"], options={"verify_signature": False})
        assert claims["auth_time"] == 1_800_000_000 and claims["iat"] == 1_800_000_120


def test_refreshing_a_hosted_sign_in_through_the_api_keeps_at_hash_over_the_signed_token(emu: EmulatorServer) -> None:
    # The JSON API signs after its transaction; at_hash needs the access token's final bytes first.
    verifier, challenge = pkce_pair()
    code = _sign_in(emu, client_id=SPA, scope="openid", code_challenge=challenge, code_challenge_method="S256")["code"]
    refresh = _exchange(emu, code, code_verifier=verifier).json()["refresh_token"]
    result = cognito_client(emu.url).initiate_auth(ClientId=SPA, AuthFlow="REFRESH_TOKEN_AUTH",
                                                   AuthParameters={"REFRESH_TOKEN": refresh})["AuthenticationResult"]
    assert _claims(result["IdToken"])["at_hash"] == at_hash(result["AccessToken"])
    jwks = jwt.PyJWKClient(f"{emu.url}/{POOL_ID}/.well-known/jwks.json")
    jwt.decode(result["AccessToken"], jwks.get_signing_key_from_jwt(result["AccessToken"]).key, algorithms=["RS256"])
