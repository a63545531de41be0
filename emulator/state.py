"""The durable store: pools, clients, users, groups, tokens, sessions and codes in embedded SQLite.

One connection guarded by a lock: the emulator's handlers run in a thread pool, and
serialising writes is what keeps concurrent requests from corrupting state.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from emulator.model import AppClient, Group, ResourceServer, UserPool

LOCK_TIMEOUT_SECONDS = 30
# A record past its expiry stays this long before it is purged, so a late answer can be told "expired"
# rather than "unknown" (sessions, codes, refresh tokens); `get` and `items` never return it.
PURGE_GRACE_SECONDS = 86400


class Kind(StrEnum):
    """Every kind of record in the store; each is read and written by one module."""

    POOL = "pool"  # state.py
    POOL_SETTINGS = "pool_settings"  # cognito/pools.py
    POOL_DOMAIN = "pool_domain"  # cognito/pools.py
    CLIENT = "client"  # state.py
    RESOURCE_SERVER = "resource_server"  # state.py
    GROUP = "group"  # state.py
    USER = "user"  # state.py
    MEMBERSHIP = "membership"  # state.py
    KEYS = "keys"  # keys.py
    SEED = "seed"  # seeding.py
    SESSION = "session"  # cognito/sessions.py
    SRP_SECRET_BLOCK = "srp_secret_block"  # cognito/sessions.py
    REFRESH = "refresh"  # refresh_tokens.py
    REVOKED_ORIGIN = "revoked_origin"  # refresh_tokens.py
    REFRESH_OF_USER = "refresh_of_user"  # refresh_tokens.py: the index of a user's refresh tokens
    TEMPORARY_PASSWORD = "temporary_password"  # cognito/temporary_passwords.py
    CODE = "code"  # cognito/codes.py
    OAUTH2_CODE = "oauth2_code"  # oauth2/records.py
    OAUTH2_BROWSER_SESSION = "oauth2_browser_session"  # oauth2/records.py
    OAUTH2_LOGIN_REQUEST = "oauth2_login_request"  # oauth2/records.py
    OAUTH2_LOGIN_STEP = "oauth2_login_step"  # oauth2/records.py
    UI_CUSTOMIZATION = "ui_customization"  # cognito/ui_customization.py
    SIGNING_CERTIFICATE = "signing_certificate"  # cognito/signing_certificate.py
    IMPORT_JOB = "import_job"  # cognito/import_jobs.py
    IMPORT_CSV = "import_csv"  # cognito/import_jobs.py
    AUTH_EVENT = "auth_event"  # cognito/auth_events.py
    LOG_DELIVERY = "log_delivery"  # cognito/log_delivery.py
    RISK_CONFIGURATION = "risk_configuration"  # cognito/risk_configuration.py
    TERMS = "terms"  # cognito/terms.py
    MANAGED_LOGIN_BRANDING = "managed_login_branding"  # cognito/managed_login_branding.py
    IDENTITY_POOL = "identity_pool"  # identity/records.py
    IDENTITY = "identity"  # identity/records.py
    IDENTITY_LOGIN = "identity_login"  # identity/records.py
    AWS_CREDENTIALS = "aws_credentials"  # identity/records.py
    IDENTITY_PROVIDER = "identity_provider"  # cognito/identity_providers.py
    KMS_KEY = "kms_key"  # kms/keys.py
    SAML_REQUEST = "saml_request"  # oauth2/saml_records.py: AuthnRequests sent, by RelayState
    SAML_ASSERTION = "saml_assertion"  # oauth2/saml_records.py: assertions used (each signs in once)
    SAML_SESSION = "saml_session"  # oauth2/saml_records.py: a browser session's NameID and SessionIndex
    SAML_LOGOUT = "saml_logout"  # oauth2/saml_records.py: LogoutRequests sent, by RelayState
    FEDERATION_REQUEST = "federation_request"  # oauth2/federation_requests.py: an authorize request sent to an IdP
    PROVIDER_LINK = "provider_link"  # cognito/provider_links.py: AdminLinkProviderForUser
    SIMULATED_IDP_CODE = "simulated_idp_code"  # oauth2/social_simulation.py
    SIMULATED_IDP_IDENTITY = "simulated_idp_identity"  # oauth2/social_simulation.py: identities picked before
    SESSION_CONFIGURATION = "session_configuration"  # cognito/session_limits.py


# Kinds whose records are parsed into definitions other code caches (pools, their keys, clients).
_DEFINITIONS = frozenset({Kind.POOL, Kind.KEYS, Kind.CLIENT})
T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL,
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    data TEXT NOT NULL,
    expires REAL,
    PRIMARY KEY (kind, scope, key)
);
CREATE INDEX IF NOT EXISTS records_by_key ON records (kind, key);
"""


@dataclass(frozen=True)
class Record:
    """A stored value with its expiry (None: never), whether or not that has passed."""

    data: Any
    expires: float | None


@dataclass
class UserRecord:
    pool_id: str
    username: str
    sub: str
    attributes: dict[str, str]
    status: str  # CONFIRMED | UNCONFIRMED | FORCE_CHANGE_PASSWORD | RESET_REQUIRED | EXTERNAL_PROVIDER
    enabled: bool = True
    password_hash: str | None = None
    srp_salt: str | None = None
    srp_verifier: str | None = None  # hex
    created: float = 0.0
    modified: float = 0.0
    mfa: dict[str, Any] = field(default_factory=dict)
    tokens_valid_after: float = 0.0  # GlobalSignOut: access tokens issued before this are revoked
    failed_attempts: int = 0  # consecutive failed sign-ins (lockout.py)
    locked_until: float = 0.0


class Store:
    """Typed access to the records table; every method is one short transaction."""

    def __init__(self, path: Path | str | None = None, clock: Callable[[], float] = time.time) -> None:
        """`path` None keeps everything in memory (test fixtures); `clock` decides what has expired."""
        target = ":memory:" if path is None else str(path)
        if path is not None:
            # Signing keys and password verifiers live here: owner-only, before SQLite writes a byte
            # (its -wal and -shm files take the database file's mode).
            os.close(os.open(target, os.O_RDWR | os.O_CREAT, 0o600))
            os.chmod(target, 0o600)
        self._db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
        self._clock = clock
        self._pools_generation = 0
        self._parsed: dict[tuple[Kind, str], tuple[int, Any]] = {}
        if path is not None:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self, commit_on: tuple[type[BaseException], ...] = ()) -> Iterator[None]:
        """Group several calls into one atomic, isolated step (re-entrant). An exception rolls it back,
        unless it is one of `commit_on` (a rejection whose state changes, like a failed attempt, stand)."""
        # A timeout instead of a silent hang if a handler waits on a request that needs the store.
        if not self._lock.acquire(timeout=LOCK_TIMEOUT_SECONDS):
            raise RuntimeError(f"the store stayed busy for {LOCK_TIMEOUT_SECONDS} s")
        try:
            if self._db.in_transaction:
                yield
                return
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except commit_on:
                self._db.execute("COMMIT")
                raise
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        finally:
            self._lock.release()

    # -- the generic record layer -------------------------------------------------------
    @property
    def pools_generation(self) -> int:
        """A number that changes whenever a pool, its keys or a client may have changed; read without the lock,
        so a cache of what pools publish (their JWKS, their parsed definitions) can be checked cheaply."""
        return self._pools_generation

    def _touch(self, kind: Kind | None) -> None:
        # Called before and after each write: a reader that saw the number between the two re-reads later.
        if kind is None or kind in _DEFINITIONS:
            self._pools_generation += 1

    def put(self, kind: Kind, scope: str, key: str, data: Any, expires: float | None = None) -> None:
        self._touch(kind)
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO records (kind, scope, key, data, expires) VALUES (?, ?, ?, ?, ?)",
                (kind, scope, key, json.dumps(data), expires),
            )
        self._touch(kind)

    def lookup(self, kind: Kind, scope: str, key: str) -> Record | None:
        """The record and its expiry, even when that has passed (until it is purged)."""
        with self._lock:
            row = self._db.execute(
                "SELECT data, expires FROM records WHERE kind=? AND scope=? AND key=?", (kind, scope, key)
            ).fetchone()
        return None if row is None else Record(json.loads(row[0]), row[1])

    def get(self, kind: Kind, scope: str, key: str) -> Any | None:
        """The value of a live record (not expired by the runtime's clock)."""
        record = self.lookup(kind, scope, key)
        if record is None or (record.expires is not None and record.expires <= self._clock()):
            return None
        return record.data

    def take(self, kind: Kind, scope: str, key: str) -> Record | None:
        """Look up and delete in one step (single-use codes and sessions), expired or not."""
        with self.transaction():
            record = self.lookup(kind, scope, key)
            self.delete(kind, scope, key)
        return record

    def delete(self, kind: Kind, scope: str, key: str) -> None:
        self._touch(kind)
        with self._lock:
            self._db.execute("DELETE FROM records WHERE kind=? AND scope=? AND key=?", (kind, scope, key))
        self._touch(kind)

    def items(self, kind: Kind, scope: str | None = None) -> list[tuple[str, str, Any]]:
        """(scope, key, data) of every live record of a kind, optionally within one scope, ordered by key."""
        now = self._clock()
        with self._lock:
            if scope is None:
                rows = self._db.execute(
                    "SELECT scope, key, data, expires FROM records WHERE kind=? ORDER BY scope, key", (kind,)
                ).fetchall()
            else:
                rows = self._db.execute(
                    "SELECT scope, key, data, expires FROM records WHERE kind=? AND scope=? ORDER BY key",
                    (kind, scope),
                ).fetchall()
        return [(s, k, json.loads(d)) for s, k, d, e in rows if e is None or e > now]

    def records(self, kind: Kind, scope: str) -> list[tuple[str, Record]]:
        """(key, record) of every record of a kind within one scope, expired or not (until purged)."""
        with self._lock:
            rows = self._db.execute("SELECT key, data, expires FROM records WHERE kind=? AND scope=? ORDER BY key",
                                    (kind, scope)).fetchall()
        return [(k, Record(json.loads(d), e)) for k, d, e in rows]

    def purge_expired(self) -> None:
        """Drop records whose expiry passed more than PURGE_GRACE_SECONDS ago."""
        with self._lock:
            self._db.execute("DELETE FROM records WHERE expires IS NOT NULL AND expires <= ?",
                             (self._clock() - PURGE_GRACE_SECONDS,))

    def reset(self) -> None:
        self._touch(None)
        with self._lock:
            self._db.execute("DELETE FROM records")
        self._touch(None)

    def dump(self) -> list[list[Any]]:
        """Every record as [kind, scope, key, data (JSON text), expires]: a snapshot `restore` puts back."""
        with self._lock:
            rows = self._db.execute("SELECT kind, scope, key, data, expires FROM records").fetchall()
        return [list(row) for row in rows]

    def restore(self, rows: list[list[Any]]) -> None:
        """Replace every record by a `dump`."""
        self._touch(None)
        with self.transaction():
            self._db.execute("DELETE FROM records")
            self._db.executemany("INSERT INTO records (kind, scope, key, data, expires) VALUES (?, ?, ?, ?, ?)",
                                 [tuple(row) for row in rows])

    # -- pools, clients, resource servers, groups -------------------------------------------
    def pool_settings(self, pool_id: str) -> dict[str, Any]:
        """A pool's settings kept beside its model (AdminCreateUserConfig, DeletionProtection...), as stored."""
        return self.get(Kind.POOL_SETTINGS, pool_id, "settings") or {}

    def put_pool_settings(self, pool_id: str, settings: dict[str, Any]) -> None:
        self.put(Kind.POOL_SETTINGS, pool_id, "settings", settings)

    def put_pool(self, pool: UserPool) -> None:
        self.put(Kind.POOL, "", pool.id, pool.to_record())

    def pool(self, pool_id: str) -> UserPool | None:
        return self._definition(Kind.POOL, pool_id, UserPool.from_record)

    def pools(self) -> list[UserPool]:
        return [UserPool.from_record(d) for _, _, d in self.items(Kind.POOL)]

    def delete_pool(self, pool_id: str) -> None:
        with self.transaction():
            self.delete(Kind.POOL, "", pool_id)
            for client in self.clients(pool_id):
                self.delete(Kind.CLIENT, "", client.client_id)
            with self._lock:
                self._db.execute("DELETE FROM records WHERE scope=?", (pool_id,))

    def put_client(self, client: AppClient) -> None:
        self.put(Kind.CLIENT, "", client.client_id, client.to_record())

    def client(self, client_id: str) -> AppClient | None:
        return self._definition(Kind.CLIENT, client_id, AppClient.from_aws)

    def _definition(self, kind: Kind, key: str, parse: Callable[[Any], T]) -> T | None:
        """A pool or client parsed once per change, not on every request (they are read on every sign-in)."""
        generation = self._pools_generation
        cached = self._parsed.get((kind, key))
        if cached is not None and cached[0] == generation:
            return cached[1]
        data = self.get(kind, "", key)
        parsed = parse(data) if data else None
        self._parsed[(kind, key)] = (generation, parsed)
        return parsed

    def clients(self, pool_id: str) -> list[AppClient]:
        return [c for c in (AppClient.from_aws(d) for _, _, d in self.items(Kind.CLIENT)) if c.pool_id == pool_id]

    def delete_client(self, client_id: str) -> None:
        self.delete(Kind.CLIENT, "", client_id)

    def put_resource_server(self, server: ResourceServer) -> None:
        self.put(Kind.RESOURCE_SERVER, server.pool_id, server.identifier, server.to_aws())

    def resource_servers(self, pool_id: str) -> list[ResourceServer]:
        return [ResourceServer.from_aws(d) for _, _, d in self.items(Kind.RESOURCE_SERVER, pool_id)]

    def custom_scopes(self, pool_id: str) -> set[str]:
        return {scope for server in self.resource_servers(pool_id) for scope in server.scope_names}

    def put_group(self, group: Group) -> None:
        self.put(Kind.GROUP, group.pool_id, group.name, group.to_aws())

    def group(self, pool_id: str, name: str) -> Group | None:
        data = self.get(Kind.GROUP, pool_id, name)
        return Group.from_aws(data) if data else None

    def groups(self, pool_id: str) -> list[Group]:
        return [Group.from_aws(d) for _, _, d in self.items(Kind.GROUP, pool_id)]

    # -- users and memberships -----------------------------------------------------------
    @staticmethod
    def user_key(pool: UserPool, username: str) -> str:
        return username if pool.case_sensitive else username.lower()

    def put_user(self, pool: UserPool, user: UserRecord) -> None:
        self.put(Kind.USER, pool.id, self.user_key(pool, user.username), asdict(user))

    def user(self, pool: UserPool, username: str) -> UserRecord | None:
        data = self.get(Kind.USER, pool.id, self.user_key(pool, username))
        return UserRecord(**data) if data else None

    def users(self, pool_id: str) -> list[UserRecord]:
        return [UserRecord(**d) for _, _, d in self.items(Kind.USER, pool_id)]

    def delete_user(self, pool: UserPool, username: str) -> None:
        with self.transaction():
            self.delete(Kind.USER, pool.id, self.user_key(pool, username))
            for group in self.groups_of(pool.id, username):
                self.remove_from_group(pool.id, group, username)

    def add_to_group(self, pool_id: str, group: str, username: str) -> None:
        self.put(Kind.MEMBERSHIP, pool_id, f"{group}\x00{username}", {"group": group, "username": username})

    def remove_from_group(self, pool_id: str, group: str, username: str) -> None:
        self.delete(Kind.MEMBERSHIP, pool_id, f"{group}\x00{username}")

    def groups_of(self, pool_id: str, username: str) -> list[str]:
        return [d["group"] for _, _, d in self.items(Kind.MEMBERSHIP, pool_id) if d["username"] == username]

    def members(self, pool_id: str, group: str) -> list[str]:
        return [d["username"] for _, _, d in self.items(Kind.MEMBERSHIP, pool_id) if d["group"] == group]
