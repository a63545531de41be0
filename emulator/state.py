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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from emulator.model import AppClient, Group, ResourceServer, UserPool

LOCK_TIMEOUT_SECONDS = 30

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

    def __init__(self, path: Path | str | None = None) -> None:
        """`path` None keeps everything in memory (test fixtures)."""
        target = ":memory:" if path is None else str(path)
        if path is not None:
            # Signing keys and password verifiers live here: owner-only, before SQLite writes a byte
            # (its -wal and -shm files take the database file's mode).
            os.close(os.open(target, os.O_RDWR | os.O_CREAT, 0o600))
            os.chmod(target, 0o600)
        self._db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
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
    def put(self, kind: str, scope: str, key: str, data: Any, expires: float | None = None) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO records (kind, scope, key, data, expires) VALUES (?, ?, ?, ?, ?)",
                (kind, scope, key, json.dumps(data), expires),
            )

    def get(self, kind: str, scope: str, key: str, now: float | None = None) -> Any | None:
        with self._lock:
            row = self._db.execute(
                "SELECT data, expires FROM records WHERE kind=? AND scope=? AND key=?", (kind, scope, key)
            ).fetchone()
        if row is None or (row[1] is not None and row[1] <= (now if now is not None else time.time())):
            return None
        return json.loads(row[0])

    def take(self, kind: str, scope: str, key: str, now: float | None = None) -> Any | None:
        """Get and delete in one step: single-use codes and sessions."""
        with self.transaction():
            value = self.get(kind, scope, key, now)
            self.delete(kind, scope, key)
        return value

    def delete(self, kind: str, scope: str, key: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM records WHERE kind=? AND scope=? AND key=?", (kind, scope, key))

    def items(self, kind: str, scope: str | None = None) -> list[tuple[str, str, Any]]:
        """(scope, key, data) of every live record of a kind, optionally within one scope, ordered by key."""
        now = time.time()
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

    def purge_expired(self, now: float | None = None) -> None:
        with self._lock:
            self._db.execute("DELETE FROM records WHERE expires IS NOT NULL AND expires <= ?", (now or time.time(),))

    def reset(self) -> None:
        with self._lock:
            self._db.execute("DELETE FROM records")

    # -- pools, clients, resource servers, groups -------------------------------------------
    def put_pool(self, pool: UserPool) -> None:
        self.put("pool", "", pool.id, pool.to_record())

    def pool(self, pool_id: str) -> UserPool | None:
        data = self.get("pool", "", pool_id)
        return UserPool.from_record(data) if data else None

    def pools(self) -> list[UserPool]:
        return [UserPool.from_record(d) for _, _, d in self.items("pool")]

    def delete_pool(self, pool_id: str) -> None:
        with self.transaction():
            self.delete("pool", "", pool_id)
            for client in self.clients(pool_id):
                self.delete("client", "", client.client_id)
            with self._lock:
                self._db.execute("DELETE FROM records WHERE scope=?", (pool_id,))

    def put_client(self, client: AppClient) -> None:
        self.put("client", "", client.client_id, client.to_aws())

    def client(self, client_id: str) -> AppClient | None:
        data = self.get("client", "", client_id)
        return AppClient.from_aws(data) if data else None

    def clients(self, pool_id: str) -> list[AppClient]:
        return [c for c in (AppClient.from_aws(d) for _, _, d in self.items("client")) if c.pool_id == pool_id]

    def delete_client(self, client_id: str) -> None:
        self.delete("client", "", client_id)

    def put_resource_server(self, server: ResourceServer) -> None:
        self.put("resource_server", server.pool_id, server.identifier, server.to_aws())

    def resource_servers(self, pool_id: str) -> list[ResourceServer]:
        return [ResourceServer.from_aws(d) for _, _, d in self.items("resource_server", pool_id)]

    def custom_scopes(self, pool_id: str) -> set[str]:
        return {scope for server in self.resource_servers(pool_id) for scope in server.scope_names}

    def put_group(self, group: Group) -> None:
        self.put("group", group.pool_id, group.name, group.to_aws())

    def group(self, pool_id: str, name: str) -> Group | None:
        data = self.get("group", pool_id, name)
        return Group.from_aws(data) if data else None

    def groups(self, pool_id: str) -> list[Group]:
        return [Group.from_aws(d) for _, _, d in self.items("group", pool_id)]

    # -- users and memberships -----------------------------------------------------------
    @staticmethod
    def user_key(pool: UserPool, username: str) -> str:
        return username if pool.case_sensitive else username.lower()

    def put_user(self, pool: UserPool, user: UserRecord) -> None:
        self.put("user", pool.id, self.user_key(pool, user.username), asdict(user))

    def user(self, pool: UserPool, username: str) -> UserRecord | None:
        data = self.get("user", pool.id, self.user_key(pool, username))
        return UserRecord(**data) if data else None

    def users(self, pool_id: str) -> list[UserRecord]:
        return [UserRecord(**d) for _, _, d in self.items("user", pool_id)]

    def delete_user(self, pool: UserPool, username: str) -> None:
        with self.transaction():
            self.delete("user", pool.id, self.user_key(pool, username))
            for group in self.groups_of(pool.id, username):
                self.remove_from_group(pool.id, group, username)

    def add_to_group(self, pool_id: str, group: str, username: str) -> None:
        self.put("membership", pool_id, f"{group}\x00{username}", {"group": group, "username": username})

    def remove_from_group(self, pool_id: str, group: str, username: str) -> None:
        self.delete("membership", pool_id, f"{group}\x00{username}")

    def groups_of(self, pool_id: str, username: str) -> list[str]:
        return [d["group"] for _, _, d in self.items("membership", pool_id) if d["username"] == username]

    def members(self, pool_id: str, group: str) -> list[str]:
        return [d["username"] for _, _, d in self.items("membership", pool_id) if d["group"] == group]
