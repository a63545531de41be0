"""What a user has chosen for sign-in: Set/AdminSetUserMFAPreference (SMS, TOTP and e-mail MFA), the legacy
Set/AdminSetUserSettings (SMS only), and Get/AdminGetUserAuthFactors (MFA settings and the USER_AUTH factors).
The rules are `apply_preferences` and `mfa_options_violation`, over the pool and user as they are."""

from __future__ import annotations

from typing import Any

from emulator.cognito.access_tokens import authenticate
from emulator.cognito.errors import CognitoError, reject
from emulator.cognito.mfa import EMAIL, SMS, SOFTWARE
from emulator.cognito.protocol import Call
from emulator.cognito.user_auth_rules import UserFirstFactors, configured_factors
from emulator.cognito.users import mfa_fields, require_pool_user
from emulator.model import UserPool
from emulator.runtime import Runtime
from emulator.state import UserRecord


def apply_preferences(pool: UserPool, user: UserRecord, sms: dict | None, software: dict | None,
                      email: dict | None, admin: bool) -> None:
    """Change the user's MFA settings as Set/AdminSetUserMFAPreference ask; AWS's errors when it cannot."""
    mfa = user.mfa
    preferred = [s for s in (sms, software, email) if s and s.get("PreferredMfa")]
    if len(preferred) > 1:
        raise reject("mfa_two_preferred", "only one of SMSMfaSettings, SoftwareTokenMfaSettings and "
                                          "EmailMfaSettings can have PreferredMfa true")
    if software and software.get("Enabled") and not (mfa.get("totp_verified") and mfa.get("totp_secret")):
        raise reject("totp_not_verified_admin" if admin else "totp_not_verified",
                     f"user '{user.username}' has no verified software token: AssociateSoftwareToken and "
                     "VerifySoftwareToken come before enabling SOFTWARE_TOKEN_MFA")
    if sms and sms.get("Enabled") and not user.attributes.get("phone_number"):
        raise reject("sms_mfa_no_phone_admin" if admin else "sms_mfa_no_phone_preference",
                     f"user '{user.username}' has no phone_number, so SMS MFA cannot be enabled")
    if email and email.get("Enabled"):
        if pool.email_mfa is None:
            raise reject("email_mfa_not_enabled", f"pool {pool.id} has no EmailMfaConfiguration "
                                                  "(SetUserPoolMfaConfig turns e-mail MFA on)")
        if not user.attributes.get("email"):
            raise reject("email_mfa_no_email", f"user '{user.username}' has no email, so e-mail MFA cannot be "
                                               "enabled")
    for settings, name, flag in ((sms, SMS, "sms_enabled"), (software, SOFTWARE, "software_enabled"),
                                 (email, EMAIL, "email_enabled")):
        if settings is None:
            continue
        enabled = bool(settings.get("Enabled"))
        mfa[flag] = enabled
        if enabled and settings.get("PreferredMfa"):
            mfa["preferred"] = name
        elif mfa.get("preferred") == name and (not enabled or settings.get("PreferredMfa") is False):
            mfa.pop("preferred", None)


def mfa_options_violation(options: list[dict[str, Any]]) -> CognitoError | None:
    """What SetUserSettings refuses: "You can use it only to configure SMS MFA" (the API reference)."""
    for option in options:
        if option.get("DeliveryMedium") != "SMS" or option.get("AttributeName") not in (None, "phone_number"):
            return reject("mfa_options_medium", f"MFAOptions entry {option} is not DeliveryMedium SMS with "
                                                "AttributeName phone_number, the one setting this legacy operation "
                                                "still configures")
    return None


def _save(rt: Runtime, pool: UserPool, user: UserRecord) -> dict[str, Any]:
    user.modified = rt.clock()
    rt.store.put_user(pool, user)
    return {}


def set_user_mfa_preference(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    found = authenticate(rt, params["AccessToken"])
    apply_preferences(found.pool, found.user, params.get("SMSMfaSettings"), params.get("SoftwareTokenMfaSettings"),
                      params.get("EmailMfaSettings"), admin=False)
    return _save(rt, found.pool, found.user)


def admin_set_user_mfa_preference(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool, user = require_pool_user(rt, params)
    apply_preferences(pool, user, params.get("SMSMfaSettings"), params.get("SoftwareTokenMfaSettings"),
                      params.get("EmailMfaSettings"), admin=True)
    return _save(rt, pool, user)


def _settings(rt: Runtime, pool: UserPool, user: UserRecord, options: list[dict[str, Any]], admin: bool) -> dict:
    violation = mfa_options_violation(options)
    if violation is not None:
        raise violation
    # An SMS entry turns SMS MFA on (as SMSMfaSettings Enabled would); an empty list turns it off.
    apply_preferences(pool, user, {"Enabled": bool(options)}, None, None, admin=admin)
    return _save(rt, pool, user)


def set_user_settings(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    found = authenticate(rt, params["AccessToken"])
    return _settings(rt, found.pool, found.user, params["MFAOptions"], admin=False)


def admin_set_user_settings(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool, user = require_pool_user(rt, params)
    return _settings(rt, pool, user, params["MFAOptions"], admin=True)


def auth_factors(pool: UserPool, user: UserRecord) -> dict[str, Any]:
    """GetUserAuthFactors' answer: the MFA settings (as GetUser shows them) and the USER_AUTH factors."""
    mfa = {k: v for k, v in mfa_fields(user).items() if k != "MFAOptions"}
    return {"Username": user.username, **mfa,
            "ConfiguredUserAuthFactors": configured_factors(pool.first_auth_factors, UserFirstFactors.of(user))}


def get_user_auth_factors(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    found = authenticate(rt, params["AccessToken"])
    return auth_factors(found.pool, found.user)


def admin_get_user_auth_factors(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    return auth_factors(*require_pool_user(rt, params))


OPERATIONS = {
    "SetUserMFAPreference": set_user_mfa_preference,
    "AdminSetUserMFAPreference": admin_set_user_mfa_preference,
    "SetUserSettings": set_user_settings,
    "AdminSetUserSettings": admin_set_user_settings,
    "GetUserAuthFactors": get_user_auth_factors,
    "AdminGetUserAuthFactors": admin_get_user_auth_factors,
}
