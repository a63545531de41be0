"""The one token path: the pure refusal decision as a table, and every way a token is minted driven by a
real client while the decision is forced to refuse, so a path that bypassed issuance.mint would show."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pyotp
import pytest
from pycognito.aws_srp import AWSSRP

from emulator import issuance
from emulator.issuance import Grant, Holder, Refresh, Refusal, refusal
from emulator.model import AppClient
from emulator.oauth2.testing import callback_params, hosted_sign_in, pkce_pair
from emulator.refresh_tokens import RefreshRecord, new_refresh_token
from emulator.server import EmulatorServer
from tests.conftest import cognito_client, refused

pytestmark = pytest.mark.e2e

POOL = "us-east-1_Issuance1"
PASSWORD = "Correct-Horse1"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
CALLBACK = "http://localhost:3000/callback"
NOW = 1_800_000_000.0


# -- the decision (pure) ------------------------------------------------------------------------------

CLIENT = AppClient(client_id="c1", client_name="app", pool_id=POOL)
USER = Holder("ann", enabled=True)
LIVE = Refresh("c1", revoked=False, expires=NOW + 60)


@pytest.mark.parametrize(("grant", "holder", "refresh", "expected"), [
    (Grant.AUTHENTICATION, USER, None, None),
    (Grant.AUTHENTICATION, None, None, Refusal.USER_GONE),
    (Grant.AUTHENTICATION, Holder("ann", enabled=False), None, Refusal.USER_DISABLED),
    (Grant.NEW_PASSWORD, Holder("ann", enabled=False), None, Refusal.USER_DISABLED),
    (Grant.HOSTED, None, None, Refusal.USER_GONE),
    (Grant.HOSTED, USER, None, None),
    (Grant.REFRESH, USER, LIVE, None),
    (Grant.REFRESH, USER, None, Refusal.REFRESH_UNKNOWN),
    (Grant.REFRESH, USER, Refresh("c2", revoked=False, expires=NOW + 60), Refusal.REFRESH_FOREIGN),
    (Grant.REFRESH, USER, Refresh("c1", revoked=True, expires=NOW + 60), Refusal.REFRESH_REVOKED),
    (Grant.REFRESH, USER, Refresh("c1", revoked=False, expires=NOW), Refusal.REFRESH_EXPIRED),
    (Grant.REFRESH, None, LIVE, Refusal.USER_GONE),
    (Grant.REFRESH, Holder("ann", enabled=False), LIVE, Refusal.USER_DISABLED),
    (Grant.CLIENT_CREDENTIALS, None, None, None),
])
def test_refusal_table(grant: Grant, holder: Holder | None, refresh: Refresh | None,
                       expected: Refusal | None) -> None:
    found = refusal(grant, CLIENT, "ann", holder, refresh, NOW)
    assert (found[0] if found else None) == expected
    if found:
        assert found[1]  # always a plain-words reason


def test_every_refusal_has_both_surfaces_errors() -> None:
    for kind in Refusal:
        refused_ = issuance.TokenRefused(kind, "why")
        assert refused_.cognito().type and refused_.oauth().error == "invalid_grant"


# -- every minting path through the one function ---------------------------------------------------------

CONFIG = {
    "UserPools": [{
        "Id": POOL, "Name": "issuance", "MfaConfiguration": "OPTIONAL",
        "ResourceServers": [{"Identifier": "api", "Name": "API", "Scopes": [{"ScopeName": "read",
                                                                           "ScopeDescription": "Read"}]}],
        "Users": [
            {"Username": "ann", "Password": PASSWORD},
            {"Username": "newbie", "TemporaryPassword": "Temp-Passw0rd!"},
            {"Username": "tina", "Password": PASSWORD,
             "MFA": {"SoftwareTokenSecret": TOTP_SECRET, "PreferredMfa": "SOFTWARE_TOKEN_MFA"}},
        ],
        "Clients": [
            {"ClientName": "api", "ClientId": "apiclient",
             "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH",
                                   "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]},
            {"ClientName": "hosted", "ClientId": "hostedclient", "AllowedOAuthFlowsUserPoolClient": True,
             "AllowedOAuthFlows": ["code", "implicit"], "AllowedOAuthScopes": ["openid"],
             "CallbackURLs": [CALLBACK]},
            {"ClientName": "machine", "ClientId": "machineclient", "ClientSecret": "machinesecret" * 3,
             "AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["client_credentials"],
             "AllowedOAuthScopes": ["api/read"]},
        ],
    }],
}
FORCED = "forced by the test: the token path refused"


def _api(server: EmulatorServer, act: Callable[[Any], Any]) -> tuple[str, str, str]:
    return refused(lambda: act(cognito_client(server.url)))


def _oauth(response: httpx.Response) -> tuple[str, str, str]:
    return str(response.status_code), response.json().get("error", ""), response.headers.get("x-emulator-reason", "")


def _password(idp: Any, username: str = "ann", password: str = PASSWORD) -> dict:
    return idp.initiate_auth(ClientId="apiclient", AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": username, "PASSWORD": password})


def _srp(idp: Any) -> dict:
    helper = AWSSRP(username="ann", password=PASSWORD, pool_id=POOL, client_id="apiclient", client=idp)
    first = idp.initiate_auth(ClientId="apiclient", AuthFlow="USER_SRP_AUTH", AuthParameters=helper.get_auth_params())
    return idp.respond_to_auth_challenge(ClientId="apiclient", ChallengeName="PASSWORD_VERIFIER",
                                         ChallengeResponses=helper.process_challenge(first["ChallengeParameters"],
                                                                                     {"USERNAME": "ann"}))


def _new_password(idp: Any) -> dict:
    first = _password(idp, "newbie", "Temp-Passw0rd!")
    return idp.respond_to_auth_challenge(ClientId="apiclient", ChallengeName="NEW_PASSWORD_REQUIRED",
                                         Session=first["Session"],
                                         ChallengeResponses={"USERNAME": "newbie", "NEW_PASSWORD": "Brand-New-1!"})


def _totp(idp: Any) -> dict:
    first = _password(idp, "tina")
    # A code of the next step: the seed's step may already be spent by an earlier case.
    code = pyotp.TOTP(TOTP_SECRET).at(time.time() + 30)
    return idp.respond_to_auth_challenge(ClientId="apiclient", ChallengeName="SOFTWARE_TOKEN_MFA",
                                         Session=first["Session"],
                                         ChallengeResponses={"USERNAME": "tina", "SOFTWARE_TOKEN_MFA_CODE": code})


def _refresh(idp: Any, token: str) -> dict:
    return idp.initiate_auth(ClientId="apiclient", AuthFlow="REFRESH_TOKEN_AUTH",
                             AuthParameters={"REFRESH_TOKEN": token})


def _code(server: EmulatorServer) -> tuple[str, str]:
    verifier, challenge = pkce_pair()
    location = hosted_sign_in(server.url, "ann", PASSWORD, response_type="code", client_id="hostedclient",
                              redirect_uri=CALLBACK, scope="openid", code_challenge=challenge,
                              code_challenge_method="S256")
    return callback_params(location)["code"], verifier


def _token_endpoint(server: EmulatorServer, form: dict[str, str],
                    auth: tuple[str, str] | None = None) -> httpx.Response:
    return httpx.post(f"{server.url}/oauth2/token", data=form, auth=auth)


API_REFUSED = ("NotAuthorizedException", "User is disabled.")
OAUTH_REFUSED = ("400", "invalid_grant")

# Each path: (setup run before the decision is forced, the act after it, what the client sees).
PATHS: dict[str, tuple[Callable[[EmulatorServer], Any], Callable[[EmulatorServer, Any], tuple[str, str, str]],
                       tuple[str, str]]] = {
    "InitiateAuth USER_PASSWORD_AUTH": (lambda server: None, lambda server, _: _api(server, _password), API_REFUSED),
    "AdminInitiateAuth ADMIN_USER_PASSWORD_AUTH": (lambda server: None, lambda server, _: _api(server, lambda idp: (
        idp.admin_initiate_auth(UserPoolId=POOL, ClientId="apiclient", AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                AuthParameters={"USERNAME": "ann", "PASSWORD": PASSWORD}))), API_REFUSED),
    "USER_SRP_AUTH + PASSWORD_VERIFIER": (lambda server: None, lambda server, _: _api(server, _srp), API_REFUSED),
    "NEW_PASSWORD_REQUIRED": (lambda server: None, lambda server, _: _api(server, _new_password), API_REFUSED),
    "SOFTWARE_TOKEN_MFA": (lambda server: None, lambda server, _: _api(server, _totp), API_REFUSED),
    "REFRESH_TOKEN_AUTH": (
        lambda server: _password(cognito_client(server.url))["AuthenticationResult"]["RefreshToken"],
        lambda server, token: _api(server, lambda idp: _refresh(idp, token)), API_REFUSED),
    "/oauth2/token authorization_code": (
        _code, lambda server, pair: _oauth(_token_endpoint(server, {
            "grant_type": "authorization_code", "client_id": "hostedclient", "code": pair[0],
            "redirect_uri": CALLBACK, "code_verifier": pair[1]})), OAUTH_REFUSED),
    "/oauth2/token refresh_token": (
        lambda server: _token_endpoint(server, {"grant_type": "authorization_code", "client_id": "hostedclient",
                                          "code": (pair := _code(server))[0], "redirect_uri": CALLBACK,
                                          "code_verifier": pair[1]}).json()["refresh_token"],
        lambda server, token: _oauth(_token_endpoint(server, {
            "grant_type": "refresh_token", "client_id": "hostedclient", "refresh_token": token})), OAUTH_REFUSED),
    "/oauth2/token client_credentials": (
        lambda server: None, lambda server, _: _oauth(_token_endpoint(
            server, {"grant_type": "client_credentials", "scope": "api/read"},
            auth=("machineclient", "machinesecret" * 3))), OAUTH_REFUSED),
}


@pytest.mark.parametrize("path", list(PATHS))
def test_every_minting_path_passes_through_the_one_decision(server: EmulatorServer, path: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    setup, act, (first, second) = PATHS[path]
    prepared = setup(server)
    monkeypatch.setattr(issuance, "refusal", lambda *args: (Refusal.USER_DISABLED, FORCED))
    seen = act(server, prepared)
    assert seen[:2] == (first, second)
    assert seen[2] == FORCED


def test_implicit_grant_passes_through_the_one_decision(server: EmulatorServer,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(issuance, "refusal", lambda *args: (Refusal.USER_DISABLED, FORCED))
    with pytest.raises(AssertionError, match="User is disabled."):
        hosted_sign_in(server.url, "ann", PASSWORD, response_type="token", client_id="hostedclient",
                       redirect_uri=CALLBACK, scope="openid")


def test_every_path_mints_when_the_decision_allows(server: EmulatorServer) -> None:
    idp = cognito_client(server.url)
    assert _password(idp)["AuthenticationResult"]["AccessToken"]
    assert _srp(idp)["AuthenticationResult"]["IdToken"]
    location = hosted_sign_in(server.url, "ann", PASSWORD, response_type="token", client_id="hostedclient",
                              redirect_uri=CALLBACK, scope="openid")
    assert callback_params(location)["access_token"]


def test_a_refresh_token_of_a_deleted_user_does_not_pass_to_a_new_user_of_that_name(server: EmulatorServer) -> None:
    runtime = server.runtime
    token = new_refresh_token(runtime.store, RefreshRecord(
        pool_id=POOL, client_id="apiclient", username="ann", sub="the-sub-of-an-earlier-ann", auth_time=0,
        origin_jti="o", expires=runtime.clock() + 3600, scope="aws.cognito.signin.user.admin"))
    error, message, reason = refused(lambda: cognito_client(server.url).initiate_auth(
        ClientId="apiclient", AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": token}))
    assert (error, message) == ("UserNotFoundException", "User does not exist.")
    assert "no longer exists" in reason
