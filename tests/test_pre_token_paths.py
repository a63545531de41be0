"""Pre Token Generation fires on every token path, through issuance.mint, with the path's trigger source: one
row per path, driven as tests/test_issuance.py drives them (its helpers), against a pool whose V3_0 trigger
writes the trigger source into the tokens."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import jwt
import pytest

from emulator.oauth2.testing import callback_params, hosted_sign_in
from emulator.server import EmulatorServer
from tests import test_issuance as paths
from tests import trigger_functions
from tests.conftest import cognito_client

pytestmark = pytest.mark.e2e

CONFIG = copy.deepcopy(paths.CONFIG)
CONFIG["UserPools"][0]["LambdaConfig"] = {"PreTokenGenerationConfig": {
    "LambdaVersion": "V3_0", "LambdaArn": "python:tests.trigger_functions:pre_token_every_path"}}


def _tokens_of(answer: Any) -> str:
    """The access token of an API answer, a token endpoint response or a hosted-UI redirect."""
    if isinstance(answer, dict):
        return answer["AuthenticationResult"]["AccessToken"]
    if isinstance(answer, str):
        return callback_params(answer)["access_token"]
    return answer.json()["access_token"]


def _code_exchange(server: EmulatorServer) -> Any:
    code, verifier = paths._code(server)
    return paths._token_endpoint(server, {"grant_type": "authorization_code", "client_id": "hostedclient",
                                          "code": code, "redirect_uri": paths.CALLBACK, "code_verifier": verifier})


def _oauth_refresh(server: EmulatorServer) -> Any:
    token = _code_exchange(server).json()["refresh_token"]
    return paths._token_endpoint(server, {"grant_type": "refresh_token", "client_id": "hostedclient",
                                          "refresh_token": token})


PATHS: dict[str, tuple[Callable[[EmulatorServer], Any], str]] = {
    "InitiateAuth USER_PASSWORD_AUTH": (lambda s: paths._password(cognito_client(s.url)), "Authentication"),
    "AdminInitiateAuth": (lambda s: cognito_client(s.url).admin_initiate_auth(
        UserPoolId=paths.POOL, ClientId="apiclient", AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ann", "PASSWORD": paths.PASSWORD}), "Authentication"),
    "USER_SRP_AUTH": (lambda s: paths._srp(cognito_client(s.url)), "Authentication"),
    "NEW_PASSWORD_REQUIRED": (lambda s: paths._new_password(cognito_client(s.url)), "NewPasswordChallenge"),
    "SOFTWARE_TOKEN_MFA": (lambda s: paths._totp(cognito_client(s.url)), "Authentication"),
    "REFRESH_TOKEN_AUTH": (lambda s: paths._refresh(cognito_client(s.url), paths._password(
        cognito_client(s.url))["AuthenticationResult"]["RefreshToken"]), "RefreshTokens"),
    "/oauth2/token authorization_code": (_code_exchange, "HostedAuth"),
    "/oauth2/token refresh_token": (_oauth_refresh, "RefreshTokens"),
    "implicit grant": (lambda s: hosted_sign_in(s.url, "ann", paths.PASSWORD, response_type="token",
                                                client_id="hostedclient", redirect_uri=paths.CALLBACK,
                                                scope="openid"), "HostedAuth"),
    "/oauth2/token client_credentials": (lambda s: paths._token_endpoint(
        s, {"grant_type": "client_credentials", "scope": "api/read"},
        auth=("machineclient", "machinesecret" * 3)), "ClientCredentials"),
}


@pytest.mark.parametrize("path", list(PATHS))
def test_every_token_path_fires_pre_token_generation(server: EmulatorServer, path: str) -> None:
    act, suffix = PATHS[path]
    trigger_functions.EVENTS.clear()
    access = jwt.decode(_tokens_of(act(server)), options={"verify_signature": False})
    assert access["minted_by"] == f"TokenGeneration_{suffix}"
    event = trigger_functions.EVENTS[-1]
    assert (event["version"], event["userPoolId"]) == ("3", paths.POOL)
    assert isinstance(event["request"]["scopes"], list)
