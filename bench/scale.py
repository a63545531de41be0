"""Scale of state, measured (never asserted): a pool of N users (1,000,000 by default) and 100,000 refresh tokens
seeded straight into the store, then the in-process p50 of AdminGetUser, InitiateAuth, ListUsers with a Filter
on email, one page of ListUsers and GlobalSignOut, and the start-up time on that state directory.

    python bench/scale.py [--users N] [--refresh N] [--state DIR] [--samples N]

The seed goes through the store's own writer (Store.bulk_insert when the store has it, else `put` in one
transaction, as older stores had) rather than the API: a million SignUps would take hours. A DIR that was seeded
before with the same counts is reused."""

from __future__ import annotations

import argparse
import itertools
import json
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from emulator.cognito.admin_users import admin_get_user, list_users  # noqa: E402
from emulator.cognito.auth import initiate_auth  # noqa: E402
from emulator.cognito.lookup import find_user  # noqa: E402
from emulator.cognito.protocol import Call  # noqa: E402
from emulator.cognito.users import global_sign_out  # noqa: E402
from emulator.config import parse_config  # noqa: E402
from emulator.refresh_tokens import RefreshRecord, new_refresh_token  # noqa: E402
from emulator.runtime import Runtime  # noqa: E402
from emulator.state import Kind, UserRecord  # noqa: E402

POOL = "us-east-1_Scale0001"
CLIENT = "scaleclient"
PASSWORD = "Correct-Horse1"
CONFIG = {"UserPools": [{
    "Id": POOL, "Name": "scale", "UsernameAttributes": ["email"],
    "Users": [{"Username": "seed@example.com", "Password": PASSWORD,
               "UserAttributes": {"email": "seed@example.com", "email_verified": "true"}}],
    "Clients": [{"ClientName": "scale", "ClientId": CLIENT,
                 "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}],
}]}
SIGNED_OUT = 100  # refresh tokens the signed-out user holds; the rest of --refresh belong to other users


def email(i: int) -> str:
    return f"user{i:07}@example.com"


def users(template: UserRecord, count: int, now: float) -> Iterator[tuple[Kind, str, str, Any, None]]:
    """`count` users shaped like the seeded one (same password), each with its own name, sub and e-mail."""
    base = asdict(template)
    for i in range(count):
        username = str(uuid.UUID(int=i + 1))
        yield Kind.USER, POOL, username, {**base, "username": username, "sub": str(uuid.uuid4()), "created": now,
                                          "modified": now, "attributes": {"email": email(i),
                                                                          "email_verified": "true"}}, None


def refresh_records(count: int) -> Iterator[RefreshRecord]:
    """`count` refresh tokens: SIGNED_OUT of them held by user 0, the rest spread over 10,000 other users."""
    now = time.time()
    for i in range(count):
        owner = 0 if i < SIGNED_OUT else 1 + i % 10_000
        yield RefreshRecord(POOL, CLIENT, str(uuid.UUID(int=owner + 1)), "s", int(now), str(uuid.uuid4()),
                            now + 86400 * 30, "aws.cognito.signin.user.admin")


def seed(rt: Runtime, count: int, refresh: int) -> None:
    store = rt.store
    template = find_user(store, store.pool(POOL), "seed@example.com")  # type: ignore[arg-type]
    assert template is not None
    rows = users(template, count, time.time())
    bulk = getattr(store, "bulk_insert", None)
    if bulk is not None:
        # Tokens nobody presents: keyed like digests of tokens, through the same writer as the users.
        bulk(itertools.chain(rows, ((Kind.REFRESH, POOL, secrets.token_hex(32), asdict(r), r.expires)
                                    for r in refresh_records(refresh))))
    else:  # a store from before bulk_insert: `put` and the refresh-token writer, in one transaction
        with store.transaction():
            for kind, scope, key, data, expires in rows:
                store.put(kind, scope, key, data, expires)
            for record in refresh_records(refresh):
                new_refresh_token(store, record)
    store.put(Kind.SEED, "bench", "scale", {"users": count, "refresh": refresh})


def p50(fn: Callable[[], object], n: int) -> float:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def row(name: str, ms: float, target: float) -> None:
    print(f"{name:<58} {ms:9.3f} ms   target <= {target:g} ms{'' if ms <= target else '   (over)'}", flush=True)


STARTUP = """
import sys, time, json
start = time.perf_counter()
sys.path.insert(0, {root!r})
from bench.scale import CONFIG, open_runtime, sign_in
imported = time.perf_counter()
rt = open_runtime({state!r})
opened = time.perf_counter()
sign_in(rt, 0, by_username=True)
print(json.dumps({{"import": imported - start, "open": opened - imported, "token": time.perf_counter() - opened}}))
"""


def open_runtime(state: str) -> Runtime:
    return Runtime.open(parse_config(CONFIG, base_dir=Path.cwd()), Path(state))


def sign_in(rt: Runtime, i: int, by_username: bool = False) -> dict:
    """Sign user i in by e-mail (the lookup a sign-in name needs), or by its username."""
    name = str(uuid.UUID(int=i + 1)) if by_username else email(i)
    return initiate_auth(rt, {"ClientId": CLIENT, "AuthFlow": "USER_PASSWORD_AUTH",
                              "AuthParameters": {"USERNAME": name, "PASSWORD": PASSWORD}},
                         Call("InitiateAuth", "bench", "127.0.0.1"))["AuthenticationResult"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--refresh", type=int, default=100_000)
    parser.add_argument("--state", default=None, help="state directory (default: a new temporary one)")
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    state = args.state or tempfile.mkdtemp(prefix="scale-bench-")
    start = time.perf_counter()
    rt = open_runtime(state)
    if rt.store.get(Kind.SEED, "bench", "scale") != {"users": args.users, "refresh": args.refresh}:
        seed(rt, args.users, args.refresh)
        print(f"seeded {args.users:,} users and {args.refresh:,} refresh tokens into {state} in "
              f"{time.perf_counter() - start:.1f} s", flush=True)
    n = args.samples
    call = Call("bench", "bench", "127.0.0.1")
    rng = iter(range(10**9))
    pick = [(i * 7919) % args.users for i in range(n * 4)]  # spread over the pool, not one hot row
    row("AdminGetUser (by username, spread over the pool)", p50(lambda: admin_get_user(
        rt, {"UserPoolId": POOL, "Username": str(uuid.UUID(int=pick[next(rng) % len(pick)] + 1))}, call), n), 2)
    row("AdminGetUser (by e-mail sign-in name)", p50(lambda: admin_get_user(
        rt, {"UserPoolId": POOL, "Username": email(pick[next(rng) % len(pick)])}, call), n), 2)
    row("InitiateAuth USER_PASSWORD_AUTH (e-mail sign-in name)",
        p50(lambda: sign_in(rt, pick[next(rng) % len(pick)]), n), 2)
    alone = open_runtime(tempfile.mkdtemp(prefix="scale-bench-one-"))  # the seed user only, a state file too
    seed_params = {"ClientId": CLIENT, "AuthFlow": "USER_PASSWORD_AUTH",
                   "AuthParameters": {"USERNAME": "seed@example.com", "PASSWORD": PASSWORD}}
    print(f"{'   the same on a pool of one user (what size does not change)':<58} "
          f"{p50(lambda: initiate_auth(alone, seed_params, call), n):9.3f} ms", flush=True)
    alone.close()
    row('ListUsers Filter email = "..." (one match)', p50(lambda: list_users(
        rt, {"UserPoolId": POOL, "Filter": f'email = "{email(pick[next(rng) % len(pick)])}"'}, call), n), 2)
    row('ListUsers Filter email ^= "user00012" (100 matches, Limit 60)', p50(lambda: list_users(
        rt, {"UserPoolId": POOL, "Filter": 'email ^= "user00012"'}, call), n), 2)
    first = list_users(rt, {"UserPoolId": POOL}, call)
    row("ListUsers, one page (60 users, no filter)", p50(lambda: list_users(rt, {"UserPoolId": POOL}, call), n), 2)
    row("ListUsers, a later page (PaginationToken)", p50(lambda: list_users(
        rt, {"UserPoolId": POOL, "PaginationToken": first["PaginationToken"]}, call), n), 2)
    samples = []
    for _ in range(max(n // 4, 20)):
        token = sign_in(rt, 0, by_username=True)["AccessToken"]  # user 0 holds SIGNED_OUT of the refresh tokens
        begin = time.perf_counter()
        global_sign_out(rt, {"AccessToken": token}, call)
        samples.append(time.perf_counter() - begin)
    row(f"GlobalSignOut ({args.refresh:,} refresh tokens in the store)", statistics.median(samples) * 1000, 5)
    rt.close()
    root = str(Path(__file__).resolve().parent.parent)
    startups = [json.loads(subprocess.run([sys.executable, "-c", STARTUP.format(root=root, state=state)],
                                          capture_output=True, text=True, check=True).stdout) for _ in range(3)]
    best = min(startups, key=lambda s: s["open"])
    row("start-up: Runtime.open on that state dir (fresh process)", best["open"] * 1000, 1000)
    print(f"   (imports {best['import']:.2f} s before it; the first token {best['token'] * 1000:.1f} ms after it)")
    print(f"state: {state} ({sum(p.stat().st_size for p in Path(state).iterdir()) / 1e6:,.0f} MB)")


if __name__ == "__main__":
    main()
