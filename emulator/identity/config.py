"""The config's `IdentityPools:` (CreateIdentityPool's names, plus IdentityPoolId, Roles and RoleMappings as
SetIdentityPoolRoles names them) and `Roles:` (role ARN -> IAM policy document, what AWS_IAM routes evaluate).
Entries are checked against botocore's cognito-identity model, each error naming its key path."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

from emulator import config_fields as f
from emulator.cognito import protocol as idp_protocol
from emulator.config_fields import ConfigError
from emulator.gateway.lambda_authorizer_verdict import MalformedOutput, statements
from emulator.identity.pools_api import new_pool, provider_problem, role_problem
from emulator.identity.protocol import service_model

CREATE_KEYS = ("IdentityPoolName", "AllowUnauthenticatedIdentities", "AllowClassicFlow", "SupportedLoginProviders",
               "DeveloperProviderName", "OpenIdConnectProviderARNs", "CognitoIdentityProviders", "SamlProviderARNs",
               "IdentityPoolTags")
ROLE_KEYS = ("Roles", "RoleMappings")
ROLE_ARN = re.compile(r"arn:aws:iam::\d{12}:role/[\w+=,.@/-]+")


def _model_errors(shape: str, value: Mapping[str, Any], path: str) -> None:
    """The model's first type or constraint error for `value`, as a ConfigError at its key path."""
    problem = idp_protocol.type_error(shape, dict(value), model=service_model())
    if problem:
        raise ConfigError(path, problem)
    errors = idp_protocol.validation_errors(shape, dict(value), model=service_model())
    if errors:
        # AWS's message names the member path inside (roles.admin.key); the key path names the config key.
        where = re.search(r"at '([^'.]+)", errors[0])
        key = where.group(1)[:1].upper() + where.group(1)[1:] if where else ""
        raise ConfigError(f"{path}.{key}" if key else path, errors[0])


def _pool(item: Mapping[str, Any], path: str, region: str) -> dict[str, Any]:
    f.only_keys(item, ("IdentityPoolId", *CREATE_KEYS, *ROLE_KEYS), path)
    create = {k: item[k] for k in CREATE_KEYS if item.get(k) is not None}
    create.setdefault("AllowUnauthenticatedIdentities", False)
    _model_errors("CreateIdentityPoolInput", create, path)
    problem = provider_problem(create)
    if problem:
        raise ConfigError(f"{path}.CognitoIdentityProviders", problem)
    pool_id = f.string(item, "IdentityPoolId", path)
    if pool_id is None:  # stable across restarts: derived from the name
        pool_id = f"{region}:{uuid.uuid5(uuid.NAMESPACE_URL, 'identity-pool:' + create['IdentityPoolName'])}"
    elif not re.fullmatch(r"[\w-]+:[0-9a-f-]+", pool_id):
        raise ConfigError(f"{path}.IdentityPoolId", f"'{pool_id}' is not REGION:GUID")
    pool = new_pool(create, region, pool_id)
    roles = item.get("Roles") or {}
    mappings = item.get("RoleMappings") or {}
    if roles or mappings:
        _model_errors("SetIdentityPoolRolesInput", {"IdentityPoolId": pool_id, "Roles": roles,
                                                    "RoleMappings": mappings}, path)
        problem = role_problem(roles, mappings)
        if problem:
            raise ConfigError(f"{path}.{problem[0]}", problem[1])
        pool["Roles"], pool["RoleMappings"] = dict(roles), dict(mappings)
    return pool


def parse_identity_pools(data: Mapping[str, Any], region: str) -> tuple[dict[str, Any], ...]:
    """`IdentityPools:` -> pool records, ids unique."""
    pools = []
    seen: dict[str, str] = {}
    for path, item in f.mapping_list(data, "IdentityPools", ""):
        pool = _pool(item, path, region)
        if pool["IdentityPoolId"] in seen:
            raise ConfigError(f"{path}.IdentityPoolId", f"duplicate identity pool id {pool['IdentityPoolId']}, "
                                                        f"already used at {seen[pool['IdentityPoolId']]}")
        seen[pool["IdentityPoolId"]] = path
        pools.append(pool)
    return tuple(pools)


def parse_roles(data: Mapping[str, Any]) -> dict[str, Any]:
    """`Roles:` role ARN -> IAM policy document ({Version, Statement}), each document readable as IAM reads it."""
    raw = data.get("Roles")
    if raw is None:
        return {}
    roles = f.mapping(raw, "Roles")
    for arn, document in roles.items():
        path = f"Roles.{arn}"
        if not isinstance(arn, str) or not ROLE_ARN.fullmatch(arn):
            raise ConfigError(path, "the key is an IAM role ARN: arn:aws:iam::<12-digit account>:role/<name>")
        try:
            statements(document)
        except MalformedOutput as exc:
            raise ConfigError(path, f"not an IAM policy document: {exc}") from None
    return dict(roles)
