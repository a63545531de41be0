"""Every member of botocore's current UserPoolClientType and UserPoolType is accounted for: set through
Create/Update and described back as given, computed by the emulator, or refused with a reason. A member a
newer botocore adds, and the emulator neither returns nor refuses, fails here by name."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest

from tests.conftest import refused

pytestmark = pytest.mark.e2e

MODEL = botocore.session.get_session().get_service_model("cognito-idp")

# -- app clients ------------------------------------------------------------------------------------

CLIENT_VALUES: dict[str, Any] = {
    "RefreshTokenValidity": 10, "AccessTokenValidity": 2, "IdTokenValidity": 3,
    "TokenValidityUnits": {"AccessToken": "hours", "IdToken": "hours", "RefreshToken": "days"},
    "ReadAttributes": ["email"], "WriteAttributes": ["email"],
    "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    "SupportedIdentityProviders": ["COGNITO"], "CallbackURLs": ["https://app.example.com/cb"],
    "LogoutURLs": ["https://app.example.com/bye"], "DefaultRedirectURI": "https://app.example.com/cb",
    "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid", "email"], "AllowedOAuthFlowsUserPoolClient": True,
    "AnalyticsConfiguration": {"ApplicationId": "0123456789abcdef0123456789abcdef",
                               "RoleArn": "arn:aws:iam::123456789012:role/pinpoint", "ExternalId": "ext",
                               "UserDataShared": True},
    "PreventUserExistenceErrors": "ENABLED", "EnableTokenRevocation": False,
    "EnablePropagateAdditionalUserContextData": True, "AuthSessionValidity": 10,
}
CLIENT_UPDATES: dict[str, Any] = {
    "RefreshTokenValidity": 20, "AnalyticsConfiguration": {"ApplicationArn": "arn:aws:mobiletargeting:us-east-1:"
                                                           "123456789012:apps/0123456789abcdef0123456789abcdef",
                                                           "RoleArn": "arn:aws:iam::123456789012:role/pinpoint"},
    "EnablePropagateAdditionalUserContextData": False, "AuthSessionValidity": 5,
    "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH"], "RefreshTokenRotation": {"Feature": "ENABLED",
                                                                           "RetryGracePeriodSeconds": 30},
}
# What the emulator computes rather than takes, and what it answers for it.
CLIENT_COMPUTED = {
    "UserPoolId": "the pool's id", "ClientName": "the request's", "ClientId": "a new id",
    "ClientSecret": "generated (GenerateSecret)", "LastModifiedDate": "now", "CreationDate": "now",
    "ClientType": "REGULAR: the emulator has no dynamic client registration",
    "ClientSecretArn": "never: PublishSecretsInAWSSecretsManager true is refused (no Secrets Manager)",
    "RefreshTokenRotation": "round-trips through UpdateUserPoolClient below (rotation excludes "
                            "ALLOW_REFRESH_TOKEN_AUTH, which the create values use)",
}


def test_every_client_member_is_accounted_for() -> None:
    members = set(MODEL.shape_for("UserPoolClientType").members)
    unaccounted = members - set(CLIENT_VALUES) - set(CLIENT_COMPUTED)
    assert not unaccounted, f"UserPoolClientType members neither round-tripped nor declared: {sorted(unaccounted)}"
    requests = set(MODEL.shape_for("CreateUserPoolClientRequest").members) | set(
        MODEL.shape_for("UpdateUserPoolClientRequest").members)
    request_only = {"GenerateSecret", "PublishSecretsInAWSSecretsManager"}  # tested below
    assert requests - members - request_only == set(), "a request field the client type does not show"


def test_client_fields_round_trip(idp: Any) -> None:
    pool_id = idp.create_user_pool(PoolName="fields")["UserPool"]["Id"]
    created = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="all", GenerateSecret=True,
                                          **CLIENT_VALUES)["UserPoolClient"]
    described = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=created["ClientId"])["UserPoolClient"]
    for shown in (created, described):
        assert {k: shown.get(k) for k in CLIENT_VALUES} == CLIENT_VALUES
        assert shown["ClientType"] == "REGULAR" and shown["ClientSecret"] and "ClientSecretArn" not in shown
    updated = idp.update_user_pool_client(UserPoolId=pool_id, ClientId=created["ClientId"],
                                          **CLIENT_UPDATES)["UserPoolClient"]
    again = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=created["ClientId"])["UserPoolClient"]
    for shown in (updated, again):
        assert {k: shown.get(k) for k in CLIENT_UPDATES} == CLIENT_UPDATES


def test_secrets_manager_publishing_is_refused_with_a_reason(idp: Any) -> None:
    pool_id = idp.create_user_pool(PoolName="secrets-manager")["UserPool"]["Id"]
    code, message, reason = refused(lambda: idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="sm", GenerateSecret=True, PublishSecretsInAWSSecretsManager=True))
    assert code == "InvalidParameterException" and "PublishSecretsInAWSSecretsManager" in message
    assert "Secrets Manager" in reason
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="ok")["UserPoolClient"]["ClientId"]
    code, _, _ = refused(lambda: idp.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id,
                                                             PublishSecretsInAWSSecretsManager=True))
    assert code == "InvalidParameterException"


# -- user pools ------------------------------------------------------------------------------------

POOL_VALUES: dict[str, Any] = {
    "Policies": {"PasswordPolicy": {"MinimumLength": 10, "RequireUppercase": True, "RequireLowercase": True,
                                    "RequireNumbers": True, "RequireSymbols": False,
                                    "TemporaryPasswordValidityDays": 3}},
    "DeletionProtection": "ACTIVE",
    "AutoVerifiedAttributes": ["email"],
    "SmsVerificationMessage": "Code {####}", "EmailVerificationMessage": "Code {####}",
    "EmailVerificationSubject": "Your code", "SmsAuthenticationMessage": "Auth {####}",
    "UserAttributeUpdateSettings": {"AttributesRequireVerificationBeforeUpdate": ["email"]},
    "DeviceConfiguration": {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": True},
    "EmailConfiguration": {"EmailSendingAccount": "COGNITO_DEFAULT"},
    "UserPoolTags": {"team": "auth"},
    "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True},
    "UserPoolAddOns": {"AdvancedSecurityMode": "AUDIT"},
    "AccountRecoverySetting": {"RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"}]},
    "UserPoolTier": "PLUS",
    "UsernameConfiguration": {"CaseSensitive": False},
}
POOL_COMPUTED = {
    "Id", "Name", "Status", "LastModifiedDate", "CreationDate", "SchemaAttributes", "EstimatedNumberOfUsers",
    "Arn", "Domain", "CustomDomain", "SmsConfigurationFailure", "EmailConfigurationFailure",
    # set and described in tests/test_pools_api.py and tests/test_pool_triggers_api.py with their own rules
    "LambdaConfig", "MfaConfiguration", "AliasAttributes", "UsernameAttributes", "VerificationMessageTemplate",
    "SmsConfiguration", "DcrConfiguration", "KeyConfiguration", "IssuerConfiguration", "AcrConfiguration",
}


def test_every_pool_member_is_accounted_for() -> None:
    members = set(MODEL.shape_for("UserPoolType").members)
    unaccounted = members - set(POOL_VALUES) - POOL_COMPUTED
    assert not unaccounted, f"UserPoolType members neither round-tripped nor declared: {sorted(unaccounted)}"


def test_password_history_is_refused_not_dropped(idp: Any) -> None:
    code, message, reason = refused(lambda: idp.create_user_pool(
        PoolName="history", Policies={"PasswordPolicy": {"MinimumLength": 8, "PasswordHistorySize": 5}}))
    assert code == "InvalidParameterException" and "PasswordHistorySize" in message and "history" in reason


def test_pool_fields_round_trip(idp: Any) -> None:
    pool = idp.create_user_pool(PoolName="pool-fields", **POOL_VALUES)["UserPool"]
    described = idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    for shown in (pool, described):
        for key, value in POOL_VALUES.items():
            got = shown.get(key)
            if isinstance(value, dict) and isinstance(got, dict):
                got = {k: v for k, v in got.items() if k in value}  # AWS fills defaults beside what was sent
                if key == "Policies":
                    got = {"PasswordPolicy": {k: v for k, v in got["PasswordPolicy"].items()
                                              if k in value["PasswordPolicy"]}}
            assert got == value, key
