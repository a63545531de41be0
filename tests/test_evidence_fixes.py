"""AWS's behaviour where public evidence (AWS_EVIDENCE.md) corrected the emulator, driven through boto3: the
e-mail mask, the custom-flow text, the missing-SECRET_HASH text per operation, ForgotPassword and
ConfirmForgotPassword under PreventUserExistenceErrors, FORCE_CHANGE_PASSWORD recovery, boolean spellings."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.cognito.codes import mask
from emulator.cognito.lookup import secret_hash
from tests.conftest import refused

pytestmark = pytest.mark.e2e

POOL = "us-east-1_Evidence01"
SECRET = "evidencesecret0123456789abcdef"
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]

CONFIG = {
    "UserPools": [{
        "Id": POOL,
        "Name": "evidence",
        "AutoVerifiedAttributes": ["email"],
        "Users": [
            {"Username": "off", "Password": "Correct-Horse1", "Enabled": False,
             "UserAttributes": {"email": "off@example.com", "email_verified": "true"}},
            {"Username": "unverified", "Password": "Correct-Horse1",
             "UserAttributes": {"email": "unverified@example.com", "email_verified": "false"}},
            {"Username": "temp", "TemporaryPassword": "Temp-Passw0rd!",
             "UserAttributes": {"email": "temp@example.com", "email_verified": "true"}},
            {"Username": "sally", "Password": "Correct-Horse1",
             "UserAttributes": {"email": "sally@example.com", "email_verified": "true"}},
        ],
        "Clients": [
            {"ClientName": "legacy", "ClientId": "legacyclient", "PreventUserExistenceErrors": "LEGACY",
             "ExplicitAuthFlows": FLOWS},
            {"ClientName": "hidden", "ClientId": "hiddenclient", "PreventUserExistenceErrors": "ENABLED",
             "ExplicitAuthFlows": FLOWS},
            {"ClientName": "secret", "ClientId": "secretclient", "ClientSecret": SECRET,
             "ExplicitAuthFlows": FLOWS + ["ALLOW_USER_SRP_AUTH"]},
        ],
    }],
}


@pytest.mark.parametrize(("address", "masked"), [
    ("test@test.com", "t***@t***"),
    ("jane.doe@mail.example.co.uk", "j***@m***"),
    ("x@localhost", "x***@l***"),
])
def test_email_mask_drops_the_top_level_domain(address: str, masked: str) -> None:
    assert mask("EMAIL", address) == masked


def test_sign_up_delivery_is_masked_without_the_tld(idp: Any) -> None:
    result = idp.sign_up(ClientId="legacyclient", Username="tess", Password="Correct-Horse1",
                         UserAttributes=[{"Name": "email", "Value": "test@test.com"}])
    assert result["CodeDeliveryDetails"]["Destination"] == "t***@t***"


def test_custom_auth_not_enabled_text(idp: Any) -> None:
    code, message, reason = refused(lambda: idp.initiate_auth(
        ClientId="legacyclient", AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "sally"}))
    assert (code, message) == ("InvalidParameterException", "CUSTOM_AUTH is not enabled for the client.")
    assert "ALLOW_CUSTOM_AUTH" in reason


MISSING = "Client secretclient is configured for secret but secret was not received"
WRONG = "Unable to verify secret hash for client secretclient"
SRP_MISSING = "Client secretclient is configured with secret but SECRET_HASH was not received"


@pytest.mark.parametrize(("name", "call", "message"), [
    ("SignUp", lambda idp: idp.sign_up(ClientId="secretclient", Username="nohash", Password="Correct-Horse1"),
     MISSING),
    ("InitiateAuth USER_PASSWORD_AUTH", lambda idp: idp.initiate_auth(
        ClientId="secretclient", AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "sally", "PASSWORD": "Correct-Horse1"}), MISSING),
    ("InitiateAuth USER_SRP_AUTH", lambda idp: idp.initiate_auth(
        ClientId="secretclient", AuthFlow="USER_SRP_AUTH", AuthParameters={"USERNAME": "sally", "SRP_A": "ab"}),
     SRP_MISSING),
    ("ConfirmSignUp", lambda idp: idp.confirm_sign_up(ClientId="secretclient", Username="sally",
                                                      ConfirmationCode="123456"), WRONG),
    ("ResendConfirmationCode", lambda idp: idp.resend_confirmation_code(ClientId="secretclient",
                                                                        Username="sally"), WRONG),
])
def test_missing_secret_hash_text_depends_on_the_operation(idp: Any, name: str, call: Any, message: str) -> None:
    code, text, reason = refused(lambda: call(idp))
    assert (code, text) == ("NotAuthorizedException", message), name
    assert "has a secret" in reason


def test_sign_up_with_the_right_hash_still_passes(idp: Any) -> None:
    idp.sign_up(ClientId="secretclient", Username="hashed", Password="Correct-Horse1",
                SecretHash=secret_hash(SECRET, "hashed", "secretclient"),
                UserAttributes=[{"Name": "email", "Value": "hashed@example.com"}])


@pytest.mark.parametrize("username", ["off", "unverified", "nobody"])
def test_forgot_password_under_enabled_simulates_a_delivery(idp: Any, username: str) -> None:
    result = idp.forgot_password(ClientId="hiddenclient", Username=username)
    assert result["CodeDeliveryDetails"]["DeliveryMedium"] in ("EMAIL", "SMS")


def test_forgot_password_legacy_disabled_and_unverified(idp: Any) -> None:
    code, message, _ = refused(lambda: idp.forgot_password(ClientId="legacyclient", Username="off"))
    assert (code, message) == ("NotAuthorizedException", "User is disabled.")
    code, _, _ = refused(lambda: idp.forgot_password(ClientId="legacyclient", Username="unverified"))
    assert code == "InvalidParameterException"


def test_confirm_forgot_password_for_a_disabled_user_under_enabled_is_a_code_mismatch(idp: Any) -> None:
    code, message, reason = refused(lambda: idp.confirm_forgot_password(
        ClientId="hiddenclient", Username="off", ConfirmationCode="123456", Password="Correct-Horse2"))
    assert (code, message) == ("CodeMismatchException", "Invalid verification code provided, please try again.")
    assert "disabled" in reason
    code, message, _ = refused(lambda: idp.confirm_forgot_password(
        ClientId="legacyclient", Username="off", ConfirmationCode="123456", Password="Correct-Horse2"))
    assert (code, message) == ("NotAuthorizedException", "User is disabled.")


@pytest.mark.parametrize("client_id", ["legacyclient", "hiddenclient"])
def test_forgot_password_for_a_force_change_password_user(idp: Any, client_id: str) -> None:
    code, message, reason = refused(lambda: idp.forgot_password(ClientId=client_id, Username="temp"))
    assert (code, message) == ("NotAuthorizedException", "User password cannot be reset in the current state.")
    assert "FORCE_CHANGE_PASSWORD" in reason


@pytest.mark.parametrize(("spelling", "stored"), [("True", "true"), ("tRUE", "true"), ("FALSE", "false")])
def test_verified_flags_accept_aws_spellings(idp: Any, spelling: str, stored: str) -> None:
    name = f"flag-{spelling}-{len(spelling)}-{sum(c.isupper() for c in spelling)}"
    idp.admin_create_user(UserPoolId=POOL, Username=name, MessageAction="SUPPRESS", UserAttributes=[
        {"Name": "email", "Value": f"{name}@example.com"}, {"Name": "email_verified", "Value": spelling}])
    user = idp.admin_get_user(UserPoolId=POOL, Username=name)
    assert {"Name": "email_verified", "Value": stored} in user["UserAttributes"]
    idp.admin_update_user_attributes(UserPoolId=POOL, Username=name,
                                     UserAttributes=[{"Name": "email_verified", "Value": spelling.swapcase()}])
    user = idp.admin_get_user(UserPoolId=POOL, Username=name)
    assert {"Name": "email_verified", "Value": stored} in user["UserAttributes"]


def test_verified_flag_refuses_other_values(idp: Any) -> None:
    code, _, reason = refused(lambda: idp.admin_create_user(
        UserPoolId=POOL, Username="flag-yes", MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "y@example.com"}, {"Name": "email_verified", "Value": "yes"}]))
    assert code == "InvalidParameterException" and "'true' or 'false'" in reason


def test_legacy_custom_auth_only_client_refuses_other_flows(idp: Any) -> None:
    client_id = idp.create_user_pool_client(UserPoolId=POOL, ClientName="legacy-custom",
                                            ExplicitAuthFlows=["CUSTOM_AUTH_FLOW_ONLY"])["UserPoolClient"]["ClientId"]
    code, message, reason = refused(lambda: idp.initiate_auth(
        ClientId=client_id, AuthFlow="USER_SRP_AUTH", AuthParameters={"USERNAME": "sally", "SRP_A": "ab"}))
    assert (code, message) == ("InvalidParameterException", "Only custom auth (lambda driven) is enabled for this "
                                                            "client.")
    assert "CUSTOM_AUTH_FLOW_ONLY" in reason
