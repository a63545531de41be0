"""CUSTOM_AUTH through boto3: Define/Create/Verify triggers (Python functions named in LambdaConfig) called
with AWS's event shapes, CUSTOM_CHALLENGE answers, the SRP_A + PASSWORD_VERIFIER sequence, and AWS's errors
when a trigger is missing or misbehaves."""

from __future__ import annotations

from typing import Any

import jwt
import pyotp
import pytest
from pycognito.aws_srp import AWSSRP

from emulator.cognito.lookup import secret_hash
from tests import custom_auth_triggers as triggers
from tests.conftest import refused

pytestmark = pytest.mark.e2e

POOL = "us-east-1_Custom0001"
SRP_POOL = "us-east-1_CustomSrp01"
MODE_POOL = "us-east-1_CustomMode1"
BARE_POOL = "us-east-1_CustomNone1"
SECRET = "customclientsecret0123456789"
PASSWORD = "Correct-Horse1"
TOTP = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
CUSTOM = ["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
T = "python:tests.custom_auth_triggers:"


def _pool(pool_id: str, lambdas: dict[str, str] | None, **extra: Any) -> dict[str, Any]:
    return {
        "Id": pool_id, "Name": pool_id.split("_")[1], **({"LambdaConfig": lambdas} if lambdas else {}),
        "Users": [
            {"Username": "carol", "Password": PASSWORD,
             "UserAttributes": {"email": "carol@example.com", "email_verified": "true"}},
            {"Username": "dave", "Password": PASSWORD, "Enabled": False},
            {"Username": "tess", "Password": PASSWORD,
             "MFA": {"SoftwareTokenSecret": TOTP, "PreferredMfa": "SOFTWARE_TOKEN_MFA"}},
        ],
        "Clients": [
            {"ClientName": "custom", "ClientId": f"{pool_id.split('_')[1].lower()}app",
             "ExplicitAuthFlows": [*CUSTOM, "ALLOW_USER_SRP_AUTH"]},
        ],
        **extra,
    }


CONFIG = {"UserPools": [
    _pool(POOL, {"DefineAuthChallenge": T + "define_42", "CreateAuthChallenge": T + "create_42",
                 "VerifyAuthChallengeResponse": T + "verify_42"}, Clients=[
        {"ClientName": "custom", "ClientId": "customapp", "ExplicitAuthFlows": CUSTOM},
        {"ClientName": "legacy-only", "ClientId": "customonly", "ExplicitAuthFlows": ["CUSTOM_AUTH_FLOW_ONLY"]},
        {"ClientName": "hidden", "ClientId": "customhidden", "PreventUserExistenceErrors": "ENABLED",
         "ExplicitAuthFlows": CUSTOM},
        {"ClientName": "secret", "ClientId": "customsecret", "ClientSecret": SECRET, "ExplicitAuthFlows": CUSTOM},
        {"ClientName": "password", "ClientId": "custompassword",
         "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]},
    ]),
    _pool(SRP_POOL, {"DefineAuthChallenge": T + "define_srp_then_question", "CreateAuthChallenge": T + "create_42",
                     "VerifyAuthChallengeResponse": T + "verify_42"}),
    _pool(MODE_POOL, {"DefineAuthChallenge": T + "define_by_mode", "CreateAuthChallenge": T + "create_bad_parameters",
                      "VerifyAuthChallengeResponse": T + "verify_42"}, MfaConfiguration="OPTIONAL"),
    _pool(BARE_POOL, None),
    _pool("us-east-1_CustomAsync", {"DefineAuthChallenge": T + "define_42_async",
                                    "CreateAuthChallenge": T + "create_42",
                                    "VerifyAuthChallengeResponse": T + "verify_42"}),
]}


@pytest.fixture(autouse=True)
def _clear_events() -> None:
    triggers.EVENTS.clear()


def start(idp: Any, username: str = "carol", client_id: str = "customapp", **auth: str) -> dict:
    return idp.initiate_auth(ClientId=client_id, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": username, **auth})


def reply(idp: Any, previous: dict, answer: str, username: str = "carol", client_id: str = "customapp",
          **extra: Any) -> dict:
    responses = {"USERNAME": username, "ANSWER": answer, **extra.pop("responses", {})}
    return idp.respond_to_auth_challenge(ClientId=client_id, ChallengeName="CUSTOM_CHALLENGE",
                                         Session=previous["Session"], ChallengeResponses=responses, **extra)


def events(trigger: str) -> list[dict]:
    return [e for e in triggers.EVENTS if e["triggerSource"] == f"{trigger}_Authentication"]


# -- the happy path and the events the triggers see ----------------------------------------------------------


def test_custom_challenge_answered_right_issues_tokens(idp: Any) -> None:
    first = start(idp)
    assert first["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert first["ChallengeParameters"] == {"question": "6 x 7", "attempt": "1", "USERNAME": "carol"}
    done = reply(idp, first, "42")
    claims = jwt.decode(done["AuthenticationResult"]["IdToken"], options={"verify_signature": False})
    assert claims["cognito:username"] == "carol"
    assert done["AuthenticationResult"]["RefreshToken"]


def test_trigger_events_have_aws_shapes(idp: Any) -> None:
    first = idp.initiate_auth(
        ClientId="customapp", AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "carol"},
        ClientMetadata={"channel": "web"})
    reply(idp, first, "42", ClientMetadata={"channel": "app"})
    define = events("DefineAuthChallenge")
    create = events("CreateAuthChallenge")
    verify = events("VerifyAuthChallengeResponse")
    assert (len(define), len(create), len(verify)) == (2, 1, 1)
    event = define[0]
    assert {k: event[k] for k in ("version", "region", "userPoolId", "userName", "callerContext")} == {
        "version": "1", "region": "us-east-1", "userPoolId": POOL, "userName": "carol",
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "customapp"}}
    attributes = event["request"]["userAttributes"]
    assert attributes["email"] == "carol@example.com" and attributes["cognito:user_status"] == "CONFIRMED"
    assert attributes["sub"]
    assert event["request"]["session"] == []
    assert event["request"]["clientMetadata"] == {"channel": "web"}
    assert "userNotFound" not in event["request"]  # only for PreventUserExistenceErrors ENABLED clients
    assert event["response"] == {"challengeName": None, "issueTokens": None, "failAuthentication": None}
    assert event["_context"]["function_name"] == "tests-custom_auth_triggers-define_42"
    assert 0 < event["_context"]["remaining_ms"] <= 5000
    assert create[0]["request"]["challengeName"] == "CUSTOM_CHALLENGE"
    assert create[0]["request"]["session"] == []
    assert verify[0]["request"]["privateChallengeParameters"] == {"answer": "42"}
    assert verify[0]["request"]["challengeAnswer"] == "42"
    assert verify[0]["request"]["clientMetadata"] == {"channel": "app"}
    assert define[1]["request"]["session"] == [
        {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": True, "challengeMetadata": "QUESTION-1"}]


def test_wrong_answers_get_new_challenges_then_fail(idp: Any) -> None:
    first = start(idp)
    second = reply(idp, first, "41")
    assert second["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert second["ChallengeParameters"]["attempt"] == "2"
    assert second["Session"] != first["Session"]
    third = reply(idp, second, "43")
    code, message, reason = refused(lambda: reply(idp, third, "44"))
    assert (code, message) == ("NotAuthorizedException", "Incorrect username or password.")
    assert "failAuthentication" in reason and "CUSTOM_CHALLENGE=failed" in reason
    assert [s["challengeResult"] for s in events("DefineAuthChallenge")[-1]["request"]["session"]] == [
        False, False, False]


def test_a_wrong_answer_then_the_right_one(idp: Any) -> None:
    second = reply(idp, start(idp), "nope")
    assert reply(idp, second, "42")["AuthenticationResult"]


def test_answered_sessions_are_single_use(idp: Any) -> None:
    first = start(idp)
    reply(idp, first, "42")
    code, message, _ = refused(lambda: reply(idp, first, "42"))
    assert (code, message) == ("NotAuthorizedException", "Invalid session for the user.")


def test_missing_answer_and_username(idp: Any) -> None:
    first = start(idp)
    code, message, reason = refused(lambda: idp.respond_to_auth_challenge(
        ClientId="customapp", ChallengeName="CUSTOM_CHALLENGE", Session=first["Session"],
        ChallengeResponses={"USERNAME": "carol"}))
    assert (code, message) == ("InvalidParameterException", "Missing required parameter ANSWER")
    assert "no ANSWER" in reason
    first = start(idp)
    code, message, _ = refused(lambda: idp.respond_to_auth_challenge(
        ClientId="customapp", ChallengeName="CUSTOM_CHALLENGE", Session=first["Session"],
        ChallengeResponses={"ANSWER": "42"}))
    assert (code, message) == ("InvalidParameterException", "Missing required parameter USERNAME")


def test_async_trigger(idp: Any) -> None:
    first = start(idp, client_id="customasyncapp")
    assert reply(idp, first, "42", client_id="customasyncapp")["AuthenticationResult"]


def test_legacy_custom_auth_flow_only_client_and_secret_hash(idp: Any) -> None:
    assert reply(idp, start(idp, client_id="customonly"), "42", client_id="customonly")["AuthenticationResult"]
    code, message, _ = refused(lambda: start(idp, client_id="customsecret"))
    assert (code, message) == ("NotAuthorizedException",
                               "Client customsecret is configured with secret but SECRET_HASH was not received")
    first = start(idp, client_id="customsecret", SECRET_HASH=secret_hash(SECRET, "carol", "customsecret"))
    done = reply(idp, first, "42", client_id="customsecret",
                 responses={"SECRET_HASH": secret_hash(SECRET, "carol", "customsecret")})
    assert done["AuthenticationResult"]


def test_client_without_custom_auth(idp: Any) -> None:
    code, message, reason = refused(lambda: start(idp, client_id="custompassword"))
    assert (code, message) == ("InvalidParameterException", "CUSTOM_AUTH is not enabled for the client.")
    assert "needs ALLOW_CUSTOM_AUTH" in reason


# -- users ------------------------------------------------------------------------------------------------------


def test_unknown_user_legacy_is_user_not_found(idp: Any) -> None:
    code, message, _ = refused(lambda: start(idp, username="nobody"))
    assert (code, message) == ("UserNotFoundException", "User does not exist.")
    assert triggers.EVENTS == []


def test_unknown_user_hidden_gets_a_challenge_but_never_tokens(idp: Any) -> None:
    first = start(idp, username="nobody", client_id="customhidden")
    assert first["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert first["ChallengeParameters"]["USERNAME"] == "nobody"
    event = events("DefineAuthChallenge")[0]
    assert event["request"]["userNotFound"] is True and event["request"]["userAttributes"] == {}
    code, message, reason = refused(lambda: reply(idp, first, "42", username="nobody", client_id="customhidden"))
    assert (code, message) == ("NotAuthorizedException", "Incorrect username or password.")
    assert "does not exist" in reason
    # A known user through the same client: userNotFound false.
    start(idp, client_id="customhidden")
    assert events("DefineAuthChallenge")[-1]["request"]["userNotFound"] is False


def test_disabled_user_is_refused_before_any_trigger(idp: Any) -> None:
    code, message, _ = refused(lambda: start(idp, username="dave"))
    assert (code, message) == ("NotAuthorizedException", "User is disabled.")
    assert triggers.EVENTS == []


# -- SRP_A + PASSWORD_VERIFIER, then CUSTOM_CHALLENGE ----------------------------------------------------------


def _srp_custom_start(idp: Any, password: str) -> tuple[AWSSRP, dict, dict]:
    helper = AWSSRP(username="carol", password=password, pool_id=SRP_POOL, client_id="customsrp01app", client=idp)
    params = {**helper.get_auth_params(), "CHALLENGE_NAME": "SRP_A"}
    first = idp.initiate_auth(ClientId="customsrp01app", AuthFlow="CUSTOM_AUTH", AuthParameters=params)
    return helper, first, params


def test_srp_a_password_verifier_then_custom_challenge(idp: Any) -> None:
    helper, first, params = _srp_custom_start(idp, PASSWORD)
    assert first["ChallengeName"] == "PASSWORD_VERIFIER"
    assert events("DefineAuthChallenge")[0]["request"]["session"] == [
        {"challengeName": "SRP_A", "challengeResult": True, "challengeMetadata": None}]
    answer = helper.process_challenge(first["ChallengeParameters"], params)
    second = idp.respond_to_auth_challenge(ClientId="customsrp01app", ChallengeName="PASSWORD_VERIFIER",
                                           Session=first["Session"], ChallengeResponses=answer)
    assert second["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert [s["challengeName"] for s in events("DefineAuthChallenge")[-1]["request"]["session"]] == [
        "SRP_A", "PASSWORD_VERIFIER"]
    done = reply(idp, second, "42", client_id="customsrp01app")
    assert done["AuthenticationResult"]["AccessToken"]


def test_srp_custom_sequence_with_a_wrong_password(idp: Any) -> None:
    helper, first, params = _srp_custom_start(idp, "Wrong-Horse1")
    answer = helper.process_challenge(first["ChallengeParameters"], params)
    code, message, reason = refused(lambda: idp.respond_to_auth_challenge(
        ClientId="customsrp01app", ChallengeName="PASSWORD_VERIFIER", Session=first["Session"],
        ChallengeResponses=answer))
    assert (code, message) == ("NotAuthorizedException", "Incorrect username or password.")
    assert "SRP proof refused" in reason
    assert len(events("DefineAuthChallenge")) == 1


def test_password_verifier_without_srp_a(idp: Any) -> None:
    code, message, reason = refused(lambda: start(idp, client_id="customsrp01app"))
    assert (code, message) == ("InvalidParameterException", "Missing required parameter SRP_A")
    assert "asked for PASSWORD_VERIFIER" in reason


def test_srp_custom_sequence_for_a_user_with_totp_asks_for_the_code(idp: Any) -> None:
    helper = AWSSRP(username="tess", password=PASSWORD, pool_id=SRP_POOL, client_id="customsrp01app", client=idp)
    params = {**helper.get_auth_params(), "CHALLENGE_NAME": "SRP_A"}
    first = idp.initiate_auth(ClientId="customsrp01app", AuthFlow="CUSTOM_AUTH", AuthParameters=params)
    answer = helper.process_challenge(first["ChallengeParameters"], params)
    second = idp.respond_to_auth_challenge(ClientId="customsrp01app", ChallengeName="PASSWORD_VERIFIER",
                                           Session=first["Session"], ChallengeResponses=answer)
    # The pool's MFA is OFF here, so Define carries on.
    assert second["ChallengeName"] == "CUSTOM_CHALLENGE"


# -- missing and misbehaving triggers ----------------------------------------------------------------------------


def test_pool_without_triggers(idp: Any) -> None:
    code, message, reason = refused(lambda: start(idp, client_id="customnone1app"))
    assert (code, message) == ("InvalidParameterException",
                               "Custom auth lambda trigger is not configured for the user pool.")
    assert "LambdaConfig.DefineAuthChallenge" in reason


@pytest.mark.parametrize(("mode", "code", "message", "why"), [
    ("raise", "UserLambdaValidationException", "DefineAuthChallenge failed with error the trigger fell over.",
     "threw ValueError"),
    ("none", "InvalidLambdaResponseException", "Unrecognizable lambda output", "returned NoneType"),
    ("bad-name", "InvalidLambdaResponseException", "Unrecognizable lambda output", "'MAGIC_CHALLENGE'"),
    ("create", "InvalidLambdaResponseException", "Unrecognizable lambda output", "must be a map of strings"),
])
def test_misbehaving_triggers(idp: Any, mode: str, code: str, message: str, why: str) -> None:
    got = refused(lambda: idp.initiate_auth(ClientId="custommode1app", AuthFlow="CUSTOM_AUTH",
                                            AuthParameters={"USERNAME": "carol"}, ClientMetadata={"mode": mode}))
    assert got[:2] == (code, message)
    assert why in got[2]


def test_define_may_ask_for_the_totp_code(idp: Any) -> None:
    first = idp.initiate_auth(ClientId="custommode1app", AuthFlow="CUSTOM_AUTH",
                              AuthParameters={"USERNAME": "tess"}, ClientMetadata={"mode": "totp"})
    assert first["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    done = idp.respond_to_auth_challenge(
        ClientId="custommode1app", ChallengeName="SOFTWARE_TOKEN_MFA", Session=first["Session"],
        ChallengeResponses={"USERNAME": "tess", "SOFTWARE_TOKEN_MFA_CODE": pyotp.TOTP(TOTP).now()})
    assert done["AuthenticationResult"]
    code, message, _ = refused(lambda: idp.initiate_auth(
        ClientId="custommode1app", AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "carol"},
        ClientMetadata={"mode": "totp"}))
    assert (code, message) == ("SoftwareTokenMFANotFoundException", "Software Token MFA does not exist for the user.")


def test_admin_initiate_auth_with_custom_auth(idp: Any) -> None:
    first = idp.admin_initiate_auth(UserPoolId=POOL, ClientId="customapp", AuthFlow="CUSTOM_AUTH",
                                    AuthParameters={"USERNAME": "carol"})
    done = idp.admin_respond_to_auth_challenge(
        UserPoolId=POOL, ClientId="customapp", ChallengeName="CUSTOM_CHALLENGE", Session=first["Session"],
        ChallengeResponses={"USERNAME": "carol", "ANSWER": "42"})
    assert done["AuthenticationResult"]
