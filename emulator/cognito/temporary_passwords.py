"""How long an administrator's temporary password works: the pool's TemporaryPasswordValidityDays from when it
was set (AdminCreateUser, its RESEND, AdminSetUserPassword without Permanent). After that, signing in with it
is refused until an administrator sets a new one; seed users from the config have no such limit.

The validity is kept in its own record, without store expiry: the invitation code (codes.py) is dropped a day
after it expires, and an expired password must stay refused after that. The record also holds the password's
hash, so it only applies while the user still has that very password.
"""

from __future__ import annotations

from datetime import UTC, datetime

from emulator.cognito.errors import reject
from emulator.model import UserPool
from emulator.runtime import Runtime
from emulator.state import Kind, UserRecord

# Kind.TEMPORARY_PASSWORD records: scope pool id, key the user's key; {"password_hash", "set_at", "expires"}
KIND = Kind.TEMPORARY_PASSWORD
DAY_SECONDS = 86400


def start_temporary_password(rt: Runtime, pool: UserPool, user: UserRecord) -> None:
    """Start the validity of the temporary password just set on `user` (its hash is already on the record)."""
    now = rt.clock()
    days = pool.password_policy.temporary_password_validity_days
    rt.store.put(KIND, pool.id, rt.store.user_key(pool, user.username),
                 {"password_hash": user.password_hash, "set_at": now, "expires": now + days * DAY_SECONDS})


def refuse_if_expired(rt: Runtime, pool: UserPool, user: UserRecord) -> None:
    """AWS's NotAuthorizedException when a FORCE_CHANGE_PASSWORD user signs in with an expired temporary
    password. Called after the password was proven, where the new-password challenge would follow."""
    if user.status != "FORCE_CHANGE_PASSWORD":
        return
    record = rt.store.get(KIND, pool.id, rt.store.user_key(pool, user.username))
    if record is None or record["password_hash"] != user.password_hash or rt.clock() < record["expires"]:
        return
    set_at = datetime.fromtimestamp(record["set_at"], UTC).isoformat(timespec="seconds")
    raise reject("temporary_password_expired", f"the temporary password of user '{user.username}' was set at {set_at} "
                 f"and pool {pool.id} keeps temporary passwords for "
                 f"{pool.password_policy.temporary_password_validity_days} days (TemporaryPasswordValidityDays); "
                 "AdminCreateUser with MessageAction RESEND or AdminSetUserPassword gives a new one")


def forget_temporary_password(rt: Runtime, pool: UserPool, username: str) -> None:
    """Drop the record of a deleted user."""
    rt.store.delete(KIND, pool.id, rt.store.user_key(pool, username))
