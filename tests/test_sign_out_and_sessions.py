"""Global sign-out reads a user's own refresh tokens through their index; a refresh token dies with its user
(another user later given the same name does not inherit it); the hosted login page gives every sign-in a new
session cookie (a planted one gains nothing) and refuses to be framed."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from emulator.oauth2.testing import callback_params, hosted_sign_in
from emulator.refresh_tokens import user_refresh_records
from emulator.server import EmulatorServer
from emulator.testing import running_emulator
from tests.conftest import cognito_client, refused

pytestmark = pytest.mark.e2e

POOL = "us-east-1_Sessions1"
PASSWORD = "Correct-Horse1"
CALLBACK = "http://localhost:3000/callback"
CONFIG = {"UserPools": [{
    "Id": POOL, "Name": "sessions",
    "Users": [{"Username": "ann", "Password": PASSWORD}, {"Username": "bob", "Password": PASSWORD}],
    "Clients": [
        {"ClientName": "app", "ClientId": "sessionsapp",
         "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]},
        {"ClientName": "hosted", "ClientId": "sessionshosted", "AllowedOAuthFlowsUserPoolClient": True,
         "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid"], "CallbackURLs": [CALLBACK]},
    ],
}]}
AUTHORIZE = {"response_type": "code", "client_id": "sessionshosted", "redirect_uri": CALLBACK, "scope": "openid"}


def _sign_in(idp: Any, username: str) -> dict:
    return idp.initiate_auth(ClientId="sessionsapp", AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})["AuthenticationResult"]


def _refresh(idp: Any, token: str) -> dict:
    return idp.initiate_auth(ClientId="sessionsapp", AuthFlow="REFRESH_TOKEN_AUTH",
                             AuthParameters={"REFRESH_TOKEN": token})


def test_global_sign_out_revokes_the_users_own_tokens_only(server: EmulatorServer, idp: Any) -> None:
    ann = [_sign_in(idp, "ann") for _ in range(3)]
    bob = _sign_in(idp, "bob")
    indexed = user_refresh_records(server.runtime.store, POOL, "ann")
    assert len(indexed) >= 3
    idp.global_sign_out(AccessToken=ann[0]["AccessToken"])
    for tokens in ann:
        error, message, _ = refused(lambda tokens=tokens: _refresh(idp, tokens["RefreshToken"]))
        assert (error, message) == ("NotAuthorizedException", "Refresh Token has been revoked")
    assert _refresh(idp, bob["RefreshToken"])["AuthenticationResult"]["AccessToken"]


def test_a_refresh_token_dies_with_its_user(idp: Any) -> None:
    idp.admin_create_user(UserPoolId=POOL, Username="carol", TemporaryPassword="Temp-Passw0rd!",
                          MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=POOL, Username="carol", Password=PASSWORD, Permanent=True)
    token = _sign_in(idp, "carol")["RefreshToken"]
    idp.admin_delete_user(UserPoolId=POOL, Username="carol")
    idp.admin_create_user(UserPoolId=POOL, Username="carol", TemporaryPassword="Temp-Passw0rd!",
                          MessageAction="SUPPRESS")
    error, message, _ = refused(lambda: _refresh(idp, token))
    assert (error, message) == ("NotAuthorizedException", "Refresh Token has been revoked")


def test_a_planted_session_cookie_is_replaced_at_sign_in(server: EmulatorServer) -> None:
    with httpx.Client(base_url=server.url) as victim:
        # An attacker's own signed-in session cookie, planted in the victim's browser.
        with httpx.Client(base_url=server.url) as attacker:
            hosted_sign_in(server.url, "bob", PASSWORD, client=attacker, **AUTHORIZE)
            planted = attacker.cookies.get("cognito")
        assert planted
        victim.cookies.set("cognito", planted)
        location = hosted_sign_in(server.url, "ann", PASSWORD, client=victim,
                                  **{**AUTHORIZE, "prompt": "login"})
        assert callback_params(location)["code"]
        values = {cookie.value for cookie in victim.cookies.jar if cookie.name == "cognito"}
    assert values - {planted}, "the sign-in set no new session cookie"
    with httpx.Client(base_url=server.url, cookies={"cognito": planted}) as attacker_again:
        # The planted value stopped working: the attacker is back at the login form, not signed in as ann.
        response = attacker_again.get("/oauth2/authorize", params=AUTHORIZE)
        assert response.status_code == 302 and response.headers["location"].startswith("/login")


def test_the_login_page_refuses_to_be_framed(server: EmulatorServer) -> None:
    response = httpx.get(f"{server.url}/login", params=AUTHORIZE)
    assert response.status_code == 200
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_a_wrong_password_reason_names_the_user_as_typed() -> None:
    config = {"UserPools": [{"Id": "us-east-1_Typed0001", "Name": "typed", "UsernameAttributes": ["email"],
                             "Users": [{"Username": "ann@example.com", "Password": PASSWORD}],
                             "Clients": [{"ClientName": "app", "ClientId": "typedapp", "ExplicitAuthFlows": [
                                 "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}]}]}
    with running_emulator(config) as server:
        error, _, reason = refused(lambda: cognito_client(server.url).initiate_auth(
            ClientId="typedapp", AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "ann@example.com", "PASSWORD": "wrong"}))
    assert error == "NotAuthorizedException"
    assert reason.startswith("the password is not the password of user 'ann@example.com' (username ")
