"""The app's wiring: store, keys, signer, decisions log and clock, plus seeding the store from the config."""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from emulator.cognito.lookup import find_user
from emulator.cognito.passwords import set_password
from emulator.config import Config, PoolSeed, UserSeed
from emulator.decisions import DecisionLog
from emulator.keys import Keyring
from emulator.model import AppClient, UserPool, pool_issuer
from emulator.state import Store, UserRecord
from emulator.tokens import TokenSigner


def new_client_secret() -> str:
    """51 lowercase alphanumerics, like the secrets Cognito generates."""
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(51))


@dataclass
class Runtime:
    store: Store
    config: Config
    decisions: DecisionLog = field(default_factory=DecisionLog)
    clock: Callable[[], float] = time.time
    base_url: str = "http://127.0.0.1:9229"  # where the hosted UI and JWKS are served

    def __post_init__(self) -> None:
        self.keyring = Keyring(self.store)
        self.signer = TokenSigner(self.keyring)

    @classmethod
    def open(cls, config: Config, state_dir: Path | None, **kwargs: object) -> Runtime:
        """A runtime on a state directory (None: in memory), seeded from the config."""
        if state_dir is not None:
            Path(state_dir).mkdir(parents=True, exist_ok=True)
        store = Store(None if state_dir is None else Path(state_dir) / "state.sqlite3")
        runtime = cls(store=store, config=config, **kwargs)  # type: ignore[arg-type]
        store.purge_expired(runtime.clock())  # spent sessions and codes of earlier runs
        runtime.seed()
        return runtime

    def now(self) -> int:
        return int(self.clock())

    # -- IssuerKeys, for the gateway's authorizers --------------------------------------------
    def local_jwks(self, issuer: str) -> dict | None:
        # Every issuer form ends in the pool id; the stored record then says whether it is this pool's.
        issuer = issuer.rstrip("/")
        pool_id = issuer.rsplit("/", 1)[-1]
        record = self.store.get("pool", "", pool_id)
        if record is None:
            return None
        region = record.get("Region") or pool_id.split("_", 1)[0]
        if pool_issuer(pool_id, region, record.get("Issuer")) != issuer:
            return None
        return self.keyring.jwks(pool_id)

    def pool_issuer(self, pool_id: str) -> str | None:
        pool = self.store.pool(pool_id)
        return pool.issuer if pool else None

    # -- seeding ----------------------------------------------------------------------------
    def seed(self) -> None:
        """Apply the config to the store: an entry changed in the YAML since the last start wins;
        an unchanged one leaves whatever happened at run time (sign-ups, password changes) alone."""
        with self.store.transaction():
            for pool_seed in self.config.pools:
                self._seed_pool(pool_seed)
        for pool_seed in self.config.pools:
            self.keyring.keys(pool_seed.pool.id)  # create keys at start, not on the first sign-in

    def _changed(self, kind: str, scope: str, key: str, definition: object) -> bool:
        fingerprint = hashlib.sha256(repr(definition).encode()).hexdigest()
        if self.store.get("seed", f"{kind}:{scope}", key) == fingerprint:
            return False
        self.store.put("seed", f"{kind}:{scope}", key, fingerprint)
        return True

    def _seed_pool(self, seed: PoolSeed) -> None:
        now = self.clock()
        pool = seed.pool
        if self._changed("pool", "", pool.id, pool):
            existing = self.store.pool(pool.id)
            created = existing.created if existing else now
            self.store.put_pool(type(pool)(**{**pool.__dict__, "created": created, "modified": now}))
        for server in seed.resource_servers:
            if self._changed("resource_server", pool.id, server.identifier, server):
                self.store.put_resource_server(server)
        for group in seed.groups:
            if self._changed("group", pool.id, group.name, group):
                existing_group = self.store.group(pool.id, group.name)
                created = existing_group.created if existing_group else now
                self.store.put_group(type(group)(**{**group.__dict__, "created": created, "modified": now}))
        for client in seed.clients:
            if self._changed("client", "", client.client_id, client):
                self.store.put_client(self._client_to_store(client, client.client_id in seed.generate_secret, now))
        stored_pool = self.store.pool(pool.id)
        for user in seed.users:
            if self._changed("user", pool.id, user.username, user):
                self._seed_user(stored_pool, user, now)

    def _client_to_store(self, client: AppClient, generated: bool, now: float) -> AppClient:
        existing = self.store.client(client.client_id)
        secret = client.client_secret
        if generated:
            secret = existing.client_secret if existing and existing.client_secret else new_client_secret()
        created = existing.created if existing else now
        return client.with_changes(client_secret=secret, created=created, modified=now)

    def _seed_user(self, pool: UserPool, seed: UserSeed, now: float) -> None:
        attributes = dict(seed.attributes)
        sign_in_attribute = _sign_in_attribute(pool, seed.username)
        if sign_in_attribute:
            # A pool that signs in by email/phone names its users by a UUID (= sub), as AWS does;
            # the YAML's Username is then that attribute's value.
            attributes.setdefault(sign_in_attribute, seed.username)
            existing = find_user(self.store, pool, seed.username)
        else:
            existing = self.store.user(pool, seed.username)
        sub = existing.sub if existing else str(uuid.uuid4())
        username = existing.username if existing else (sub if sign_in_attribute else seed.username)
        user = UserRecord(
            pool_id=pool.id, username=username, sub=sub, attributes=attributes, status=seed.status,
            enabled=seed.enabled, created=existing.created if existing else now, modified=now,
            mfa=dict(existing.mfa) if existing else {},
        )
        user.attributes["sub"] = user.sub
        if seed.password:
            set_password(user, pool.id, seed.password)
        if seed.mfa:
            secret = seed.mfa.get("SoftwareTokenSecret")
            if secret:
                user.mfa.update({"totp_secret": str(secret), "totp_verified": True, "software_enabled": True})
            if seed.mfa.get("SmsMfa"):
                user.mfa["sms_enabled"] = True
            if seed.mfa.get("PreferredMfa"):
                user.mfa["preferred"] = str(seed.mfa["PreferredMfa"])
        self.store.put_user(pool, user)
        for group in self.store.groups_of(pool.id, username):
            self.store.remove_from_group(pool.id, group, username)
        for group in seed.groups:
            self.store.add_to_group(pool.id, group, username)


def _sign_in_attribute(pool: UserPool, name: str) -> str | None:
    """The UsernameAttributes entry a seed's Username stands for (email or phone_number), if any."""
    if "email" in pool.username_attributes and "@" in name:
        return "email"
    if "phone_number" in pool.username_attributes and name.startswith("+"):
        return "phone_number"
    return None
