"""TOTP and SMS MFA: the pure pieces (TOTP, the challenge decision) by table, the flows through boto3,
pycognito and pyotp against a running emulator whose clock the tests move in 30-second steps."""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pyotp
import pytest
from pycognito import Cognito
from pycognito.exceptions import SMSMFAChallengeException, SoftwareTokenMFAChallengeException

from emulator.cognito import totp
from emulator.cognito.lookup import secret_hash
from emulator.cognito.mfa import UserFactors, next_step
from emulator.testing import free_port, running_emulator
from tests.conftest import cognito_client, refused

pytestmark = pytest.mark.e2e

POOL = "us-east-1_MfaOptnl01"
ON_POOL = "us-east-1_MfaRequir1"
OFF_POOL = "us-east-1_MfaOffPool1"
SECRET = "mfaclientsecret0123456789abc"
PASSWORD = "Correct-Horse1"
SEED_TOTP = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH",
         "ALLOW_REFRESH_TOKEN_AUTH"]
PHONE = "+15555550008"


# -- RFC 6238 TOTP, pure ----------------------------------------------------------------------------

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


@pytest.mark.parametrize(("moment", "code"), [
    # RFC 6238 Appendix B (SHA-1), the 8-digit values cut to the 6 digits authenticators show.
    (59, "287082"), (1111111109, "081804"), (1111111111, "050471"), (1234567890, "005924"),
    (2000000000, "279037"), (20000000000, "353130"),
])
def test_totp_matches_the_rfc_6238_vectors(moment: int, code: str) -> None:
    assert totp.generate(RFC_SECRET, moment) == code
    assert totp.verify(RFC_SECRET, code, moment)


def test_totp_agrees_with_pyotp_on_fresh_secrets() -> None:
    for _ in range(20):
        secret = totp.new_secret()
        assert re.fullmatch(r"[A-Z2-7]{52}", secret)
        for moment in (0, 1_700_000_000, 1_700_000_029, 1_700_000_030, 2_000_000_017):
            assert totp.generate(secret, moment) == pyotp.TOTP(secret).at(moment)


@pytest.mark.parametrize(("offset", "accepted"), [(-60, False), (-30, True), (0, True), (30, True), (60, False)])
def test_totp_window_is_one_step_either_side(offset: int, accepted: bool) -> None:
    now = 1_700_000_015
    code = pyotp.TOTP(SEED_TOTP).at(now + offset)
    assert totp.verify(SEED_TOTP, code, now) is accepted
    step = totp.matching_step(SEED_TOTP, code, now)
    assert (step == totp.time_step(now + offset)) if accepted else step is None


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "１２３４５６", " 12345"])
def test_totp_refuses_malformed_codes(code: str) -> None:
    assert not totp.verify(SEED_TOTP, code, 1_700_000_000)


@pytest.mark.parametrize(("secret", "ok"), [
    (SEED_TOTP.lower(), True), (" ".join(SEED_TOTP[i:i + 4] for i in range(0, 32, 4)), True),
    (SEED_TOTP + "====", True), ("not base32!", False), ("", False), ("18", False),
])
def test_totp_secret_spellings(secret: str, ok: bool) -> None:
    assert (totp.secret_bytes(secret) is not None) is ok
    if ok:
        assert totp.generate(secret, 1_700_000_000) == pyotp.TOTP(SEED_TOTP).at(1_700_000_000)


# -- which challenge follows the password, pure -------------------------------------------------------

TOTP_ON = {"software_enabled": True, "totp_verified": True}
SMS_ON = {"sms_enabled": True, "has_phone": True}


@pytest.mark.parametrize(("pool_mfa", "factors", "expected"), [
    ("OFF", {**TOTP_ON, **SMS_ON}, None),
    ("OPTIONAL", {}, None),
    ("OPTIONAL", TOTP_ON, "SOFTWARE_TOKEN_MFA"),
    ("OPTIONAL", SMS_ON, "SMS_MFA"),
    ("OPTIONAL", {"sms_enabled": True}, None),  # no phone number: nothing to send a code to
    ("OPTIONAL", {"totp_verified": True}, None),  # verified but not enabled
    ("OPTIONAL", {"software_enabled": True}, None),  # enabled but never verified
    ("OPTIONAL", {**TOTP_ON, **SMS_ON}, "SELECT_MFA_TYPE"),
    ("OPTIONAL", {**TOTP_ON, **SMS_ON, "preferred": "SMS_MFA"}, "SMS_MFA"),
    ("OPTIONAL", {**TOTP_ON, **SMS_ON, "preferred": "SOFTWARE_TOKEN_MFA"}, "SOFTWARE_TOKEN_MFA"),
    ("OPTIONAL", {**SMS_ON, "preferred": "SOFTWARE_TOKEN_MFA"}, "SMS_MFA"),  # preferred one not available
    ("ON", {}, "MFA_SETUP"),
    ("ON", {"has_phone": True}, "SMS_MFA"),
    ("ON", {"totp_verified": True}, "SOFTWARE_TOKEN_MFA"),
    ("ON", {"totp_verified": True, "has_phone": True}, "SOFTWARE_TOKEN_MFA"),
    ("ON", {**TOTP_ON, **SMS_ON}, "SELECT_MFA_TYPE"),
    ("ON", {"sms_enabled": True}, "MFA_SETUP"),
])
def test_next_step_after_the_password(pool_mfa: str, factors: dict, expected: str | None) -> None:
    assert next_step(pool_mfa, UserFactors(**factors)) == expected


# -- a running emulator with a clock the tests move ----------------------------------------------------

SHIFT = {"seconds": 0.0}


def clock() -> float:
    return time.time() + SHIFT["seconds"]


def tick(steps: int = 1) -> None:
    """Move the emulator's clock (and the codes the tests compute) on by whole TOTP steps."""
    SHIFT["seconds"] += 30 * steps


def code(secret: str) -> str:
    return pyotp.TOTP(secret).at(clock())


@pytest.fixture(autouse=True)
def _fresh_clock() -> None:
    SHIFT["seconds"] = 0.0


def _config(url: str) -> dict[str, Any]:
    def clients(prefix: str) -> list[dict[str, Any]]:
        return [{"ClientName": f"{prefix}-app", "ClientId": f"{prefix}app", "ExplicitAuthFlows": FLOWS},
                {"ClientName": f"{prefix}-secret", "ClientId": f"{prefix}secret", "ClientSecret": SECRET,
                 "ExplicitAuthFlows": FLOWS}]

    def users(*names: str, **extra: Any) -> list[dict[str, Any]]:
        return [{"Username": n, "Password": PASSWORD, **extra} for n in names]

    phone = {"UserAttributes": {"phone_number": PHONE}}
    return {"UserPools": [{
        "Id": POOL, "Name": "mfa-optional", "MfaConfiguration": "OPTIONAL", "Issuer": f"{url}/{POOL}",
        "Users": [
            *users("tina", "tina-admin", "tina-secret", "tina-retry", "tina-py",
                   MFA={"SoftwareTokenSecret": SEED_TOTP, "PreferredMfa": "SOFTWARE_TOKEN_MFA"}),
            *users("sam", "sam-py", MFA={"SmsMfa": True}, **phone),
            *users("both", "both-totp", MFA={"SoftwareTokenSecret": SEED_TOTP, "SmsMfa": True}, **phone),
            *users("plain", "plain-py", "plain-admin", "plain-nophone", "plain-prefs"),
            *users("plain-phone", **phone),
        ],
        "Clients": clients("opt"),
    }, {
        "Id": ON_POOL, "Name": "mfa-on", "MfaConfiguration": "ON",
        "Users": [*users("fresh", "fresh-wrong"), *users("phoney", **phone)],
        "Clients": clients("on"),
    }, {
        "Id": OFF_POOL, "Name": "mfa-off",
        "Users": users("tom", MFA={"SoftwareTokenSecret": SEED_TOTP, "PreferredMfa": "SOFTWARE_TOKEN_MFA"}),
        "Clients": clients("off"),
    }]}


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    port = free_port()
    with running_emulator(_config(f"http://127.0.0.1:{port}"), port=port, clock=clock) as server:
        yield server.url


@pytest.fixture(scope="module")
def idp(url: str) -> Any:
    return cognito_client(url)


def sign_in(idp: Any, username: str, client_id: str = "optapp", password: str = PASSWORD) -> dict:
    params = {"USERNAME": username, "PASSWORD": password}
    if client_id.endswith("secret"):
        params["SECRET_HASH"] = secret_hash(SECRET, username, client_id)
    return idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params)


def answer(idp: Any, first: dict, name: str, username: str, client_id: str = "optapp", **responses: str) -> dict:
    return idp.respond_to_auth_challenge(ClientId=client_id, ChallengeName=name, Session=first["Session"],
                                         ChallengeResponses={"USERNAME": username, **responses})


def sms_code(url: str, pool: str, username: str) -> dict:
    """The SMS code the emulator 'sent', read through its emulator-only endpoint."""
    got = httpx.get(f"{url}/_emulator/codes/latest", params={"pool_id": pool, "username": username,
                                                            "purpose": "sms_mfa"})
    assert got.status_code == 200, got.text
    return got.json()


def access_claims(result: dict) -> dict:
    return jwt.decode(result["AuthenticationResult"]["AccessToken"], options={"verify_signature": False})


# -- TOTP sign-in ---------------------------------------------------------------------------------------


def test_software_token_challenge_then_tokens(idp: Any) -> None:
    first = sign_in(idp, "tina")
    assert first["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert first["ChallengeParameters"] == {}
    assert "AuthenticationResult" not in first
    done = answer(idp, first, "SOFTWARE_TOKEN_MFA", "tina", SOFTWARE_TOKEN_MFA_CODE=code(SEED_TOTP))
    assert access_claims(done)["username"] == "tina"


def test_wrong_totp_code_then_the_right_one_on_the_same_session(idp: Any) -> None:
    first = sign_in(idp, "tina-retry")
    wrong = f"{(int(code(SEED_TOTP)) + 1) % 1_000_000:06d}"
    name, message, reason = refused(lambda: answer(idp, first, "SOFTWARE_TOKEN_MFA", "tina-retry",
                                                   SOFTWARE_TOKEN_MFA_CODE=wrong))
    assert (name, message) == ("CodeMismatchException", "Invalid code received for user")
    assert "is not the TOTP code of user 'tina-retry'" in reason
    done = answer(idp, first, "SOFTWARE_TOKEN_MFA", "tina-retry", SOFTWARE_TOKEN_MFA_CODE=code(SEED_TOTP))
    assert done["AuthenticationResult"]["IdToken"]
    # The session is spent once it has produced tokens.
    name, message, _ = refused(lambda: answer(idp, first, "SOFTWARE_TOKEN_MFA", "tina-retry",
                                              SOFTWARE_TOKEN_MFA_CODE=code(SEED_TOTP)))
    assert (name, message) == ("NotAuthorizedException", "Invalid session for the user.")


def test_a_session_takes_five_wrong_codes_at_most(idp: Any) -> None:
    first = sign_in(idp, "tina-retry")
    wrong = f"{(int(code(SEED_TOTP)) + 7) % 1_000_000:06d}"
    for _ in range(5):
        name, _, _ = refused(lambda: answer(idp, first, "SOFTWARE_TOKEN_MFA", "tina-retry",
                                            SOFTWARE_TOKEN_MFA_CODE=wrong))
        assert name == "CodeMismatchException"
    name, message, reason = refused(lambda: answer(idp, first, "SOFTWARE_TOKEN_MFA", "tina-retry",
                                                   SOFTWARE_TOKEN_MFA_CODE=code(SEED_TOTP)))
    assert (name, message) == ("NotAuthorizedException", "Invalid session for the user.")
    assert "single-use" in reason


def test_a_totp_code_is_accepted_once(idp: Any) -> None:
    first = sign_in(idp, "tina-admin")
    used = code(SEED_TOTP)
    answer(idp, first, "SOFTWARE_TOKEN_MFA", "tina-admin", SOFTWARE_TOKEN_MFA_CODE=used)
    again = sign_in(idp, "tina-admin")
    name, message, reason = refused(lambda: answer(idp, again, "SOFTWARE_TOKEN_MFA", "tina-admin",
                                                   SOFTWARE_TOKEN_MFA_CODE=used))
    assert (name, message) == ("ExpiredCodeException", "Your software token has already been used once.")
    assert "already used" in reason
    tick()
    assert answer(idp, again, "SOFTWARE_TOKEN_MFA", "tina-admin",
                  SOFTWARE_TOKEN_MFA_CODE=code(SEED_TOTP))["AuthenticationResult"]


def test_missing_code_and_missing_username_are_named(idp: Any) -> None:
    first = sign_in(idp, "tina")
    name, message, _ = refused(lambda: answer(idp, first, "SOFTWARE_TOKEN_MFA", "tina"))
    assert (name, message) == ("InvalidParameterException", "Missing required parameter SOFTWARE_TOKEN_MFA_CODE")
    first = sign_in(idp, "tina")
    name, message, reason = refused(lambda: idp.respond_to_auth_challenge(
        ClientId="optapp", ChallengeName="SOFTWARE_TOKEN_MFA", Session=first["Session"],
        ChallengeResponses={"SOFTWARE_TOKEN_MFA_CODE": code(SEED_TOTP)}))
    assert (name, message) == ("InvalidParameterException", "Missing required parameter USERNAME")
    assert "no USERNAME" in reason


def test_mfa_answer_with_a_client_secret_needs_the_secret_hash(idp: Any) -> None:
    first = sign_in(idp, "tina-secret", client_id="optsecret")
    name, message, _ = refused(lambda: answer(idp, first, "SOFTWARE_TOKEN_MFA", "tina-secret", "optsecret",
                                              SOFTWARE_TOKEN_MFA_CODE=code(SEED_TOTP)))
    assert (name, message) == ("NotAuthorizedException",
                               "Client optsecret is configured with secret but SECRET_HASH was not received")
    first = sign_in(idp, "tina-secret", client_id="optsecret")
    done = answer(idp, first, "SOFTWARE_TOKEN_MFA", "tina-secret", "optsecret",
                  SOFTWARE_TOKEN_MFA_CODE=code(SEED_TOTP),
                  SECRET_HASH=secret_hash(SECRET, "tina-secret", "optsecret"))
    assert done["AuthenticationResult"]["RefreshToken"]


def test_admin_initiate_and_admin_respond_with_totp(idp: Any) -> None:
    tick(4)  # tina-admin used codes above; move past them
    first = idp.admin_initiate_auth(UserPoolId=POOL, ClientId="optapp", AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                    AuthParameters={"USERNAME": "tina-admin", "PASSWORD": PASSWORD})
    assert first["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    done = idp.admin_respond_to_auth_challenge(
        UserPoolId=POOL, ClientId="optapp", ChallengeName="SOFTWARE_TOKEN_MFA", Session=first["Session"],
        ChallengeResponses={"USERNAME": "tina-admin", "SOFTWARE_TOKEN_MFA_CODE": code(SEED_TOTP)})
    assert access_claims(done)["username"] == "tina-admin"


def test_mfa_off_pool_issues_tokens_without_a_second_factor(idp: Any) -> None:
    assert sign_in(idp, "tom", client_id="offapp")["AuthenticationResult"]["AccessToken"]


# -- enrolling TOTP with an access token ---------------------------------------------------------------


def test_associate_verify_and_prefer_a_software_token(idp: Any) -> None:
    token = sign_in(idp, "plain")["AuthenticationResult"]["AccessToken"]
    secret = idp.associate_software_token(AccessToken=token)["SecretCode"]
    assert re.fullmatch(r"[A-Z2-7]{52}", secret)
    name, message, reason = refused(lambda: idp.set_user_mfa_preference(
        AccessToken=token, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}))
    assert (name, message) == ("InvalidParameterException", "User has not verified software token mfa")
    assert "no verified software token" in reason
    wrong = f"{(int(code(secret)) + 1) % 1_000_000:06d}"
    name, message, reason = refused(lambda: idp.verify_software_token(AccessToken=token, UserCode=wrong))
    assert (name, message) == ("EnableSoftwareTokenMFAException", "Code mismatch and fail enable Software Token MFA")
    assert "is not the TOTP code" in reason
    verified = idp.verify_software_token(AccessToken=token, UserCode=code(secret), FriendlyDeviceName="phone")
    assert verified["Status"] == "SUCCESS" and "Session" not in verified
    # Verified is not enabled: sign-in still needs no code until the preference says so.
    assert sign_in(idp, "plain")["AuthenticationResult"]
    assert "UserMFASettingList" not in idp.get_user(AccessToken=token)
    idp.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    me = idp.get_user(AccessToken=token)
    assert me["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    assert me["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"
    first = sign_in(idp, "plain")
    assert first["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    tick()  # the code VerifySoftwareToken used cannot sign in
    assert answer(idp, first, "SOFTWARE_TOKEN_MFA", "plain", SOFTWARE_TOKEN_MFA_CODE=code(secret))
    # Turning it off again.
    idp.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={"Enabled": False,
                                                                            "PreferredMfa": False})
    assert "UserMFASettingList" not in idp.get_user(AccessToken=token)
    assert sign_in(idp, "plain")["AuthenticationResult"]


def test_verify_before_associate_and_token_or_session(idp: Any) -> None:
    token = sign_in(idp, "plain-prefs")["AuthenticationResult"]["AccessToken"]
    name, message, reason = refused(lambda: idp.verify_software_token(AccessToken=token, UserCode="123456"))
    assert (name, message) == ("SoftwareTokenMFANotFoundException", "Software Token MFA does not exist for the user.")
    assert "AssociateSoftwareToken first" in reason
    name, _, reason = refused(lambda: idp.associate_software_token())
    assert name == "InvalidParameterException" and "exactly one of AccessToken" in reason
    name, _, reason = refused(lambda: idp.associate_software_token(AccessToken=token, Session="s" * 40))
    assert name == "InvalidParameterException" and "exactly one of AccessToken" in reason
    name, message, _ = refused(lambda: idp.associate_software_token(AccessToken="garbage"))
    assert (name, message) == ("NotAuthorizedException", "Invalid Access Token")


def test_preference_errors(idp: Any) -> None:
    token = sign_in(idp, "plain-nophone")["AuthenticationResult"]["AccessToken"]
    name, message, reason = refused(lambda: idp.set_user_mfa_preference(
        AccessToken=token, SMSMfaSettings={"Enabled": True, "PreferredMfa": False}))
    assert (name, message) == ("InvalidParameterException", "User does not have a phone_number set to turn on SMS MFA")
    assert "no phone_number" in reason
    name, message, _ = refused(lambda: idp.admin_set_user_mfa_preference(
        UserPoolId=POOL, Username="plain-nophone", SoftwareTokenMfaSettings={"Enabled": True}))
    assert (name, message) == ("InvalidParameterException",
                               "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA")
    name, message, _ = refused(lambda: idp.admin_set_user_mfa_preference(
        UserPoolId=POOL, Username="nobody", SMSMfaSettings={"Enabled": False}))
    assert (name, message) == ("UserNotFoundException", "User does not exist.")
    name, message, _ = refused(lambda: idp.admin_set_user_mfa_preference(
        UserPoolId="us-east-1_NoSuchPool", Username="plain", SMSMfaSettings={"Enabled": False}))
    assert (name, message) == ("ResourceNotFoundException", "User pool us-east-1_NoSuchPool does not exist.")
    # Disabling what was never on is fine.
    idp.set_user_mfa_preference(AccessToken=token, SMSMfaSettings={"Enabled": False, "PreferredMfa": False})


def test_admin_set_user_mfa_preference_turns_sms_on_and_off(url: str, idp: Any) -> None:
    assert sign_in(idp, "plain-phone")["AuthenticationResult"]
    idp.admin_set_user_mfa_preference(UserPoolId=POOL, Username="plain-phone",
                                      SMSMfaSettings={"Enabled": True, "PreferredMfa": True})
    got = idp.admin_get_user(UserPoolId=POOL, Username="plain-phone")
    assert got.get("UserMFASettingList") == ["SMS_MFA"] and got.get("PreferredMfaSetting") == "SMS_MFA"
    first = sign_in(idp, "plain-phone")
    assert first["ChallengeName"] == "SMS_MFA"
    idp.admin_set_user_mfa_preference(UserPoolId=POOL, Username="plain-phone", SMSMfaSettings={"Enabled": False})
    assert sign_in(idp, "plain-phone")["AuthenticationResult"]


# -- SMS ------------------------------------------------------------------------------------------------


def test_sms_challenge_with_masked_destination_and_the_code_from_the_emulator(url: str, idp: Any) -> None:
    first = sign_in(idp, "sam")
    assert first["ChallengeName"] == "SMS_MFA"
    assert first["ChallengeParameters"] == {"CODE_DELIVERY_DELIVERY_MEDIUM": "SMS",
                                            "CODE_DELIVERY_DESTINATION": "+*******0008"}
    sent = sms_code(url, POOL, "sam")
    assert sent["destination"] == "+*******0008" and sent["address"] == PHONE
    name, message, reason = refused(lambda: answer(idp, first, "SMS_MFA", "sam", SMS_MFA_CODE="000000"
                                                   if sent["code"] != "000000" else "111111"))
    assert (name, message) == ("CodeMismatchException", "Invalid code or auth state for the user.")
    assert "/_emulator/codes" in reason
    done = answer(idp, first, "SMS_MFA", "sam", SMS_MFA_CODE=sent["code"])
    token = done["AuthenticationResult"]["AccessToken"]
    attrs = {a["Name"]: a["Value"] for a in idp.get_user(AccessToken=token)["UserAttributes"]}
    assert attrs["phone_number_verified"] == "true"


def test_an_sms_code_is_single_use_and_a_new_sign_in_sends_a_new_one(url: str, idp: Any) -> None:
    first = sign_in(idp, "sam")
    old = sms_code(url, POOL, "sam")["code"]
    answer(idp, first, "SMS_MFA", "sam", SMS_MFA_CODE=old)
    again = sign_in(idp, "sam")
    new = sms_code(url, POOL, "sam")["code"]
    if new != old:
        name, _, _ = refused(lambda: answer(idp, again, "SMS_MFA", "sam", SMS_MFA_CODE=old))
        assert name == "CodeMismatchException"
    assert answer(idp, again, "SMS_MFA", "sam", SMS_MFA_CODE=new)["AuthenticationResult"]


def test_select_mfa_type_when_both_are_on_and_none_preferred(url: str, idp: Any) -> None:
    first = sign_in(idp, "both")
    assert first["ChallengeName"] == "SELECT_MFA_TYPE"
    assert json.loads(first["ChallengeParameters"]["MFAS_CAN_CHOOSE"]) == ["SMS_MFA", "SOFTWARE_TOKEN_MFA"]
    name, message, reason = refused(lambda: answer(idp, first, "SELECT_MFA_TYPE", "both", ANSWER="EMAIL_OTP"))
    assert (name, message) == ("InvalidParameterException", "Invalid MFA type selected.")
    assert "not one of MFAS_CAN_CHOOSE" in reason
    first = sign_in(idp, "both")
    sms = answer(idp, first, "SELECT_MFA_TYPE", "both", ANSWER="SMS_MFA")
    assert sms["ChallengeName"] == "SMS_MFA"
    done = answer(idp, sms, "SMS_MFA", "both", SMS_MFA_CODE=sms_code(url, POOL, "both")["code"])
    assert access_claims(done)["username"] == "both"
    first = sign_in(idp, "both-totp")
    soft = answer(idp, first, "SELECT_MFA_TYPE", "both-totp", ANSWER="SOFTWARE_TOKEN_MFA")
    assert soft["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert answer(idp, soft, "SOFTWARE_TOKEN_MFA", "both-totp", SOFTWARE_TOKEN_MFA_CODE=code(SEED_TOTP))


def test_mfa_on_with_a_phone_number_sends_sms(url: str, idp: Any) -> None:
    first = sign_in(idp, "phoney", client_id="onapp")
    assert first["ChallengeName"] == "SMS_MFA"
    done = answer(idp, first, "SMS_MFA", "phoney", "onapp", SMS_MFA_CODE=sms_code(url, ON_POOL, "phoney")["code"])
    assert done["AuthenticationResult"]


# -- MFA_SETUP (pool MFA ON, user without a factor) -------------------------------------------------------


def test_mfa_setup_with_the_session(idp: Any) -> None:
    first = sign_in(idp, "fresh", client_id="onapp")
    assert first["ChallengeName"] == "MFA_SETUP"
    assert json.loads(first["ChallengeParameters"]["MFAS_CAN_SETUP"]) == ["SOFTWARE_TOKEN_MFA"]
    associated = idp.associate_software_token(Session=first["Session"])
    secret = associated["SecretCode"]
    assert associated["Session"] != first["Session"]
    # The first session is spent; the new one carries on.
    name, message, _ = refused(lambda: idp.associate_software_token(Session=first["Session"]))
    assert (name, message) == ("NotAuthorizedException", "Invalid session for the user.")
    wrong = f"{(int(code(secret)) + 1) % 1_000_000:06d}"
    name, message, _ = refused(lambda: idp.verify_software_token(Session=associated["Session"], UserCode=wrong))
    assert (name, message) == ("EnableSoftwareTokenMFAException", "Code mismatch and fail enable Software Token MFA")
    verified = idp.verify_software_token(Session=associated["Session"], UserCode=code(secret))
    assert verified["Status"] == "SUCCESS" and verified["Session"]
    done = answer(idp, verified, "MFA_SETUP", "fresh", "onapp")
    assert access_claims(done)["username"] == "fresh"
    tick()
    again = sign_in(idp, "fresh", client_id="onapp")
    assert again["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert answer(idp, again, "SOFTWARE_TOKEN_MFA", "fresh", "onapp", SOFTWARE_TOKEN_MFA_CODE=code(secret))


def test_mfa_setup_answered_before_verifying_is_refused(idp: Any) -> None:
    first = sign_in(idp, "fresh-wrong", client_id="onapp")
    associated = idp.associate_software_token(Session=first["Session"])
    name, message, reason = refused(lambda: answer(idp, associated, "MFA_SETUP", "fresh-wrong", "onapp"))
    assert (name, message) == ("NotAuthorizedException", "Invalid session for the user.")
    assert "VerifySoftwareToken" in reason
    # A sign-in session of another challenge cannot associate a token.
    tina = sign_in(idp, "tina")
    name, _, reason = refused(lambda: idp.associate_software_token(Session=tina["Session"]))
    assert name == "NotAuthorizedException" and "only an MFA_SETUP session" in reason


# -- pycognito, unmodified ----------------------------------------------------------------------------------


def _pycognito(url: str, username: str) -> Cognito:
    return Cognito(POOL, "optapp", username=username, boto3_client_kwargs={"endpoint_url": url})


def test_pycognito_srp_then_software_token_mfa(url: str) -> None:
    tina = _pycognito(url, "tina-py")
    with pytest.raises(SoftwareTokenMFAChallengeException):
        tina.authenticate(password=PASSWORD)
    tina.respond_to_software_token_mfa_challenge(code(SEED_TOTP))
    assert tina.access_claims["username"] == "tina-py"


def test_pycognito_enrols_totp_and_signs_in_with_it(url: str) -> None:
    user = _pycognito(url, "plain-py")
    user.authenticate(password=PASSWORD)
    secret = user.associate_software_token()
    assert user.verify_software_token(code(secret), device_name="pyotp")
    user.set_user_mfa_preference(sms_mfa=False, software_token_mfa=True, preferred="SOFTWARE_TOKEN")
    tick()
    again = _pycognito(url, "plain-py")
    with pytest.raises(SoftwareTokenMFAChallengeException):
        again.authenticate(password=PASSWORD)
    again.respond_to_software_token_mfa_challenge(code(secret))
    assert again.id_claims["cognito:username"] == "plain-py"


def test_pycognito_sms_mfa(url: str) -> None:
    sam = _pycognito(url, "sam-py")
    with pytest.raises(SMSMFAChallengeException):
        sam.authenticate(password=PASSWORD)
    sam.respond_to_sms_mfa_challenge(sms_code(url, POOL, "sam-py")["code"])
    assert sam.access_claims["username"] == "sam-py"
