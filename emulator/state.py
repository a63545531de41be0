"""The durable store: pools, clients, users, groups, tokens, sessions and codes in embedded SQLite.

One connection per process guarded by a lock: handlers run in a thread pool, and serialised writes keep concurrent
requests from corrupting state; worker processes (`--workers`) each open their own connection to the WAL-mode
file, and a write lock they share serialises them. Hot lookups read `record_index` (record_indexes.py).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from emulator.blocking import may_block, on_event_loop
from emulator.model import AppClient, Group, ResourceServer, UserPool
from emulator.record_indexes import GROUP, INDEXERS, MEMBER, SUB, folded, index_rows
from emulator.record_kinds import Kind
from emulator.store_tables import IndexQuery, find_rows, insert_many, large_cache, migrate, page_rows, rebuild_index
from emulator.worker_shared import SharedCounter

LOCK_TIMEOUT_SECONDS = 30
# How long a call on the event loop waits for another worker process's write transaction before it goes to a
# thread. A transaction without a Lambda call lasts well under a millisecond, but the lock is not fair: at 2 ms a
# worker that lost it a few times in a row sent its calls to threads, which then held this process's lock while
# they waited, so its next calls went to threads too (wrk c32, --workers 2: 600-800 req/s against 930-1,280).
LOOP_WAIT_SECONDS = 0.02
# A record past its expiry stays this long before it is purged, so a late answer can be told "expired"
# rather than "unknown" (sessions, codes, refresh tokens); `get` and `items` never return it.
PURGE_GRACE_SECONDS = 86400


# Test-control snapshots are taken of the other records, and outlive a reset or a restore.
_NOT_STATE = "kind != 'snapshot'"
# Kinds whose records are parsed into definitions other code caches (pools, their keys, clients).
_DEFINITIONS = frozenset({Kind.POOL, Kind.KEYS, Kind.CLIENT})
T = TypeVar("T")



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
        self._target = ":memory:" if path is None else str(path)
        if path is not None:
            # Signing keys and password verifiers live here: owner-only, before SQLite writes a byte
            # (its -wal and -shm files take the database file's mode).
            os.close(os.open(self._target, os.O_RDWR | os.O_CREAT, 0o600))
            os.chmod(self._target, 0o600)
        self._lock = threading.RLock()
        self._clock = clock
        self._pools_generation = 0
        self._shared: SharedCounter | None = None
        self._writers: Any = None
        self._changed_definitions = False
        self._parsed: dict[tuple[Kind, str], tuple[int, Any]] = {}
        self._db = self._connect()
        migrate(self._db)

    def _connect(self) -> sqlite3.Connection:
        # Another worker process holding the write lock is waited for (as the in-process lock is), not refused.
        db = sqlite3.connect(self._target, check_same_thread=False, isolation_level=None,
                             timeout=LOCK_TIMEOUT_SECONDS)
        if self._target != ":memory:":
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
        return db

    def reopen(self) -> None:
        """A fresh connection to the same file: a forked worker never uses its parent's (SQLite forbids it)."""
        if self._target == ":memory:":
            raise RuntimeError("an in-memory store cannot be shared by worker processes")
        self._lock = threading.RLock()
        self._db = self._connect()

    def share_generation(self, counter: SharedCounter, writers: Any = None) -> None:
        """Count definition changes in `counter`, which every worker sees; every write takes `writers`, their lock."""
        self._shared, self._writers = counter, writers

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def held_if_free(self) -> Iterator[bool]:
        """Hold the store for the body if no other thread of this process does (True), without waiting; False when
        one does. A call on the event loop holds it throughout, so none of its reads waits on a thread."""
        if not self._lock.acquire(blocking=False):
            yield False
            return
        try:
            yield True
        finally:
            self._lock.release()

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
            # IMMEDIATE takes SQLite's write lock now: other worker processes wait (on `_writers`), as threads do;
            # a call on the event loop waits only briefly, then is answered in a thread (blocking.py).
            if self._writers is not None and not self._writers.acquire(
                    timeout=LOOP_WAIT_SECONDS if on_event_loop() else LOCK_TIMEOUT_SECONDS):
                may_block()
                raise RuntimeError(f"another worker held the store for {LOCK_TIMEOUT_SECONDS} s")
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield
                except commit_on:
                    self._db.execute("COMMIT")
                    raise
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                else:
                    self._db.execute("COMMIT")
            finally:
                if self._writers is not None:
                    self._writers.release()
                self._after_commit()
        finally:
            self._lock.release()

    # -- the generic record layer -------------------------------------------------------
    @property
    def pools_generation(self) -> int:
        """A number that changes whenever a pool, its keys or a client may have changed (in any worker process);
        read without the lock, so caches of what pools publish (JWKS, parsed definitions) are checked cheaply."""
        return self._pools_generation if self._shared is None else self._shared.value()

    def _touch(self, kind: Kind | None) -> None:
        # Called before and after each write: a reader that saw the number between the two re-reads later.
        if kind is None or kind in _DEFINITIONS:
            self._pools_generation += 1
            if self._shared is not None:
                self._shared.bump()
            self._changed_definitions = self._changed_definitions or self._db.in_transaction

    def _after_commit(self) -> None:
        # Other worker processes read without this process's lock, so they may read (and cache) a definition
        # while the transaction writing it is open: the number changes again once it is committed.
        if self._changed_definitions:
            self._changed_definitions = False
            self._touch(None)

    def put(self, kind: Kind, scope: str, key: str, data: Any, expires: float | None = None) -> None:
        self._touch(kind)
        with self.transaction() if kind in INDEXERS or self._writers else self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO records (kind, scope, key, data, expires) VALUES (?, ?, ?, ?, ?)",
                (kind, scope, key, json.dumps(data), expires),
            )
            if kind in INDEXERS:
                self._index(kind, scope, key, data)
        self._touch(kind)

    def _index(self, kind: Kind, scope: str, key: str, data: Any) -> None:
        """Replace a record's index rows (the caller holds the transaction)."""
        self._db.execute("DELETE FROM record_index WHERE kind=? AND scope=? AND key=?", (kind, scope, key))
        self._db.executemany("INSERT OR IGNORE INTO record_index VALUES (?, ?, ?, ?, ?)",
                             index_rows(kind, scope, key, data))

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
        with self.transaction() if kind in INDEXERS or self._writers else self._lock:
            self._db.execute("DELETE FROM records WHERE kind=? AND scope=? AND key=?", (kind, scope, key))
            if kind in INDEXERS:
                self._db.execute("DELETE FROM record_index WHERE kind=? AND scope=? AND key=?", (kind, scope, key))
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

    def find(self, kind: Kind, scope: str, field: str, value: str) -> list[tuple[str, Record]]:
        """(key, record) of the records whose indexed `field` (record_indexes.py) is `value`, expired or not,
        ordered by key: an index lookup, however many records the scope holds."""
        with self._lock:
            rows = find_rows(self._db, kind, scope, field, value)
        return [(k, Record(json.loads(d), e)) for k, d, e in rows]

    def page(self, kind: Kind, scope: str, query: IndexQuery | None, after: str | None,
             limit: int) -> list[tuple[str, Any]]:
        """Up to `limit` (cursor, data) of a scope's records after `cursor`, in a stable order read from an index
        (no query: by key; `field = value`: by key; `field ^= prefix`: by value, then key)."""
        return page_rows(self._lock, self._db, kind, scope, query, after, limit)

    def count(self, kind: Kind, scope: str) -> int:
        with self._lock:
            row = self._db.execute("SELECT COUNT(*) FROM records WHERE kind=? AND scope=?", (kind, scope)).fetchone()
        return row[0]

    def purge_expired(self) -> None:
        """Drop records whose expiry passed more than PURGE_GRACE_SECONDS ago."""
        with self.transaction():
            cutoff = self._clock() - PURGE_GRACE_SECONDS
            self._db.execute("DELETE FROM record_index WHERE (kind, scope, key) IN (SELECT kind, scope, key FROM "
                             "records WHERE expires IS NOT NULL AND expires <= ?)", (cutoff,))
            self._db.execute("DELETE FROM records WHERE expires IS NOT NULL AND expires <= ?", (cutoff,))

    def reset(self) -> None:
        self._touch(None)
        with self.transaction():
            self._db.execute(f"DELETE FROM records WHERE {_NOT_STATE}")
            self._db.execute("DELETE FROM record_index")
        self._touch(None)

    def dump(self) -> list[list[Any]]:
        """Every record as [kind, scope, key, data (JSON text), expires]: a snapshot `restore` puts back."""
        with self._lock:
            rows = self._db.execute(f"SELECT kind, scope, key, data, expires FROM records WHERE {_NOT_STATE}")
            return [list(row) for row in rows]

    def restore(self, rows: list[list[Any]]) -> None:
        """Replace every record by a `dump`."""
        self._touch(None)
        with self.transaction():
            self._db.execute(f"DELETE FROM records WHERE {_NOT_STATE}")
            self._db.execute("DELETE FROM record_index")
            self._db.executemany("INSERT INTO records (kind, scope, key, data, expires) VALUES (?, ?, ?, ?, ?)",
                                 [tuple(row) for row in rows])
            with large_cache(self._db):
                rebuild_index(self._db)
        self._touch(None)

    def bulk_insert(self, rows: Iterable[tuple[Kind, str, str, Any, float | None]]) -> None:
        """Insert many new records in one transaction, with their index rows (a benchmark's seed)."""
        self._touch(None)
        with self.transaction():
            insert_many(self._db, rows)
        self._touch(None)

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
                self._db.execute("DELETE FROM record_index WHERE scope=?", (pool_id,))

    def put_client(self, client: AppClient) -> None:
        self.put(Kind.CLIENT, "", client.client_id, client.to_record())

    def client(self, client_id: str) -> AppClient | None:
        return self._definition(Kind.CLIENT, client_id, AppClient.from_aws)

    def _definition(self, kind: Kind, key: str, parse: Callable[[Any], T]) -> T | None:
        """A pool or client parsed once per change, not on every request (they are read on every sign-in)."""
        generation = self.pools_generation
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
        """Every user of a pool (small pools: the dashboard); lookups and listings use the index."""
        return [UserRecord(**d) for _, _, d in self.items(Kind.USER, pool_id)]

    def users_where(self, pool_id: str, attribute: str, value: str, folded_case: bool = False) -> list[UserRecord]:
        """The users whose `attribute` (a searchable one, `sub`, or a sign-in attribute) is `value`; with
        `folded_case`, compared lower-cased (sign-in attributes only)."""
        field_name = folded(attribute) if folded_case else attribute
        wanted = value.lower() if folded_case else value
        return [UserRecord(**r.data) for _, r in self.find(Kind.USER, pool_id, field_name, wanted)]

    def user_by_sub(self, pool_id: str, sub: str) -> UserRecord | None:
        return next(iter(self.users_where(pool_id, SUB, sub)), None)

    def user_count(self, pool_id: str) -> int:
        return self.count(Kind.USER, pool_id)

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
        return sorted(r.data["group"] for _, r in self.find(Kind.MEMBERSHIP, pool_id, MEMBER, username))

    def members(self, pool_id: str, group: str) -> list[str]:
        return [r.data["username"] for _, r in self.find(Kind.MEMBERSHIP, pool_id, GROUP, group)]
