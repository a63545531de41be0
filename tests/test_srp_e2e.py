"""USER_SRP_AUTH end to end with the real client: pycognito (unmodified) against a running emulator.

The emulator verifies the PASSWORD_CLAIM_SIGNATURE, so a wrong password fails exactly as on AWS."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from pycognito import Cognito
from pycognito.aws_srp import AWSSRP
from pycognito.exceptions import ForceChangePasswordException

from emulator.cognito import srp
from emulator.testing import free_port, running_emulator
from tests.conftest import cognito_client, refused

pytestmark = pytest.mark.e2e

POOL = "us-east-1_SrpEndToE1"
ALIAS_POOL = "us-east-1_SrpAlias01"
SECRET = "srpclientsecret0123456789abc"
ALIAS_USER = str(uuid.UUID("6f1c2a4e-0b7d-4c1e-9a55-3d2f8e1b7c90"))
SRP_FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def _config(url: str) -> dict[str, Any]:
    # pycognito checks `iss` against <endpoint_url>/<poolId> and fetches the JWKS there, so the
    # pools declare that Issuer (the emulator serves both).
    return {"UserPools": [{
        "Id": POOL, "Name": "srp-e2e", "Issuer": f"{url}/{POOL}",
        "Users": [
            {"Username": "alice", "Password": "Correct-Horse1", "UserAttributes": {"email": "alice@example.com"}},
            {"Username": "newbie", "TemporaryPassword": "Temp-Passw0rd!"},
            {"Username": "newbie2", "TemporaryPassword": "Temp-Passw0rd!"},
            {"Username": "off", "Password": "Correct-Horse1", "Enabled": False},
        ],
        "Clients": [
            {"ClientName": "srp", "ClientId": "srpclient", "ExplicitAuthFlows": SRP_FLOWS},
            {"ClientName": "srp-secret", "ClientId": "srpsecret", "ClientSecret": SECRET,
             "ExplicitAuthFlows": SRP_FLOWS},
            {"ClientName": "hidden", "ClientId": "srphidden", "PreventUserExistenceErrors": "ENABLED",
             "ExplicitAuthFlows": SRP_FLOWS},
            {"ClientName": "password-only", "ClientId": "pwonly",
             "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]},
        ],
    }, {
        "Id": ALIAS_POOL, "Name": "srp-alias", "Issuer": f"{url}/{ALIAS_POOL}", "UsernameAttributes": ["email"],
        "Users": [{"Username": ALIAS_USER, "Password": "Correct-Horse1",
                   "UserAttributes": {"email": "bob@example.com", "email_verified": "true"}}],
        "Clients": [
            {"ClientName": "alias", "ClientId": "aliasclient", "ClientSecret": SECRET,
             "ExplicitAuthFlows": SRP_FLOWS},
            {"ClientName": "alias-hidden", "ClientId": "aliashidden", "PreventUserExistenceErrors": "ENABLED",
             "ExplicitAuthFlows": SRP_FLOWS},
        ],
    }]}


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running_emulator(_config(base), port=port) as server:
        yield server.url


@pytest.fixture(scope="module")
def idp(url: str) -> Any:
    return cognito_client(url)


def user(url: str, username: str, client_id: str = "srpclient", pool: str = POOL, **kwargs: Any) -> Cognito:
    """pycognito's Cognito, given the emulator as its endpoint the supported way (boto3_client_kwargs)."""
    return Cognito(pool, client_id, username=username, boto3_client_kwargs={"endpoint_url": url}, **kwargs)


def srp_round(idp: Any, username: str, password: str, client_id: str = "srpclient", pool: str = POOL,
              secret: str | None = None) -> tuple[AWSSRP, dict, dict]:
    """InitiateAuth(USER_SRP_AUTH) with pycognito's maths: (helper, challenge, the answer pycognito would send)."""
    helper = AWSSRP(username=username, password=password, pool_id=pool, client_id=client_id, client=idp,
                    client_secret=secret)
    auth_params = helper.get_auth_params()
    first = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=auth_params)
    answer = helper.process_challenge(first["ChallengeParameters"], auth_params)
    return helper, first, answer


# -- the real client ---------------------------------------------------------------------------------


def test_pycognito_signs_in_with_the_right_password_and_verifies_the_tokens(url: str) -> None:
    alice = user(url, "alice")
    alice.authenticate(password="Correct-Horse1")
    # pycognito verified both tokens against the emulator's JWKS and issuer while signing in.
    assert alice.access_claims["username"] == "alice"
    assert alice.id_claims["email"] == "alice@example.com"
    assert alice.refresh_token


def test_pycognito_with_a_wrong_password_gets_incorrect_username_or_password(url: str) -> None:
    code, message, reason = refused(lambda: user(url, "alice").authenticate(password="Wrong-Horse1"))
    assert (code, message) == ("NotAuthorizedException", "Incorrect username or password.")
    assert "SRP proof refused" in reason and "PASSWORD_CLAIM_SIGNATURE does not match" in reason


def test_pycognito_with_a_client_secret(url: str) -> None:
    alice = user(url, "alice", client_id="srpsecret", client_secret=SECRET)
    alice.authenticate(password="Correct-Horse1")
    assert alice.access_claims["client_id"] == "srpsecret"
    code, message, reason = refused(
        lambda: user(url, "alice", client_id="srpsecret", client_secret="not-the-secret").authenticate(
            password="Correct-Horse1"))
    assert (code, message) == ("NotAuthorizedException", "Unable to verify secret hash for client srpsecret")
    assert "SECRET_HASH does not match" in reason


def test_pycognito_refresh_after_srp_sign_in(url: str) -> None:
    alice = user(url, "alice")
    alice.authenticate(password="Correct-Horse1")
    first_access = alice.access_token
    alice.renew_access_token()
    assert alice.access_token != first_access


def test_srp_on_a_client_without_the_flow(url: str) -> None:
    code, message, reason = refused(lambda: user(url, "alice", client_id="pwonly").authenticate(
        password="Correct-Horse1"))
    assert (code, message) == ("InvalidParameterException", "USER_SRP_AUTH is not enabled for the client.")
    assert "needs ALLOW_USER_SRP_AUTH" in reason


def test_disabled_user_is_refused_at_initiate(url: str) -> None:
    code, message, reason = refused(lambda: user(url, "off").authenticate(password="Correct-Horse1"))
    assert (code, message) == ("NotAuthorizedException", "User is disabled.")
    assert "disabled" in reason


# -- the challenge's shape ---------------------------------------------------------------------------


def test_password_verifier_parameters_are_canonical(idp: Any) -> None:
    _, first, _ = srp_round(idp, "alice", "Correct-Horse1")
    params = first["ChallengeParameters"]
    assert first["ChallengeName"] == "PASSWORD_VERIFIER"
    assert set(params) == {"SALT", "SRP_B", "SECRET_BLOCK", "USERNAME", "USER_ID_FOR_SRP"}
    assert params["USERNAME"] == params["USER_ID_FOR_SRP"] == "alice"
    for name in ("SALT", "SRP_B"):
        assert re.fullmatch(r"[1-9a-f][0-9a-f]*", params[name])
    assert base64.b64decode(params["SECRET_BLOCK"], validate=True)


# -- the answer: replays, foreign blocks, clocks ------------------------------------------------------


def test_answer_without_session_is_found_by_its_secret_block_and_is_single_use(idp: Any) -> None:
    _, first, answer = srp_round(idp, "alice", "Correct-Horse1")
    done = idp.respond_to_auth_challenge(ClientId="srpclient", ChallengeName="PASSWORD_VERIFIER",
                                         ChallengeResponses=answer)
    assert done["AuthenticationResult"]["AccessToken"]
    code, message, reason = refused(lambda: idp.respond_to_auth_challenge(
        ClientId="srpclient", ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=answer))
    assert (code, message) == ("NotAuthorizedException", "Incorrect username or password.")
    assert "already answered" in reason
    # Replaying with the Session too: the session is spent.
    code, message, reason = refused(lambda: idp.respond_to_auth_challenge(
        ClientId="srpclient", ChallengeName="PASSWORD_VERIFIER", Session=first["Session"],
        ChallengeResponses=answer))
    assert (code, message) == ("NotAuthorizedException", "Invalid session for the user.")
    assert "single-use" in reason


def test_answer_with_session_spends_the_secret_block_too(idp: Any) -> None:
    _, first, answer = srp_round(idp, "alice", "Correct-Horse1")
    assert idp.respond_to_auth_challenge(ClientId="srpclient", ChallengeName="PASSWORD_VERIFIER",
                                         Session=first["Session"], ChallengeResponses=answer)["AuthenticationResult"]
    code, message, _ = refused(lambda: idp.respond_to_auth_challenge(
        ClientId="srpclient", ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=answer))
    assert (code, message) == ("NotAuthorizedException", "Incorrect username or password.")


def test_a_foreign_secret_block_is_refused(idp: Any) -> None:
    _, first, answer = srp_round(idp, "alice", "Correct-Horse1")
    _, second, _ = srp_round(idp, "alice", "Correct-Horse1")
    # Another sign-in's block, with this sign-in's Session.
    crossed = {**answer, "PASSWORD_CLAIM_SECRET_BLOCK": second["ChallengeParameters"]["SECRET_BLOCK"]}
    code, message, reason = refused(lambda: idp.respond_to_auth_challenge(
        ClientId="srpclient", ChallengeName="PASSWORD_VERIFIER", Session=first["Session"],
        ChallengeResponses=crossed))
    assert (code, message) == ("NotAuthorizedException", "Incorrect username or password.")
    assert "not the SECRET_BLOCK of this challenge" in reason
    # A block the emulator never issued, without a Session.
    forged = {**answer, "PASSWORD_CLAIM_SECRET_BLOCK": base64.b64encode(b"x" * 64).decode()}
    code, message, reason = refused(lambda: idp.respond_to_auth_challenge(
        ClientId="srpclient", ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=forged))
    assert (code, message) == ("NotAuthorizedException", "Incorrect username or password.")
    assert "not a SECRET_BLOCK this emulator issued" in reason


def test_a_block_answered_through_another_client_is_refused(idp: Any) -> None:
    _, _, answer = srp_round(idp, "alice", "Correct-Horse1")
    code, message, reason = refused(lambda: idp.respond_to_auth_challenge(
        ClientId="srphidden", ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=answer))
    assert (code, message) == ("NotAuthorizedException", "Invalid session for the user.")
    assert "issued to client srpclient" in reason


def _resign(helper: AWSSRP, params: dict, answer: dict, stamp: str) -> dict:
    """pycognito's answer, signed again over another TIMESTAMP (as a client with that clock would)."""
    key = helper.get_password_authentication_key("alice", "Correct-Horse1", int(params["SRP_B"], 16), params["SALT"])
    message = (POOL.split("_")[1] + "alice").encode() + base64.b64decode(params["SECRET_BLOCK"]) + stamp.encode()
    signature = base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()
    return {**answer, "TIMESTAMP": stamp, "PASSWORD_CLAIM_SIGNATURE": signature}


def _wrong_weekday(stamp: str) -> str:
    days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    return days[(days.index(stamp[:3]) + 1) % 7] + stamp[3:]


@pytest.mark.parametrize(("reword", "why"), [
    (lambda helper: helper.get_cognito_formatted_timestamp(datetime.now(UTC) - timedelta(minutes=10)),
     "from the emulator's clock"),
    (lambda helper: _wrong_weekday(helper.get_cognito_formatted_timestamp(datetime.now(UTC))),
     "must be written exactly"),
])
def test_a_stale_or_reworded_timestamp_is_refused(idp: Any, reword: Any, why: str) -> None:
    helper, first, answer = srp_round(idp, "alice", "Correct-Horse1")
    resigned = _resign(helper, first["ChallengeParameters"], answer, reword(helper))
    code, message, reason = refused(lambda: idp.respond_to_auth_challenge(
        ClientId="srpclient", ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=resigned))
    assert (code, message) == ("NotAuthorizedException", "Incorrect username or password.")
    assert why in reason


def test_the_same_resigned_answer_with_the_real_timestamp_passes(idp: Any) -> None:
    helper, first, answer = srp_round(idp, "alice", "Correct-Horse1")
    resigned = _resign(helper, first["ChallengeParameters"], answer,
                       helper.get_cognito_formatted_timestamp(datetime.now(UTC)))
    assert idp.respond_to_auth_challenge(ClientId="srpclient", ChallengeName="PASSWORD_VERIFIER",
                                         ChallengeResponses=resigned)["AuthenticationResult"]


def test_an_unparsable_timestamp_and_a_missing_username(idp: Any) -> None:
    _, _, answer = srp_round(idp, "alice", "Correct-Horse1")
    code, message, reason = refused(lambda: idp.respond_to_auth_challenge(
        ClientId="srpclient", ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses={**answer, "TIMESTAMP": "2024-01-02T03:04:05Z"}))
    assert (code, message) == ("InvalidParameterException",
                               "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.")
    assert "is not 'EEE MMM d HH:mm:ss z yyyy'" in reason
    _, _, answer = srp_round(idp, "alice", "Correct-Horse1")
    without = {k: v for k, v in answer.items() if k != "USERNAME"}
    code, message, reason = refused(lambda: idp.respond_to_auth_challenge(
        ClientId="srpclient", ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=without))
    assert (code, message) == ("InvalidParameterException", "Missing required parameter USERNAME")
    assert "no USERNAME" in reason


@pytest.mark.parametrize("a_hex", [srp.N_HEX, "0", format(2 * srp.N, "x"), "zz"])
def test_srp_a_that_is_zero_mod_n_or_not_hex_is_refused(idp: Any, a_hex: str) -> None:
    code, message, reason = refused(lambda: idp.initiate_auth(
        ClientId="srpclient", AuthFlow="USER_SRP_AUTH", AuthParameters={"USERNAME": "alice", "SRP_A": a_hex}))
    assert (code, message) == ("InvalidParameterException", "Invalid SRP_A value")
    assert "A mod N is 0" in reason


def test_missing_srp_a(idp: Any) -> None:
    code, message, reason = refused(lambda: idp.initiate_auth(
        ClientId="srpclient", AuthFlow="USER_SRP_AUTH", AuthParameters={"USERNAME": "alice"}))
    assert (code, message) == ("InvalidParameterException", "Missing required parameter SRP_A")
    assert "no SRP_A" in reason


# -- unknown users ----------------------------------------------------------------------------------


def test_unknown_user_legacy_is_user_not_found_at_initiate(url: str) -> None:
    code, message, reason = refused(lambda: user(url, "nobody").authenticate(password="Correct-Horse1"))
    assert (code, message) == ("UserNotFoundException", "User does not exist.")
    assert "no user 'nobody'" in reason


def test_unknown_user_with_prevent_user_existence_errors_gets_a_stable_simulated_challenge(idp: Any) -> None:
    _, first, answer = srp_round(idp, "nobody", "Correct-Horse1", client_id="srphidden")
    _, again, _ = srp_round(idp, "NoBody", "Correct-Horse1", client_id="srphidden")
    assert first["ChallengeName"] == "PASSWORD_VERIFIER"
    assert first["ChallengeParameters"]["SALT"] == again["ChallengeParameters"]["SALT"]
    assert first["ChallengeParameters"]["SRP_B"] != again["ChallengeParameters"]["SRP_B"]
    _, other, _ = srp_round(idp, "somebody", "Correct-Horse1", client_id="srphidden")
    assert other["ChallengeParameters"]["SALT"] != first["ChallengeParameters"]["SALT"]
    code, message, reason = refused(lambda: idp.respond_to_auth_challenge(
        ClientId="srphidden", ChallengeName="PASSWORD_VERIFIER", Session=first["Session"],
        ChallengeResponses=answer))
    assert (code, message) == ("NotAuthorizedException", "Incorrect username or password.")
    assert "PreventUserExistenceErrors ENABLED" in reason


def test_unknown_email_in_an_email_pool_gets_a_uuid_shaped_user_id(idp: Any) -> None:
    _, first, _ = srp_round(idp, "ghost@example.com", "x", client_id="aliashidden", pool=ALIAS_POOL)
    _, again, _ = srp_round(idp, "ghost@example.com", "x", client_id="aliashidden", pool=ALIAS_POOL)
    user_id = first["ChallengeParameters"]["USER_ID_FOR_SRP"]
    assert uuid.UUID(user_id) and user_id == again["ChallengeParameters"]["USER_ID_FOR_SRP"]


# -- sign-in by alias, new password, admin flow --------------------------------------------------------


def test_sign_in_by_email_answers_with_the_real_username(url: str, idp: Any) -> None:
    _, first, _ = srp_round(idp, "bob@example.com", "Correct-Horse1", client_id="aliasclient", pool=ALIAS_POOL,
                            secret=SECRET)
    assert first["ChallengeParameters"]["USER_ID_FOR_SRP"] == ALIAS_USER
    assert first["ChallengeParameters"]["USERNAME"] == ALIAS_USER
    bob = user(url, "bob@example.com", client_id="aliasclient", pool=ALIAS_POOL, client_secret=SECRET)
    bob.authenticate(password="Correct-Horse1")
    assert bob.access_claims["username"] == ALIAS_USER
    assert bob.id_claims["email"] == "bob@example.com"


def test_new_password_required_after_srp_with_pycognito(url: str) -> None:
    with pytest.raises(ForceChangePasswordException):
        user(url, "newbie").authenticate(password="Temp-Passw0rd!")
    newbie = user(url, "newbie")
    newbie.new_password_challenge(password="Temp-Passw0rd!", new_password="Brand-New-Passw0rd!")
    assert newbie.access_claims["username"] == "newbie"
    again = user(url, "newbie")
    again.authenticate(password="Brand-New-Passw0rd!")
    code, message, _ = refused(lambda: user(url, "newbie").authenticate(password="Temp-Passw0rd!"))
    assert (code, message) == ("NotAuthorizedException", "Incorrect username or password.")


def test_new_password_challenge_parameters_after_srp(idp: Any) -> None:
    _, first, answer = srp_round(idp, "newbie2", "Temp-Passw0rd!")
    second = idp.respond_to_auth_challenge(ClientId="srpclient", ChallengeName="PASSWORD_VERIFIER",
                                           ChallengeResponses=answer)
    assert second["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert second["ChallengeParameters"]["USER_ID_FOR_SRP"] == "newbie2"
    assert 20 <= len(second["Session"]) <= 2048


def test_admin_initiate_auth_with_user_srp_auth(idp: Any) -> None:
    helper = AWSSRP(username="alice", password="Correct-Horse1", pool_id=POOL, client_id="srpclient", client=idp)
    auth_params = helper.get_auth_params()
    first = idp.admin_initiate_auth(UserPoolId=POOL, ClientId="srpclient", AuthFlow="USER_SRP_AUTH",
                                    AuthParameters=auth_params)
    assert first["ChallengeName"] == "PASSWORD_VERIFIER"
    answer = helper.process_challenge(first["ChallengeParameters"], auth_params)
    done = idp.admin_respond_to_auth_challenge(UserPoolId=POOL, ClientId="srpclient",
                                               ChallengeName="PASSWORD_VERIFIER", Session=first["Session"],
                                               ChallengeResponses=answer)
    claims = jwt.decode(done["AuthenticationResult"]["AccessToken"], options={"verify_signature": False})
    assert claims["username"] == "alice"
    # The wrong password through the admin pair fails the same way.
    wrong = AWSSRP(username="alice", password="nope", pool_id=POOL, client_id="srpclient", client=idp)
    params = wrong.get_auth_params()
    first = idp.admin_initiate_auth(UserPoolId=POOL, ClientId="srpclient", AuthFlow="USER_SRP_AUTH",
                                    AuthParameters=params)
    answer = wrong.process_challenge(first["ChallengeParameters"], params)
    code, message, reason = refused(lambda: idp.admin_respond_to_auth_challenge(
        UserPoolId=POOL, ClientId="srpclient", ChallengeName="PASSWORD_VERIFIER", Session=first["Session"],
        ChallengeResponses=answer))
    assert (code, message) == ("NotAuthorizedException", "Incorrect username or password.")
    assert "SRP proof refused" in reason
