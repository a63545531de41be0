"""Pure decisions of pool and client management: ids, the request's region, request → model values,
and pagination. No I/O; emulator/cognito/pools.py applies them to the store.

UNCONFIRMED choices, kept here in one place:
- An empty ExplicitAuthFlows list counts as omitted (the client gets AWS's default flows).
- A 0 for AccessTokenValidity/IdTokenValidity counts as omitted (AWS documents the 0 → default
  rule for RefreshTokenValidity only).
- UpdateUserPoolClient keeps ClientName when it is omitted (a name has no default to reset to).
- EnableTokenRevocation resets to true when omitted (AWS's default for new clients).
- Lists are ordered by id; NextToken is an opaque encoding of the last id returned.
- The schema's own rules (custom attributes, constraints) are in schema_rules.py.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import Any, TypeVar

from emulator.cognito import sigv4
from emulator.cognito.custom_sender_rules import KMS_KEY_ID, SENDERS, config_problem
from emulator.cognito.errors import CognitoError, reject
from emulator.cognito.mfa_config_rules import first_auth_factors, sign_in_policy_violation
from emulator.cognito.schema_rules import declared, unnamed_entry, with_declarations
from emulator.model import DEFAULT_EXPLICIT_AUTH_FLOWS, AppClient, PasswordPolicy, UserPool

T = TypeVar("T")

ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"

# Settings CreateUserPool/UpdateUserPool accept and DescribeUserPool echoes, which the emulator does
# not act on (messages, e-mail/SMS delivery, devices, tiers). DeletionProtection is acted on.
POOL_PASSTHROUGH = (
    "DeletionProtection", "SmsVerificationMessage", "EmailVerificationMessage", "EmailVerificationSubject",
    "VerificationMessageTemplate", "SmsAuthenticationMessage", "UserAttributeUpdateSettings",
    "DeviceConfiguration", "EmailConfiguration", "SmsConfiguration", "UserPoolTags", "AdminCreateUserConfig",
    "UserPoolAddOns", "AccountRecoverySetting", "UserPoolTier",
    # Fields the model added recently: stored and described back. KeyConfiguration (storage encryption) and
    # AcrConfiguration (ACR level names) change nothing locally; DcrConfiguration and IssuerConfiguration are
    # kept only at the values the emulator behaves as (NOT_HONOURED refuses the others).
    "KeyConfiguration", "AcrConfiguration", "DcrConfiguration", "IssuerConfiguration",
)
# (setting, field, value) -> why the emulator refuses it: it would change behaviour the emulator does not have.
NOT_HONOURED: dict[tuple[str, str, str], str] = {
    ("DcrConfiguration", "EnableStatus", "Enabled"):
        "dynamic client registration (the domain's registration endpoint) is not emulated",
    ("IssuerConfiguration", "Type", "UPDATED"):
        "the UPDATED issuer format is not emulated; tokens keep the pool's Issuer (config.yaml's Issuer sets it)",
}
# What DescribeUserPool shows for a passthrough setting nobody set.
POOL_DEFAULTS: dict[str, Any] = {
    "DeletionProtection": "INACTIVE",
    "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": False, "UnusedAccountValidityDays": 7},
    "UserPoolTier": "ESSENTIALS",
}
# Trigger names whose value is a structure, not a function reference: kept with the passthrough.
_STRUCTURED_TRIGGERS = ("PreTokenGenerationConfig", "InboundFederation")


def region_from_authorization(header: str | None) -> str | None:
    """The region a SigV4-signed request was signed for (its credential scope), or None. Read by string
    splits on a bounded header: a regular expression here once took seconds on a 115 KB header."""
    return sigv4.region_of(header)


def new_pool_id(region: str) -> str:
    """`<region>_<9 alphanumerics>`, like the ids AWS gives new user pools."""
    return f"{region}_" + "".join(secrets.choice(ALNUM) for _ in range(9))


def new_client_id() -> str:
    """26 lowercase alphanumerics, like AWS's app client ids."""
    return "".join(secrets.choice(LOWER_ALNUM) for _ in range(26))


# -- pools -----------------------------------------------------------------------------------
def pool_violation(params: dict[str, Any]) -> CognitoError | None:
    """What CreateUserPool refuses beyond the service model's own checks, or None."""
    if params.get("UsernameAttributes") and params.get("AliasAttributes"):
        return reject("pool_alias_and_username_attributes",
                      "UsernameAttributes (sign in with email/phone instead of a username) and AliasAttributes "
                      "(extra names for a username) exclude each other; set one")
    return pool_update_violation(params)


def pool_update_violation(params: dict[str, Any]) -> CognitoError | None:
    """What both CreateUserPool and UpdateUserPool refuse beyond the service model's checks, or None."""
    for (setting, field, value), why in NOT_HONOURED.items():
        if (params.get(setting) or {}).get(field) == value:
            return reject("setting_not_emulated", f"{setting}.{field} {value}: {why}",
                          detail=f"{setting}.{field} {value} is not supported.")
    history = ((params.get("Policies") or {}).get("PasswordPolicy") or {}).get("PasswordHistorySize")
    if history:
        return reject("setting_not_emulated", f"PasswordPolicy.PasswordHistorySize {history}: the emulator keeps no "
                      "password history, so it could not refuse a reused password; leave it 0 or unset",
                      detail="PasswordPolicy.PasswordHistorySize is not supported.")
    verify_first = (params.get("UserAttributeUpdateSettings") or {}).get("AttributesRequireVerificationBeforeUpdate")
    missing = sorted(set(verify_first or ()) - set(params.get("AutoVerifiedAttributes") or ()))
    if missing:
        return reject("verify_before_update_not_auto_verified",
                      f"AttributesRequireVerificationBeforeUpdate lists {', '.join(missing)}, which "
                      "AutoVerifiedAttributes does not; UpdateUserPool resets AutoVerifiedAttributes when omitted, "
                      "so send it again")
    sender_problem = config_problem(params.get("LambdaConfig") or {})
    if sender_problem is not None:
        return reject(*sender_problem)
    return sign_in_policy_violation(params.get("Policies"))


def _lambda_triggers(params: dict[str, Any]) -> dict[str, Any]:
    """The triggers the emulator fires: function references, and PreTokenGenerationConfig (its version decides
    the event; AWS keeps PreTokenGeneration naming the same function as its LambdaArn)."""
    config = params.get("LambdaConfig") or {}
    triggers: dict[str, Any] = {name: value for name, value in config.items()
                                if isinstance(value, str) and name != "KMSKeyID"}
    structure = config.get("PreTokenGenerationConfig")
    if isinstance(structure, dict) and structure.get("LambdaArn"):
        triggers["PreTokenGenerationConfig"] = {"LambdaVersion": structure.get("LambdaVersion") or "V1_0",
                                                "LambdaArn": structure["LambdaArn"]}
        triggers["PreTokenGeneration"] = structure["LambdaArn"]
    # Custom senders (fired in place of the message, cognito/custom_senders.py) and the key they encrypt with.
    triggers.update({name: dict(config[name]) for name in SENDERS if isinstance(config.get(name), dict)})
    if config.get(KMS_KEY_ID):
        triggers[KMS_KEY_ID] = config[KMS_KEY_ID]
    return triggers


def pool_settings_from(params: dict[str, Any]) -> dict[str, Any]:
    """The passthrough settings of a CreateUserPool/UpdateUserPool request (structured triggers included)."""
    settings = {name: params[name] for name in POOL_PASSTHROUGH if name in params}
    structured = {name: value for name, value in (params.get("LambdaConfig") or {}).items()
                  if name in _STRUCTURED_TRIGGERS}
    if structured:
        settings["LambdaConfigStructures"] = structured
    return settings


def new_pool(params: dict[str, Any], pool_id: str, region: str, now: float) -> UserPool:
    """The pool a CreateUserPool request describes; unset settings take AWS's defaults. Raises AWS's error
    for a Schema entry it refuses."""
    username_config = params.get("UsernameConfiguration") or {}
    pool = UserPool(
        id=pool_id, name=params["PoolName"], region=region,
        username_attributes=tuple(params.get("UsernameAttributes") or ()),
        alias_attributes=tuple(params.get("AliasAttributes") or ()),
        auto_verified_attributes=tuple(params.get("AutoVerifiedAttributes") or ()),
        # "true ... This is the default value" (UsernameConfigurationType.CaseSensitive in the model).
        case_sensitive=bool(username_config.get("CaseSensitive", True)),
        mfa_configuration=params.get("MfaConfiguration") or "OFF",
        password_policy=PasswordPolicy.from_aws((params.get("Policies") or {}).get("PasswordPolicy")),
        first_auth_factors=first_auth_factors(params.get("Policies")),
        lambda_config=_lambda_triggers(params),
        created=now, modified=now,
    )
    entries = params.get("Schema") or ()
    unnamed = unnamed_entry(entries, "schema")
    if unnamed is not None:
        raise unnamed
    return with_declarations(pool, [declared(entry) for entry in entries])


def updated_pool(pool: UserPool, params: dict[str, Any], now: float) -> UserPool:
    """UpdateUserPool: every updatable setting the request omits goes back to its default, as on AWS;
    the immutable ones (sign-in attributes, case sensitivity, the schema) and the domain stay."""
    return replace(
        pool,
        name=params.get("PoolName") or pool.name,
        auto_verified_attributes=tuple(params.get("AutoVerifiedAttributes") or ()),
        mfa_configuration=params.get("MfaConfiguration") or "OFF",
        password_policy=PasswordPolicy.from_aws((params.get("Policies") or {}).get("PasswordPolicy")),
        first_auth_factors=first_auth_factors(params.get("Policies")),
        lambda_config=_lambda_triggers(params),
        modified=now,
    )


def describe_pool(pool: UserPool, settings: dict[str, Any], user_count: int) -> dict[str, Any]:
    """DescribeUserPool's UserPool: the model's shape plus the passthrough settings."""
    data = pool.to_aws()
    settings = dict(settings)
    structures = settings.pop("LambdaConfigStructures", {})
    data["LambdaConfig"] = {**data["LambdaConfig"], **structures}
    data.update({**POOL_DEFAULTS, **{k: v for k, v in settings.items() if k in POOL_PASSTHROUGH}})
    data["EstimatedNumberOfUsers"] = user_count
    return data


def pool_summary(pool: UserPool) -> dict[str, Any]:
    """ListUserPools' UserPoolDescriptionType."""
    full = pool.to_aws()
    return {key: full[key] for key in ("Id", "Name", "LambdaConfig", "Status", "LastModifiedDate", "CreationDate")}


# -- app clients -----------------------------------------------------------------------------
def client_from_request(params: dict[str, Any], *, pool_id: str, client_id: str, client_name: str,
                        client_secret: str | None, created: float, now: float) -> AppClient:
    """The client a CreateUserPoolClient/UpdateUserPoolClient request describes. Both build the whole
    client from the request: what it omits takes AWS's default, so an update resets omitted settings."""
    refresh = params.get("RefreshTokenValidity")
    return AppClient(
        pool_id=pool_id, client_id=client_id, client_name=client_name, client_secret=client_secret,
        explicit_auth_flows=tuple(params.get("ExplicitAuthFlows") or DEFAULT_EXPLICIT_AUTH_FLOWS),
        allowed_oauth_flows=tuple(params.get("AllowedOAuthFlows") or ()),
        allowed_oauth_scopes=tuple(params.get("AllowedOAuthScopes") or ()),
        allowed_oauth_flows_user_pool_client=bool(params.get("AllowedOAuthFlowsUserPoolClient", False)),
        callback_urls=tuple(params.get("CallbackURLs") or ()),
        logout_urls=tuple(params.get("LogoutURLs") or ()),
        default_redirect_uri=params.get("DefaultRedirectURI"),
        supported_identity_providers=tuple(params.get("SupportedIdentityProviders") or ()),
        prevent_user_existence_errors=params.get("PreventUserExistenceErrors") or "LEGACY",
        access_token_validity=params.get("AccessTokenValidity") or None,
        id_token_validity=params.get("IdTokenValidity") or None,
        # "You can't set RefreshTokenValidity to 0. If you do, Amazon Cognito overrides the value with
        # the default value of 30 days." (the model's documentation)
        refresh_token_validity=refresh if refresh else 30,
        token_validity_units={k: v for k, v in (params.get("TokenValidityUnits") or {}).items() if v},
        enable_token_revocation=bool(params.get("EnableTokenRevocation", True)),
        auth_session_validity=params.get("AuthSessionValidity") or 3,
        read_attributes=tuple(params.get("ReadAttributes") or ()),
        write_attributes=tuple(params.get("WriteAttributes") or ()),
        refresh_token_rotation=dict(params.get("RefreshTokenRotation") or {}),
        analytics_configuration=dict(params.get("AnalyticsConfiguration") or {}),
        propagate_user_context_data=bool(params.get("EnablePropagateAdditionalUserContextData", False)),
        created=created, modified=now,
    )


def client_request_violation(params: dict[str, Any]) -> CognitoError | None:
    """What a CreateUserPoolClient/UpdateUserPoolClient request asks for that the emulator cannot do, or None."""
    if params.get("PublishSecretsInAWSSecretsManager"):
        return reject("setting_not_emulated", "PublishSecretsInAWSSecretsManager true asks AWS to keep the secret "
                      "in Secrets Manager and answer ClientSecretArn instead of ClientSecret; the emulator has no "
                      "Secrets Manager to keep it in (leave it false and read ClientSecret)",
                      detail="PublishSecretsInAWSSecretsManager true is not supported.")
    return None


def client_summary(client: AppClient) -> dict[str, str]:
    """ListUserPoolClients' UserPoolClientDescription."""
    return {"ClientId": client.client_id, "UserPoolId": client.pool_id, "ClientName": client.client_name}


# -- domains ---------------------------------------------------------------------------------
# Prefix domains may not contain these (AWS's console says so; the API error text is UNCONFIRMED).
RESERVED_DOMAIN_WORDS = ("aws", "amazon", "cognito")


def reserved_word(domain: str) -> str | None:
    """The reserved word a prefix domain contains, or None."""
    return next((word for word in RESERVED_DOMAIN_WORDS if word in domain), None)
