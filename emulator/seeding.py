"""Applying the config to the store at start (and on reset): pools, clients, resource servers, groups, users.

An entry changed in the YAML since the last start wins; an unchanged one leaves whatever happened at run
time (sign-ups, password changes) alone. Each entry's fingerprint is kept to tell which is which.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from typing import TYPE_CHECKING

from emulator.cognito.lookup import find_user
from emulator.cognito.passwords import set_password
from emulator.cognito.sign_in_names import sign_in_attribute
from emulator.config import PoolSeed, UserSeed
from emulator.model import AppClient, UserPool
from emulator.state import Kind, Store, UserRecord

if TYPE_CHECKING:
    from emulator.runtime import Runtime


def new_client_secret() -> str:
    """51 lowercase alphanumerics, like the secrets Cognito generates."""
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(51))


def seed(rt: Runtime) -> None:
    """Apply the config's pools to the store, then have the keys of pools without any made."""
    from emulator.identity.seeding import seed_identity_pools

    with rt.store.transaction():
        for pool_seed in rt.config.pools:
            _seed_pool(rt.store, pool_seed, rt.clock())
        seed_identity_pools(rt)
    # Keys the store lacks are made in the background while the server starts: the first sign-in finds them ready.
    rt.keyring.prepare(pool_seed.pool.id for pool_seed in rt.config.pools)


def _changed(store: Store, kind: str, scope: str, key: str, definition: object) -> bool:
    fingerprint = hashlib.sha256(repr(definition).encode()).hexdigest()
    if store.get(Kind.SEED, f"{kind}:{scope}", key) == fingerprint:
        return False
    store.put(Kind.SEED, f"{kind}:{scope}", key, fingerprint)
    return True


def _seed_pool(store: Store, seed_: PoolSeed, now: float) -> None:
    pool = seed_.pool
    if _changed(store, "pool", "", pool.id, (pool, sorted(seed_.settings.items()))):
        existing = store.pool(pool.id)
        created = existing.created if existing else now
        store.put_pool(type(pool)(**{**pool.__dict__, "created": created, "modified": now}))
        store.put_pool_settings(pool.id, dict(seed_.settings))
    for server in seed_.resource_servers:
        if _changed(store, "resource_server", pool.id, server.identifier, server):
            store.put_resource_server(server)
    for group in seed_.groups:
        if _changed(store, "group", pool.id, group.name, group):
            existing_group = store.group(pool.id, group.name)
            created = existing_group.created if existing_group else now
            store.put_group(type(group)(**{**group.__dict__, "created": created, "modified": now}))
    for client in seed_.clients:
        if _changed(store, "client", "", client.client_id, client):
            store.put_client(_client_to_store(store, client, client.client_id in seed_.generate_secret, now))
    for provider in seed_.identity_providers:
        if _changed(store, "identity_provider", pool.id, provider["ProviderName"], provider):
            store.put(Kind.IDENTITY_PROVIDER, pool.id, provider["ProviderName"],
                      {**provider, "CreationDate": now, "LastModifiedDate": now})
    stored_pool = store.pool(pool.id)
    assert stored_pool is not None
    for user in seed_.users:
        if _changed(store, "user", pool.id, user.username, user):
            _seed_user(store, stored_pool, user, now)


def _client_to_store(store: Store, client: AppClient, generated: bool, now: float) -> AppClient:
    existing = store.client(client.client_id)
    secret = client.client_secret
    if generated:
        secret = existing.client_secret if existing and existing.client_secret else new_client_secret()
    created = existing.created if existing else now
    return client.with_changes(client_secret=secret, created=created, modified=now)


def _seed_user(store: Store, pool: UserPool, seed_: UserSeed, now: float) -> None:
    attributes = dict(seed_.attributes)
    attribute = sign_in_attribute(pool, seed_.username)
    if attribute:
        # A pool that signs in by email/phone names its users by a UUID (= sub), as AWS does;
        # the YAML's Username is then that attribute's value.
        attributes.setdefault(attribute, seed_.username)
        existing = find_user(store, pool, seed_.username)
    else:
        existing = store.user(pool, seed_.username)
    sub = existing.sub if existing else str(uuid.uuid4())
    username = existing.username if existing else (sub if attribute else seed_.username)
    user = UserRecord(
        pool_id=pool.id, username=username, sub=sub, attributes=attributes, status=seed_.status,
        enabled=seed_.enabled, created=existing.created if existing else now, modified=now,
        mfa=dict(existing.mfa) if existing else {},
    )
    user.attributes["sub"] = user.sub
    if seed_.password:
        set_password(user, pool.id, seed_.password)
    if seed_.mfa:
        secret = seed_.mfa.get("SoftwareTokenSecret")
        if secret:
            user.mfa.update({"totp_secret": str(secret), "totp_verified": True, "software_enabled": True})
        if seed_.mfa.get("SmsMfa"):
            user.mfa["sms_enabled"] = True
        if seed_.mfa.get("PreferredMfa"):
            user.mfa["preferred"] = str(seed_.mfa["PreferredMfa"])
    store.put_user(pool, user)
    for group in store.groups_of(pool.id, username):
        store.remove_from_group(pool.id, group, username)
    for group in seed_.groups:
        store.add_to_group(pool.id, group, username)
