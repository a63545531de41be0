"""The store's record_index: users found by sub, e-mail and phone, refresh tokens by user, ListUsers pages read
from the index, and an older state file (records only) migrated on open."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict
from pathlib import Path

import pytest

from emulator.record_indexes import index_rows, refresh_fields, user_fields
from emulator.refresh_tokens import RefreshRecord, new_refresh_token, revoke_user_tokens, user_refresh_records
from emulator.state import Kind, Store, UserRecord
from emulator.store_tables import SCHEMA_VERSION, IndexQuery, page_sql, prefix_end
from emulator.worker_shared import SharedCells

POOL = "us-east-1_Index01"


def _user(name: str, email: str | None = None, **attributes: str) -> UserRecord:
    if email:
        attributes["email"] = email
    return UserRecord(POOL, name, f"sub-{name}", attributes, "CONFIRMED")


@pytest.mark.parametrize(("data", "expected"), [
    ({"username": "ann", "sub": "s1", "status": "CONFIRMED", "enabled": True, "attributes": {}},
     [("username", "ann"), ("cognito:user_status", "confirmed"), ("status", "Enabled"), ("sub", "s1")]),
    ({"username": "Bob", "sub": "s2", "status": "UNCONFIRMED", "enabled": False,
      "attributes": {"email": "Bob@Example.com", "custom:x": "1", "given_name": "Bob"}},
     [("email", "Bob@Example.com"), ("given_name", "Bob"), ("username", "Bob"),
      ("cognito:user_status", "unconfirmed"), ("status", "Disabled"), ("sub", "s2"), ("~email", "bob@example.com")]),
])
def test_a_users_index_fields(data: dict, expected: list[tuple[str, str]]) -> None:
    assert sorted(user_fields(data)) == sorted(expected)


@pytest.mark.parametrize(("revoked", "expected"), [
    (False, [("user", "ann"), ("holder", "ann"), ("origin", "o1")]),
    (True, [("user", "ann"), ("origin", "o1")]),
])
def test_a_refresh_tokens_index_fields(revoked: bool, expected: list[tuple[str, str]]) -> None:
    assert refresh_fields({"username": "ann", "origin_jti": "o1", "revoked": revoked}) == expected


def test_kinds_without_an_indexer_have_no_index_rows() -> None:
    assert index_rows("code", POOL, "k", {"username": "ann"}) == []


@pytest.mark.parametrize(("query", "after", "expected_sql", "expected_params"), [
    (None, None, "SELECT key, data FROM records WHERE kind=? AND scope=? ORDER BY key LIMIT ?", []),
    (None, "k1", "SELECT key, data FROM records WHERE kind=? AND scope=? AND key > ? ORDER BY key LIMIT ?", ["k1"]),
    (IndexQuery("email", "a@b.c"), "k1", "AND i.value=? AND i.key > ? ORDER BY i.key LIMIT ?",
     ["email", "a@b.c", "k1"]),
    (IndexQuery("email", "a", prefix=True), '["a1","k"]', "AND (i.value, i.key) > (?, ?) ORDER BY i.value, i.key",
     ["email", "a", "b", "a1", "k"]),
    (IndexQuery("email", "", prefix=True), None, "AND i.value >= ? ORDER BY i.value", ["email", ""]),
])
def test_page_queries(query: IndexQuery | None, after: str | None, expected_sql: str,
                      expected_params: list[str]) -> None:
    sql, params = page_sql(query, after)
    assert expected_sql in sql and params == expected_params


@pytest.mark.parametrize(("prefix", "end"), [
    ("ab", "ac"), ("a\U0010ffff", "b"), ("\U0010ffff", None), ("", None), ("a\ud7ff", "a\ue000"), ("z~", "z\x7f"),
])
def test_the_end_of_a_prefix_range(prefix: str, end: str | None) -> None:
    assert prefix_end(prefix) == end


def test_users_are_found_by_sub_and_folded_email_and_follow_changes() -> None:
    store = Store()
    store.put(Kind.USER, POOL, "ann", asdict(_user("ann", "Ann@Example.com")))
    store.put(Kind.USER, POOL, "bob", asdict(_user("bob", "bob@example.com")))
    assert [u.username for u in store.users_where(POOL, "email", "ANN@example.com", folded_case=True)] == ["ann"]
    assert store.users_where(POOL, "email", "ann@example.com") == []  # as written: a ListUsers filter
    assert store.user_by_sub(POOL, "sub-bob").username == "bob"
    store.put(Kind.USER, POOL, "ann", asdict(_user("ann", "new@example.com")))
    assert store.users_where(POOL, "email", "ann@example.com", folded_case=True) == []
    store.delete(Kind.USER, POOL, "bob")
    assert store.user_by_sub(POOL, "sub-bob") is None
    assert store.user_count(POOL) == 1


def test_pages_come_from_the_index_in_a_stable_order() -> None:
    store = Store()
    store.bulk_insert((Kind.USER, POOL, f"u{i:02}", asdict(_user(f"u{i:02}", f"{'ab'[i % 2]}{i}@x.io")), None)
                      for i in range(20))
    everyone = store.page(Kind.USER, POOL, None, None, 5)
    assert [c for c, _ in everyone] == ["u00", "u01", "u02", "u03", "u04"]
    assert [c for c, _ in store.page(Kind.USER, POOL, None, "u17", 5)] == ["u18", "u19"]
    prefixed = store.page(Kind.USER, POOL, IndexQuery("email", "b1", prefix=True), None, 3)
    assert [d["username"] for _, d in prefixed] == ["u11", "u13", "u15"]
    rest = store.page(Kind.USER, POOL, IndexQuery("email", "b1", prefix=True), prefixed[-1][0], 10)
    assert [d["username"] for _, d in rest] == ["u17", "u19", "u01"]  # "b1@" sorts after "b19@"
    exact = store.page(Kind.USER, POOL, IndexQuery("cognito:user_status", "confirmed"), "u15", 10)
    assert [c for c, _ in exact] == ["u16", "u17", "u18", "u19"]


def test_refresh_tokens_are_found_by_user_and_revoked_together() -> None:
    store = Store()
    for user in ("ann", "ann", "bob"):
        new_refresh_token(store, RefreshRecord(POOL, "c", user, f"s-{user}", 1, f"o-{user}", 9e9, "s"))
    assert len(user_refresh_records(store, POOL, "ann")) == 2
    assert revoke_user_tokens(store, POOL, "ann") == 2
    assert revoke_user_tokens(store, POOL, "ann") == 0  # what was revoked is no longer read
    assert all(r.revoked for _, r in user_refresh_records(store, POOL, "ann"))
    assert not any(r.revoked for _, r in user_refresh_records(store, POOL, "bob"))


def test_restore_purge_and_reset_keep_the_index_in_step() -> None:
    now = [1000.0]
    store = Store(clock=lambda: now[0])
    store.put(Kind.USER, POOL, "ann", asdict(_user("ann", "a@x.io")))
    snapshot = store.dump()
    store.reset()
    assert store.user_by_sub(POOL, "sub-ann") is None
    store.restore(snapshot)
    assert store.user_by_sub(POOL, "sub-ann").username == "ann"
    new_refresh_token(store, RefreshRecord(POOL, "c", "ann", "s", 1, "o", 1001.0, "s"))
    assert len(user_refresh_records(store, POOL, "ann")) == 1
    now[0] = 1e9
    store.purge_expired()
    assert user_refresh_records(store, POOL, "ann") == []


def test_an_older_state_file_is_migrated_on_open(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    old = sqlite3.connect(path)  # the schema before record_index: records only, user_version 0
    old.execute("CREATE TABLE records (kind TEXT NOT NULL, scope TEXT NOT NULL, key TEXT NOT NULL, "
                "data TEXT NOT NULL, expires REAL, PRIMARY KEY (kind, scope, key))")
    refresh = RefreshRecord(POOL, "c", "ann", "sub-ann", 1, "o1", 9e9, "s")
    old.executemany("INSERT INTO records VALUES (?, ?, ?, ?, ?)", [
        ("user", POOL, "ann", json.dumps(asdict(_user("ann", "Ann@x.io"))), None),
        ("refresh", POOL, "d1", json.dumps(asdict(refresh)), 9e9),
        ("refresh_of_user", f"{POOL}\x00ann", "d1", "{}", 9e9),
        ("membership", POOL, "admins\x00ann", json.dumps({"group": "admins", "username": "ann"}), None),
    ])
    old.commit()
    old.close()
    store = Store(path)
    assert store.users_where(POOL, "email", "ann@x.io", folded_case=True)[0].username == "ann"
    assert [key for key, _ in user_refresh_records(store, POOL, "ann")] == ["d1"]
    assert store.groups_of(POOL, "ann") == ["admins"] and store.members(POOL, "admins") == ["ann"]
    assert store.items(Kind.REFRESH_OF_USER) == []
    store.close()
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    check.close()
    Store(path).close()  # a migrated file opens as is


def test_the_definitions_generation_is_shared_between_stores() -> None:
    cells = SharedCells()
    one, two = Store(), Store()
    one.share_generation(cells.counter())
    two.share_generation(cells.counter())
    before = two.pools_generation
    one.put(Kind.CLIENT, "", "c1", {"ClientId": "c1"})
    assert two.pools_generation > before
