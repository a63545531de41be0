"""Regressions for allows, 500s and races that AWS would never show: each case once reproduced here."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from emulator.cognito.lockout import lock_seconds
from emulator.server import EmulatorServer
from emulator.testing import running_emulator
from tests.conftest import cognito_client, refused

pytestmark = pytest.mark.e2e

POOL = "us-east-1_Harden001"
CONFIG = {
    "UserPools": [{
        "Id": POOL, "Name": "hardening",
        "Schema": [{"Name": f"a{i}"} for i in range(12)],
        "ResourceServers": [{"Identifier": "api", "Scopes": [{"ScopeName": "read"}]}],
        "Users": [
            {"Username": "alice", "Password": "Correct-Horse1", "UserAttributes": {"email": "a@example.com",
                                                                                   "email_verified": "true"}},
            {"Username": "newbie", "TemporaryPassword": "Temp-Passw0rd!"},
        ],
        "Clients": [
            {"ClientName": "app", "ClientId": "hardenapp",
             "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]},
            {"ClientName": "machine", "ClientId": "hardenmachine", "ClientSecret": "machinesecret0123456789abcd",
             "AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["client_credentials"],
             "AllowedOAuthScopes": ["api/read"]},
        ],
    }],
}


@pytest.fixture()
def server() -> Iterator[EmulatorServer]:
    with running_emulator(CONFIG) as emu:
        yield emu


def sign_in(idp: Any, username: str, password: str) -> dict:
    return idp.initiate_auth(ClientId="hardenapp", AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": username, "PASSWORD": password})


def test_user_disabled_during_the_new_password_challenge_gets_no_tokens(server: EmulatorServer) -> None:
    idp = cognito_client(server.url)
    first = sign_in(idp, "newbie", "Temp-Passw0rd!")
    idp.admin_disable_user(UserPoolId=POOL, Username="newbie")
    code, message, reason = refused(lambda: idp.respond_to_auth_challenge(
        ClientId="hardenapp", ChallengeName="NEW_PASSWORD_REQUIRED", Session=first["Session"],
        ChallengeResponses={"USERNAME": "newbie", "NEW_PASSWORD": "Brand-New-Passw0rd!"}))
    assert (code, message) == ("NotAuthorizedException", "User is disabled.")
    assert "disabled" in reason


def test_lone_surrogates_are_refused_and_never_stored(server: EmulatorServer) -> None:
    body = json.dumps({"UserPoolId": POOL, "Username": "alice",
                       "UserAttributes": [{"Name": "nickname", "Value": "\ud800"}]})
    response = httpx.post(server.url, content=body, headers={
        "X-Amz-Target": "AWSCognitoIdentityProviderService.AdminUpdateUserAttributes"})
    assert response.status_code == 400 and response.json()["__type"] == "SerializationException"
    assert "surrogate" in response.headers["x-emulator-reason"]
    assert cognito_client(server.url).admin_get_user(UserPoolId=POOL, Username="alice")["Username"] == "alice"


def test_lockout_after_five_failures_then_released_by_time() -> None:
    clock = {"now": 1_800_000_000.0}
    with running_emulator(CONFIG, clock=lambda: clock["now"]) as server:
        idp = cognito_client(server.url)
        for _ in range(5):
            refused(lambda: sign_in(idp, "alice", "wrong"))
        code, message, reason = refused(lambda: sign_in(idp, "alice", "Correct-Horse1"))
        assert (code, message) == ("NotAuthorizedException", "Password attempts exceeded")
        assert "locked out" in reason
        clock["now"] += lock_seconds(5) + 1
        assert sign_in(idp, "alice", "Correct-Horse1")["AuthenticationResult"]
        refused(lambda: sign_in(idp, "alice", "wrong"))  # the count starts again after a success
        assert sign_in(idp, "alice", "Correct-Horse1")["AuthenticationResult"]


@pytest.mark.parametrize(("failures", "seconds"), [(0, 0), (4, 0), (5, 1), (6, 2), (10, 32), (40, 900)])
def test_lock_time_doubles_up_to_fifteen_minutes(failures: int, seconds: int) -> None:
    assert lock_seconds(failures) == seconds


def test_get_user_with_a_client_credentials_token_lacks_the_scope(server: EmulatorServer) -> None:
    token = httpx.post(f"{server.url}/oauth2/token", auth=("hardenmachine", "machinesecret0123456789abcd"),
                       data={"grant_type": "client_credentials"}).json()["access_token"]
    code, message, _ = refused(lambda: cognito_client(server.url).get_user(AccessToken=token))
    assert (code, message) == ("NotAuthorizedException", "Access Token does not have required scopes")


def test_a_reset_code_works_once_even_when_sent_in_parallel(server: EmulatorServer) -> None:
    idp = cognito_client(server.url)
    idp.forgot_password(ClientId="hardenapp", Username="alice")
    code = httpx.get(f"{server.url}/_emulator/codes/latest",
                     params={"pool_id": POOL, "username": "alice"}).json()["code"]

    def confirm(i: int) -> str:
        try:
            cognito_client(server.url).confirm_forgot_password(
                ClientId="hardenapp", Username="alice", ConfirmationCode=code, Password=f"Parallel-{i}-Passw0rd!")
            return "ok"
        except idp.exceptions.ClientError as exc:
            return exc.response["Error"]["Code"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(confirm, range(8)))
    assert results.count("ok") == 1, results


def test_parallel_attribute_updates_are_all_kept(server: EmulatorServer) -> None:
    def update(i: int) -> None:
        cognito_client(server.url).admin_update_user_attributes(
            UserPoolId=POOL, Username="alice", UserAttributes=[{"Name": f"custom:a{i}", "Value": str(i)}])

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(update, range(12)))
    user = cognito_client(server.url).admin_get_user(UserPoolId=POOL, Username="alice")
    names = {a["Name"] for a in user["UserAttributes"]}
    assert {f"custom:a{i}" for i in range(12)} <= names
