"""The store's identity-pool records: pools (with their roles), identities, the logins linked to them,
and the temporary AWS credentials GetCredentialsForIdentity issued (the gateway verifies SigV4 with them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emulator.state import Kind, Store


@dataclass(frozen=True)
class IssuedCredentials:
    """Temporary credentials as recorded: who they were issued to and until when."""

    access_key_id: str
    secret_key: str
    session_token: str
    expiration: float
    identity_id: str
    identity_pool_id: str
    role_arn: str
    authenticated: bool
    providers: tuple[str, ...]  # the login keys used (cognito-idp.<region>.amazonaws.com/<poolId>, ...)
    subject: str | None = None  # the user pool `sub` when signed in with a user pool (CognitoSignIn:<sub>)
    session_name: str = "CognitoIdentityCredentials"  # the role session (AssumeRoleWithWebIdentity names its own)


def put_pool(store: Store, pool: dict[str, Any]) -> None:
    """`pool`: DescribeIdentityPool's fields, plus Roles and RoleMappings (GetIdentityPoolRoles)."""
    store.put(Kind.IDENTITY_POOL, "", pool["IdentityPoolId"], pool)


def pool(store: Store, pool_id: str) -> dict[str, Any] | None:
    return store.get(Kind.IDENTITY_POOL, "", pool_id)


def pools(store: Store) -> list[dict[str, Any]]:
    return [data for _, _, data in store.items(Kind.IDENTITY_POOL, "")]


def delete_pool(store: Store, pool_id: str) -> None:
    store.delete(Kind.IDENTITY_POOL, "", pool_id)
    for _, key, data in store.items(Kind.IDENTITY, ""):
        if data.get("IdentityPoolId") == pool_id:
            store.delete(Kind.IDENTITY, "", key)
    for _, key, _ in store.items(Kind.IDENTITY_LOGIN, pool_id):
        store.delete(Kind.IDENTITY_LOGIN, pool_id, key)


def identity(store: Store, identity_id: str) -> dict[str, Any] | None:
    """`{IdentityPoolId, Logins: [login keys], CreationDate, LastModifiedDate}`, or None."""
    return store.get(Kind.IDENTITY, "", identity_id)


def put_identity(store: Store, identity_id: str, data: dict[str, Any]) -> None:
    store.put(Kind.IDENTITY, "", identity_id, data)


def identity_of_login(store: Store, pool_id: str, provider: str, subject: str) -> str | None:
    return store.get(Kind.IDENTITY_LOGIN, pool_id, f"{provider}\n{subject}")


def link_login(store: Store, pool_id: str, provider: str, subject: str, identity_id: str) -> None:
    store.put(Kind.IDENTITY_LOGIN, pool_id, f"{provider}\n{subject}", identity_id)


def put_credentials(store: Store, issued: IssuedCredentials) -> None:
    data = {**issued.__dict__, "providers": list(issued.providers)}
    store.put(Kind.AWS_CREDENTIALS, "", issued.access_key_id, data, expires=issued.expiration)


def credentials(store: Store, access_key_id: str) -> IssuedCredentials | None:
    """Credentials issued under this key id, expired or not (the caller compares Expiration with its clock)."""
    record = store.lookup(Kind.AWS_CREDENTIALS, "", access_key_id)
    if record is None:
        return None
    data = dict(record.data)
    data["providers"] = tuple(data.get("providers") or ())
    return IssuedCredentials(**data)
