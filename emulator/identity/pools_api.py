"""CreateIdentityPool, DescribeIdentityPool, UpdateIdentityPool, DeleteIdentityPool, ListIdentityPools,
SetIdentityPoolRoles and GetIdentityPoolRoles over the store's identity-pool records."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from emulator.cognito.protocol import Call
from emulator.identity import records
from emulator.identity.errors import reject

if TYPE_CHECKING:
    from emulator.runtime import Runtime

# DescribeIdentityPool's fields (IdentityPool shape of the model), in its order; the rest of a record is roles.
POOL_FIELDS = ("IdentityPoolId", "IdentityPoolName", "AllowUnauthenticatedIdentities", "AllowClassicFlow",
               "SupportedLoginProviders", "DeveloperProviderName", "OpenIdConnectProviderARNs",
               "CognitoIdentityProviders", "SamlProviderARNs", "IdentityPoolTags")
ROLE_FIELDS = ("Roles", "RoleMappings")


def described(pool: Mapping[str, Any]) -> dict[str, Any]:
    """The pool as DescribeIdentityPool answers (fields never set are left out, as AWS leaves them out)."""
    return {name: pool[name] for name in POOL_FIELDS if pool.get(name) is not None}


def role_problem(roles: Mapping[str, Any], mappings: Mapping[str, Any]) -> tuple[str, str] | None:
    """(where, what) SetIdentityPoolRoles refuses beyond the model's shapes (the model's docs: Token and Rules
    need AmbiguousRoleResolution; Rules needs RulesConfiguration), or None."""
    for provider, mapping in mappings.items():
        where = f"RoleMappings.{provider}"
        if not mapping.get("AmbiguousRoleResolution"):
            return where, f"AmbiguousRoleResolution is required for type {mapping.get('Type')}"
        if mapping.get("Type") == "Rules" and not (mapping.get("RulesConfiguration") or {}).get("Rules"):
            return where, "a Rules mapping needs RulesConfiguration.Rules"
        if ":" not in provider:
            return where, "the key is <provider>:<app client id>, e.g. " \
                          "cognito-idp.us-east-1.amazonaws.com/us-east-1_abc:<client id>"
    return None


def provider_problem(params: Mapping[str, Any]) -> str | None:
    """Why CognitoIdentityProviders is refused (AWS: "Invalid Cognito Identity Provider"), or None: each entry
    names a user pool as cognito-idp.<region>.amazonaws.com/<poolId> and one of its app clients."""
    for index, entry in enumerate(params.get("CognitoIdentityProviders") or ()):
        name = entry.get("ProviderName") or ""
        host, _, pool_id = name.partition("/")
        if not entry.get("ClientId") or not (host.startswith("cognito-idp.") and host.endswith(".amazonaws.com")
                                            and pool_id):
            return f"CognitoIdentityProviders[{index}] needs ProviderName cognito-idp.<region>.amazonaws.com/" \
                   f"<user pool id> and a ClientId, got {dict(entry)}"
    return None


def new_pool(params: Mapping[str, Any], region: str, pool_id: str | None = None) -> dict[str, Any]:
    """A pool record from CreateIdentityPool's parameters (also what a config entry becomes)."""
    pool = {name: params[name] for name in POOL_FIELDS if params.get(name) is not None}
    pool["IdentityPoolId"] = pool_id or f"{region}:{uuid.uuid4()}"
    pool.setdefault("AllowClassicFlow", False)
    pool.setdefault("IdentityPoolTags", {})
    return pool


def _stored(rt: Runtime, pool_id: str) -> dict[str, Any]:
    pool = records.pool(rt.store, pool_id)
    if pool is None:
        raise reject("pool_not_found", f"no identity pool {pool_id}", pool_id=pool_id)
    return pool


def _check_providers(params: Mapping[str, Any]) -> None:
    problem = provider_problem(params)
    if problem:
        raise reject("invalid_cognito_provider", problem)


def create_identity_pool(rt: Runtime, params: dict, call: Call) -> dict:
    _check_providers(params)
    pool = new_pool(params, call.region or rt.config.region)
    records.put_pool(rt.store, pool)
    return described(pool)


def describe_identity_pool(rt: Runtime, params: dict, call: Call) -> dict:
    return described(_stored(rt, params["IdentityPoolId"]))


def update_identity_pool(rt: Runtime, params: dict, call: Call) -> dict:
    pool = _stored(rt, params["IdentityPoolId"])
    _check_providers(params)
    developer = pool.get("DeveloperProviderName")
    if developer and params.get("DeveloperProviderName") not in (None, developer):
        # The model's docs: "Once you have set a developer provider name, you cannot change it." (UNCONFIRMED text)
        raise reject("invalid_parameter", f"DeveloperProviderName is {developer} and cannot change",
                     detail="Cannot update DeveloperProviderName once it is set")
    # UpdateIdentityPool replaces the pool's settings with the ones given (an absent list is emptied).
    updated = {**new_pool(params, "", pool["IdentityPoolId"]), **{k: pool[k] for k in ROLE_FIELDS if k in pool}}
    if developer:
        updated["DeveloperProviderName"] = developer
    records.put_pool(rt.store, updated)
    return described(updated)


def delete_identity_pool(rt: Runtime, params: dict, call: Call) -> dict:
    _stored(rt, params["IdentityPoolId"])
    records.delete_pool(rt.store, params["IdentityPoolId"])
    return {}


def list_identity_pools(rt: Runtime, params: dict, call: Call) -> dict:
    every = sorted(records.pools(rt.store), key=lambda p: p["IdentityPoolId"])
    start = 0
    if params.get("NextToken"):
        start = next((i for i, p in enumerate(every) if p["IdentityPoolId"] == params["NextToken"]), None) or 0
        if every[start:start + 1] and every[start]["IdentityPoolId"] != params["NextToken"]:
            raise reject("invalid_parameter", "NextToken is not one ListIdentityPools returned",
                         detail="Invalid NextToken")  # UNCONFIRMED text
    page = every[start:start + params["MaxResults"]]
    result: dict[str, Any] = {"IdentityPools": [{"IdentityPoolId": p["IdentityPoolId"],
                                                 "IdentityPoolName": p["IdentityPoolName"]} for p in page]}
    if start + params["MaxResults"] < len(every):
        result["NextToken"] = every[start + params["MaxResults"]]["IdentityPoolId"]
    return result


def set_identity_pool_roles(rt: Runtime, params: dict, call: Call) -> dict:
    pool = _stored(rt, params["IdentityPoolId"])
    mappings = params.get("RoleMappings") or {}
    problem = role_problem(params["Roles"], mappings)
    if problem:
        text = f"{problem[0]}: {problem[1]}"
        raise reject("invalid_parameter", text, detail=text)  # UNCONFIRMED texts
    pool["Roles"] = dict(params["Roles"])
    pool["RoleMappings"] = dict(mappings)
    records.put_pool(rt.store, pool)
    return {}


def get_identity_pool_roles(rt: Runtime, params: dict, call: Call) -> dict:
    pool = _stored(rt, params["IdentityPoolId"])
    result: dict[str, Any] = {"IdentityPoolId": pool["IdentityPoolId"], "Roles": pool.get("Roles") or {}}
    if pool.get("RoleMappings"):
        result["RoleMappings"] = pool["RoleMappings"]
    return result


OPERATIONS = {
    "CreateIdentityPool": create_identity_pool,
    "DescribeIdentityPool": describe_identity_pool,
    "UpdateIdentityPool": update_identity_pool,
    "DeleteIdentityPool": delete_identity_pool,
    "ListIdentityPools": list_identity_pools,
    "SetIdentityPoolRoles": set_identity_pool_roles,
    "GetIdentityPoolRoles": get_identity_pool_roles,
}
