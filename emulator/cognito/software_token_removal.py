"""AdminDeleteSoftwareToken: an administrator removes a user's TOTP factor (a lost phone); the user can then
associate a new one. What the factor is lives in `UserRecord.mfa` (mfa.py describes the keys)."""

from __future__ import annotations

from typing import Any

from emulator.cognito.lookup import require_pool
from emulator.cognito.protocol import Call
from emulator.cognito.users import require_user, save
from emulator.runtime import Runtime

TOTP_KEYS = ("totp_secret", "totp_verified", "totp_pending_secret", "totp_last_step", "totp_device_name",
             "software_enabled")


def admin_delete_software_token(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    """A user without a software token is no error (UNCONFIRMED: the model lists no not-found error for it)."""
    pool = require_pool(rt.store, params["UserPoolId"])
    user = require_user(rt, pool, params["Username"])
    for key in TOTP_KEYS:
        user.mfa.pop(key, None)
    if user.mfa.get("preferred") == "SOFTWARE_TOKEN_MFA":
        user.mfa.pop("preferred")
    save(rt, pool, user)
    return {}


OPERATIONS = {"AdminDeleteSoftwareToken": admin_delete_software_token}
