"""Failed sign-in attempts: after five in a row AWS locks the user out for a while, doubling each time.

AWS's developer guide: "after five failed sign-in attempts ... lockout time starts at 1 second
and doubles after each subsequent failed attempt, up to about 15 minutes"; a success resets it.
"""

from __future__ import annotations

from contextlib import nullcontext

from emulator.cognito import auth_event_log
from emulator.cognito.errors import CognitoError, reject
from emulator.cognito.passwords import password_matches
from emulator.model import UserPool
from emulator.runtime import Runtime
from emulator.state import UserRecord

FREE_ATTEMPTS = 5
MAX_LOCK_SECONDS = 15 * 60


def lock_seconds(failed_attempts: int) -> int:
    """How long the user is locked out after `failed_attempts` consecutive failures (pure)."""
    if failed_attempts < FREE_ATTEMPTS:
        return 0
    return min(2 ** (failed_attempts - FREE_ATTEMPTS), MAX_LOCK_SECONDS)


def refuse_if_locked(user: UserRecord, now: float) -> None:
    if user.locked_until > now:
        raise reject("password_attempts_exceeded",
                     f"user '{user.username}' failed {user.failed_attempts} sign-ins in a row and is locked out "
                     f"for {user.locked_until - now:.0f} s more")


def record_failure(rt: Runtime, pool: UserPool, user: UserRecord) -> None:
    """A wrong password: counted towards the lockout, and a Fail auth event where threat protection is on."""
    now = rt.clock()
    user.failed_attempts += 1
    user.locked_until = now + lock_seconds(user.failed_attempts)
    rt.store.put_user(pool, user)
    auth_event_log.record(rt.store, pool.id, user.username, now, "Fail", (("Password", "Failure"),))


def record_success(rt: Runtime, pool: UserPool, user: UserRecord) -> None:
    if user.failed_attempts or user.locked_until:
        user.failed_attempts, user.locked_until = 0, 0.0
        rt.store.put_user(pool, user)


def check_password(rt: Runtime, pool: UserPool, user: UserRecord, password: str, typed_name: str | None = None) -> None:
    """Raise AWS's error for a locked-out user or a wrong password (counting it); reset the count on success.
    The reason names the user as the caller typed them (`typed_name`), with the username when that differs."""
    shown = f"'{user.username}'" if typed_name in (None, user.username) else \
        f"'{typed_name}' (username {user.username})"
    # The hash is worked out before the store is held: other requests (threads, worker processes) go on meanwhile.
    matches = password_matches(user.password_hash, password)
    with rt.store.transaction(commit_on=(CognitoError,)) if not matches or user.failed_attempts else nullcontext():
        # The count as it stands now, not as this request read it: parallel attempts (other threads, other
        # worker processes) each add theirs.
        current = rt.store.user(pool, user.username)
        if current is not None:
            user.failed_attempts, user.locked_until = current.failed_attempts, current.locked_until
        refuse_if_locked(user, rt.clock())
        if not matches:
            record_failure(rt, pool, user)
            raise reject("wrong_password", f"the password is not the password of user {shown} "
                                           f"({user.failed_attempts} failed in a row)")
        if user.failed_attempts or user.locked_until:
            with rt.store.transaction():  # (re-entrant when a failure count was read above)
                record_success(rt, pool, user)
