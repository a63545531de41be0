"""Config entries pasted from `aws cognito-idp describe-user-pool` / `describe-user-pool-client` /
`describe-resource-server` / `describe-identity-provider` output as it stands: the `{"UserPool": {...}}`
wrapper is taken off, the fields AWS computes (dates, counts, ARNs, statuses) are accepted and dropped,
DescribeUserPool's `SchemaAttributes` becomes the pool's `Schema`, and the settings CreateUserPool takes are
kept as the pool's settings. Everything else goes on to the ordinary checks, which honour or refuse each key
with its path."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from emulator import config_fields as f
from emulator.cognito.pool_rules import NOT_HONOURED, POOL_PASSTHROUGH
from emulator.config_fields import ConfigError

log = logging.getLogger("cognito_emulator")

# Fields of DescribeUserPool's UserPoolType that AWS computes: nothing to honour.
POOL_READ_ONLY = ("Status", "LastModifiedDate", "CreationDate", "EstimatedNumberOfUsers", "Arn",
                  "SmsConfigurationFailure", "EmailConfigurationFailure", "CustomDomain")
# UserPoolClientType's computed fields beyond those client_config already takes (ClientType says whether
# dynamic client registration made the client; ClientSecretArn where AWS keeps its secret).
CLIENT_READ_ONLY = ("ClientType", "ClientSecretArn")
# IdentityProviderType's: the pool (the entry's place says that) and the dates.
IDENTITY_PROVIDER_READ_ONLY = ("UserPoolId", "LastModifiedDate", "CreationDate")
# ResourceServerType's: the pool it belongs to (the entry's place says that) and ManagedBy (AWS's own servers).
RESOURCE_SERVER_READ_ONLY = ("UserPoolId", "ManagedBy")
# CreateUserPool settings kept as they are given and echoed by DescribeUserPool (pool_rules.POOL_PASSTHROUGH);
# AdminCreateUserConfig is parsed by config.py because the emulator acts on it.
POOL_SETTINGS_KEYS = tuple(k for k in POOL_PASSTHROUGH if k != "AdminCreateUserConfig")


def unwrapped(data: Mapping[str, Any], wrapper: str, path: str) -> Mapping[str, Any]:
    """The entry inside a describe output's wrapper (`{"UserPool": {...}}`), merged with keys beside it."""
    if wrapper not in data:
        return data
    inner = data[wrapper]
    if not isinstance(inner, Mapping):
        raise ConfigError(f"{path}.{wrapper}", f"expected the {wrapper} object of a describe output")
    clash = sorted(set(inner) & (set(data) - {wrapper}))
    if clash:
        raise ConfigError(f"{path}.{clash[0]}", f"given both inside {wrapper} and beside it; give it once")
    return {**inner, **{k: v for k, v in data.items() if k != wrapper}}


def _without(data: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in keys}


def pool_entry(data: Mapping[str, Any], path: str) -> dict[str, Any]:
    """A UserPools entry as config.py reads it, whether written by hand or pasted from describe-user-pool."""
    entry = _without(unwrapped(data, "UserPool", path), POOL_READ_ONLY)
    if "SchemaAttributes" in entry:
        if "Schema" in entry:
            raise ConfigError(f"{path}.SchemaAttributes", "give Schema (CreateUserPool's) or SchemaAttributes "
                                                          "(DescribeUserPool's), not both")
        # DescribeUserPool lists sub too; it is every pool's and cannot be declared.
        entry["Schema"] = [a for a in entry.pop("SchemaAttributes") or () if not (
            isinstance(a, Mapping) and a.get("Name") == "sub")]
    return entry


def pool_settings(data: Mapping[str, Any], path: str) -> dict[str, Any]:
    """The CreateUserPool settings the entry gives (UserPoolTags, UserPoolAddOns, messages...), as given;
    refused, with its path, when CreateUserPool refuses it (pool_rules.NOT_HONOURED)."""
    for (setting, field, value), why in NOT_HONOURED.items():
        if isinstance(data.get(setting), Mapping) and data[setting].get(field) == value:
            raise ConfigError(f"{path}.{setting}.{field}", f"{value}: {why}")
    return {k: data[k] for k in POOL_SETTINGS_KEYS if data.get(k) is not None}


def client_entry(data: Mapping[str, Any], path: str) -> dict[str, Any]:
    """A Clients entry, whether written by hand or pasted from describe-user-pool-client."""
    return _without(unwrapped(data, "UserPoolClient", path), CLIENT_READ_ONLY)


def resource_server_entry(data: Mapping[str, Any], path: str, pool_id: str) -> dict[str, Any]:
    """A ResourceServers entry, whether written by hand or pasted from describe-resource-server."""
    entry = unwrapped(data, "ResourceServer", path)
    if entry.get("UserPoolId") not in (None, pool_id):
        log.info("%s: pasted from pool %s; it belongs to pool %s here", path, entry["UserPoolId"], pool_id)
    return _without(entry, RESOURCE_SERVER_READ_ONLY)


def identity_provider_entry(data: Mapping[str, Any], path: str, pool_id: str) -> dict[str, Any]:
    """An IdentityProviders entry, whether written by hand or pasted from describe-identity-provider (the
    ProviderDetails AWS derives, such as a SAML provider's SSORedirectBindingURI, are kept as given)."""
    entry = unwrapped(data, "IdentityProvider", path)
    if entry.get("UserPoolId") not in (None, pool_id):
        log.info("%s: pasted from pool %s; it belongs to pool %s here", path, entry["UserPoolId"], pool_id)
    return _without(entry, IDENTITY_PROVIDER_READ_ONLY)


def acted_on_settings(data: Mapping[str, Any], path: str) -> dict[str, Any]:
    """A pool entry's settings kept beside its model: those given as they are (pool_settings), and the ones the
    emulator acts on, checked: AdminCreateUserConfig (SignUp is refused
    when AllowAdminCreateUserOnly is true, as on AWS) and DeviceConfiguration (devices are tracked)."""
    where = f"{path}.DeviceConfiguration"
    devices = f.mapping(data.get("DeviceConfiguration") or {}, where)
    f.only_keys(devices, ("ChallengeRequiredOnNewDevice", "DeviceOnlyRememberedOnUserPrompt"), where)
    tracked = {"DeviceConfiguration": dict(devices)} if "DeviceConfiguration" in data else {}
    raw = data.get("AdminCreateUserConfig")
    if raw is None:
        return {**pool_settings(data, path), **tracked}
    where = f"{path}.AdminCreateUserConfig"
    config = f.mapping(raw, where)
    f.only_keys(config, ("AllowAdminCreateUserOnly", "UnusedAccountValidityDays"), where)
    return {**pool_settings(data, path), **tracked, "AdminCreateUserConfig": {
        "AllowAdminCreateUserOnly": f.boolean(config, "AllowAdminCreateUserOnly", where, False),
        "UnusedAccountValidityDays": f.integer(config, "UnusedAccountValidityDays", where, 7, minimum=0,
                                               maximum=365)}}
