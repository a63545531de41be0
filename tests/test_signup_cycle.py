"""Sign-up, confirmation and password recovery through an unmodified boto3 client, with the codes read from
the emulator-only endpoint (httpx), as a developer would: SignUp, ConfirmSignUp, ResendConfirmationCode,
ForgotPassword, ConfirmForgotPassword, and a restart that keeps a signed-up user."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from emulator.cognito.lookup import secret_hash
from emulator.server import EmulatorServer
from emulator.testing import running_emulator
from tests.conftest import cognito_client, refused

pytestmark = pytest.mark.e2e

POOL = "us-east-1_SignUp0001"  # e-mail is the sign-in name; e-mail is verified automatically
PLAIN = "us-east-1_SignUp0002"  # usernames; nothing auto-verified
SECRET = "signupsecret0123456789abcdef"

CONFIG = {
    "UserPools": [{
        "Id": POOL,
        "Name": "email-sign-in",
        "UsernameAttributes": ["email"],
        "AutoVerifiedAttributes": ["email"],
        "Users": [
            {"Username": "noverified@example.com", "Password": "Correct-Horse1",
             "UserAttributes": {"email": "noverified@example.com", "email_verified": "false"}},
        ],
        "Clients": [
            {"ClientName": "web", "ClientId": "webclient",
             "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]},
            {"ClientName": "backend", "ClientId": "backendclient", "ClientSecret": SECRET,
             "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]},
            {"ClientName": "hidden", "ClientId": "hiddenclient", "PreventUserExistenceErrors": "ENABLED",
             "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]},
        ],
    }, {
        "Id": PLAIN,
        "Name": "plain",
        "Policies": {"PasswordPolicy": {"MinimumLength": 10, "RequireSymbols": False}},
        "Clients": [{"ClientName": "plain", "ClientId": "plainclient",
                     "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}],
    }],
}


class Clock:
    """A clock the test moves forward (code expiry), starting at the real time."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="module")
def server(clock: Clock) -> Iterator[EmulatorServer]:
    with running_emulator(CONFIG, clock=clock) as emulator:
        yield emulator


def code_for(server: EmulatorServer, pool: str, username: str, purpose: str) -> str:
    """The latest code the emulator 'sent' to a user, read as a developer would."""
    response = httpx.get(f"{server.url}/_emulator/codes/latest",
                         params={"pool_id": pool, "username": username, "purpose": purpose})
    assert response.status_code == 200, response.text
    return response.json()["code"]


def sign_in(idp: Any, username: str, password: str, client: str = "webclient") -> dict:
    params = {"USERNAME": username, "PASSWORD": password}
    if client == "backendclient":
        params["SECRET_HASH"] = secret_hash(SECRET, username, client)
    return idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params)


def sign_up(idp: Any, email: str, password: str = "Correct-Horse1", client: str = "webclient", **extra: Any) -> dict:
    return idp.sign_up(ClientId=client, Username=email, Password=password,
                       UserAttributes=[{"Name": "given_name", "Value": "Test"}], **extra)


# -- the whole cycle --------------------------------------------------------------------------


def test_sign_up_confirm_sign_in_forgot_reset_sign_in_through_boto3(server: EmulatorServer, idp: Any) -> None:
    email = "cycle@example.com"
    hashed = secret_hash(SECRET, email, "backendclient")
    signed_up = idp.sign_up(ClientId="backendclient", Username=email, Password="Correct-Horse1", SecretHash=hashed,
                            UserAttributes=[{"Name": "email", "Value": email}])
    assert signed_up["UserConfirmed"] is False
    assert signed_up["CodeDeliveryDetails"] == {"Destination": "c***@e***", "DeliveryMedium": "EMAIL",
                                                "AttributeName": "email"}
    sub = signed_up["UserSub"]

    # Not confirmed yet: sign-in says so (even with the right password).
    assert refused(lambda: sign_in(idp, email, "Correct-Horse1"))[:2] == (
        "UserNotConfirmedException", "User is not confirmed.")

    code = code_for(server, POOL, email, "confirm_sign_up")
    assert len(code) == 6 and code.isdigit()
    idp.confirm_sign_up(ClientId="backendclient", Username=email, ConfirmationCode=code, SecretHash=hashed)

    tokens = sign_in(idp, email, "Correct-Horse1", client="backendclient")["AuthenticationResult"]
    claims = jwt.decode(tokens["IdToken"], options={"verify_signature": False})
    # E-mail is the sign-in name: the username is the sub, and the code verified the e-mail.
    assert claims["cognito:username"] == sub == claims["sub"]
    assert claims["email"] == email and claims["email_verified"] is True

    delivery = idp.forgot_password(ClientId="backendclient", Username=email, SecretHash=hashed)
    assert delivery["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    reset_code = code_for(server, POOL, email, "forgot_password")
    idp.confirm_forgot_password(ClientId="backendclient", Username=email, ConfirmationCode=reset_code,
                                Password="Battery-Staple2", SecretHash=hashed)

    assert refused(lambda: sign_in(idp, email, "Correct-Horse1"))[:2] == (
        "NotAuthorizedException", "Incorrect username or password.")
    assert "AccessToken" in sign_in(idp, email, "Battery-Staple2")["AuthenticationResult"]
    user = idp.get_user(AccessToken=tokens["AccessToken"])
    assert user["Username"] == sub


def test_codes_are_written_to_the_log(server: EmulatorServer, idp: Any, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="cognito_emulator"):
        sign_up(idp, "logged@example.com")
    code = code_for(server, POOL, "logged@example.com", "confirm_sign_up")
    assert any("CODE" in r.getMessage() and code in r.getMessage() for r in caplog.records)


def test_codes_endpoint_lists_a_users_codes_newest_first(server: EmulatorServer, idp: Any) -> None:
    idp.sign_up(ClientId="webclient", Username="listed@example.com", Password="Correct-Horse1")
    idp.resend_confirmation_code(ClientId="webclient", Username="listed@example.com")
    listed = httpx.get(f"{server.url}/_emulator/codes",
                       params={"pool_id": POOL, "username": "listed@example.com"}).json()["codes"]
    assert [c["purpose"] for c in listed] == ["confirm_sign_up"]  # the resent code replaced the first
    assert listed[0]["address"] == "listed@example.com" and listed[0]["used"] is False
    missing = httpx.get(f"{server.url}/_emulator/codes", params={"pool_id": "us-east-1_Nope00000"})
    assert missing.status_code == 404 and missing.headers["x-emulator-reason"]


# -- SignUp -----------------------------------------------------------------------------------


def test_sign_up_refuses_a_password_the_pool_policy_refuses(idp: Any) -> None:
    error, message, reason = refused(lambda: sign_up(idp, "weak@example.com", password="short"))
    assert (error, message) == ("InvalidPasswordException",
                                "Password did not conform with policy: Password not long enough")
    assert "password policy" in reason
    error, message, _ = refused(lambda: idp.sign_up(ClientId="plainclient", Username="weakling",
                                                    Password="alllowercase1"))
    assert (error, message) == ("InvalidPasswordException",
                                "Password did not conform with policy: Password must have uppercase characters")


def test_sign_up_twice_with_one_email_is_refused(idp: Any) -> None:
    sign_up(idp, "twice@example.com")
    error, message, reason = refused(lambda: sign_up(idp, "Twice@Example.com"))
    assert (error, message) == ("UsernameExistsException", "An account with the given email already exists.")
    assert "twice@example.com" in reason.lower()


def test_sign_up_twice_with_one_username_is_refused(idp: Any) -> None:
    idp.sign_up(ClientId="plainclient", Username="carol", Password="Correct-Horse1")
    error, message, reason = refused(lambda: idp.sign_up(ClientId="plainclient", Username="Carol",
                                                         Password="Correct-Horse1"))
    assert (error, message) == ("UsernameExistsException", "User already exists")
    assert "case-insensitive" in reason


def test_sign_up_with_a_non_email_username_in_an_email_pool_is_refused(idp: Any) -> None:
    error, message, reason = refused(lambda: sign_up(idp, "not-an-email"))
    assert (error, message) == ("InvalidParameterException", "Username should be an email.")
    assert "UsernameAttributes" in reason


def test_sign_up_without_a_secret_hash_on_a_secret_client_is_refused(idp: Any) -> None:
    error, message, reason = refused(lambda: sign_up(idp, "nohash@example.com", client="backendclient"))
    assert (error, message) == ("NotAuthorizedException",
                                "Client backendclient is configured with secret but SECRET_HASH was not received")
    assert "SECRET_HASH" in reason


def test_sign_up_with_an_unknown_attribute_is_refused(idp: Any) -> None:
    error, message, reason = refused(lambda: idp.sign_up(
        ClientId="webclient", Username="odd@example.com", Password="Correct-Horse1",
        UserAttributes=[{"Name": "shoe_size", "Value": "9"}]))
    assert (error, message) == ("InvalidParameterException", "Attributes did not conform to the schema: "
                                                             "Type for attribute {shoe_size} could not be determined")
    assert "custom:" in reason


def test_sign_up_without_auto_verification_sends_no_code(idp: Any) -> None:
    result = idp.sign_up(ClientId="plainclient", Username="dave", Password="Correct-Horse1",
                         UserAttributes=[{"Name": "email", "Value": "dave@example.com"}])
    assert result["UserConfirmed"] is False and "CodeDeliveryDetails" not in result


# -- ConfirmSignUp / ResendConfirmationCode ---------------------------------------------------


def test_confirm_with_a_wrong_code_is_a_code_mismatch(idp: Any) -> None:
    sign_up(idp, "wrongcode@example.com")
    error, message, reason = refused(lambda: idp.confirm_sign_up(
        ClientId="webclient", Username="wrongcode@example.com", ConfirmationCode="000000x"))
    assert (error, message) == ("CodeMismatchException", "Invalid verification code provided, please try again.")
    assert "/_emulator/codes" in reason


def test_confirm_with_an_expired_code_is_refused(server: EmulatorServer, idp: Any, clock: Clock) -> None:
    sign_up(idp, "late@example.com")
    code = code_for(server, POOL, "late@example.com", "confirm_sign_up")
    clock.now += 25 * 3600  # sign-up codes are valid for 24 hours
    error, message, reason = refused(lambda: idp.confirm_sign_up(
        ClientId="webclient", Username="late@example.com", ConfirmationCode=code))
    assert (error, message) == ("ExpiredCodeException", "Invalid code provided, please request a code again.")
    assert "expired" in reason
    idp.resend_confirmation_code(ClientId="webclient", Username="late@example.com")
    idp.confirm_sign_up(ClientId="webclient", Username="late@example.com",
                        ConfirmationCode=code_for(server, POOL, "late@example.com", "confirm_sign_up"))


def test_confirming_a_confirmed_user_is_refused(server: EmulatorServer, idp: Any) -> None:
    sign_up(idp, "done@example.com")
    code = code_for(server, POOL, "done@example.com", "confirm_sign_up")
    idp.confirm_sign_up(ClientId="webclient", Username="done@example.com", ConfirmationCode=code)
    error, message, reason = refused(lambda: idp.confirm_sign_up(
        ClientId="webclient", Username="done@example.com", ConfirmationCode=code))
    assert (error, message) == ("NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED")
    assert "UNCONFIRMED" in reason
    error, message, _ = refused(lambda: idp.resend_confirmation_code(ClientId="webclient",
                                                                     Username="done@example.com"))
    assert (error, message) == ("InvalidParameterException", "User is already confirmed.")


def test_confirming_an_unknown_user_says_the_combination_is_not_found(idp: Any) -> None:
    error, message, reason = refused(lambda: idp.confirm_sign_up(
        ClientId="webclient", Username="ghost@example.com", ConfirmationCode="123456"))
    assert (error, message) == ("UserNotFoundException", "Username/client id combination not found.")
    assert "ghost@example.com" in reason


def test_a_resent_code_replaces_the_first(server: EmulatorServer, idp: Any) -> None:
    sign_up(idp, "resend@example.com")
    first = code_for(server, POOL, "resend@example.com", "confirm_sign_up")
    resent = idp.resend_confirmation_code(ClientId="webclient", Username="resend@example.com")
    assert resent["CodeDeliveryDetails"]["Destination"] == "r***@e***"
    second = code_for(server, POOL, "resend@example.com", "confirm_sign_up")
    if first != second:
        assert refused(lambda: idp.confirm_sign_up(ClientId="webclient", Username="resend@example.com",
                                                   ConfirmationCode=first))[0] == "CodeMismatchException"
    idp.confirm_sign_up(ClientId="webclient", Username="resend@example.com", ConfirmationCode=second)


def test_resend_without_auto_verification_is_refused(idp: Any) -> None:
    idp.sign_up(ClientId="plainclient", Username="erin", Password="Correct-Horse1",
                UserAttributes=[{"Name": "email", "Value": "erin@example.com"}])
    error, message, reason = refused(lambda: idp.resend_confirmation_code(ClientId="plainclient", Username="erin"))
    assert (error, message) == ("InvalidParameterException", "Cannot resend codes. Auto verification not turned on.")
    assert "AutoVerifiedAttributes" in reason


def test_resend_for_an_unknown_user_under_prevent_user_existence_errors_pretends(idp: Any) -> None:
    result = idp.resend_confirmation_code(ClientId="hiddenclient", Username="nobody@example.com")
    assert result["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    assert refused(lambda: idp.resend_confirmation_code(ClientId="webclient", Username="nobody@example.com"))[:2] == (
        "UserNotFoundException", "Username/client id combination not found.")


# -- ForgotPassword / ConfirmForgotPassword ---------------------------------------------------


def confirmed(server: EmulatorServer, idp: Any, email: str) -> None:
    sign_up(idp, email)
    idp.confirm_sign_up(ClientId="webclient", Username=email,
                        ConfirmationCode=code_for(server, POOL, email, "confirm_sign_up"))


def test_forgot_password_for_an_unknown_user(idp: Any) -> None:
    error, message, reason = refused(lambda: idp.forgot_password(ClientId="webclient", Username="ghost@example.com"))
    assert (error, message) == ("UserNotFoundException", "Username/client id combination not found.")
    assert "ghost@example.com" in reason
    # PreventUserExistenceErrors ENABLED: a simulated delivery, nothing that reveals the user is unknown.
    simulated = idp.forgot_password(ClientId="hiddenclient", Username="ghost@example.com")
    assert simulated["CodeDeliveryDetails"] == {"Destination": "g***@e***", "DeliveryMedium": "EMAIL",
                                                "AttributeName": "email"}


def test_forgot_password_needs_a_verified_contact(idp: Any) -> None:
    error, message, reason = refused(lambda: idp.forgot_password(ClientId="webclient",
                                                                 Username="noverified@example.com"))
    assert (error, message) == ("InvalidParameterException", "Cannot reset password for the user as there is no "
                                                             "registered/verified email or phone_number")
    assert "verified" in reason


def test_confirm_forgot_password_with_a_wrong_code(server: EmulatorServer, idp: Any) -> None:
    confirmed(server, idp, "forgetful@example.com")
    idp.forgot_password(ClientId="webclient", Username="forgetful@example.com")
    error, message, reason = refused(lambda: idp.confirm_forgot_password(
        ClientId="webclient", Username="forgetful@example.com", ConfirmationCode="999999x",
        Password="Battery-Staple2"))
    assert (error, message) == ("CodeMismatchException", "Invalid verification code provided, please try again.")
    assert "forgot_password" in reason


def test_confirm_forgot_password_with_a_weak_password_keeps_the_code(server: EmulatorServer, idp: Any) -> None:
    confirmed(server, idp, "weakreset@example.com")
    idp.forgot_password(ClientId="webclient", Username="weakreset@example.com")
    code = code_for(server, POOL, "weakreset@example.com", "forgot_password")
    assert refused(lambda: idp.confirm_forgot_password(
        ClientId="webclient", Username="weakreset@example.com", ConfirmationCode=code, Password="weak"))[0] == \
        "InvalidPasswordException"
    idp.confirm_forgot_password(ClientId="webclient", Username="weakreset@example.com", ConfirmationCode=code,
                                Password="Battery-Staple2")
    # A code works once.
    error, message, _ = refused(lambda: idp.confirm_forgot_password(
        ClientId="webclient", Username="weakreset@example.com", ConfirmationCode=code, Password="Battery-Staple3"))
    assert (error, message) == ("ExpiredCodeException", "Invalid code provided, please request a code again.")


def test_forgot_password_codes_expire_after_an_hour(server: EmulatorServer, idp: Any, clock: Clock) -> None:
    confirmed(server, idp, "slow@example.com")
    idp.forgot_password(ClientId="webclient", Username="slow@example.com")
    code = code_for(server, POOL, "slow@example.com", "forgot_password")
    clock.now += 3601
    error, message, reason = refused(lambda: idp.confirm_forgot_password(
        ClientId="webclient", Username="slow@example.com", ConfirmationCode=code, Password="Battery-Staple2"))
    assert (error, message) == ("ExpiredCodeException", "Invalid code provided, please request a code again.")
    assert "expired" in reason


def test_confirm_forgot_password_for_an_unknown_user(idp: Any) -> None:
    call = lambda client: idp.confirm_forgot_password(  # noqa: E731
        ClientId=client, Username="ghost@example.com", ConfirmationCode="123456", Password="Battery-Staple2")
    assert refused(lambda: call("webclient"))[:2] == ("UserNotFoundException",
                                                      "Username/client id combination not found.")
    assert refused(lambda: call("hiddenclient"))[:2] == ("CodeMismatchException",
                                                         "Invalid verification code provided, please try again.")


# -- durability and reset ---------------------------------------------------------------------


def test_a_signed_up_user_survives_a_restart(tmp_path: Path) -> None:
    with running_emulator(CONFIG, state_dir=tmp_path) as first:
        idp = cognito_client(first.url)
        sub = sign_up(idp, "durable@example.com")["UserSub"]
        idp.confirm_sign_up(ClientId="webclient", Username="durable@example.com",
                            ConfirmationCode=code_for(first, POOL, "durable@example.com", "confirm_sign_up"))
    with running_emulator(CONFIG, state_dir=tmp_path) as second:
        idp = cognito_client(second.url)
        tokens = sign_in(idp, "durable@example.com", "Correct-Horse1")["AuthenticationResult"]
        assert jwt.decode(tokens["IdToken"], options={"verify_signature": False})["sub"] == sub


def test_reset_forgets_run_time_users_and_restores_the_config() -> None:
    with running_emulator(CONFIG) as emulator:
        idp = cognito_client(emulator.url)
        sign_up(idp, "temporary@example.com")
        response = httpx.post(f"{emulator.url}/_emulator/reset", json={})
        assert response.status_code == 200 and POOL in response.json()["pools"]
        assert refused(lambda: idp.resend_confirmation_code(ClientId="webclient",
                                                            Username="temporary@example.com"))[0] == \
            "UserNotFoundException"
        # Seed users are back.
        assert idp.admin_get_user(UserPoolId=POOL, Username="noverified@example.com")["UserStatus"] == "CONFIRMED"


def test_admin_created_users_of_an_email_pool_get_a_uuid_username(idp: Any) -> None:
    user = idp.admin_create_user(UserPoolId=POOL, Username="made@example.com", MessageAction="SUPPRESS",
                                 TemporaryPassword="Temp-Passw0rd!")["User"]
    attributes = {a["Name"]: a["Value"] for a in user["Attributes"]}
    assert user["Username"] == attributes["sub"] != "made@example.com"
    assert attributes["email"] == "made@example.com"
    assert idp.admin_get_user(UserPoolId=POOL, Username="made@example.com")["Username"] == user["Username"]
    error, message, reason = refused(lambda: idp.admin_create_user(UserPoolId=POOL, Username="made@example.com",
                                                                   MessageAction="SUPPRESS"))
    assert (error, message) == ("UsernameExistsException", "An account with the given email already exists.")
    assert "made@example.com" in reason
