"""SetUserPoolMfaConfig / GetUserPoolMfaConfig: a pool's MFA factors and passkey settings, by the rules of
mfa_config_rules.py; SmsMfaConfiguration's message and SNS settings are kept with the pool's other settings,
so DescribeUserPool shows them."""

from __future__ import annotations

from typing import Any

from emulator.cognito.lookup import require_pool
from emulator.cognito.mfa_config_rules import SMS_SETTINGS, configured, mfa_config_of, mfa_config_violation
from emulator.cognito.protocol import Call
from emulator.runtime import Runtime


def set_user_pool_mfa_config(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool = require_pool(rt.store, params["UserPoolId"])
    settings = rt.store.pool_settings(pool.id)
    violation = mfa_config_violation(params, settings.get("UserPoolTier") or "ESSENTIALS")
    if violation is not None:
        raise violation
    changed = configured(pool, params, rt.clock())
    sms = params.get("SmsMfaConfiguration") or {}
    settings = {**settings, **{k: sms[k] for k in SMS_SETTINGS if k in sms}}
    with rt.store.transaction():
        rt.store.put_pool(changed)
        rt.store.put_pool_settings(pool.id, settings)
    return mfa_config_of(changed, settings)


def get_user_pool_mfa_config(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool = require_pool(rt.store, params["UserPoolId"])
    return mfa_config_of(pool, rt.store.pool_settings(pool.id))


OPERATIONS = {
    "SetUserPoolMfaConfig": set_user_pool_mfa_config,
    "GetUserPoolMfaConfig": get_user_pool_mfa_config,
}
