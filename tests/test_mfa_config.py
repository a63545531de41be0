"""A pool's MFA settings (SetUserPoolMfaConfig / GetUserPoolMfaConfig), e-mail codes as a second factor
(EMAIL_OTP), the legacy SetUserSettings and GetUserAuthFactors: the rules by table, the operations through
boto3 and the AWS CLI, codes read from /_emulator/codes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from typing import Any

import httpx
import pytest

from emulator.cognito.mfa import PoolFactors, UserFactors, next_step
from emulator.cognito.mfa_config_rules import configured, mfa_config_violation, sign_in_policy_violation
from emulator.model import UserPool
from tests.conftest import refused

pytestmark = pytest.mark.e2e

POOL = "us-east-1_EmailMfa001"
PLAIN_POOL = "us-east-1_PlainMfa001"
PASSWORD = "Correct-Horse1"
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
EMAIL_MESSAGE = "Your sign-in code is {####}"


def _user(name: str, email: str | None = None, **extra: Any) -> dict[str, Any]:
    attributes = {"email": email, "email_verified": "true"} if email else {}
    return {"Username": name, "Password": PASSWORD, "UserAttributes": attributes, **extra}


CONFIG = {"UserPools": [{
    "Id": POOL, "Name": "email-mfa", "MfaConfiguration": "OPTIONAL",
    "SoftwareTokenMfaConfiguration": {"Enabled": True}, "SmsMfaConfiguration": {},
    "EmailMfaConfiguration": {"Message": EMAIL_MESSAGE, "Subject": "Sign-in code"},
    "Users": [_user("erin", "erin@example.com"), _user("erin-wrong", "wrong@example.com"),
              _user("nomail"), _user("settings", UserAttributes={"phone_number": "+15555550123"}),
              _user("factors", "factors@example.com")],
    "Clients": [{"ClientName": "app", "ClientId": "emailmfaapp", "ExplicitAuthFlows": FLOWS}],
}, {
    "Id": PLAIN_POOL, "Name": "plain", "MfaConfiguration": "OPTIONAL",
    "Users": [_user("paul", "paul@example.com")],
    "Clients": [{"ClientName": "app", "ClientId": "plainmfaapp", "ExplicitAuthFlows": FLOWS}],
}]}


# -- the rules, pure -----------------------------------------------------------------------------------

SMS = {"SmsMfaConfiguration": {"SmsAuthenticationMessage": "Code {####}"}}
TOTP = {"SoftwareTokenMfaConfiguration": {"Enabled": True}}
TOTP_OFF = {"SoftwareTokenMfaConfiguration": {"Enabled": False}}
EMAIL = {"EmailMfaConfiguration": {"Message": EMAIL_MESSAGE}}
PASSKEY = {"WebAuthnConfiguration": {"RelyingPartyId": "example.com"}}


@pytest.mark.parametrize(("params", "tier", "error"), [
    ({"MfaConfiguration": "OFF"}, "ESSENTIALS", None),
    ({"MfaConfiguration": "OFF", **PASSKEY}, "ESSENTIALS", None),
    ({"MfaConfiguration": "OFF", **TOTP}, "ESSENTIALS", "mfa_off_with_factor"),
    ({"MfaConfiguration": "OFF", **EMAIL}, "ESSENTIALS", "mfa_off_with_factor"),
    ({"MfaConfiguration": "OFF", **SMS}, "ESSENTIALS", "mfa_off_with_factor"),
    ({"MfaConfiguration": "ON"}, "ESSENTIALS", "mfa_no_factor"),
    ({"MfaConfiguration": "OPTIONAL", **TOTP_OFF}, "ESSENTIALS", "mfa_no_factor"),
    ({"MfaConfiguration": "OPTIONAL", **PASSKEY}, "ESSENTIALS", "mfa_no_factor"),  # a passkey is not MFA here
    ({"MfaConfiguration": "OPTIONAL", **TOTP}, "ESSENTIALS", None),
    ({"MfaConfiguration": "ON", **SMS}, "ESSENTIALS", None),
    ({"MfaConfiguration": "ON", **EMAIL}, "ESSENTIALS", None),
    ({"MfaConfiguration": "ON", **EMAIL}, "LITE", "feature_tier"),
    ({**PASSKEY}, "LITE", None),
])
def test_set_user_pool_mfa_config_rules(params: dict, tier: str, error: str | None) -> None:
    found = mfa_config_violation(params, tier)
    expected = {"mfa_off_with_factor": "Invalid MFA configuration given, can't turn off MFA and configure an MFA "
                                       "together.",
                "mfa_no_factor": "Invalid MFA configuration given, can't disable all MFAs with a required or "
                                 "optional configuration."}
    if error is None:
        assert found is None
    else:
        assert found is not None and found.reason
        if error in expected:
            assert (found.type, found.message) == ("InvalidParameterException", expected[error])
        else:
            assert found.type == "FeatureUnavailableInTierException"


def test_omitted_factors_are_turned_off_when_mfa_configuration_is_given() -> None:
    pool = UserPool(id="us-east-1_X", name="x", mfa_configuration="OPTIONAL")
    assert (pool.sms_mfa, pool.software_token_mfa, pool.email_mfa) == (True, True, None)
    changed = configured(pool, {"MfaConfiguration": "ON", **EMAIL}, 1.0)
    assert (changed.mfa_configuration, changed.sms_mfa, changed.software_token_mfa) == ("ON", False, False)
    assert changed.email_mfa == {"Message": EMAIL_MESSAGE}
    only_passkey = configured(changed, PASSKEY, 2.0)  # no MfaConfiguration: the rest stays
    assert only_passkey.email_mfa == changed.email_mfa and only_passkey.web_authn == PASSKEY["WebAuthnConfiguration"]


@pytest.mark.parametrize(("factors", "error"), [
    (["PASSWORD"], None), (["PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"], None),
    (["EMAIL_OTP"], "AllowedFirstAuthFactors must contain PASSWORD."),
    (["PASSWORD", "SOFTWARE_TOKEN"], "SOFTWARE_TOKEN is not supported as a first auth factor."),
])
def test_sign_in_policy_rules(factors: list[str], error: str | None) -> None:
    found = sign_in_policy_violation({"SignInPolicy": {"AllowedFirstAuthFactors": factors}})
    assert (found.message if found else None) == error


EMAIL_ON = {"email_enabled": True, "has_email": True}


@pytest.mark.parametrize(("pool_mfa", "user", "pool", "expected"), [
    ("OPTIONAL", EMAIL_ON, PoolFactors(email=True), "EMAIL_OTP"),
    ("OPTIONAL", EMAIL_ON, PoolFactors(email=False), None),  # the pool turned e-mail codes off
    ("OPTIONAL", {**EMAIL_ON, "software_enabled": True, "totp_verified": True}, PoolFactors(email=True),
     "SELECT_MFA_TYPE"),
    ("OPTIONAL", {**EMAIL_ON, "software_enabled": True, "totp_verified": True, "preferred": "EMAIL_OTP"},
     PoolFactors(email=True), "EMAIL_OTP"),
    ("OPTIONAL", {"software_enabled": True, "totp_verified": True}, PoolFactors(software=False), None),
    ("ON", {"has_email": True}, PoolFactors(sms=False, software=False, email=True), "EMAIL_OTP"),
])
def test_email_codes_as_a_second_factor(pool_mfa: str, user: dict, pool: PoolFactors, expected: str | None) -> None:
    assert next_step(pool_mfa, UserFactors(**user), pool) == expected


# -- through boto3 -----------------------------------------------------------------------------------------


def _code(url: str, username: str, purpose: str = "email_otp") -> dict[str, Any]:
    got = httpx.get(f"{url}/_emulator/codes/latest", params={"pool_id": POOL, "username": username,
                                                            "purpose": purpose})
    assert got.status_code == 200, got.text
    return got.json()


def _sign_in(idp: Any, username: str, client_id: str = "emailmfaapp") -> dict[str, Any]:
    return idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})


def test_get_user_pool_mfa_config_of_a_config_pool(idp: Any) -> None:
    config = idp.get_user_pool_mfa_config(UserPoolId=POOL)
    assert config["MfaConfiguration"] == "OPTIONAL"
    assert config["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    assert config["EmailMfaConfiguration"] == {"Message": EMAIL_MESSAGE, "Subject": "Sign-in code"}
    assert config["SmsMfaConfiguration"] == {}
    assert config["WebAuthnConfiguration"]["UserVerification"] == "preferred"


def test_set_user_pool_mfa_config_is_kept_and_described(idp: Any) -> None:
    pool_id = idp.create_user_pool(PoolName="mfa-config")["UserPool"]["Id"]
    assert idp.get_user_pool_mfa_config(UserPoolId=pool_id)["MfaConfiguration"] == "OFF"
    answer = idp.set_user_pool_mfa_config(
        UserPoolId=pool_id, MfaConfiguration="ON", SoftwareTokenMfaConfiguration={"Enabled": True},
        SmsMfaConfiguration={"SmsAuthenticationMessage": "Code: {####}",
                             "SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::123456789012:role/sns"}},
        WebAuthnConfiguration={"RelyingPartyId": "app.example.com", "UserVerification": "required"})
    assert answer["MfaConfiguration"] == "ON"
    assert answer["SmsMfaConfiguration"]["SmsAuthenticationMessage"] == "Code: {####}"
    assert answer["WebAuthnConfiguration"]["RelyingPartyId"] == "app.example.com"
    got = idp.get_user_pool_mfa_config(UserPoolId=pool_id)
    assert {k: v for k, v in got.items() if k != "ResponseMetadata"} == \
        {k: v for k, v in answer.items() if k != "ResponseMetadata"}
    described = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert described["MfaConfiguration"] == "ON"
    assert described["SmsAuthenticationMessage"] == "Code: {####}"
    assert described["SmsConfiguration"]["SnsCallerArn"] == "arn:aws:iam::123456789012:role/sns"
    assert described["Policies"]["SignInPolicy"] == {"AllowedFirstAuthFactors": ["PASSWORD"]}
    # Turned off again: no factor blocks may come with OFF.
    name, message, reason = refused(lambda: idp.set_user_pool_mfa_config(
        UserPoolId=pool_id, MfaConfiguration="OFF", SoftwareTokenMfaConfiguration={"Enabled": True}))
    assert (name, message) == ("InvalidParameterException",
                               "Invalid MFA configuration given, can't turn off MFA and configure an MFA together.")
    assert "WebAuthnConfiguration may" in reason
    name, message, _ = refused(lambda: idp.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OPTIONAL"))
    assert message == ("Invalid MFA configuration given, can't disable all MFAs with a required or optional "
                       "configuration.")
    idp.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OFF")
    assert idp.get_user_pool_mfa_config(UserPoolId=pool_id)["MfaConfiguration"] == "OFF"
    name, message, _ = refused(lambda: idp.get_user_pool_mfa_config(UserPoolId="us-east-1_NoSuchPool"))
    assert name == "ResourceNotFoundException"


def test_sign_in_policy_is_kept_and_refused_when_aws_refuses_it(idp: Any) -> None:
    created = idp.create_user_pool(PoolName="choice", Policies={
        "SignInPolicy": {"AllowedFirstAuthFactors": ["EMAIL_OTP", "PASSWORD"]}})["UserPool"]
    assert created["Policies"]["SignInPolicy"] == {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}
    name, message, _ = refused(lambda: idp.update_user_pool(UserPoolId=created["Id"], Policies={
        "SignInPolicy": {"AllowedFirstAuthFactors": ["EMAIL_OTP"]}}))
    assert (name, message) == ("InvalidParameterException", "AllowedFirstAuthFactors must contain PASSWORD.")
    idp.update_user_pool(UserPoolId=created["Id"], Policies={
        "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "SMS_OTP"]}})
    described = idp.describe_user_pool(UserPoolId=created["Id"])["UserPool"]
    assert described["Policies"]["SignInPolicy"]["AllowedFirstAuthFactors"] == ["PASSWORD", "SMS_OTP"]


def test_email_mfa_challenge_with_the_code_from_the_emulator(server: Any, idp: Any) -> None:
    idp.admin_set_user_mfa_preference(UserPoolId=POOL, Username="erin",
                                      EmailMfaSettings={"Enabled": True, "PreferredMfa": True})
    user = idp.admin_get_user(UserPoolId=POOL, Username="erin")
    assert user["UserMFASettingList"] == ["EMAIL_OTP"] and user["PreferredMfaSetting"] == "EMAIL_OTP"
    first = _sign_in(idp, "erin")
    assert first["ChallengeName"] == "EMAIL_OTP"
    assert first["ChallengeParameters"] == {"CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL",
                                            "CODE_DELIVERY_DESTINATION": "e***@e***"}
    sent = _code(server.url, "erin")
    assert sent["message"] == f"Your sign-in code is {sent['code']}" and sent["subject"] == "Sign-in code"
    done = idp.respond_to_auth_challenge(ClientId="emailmfaapp", ChallengeName="EMAIL_OTP", Session=first["Session"],
                                         ChallengeResponses={"USERNAME": "erin", "EMAIL_OTP_CODE": sent["code"]})
    assert done["AuthenticationResult"]["AccessToken"]


def test_a_wrong_email_code_then_the_right_one_and_a_used_code(server: Any, idp: Any) -> None:
    idp.admin_set_user_mfa_preference(UserPoolId=POOL, Username="erin-wrong", EmailMfaSettings={"Enabled": True})
    first = _sign_in(idp, "erin-wrong")
    assert first["ChallengeName"] == "EMAIL_OTP"
    code = _code(server.url, "erin-wrong")["code"]
    wrong = "000000" if code != "000000" else "111111"

    def respond(value: str) -> dict[str, Any]:
        return idp.respond_to_auth_challenge(ClientId="emailmfaapp", ChallengeName="EMAIL_OTP",
                                             Session=first["Session"],
                                             ChallengeResponses={"USERNAME": "erin-wrong", "EMAIL_OTP_CODE": value})
    name, message, reason = refused(lambda: respond(wrong))
    assert (name, message) == ("CodeMismatchException", "Invalid code or auth state for the user.")
    assert "/_emulator/codes" in reason
    assert respond(code)["AuthenticationResult"]["IdToken"]
    again = _sign_in(idp, "erin-wrong")
    name, _, _ = refused(lambda: idp.respond_to_auth_challenge(
        ClientId="emailmfaapp", ChallengeName="EMAIL_OTP", Session=again["Session"],
        ChallengeResponses={"USERNAME": "erin-wrong", "EMAIL_OTP_CODE": code}))
    assert name in ("CodeMismatchException", "ExpiredCodeException")  # a new sign-in sent a new code


def test_email_mfa_preference_refusals(idp: Any) -> None:
    name, message, reason = refused(lambda: idp.admin_set_user_mfa_preference(
        UserPoolId=PLAIN_POOL, Username="paul", EmailMfaSettings={"Enabled": True}))
    assert (name, message) == ("InvalidParameterException", "Email MFA is not enabled for this user pool.")
    assert "SetUserPoolMfaConfig" in reason
    name, _, reason = refused(lambda: idp.admin_set_user_mfa_preference(
        UserPoolId=POOL, Username="nomail", EmailMfaSettings={"Enabled": True}))
    assert name == "InvalidParameterException" and "no email" in reason
    name, message, _ = refused(lambda: idp.admin_set_user_mfa_preference(
        UserPoolId=POOL, Username="erin", EmailMfaSettings={"Enabled": True, "PreferredMfa": True},
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}))
    assert message == "Only one MFA type can be set as preferred."


def test_set_user_settings_turns_sms_mfa_on_and_refuses_email(idp: Any) -> None:
    idp.admin_set_user_settings(UserPoolId=POOL, Username="settings",
                                MFAOptions=[{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}])
    user = idp.admin_get_user(UserPoolId=POOL, Username="settings")
    assert user["MFAOptions"] == [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]
    assert user["UserMFASettingList"] == ["SMS_MFA"]
    assert _sign_in(idp, "settings")["ChallengeName"] == "SMS_MFA"
    name, message, _ = refused(lambda: idp.admin_set_user_settings(
        UserPoolId=POOL, Username="settings", MFAOptions=[{"DeliveryMedium": "EMAIL", "AttributeName": "email"}]))
    assert name == "InvalidParameterException"
    idp.admin_set_user_settings(UserPoolId=POOL, Username="settings", MFAOptions=[])
    assert "MFAOptions" not in idp.admin_get_user(UserPoolId=POOL, Username="settings")
    token = _sign_in(idp, "settings")["AuthenticationResult"]["AccessToken"]
    idp.set_user_settings(AccessToken=token, MFAOptions=[{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}])
    assert idp.get_user(AccessToken=token)["UserMFASettingList"] == ["SMS_MFA"]


def test_get_user_auth_factors(idp: Any) -> None:
    token = _sign_in(idp, "factors")["AuthenticationResult"]["AccessToken"]
    got = idp.get_user_auth_factors(AccessToken=token)
    assert got["Username"] == "factors" and got["ConfiguredUserAuthFactors"] == ["PASSWORD"]
    assert "UserMFASettingList" not in got
    idp.admin_set_user_mfa_preference(UserPoolId=POOL, Username="factors", EmailMfaSettings={"Enabled": True})
    admin = idp.admin_get_user_auth_factors(UserPoolId=POOL, Username="factors")
    assert admin["UserMFASettingList"] == ["EMAIL_OTP"]
    name, _, _ = refused(lambda: idp.admin_get_user_auth_factors(UserPoolId=POOL, Username="nobody"))
    assert name == "UserNotFoundException"


@pytest.mark.cli
@pytest.mark.skipif(shutil.which("aws") is None, reason="the AWS CLI is not installed")
def test_the_aws_cli_sets_and_reads_the_mfa_config(server: Any) -> None:
    def aws(*args: str) -> dict[str, Any]:
        done = subprocess.run(["aws", "cognito-idp", *args, "--endpoint-url", server.url, "--output", "json"],
                              capture_output=True, text=True, timeout=60,
                              env={**os.environ, "AWS_PAGER": ""}, check=True)
        return json.loads(done.stdout) if done.stdout.strip() else {}
    pool_id = aws("create-user-pool", "--pool-name", "cli-mfa")["UserPool"]["Id"]
    aws("set-user-pool-mfa-config", "--user-pool-id", pool_id, "--mfa-configuration", "OPTIONAL",
        "--software-token-mfa-configuration", "Enabled=true")
    got = aws("get-user-pool-mfa-config", "--user-pool-id", pool_id)
    assert got["MfaConfiguration"] == "OPTIONAL" and got["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
