"""User operations: the self-service ones that carry an access token, and the admin ones."""

from __future__ import annotations

from typing import Any

from emulator.cognito.access_tokens import authenticate
from emulator.cognito.protocol import Call
from emulator.cognito.sessions import revoke_user_tokens
from emulator.runtime import Runtime
from emulator.state import UserRecord


def attribute_list(user: UserRecord) -> list[dict[str, str]]:
    """AWS's [{Name, Value}] form, sub first as AWS lists it."""
    ordered = {"sub": user.sub, **{k: v for k, v in user.attributes.items() if k != "sub"}}
    return [{"Name": k, "Value": v} for k, v in ordered.items()]


def get_user(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    found = authenticate(rt, params["AccessToken"])
    user = found.user
    result: dict[str, Any] = {"Username": user.username, "UserAttributes": attribute_list(user)}
    mfa = [m for m, on in (("SOFTWARE_TOKEN_MFA", user.mfa.get("software_enabled")),
                           ("SMS_MFA", user.mfa.get("sms_enabled"))) if on]
    if mfa:
        result["UserMFASettingList"] = mfa
        if user.mfa.get("preferred"):
            result["PreferredMfaSetting"] = user.mfa["preferred"]
    return result


def global_sign_out(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    found = authenticate(rt, params["AccessToken"])
    sign_out(rt, found.pool, found.user)
    return {}


def sign_out(rt: Runtime, pool, user: UserRecord) -> None:
    """Revoke every refresh token of the user and every access token issued until now."""
    revoke_user_tokens(rt.store, pool.id, user.username)
    user.tokens_valid_after = rt.clock()
    rt.store.put_user(pool, user)


OPERATIONS = {
    "GetUser": get_user,
    "GlobalSignOut": global_sign_out,
}
