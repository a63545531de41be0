"""LookupDeveloperIdentity, UnlinkDeveloperIdentity and UnlinkIdentity: reading and removing the logins
linked to an identity."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from emulator.cognito.protocol import Call
from emulator.identity import records
from emulator.identity.errors import reject
from emulator.identity.logins import verify_logins
from emulator.state import Kind

if TYPE_CHECKING:
    from emulator.runtime import Runtime


def _links(rt: Runtime, pool_id: str) -> list[tuple[str, str, str]]:
    """(provider, subject, identity id) of every login linked in a pool."""
    found = []
    for _, key, identity_id in rt.store.items(Kind.IDENTITY_LOGIN, pool_id):
        provider, _, subject = key.partition("\n")
        found.append((provider, subject, identity_id))
    return found


def _unlink(rt: Runtime, pool_id: str, identity_id: str, provider: str, subject: str | None = None) -> None:
    for linked_provider, linked_subject, owner in _links(rt, pool_id):
        if owner == identity_id and linked_provider == provider and subject in (None, linked_subject):
            rt.store.delete(Kind.IDENTITY_LOGIN, pool_id, f"{linked_provider}\n{linked_subject}")
    identity = records.identity(rt.store, identity_id)
    if identity is not None:
        remaining = {p for p, _, owner in _links(rt, pool_id) if owner == identity_id}
        identity["Logins"] = sorted(remaining)
        identity["LastModifiedDate"] = rt.clock()
        records.put_identity(rt.store, identity_id, identity)


def _pool(rt: Runtime, pool_id: str) -> dict[str, Any]:
    pool = records.pool(rt.store, pool_id)
    if pool is None:
        raise reject("pool_not_found", f"no identity pool {pool_id}", pool_id=pool_id)
    return pool


def lookup_developer_identity(rt: Runtime, params: dict, call: Call) -> dict:
    pool = _pool(rt, params["IdentityPoolId"])
    developer = pool.get("DeveloperProviderName")
    wanted_user, wanted_id = params.get("DeveloperUserIdentifier"), params.get("IdentityId")
    if not wanted_user and not wanted_id:
        raise reject("invalid_parameter", "LookupDeveloperIdentity needs IdentityId or DeveloperUserIdentifier",
                     detail="Either IdentityId or DeveloperUserIdentifier must be provided")  # UNCONFIRMED text
    links = [(subject, owner) for provider, subject, owner in _links(rt, pool["IdentityPoolId"])
             if provider == developer]
    owner = wanted_id or next((o for s, o in links if s == wanted_user), None)
    if owner is None or records.identity(rt.store, owner) is None:
        raise reject("identity_not_found", f"no identity of {pool['IdentityPoolId']} is linked to developer user "
                                           f"{wanted_user!r}", identity_id=wanted_id or wanted_user)
    users = sorted(s for s, o in links if o == owner)
    return {"IdentityId": owner, "DeveloperUserIdentifierList": users[:params.get("MaxResults") or 60]}


def unlink_developer_identity(rt: Runtime, params: dict, call: Call) -> dict:
    pool = _pool(rt, params["IdentityPoolId"])
    if params["DeveloperProviderName"] != pool.get("DeveloperProviderName"):
        raise reject("developer_provider_mismatch", f"the pool's DeveloperProviderName is "
                                                    f"{pool.get('DeveloperProviderName')}, not "
                                                    f"{params['DeveloperProviderName']}")
    _unlink(rt, pool["IdentityPoolId"], params["IdentityId"], params["DeveloperProviderName"],
            params["DeveloperUserIdentifier"])
    return {}


def unlink_identity(rt: Runtime, params: dict, call: Call) -> dict:
    identity = records.identity(rt.store, params["IdentityId"])
    if identity is None:
        raise reject("identity_not_found", f"no identity {params['IdentityId']}", identity_id=params["IdentityId"])
    pool = _pool(rt, identity["IdentityPoolId"])
    verified = verify_logins(rt, pool, params["Logins"])  # the caller proves it owns the identity
    owned = {p for p, s, o in _links(rt, pool["IdentityPoolId"]) if o == params["IdentityId"]}
    if not any(login.provider in owned for login in verified):
        raise reject("logins_dont_match", "none of the Logins is linked to this identity")
    for provider in params["LoginsToRemove"]:
        _unlink(rt, pool["IdentityPoolId"], params["IdentityId"], provider)
    return {}


OPERATIONS = {
    "LookupDeveloperIdentity": lookup_developer_identity,
    "UnlinkDeveloperIdentity": unlink_developer_identity,
    "UnlinkIdentity": unlink_identity,
}
