"""Signing keys made in the background (key_supply.py, keys.py): every key is handed out once, a token minted at
once after start verifies against the JWKS, a state dir's keys are reused on restart and never re-made, two pools
never share a key, and a run in memory never signs with another run's keys."""

from __future__ import annotations

import itertools
import threading
import time
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from emulator.key_supply import KeySupply
from emulator.keys import Keyring, new_signing_key, stored_signing_key
from emulator.state import Store
from emulator.testing import running_emulator
from tests.conftest import cognito_client

POOL, OTHER = "us-east-1_Supply0001", "us-east-1_Supply0002"
CONFIG = {"UserPools": [
    {"Id": POOL, "Name": "supply",
     "Users": [{"Username": "alice", "Password": "Passw0rd!"}],
     "Clients": [{"ClientName": "app", "ClientId": "supplyapp", "ExplicitAuthFlows": [
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}]},
    {"Id": OTHER, "Name": "other"},
]}


def counting_supply(delay: float = 0.0) -> tuple[KeySupply[int], list[str]]:
    """A supply of numbered keys recording the thread that made each."""
    numbers, makers = itertools.count(), []

    def make() -> int:
        time.sleep(delay)
        makers.append(threading.current_thread().name)
        return next(numbers)

    return KeySupply(make), makers


def test_ordered_keys_are_made_in_the_background_and_each_handed_out_once() -> None:
    supply, makers = counting_supply(0.01)
    supply.order(4)
    taken = [supply.take() for _ in range(4)]
    assert sorted(taken) == [0, 1, 2, 3]
    assert makers == ["cognito-emulator keys"] * 4
    assert supply.take() == 4 and makers[-1] == threading.current_thread().name  # none coming: made by the taker


def test_takers_on_many_threads_never_share_a_key() -> None:
    supply, _ = counting_supply(0.002)
    supply.order(6)
    taken: list[int] = []
    threads = [threading.Thread(target=lambda: taken.append(supply.take())) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(taken) == list(range(10))


def test_drain_ends_the_thread_and_no_key_made_before_it_is_handed_out_after_it() -> None:
    supply, makers = counting_supply(0.01)
    supply.order(3)
    supply.drain()  # a forked worker must not hand out a key its parent or a sibling holds too
    assert all(t.name != "cognito-emulator keys" for t in threading.enumerate())
    assert supply.take() == len(makers) - 1 and len(makers) <= 2  # made after the drain, by the taker


def test_a_failing_maker_lets_takers_make_their_own_and_see_the_error() -> None:
    calls = itertools.count()

    def make() -> int:
        if next(calls) == 0:
            raise RuntimeError("no entropy")
        return 7

    supply = KeySupply(make)
    supply.order(2)
    assert supply.take() == 7


def test_a_stored_key_loads_as_the_same_key_and_a_foreign_kid_gets_the_full_check() -> None:
    made = new_signing_key()
    pem = made.private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                         serialization.NoEncryption()).decode()
    loaded = stored_signing_key(made.kid, pem)
    assert loaded.jwk() == made.jwk()
    renamed = stored_signing_key("an-older-kid", pem)
    assert renamed.kid == "an-older-kid" and renamed.jwk()["n"] == made.jwk()["n"]


def test_prepare_orders_keys_only_for_pools_the_store_has_none_for(tmp_path: Path) -> None:
    store = Store(tmp_path / "state.sqlite3")
    try:
        first = Keyring(store)
        kept = first.keys("us-east-1_Kept")
        first.close()
        keyring = Keyring(store)
        keyring.prepare(["us-east-1_Kept", "us-east-1_New"])
        assert keyring._supply._ordered + len(keyring._supply._ready) == 2  # the new pool's two keys only
        assert {k.kid for k in keyring.keys("us-east-1_Kept").values()} == {k.kid for k in kept.values()}
        new = keyring.keys("us-east-1_New")
        assert not {k.kid for k in new.values()} & {k.kid for k in kept.values()}
        keyring.close()
    finally:
        store.close()


def test_drain_stores_every_prepared_pools_keys(tmp_path: Path) -> None:
    store = Store(tmp_path / "state.sqlite3")
    try:
        keyring = Keyring(store)
        keyring.prepare(["us-east-1_A", "us-east-1_B"])
        keyring.drain()
        assert store.get("keys", "us-east-1_A", "rsa") and store.get("keys", "us-east-1_B", "rsa")
        assert all(t.name != "cognito-emulator keys" for t in threading.enumerate())
    finally:
        store.close()


def test_a_deleted_prepared_pool_gets_no_keys_stored_by_a_drain(tmp_path: Path) -> None:
    store = Store(tmp_path / "state.sqlite3")
    try:
        keyring = Keyring(store)
        keyring.prepare(["us-east-1_Gone"])
        keyring.forget("us-east-1_Gone")
        keyring.drain()
        assert store.get("keys", "us-east-1_Gone", "rsa") is None
    finally:
        store.close()


def sign_in(url: str) -> dict:
    return cognito_client(url).initiate_auth(ClientId="supplyapp", AuthFlow="USER_PASSWORD_AUTH",
                                             AuthParameters={"USERNAME": "alice", "PASSWORD": "Passw0rd!"})


def verify(url: str, token: str) -> dict:
    jwks = httpx.get(f"{url}/{POOL}/.well-known/jwks.json").json()
    kid = jwt.get_unverified_header(token)["kid"]
    key = jwt.PyJWK(next(k for k in jwks["keys"] if k["kid"] == kid))
    return jwt.decode(token, key.key, algorithms=["RS256"], options={"verify_aud": False})


def jwks_kids(url: str, pool: str) -> set[str]:
    return {k["kid"] for k in httpx.get(f"{url}/{pool}/.well-known/jwks.json").json()["keys"]}


@pytest.mark.e2e
def test_a_token_minted_at_once_after_start_verifies_against_the_jwks() -> None:
    with running_emulator(CONFIG) as server:
        token = sign_in(server.url)["AuthenticationResult"]["IdToken"]
        assert verify(server.url, token)["cognito:username"] == "alice"
        assert not jwks_kids(server.url, POOL) & jwks_kids(server.url, OTHER)  # two pools never share a key


@pytest.mark.e2e
def test_keys_survive_a_restart_and_in_memory_runs_have_their_own(tmp_path: Path) -> None:
    with running_emulator(CONFIG, state_dir=tmp_path) as server:
        token = sign_in(server.url)["AuthenticationResult"]["AccessToken"]
        kids = jwks_kids(server.url, POOL) | jwks_kids(server.url, OTHER)
    with running_emulator(CONFIG, state_dir=tmp_path) as server:
        assert jwks_kids(server.url, POOL) | jwks_kids(server.url, OTHER) == kids
        assert verify(server.url, token)["username"] == "alice"  # a token from before the restart still verifies
    with running_emulator(CONFIG) as first, running_emulator(CONFIG) as second:
        token = sign_in(first.url)["AuthenticationResult"]["IdToken"]
        assert not jwks_kids(first.url, POOL) & jwks_kids(second.url, POOL)
        assert not (jwks_kids(first.url, POOL) | jwks_kids(second.url, POOL)) & kids
        with pytest.raises(StopIteration):  # the second run's JWKS has no key for the first run's token
            verify(second.url, token)


@pytest.mark.e2e
def test_a_pool_created_over_the_api_signs_at_once_with_keys_of_its_own() -> None:
    with running_emulator(CONFIG) as server:
        idp = cognito_client(server.url)
        pool = idp.create_user_pool(PoolName="made")["UserPool"]["Id"]
        client = idp.create_user_pool_client(UserPoolId=pool, ClientName="c", ExplicitAuthFlows=[
            "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
        idp.admin_create_user(UserPoolId=pool, Username="bob", TemporaryPassword="Passw0rd!",
                              MessageAction="SUPPRESS")
        idp.admin_set_user_password(UserPoolId=pool, Username="bob", Password="Passw0rd!", Permanent=True)
        token = idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
            "USERNAME": "bob", "PASSWORD": "Passw0rd!"})["AuthenticationResult"]["IdToken"]
        kids = jwks_kids(server.url, pool)
        assert jwt.get_unverified_header(token)["kid"] in kids
        assert not kids & (jwks_kids(server.url, POOL) | jwks_kids(server.url, OTHER))


def test_keys_made_in_advance_cover_the_orders_that_follow() -> None:
    supply, makers = counting_supply(0.005)
    supply.advance(4)  # cli.py, before the store says which pools lack keys
    supply.order(2)
    supply.order(2)  # covered: nothing more is made
    supply.order(1)  # not covered: one more
    taken = sorted(supply.take() for _ in range(5))
    assert taken == [0, 1, 2, 3, 4] and len(makers) == 5
    supply.drain()


def test_keys_are_made_ahead_only_when_the_store_will_have_none(tmp_path: Path) -> None:
    from emulator.cli import keys_ahead
    from emulator.config import parse_config

    config = parse_config(CONFIG)
    ahead = keys_ahead(config, None)  # in memory
    assert ahead is not None and ahead._advanced == 4
    ahead.drain()
    new = keys_ahead(config, tmp_path / "new")
    assert new is not None
    new.drain()
    (tmp_path / "kept").mkdir()
    (tmp_path / "kept" / "state.sqlite3").write_bytes(b"")
    assert keys_ahead(config, tmp_path / "kept") is None  # a store keeps its keys: none made for nothing
