"""Finding pools, clients and users, with AWS's not-found errors and the secret-hash rule."""

from __future__ import annotations

import base64
import hashlib
import hmac

from emulator.cognito.errors import CognitoError, reject
from emulator.model import AppClient, UserPool
from emulator.state import Store, UserRecord


def require_pool(store: Store, pool_id: str) -> UserPool:
    pool = store.pool(pool_id)
    if pool is None:
        known = ", ".join(p.id for p in store.pools()) or "none"
        raise reject("pool_not_found", f"no user pool '{pool_id}' (pools here: {known})", pool_id=pool_id)
    return pool


def require_client(store: Store, client_id: str, pool_id: str | None = None) -> tuple[UserPool, AppClient]:
    """The client and its pool; with `pool_id`, the client must belong to that pool (as AWS checks)."""
    client = store.client(client_id)
    if client is None:
        raise reject("client_not_found", f"no app client with id '{client_id}' in any pool", client_id=client_id)
    if pool_id is not None and client.pool_id != pool_id:
        require_pool(store, pool_id)
        raise reject("client_not_found", f"app client '{client_id}' belongs to pool {client.pool_id}, "
                                         f"not {pool_id}", client_id=client_id)
    pool = store.pool(client.pool_id)
    if pool is None:
        raise reject("client_not_found", f"app client '{client_id}' belongs to a deleted pool",
                     client_id=client_id)
    return pool, client


def find_user(store: Store, pool: UserPool, name: str) -> UserRecord | None:
    """A user by username, or by an email/phone sign-in attribute or verified alias, as the pool allows
    (an index lookup per attribute: sign-in names are looked up without reading the pool's users)."""
    user = store.user(pool, name)
    if user is not None:
        return user
    by_attribute = list(pool.username_attributes)
    by_alias = list(pool.alias_attributes)
    for attr in by_attribute + by_alias:
        # The index's folded values are lower-cased; a case-sensitive pool then compares the value as written.
        for candidate in store.users_where(pool.id, attr, name, folded_case=True):
            value = candidate.attributes.get(attr)
            if value is None or (pool.case_sensitive and value != name):
                continue
            verified = candidate.attributes.get(f"{attr}_verified") == "true"
            if attr in by_attribute or verified or attr == "preferred_username":
                return candidate
    return None


# The ERRORS key for a SECRET_HASH that was not sent, by operation (AWS_EVIDENCE.md §1): SignUp and the
# USER_PASSWORD_AUTH flow say "configured for secret but secret was not received" (raw bodies quoted in
# cognitect-labs/aws-api and the unity-sds wiki); ConfirmSignUp and ResendConfirmationCode answer as for a wrong
# hash (furaiev/amazon-cognito-identity-dart-2 PR#98; AWS Knowledge Center cognito-unable-to-verify-secret-hash);
# SRP and challenge responses keep "configured with secret but SECRET_HASH was not received" (amplify-android#2504).
# Operations not listed (ForgotPassword, ConfirmForgotPassword, the admin password flow) keep that text too:
# no evidence either way.
MISSING_SECRET_HASH: dict[str, str] = {
    "SignUp": "secret_not_received",
    "USER_PASSWORD_AUTH": "secret_not_received",
    "ConfirmSignUp": "secret_hash_wrong",
    "ResendConfirmationCode": "secret_hash_wrong",
}


def missing_secret_key(operation_or_flow: str) -> str:
    """The ERRORS key for a missing SECRET_HASH in this operation (or InitiateAuth flow)."""
    return MISSING_SECRET_HASH.get(operation_or_flow, "secret_hash_missing")


def secret_hash(client_secret: str, username: str, client_id: str) -> str:
    """Base64(HMAC_SHA256(key=client secret, message=username + client id))."""
    digest = hmac.new(client_secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def check_secret_hash(client: AppClient, username: str, given: str | None, refresh: bool = False,
                      missing: str = "secret_hash_missing") -> None:
    """Raise AWS's error when the SECRET_HASH is missing, wrong or not expected for this client.

    `missing` is the ERRORS key for a hash not sent: AWS words it per operation (MISSING_SECRET_HASH)."""
    if not client.client_secret:
        if given:
            raise reject("secret_hash_unexpected",
                         f"client '{client.client_name}' has no secret, so it must not be sent a SECRET_HASH",
                         client_id=client.client_id)
        return
    if not given:
        raise reject(missing, f"client '{client.client_name}' has a secret; send SECRET_HASH = "
                     "Base64(HMAC-SHA256(key=client secret, message=USERNAME + ClientId))",
                     client_id=client.client_id)
    # Any active secret signs a good hash (AddUserPoolClientSecret keeps two during a rotation).
    for secret in client.secrets:
        if hmac.compare_digest(secret_hash(secret, username, client.client_id).encode(), given.encode()):
            return
    if given in client.secrets:
        why = ("SECRET_HASH is the client secret itself; it must be "
               f"Base64(HMAC-SHA256(key=client secret, message='{username}' + '{client.client_id}'))")
    elif refresh:
        why = (f"SECRET_HASH does not match; for a refresh it is computed over the user's cognito:username "
               f"'{username}' (not an email alias) + '{client.client_id}'")
    else:
        why = (f"SECRET_HASH does not match Base64(HMAC-SHA256(key=client secret, message='{username}' + "
               f"'{client.client_id}'))")
    raise reject("refresh_secret_hash_wrong" if refresh else "secret_hash_wrong", why, client_id=client.client_id)


def check_client_secret(client: AppClient, given: str | None) -> None:
    """Raise AWS's error when a ClientSecret parameter is missing, wrong or not expected for this client."""
    if not client.client_secret:
        if given:
            raise reject("client_secret_unexpected", f"client '{client.client_name}' has no secret, so it must not "
                         "be sent a ClientSecret", client_id=client.client_id)
        return
    if not given:
        raise reject("client_secret_missing", f"client '{client.client_name}' has a secret; send it as ClientSecret",
                     client_id=client.client_id)
    if not any(hmac.compare_digest(secret.encode(), given.encode()) for secret in client.secrets):
        raise reject("client_secret_wrong", f"ClientSecret is not the secret of client '{client.client_name}'",
                     client_id=client.client_id)


def check_secret_hash_any(client: AppClient, names: tuple[str | None, ...], given: str | None,
                          missing: str = "secret_hash_missing") -> None:
    """Sign-in by alias: AWS accepts a SECRET_HASH over the name the user typed or the real username."""
    first: CognitoError | None = None
    for name in dict.fromkeys(n for n in names if n):
        try:
            check_secret_hash(client, name, given, missing=missing)
            return
        except CognitoError as exc:
            first = first or exc
    if first is not None:
        raise first


def require_param(params: dict, name: str, missing_key: str = "missing_auth_parameter") -> str:
    value = params.get(name)
    if not value:
        raise reject(missing_key, f"the request has no {name}", name=name)
    return value


def user_gone(pool: UserPool, client: AppClient | None, username: str) -> CognitoError:
    """An unknown user, as AWS reports it under the client's PreventUserExistenceErrors."""
    if client is not None and client.prevent_user_existence_errors == "ENABLED":
        return reject("wrong_password", f"no user '{username}' in pool {pool.id}; the client has "
                      "PreventUserExistenceErrors ENABLED, so AWS answers as for a wrong password")
    return reject("user_not_found", f"no user '{username}' in pool {pool.id}")
