"""Pool, app client, resource server and domain management: the cognito-idp admin operations, and
AddCustomAttributes (a pool's schema only grows).

Everything created here lives in the store, so it survives a restart, and a new pool gets its
own RSA keys (its JWKS is served at /<poolId>/.well-known/jwks.json at once). The decisions
(ids, defaults, resets) are in pool_rules.py; pagination in pagination.py; what a client may not be is in
client_rules.py, shared with the YAML loader.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import replace
from typing import Any

from emulator.cognito import identity_providers
from emulator.cognito import pool_rules as rules
from emulator.cognito.client_rules import client_violation
from emulator.cognito.errors import CognitoError, reject
from emulator.cognito.lookup import require_client, require_pool
from emulator.cognito.pagination import page
from emulator.cognito.protocol import Call
from emulator.cognito.schema_rules import declared, unnamed_entry, with_declarations
from emulator.model import DEFAULT_ACCOUNT, AppClient, ResourceServer, UserPool
from emulator.runtime import Runtime
from emulator.seeding import new_client_secret
from emulator.state import Store

DOMAIN_KIND = "pool_domain"  # scope: pool id, key: domain; what DescribeUserPoolDomain shows besides the name


# -- helpers other modules may use ---------------------------------------------------------------
def pool_settings(store: Store, pool_id: str) -> dict[str, Any]:
    """A pool's passthrough settings (AdminCreateUserConfig, DeletionProtection...) with AWS's defaults."""
    return {**rules.POOL_DEFAULTS, **store.pool_settings(pool_id)}


def _request_region(rt: Runtime, call: Call) -> str:
    # The region the client signed for (app.py can put it on Call from the Authorization header's
    # credential scope); otherwise the config's Region.
    return call.region or rt.config.region


def _describe_pool(rt: Runtime, pool: UserPool) -> dict[str, Any]:
    return rules.describe_pool(pool, rt.store.pool_settings(pool.id), rt.store.user_count(pool.id))


def _raise(error: CognitoError | None) -> None:
    if error is not None:
        raise error


# -- user pools ----------------------------------------------------------------------------------
def create_user_pool(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    _raise(rules.pool_violation(params))
    region = _request_region(rt, call)
    pool_id = rules.new_pool_id(region)
    while rt.store.pool(pool_id) is not None:
        pool_id = rules.new_pool_id(region)
    pool = rules.new_pool(params, pool_id, region, rt.clock())
    with rt.store.transaction():
        rt.store.put_pool(pool)
        rt.store.put_pool_settings(pool_id, rules.pool_settings_from(params))
    rt.keyring.prepare([pool_id])  # its own signing keys, made in the background, stored at their first use
    _make_kms_key(rt, pool)
    return {"UserPool": _describe_pool(rt, pool)}


def describe_user_pool(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    return {"UserPool": _describe_pool(rt, require_pool(rt.store, params["UserPoolId"]))}


def list_user_pools(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pools = [(pool.id, rules.pool_summary(pool)) for pool in rt.store.pools()]
    items, next_token = page(pools, params.get("NextToken"), params["MaxResults"], "pools")
    result: dict[str, Any] = {"UserPools": items}
    if next_token:
        result["NextToken"] = next_token
    return result


def update_user_pool(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool = require_pool(rt.store, params["UserPoolId"])
    _raise(rules.pool_update_violation(params))
    with rt.store.transaction():
        updated = rules.updated_pool(pool, params, rt.clock())
        rt.store.put_pool(updated)
        rt.store.put_pool_settings(pool.id, rules.pool_settings_from(params))
    _make_kms_key(rt, updated)
    return {}


def _make_kms_key(rt: Runtime, pool: UserPool) -> None:
    """The local KMS key a pool's KMSKeyID names (custom senders), so KMS DescribeKey knows it at once."""
    if pool.lambda_config.get("KMSKeyID"):
        rt.kms.ensure(str(pool.lambda_config["KMSKeyID"]))


def add_custom_attributes(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool = require_pool(rt.store, params["UserPoolId"])
    _raise(unnamed_entry(params["CustomAttributes"], "customAttributes"))
    # Every entry is custom here, even one named like a standard attribute (it becomes custom:<name>).
    added = with_declarations(pool, [declared(entry, custom=True) for entry in params["CustomAttributes"]])
    rt.store.put_pool(replace(added, modified=rt.clock()))
    return {}


def delete_user_pool(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool = require_pool(rt.store, params["UserPoolId"])
    if pool_settings(rt.store, pool.id).get("DeletionProtection") == "ACTIVE":
        raise reject("pool_deletion_protected", f"pool {pool.id} has DeletionProtection ACTIVE; UpdateUserPool "
                     "with DeletionProtection INACTIVE first")
    rt.store.delete_pool(pool.id)  # clients, users, groups, resource servers, keys, settings: all of it
    rt.keyring.forget(pool.id)
    return {}


# -- app clients ---------------------------------------------------------------------------------
def _check_client(rt: Runtime, client: AppClient) -> AppClient:
    violation = client_violation(client, rt.store.custom_scopes(client.pool_id))
    if violation is not None:
        raise CognitoError(violation.error_type, violation.message, violation.reason)
    missing = identity_providers.missing_provider(rt, client.pool_id, client.supported_identity_providers)
    if missing is not None:
        raise missing
    return client


def create_user_pool_client(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool = require_pool(rt.store, params["UserPoolId"])
    _raise(rules.client_request_violation(params))
    secret = params.get("ClientSecret")
    if secret and params.get("GenerateSecret"):
        raise reject("client_secret_and_generate", "the request has both GenerateSecret true and a ClientSecret; "
                     "send one of them")
    if params.get("GenerateSecret"):
        secret = new_client_secret()
    client_id = rules.new_client_id()
    while rt.store.client(client_id) is not None:
        client_id = rules.new_client_id()
    now = rt.clock()
    client = _check_client(rt, rules.client_from_request(
        params, pool_id=pool.id, client_id=client_id, client_name=params["ClientName"], client_secret=secret,
        created=now, now=now))
    rt.store.put_client(client)
    return {"UserPoolClient": client.to_aws()}


def describe_user_pool_client(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    require_pool(rt.store, params["UserPoolId"])
    _, client = require_client(rt.store, params["ClientId"], params["UserPoolId"])
    return {"UserPoolClient": client.to_aws()}


def update_user_pool_client(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    require_pool(rt.store, params["UserPoolId"])
    _, existing = require_client(rt.store, params["ClientId"], params["UserPoolId"])
    _raise(rules.client_request_violation(params))
    # AWS: "If you don't provide a value for an attribute, Amazon Cognito sets it to its default
    # value." The client is rebuilt from the request; only its identity and secret carry over.
    client = _check_client(rt, rules.client_from_request(
        params, pool_id=existing.pool_id, client_id=existing.client_id,
        client_name=params.get("ClientName") or existing.client_name, client_secret=existing.client_secret,
        created=existing.created, now=rt.clock())).with_changes(
            secret_created=existing.secret_created, added_secrets=existing.added_secrets)
    rt.store.put_client(client)
    return {"UserPoolClient": client.to_aws()}


def list_user_pool_clients(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool = require_pool(rt.store, params["UserPoolId"])
    clients = [(c.client_id, rules.client_summary(c)) for c in rt.store.clients(pool.id)]
    items, next_token = page(clients, params.get("NextToken"), params.get("MaxResults"), f"clients:{pool.id}")
    result: dict[str, Any] = {"UserPoolClients": items}
    if next_token:
        result["NextToken"] = next_token
    return result


def delete_user_pool_client(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    require_pool(rt.store, params["UserPoolId"])
    _, client = require_client(rt.store, params["ClientId"], params["UserPoolId"])
    rt.store.delete_client(client.client_id)
    return {}


# -- resource servers ----------------------------------------------------------------------------
def _resource_server(rt: Runtime, pool_id: str, identifier: str) -> ResourceServer:
    data = rt.store.get("resource_server", pool_id, identifier)
    if data is None:
        known = ", ".join(s.identifier for s in rt.store.resource_servers(pool_id)) or "none"
        raise reject("resource_server_not_found", f"pool {pool_id} has no resource server '{identifier}' "
                     f"(its resource servers: {known})", identifier=identifier, pool_id=pool_id)
    return ResourceServer.from_aws(data)


def _server_from(params: dict, pool_id: str) -> ResourceServer:
    scopes = tuple((s["ScopeName"], s["ScopeDescription"]) for s in params.get("Scopes") or ())
    return ResourceServer(pool_id, params["Identifier"], params["Name"], scopes)


def create_resource_server(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool = require_pool(rt.store, params["UserPoolId"])
    if rt.store.get("resource_server", pool.id, params["Identifier"]) is not None:
        raise reject("resource_server_exists", f"pool {pool.id} already has a resource server "
                     f"'{params['Identifier']}'; UpdateResourceServer changes it",
                     identifier=params["Identifier"], pool_id=pool.id)
    server = _server_from(params, pool.id)
    rt.store.put_resource_server(server)
    return {"ResourceServer": server.to_aws()}


def describe_resource_server(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool = require_pool(rt.store, params["UserPoolId"])
    return {"ResourceServer": _resource_server(rt, pool.id, params["Identifier"]).to_aws()}


def list_resource_servers(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool = require_pool(rt.store, params["UserPoolId"])
    servers = [(s.identifier, s.to_aws()) for s in rt.store.resource_servers(pool.id)]
    items, next_token = page(servers, params.get("NextToken"), params.get("MaxResults") or 50, f"servers:{pool.id}")
    result: dict[str, Any] = {"ResourceServers": items}
    if next_token:
        result["NextToken"] = next_token
    return result


def update_resource_server(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool = require_pool(rt.store, params["UserPoolId"])
    _resource_server(rt, pool.id, params["Identifier"])
    server = _server_from(params, pool.id)  # omitted Scopes: none, as AWS replaces the whole server
    rt.store.put_resource_server(server)
    return {"ResourceServer": server.to_aws()}


def delete_resource_server(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool = require_pool(rt.store, params["UserPoolId"])
    server = _resource_server(rt, pool.id, params["Identifier"])
    # Clients listing its scopes keep them, as on AWS; a token request for them then fails.
    rt.store.delete("resource_server", pool.id, server.identifier)
    return {}


# -- domains -------------------------------------------------------------------------------------
def _pool_with_domain(store: Store, domain: str) -> UserPool | None:
    return next((pool for pool in store.pools() if pool.domain == domain), None)


def _owned_domain(rt: Runtime, pool_id: str, domain: str) -> UserPool:
    pool = rt.store.pool(pool_id)
    if pool is None or pool.domain != domain:
        why = (f"no user pool '{pool_id}'" if pool is None else
               f"pool {pool_id} has domain {pool.domain!r}, not '{domain}'")
        raise reject("domain_not_found", why)
    return pool


def _domain_version(now: float) -> str:
    return time.strftime("%Y%m%d%H%M%S", time.gmtime(now))


def create_user_pool_domain(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool = require_pool(rt.store, params["UserPoolId"])
    domain = params["Domain"]
    word = rules.reserved_word(domain) if not params.get("CustomDomainConfig") else None
    if word:
        raise reject("domain_reserved_word", f"prefix domains may not contain '{word}'", word=word)
    holder = _pool_with_domain(rt.store, domain)
    if holder is not None and holder.id != pool.id:
        raise reject("domain_taken", f"domain '{domain}' belongs to pool {holder.id}; prefix domains are unique "
                     "in a region")
    if pool.domain:
        raise reject("pool_has_domain", f"pool {pool.id} already has domain '{pool.domain}'; "
                     "DeleteUserPoolDomain it first")
    version = params.get("ManagedLoginVersion") or 1
    now = rt.clock()
    with rt.store.transaction():
        rt.store.put_pool(replace(pool, domain=domain, modified=now))
        rt.store.put(DOMAIN_KIND, pool.id, domain, {"ManagedLoginVersion": version, "Version": _domain_version(now),
                                                    "Custom": bool(params.get("CustomDomainConfig"))})
    result: dict[str, Any] = {"ManagedLoginVersion": version}
    if params.get("CustomDomainConfig"):
        result["CloudFrontDomain"] = _cloudfront(domain)
    return result


def _cloudfront(domain: str) -> str:
    # A stable stand-in for the CloudFront distribution AWS puts in front of the hosted UI.
    return "d" + hashlib.sha256(domain.encode()).hexdigest()[:13] + ".cloudfront.net"


def describe_user_pool_domain(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    domain = params["Domain"]
    pool = _pool_with_domain(rt.store, domain)
    if pool is None:
        return {"DomainDescription": {}}  # AWS answers an unknown domain with an empty description
    meta = rt.store.get(DOMAIN_KIND, pool.id, domain) or {}
    return {"DomainDescription": {
        "UserPoolId": pool.id,
        "AWSAccountId": DEFAULT_ACCOUNT,
        "Domain": domain,
        "S3Bucket": f"aws-cognito-prod-{pool.region}-assets",
        "CloudFrontDistribution": _cloudfront(domain),
        "Version": meta.get("Version") or _domain_version(pool.created),
        "Status": "ACTIVE",
        "ManagedLoginVersion": meta.get("ManagedLoginVersion", 1),
    }}


def update_user_pool_domain(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool = _owned_domain(rt, params["UserPoolId"], params["Domain"])
    meta = rt.store.get(DOMAIN_KIND, pool.id, params["Domain"]) or {}
    version = params.get("ManagedLoginVersion") or meta.get("ManagedLoginVersion", 1)
    rt.store.put(DOMAIN_KIND, pool.id, params["Domain"], {**meta, "ManagedLoginVersion": version})
    result: dict[str, Any] = {"ManagedLoginVersion": version}
    if params.get("CustomDomainConfig") or meta.get("Custom"):
        result["CloudFrontDomain"] = _cloudfront(params["Domain"])
    return result


def delete_user_pool_domain(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool = _owned_domain(rt, params["UserPoolId"], params["Domain"])
    with rt.store.transaction():
        rt.store.put_pool(replace(pool, domain=None, modified=rt.clock()))
        rt.store.delete(DOMAIN_KIND, pool.id, params["Domain"])
    return {}


OPERATIONS = {
    "CreateUserPool": create_user_pool,
    "DescribeUserPool": describe_user_pool,
    "ListUserPools": list_user_pools,
    "UpdateUserPool": update_user_pool,
    "DeleteUserPool": delete_user_pool,
    "AddCustomAttributes": add_custom_attributes,
    "CreateUserPoolClient": create_user_pool_client,
    "DescribeUserPoolClient": describe_user_pool_client,
    "UpdateUserPoolClient": update_user_pool_client,
    "ListUserPoolClients": list_user_pool_clients,
    "DeleteUserPoolClient": delete_user_pool_client,
    "CreateResourceServer": create_resource_server,
    "DescribeResourceServer": describe_resource_server,
    "ListResourceServers": list_resource_servers,
    "UpdateResourceServer": update_resource_server,
    "DeleteResourceServer": delete_resource_server,
    "CreateUserPoolDomain": create_user_pool_domain,
    "DescribeUserPoolDomain": describe_user_pool_domain,
    "UpdateUserPoolDomain": update_user_pool_domain,
    "DeleteUserPoolDomain": delete_user_pool_domain,
}
