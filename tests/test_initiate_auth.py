"""InitiateAuth / AdminInitiateAuth through an unmodified boto3 client: every flow and error of
AWS_BEHAVIOR §2, each with AWS's `__type`/message and the plain-words reason header."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest

from emulator.cognito.lookup import secret_hash
from emulator.testing import running_emulator
from tests.conftest import cognito_client, refused

pytestmark = pytest.mark.e2e

POOL = "us-east-1_AuthTest01"
SECRET = "clientsecret0123456789abcdef"

CONFIG = {
    "UserPools": [{
        "Id": POOL,
        "Name": "auth-tests",
        "Schema": [{"Name": "tier", "AttributeDataType": "String"}],
        "Groups": [{"GroupName": "admin"}],
        "Users": [
            {"Username": "alice", "Password": "Correct-Horse1", "Groups": ["admin"],
             "UserAttributes": {"email": "alice@example.com", "email_verified": "true", "custom:tier": "gold"}},
            {"Username": "pending", "Password": "Correct-Horse1", "UserStatus": "UNCONFIRMED"},
            {"Username": "disabled", "Password": "Correct-Horse1", "Enabled": False},
            {"Username": "reset", "Password": "Correct-Horse1", "UserStatus": "RESET_REQUIRED"},
            {"Username": "newbie", "TemporaryPassword": "Temp-Passw0rd!",
             "UserAttributes": {"email": "newbie@example.com"}},
        ],
        "Clients": [
            {"ClientName": "password", "ClientId": "passwordclient",
             "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]},
            {"ClientName": "secret", "ClientId": "secretclient", "ClientSecret": SECRET,
             "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]},
            {"ClientName": "hidden", "ClientId": "hiddenclient", "PreventUserExistenceErrors": "ENABLED",
             "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]},
            {"ClientName": "admin", "ClientId": "adminclient",
             "ExplicitAuthFlows": ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]},
            {"ClientName": "legacy-admin", "ClientId": "legacyadmin", "ExplicitAuthFlows": ["ADMIN_NO_SRP_AUTH"]},
            {"ClientName": "hosted-ui", "ClientId": "hostedui"},
            {"ClientName": "short", "ClientId": "shortlived", "AccessTokenValidity": 5, "IdTokenValidity": 10,
             "TokenValidityUnits": {"AccessToken": "minutes", "IdToken": "minutes"},
             "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]},
        ],
    }, {
        "Id": "us-east-1_Other0001",
        "Name": "other",
        "Clients": [{"ClientName": "other", "ClientId": "otherclient",
                     "ExplicitAuthFlows": ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}],
    }],
}


def password_auth(idp: Any, client_id: str, username: str, password: str, **extra: str) -> dict:
    return idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": username, "PASSWORD": password, **extra})


def test_password_flow_returns_tokens_for_a_password_client(idp: Any) -> None:
    result = password_auth(idp, "passwordclient", "alice", "Correct-Horse1")
    auth = result["AuthenticationResult"]
    assert result["ChallengeParameters"] == {}
    assert auth["TokenType"] == "Bearer" and auth["ExpiresIn"] == 3600
    assert {"AccessToken", "IdToken", "RefreshToken"} <= auth.keys()


def test_password_flow_rejected_for_hosted_ui_client(idp: Any) -> None:
    code, message, reason = refused(lambda: password_auth(idp, "hostedui", "alice", "Correct-Horse1"))
    assert (code, message) == ("InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client")
    assert reason == ("client 'hosted-ui' allows ALLOW_USER_SRP_AUTH, ALLOW_CUSTOM_AUTH, ALLOW_REFRESH_TOKEN_AUTH; "
                      "USER_PASSWORD_AUTH needs ALLOW_USER_PASSWORD_AUTH")


@pytest.mark.parametrize(("client_id", "username", "password", "expected_code", "expected_message", "why"), [
    ("passwordclient", "alice", "wrong", "NotAuthorizedException", "Incorrect username or password.", "password"),
    ("passwordclient", "nobody", "x", "UserNotFoundException", "User does not exist.", "no user 'nobody'"),
    ("hiddenclient", "nobody", "x", "NotAuthorizedException", "Incorrect username or password.",
     "PreventUserExistenceErrors ENABLED"),
    ("passwordclient", "pending", "wrong", "UserNotConfirmedException", "User is not confirmed.", "confirm"),
    ("passwordclient", "disabled", "Correct-Horse1", "NotAuthorizedException", "User is disabled.", "disabled"),
    ("passwordclient", "reset", "Correct-Horse1", "PasswordResetRequiredException",
     "Password reset required for the user", "RESET_REQUIRED"),
    ("nosuchclient", "alice", "x", "ResourceNotFoundException", "User pool client nosuchclient does not exist.",
     "no app client"),
])
def test_password_flow_errors(idp: Any, client_id: str, username: str, password: str, expected_code: str,
                              expected_message: str, why: str) -> None:
    code, message, reason = refused(lambda: password_auth(idp, client_id, username, password))
    assert (code, message) == (expected_code, expected_message)
    assert why in reason


def test_missing_password_parameter_is_named(idp: Any) -> None:
    code, message, reason = refused(lambda: idp.initiate_auth(
        ClientId="passwordclient", AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "alice"}))
    assert (code, message) == ("InvalidParameterException", "Missing required parameter PASSWORD")
    assert "PASSWORD" in reason


def test_missing_username_parameter_is_named(idp: Any) -> None:
    code, message, _ = refused(lambda: idp.initiate_auth(
        ClientId="passwordclient", AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"PASSWORD": "x"}))
    assert (code, message) == ("InvalidParameterException", "Missing required parameter USERNAME")


def test_secret_hash_is_required_and_checked(idp: Any) -> None:
    good = secret_hash(SECRET, "alice", "secretclient")
    assert password_auth(idp, "secretclient", "alice", "Correct-Horse1", SECRET_HASH=good)["AuthenticationResult"]

    code, message, reason = refused(lambda: password_auth(idp, "secretclient", "alice", "Correct-Horse1"))
    assert (code, message) == ("NotAuthorizedException",
                               "Client secretclient is configured for secret but secret was not received")
    assert "HMAC-SHA256" in reason

    code, message, reason = refused(lambda: password_auth(idp, "secretclient", "alice", "Correct-Horse1",
                                                          SECRET_HASH=secret_hash(SECRET, "bob", "secretclient")))
    assert (code, message) == ("NotAuthorizedException", "Unable to verify secret hash for client secretclient")
    assert "does not match" in reason


def test_client_secret_sent_as_secret_hash_is_explained(idp: Any) -> None:
    # The seed article's auth.json puts the secret itself in SECRET_HASH: AWS refuses it.
    code, message, reason = refused(lambda: password_auth(idp, "secretclient", "alice", "Correct-Horse1",
                                                          SECRET_HASH=SECRET))
    assert (code, message) == ("NotAuthorizedException", "Unable to verify secret hash for client secretclient")
    assert "client secret itself" in reason


def test_secret_hash_sent_to_a_client_without_secret(idp: Any) -> None:
    code, message, _ = refused(lambda: password_auth(idp, "passwordclient", "alice", "Correct-Horse1",
                                                     SECRET_HASH="abc="))
    assert (code, message) == ("InvalidParameterException",
                               "App client passwordclient is not configured for secret but secret hash was received")


def test_admin_flow_on_initiate_auth_is_refused(idp: Any) -> None:
    code, message, reason = refused(lambda: idp.initiate_auth(
        ClientId="adminclient", AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": "Correct-Horse1"}))
    assert (code, message) == ("InvalidParameterException", "Initiate Auth method not supported.")
    assert "AdminInitiateAuth" in reason


@pytest.mark.parametrize("flow", ["ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"])
@pytest.mark.parametrize("client_id", ["adminclient", "legacyadmin"])
def test_admin_password_flows(idp: Any, flow: str, client_id: str) -> None:
    result = idp.admin_initiate_auth(UserPoolId=POOL, ClientId=client_id, AuthFlow=flow,
                                     AuthParameters={"USERNAME": "alice", "PASSWORD": "Correct-Horse1"})
    assert result["AuthenticationResult"]["IdToken"]


def test_admin_flow_not_enabled_for_password_client(idp: Any) -> None:
    code, message, reason = refused(lambda: idp.admin_initiate_auth(
        UserPoolId=POOL, ClientId="passwordclient", AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": "Correct-Horse1"}))
    assert (code, message) == ("InvalidParameterException", "Auth flow not enabled for this client")
    assert "ALLOW_ADMIN_USER_PASSWORD_AUTH" in reason


def test_admin_initiate_auth_unknown_pool_and_foreign_client(idp: Any) -> None:
    code, message, _ = refused(lambda: idp.admin_initiate_auth(
        UserPoolId="us-east-1_Nope00000", ClientId="adminclient", AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": "Correct-Horse1"}))
    assert (code, message) == ("ResourceNotFoundException", "User pool us-east-1_Nope00000 does not exist.")
    code, message, reason = refused(lambda: idp.admin_initiate_auth(
        UserPoolId=POOL, ClientId="otherclient", AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": "Correct-Horse1"}))
    assert (code, message) == ("ResourceNotFoundException", "User pool client otherclient does not exist.")
    assert "belongs to pool us-east-1_Other0001" in reason


def test_refresh_flow_gives_new_tokens_keeping_auth_time(idp: Any) -> None:
    first = password_auth(idp, "passwordclient", "alice", "Correct-Horse1")["AuthenticationResult"]
    again = idp.initiate_auth(ClientId="passwordclient", AuthFlow="REFRESH_TOKEN_AUTH",
                              AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]})["AuthenticationResult"]
    assert "RefreshToken" not in again  # no rotation: AWS returns no new refresh token
    old, new = (jwt.decode(t, options={"verify_signature": False}) for t in (first["IdToken"], again["IdToken"]))
    assert new["auth_time"] == old["auth_time"] and new["origin_jti"] == old["origin_jti"]
    assert new["jti"] != old["jti"]


def test_refresh_with_secret_uses_the_internal_username(idp: Any) -> None:
    first = password_auth(idp, "secretclient", "alice", "Correct-Horse1",
                          SECRET_HASH=secret_hash(SECRET, "alice", "secretclient"))["AuthenticationResult"]
    ok = idp.initiate_auth(ClientId="secretclient", AuthFlow="REFRESH_TOKEN", AuthParameters={
        "REFRESH_TOKEN": first["RefreshToken"], "SECRET_HASH": secret_hash(SECRET, "alice", "secretclient")})
    assert ok["AuthenticationResult"]["AccessToken"]
    code, message, reason = refused(lambda: idp.initiate_auth(
        ClientId="secretclient", AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": first["RefreshToken"],
                        "SECRET_HASH": secret_hash(SECRET, "alice@example.com", "secretclient")}))
    assert (code, message) == ("NotAuthorizedException", "SecretHash does not match for the client: secretclient")
    assert "cognito:username" in reason


def test_refresh_token_errors(idp: Any) -> None:
    code, message, _ = refused(lambda: idp.initiate_auth(
        ClientId="passwordclient", AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": "garbage"}))
    assert (code, message) == ("NotAuthorizedException", "Invalid Refresh Token.")
    tokens = password_auth(idp, "passwordclient", "alice", "Correct-Horse1")["AuthenticationResult"]
    code, message, reason = refused(lambda: idp.initiate_auth(
        ClientId="hiddenclient", AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]}))
    assert (code, message) == ("NotAuthorizedException", "Invalid Refresh Token.")
    assert "issued to client passwordclient" in reason
    idp.global_sign_out(AccessToken=tokens["AccessToken"])
    code, message, reason = refused(lambda: idp.initiate_auth(
        ClientId="passwordclient", AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]}))
    assert (code, message) == ("NotAuthorizedException", "Refresh Token has been revoked")
    assert "revoked" in reason


def test_refresh_token_expires() -> None:
    clock = {"now": 1_800_000_000.0}
    with running_emulator(CONFIG, clock=lambda: clock["now"]) as server:
        idp = cognito_client(server.url)
        tokens = password_auth(idp, "passwordclient", "alice", "Correct-Horse1")["AuthenticationResult"]
        clock["now"] += 30 * 86400 + 1
        code, message, reason = refused(lambda: idp.initiate_auth(
            ClientId="passwordclient", AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]}))
        assert (code, message) == ("NotAuthorizedException", "Refresh Token has expired")
        assert "RefreshTokenValidity" in reason
        code, message, _ = refused(lambda: idp.get_user(AccessToken=tokens["AccessToken"]))
        assert (code, message) == ("NotAuthorizedException", "Access Token has expired")


def test_new_password_required_then_respond(idp: Any) -> None:
    first = password_auth(idp, "passwordclient", "newbie", "Temp-Passw0rd!")
    assert first["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    params = first["ChallengeParameters"]
    assert params["USER_ID_FOR_SRP"] == "newbie"
    assert '"email": "newbie@example.com"' in params["userAttributes"]
    assert 20 <= len(first["Session"]) <= 2048

    code, message, _ = refused(lambda: idp.respond_to_auth_challenge(
        ClientId="passwordclient", ChallengeName="NEW_PASSWORD_REQUIRED", Session=first["Session"],
        ChallengeResponses={"USERNAME": "newbie", "NEW_PASSWORD": "short"}))
    assert code == "InvalidPasswordException"
    assert message == "Password did not conform with policy: Password not long enough"

    again = password_auth(idp, "passwordclient", "newbie", "Temp-Passw0rd!")
    done = idp.respond_to_auth_challenge(
        ClientId="passwordclient", ChallengeName="NEW_PASSWORD_REQUIRED", Session=again["Session"],
        ChallengeResponses={"USERNAME": "newbie", "NEW_PASSWORD": "Brand-New-Passw0rd!",
                            "userAttributes.name": "New Bie"})
    claims = jwt.decode(done["AuthenticationResult"]["IdToken"], options={"verify_signature": False})
    assert claims["name"] == "New Bie"
    assert password_auth(idp, "passwordclient", "newbie", "Brand-New-Passw0rd!")["AuthenticationResult"]
    code, message, reason = refused(lambda: idp.respond_to_auth_challenge(
        ClientId="passwordclient", ChallengeName="NEW_PASSWORD_REQUIRED", Session=again["Session"],
        ChallengeResponses={"USERNAME": "newbie", "NEW_PASSWORD": "Another-Passw0rd!"}))
    assert (code, message) == ("NotAuthorizedException", "Invalid session for the user.")
    assert "single-use" in reason


def test_expired_session_is_reported_as_expired() -> None:
    clock = {"now": 1_800_000_000.0}
    with running_emulator(CONFIG, clock=lambda: clock["now"]) as server:
        idp = cognito_client(server.url)
        first = password_auth(idp, "passwordclient", "newbie", "Temp-Passw0rd!")
        clock["now"] += 3 * 60 + 1
        code, message, _ = refused(lambda: idp.respond_to_auth_challenge(
            ClientId="passwordclient", ChallengeName="NEW_PASSWORD_REQUIRED", Session=first["Session"],
            ChallengeResponses={"USERNAME": "newbie", "NEW_PASSWORD": "Brand-New-Passw0rd!"}))
        assert (code, message) == ("NotAuthorizedException", "Invalid session for the user, session is expired.")


def test_token_validity_follows_the_client(idp: Any) -> None:
    auth = password_auth(idp, "shortlived", "alice", "Correct-Horse1")["AuthenticationResult"]
    assert auth["ExpiresIn"] == 300
    access = jwt.decode(auth["AccessToken"], options={"verify_signature": False})
    ident = jwt.decode(auth["IdToken"], options={"verify_signature": False})
    assert access["exp"] - access["iat"] == 300 and ident["exp"] - ident["iat"] == 600


def test_get_user_and_global_sign_out(idp: Any) -> None:
    auth = password_auth(idp, "passwordclient", "alice", "Correct-Horse1")["AuthenticationResult"]
    user = idp.get_user(AccessToken=auth["AccessToken"])
    attrs = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert user["Username"] == "alice" and attrs["email"] == "alice@example.com" and "sub" in attrs
    code, message, _ = refused(lambda: idp.get_user(AccessToken=auth["IdToken"]))
    assert (code, message) == ("NotAuthorizedException", "Invalid Access Token")
    idp.global_sign_out(AccessToken=auth["AccessToken"])
    code, message, reason = refused(lambda: idp.get_user(AccessToken=auth["AccessToken"]))
    assert (code, message) == ("NotAuthorizedException", "Access Token has been revoked")
    assert "signed out" in reason
    fresh = password_auth(idp, "passwordclient", "alice", "Correct-Horse1")["AuthenticationResult"]
    assert idp.get_user(AccessToken=fresh["AccessToken"])["Username"] == "alice"


def test_get_user_with_garbage_token(idp: Any) -> None:
    code, message, _ = refused(lambda: idp.get_user(AccessToken="not-a-jwt"))
    assert (code, message) == ("NotAuthorizedException", "Invalid Access Token")


def test_every_rejection_is_logged_with_its_reason(idp: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("WARNING", logger="cognito_emulator")
    _, _, reason = refused(lambda: password_auth(idp, "hostedui", "alice", "Correct-Horse1"))
    # One line for the request: method, path, operation, status, decision, duration, AWS's error, the reason.
    # It is written once the response has gone out, so the client may see the answer a moment before.
    deadline = time.monotonic() + 5
    while True:
        lines = [r.getMessage() for r in caplog.records if r.name.startswith("cognito_emulator")]
        found = any(line.startswith("cognito-idp: POST / InitiateAuth -> 400 refused (")
                    and line.endswith("ms) InvalidParameterException: USER_PASSWORD_AUTH flow not enabled "
                                      f"for this client | why: {reason}") for line in lines)
        if found or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert found, lines
