"""The store's SQLite tables: their schema, the migration of an older state file on open, and the indexed
queries that find and page records without reading a whole scope."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from emulator.record_indexes import INDEXERS, index_rows

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
CREATE INDEX IF NOT EXISTS records_by_expiry ON records (expires) WHERE expires IS NOT NULL;
CREATE TABLE IF NOT EXISTS record_index (
    kind TEXT NOT NULL,
    scope TEXT NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (kind, scope, field, value, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS record_index_by_record ON record_index (kind, scope, key);
"""
# PRAGMA user_version of a file whose record_index is complete, as record_indexes.py indexes now. 0: a file from
# before the index (records only, refresh tokens indexed by user in "refresh_of_user" records); 1: refresh tokens
# without their holder. Older files are migrated on open (the index rebuilt from the records).
SCHEMA_VERSION = 2
BULK_CACHE_KIB = -1_048_576  # SQLite's cache while bulk_insert runs: 1 GiB at most (negative: KiB)
# The index records version 0 kept by hand; record_index holds that now.
RETIRED_KINDS = ("refresh_of_user",)


def migrate(db: sqlite3.Connection) -> bool:
    """Create the tables, and bring a file of an older version up to SCHEMA_VERSION; True when it migrated."""
    db.executescript(SCHEMA)
    if db.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA_VERSION:
        return False
    db.execute("BEGIN IMMEDIATE")
    try:
        db.executemany("DELETE FROM records WHERE kind=?", [(k,) for k in RETIRED_KINDS])
        with large_cache(db):
            rebuild_index(db)
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
    return True


def rebuild_index(db: sqlite3.Connection) -> None:
    """record_index rebuilt from the records of every indexed kind (the caller holds a transaction)."""
    db.execute("DELETE FROM record_index")
    for kind in INDEXERS:
        rows = db.execute("SELECT scope, key, data FROM records WHERE kind=?", (kind,))
        for chunk in batched(rows, 10_000):
            db.executemany("INSERT OR IGNORE INTO record_index VALUES (?, ?, ?, ?, ?)",
                           [r for scope, key, data in chunk for r in index_rows(kind, scope, key, json.loads(data))])


def insert_many(db: sqlite3.Connection, rows: Iterable[tuple[str, str, str, Any, float | None]]) -> None:
    """Insert (kind, scope, key, data, expires) records with their index rows (the caller holds a transaction)."""
    with large_cache(db):
        _insert_chunks(db, rows)


@contextmanager
def large_cache(db: sqlite3.Connection) -> Iterator[None]:
    """SQLite's page cache at BULK_CACHE_KIB for a bulk write: a million users' index pages are written at random
    places, and with the default 2 MB cache each page would be spilled and rewritten many times over."""
    cache = db.execute("PRAGMA cache_size").fetchone()[0]
    db.execute(f"PRAGMA cache_size={BULK_CACHE_KIB}")
    try:
        yield
    finally:
        db.execute(f"PRAGMA cache_size={int(cache)}")


def _insert_chunks(db: sqlite3.Connection, rows: Iterable[tuple[str, str, str, Any, float | None]]) -> None:
    for chunk in batched(rows, 10_000):
        db.executemany("INSERT OR REPLACE INTO records (kind, scope, key, data, expires) VALUES (?, ?, ?, ?, ?)",
                       [(kind, scope, key, json.dumps(data), expires) for kind, scope, key, data, expires in chunk])
        db.executemany("INSERT OR IGNORE INTO record_index VALUES (?, ?, ?, ?, ?)",
                       [row for kind, scope, key, data, _ in chunk for row in index_rows(kind, scope, key, data)])


def find_rows(db: sqlite3.Connection, kind: str, scope: str, field: str, value: str) -> list[tuple[str, str, Any]]:
    """(key, data JSON, expires) of the records whose indexed `field` is `value`, by key."""
    return db.execute("SELECT r.key, r.data, r.expires FROM record_index i JOIN records r ON r.kind = i.kind "
                      "AND r.scope = i.scope AND r.key = i.key WHERE i.kind=? AND i.scope=? AND i.field=? "
                      "AND i.value=? ORDER BY i.key", (kind, scope, field, value)).fetchall()


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass(frozen=True)
class IndexQuery:
    """An indexed field equal to, or (prefix) starting with, a value."""

    field: str
    value: str
    prefix: bool = False


_JOIN = ("SELECT {cursor}, r.data FROM record_index i JOIN records r ON r.kind = i.kind AND r.scope = i.scope "
         "AND r.key = i.key WHERE i.kind=? AND i.scope=? AND i.field=? ")


def page_sql(query: IndexQuery | None, after: str | None) -> tuple[str, list[Any]]:
    """The SELECT of one page (cursor, data) and its parameters after the kind and scope (pure).

    A prefix page is ordered by value then key, so the index answers it in order; its cursor is [value, key]."""
    if query is None:
        sql = "SELECT key, data FROM records WHERE kind=? AND scope=?"
        params: list[Any] = []
        if after is not None:
            sql, params = sql + " AND key > ?", [after]
        return sql + " ORDER BY key LIMIT ?", params
    if not query.prefix:
        sql, params = _JOIN.format(cursor="i.key") + "AND i.value=?", [query.field, query.value]
        if after is not None:
            sql, params = sql + " AND i.key > ?", [*params, after]
        return sql + " ORDER BY i.key LIMIT ?", params
    sql, params = _JOIN.format(cursor="json_array(i.value, i.key)") + "AND i.value >= ?", [query.field, query.value]
    upper = prefix_end(query.value)
    if upper is not None:
        sql, params = sql + " AND i.value < ?", [*params, upper]
    if after is not None:
        value, key = _prefix_cursor(after)
        sql, params = sql + " AND (i.value, i.key) > (?, ?)", [*params, value, key]
    return sql + " ORDER BY i.value, i.key LIMIT ?", params


def prefix_end(prefix: str) -> str | None:
    """The least string above every string that starts with `prefix`, as SQLite compares TEXT (UTF-8 bytes, which
    order as code points do); None when there is none (an empty prefix, or only U+10FFFF)."""
    while prefix and prefix[-1] == "\U0010ffff":
        prefix = prefix[:-1]
    if not prefix:
        return None
    following = ord(prefix[-1]) + 1
    return prefix[:-1] + chr(0xE000 if 0xD800 <= following <= 0xDFFF else following)  # surrogates are no text


def _prefix_cursor(after: str) -> tuple[str, str]:
    try:
        value, key = json.loads(after)
    except (ValueError, TypeError):
        return after, ""  # not ours (pagination.py checks tokens): start after this value
    return str(value), str(key)


def page_rows(lock: Any, db: sqlite3.Connection, kind: str, scope: str, query: IndexQuery | None,
              after: str | None, limit: int) -> list[tuple[str, Any]]:
    """Run page_sql: up to `limit` (cursor, data) pairs."""
    sql, params = page_sql(query, after)
    with lock:
        rows = db.execute(sql, [kind, scope, *params, limit]).fetchall()
    return [(cursor, json.loads(data)) for cursor, data in rows]
