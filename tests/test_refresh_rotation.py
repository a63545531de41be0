"""GetTokensFromRefreshToken on every client, and refresh-token rotation (RefreshTokenRotation) through the API and
/oauth2/token: the old token works for RetryGracePeriodSeconds, REFRESH_TOKEN_AUTH is refused on a rotating
client, and revoking any token of a rotated family revokes all of it."""

from __future__ import annotations

from typing import Any

import httpx
import jwt
import pytest

from emulator.cognito.lookup import secret_hash
from emulator.config import ConfigError, parse_config
from emulator.oauth2.testing import callback_params, hosted_sign_in
from emulator.server import EmulatorServer
from tests.conftest import refused

pytestmark = pytest.mark.e2e

POOL = "us-east-1_Rotation1"
PASSWORD = "Correct-Horse1"
CALLBACK = "http://localhost:3000/callback"
SECRET = "rotationsecret" * 3
CONFIG = {"UserPools": [{
    "Id": POOL, "Name": "rotation",
    "Users": [{"Username": "ann", "Password": PASSWORD}],
    "Clients": [
        {"ClientName": "rotating", "ClientId": "rotclient", "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"],
         "RefreshTokenRotation": {"Feature": "ENABLED", "RetryGracePeriodSeconds": 10}},
        {"ClientName": "plain", "ClientId": "plainclient",
         "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]},
        {"ClientName": "secret", "ClientId": "secretclient", "ClientSecret": SECRET,
         "ExplicitAuthFlows": ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]},
        {"ClientName": "hosted", "ClientId": "hostedrot", "AllowedOAuthFlowsUserPoolClient": True,
         "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid"], "CallbackURLs": [CALLBACK],
         "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH"], "RefreshTokenRotation": {"Feature": "ENABLED"}},
    ],
}]}


def _sign_in(idp: Any, client_id: str) -> dict:
    return idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": "ann", "PASSWORD": PASSWORD})["AuthenticationResult"]


def _renew(idp: Any, client_id: str, token: str, **extra: str) -> dict:
    return idp.get_tokens_from_refresh_token(ClientId=client_id, RefreshToken=token, **extra)["AuthenticationResult"]


def test_a_client_without_rotation_renews_without_a_new_refresh_token(idp: Any) -> None:
    first = _sign_in(idp, "plainclient")
    renewed = _renew(idp, "plainclient", first["RefreshToken"])
    assert set(renewed) == {"AccessToken", "IdToken", "ExpiresIn", "TokenType"}
    claims = jwt.decode(renewed["IdToken"], options={"verify_signature": False})
    original = jwt.decode(first["IdToken"], options={"verify_signature": False})
    assert (claims["origin_jti"], claims["auth_time"]) == (original["origin_jti"], original["auth_time"])


def test_a_secret_client_sends_its_secret_itself(idp: Any) -> None:
    first = idp.admin_initiate_auth(UserPoolId=POOL, ClientId="secretclient", AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                    AuthParameters={"USERNAME": "ann", "PASSWORD": PASSWORD,
                                                    "SECRET_HASH": _hash("ann", "secretclient")})
    token = first["AuthenticationResult"]["RefreshToken"]
    assert _renew(idp, "secretclient", token, ClientSecret=SECRET)["AccessToken"]
    error, message, reason = refused(lambda: _renew(idp, "secretclient", token))
    assert (error, message) == ("NotAuthorizedException",
                                "Client secretclient is configured with secret but ClientSecret was not received")
    assert "send it as ClientSecret" in reason
    error, message, _ = refused(lambda: _renew(idp, "secretclient", token, ClientSecret="w" * 40))
    assert (error, message) == ("NotAuthorizedException", "Unable to verify secret for client secretclient")


def _hash(username: str, client_id: str) -> str:
    return secret_hash(SECRET, username, client_id)


def test_rotation_returns_a_new_refresh_token_and_the_old_one_lasts_the_grace_period(
        server: EmulatorServer, idp: Any) -> None:
    first = _sign_in(idp, "rotclient")
    second = _renew(idp, "rotclient", first["RefreshToken"])
    assert second["RefreshToken"] != first["RefreshToken"]
    assert _renew(idp, "rotclient", first["RefreshToken"])["AccessToken"]  # a retry within the grace period
    server.runtime.clock.advance(11)
    error, message, reason = refused(lambda: _renew(idp, "rotclient", first["RefreshToken"]))
    assert (error, message) == ("NotAuthorizedException", "Invalid Refresh Token.")
    assert "rotated out" in reason and "RetryGracePeriodSeconds 10" in reason
    assert _renew(idp, "rotclient", second["RefreshToken"])["RefreshToken"]


def test_refresh_token_auth_is_refused_on_a_rotating_client(idp: Any) -> None:
    token = _sign_in(idp, "rotclient")["RefreshToken"]
    error, message, reason = refused(lambda: idp.initiate_auth(
        ClientId="rotclient", AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": token}))
    assert (error, message) == ("InvalidParameterException", "REFRESH_TOKEN_AUTH flow not enabled for this client")
    assert "GetTokensFromRefreshToken" in reason


def test_revoking_any_token_of_a_rotated_family_revokes_all_of_it(idp: Any) -> None:
    first = _sign_in(idp, "rotclient")
    second = _renew(idp, "rotclient", first["RefreshToken"])
    idp.revoke_token(Token=first["RefreshToken"], ClientId="rotclient")
    error, message, _ = refused(lambda: _renew(idp, "rotclient", second["RefreshToken"]))
    assert (error, message) == ("NotAuthorizedException", "Refresh Token has been revoked")
    error, message, _ = refused(lambda: idp.get_user(AccessToken=second["AccessToken"]))
    assert (error, message) == ("NotAuthorizedException", "Access Token has been revoked")


def test_the_token_endpoint_rotates_too(server: EmulatorServer) -> None:
    location = hosted_sign_in(server.url, "ann", PASSWORD, response_type="code", client_id="hostedrot",
                              redirect_uri=CALLBACK, scope="openid")
    tokens = httpx.post(f"{server.url}/oauth2/token", data={
        "grant_type": "authorization_code", "client_id": "hostedrot", "code": callback_params(location)["code"],
        "redirect_uri": CALLBACK}).json()
    renewed = httpx.post(f"{server.url}/oauth2/token", data={
        "grant_type": "refresh_token", "client_id": "hostedrot", "refresh_token": tokens["refresh_token"]}).json()
    assert set(renewed) == {"id_token", "access_token", "refresh_token", "expires_in", "token_type"}
    assert renewed["refresh_token"] != tokens["refresh_token"]
    server.runtime.clock.advance(1)  # RetryGracePeriodSeconds unset: 0, the old token is done at once
    again = httpx.post(f"{server.url}/oauth2/token", data={
        "grant_type": "refresh_token", "client_id": "hostedrot", "refresh_token": tokens["refresh_token"]})
    assert (again.status_code, again.json()) == (400, {"error": "invalid_grant"})


def test_rotation_round_trips_through_create_update_and_describe(idp: Any) -> None:
    created = idp.create_user_pool_client(UserPoolId=POOL, ClientName="made", ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"],
                                          RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 30})
    client_id = created["UserPoolClient"]["ClientId"]
    assert created["UserPoolClient"]["RefreshTokenRotation"] == {"Feature": "ENABLED", "RetryGracePeriodSeconds": 30}
    idp.update_user_pool_client(UserPoolId=POOL, ClientId=client_id, ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH",
                                                                                         "ALLOW_REFRESH_TOKEN_AUTH"])
    described = idp.describe_user_pool_client(UserPoolId=POOL, ClientId=client_id)["UserPoolClient"]
    assert "RefreshTokenRotation" not in described  # an update without it resets it, as AWS's updates do
    error, message, _ = refused(lambda: idp.create_user_pool_client(
        UserPoolId=POOL, ClientName="bad", ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"]))
    assert (error, message) == ("InvalidParameterException", "REFRESH_TOKEN_AUTH should always be allowed.")


@pytest.mark.parametrize(("rotation", "message"), [
    ({"Feature": "SOMETIMES"}, "Unknown RefreshTokenRotation.Feature value SOMETIMES"),
    ({"Feature": "ENABLED", "RetryGracePeriodSeconds": 61}, "RetryGracePeriodSeconds must be between 0 and 60."),
    ({"RetryGracePeriodSeconds": 5}, "Feature"),
])
def test_a_bad_rotation_setting_is_refused_with_its_key_path(rotation: dict, message: str) -> None:
    config = {"UserPools": [{"Name": "p", "Clients": [{"ClientName": "c", "RefreshTokenRotation": rotation}]}]}
    with pytest.raises(ConfigError) as info:
        parse_config(config)
    assert info.value.path.startswith("UserPools[0].Clients[0].RefreshTokenRotation")
    assert message in str(info.value)
