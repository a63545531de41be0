"""The rules of a pool's MFA and sign-in factor settings (pure): what SetUserPoolMfaConfig refuses and how it
changes the pool, GetUserPoolMfaConfig's answer, and Policies.SignInPolicy.AllowedFirstAuthFactors, which
CreateUserPool / UpdateUserPool and the config share. mfa_config.py applies them.

AWS's texts, from raw answers:
- "Invalid MFA configuration given, can't turn off MFA and configure an MFA together." for MfaConfiguration OFF
  with a factor block (four calls against a real pool, go-to-k/cdkd#1923);
- "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration." for ON
  or OPTIONAL without a factor (aws/aws-sdk-js#4186; anomalyco/sst#5177).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from emulator.cognito.errors import CognitoError, reject
from emulator.model import UserPool

FIRST_FACTORS = ("PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN")
# Settings kept beside the pool (DescribeUserPool shows them) that SmsMfaConfiguration carries.
SMS_SETTINGS = ("SmsAuthenticationMessage", "SmsConfiguration")
DEFAULT_WEB_AUTHN = {"UserVerification": "preferred", "FactorConfiguration": "SINGLE_FACTOR"}


def mfa_config_violation(params: dict[str, Any], tier: str) -> CognitoError | None:
    """What SetUserPoolMfaConfig refuses beyond the service model's checks, or None."""
    mode = params.get("MfaConfiguration")
    sms, email = params.get("SmsMfaConfiguration"), params.get("EmailMfaConfiguration")
    software = params.get("SoftwareTokenMfaConfiguration")
    any_factor = sms is not None or email is not None or bool((software or {}).get("Enabled"))
    if mode == "OFF" and (sms is not None or email is not None or software is not None):
        return reject("mfa_off_with_factor", "MfaConfiguration OFF cannot come with SmsMfaConfiguration, "
                      "SoftwareTokenMfaConfiguration or EmailMfaConfiguration (WebAuthnConfiguration may)")
    if mode in ("ON", "OPTIONAL") and not any_factor:
        return reject("mfa_no_factor", f"MfaConfiguration {mode} needs at least one factor in the same request: "
                      "SmsMfaConfiguration, SoftwareTokenMfaConfiguration {Enabled: true} or EmailMfaConfiguration; "
                      "factors a request omits are turned off")
    if email is not None and tier == "LITE":
        return reject("feature_tier", "EmailMfaConfiguration needs the Essentials tier or higher (UserPoolTier "
                      "is LITE)", feature="Email MFA")
    return None


def configured(pool: UserPool, params: dict[str, Any], now: float) -> UserPool:
    """The pool as SetUserPoolMfaConfig leaves it. With MfaConfiguration given, the factors the request omits
    are turned off; without it, the request changes only what it names (UNCONFIRMED: AWS documents neither)."""
    if params.get("MfaConfiguration") is None:
        return replace(
            pool, modified=now,
            sms_mfa=pool.sms_mfa if "SmsMfaConfiguration" not in params else True,
            software_token_mfa=bool(params["SoftwareTokenMfaConfiguration"].get("Enabled"))
            if "SoftwareTokenMfaConfiguration" in params else pool.software_token_mfa,
            email_mfa=dict(params["EmailMfaConfiguration"]) if "EmailMfaConfiguration" in params else pool.email_mfa,
            web_authn=dict(params.get("WebAuthnConfiguration") or pool.web_authn))
    return replace(
        pool, modified=now, mfa_configuration=params["MfaConfiguration"],
        sms_mfa="SmsMfaConfiguration" in params,
        software_token_mfa=bool((params.get("SoftwareTokenMfaConfiguration") or {}).get("Enabled")),
        email_mfa=dict(params["EmailMfaConfiguration"]) if "EmailMfaConfiguration" in params else None,
        web_authn=dict(params.get("WebAuthnConfiguration") or pool.web_authn))


def mfa_config_of(pool: UserPool, settings: dict[str, Any]) -> dict[str, Any]:
    """GetUserPoolMfaConfig's answer (and SetUserPoolMfaConfig's)."""
    result: dict[str, Any] = {"MfaConfiguration": pool.mfa_configuration,
                              # A pool with MFA OFF has no factor on, whatever it had before.
                              "SoftwareTokenMfaConfiguration": {
                                  "Enabled": pool.software_token_mfa and pool.mfa_configuration != "OFF"},
                              "WebAuthnConfiguration": {**DEFAULT_WEB_AUTHN, **pool.web_authn}}
    if pool.sms_mfa and pool.mfa_configuration != "OFF":
        result["SmsMfaConfiguration"] = {k: settings[k] for k in SMS_SETTINGS if k in settings}
    if pool.email_mfa is not None:
        result["EmailMfaConfiguration"] = dict(pool.email_mfa)
    return result


def sign_in_policy_violation(policies: dict[str, Any] | None) -> CognitoError | None:
    """What CreateUserPool/UpdateUserPool refuse in Policies.SignInPolicy, or None."""
    factors = ((policies or {}).get("SignInPolicy") or {}).get("AllowedFirstAuthFactors")
    if factors is None:
        return None
    if "SOFTWARE_TOKEN" in factors:
        # "SOFTWARE_TOKEN is not currently supported as a first auth factor." (SignInPolicyType in the model)
        return reject("first_factor_invalid", "AllowedFirstAuthFactors lists SOFTWARE_TOKEN, which the API "
                      "reference says is not supported as a first factor", factor="SOFTWARE_TOKEN")
    if "PASSWORD" not in factors:
        return reject("first_factor_password", "AllowedFirstAuthFactors must keep PASSWORD (users can always "
                      "sign in with their password in choice-based sign-in)")
    return None


def first_auth_factors(policies: dict[str, Any] | None) -> tuple[str, ...]:
    """AllowedFirstAuthFactors of a request's Policies, AWS's default (PASSWORD) when it has none."""
    factors = ((policies or {}).get("SignInPolicy") or {}).get("AllowedFirstAuthFactors")
    return tuple(f for f in FIRST_FACTORS if f in factors) if factors else ("PASSWORD",)


def mfa_factors_of_config(data: dict[str, Any], error: Any) -> dict[str, Any]:
    """The UserPool fields of a config pool's SmsMfaConfiguration / SoftwareTokenMfaConfiguration /
    EmailMfaConfiguration / WebAuthnConfiguration (GetUserPoolMfaConfig's names); absent ones keep the defaults.
    `error(key, message)` raises the config's error."""
    fields: dict[str, Any] = {}
    for key in ("SmsMfaConfiguration", "SoftwareTokenMfaConfiguration", "EmailMfaConfiguration",
                "WebAuthnConfiguration"):
        if key in data and not isinstance(data[key], dict):
            error(key, "must be a mapping")
    if "SmsMfaConfiguration" in data or "SoftwareTokenMfaConfiguration" in data or "EmailMfaConfiguration" in data:
        fields.update(sms_mfa="SmsMfaConfiguration" in data,
                      software_token_mfa=bool((data.get("SoftwareTokenMfaConfiguration") or {}).get("Enabled")),
                      email_mfa=dict(data["EmailMfaConfiguration"]) if "EmailMfaConfiguration" in data else None)
    if "WebAuthnConfiguration" in data:
        fields["web_authn"] = dict(data["WebAuthnConfiguration"])
    return fields

