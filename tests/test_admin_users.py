"""Admin and self-service user operations through an unmodified boto3 client: AdminCreateUser,
AdminSetUserPassword, AdminConfirmSignUp, AdminGetUser, attribute updates and deletions, enable/disable,
deletion, sign-out, AdminResetUserPassword, ChangePassword, attribute verification and RevokeToken."""

from __future__ import annotations

import time
from typing import Any

import httpx
import jwt
import pytest

from emulator.cognito.lookup import secret_hash
from emulator.server import EmulatorServer
from tests.conftest import refused

pytestmark = pytest.mark.e2e

POOL = "us-east-1_AdminUse01"
ALIAS_POOL = "us-east-1_AdminUse02"
SECRET = "revokesecret0123456789abcdef"
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]

CONFIG = {
    "UserPools": [{
        "Id": POOL,
        "Name": "admin-users",
        "AutoVerifiedAttributes": ["email"],
        "Schema": [{"Name": "team", "AttributeDataType": "String"}],
        "Users": [
            {"Username": "alice", "Password": "Correct-Horse1",
             "UserAttributes": {"email": "alice@example.com", "email_verified": "true", "given_name": "Alice"}},
            {"Username": "pending", "Password": "Correct-Horse1", "UserStatus": "UNCONFIRMED"},
        ],
        "Clients": [
            {"ClientName": "app", "ClientId": "appclient", "ExplicitAuthFlows": FLOWS},
            {"ClientName": "limited", "ClientId": "limitedclient", "ExplicitAuthFlows": FLOWS,
             "WriteAttributes": ["given_name"]},
            {"ClientName": "secret", "ClientId": "secretclient", "ClientSecret": SECRET, "ExplicitAuthFlows": FLOWS},
            {"ClientName": "norevoke", "ClientId": "norevokeclient", "EnableTokenRevocation": False,
             "ExplicitAuthFlows": FLOWS},
        ],
    }, {
        "Id": ALIAS_POOL,
        "Name": "alias",
        "AliasAttributes": ["email"],
        "Users": [
            {"Username": "owner", "Password": "Correct-Horse1",
             "UserAttributes": {"email": "shared@example.com", "email_verified": "true"}},
        ],
        "Clients": [{"ClientName": "alias", "ClientId": "aliasclient", "ExplicitAuthFlows": FLOWS}],
    }],
}


def sign_in(idp: Any, username: str, password: str, client: str = "appclient") -> dict:
    params = {"USERNAME": username, "PASSWORD": password}
    if client == "secretclient":
        params["SECRET_HASH"] = secret_hash(SECRET, username, client)
    return idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params)


def tokens_of(idp: Any, username: str, password: str = "Correct-Horse1", client: str = "appclient") -> dict:
    return sign_in(idp, username, password, client)["AuthenticationResult"]


def attributes(user: dict, key: str = "UserAttributes") -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in user[key]}


def create(idp: Any, username: str, password: str = "Temp-Passw0rd!", **extra: Any) -> dict:
    return idp.admin_create_user(UserPoolId=POOL, Username=username, TemporaryPassword=password,
                                 MessageAction="SUPPRESS", **extra)["User"]


def confirmed_user(idp: Any, username: str, **extra: Any) -> None:
    create(idp, username, **extra)
    idp.admin_set_user_password(UserPoolId=POOL, Username=username, Password="Correct-Horse1", Permanent=True)


# -- AdminCreateUser --------------------------------------------------------------------------


def test_admin_create_user_makes_a_user_who_must_change_the_password(idp: Any) -> None:
    user = create(idp, "bob", UserAttributes=[{"Name": "email", "Value": "bob@example.com"},
                                              {"Name": "email_verified", "Value": "true"}])
    assert user["Username"] == "bob" and user["UserStatus"] == "FORCE_CHANGE_PASSWORD" and user["Enabled"] is True
    assert attributes(user, "Attributes")["email"] == "bob@example.com"
    assert "sub" in attributes(user, "Attributes")
    assert user["UserCreateDate"] == user["UserLastModifiedDate"]
    challenge = sign_in(idp, "bob", "Temp-Passw0rd!")
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    result = idp.respond_to_auth_challenge(ClientId="appclient", ChallengeName="NEW_PASSWORD_REQUIRED",
                                           Session=challenge["Session"],
                                           ChallengeResponses={"USERNAME": "bob", "NEW_PASSWORD": "Correct-Horse1"})
    assert "AccessToken" in result["AuthenticationResult"]
    assert idp.admin_get_user(UserPoolId=POOL, Username="bob")["UserStatus"] == "CONFIRMED"


def test_a_generated_temporary_password_meets_the_policy_and_is_readable(server: EmulatorServer, idp: Any) -> None:
    user = idp.admin_create_user(UserPoolId=POOL, Username="generated",
                                 UserAttributes=[{"Name": "email", "Value": "generated@example.com"}],
                                 DesiredDeliveryMediums=["EMAIL"])["User"]
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    invitation = httpx.get(f"{server.url}/_emulator/codes/latest",
                           params={"pool_id": POOL, "username": "generated", "purpose": "invitation"}).json()
    assert invitation["medium"] == "EMAIL" and invitation["address"] == "generated@example.com"
    password = invitation["code"]
    assert len(password) >= 8 and any(c.isupper() for c in password) and any(c.isdigit() for c in password)
    assert sign_in(idp, "generated", password)["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_admin_create_user_twice_is_refused(idp: Any) -> None:
    create(idp, "carol")
    error, message, reason = refused(lambda: create(idp, "Carol"))
    assert (error, message) == ("UsernameExistsException", "User account already exists")
    assert "carol" in reason.lower()


def test_admin_create_user_with_a_weak_temporary_password_is_refused(idp: Any) -> None:
    error, message, reason = refused(lambda: create(idp, "weak", password="password"))
    assert (error, message) == ("InvalidPasswordException",
                                "Password did not conform with policy: Password must have uppercase characters")
    assert "TemporaryPassword" in reason


def test_resend_gives_a_new_temporary_password(idp: Any) -> None:
    create(idp, "invited")
    idp.admin_create_user(UserPoolId=POOL, Username="invited", TemporaryPassword="Other-Passw0rd!",
                          MessageAction="RESEND")
    assert sign_in(idp, "invited", "Other-Passw0rd!")["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    error, message, _ = refused(lambda: idp.admin_create_user(UserPoolId=POOL, Username="alice",
                                                              MessageAction="RESEND"))
    assert (error, message) == ("UnsupportedUserStateException",
                                "Resend not possible. alice status is not FORCE_CHANGE_PASSWORD")
    assert refused(lambda: idp.admin_create_user(UserPoolId=POOL, Username="nobody", MessageAction="RESEND"))[:2] == \
        ("UserNotFoundException", "User does not exist.")


def test_admin_create_user_in_an_unknown_pool(idp: Any) -> None:
    error, message, reason = refused(lambda: idp.admin_create_user(UserPoolId="us-east-1_Missing01", Username="x"))
    assert (error, message) == ("ResourceNotFoundException", "User pool us-east-1_Missing01 does not exist.")
    assert POOL in reason


# -- AdminSetUserPassword / AdminConfirmSignUp / AdminGetUser ----------------------------------


def test_admin_set_user_password_permanent_or_temporary(idp: Any) -> None:
    create(idp, "dave")
    idp.admin_set_user_password(UserPoolId=POOL, Username="dave", Password="Correct-Horse1", Permanent=True)
    assert idp.admin_get_user(UserPoolId=POOL, Username="dave")["UserStatus"] == "CONFIRMED"
    assert "AccessToken" in tokens_of(idp, "dave")
    idp.admin_set_user_password(UserPoolId=POOL, Username="dave", Password="Reset-Passw0rd!", Permanent=False)
    assert idp.admin_get_user(UserPoolId=POOL, Username="dave")["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert sign_in(idp, "dave", "Reset-Passw0rd!")["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    error, message, _ = refused(lambda: idp.admin_set_user_password(UserPoolId=POOL, Username="dave",
                                                                    Password="short", Permanent=True))
    assert (error, message) == ("InvalidPasswordException",
                                "Password did not conform with policy: Password not long enough")


def test_admin_confirm_sign_up(idp: Any) -> None:
    idp.admin_confirm_sign_up(UserPoolId=POOL, Username="pending")
    assert idp.admin_get_user(UserPoolId=POOL, Username="pending")["UserStatus"] == "CONFIRMED"
    error, message, reason = refused(lambda: idp.admin_confirm_sign_up(UserPoolId=POOL, Username="pending"))
    assert (error, message) == ("NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED")
    assert "UNCONFIRMED" in reason


def test_admin_get_user_shows_status_dates_and_attributes(idp: Any) -> None:
    user = idp.admin_get_user(UserPoolId=POOL, Username="alice")
    assert user["Username"] == "alice" and user["UserStatus"] == "CONFIRMED" and user["Enabled"] is True
    assert attributes(user)["email"] == "alice@example.com"
    assert user["UserAttributes"][0]["Name"] == "sub"
    assert user["UserCreateDate"].timestamp() > 0 and user["UserLastModifiedDate"].timestamp() > 0
    # Admin operations also find a user by sub.
    assert idp.admin_get_user(UserPoolId=POOL, Username=attributes(user)["sub"])["Username"] == "alice"


def test_admin_get_user_for_an_unknown_user(idp: Any) -> None:
    error, message, reason = refused(lambda: idp.admin_get_user(UserPoolId=POOL, Username="nobody"))
    assert (error, message) == ("UserNotFoundException", "User does not exist.")
    assert "nobody" in reason


# -- attributes -------------------------------------------------------------------------------


def test_changing_an_email_unverifies_it_and_stamps_the_user(idp: Any) -> None:
    confirmed_user(idp, "erin", UserAttributes=[{"Name": "email", "Value": "erin@example.com"},
                                                {"Name": "email_verified", "Value": "true"}])
    before = idp.admin_get_user(UserPoolId=POOL, Username="erin")["UserLastModifiedDate"]
    time.sleep(0.01)
    idp.admin_update_user_attributes(UserPoolId=POOL, Username="erin",
                                     UserAttributes=[{"Name": "email", "Value": "erin@new.example.com"},
                                                     {"Name": "custom:team", "Value": "blue"}])
    user = idp.admin_get_user(UserPoolId=POOL, Username="erin")
    assert attributes(user)["email"] == "erin@new.example.com"
    assert attributes(user)["email_verified"] == "false"
    assert attributes(user)["custom:team"] == "blue"
    assert user["UserLastModifiedDate"] > before
    # An admin may set the address and its verified flag in one call.
    idp.admin_update_user_attributes(UserPoolId=POOL, Username="erin",
                                     UserAttributes=[{"Name": "email", "Value": "erin@third.example.com"},
                                                     {"Name": "email_verified", "Value": "true"}])
    assert attributes(idp.admin_get_user(UserPoolId=POOL, Username="erin"))["email_verified"] == "true"


@pytest.mark.parametrize(("attribute", "value", "error", "message"), [
    ("sub", "x", "InvalidParameterException", "Cannot modify the non-mutable attribute sub"),
    ("email", "not-an-email", "InvalidParameterException", "Invalid email address format."),
    ("phone_number", "555-0100", "InvalidParameterException", "Invalid phone number format."),
    ("shoe_size", "9", "InvalidParameterException",
     "Attributes did not conform to the schema: Type for attribute {shoe_size} could not be determined"),
])
def test_admin_update_user_attributes_refusals(idp: Any, attribute: str, value: str, error: str,
                                               message: str) -> None:
    got = refused(lambda: idp.admin_update_user_attributes(UserPoolId=POOL, Username="alice",
                                                           UserAttributes=[{"Name": attribute, "Value": value}]))
    assert got[:2] == (error, message)
    assert got[2]


def test_admin_delete_user_attributes(idp: Any) -> None:
    confirmed_user(idp, "frank", UserAttributes=[{"Name": "given_name", "Value": "Frank"},
                                                 {"Name": "email", "Value": "frank@example.com"},
                                                 {"Name": "email_verified", "Value": "true"}])
    idp.admin_delete_user_attributes(UserPoolId=POOL, Username="frank", UserAttributeNames=["given_name", "email"])
    remaining = attributes(idp.admin_get_user(UserPoolId=POOL, Username="frank"))
    assert "given_name" not in remaining and "email" not in remaining and "email_verified" not in remaining


def test_a_user_updates_an_email_and_verifies_it_with_a_code(server: EmulatorServer, idp: Any) -> None:
    confirmed_user(idp, "gina", UserAttributes=[{"Name": "email", "Value": "gina@example.com"},
                                                {"Name": "email_verified", "Value": "true"}])
    access = tokens_of(idp, "gina")["AccessToken"]
    result = idp.update_user_attributes(AccessToken=access,
                                        UserAttributes=[{"Name": "email", "Value": "gina@new.example.com"}])
    assert result["CodeDeliveryDetailsList"] == [{"Destination": "g***@n***", "DeliveryMedium": "EMAIL",
                                                  "AttributeName": "email"}]
    assert attributes(idp.get_user(AccessToken=access))["email_verified"] == "false"
    error, message, _ = refused(lambda: idp.verify_user_attribute(AccessToken=access, AttributeName="email",
                                                                  Code="000000x"))
    assert (error, message) == ("CodeMismatchException", "Invalid verification code provided, please try again.")
    code = httpx.get(f"{server.url}/_emulator/codes/latest",
                     params={"pool_id": POOL, "username": "gina", "purpose": "verify:email"}).json()["code"]
    idp.verify_user_attribute(AccessToken=access, AttributeName="email", Code=code)
    assert attributes(idp.get_user(AccessToken=access))["email_verified"] == "true"
    # A fresh code on request.
    sent = idp.get_user_attribute_verification_code(AccessToken=access, AttributeName="email")
    assert sent["CodeDeliveryDetails"]["AttributeName"] == "email"


def test_a_user_cannot_verify_an_email_by_writing_the_flag(idp: Any) -> None:
    access = tokens_of(idp, "alice")["AccessToken"]
    error, message, reason = refused(lambda: idp.update_user_attributes(
        AccessToken=access, UserAttributes=[{"Name": "email_verified", "Value": "true"}]))
    assert (error, message) == ("NotAuthorizedException", "A client attempted to write unauthorized attribute")
    assert "VerifyUserAttribute" in reason


def test_a_client_writes_only_its_write_attributes(idp: Any) -> None:
    access = tokens_of(idp, "alice", client="limitedclient")["AccessToken"]
    idp.update_user_attributes(AccessToken=access, UserAttributes=[{"Name": "given_name", "Value": "Al"}])
    error, message, reason = refused(lambda: idp.update_user_attributes(
        AccessToken=access, UserAttributes=[{"Name": "family_name", "Value": "Smith"}]))
    assert (error, message) == ("NotAuthorizedException", "A client attempted to write unauthorized attribute")
    assert "given_name" in reason


def test_a_user_deletes_an_attribute(idp: Any) -> None:
    confirmed_user(idp, "hank", UserAttributes=[{"Name": "nickname", "Value": "H"}])
    access = tokens_of(idp, "hank")["AccessToken"]
    idp.delete_user_attributes(AccessToken=access, UserAttributeNames=["nickname"])
    assert "nickname" not in attributes(idp.get_user(AccessToken=access))


def test_a_verified_alias_belongs_to_one_user(idp: Any) -> None:
    idp.admin_create_user(UserPoolId=ALIAS_POOL, Username="newcomer", MessageAction="SUPPRESS",
                          TemporaryPassword="Temp-Passw0rd!")
    error, message, reason = refused(lambda: idp.admin_update_user_attributes(
        UserPoolId=ALIAS_POOL, Username="newcomer",
        UserAttributes=[{"Name": "email", "Value": "shared@example.com"}, {"Name": "email_verified",
                                                                          "Value": "true"}]))
    assert (error, message) == ("AliasExistsException", "An account with the given email already exists.")
    assert "owner" in reason
    error, message, _ = refused(lambda: idp.sign_up(ClientId="aliasclient", Username="me@example.com",
                                                    Password="Correct-Horse1"))
    assert (error, message) == ("InvalidParameterException",
                                "Username cannot be of email format, since user pool is configured for email alias.")


# -- enable, disable, delete, sign out ---------------------------------------------------------


def test_a_disabled_user_cannot_sign_in_and_its_tokens_are_revoked(idp: Any) -> None:
    confirmed_user(idp, "ivan")
    tokens = tokens_of(idp, "ivan")
    idp.admin_disable_user(UserPoolId=POOL, Username="ivan")
    assert idp.admin_get_user(UserPoolId=POOL, Username="ivan")["Enabled"] is False
    error, message, reason = refused(lambda: sign_in(idp, "ivan", "Correct-Horse1"))
    assert (error, message) == ("NotAuthorizedException", "User is disabled.")
    assert "disabled" in reason
    assert refused(lambda: idp.get_user(AccessToken=tokens["AccessToken"]))[:2] == (
        "NotAuthorizedException", "Access Token has been revoked")
    idp.admin_enable_user(UserPoolId=POOL, Username="ivan")
    assert "AccessToken" in tokens_of(idp, "ivan")


def test_admin_delete_user_and_delete_user(idp: Any) -> None:
    confirmed_user(idp, "judy")
    idp.admin_delete_user(UserPoolId=POOL, Username="judy")
    assert refused(lambda: idp.admin_get_user(UserPoolId=POOL, Username="judy"))[:2] == (
        "UserNotFoundException", "User does not exist.")
    confirmed_user(idp, "kim")
    idp.delete_user(AccessToken=tokens_of(idp, "kim")["AccessToken"])
    assert refused(lambda: idp.admin_get_user(UserPoolId=POOL, Username="kim"))[0] == "UserNotFoundException"
    assert refused(lambda: idp.admin_delete_user(UserPoolId=POOL, Username="kim"))[:2] == (
        "UserNotFoundException", "User does not exist.")


def test_admin_user_global_sign_out_revokes_refresh_and_access_tokens(idp: Any) -> None:
    confirmed_user(idp, "leo")
    tokens = tokens_of(idp, "leo")
    idp.admin_user_global_sign_out(UserPoolId=POOL, Username="leo")
    error, message, _ = refused(lambda: idp.initiate_auth(ClientId="appclient", AuthFlow="REFRESH_TOKEN_AUTH",
                                                          AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]}))
    assert (error, message) == ("NotAuthorizedException", "Refresh Token has been revoked")
    assert refused(lambda: idp.get_user(AccessToken=tokens["AccessToken"]))[:2] == (
        "NotAuthorizedException", "Access Token has been revoked")


def test_admin_reset_user_password_requires_a_reset(server: EmulatorServer, idp: Any) -> None:
    confirmed_user(idp, "mia", UserAttributes=[{"Name": "email", "Value": "mia@example.com"},
                                               {"Name": "email_verified", "Value": "true"}])
    idp.admin_reset_user_password(UserPoolId=POOL, Username="mia")
    assert idp.admin_get_user(UserPoolId=POOL, Username="mia")["UserStatus"] == "RESET_REQUIRED"
    assert refused(lambda: sign_in(idp, "mia", "Correct-Horse1"))[:2] == (
        "PasswordResetRequiredException", "Password reset required for the user")
    code = httpx.get(f"{server.url}/_emulator/codes/latest",
                     params={"pool_id": POOL, "username": "mia", "purpose": "forgot_password"}).json()["code"]
    idp.confirm_forgot_password(ClientId="appclient", Username="mia", ConfirmationCode=code,
                                Password="Battery-Staple2")
    assert idp.admin_get_user(UserPoolId=POOL, Username="mia")["UserStatus"] == "CONFIRMED"
    assert "AccessToken" in tokens_of(idp, "mia", "Battery-Staple2")


# -- ChangePassword ---------------------------------------------------------------------------


def test_change_password(idp: Any) -> None:
    confirmed_user(idp, "nina")
    access = tokens_of(idp, "nina")["AccessToken"]
    error, message, reason = refused(lambda: idp.change_password(AccessToken=access, PreviousPassword="Wrong-Horse1",
                                                                 ProposedPassword="Battery-Staple2"))
    assert (error, message) == ("NotAuthorizedException", "Incorrect username or password.")
    assert "PreviousPassword" in reason
    error, message, _ = refused(lambda: idp.change_password(AccessToken=access, PreviousPassword="Correct-Horse1",
                                                            ProposedPassword="weakpassword"))
    assert (error, message) == ("InvalidPasswordException",
                                "Password did not conform with policy: Password must have uppercase characters")
    idp.change_password(AccessToken=access, PreviousPassword="Correct-Horse1", ProposedPassword="Battery-Staple2")
    assert "AccessToken" in tokens_of(idp, "nina", "Battery-Staple2")
    assert refused(lambda: sign_in(idp, "nina", "Correct-Horse1"))[0] == "NotAuthorizedException"


# -- RevokeToken ------------------------------------------------------------------------------


def test_revoke_token_revokes_the_refresh_token_and_its_access_tokens(idp: Any) -> None:
    confirmed_user(idp, "otto")
    tokens = tokens_of(idp, "otto", client="secretclient")
    other = tokens_of(idp, "otto", client="secretclient")  # another sign-in is not affected
    idp.revoke_token(Token=tokens["RefreshToken"], ClientId="secretclient", ClientSecret=SECRET)
    refresh = {"REFRESH_TOKEN": tokens["RefreshToken"], "SECRET_HASH": secret_hash(SECRET, "otto", "secretclient")}
    assert refused(lambda: idp.initiate_auth(ClientId="secretclient", AuthFlow="REFRESH_TOKEN_AUTH",
                                             AuthParameters=refresh))[:2] == (
        "NotAuthorizedException", "Refresh Token has been revoked")
    assert refused(lambda: idp.get_user(AccessToken=tokens["AccessToken"]))[:2] == (
        "NotAuthorizedException", "Access Token has been revoked")
    assert idp.get_user(AccessToken=other["AccessToken"])["Username"] == "otto"
    # Unknown and already revoked tokens: success, as AWS answers.
    idp.revoke_token(Token=tokens["RefreshToken"], ClientId="secretclient", ClientSecret=SECRET)
    idp.revoke_token(Token="not.a.refresh.token.at-all", ClientId="secretclient", ClientSecret=SECRET)


def test_revoke_token_refusals(idp: Any) -> None:
    tokens = tokens_of(idp, "alice", client="secretclient")
    error, message, reason = refused(lambda: idp.revoke_token(Token=tokens["AccessToken"], ClientId="secretclient",
                                                              ClientSecret=SECRET))
    assert (error, message) == ("UnsupportedTokenTypeException", "Unsupported token type.")
    assert "refresh token" in reason
    error, message, reason = refused(lambda: idp.revoke_token(Token=tokens["RefreshToken"], ClientId="secretclient",
                                                              ClientSecret="wrongsecret0123456789abcdef"))
    assert (error, message) == ("UnauthorizedException", "Invalid client credentials.")
    assert "wrong" in reason
    plain = tokens_of(idp, "alice", client="norevokeclient")
    error, message, reason = refused(lambda: idp.revoke_token(Token=plain["RefreshToken"],
                                                              ClientId="norevokeclient"))
    assert (error, message) == ("UnsupportedOperationException", "Token revocation is not enabled for this app client.")
    assert "EnableTokenRevocation" in reason
    assert jwt.decode(plain["AccessToken"], options={"verify_signature": False})["client_id"] == "norevokeclient"


def test_only_present_email_or_phone_attributes_get_verification_codes(idp: Any) -> None:
    confirmed_user(idp, "pat")
    access = tokens_of(idp, "pat")["AccessToken"]
    error, message, reason = refused(lambda: idp.get_user_attribute_verification_code(AccessToken=access,
                                                                                      AttributeName="email"))
    assert (error, message) == ("InvalidParameterException", "User does not have attribute email")
    assert "no email" in reason
    error, message, _ = refused(lambda: idp.get_user_attribute_verification_code(AccessToken=access,
                                                                                 AttributeName="given_name"))
    assert (error, message) == ("InvalidParameterException", "Invalid attribute name: given_name cannot be verified.")
