"""DescribeIdentity, ListIdentities and DeleteIdentities: the developer's view of a pool's identities."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from emulator.cognito.protocol import Call
from emulator.identity import records
from emulator.identity.errors import reject
from emulator.state import Kind

if TYPE_CHECKING:
    from emulator.runtime import Runtime


def _described(identity_id: str, identity: dict[str, Any]) -> dict[str, Any]:
    return {"IdentityId": identity_id, "Logins": list(identity.get("Logins") or ()),
            "CreationDate": identity.get("CreationDate"), "LastModifiedDate": identity.get("LastModifiedDate")}


def describe_identity(rt: Runtime, params: dict, call: Call) -> dict:
    identity = records.identity(rt.store, params["IdentityId"])
    if identity is None:
        raise reject("identity_not_found", f"no identity {params['IdentityId']}", identity_id=params["IdentityId"])
    return _described(params["IdentityId"], identity)


def list_identities(rt: Runtime, params: dict, call: Call) -> dict:
    pool_id = params["IdentityPoolId"]
    if records.pool(rt.store, pool_id) is None:
        raise reject("pool_not_found", f"no identity pool {pool_id}", pool_id=pool_id)
    every = [(key, data) for _, key, data in rt.store.items(Kind.IDENTITY, "") if data.get("IdentityPoolId") == pool_id]
    keys = [key for key, _ in every]
    start = keys.index(params["NextToken"]) if params.get("NextToken") in keys else 0
    size = params["MaxResults"]
    result: dict[str, Any] = {"IdentityPoolId": pool_id,
                              "Identities": [_described(key, data) for key, data in every[start:start + size]]}
    if start + size < len(every):
        result["NextToken"] = keys[start + size]
    return result


def delete_identities(rt: Runtime, params: dict, call: Call) -> dict:
    unprocessed = []
    for identity_id in params["IdentityIdsToDelete"]:
        identity = records.identity(rt.store, identity_id)
        if identity is None:
            unprocessed.append({"IdentityId": identity_id, "ErrorCode": "InternalServerError"})
            continue
        pool_id = identity["IdentityPoolId"]
        for _, key, owner in rt.store.items(Kind.IDENTITY_LOGIN, pool_id):
            if owner == identity_id:
                rt.store.delete(Kind.IDENTITY_LOGIN, pool_id, key)
        rt.store.delete(Kind.IDENTITY, "", identity_id)
    return {"UnprocessedIdentityIds": unprocessed}


OPERATIONS = {
    "DescribeIdentity": describe_identity,
    "ListIdentities": list_identities,
    "DeleteIdentities": delete_identities,
}
