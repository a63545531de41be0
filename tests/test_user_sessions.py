"""User sessions end to end with boto3 and the AWS CLI: tracking off by default (and refused until on), the
tier rule, a sign-in per TOKEN session (rotation and refresh stay in it), IsCurrentSession, revoking one
session's tokens, MaxPerUser signing the oldest out, and the client's SSO validity on the hosted UI."""

from __future__ import annotations

import json
import re
import shutil
from typing import Any

import httpx
import pytest

from emulator.oauth2.testing import hosted_sign_in
from emulator.server import EmulatorServer
from tests.conftest import refused
from tests.test_aws_cli_management import Cli

pytestmark = pytest.mark.e2e

PASSWORD = "Correct-Horse1"
CALLBACK = "http://localhost:3000/callback"
SESSION_ID = re.compile(r"^tkn[a-z0-9]{25}$")


@pytest.fixture(scope="module")
def pool(idp: Any) -> dict[str, str]:
    pool_id = idp.create_user_pool(PoolName="sessions")["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthFlows=["code"], AllowedOAuthScopes=["openid"],
        CallbackURLs=[CALLBACK], SupportedIdentityProviders=["COGNITO"])["UserPoolClient"]["ClientId"]
    for name in ("sam", "max"):
        idp.admin_create_user(UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS")
        idp.admin_set_user_password(UserPoolId=pool_id, Username=name, Password=PASSWORD, Permanent=True)
    return {"pool_id": pool_id, "client_id": client_id}


def _sign_in(idp: Any, pool: dict[str, str], name: str = "sam") -> dict[str, Any]:
    return idp.initiate_auth(ClientId=pool["client_id"], AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD})["AuthenticationResult"]


def test_tracking_is_off_until_configured(idp: Any, pool: dict[str, str]) -> None:
    got = idp.get_user_pool_session_configuration(UserPoolId=pool["pool_id"])
    assert got["UserSessionTracking"] == "DISABLED" and got["TokenSession"] == {"MaxPerUser": 20}
    tokens = _sign_in(idp, pool)
    code, _, reason = refused(lambda: idp.list_user_sessions(AccessToken=tokens["AccessToken"]))
    assert code == "OperationNotEnabledException" and "SetUserPoolSessionConfiguration" in reason
    code, _, _ = refused(lambda: idp.admin_list_user_sessions(UserPoolId=pool["pool_id"], Username="sam"))
    assert code == "OperationNotEnabledException"
    code, _, _ = refused(lambda: idp.set_user_pool_client_session_configuration(
        UserPoolId=pool["pool_id"], ClientId=pool["client_id"], SSOSession={"MaxValidityMinutes": 5}))
    assert code == "OperationNotEnabledException"
    assert idp.get_user_pool_client_session_configuration(UserPoolId=pool["pool_id"], ClientId=pool["client_id"])[
        "SSOSession"] == {"MaxValidityMinutes": 60}


def test_the_lite_tier_cannot_track(idp: Any) -> None:
    pool_id = idp.create_user_pool(PoolName="lite", UserPoolTier="LITE")["UserPool"]["Id"]
    code, _, reason = refused(lambda: idp.set_user_pool_session_configuration(
        UserPoolId=pool_id, UserSessionTracking="ENABLED", TokenSession={"MaxPerUser": 5}))
    assert code == "FeatureUnavailableInTierException" and "LITE" in reason


def test_sessions_are_sign_ins_and_one_can_be_revoked(idp: Any, pool: dict[str, str]) -> None:
    idp.set_user_pool_session_configuration(UserPoolId=pool["pool_id"], UserSessionTracking="ENABLED",
                                            TokenSession={"MaxPerUser": 3})
    first, second = _sign_in(idp, pool), _sign_in(idp, pool)
    idp.initiate_auth(ClientId=pool["client_id"], AuthFlow="REFRESH_TOKEN_AUTH",
                      AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]})  # a refresh is no new session
    listed = idp.list_user_sessions(AccessToken=second["AccessToken"])["Sessions"]
    assert len(listed) >= 2 and all(SESSION_ID.match(s["SessionId"]) for s in listed)
    assert all(s["SessionType"] == "TOKEN" and s["ClientId"] == pool["client_id"] for s in listed)
    current = [s for s in listed if s["IsCurrentSession"]]
    assert len(current) == 1 and current[0]["SessionId"] == listed[-1]["SessionId"]
    admin = idp.admin_list_user_sessions(UserPoolId=pool["pool_id"], Username="sam")["Sessions"]
    assert [s["SessionId"] for s in admin] == [s["SessionId"] for s in listed]
    assert "IsCurrentSession" not in admin[0]
    # the current session cannot be revoked with its own token; another can
    code, _, _ = refused(lambda: idp.revoke_user_session(AccessToken=second["AccessToken"],
                                                         SessionId=current[0]["SessionId"]))
    assert code == "InvalidParameterException"
    older = listed[-2]["SessionId"]
    idp.revoke_user_session(AccessToken=second["AccessToken"], SessionId=older)
    assert older not in [s["SessionId"] for s in idp.list_user_sessions(AccessToken=second["AccessToken"])["Sessions"]]
    code, _, _ = refused(lambda: idp.initiate_auth(ClientId=pool["client_id"], AuthFlow="REFRESH_TOKEN_AUTH",
                                                   AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]}))
    assert code == "NotAuthorizedException"
    code, _, _ = refused(lambda: idp.admin_revoke_user_session(UserPoolId=pool["pool_id"], Username="sam",
                                                               SessionId=older))
    assert code == "ResourceNotFoundException"
    code, _, _ = refused(lambda: idp.get_user(AccessToken=first["AccessToken"]))
    assert code == "NotAuthorizedException"  # the revoked session's access token too


def test_max_per_user_signs_the_oldest_out(idp: Any, pool: dict[str, str]) -> None:
    idp.set_user_pool_session_configuration(UserPoolId=pool["pool_id"], UserSessionTracking="ENABLED",
                                            TokenSession={"MaxPerUser": 2})
    oldest, *_ = [_sign_in(idp, pool, "max") for _ in range(3)]
    assert len(idp.admin_list_user_sessions(UserPoolId=pool["pool_id"], Username="max")["Sessions"]) == 2
    code, _, _ = refused(lambda: idp.get_user(AccessToken=oldest["AccessToken"]))
    assert code == "NotAuthorizedException"


def test_client_sso_validity_limits_the_hosted_ui_reuse(server: EmulatorServer, idp: Any,
                                                        pool: dict[str, str]) -> None:
    idp.set_user_pool_session_configuration(UserPoolId=pool["pool_id"], UserSessionTracking="ENABLED",
                                            TokenSession={"MaxPerUser": 20})
    idp.set_user_pool_client_session_configuration(UserPoolId=pool["pool_id"], ClientId=pool["client_id"],
                                                   SSOSession={"MaxValidityMinutes": 5})
    authorize = {"response_type": "code", "client_id": pool["client_id"], "redirect_uri": CALLBACK,
                 "scope": "openid"}
    with httpx.Client(base_url=server.url) as browser:
        assert hosted_sign_in(server.url, "sam", PASSWORD, client=browser, **authorize).startswith(CALLBACK)
        again = browser.get("/oauth2/authorize", params=authorize)
        assert again.headers["location"].startswith(CALLBACK)  # the browser session, reused silently
        server.runtime.clock.advance(6 * 60)
        later = browser.get("/oauth2/authorize", params=authorize)
        assert later.headers["location"].startswith("/login")  # past 5 minutes: the form again


@pytest.fixture(scope="module")
def cli(server: EmulatorServer, tmp_path_factory: pytest.TempPathFactory) -> Cli:
    if shutil.which("aws") is None:
        pytest.skip("the AWS CLI is not installed")
    return Cli(server.url, tmp_path_factory.mktemp("aws-home"))


@pytest.mark.cli
def test_the_aws_cli_configures_and_lists(cli: Cli, idp: Any) -> None:
    pool_id = cli.ok("create-user-pool", "--pool-name", "cli-sessions")["UserPool"]["Id"]
    client_id = cli.ok("create-user-pool-client", "--user-pool-id", pool_id, "--client-name", "web",
                       "--explicit-auth-flows", "ALLOW_ADMIN_USER_PASSWORD_AUTH",
                       "ALLOW_REFRESH_TOKEN_AUTH")["UserPoolClient"]["ClientId"]
    first = cli.run("set-user-pool-session-configuration", "--user-pool-id", pool_id, "--user-session-tracking",
                    "ENABLED", "--token-session", "MaxPerUser=10")
    if "Invalid choice" in first.stderr:
        pytest.skip("this AWS CLI's model predates the session operations (boto3 drives them above)")
    assert first.returncode == 0, first.stderr
    set_ = json.loads(first.stdout)
    assert set_["UserSessionTracking"] == "ENABLED" and set_["TokenSession"] == {"MaxPerUser": 10}
    cli.ok("set-user-pool-client-session-configuration", "--user-pool-id", pool_id, "--client-id", client_id,
           "--sso-session", "MaxValidityMinutes=30")
    got = cli.ok("get-user-pool-client-session-configuration", "--user-pool-id", pool_id, "--client-id", client_id)
    assert got["SSOSession"] == {"MaxValidityMinutes": 30}
    idp.admin_create_user(UserPoolId=pool_id, Username="cli", TemporaryPassword="Temp-Passw0rd!",
                          MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool_id, Username="cli", Password=PASSWORD, Permanent=True)
    cli.ok("admin-initiate-auth", "--user-pool-id", pool_id, "--client-id", client_id, "--auth-flow",
           "ADMIN_USER_PASSWORD_AUTH", "--auth-parameters", f"USERNAME=cli,PASSWORD={PASSWORD}")
    sessions = cli.ok("admin-list-user-sessions", "--user-pool-id", pool_id, "--username", "cli")["Sessions"]
    assert len(sessions) == 1
    cli.ok("admin-revoke-user-session", "--user-pool-id", pool_id, "--username", "cli", "--session-id",
           sessions[0]["SessionId"])
    assert cli.ok("admin-list-user-sessions", "--user-pool-id", pool_id, "--username", "cli")["Sessions"] == []


def test_a_hosted_ui_browser_session_is_an_sso_session(server: EmulatorServer, idp: Any,
                                                       pool: dict[str, str]) -> None:
    idp.set_user_pool_session_configuration(UserPoolId=pool["pool_id"], UserSessionTracking="ENABLED",
                                            TokenSession={"MaxPerUser": 20})
    idp.set_user_pool_client_session_configuration(UserPoolId=pool["pool_id"], ClientId=pool["client_id"],
                                                   SSOSession={"MaxValidityMinutes": 60})
    authorize = {"response_type": "code", "client_id": pool["client_id"], "redirect_uri": CALLBACK,
                 "scope": "openid"}
    with httpx.Client(base_url=server.url) as browser:
        hosted_sign_in(server.url, "max", PASSWORD, client=browser, **authorize)
        sso = [s for s in idp.admin_list_user_sessions(UserPoolId=pool["pool_id"], Username="max")["Sessions"]
               if s["SessionType"] == "SSO"]
        assert len(sso) == 1 and re.fullmatch(r"sso[a-z0-9]{25}", sso[0]["SessionId"])
        assert sso[0]["ClientId"] == pool["client_id"]
        idp.admin_revoke_user_session(UserPoolId=pool["pool_id"], Username="max", SessionId=sso[0]["SessionId"])
        assert browser.get("/oauth2/authorize", params=authorize).headers["location"].startswith("/login")
    assert not [s for s in idp.admin_list_user_sessions(UserPoolId=pool["pool_id"], Username="max")["Sessions"]
                if s["SessionType"] == "SSO"]
