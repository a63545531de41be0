"""Failed sign-ins are auth events too (threat protection on): a wrong password (USER_PASSWORD_AUTH and SRP),
a wrong MFA code, each with AWS's EventResponse/ChallengeResponses/EventContextData; a sign-in that passed
MFA lists Mfa Success; a name that is no user records nothing. Driven with boto3, read back newest first."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest

from emulator.cognito import auth_event_log
from tests.conftest import refused

pytestmark = pytest.mark.e2e

PASSWORD = "Correct-Horse1"


@pytest.fixture(scope="module")
def pool(idp: Any) -> dict[str, str]:
    pool_id = idp.create_user_pool(PoolName="audited-failures", UserPoolAddOns={"AdvancedSecurityMode": "AUDIT"})[
        "UserPool"]["Id"]
    idp.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OPTIONAL",
                                 SoftwareTokenMfaConfiguration={"Enabled": True})
    flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=flows)[
        "UserPoolClient"]["ClientId"]
    propagating = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="propagating", ExplicitAuthFlows=flows,
                                              EnablePropagateAdditionalUserContextData=True)[
        "UserPoolClient"]["ClientId"]
    for name in ("ann", "bob"):
        idp.admin_create_user(UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS")
        idp.admin_set_user_password(UserPoolId=pool_id, Username=name, Password=PASSWORD, Permanent=True)
    return {"pool_id": pool_id, "client_id": client_id, "propagating": propagating}


def _events(idp: Any, pool: dict[str, str], username: str) -> list[dict[str, Any]]:
    return idp.admin_list_user_auth_events(UserPoolId=pool["pool_id"], Username=username)["AuthEvents"]


def _sign_in(idp: Any, pool: dict[str, str], password: str, client: str = "client_id", **extra: Any) -> Any:
    return idp.initiate_auth(ClientId=pool[client], AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": "ann", "PASSWORD": password}, **extra)


def test_a_wrong_password_is_a_fail_event(idp: Any, pool: dict[str, str]) -> None:
    code, _, _ = refused(lambda: _sign_in(idp, pool, "Wrong-Horse1"))
    assert code == "NotAuthorizedException"
    _sign_in(idp, pool, PASSWORD)
    newest, failed = _events(idp, pool, "ann")[:2]
    assert failed["EventType"] == "SignIn" and failed["EventResponse"] == "Fail"
    assert failed["ChallengeResponses"] == [{"ChallengeName": "Password", "ChallengeResponse": "Failure"}]
    assert failed["EventContextData"] == {"IpAddress": "127.0.0.1"}
    assert newest["EventResponse"] == "Pass" and newest["CreationDate"] >= failed["CreationDate"]
    assert newest["ChallengeResponses"] == [{"ChallengeName": "Password", "ChallengeResponse": "Success"}]


def test_context_data_names_the_users_address(idp: Any, pool: dict[str, str]) -> None:
    idp.admin_initiate_auth(UserPoolId=pool["pool_id"], ClientId=pool["client_id"],
                            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                            AuthParameters={"USERNAME": "ann", "PASSWORD": PASSWORD},
                            ContextData={"IpAddress": "203.0.113.7", "ServerName": "app", "ServerPath": "/login",
                                         "HttpHeaders": []})
    assert _events(idp, pool, "ann")[0]["EventContextData"] == {"IpAddress": "203.0.113.7"}
    # UserContextData.IpAddress counts only for a client with EnablePropagateAdditionalUserContextData
    context = {"IpAddress": "198.51.100.9", "EncodedData": "x"}
    _sign_in(idp, pool, PASSWORD, UserContextData=context)
    assert _events(idp, pool, "ann")[0]["EventContextData"] == {"IpAddress": "127.0.0.1"}
    _sign_in(idp, pool, PASSWORD, client="propagating", UserContextData=context)
    assert _events(idp, pool, "ann")[0]["EventContextData"] == {"IpAddress": "198.51.100.9"}


def test_a_wrong_mfa_code_then_the_right_one(server: Any, idp: Any, pool: dict[str, str]) -> None:
    tokens = idp.initiate_auth(ClientId=pool["client_id"], AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "bob", "PASSWORD": PASSWORD})["AuthenticationResult"]
    secret = idp.associate_software_token(AccessToken=tokens["AccessToken"])["SecretCode"]
    idp.verify_software_token(AccessToken=tokens["AccessToken"], UserCode=pyotp.TOTP(secret).now())
    idp.set_user_mfa_preference(AccessToken=tokens["AccessToken"],
                                SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    started = idp.initiate_auth(ClientId=pool["client_id"], AuthFlow="USER_PASSWORD_AUTH",
                                AuthParameters={"USERNAME": "bob", "PASSWORD": PASSWORD})
    assert started["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    server.runtime.clock.advance(60)  # the set-up code's step is spent: the next step's code
    right = pyotp.TOTP(secret).at(server.runtime.clock())
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    code, _, _ = refused(lambda: idp.respond_to_auth_challenge(
        ClientId=pool["client_id"], ChallengeName="SOFTWARE_TOKEN_MFA", Session=started["Session"],
        ChallengeResponses={"USERNAME": "bob", "SOFTWARE_TOKEN_MFA_CODE": wrong}))
    assert code == "CodeMismatchException"
    failed = _events(idp, pool, "bob")[0]
    assert failed["EventResponse"] == "Fail" and failed["ChallengeResponses"] == [
        {"ChallengeName": "Password", "ChallengeResponse": "Success"},
        {"ChallengeName": "Mfa", "ChallengeResponse": "Failure"}]
    idp.respond_to_auth_challenge(ClientId=pool["client_id"], ChallengeName="SOFTWARE_TOKEN_MFA",
                                  Session=started["Session"],
                                  ChallengeResponses={"USERNAME": "bob", "SOFTWARE_TOKEN_MFA_CODE": right})
    passed = _events(idp, pool, "bob")[0]
    assert passed["EventResponse"] == "Pass" and passed["ChallengeResponses"] == [
        {"ChallengeName": "Password", "ChallengeResponse": "Success"},
        {"ChallengeName": "Mfa", "ChallengeResponse": "Success"}]


def test_an_unknown_name_records_nothing(server: Any, idp: Any, pool: dict[str, str]) -> None:
    before = len(server.runtime.store.items(auth_event_log.Kind.AUTH_EVENT, pool["pool_id"]))
    code, _, _ = refused(lambda: idp.initiate_auth(ClientId=pool["client_id"], AuthFlow="USER_PASSWORD_AUTH",
                                                   AuthParameters={"USERNAME": "nobody", "PASSWORD": PASSWORD}))
    assert code in ("NotAuthorizedException", "UserNotFoundException")
    assert len(server.runtime.store.items(auth_event_log.Kind.AUTH_EVENT, pool["pool_id"])) == before


def test_pages_go_newest_first_to_the_oldest(idp: Any, pool: dict[str, str]) -> None:
    everything = _events(idp, pool, "ann")
    seen: list[str] = []
    token = None
    while True:
        page = idp.admin_list_user_auth_events(UserPoolId=pool["pool_id"], Username="ann", MaxResults=2,
                                               **({"NextToken": token} if token else {}))
        seen += [e["EventId"] for e in page["AuthEvents"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == [e["EventId"] for e in everything] and len(seen) >= 5
    dates = [e["CreationDate"] for e in everything]
    assert dates == sorted(dates, reverse=True)


def test_account_activity_is_listed_with_its_event_type(idp: Any) -> None:
    """SignUp, ResendCode, ForgotPassword and PasswordChange events (the model's EventType enum)."""
    pool_id = idp.create_user_pool(PoolName="audited-activity", AutoVerifiedAttributes=["email"],
                                   UserPoolAddOns={"AdvancedSecurityMode": "AUDIT"})["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=[
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    email = [{"Name": "email", "Value": "cat@example.com"}]
    idp.sign_up(ClientId=client_id, Username="cat", Password=PASSWORD, UserAttributes=email)
    idp.resend_confirmation_code(ClientId=client_id, Username="cat")
    idp.admin_confirm_sign_up(UserPoolId=pool_id, Username="cat")
    idp.admin_update_user_attributes(UserPoolId=pool_id, Username="cat",
                                     UserAttributes=[{"Name": "email_verified", "Value": "true"}])
    idp.forgot_password(ClientId=client_id, Username="cat")
    tokens = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "cat", "PASSWORD": PASSWORD})["AuthenticationResult"]
    code, _, _ = refused(lambda: idp.change_password(AccessToken=tokens["AccessToken"],
                                                     PreviousPassword="Wrong-Horse1", ProposedPassword="New-Horse12"))
    assert code == "NotAuthorizedException"
    idp.change_password(AccessToken=tokens["AccessToken"], PreviousPassword=PASSWORD, ProposedPassword="New-Horse12")
    events = idp.admin_list_user_auth_events(UserPoolId=pool_id, Username="cat")["AuthEvents"]
    assert [(e["EventType"], e["EventResponse"]) for e in events] == [
        ("PasswordChange", "Pass"), ("PasswordChange", "Fail"), ("SignIn", "Pass"), ("ForgotPassword", "Pass"),
        ("ResendCode", "Pass"), ("SignUp", "Pass")]
