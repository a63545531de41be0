"""User auth events recorded for real sign-ins (threat protection on) and read back through boto3 and the AWS
CLI: AdminListUserAuthEvents, AdminUpdateAuthEventFeedback, UpdateAuthEventFeedback; refreshes add none."""

from __future__ import annotations

import shutil
from typing import Any

import jwt
import pytest

from emulator.cognito import auth_event_log
from emulator.server import EmulatorServer
from tests.conftest import refused
from tests.test_aws_cli_management import Cli

pytestmark = pytest.mark.e2e

PASSWORD = "Correct-Horse1"


@pytest.fixture(scope="module")
def pool(idp: Any) -> dict[str, str]:
    pool_id = idp.create_user_pool(PoolName="audited", UserPoolAddOns={"AdvancedSecurityMode": "AUDIT"})[
        "UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=[
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool_id, Username="eve", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool_id, Username="eve", Password=PASSWORD, Permanent=True)
    return {"pool_id": pool_id, "client_id": client_id}


def sign_in(idp: Any, pool: dict[str, str]) -> dict[str, Any]:
    return idp.initiate_auth(ClientId=pool["client_id"], AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": "eve", "PASSWORD": PASSWORD})["AuthenticationResult"]


def test_sign_ins_are_listed_newest_first_and_refreshes_are_not(idp: Any, pool: dict[str, str]) -> None:
    first = sign_in(idp, pool)
    second = sign_in(idp, pool)
    idp.initiate_auth(ClientId=pool["client_id"], AuthFlow="REFRESH_TOKEN_AUTH",
                      AuthParameters={"REFRESH_TOKEN": second["RefreshToken"]})
    events = idp.admin_list_user_auth_events(UserPoolId=pool["pool_id"], Username="eve")["AuthEvents"]
    ids = [jwt.decode(t["AccessToken"], options={"verify_signature": False})["event_id"] for t in (second, first)]
    assert [e["EventId"] for e in events[:2]] == ids and len(events) == 2
    assert events[0]["EventType"] == "SignIn" and events[0]["EventResponse"] == "Pass"
    assert events[0]["EventRisk"]["RiskDecision"] == "NoRisk"
    page = idp.admin_list_user_auth_events(UserPoolId=pool["pool_id"], Username="eve", MaxResults=1)
    assert len(page["AuthEvents"]) == 1 and page["NextToken"]


def test_feedback_by_admin_and_by_token(server: EmulatorServer, idp: Any, pool: dict[str, str]) -> None:
    sign_in(idp, pool)
    (key, event), *_ = auth_event_log.events(server.runtime.store, pool["pool_id"], "eve")
    idp.admin_update_auth_event_feedback(UserPoolId=pool["pool_id"], Username="eve", EventId=event["EventId"],
                                         FeedbackValue="Valid")
    listed = idp.admin_list_user_auth_events(UserPoolId=pool["pool_id"], Username="eve")["AuthEvents"][0]
    assert listed["EventFeedback"]["FeedbackValue"] == "Valid" and listed["EventFeedback"]["Provider"] == "Admin"
    code, _, reason = refused(lambda: idp.update_auth_event_feedback(
        UserPoolId=pool["pool_id"], Username="eve", EventId=event["EventId"], FeedbackToken="forged",
        FeedbackValue="Invalid"))
    assert code == "NotAuthorizedException" and "FeedbackToken" in reason
    idp.update_auth_event_feedback(UserPoolId=pool["pool_id"], Username="eve", EventId=event["EventId"],
                                   FeedbackToken=event["FeedbackToken"], FeedbackValue="Invalid")
    listed = idp.admin_list_user_auth_events(UserPoolId=pool["pool_id"], Username="eve")["AuthEvents"][0]
    assert listed["EventFeedback"]["FeedbackValue"] == "Invalid"
    code, _, _ = refused(lambda: idp.admin_update_auth_event_feedback(
        UserPoolId=pool["pool_id"], Username="eve", EventId="nosuch", FeedbackValue="Valid"))
    assert code == "ResourceNotFoundException"


def test_without_threat_protection(idp: Any) -> None:
    pool_id = idp.create_user_pool(PoolName="unaudited")["UserPool"]["Id"]
    idp.admin_create_user(UserPoolId=pool_id, Username="fred", MessageAction="SUPPRESS")
    code, _, reason = refused(lambda: idp.admin_list_user_auth_events(UserPoolId=pool_id, Username="fred"))
    assert code == "UserPoolAddOnNotEnabledException" and "AdvancedSecurityMode" in reason


def test_unknown_user(idp: Any, pool: dict[str, str]) -> None:
    code, _, _ = refused(lambda: idp.admin_list_user_auth_events(UserPoolId=pool["pool_id"], Username="nobody"))
    assert code == "UserNotFoundException"


@pytest.mark.cli
@pytest.mark.skipif(shutil.which("aws") is None, reason="the AWS CLI is not installed")
def test_with_the_aws_cli(server: EmulatorServer, idp: Any, pool: dict[str, str],
                          tmp_path_factory: pytest.TempPathFactory) -> None:
    sign_in(idp, pool)
    cli = Cli(server.url, tmp_path_factory.mktemp("aws-home"))
    events = cli.ok("admin-list-user-auth-events", "--user-pool-id", pool["pool_id"], "--username", "eve")
    event_id = events["AuthEvents"][0]["EventId"]
    cli.ok("admin-update-auth-event-feedback", "--user-pool-id", pool["pool_id"], "--username", "eve", "--event-id",
           event_id, "--feedback-value", "Valid")
    again = cli.ok("admin-list-user-auth-events", "--user-pool-id", pool["pool_id"], "--username", "eve")
    assert again["AuthEvents"][0]["EventFeedback"]["FeedbackValue"] == "Valid"
