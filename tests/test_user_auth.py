"""Choice-based sign-in (USER_AUTH): the factor rules by table; boto3 drives each PREFERRED_CHALLENGE
(PASSWORD, PASSWORD_SRP with pycognito's SRP maths, EMAIL_OTP, SMS_OTP with codes read from /_emulator/codes)
and SELECT_CHALLENGE, governed by the pool's Policies.SignInPolicy.AllowedFirstAuthFactors."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
from pycognito.aws_srp import AWSSRP

from emulator.cognito.user_auth_rules import UserFirstFactors, available_challenges, configured_factors
from tests.conftest import refused

pytestmark = pytest.mark.e2e

POOL = "us-east-1_UserAuth001"
PASSWORD_ONLY_POOL = "us-east-1_UserAuth002"
CLIENT = "userauthclient"
PASSWORD = "Correct-Horse1"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
FLOWS = ["ALLOW_USER_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
VERIFIED = {"email": "uma@example.com", "email_verified": "true", "phone_number": "+15555550123",
            "phone_number_verified": "true"}


def _user(name: str, attributes: dict[str, str] | None = None, **extra: Any) -> dict[str, Any]:
    attrs = {**VERIFIED, "email": f"{name}@example.com"} if attributes is None else attributes
    return {"Username": name, "Password": PASSWORD, "UserAttributes": attrs, **extra}


CONFIG = {"UserPools": [{
    "Id": POOL, "Name": "choice", "MfaConfiguration": "OPTIONAL",
    "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]}},
    "Users": [_user("uma"), _user("otto"), _user("amplify"), _user("sid"), _user("srp"), _user("picky"),
              _user("admin-uma"),
              _user("late"), _user("wrong"),
              _user("unverified", {"email": "u@example.com", "email_verified": "false"}),
              _user("totp", MFA={"SoftwareTokenSecret": TOTP_SECRET, "PreferredMfa": "SOFTWARE_TOKEN_MFA"})],
    "Clients": [{"ClientName": "choice", "ClientId": CLIENT, "ExplicitAuthFlows": FLOWS},
                {"ClientName": "classic", "ClientId": "classicclient",
                 "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}],
}, {
    "Id": PASSWORD_ONLY_POOL, "Name": "password-only",
    "Users": [_user("pat")],
    "Clients": [{"ClientName": "choice", "ClientId": "pwonlyclient", "ExplicitAuthFlows": FLOWS}],
}]}


# -- the rules, pure -----------------------------------------------------------------------------------

ALL = ("PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN")


@pytest.mark.parametrize(("allowed", "user", "factors"), [
    (("PASSWORD",), UserFirstFactors(True, True, True), ["PASSWORD"]),
    (ALL, UserFirstFactors(True, True, True), ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]),
    (ALL, UserFirstFactors(True, False, True), ["PASSWORD", "SMS_OTP"]),  # e-mail not verified
    (ALL, UserFirstFactors(True, True, False, passkeys=1), ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"]),
    (("PASSWORD", "SMS_OTP"), UserFirstFactors(False, True, True), ["SMS_OTP"]),  # no password (passwordless)
])
def test_configured_factors(allowed: tuple[str, ...], user: UserFirstFactors, factors: list[str]) -> None:
    assert configured_factors(allowed, user) == factors


def test_a_password_offers_two_challenges() -> None:
    assert available_challenges(["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"]) == [
        "PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "WEB_AUTHN"]


# -- through boto3 -----------------------------------------------------------------------------------------


def _start(idp: Any, username: str, client_id: str = CLIENT, **params: str) -> dict[str, Any]:
    return idp.initiate_auth(ClientId=client_id, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": username, **params})


def _respond(idp: Any, first: dict[str, Any], name: str, username: str, **responses: str) -> dict[str, Any]:
    return idp.respond_to_auth_challenge(ClientId=CLIENT, ChallengeName=name, Session=first["Session"],
                                         ChallengeResponses={"USERNAME": username, **responses})


def _code(url: str, username: str, purpose: str) -> str:
    got = httpx.get(f"{url}/_emulator/codes/latest", params={"pool_id": POOL, "username": username,
                                                            "purpose": purpose})
    assert got.status_code == 200, got.text
    return got.json()["code"]


def test_without_a_preference_the_user_selects_a_challenge(idp: Any) -> None:
    first = _start(idp, "uma")
    assert first["ChallengeName"] == "SELECT_CHALLENGE"
    assert first["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"]
    assert first["ChallengeParameters"] == {} and first["Session"]
    done = _respond(idp, first, "SELECT_CHALLENGE", "uma", ANSWER="PASSWORD", PASSWORD=PASSWORD)
    assert done["AuthenticationResult"]["AccessToken"]


def test_preferred_password(idp: Any) -> None:
    done = _start(idp, "uma", PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)
    assert done["AuthenticationResult"]["IdToken"]
    name, message, _ = refused(lambda: _start(idp, "wrong", PREFERRED_CHALLENGE="PASSWORD", PASSWORD="Nope-nope1"))
    assert (name, message) == ("NotAuthorizedException", "Incorrect username or password.")


def test_preferred_email_otp(server: Any, idp: Any) -> None:
    first = _start(idp, "otto", PREFERRED_CHALLENGE="EMAIL_OTP")
    assert first["ChallengeName"] == "EMAIL_OTP"
    assert first["ChallengeParameters"] == {"CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL",
                                            "CODE_DELIVERY_DESTINATION": "o***@e***"}
    code = _code(server.url, "otto", "email_otp")
    wrong = "000000" if code != "000000" else "111111"
    name, message, _ = refused(lambda: _respond(idp, first, "EMAIL_OTP", "otto", EMAIL_OTP_CODE=wrong))
    assert (name, message) == ("CodeMismatchException", "Invalid code or auth state for the user.")
    done = _respond(idp, first, "EMAIL_OTP", "otto", EMAIL_OTP_CODE=code)
    assert done["AuthenticationResult"]["RefreshToken"]


def test_preferred_sms_otp(server: Any, idp: Any) -> None:
    first = _start(idp, "sid", PREFERRED_CHALLENGE="SMS_OTP")
    assert first["ChallengeName"] == "SMS_OTP"
    assert first["ChallengeParameters"] == {"CODE_DELIVERY_DELIVERY_MEDIUM": "SMS",
                                            "CODE_DELIVERY_DESTINATION": "+*******0123"}
    done = _respond(idp, first, "SMS_OTP", "sid", SMS_OTP_CODE=_code(server.url, "sid", "sms_mfa"))
    assert done["AuthenticationResult"]["AccessToken"]


def test_preferred_password_srp_with_pycognito_maths(idp: Any) -> None:
    helper = AWSSRP(username="srp", password=PASSWORD, pool_id=POOL, client_id=CLIENT, client=idp)
    params = helper.get_auth_params()
    first = _start(idp, "srp", PREFERRED_CHALLENGE="PASSWORD_SRP", SRP_A=params["SRP_A"])
    assert first["ChallengeName"] == "PASSWORD_VERIFIER"
    answer = helper.process_challenge(first["ChallengeParameters"], params)
    done = idp.respond_to_auth_challenge(ClientId=CLIENT, ChallengeName="PASSWORD_VERIFIER",
                                         Session=first["Session"], ChallengeResponses=answer)
    assert done["AuthenticationResult"]["AccessToken"]


def test_select_an_otp_then_answer_it(server: Any, idp: Any) -> None:
    first = _start(idp, "picky")
    second = _respond(idp, first, "SELECT_CHALLENGE", "picky", ANSWER="EMAIL_OTP")
    assert second["ChallengeName"] == "EMAIL_OTP"
    done = _respond(idp, second, "EMAIL_OTP", "picky", EMAIL_OTP_CODE=_code(server.url, "picky", "email_otp"))
    assert done["AuthenticationResult"]["AccessToken"]
    again = _start(idp, "picky")
    name, _, reason = refused(lambda: _respond(idp, again, "SELECT_CHALLENGE", "picky", ANSWER="WEB_AUTHN"))
    assert name == "InvalidParameterException" and "AvailableChallenges" in reason


def test_the_sign_in_policy_governs_the_choice(idp: Any) -> None:
    first = idp.initiate_auth(ClientId="pwonlyclient", AuthFlow="USER_AUTH",
                              AuthParameters={"USERNAME": "pat", "PREFERRED_CHALLENGE": "EMAIL_OTP"})
    assert first["ChallengeName"] == "SELECT_CHALLENGE"  # EMAIL_OTP is not an allowed first factor there
    assert first["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]
    # An address that is not verified is no first factor.
    assert _start(idp, "unverified")["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]


def test_mfa_follows_a_password_but_not_a_one_time_code(server: Any, idp: Any) -> None:
    first = _start(idp, "totp", PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)
    assert first["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    done = _respond(idp, first, "SOFTWARE_TOKEN_MFA", "totp",
                    SOFTWARE_TOKEN_MFA_CODE=pyotp.TOTP(TOTP_SECRET).at(server.runtime.clock()))
    assert done["AuthenticationResult"]["AccessToken"]
    otp = _start(idp, "totp", PREFERRED_CHALLENGE="EMAIL_OTP")
    finished = _respond(idp, otp, "EMAIL_OTP", "totp", EMAIL_OTP_CODE=_code(server.url, "totp", "email_otp"))
    assert finished["AuthenticationResult"]["AccessToken"]


def test_admin_initiate_auth_with_user_auth(server: Any, idp: Any) -> None:
    first = idp.admin_initiate_auth(UserPoolId=POOL, ClientId=CLIENT, AuthFlow="USER_AUTH",
                                    AuthParameters={"USERNAME": "admin-uma", "PREFERRED_CHALLENGE": "EMAIL_OTP"})
    done = idp.admin_respond_to_auth_challenge(
        UserPoolId=POOL, ClientId=CLIENT, ChallengeName="EMAIL_OTP", Session=first["Session"],
        ChallengeResponses={"USERNAME": "admin-uma", "EMAIL_OTP_CODE": _code(server.url, "admin-uma", "email_otp")})
    assert done["AuthenticationResult"]["AccessToken"]


def test_a_code_expires_with_the_session(server: Any, idp: Any) -> None:
    first = _start(idp, "late", PREFERRED_CHALLENGE="EMAIL_OTP")
    code = _code(server.url, "late", "email_otp")
    server.runtime.clock.advance(3 * 60 + 1)  # AuthSessionValidity: 3 minutes
    name, message, _ = refused(lambda: _respond(idp, first, "EMAIL_OTP", "late", EMAIL_OTP_CODE=code))
    assert (name, message) == ("NotAuthorizedException", "Invalid session for the user, session is expired.")


def test_refusals(idp: Any) -> None:
    name, message, reason = refused(lambda: _start(idp, "uma", client_id="classicclient"))
    assert (name, message) == ("InvalidParameterException", "USER_AUTH flow not enabled for this client")
    assert "ALLOW_USER_AUTH" in reason
    name, message, _ = refused(lambda: _start(idp, "nobody"))
    assert (name, message) == ("UserNotFoundException", "User does not exist.")
    name, message, _ = refused(lambda: _start(idp, "uma", PREFERRED_CHALLENGE="PASSWORD"))
    assert (name, message) == ("InvalidParameterException", "Missing required parameter PASSWORD")


JS = Path(__file__).resolve().parent / "js"


@pytest.mark.cli
@pytest.mark.skipif(shutil.which("node") is None or shutil.which("npm") is None, reason="Node.js is not installed")
def test_amplify_signs_in_with_user_auth(server: Any) -> None:
    if not (JS / "node_modules" / "aws-amplify").is_dir():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=JS, check=True,
                       capture_output=True, timeout=600)
    result = subprocess.run(["node", "amplify_user_auth.mjs", server.url, POOL, CLIENT, "amplify", PASSWORD],
                            cwd=JS, capture_output=True, text=True, timeout=120)
    steps = {entry["step"]: entry for entry in map(json.loads, filter(None, result.stdout.splitlines()))}
    assert "error" not in steps, (steps.get("error"), result.stderr[-2000:])
    assert steps["preferred"] == {"step": "preferred", "next": "CONFIRM_SIGN_IN_WITH_EMAIL_CODE",
                                  "destination": "a***@e***"}
    assert steps["preferredDone"]["next"] == "DONE"
    assert steps["select"]["next"] == "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION"
    assert steps["select"]["available"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"]
    assert steps["selected"]["next"] == "CONFIRM_SIGN_IN_WITH_EMAIL_CODE"
    assert steps["selectedDone"]["next"] == "DONE"
    assert steps["srp"]["next"] == "DONE"
