"""SetRiskConfiguration / DescribeRiskConfiguration: threat protection settings per pool ("ALL") or app
client, stored and returned as AWS shapes them. Risk decisions (compromised credentials, adaptive
authentication, IP blocks) are not simulated: every sign-in is judged as without threat protection."""

from __future__ import annotations

import logging
from typing import Any

from emulator.cognito.errors import reject
from emulator.cognito.lookup import require_client, require_pool
from emulator.cognito.pools import pool_settings
from emulator.cognito.protocol import Call
from emulator.runtime import Runtime
from emulator.state import Kind, Store

log = logging.getLogger("cognito_emulator")

ALL = "ALL"  # the pool-wide configuration's ClientId, as AWS names it
PARTS = ("CompromisedCredentialsRiskConfiguration", "AccountTakeoverRiskConfiguration", "RiskExceptionConfiguration")
NOT_SIMULATED = ("risk decisions are not simulated: the emulator stores threat protection settings but judges "
                 "every sign-in as if threat protection were off")


def require_threat_protection(store: Store, pool_id: str, operation: str) -> None:
    """AWS's UserPoolAddOnNotEnabledException when the pool's AdvancedSecurityMode is OFF (or unset)."""
    mode = (pool_settings(store, pool_id).get("UserPoolAddOns") or {}).get("AdvancedSecurityMode", "OFF")
    if mode == "OFF":
        raise reject("addon_not_enabled", f"{operation} needs threat protection: set UserPoolAddOns."
                     f"AdvancedSecurityMode to AUDIT or ENFORCED on pool {pool_id} (it is OFF)")


def _key(store: Store, pool_id: str, client_id: str | None) -> str:
    if client_id and client_id != ALL:
        require_client(store, client_id, pool_id)
        return client_id
    return ALL


def set_risk_configuration(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool_id = require_pool(rt.store, params["UserPoolId"]).id
    require_threat_protection(rt.store, pool_id, call.operation)
    key = _key(rt.store, pool_id, params.get("ClientId"))
    record = {part: params[part] for part in PARTS if part in params}
    record["LastModifiedDate"] = rt.clock()
    rt.store.put(Kind.RISK_CONFIGURATION, pool_id, key, record)
    log.info("pool %s client %s: risk configuration stored; %s", pool_id, key, NOT_SIMULATED)
    return {"RiskConfiguration": {"UserPoolId": pool_id, "ClientId": key, **record}}


def describe_risk_configuration(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    """A client's own configuration, or the pool's when the client has none."""
    pool_id = require_pool(rt.store, params["UserPoolId"]).id
    require_threat_protection(rt.store, pool_id, call.operation)
    key = _key(rt.store, pool_id, params.get("ClientId"))
    record = rt.store.get(Kind.RISK_CONFIGURATION, pool_id, key)
    if record is None and key != ALL:
        key, record = ALL, rt.store.get(Kind.RISK_CONFIGURATION, pool_id, ALL)
    return {"RiskConfiguration": {"UserPoolId": pool_id, "ClientId": key, **(record or {})}}


OPERATIONS = {
    "SetRiskConfiguration": set_risk_configuration,
    "DescribeRiskConfiguration": describe_risk_configuration,
}
