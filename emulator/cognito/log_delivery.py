"""SetLogDeliveryConfiguration / GetLogDeliveryConfiguration: where a pool would export its logs, stored and
returned with AWS's rules on which level goes with which source; the emulator exports nothing (its own log
and /_emulator/decisions hold what happened)."""

from __future__ import annotations

import logging
from typing import Any

from emulator.cognito.errors import reject
from emulator.cognito.lookup import require_pool
from emulator.cognito.pools import pool_settings
from emulator.cognito.protocol import Call
from emulator.runtime import Runtime
from emulator.state import Kind

log = logging.getLogger("cognito_emulator")

# The one level each event source takes (developer guide, "Exporting user pool logs": notification errors
# are ERROR, authentication activity is INFO and needs the Plus tier).
LEVEL_OF_SOURCE = {"userNotification": "ERROR", "userAuthEvents": "INFO"}
PLUS_ONLY_SOURCES = frozenset({"userAuthEvents"})
DESTINATIONS = ("CloudWatchLogsConfiguration", "S3Configuration", "FirehoseConfiguration")


def configuration_problem(configuration: dict[str, Any], tier: str) -> tuple[str, str] | None:
    """(ERRORS key, plain words) for a log configuration AWS refuses, or None."""
    source, level = configuration.get("EventSource"), configuration.get("LogLevel")
    if LEVEL_OF_SOURCE.get(source) != level:
        return "log_configuration_invalid", (f"EventSource {source} takes LogLevel {LEVEL_OF_SOURCE.get(source)}, "
                                             f"not {level}")
    destinations = [d for d in DESTINATIONS if configuration.get(d)]
    if len(destinations) != 1:
        return "log_configuration_invalid", (f"a log configuration names exactly one destination "
                                             f"({', '.join(DESTINATIONS)}); this one names {len(destinations)}")
    if source in PLUS_ONLY_SOURCES and tier != "PLUS":
        return "feature_unavailable_in_tier", f"EventSource {source} needs UserPoolTier PLUS; the pool is {tier}"
    return None


def set_log_delivery_configuration(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool_id = require_pool(rt.store, params["UserPoolId"]).id
    tier = pool_settings(rt.store, pool_id).get("UserPoolTier", "ESSENTIALS")
    for configuration in params["LogConfigurations"]:
        problem = configuration_problem(configuration, tier)
        if problem:
            raise reject(problem[0], problem[1], detail=problem[1])
    rt.store.put(Kind.LOG_DELIVERY, pool_id, "configuration", params["LogConfigurations"])
    log.info("pool %s: log delivery configuration stored; the emulator exports no logs to AWS destinations",
             pool_id)
    return {"LogDeliveryConfiguration": {"UserPoolId": pool_id, "LogConfigurations": params["LogConfigurations"]}}


def get_log_delivery_configuration(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool_id = require_pool(rt.store, params["UserPoolId"]).id
    configurations = rt.store.get(Kind.LOG_DELIVERY, pool_id, "configuration") or []
    return {"LogDeliveryConfiguration": {"UserPoolId": pool_id, "LogConfigurations": configurations}}


OPERATIONS = {
    "SetLogDeliveryConfiguration": set_log_delivery_configuration,
    "GetLogDeliveryConfiguration": get_log_delivery_configuration,
}
