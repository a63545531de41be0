"""Refresh tokens and the revocation of the sign-ins they belong to: opaque strings whose facts live in
the store, keyed by a digest of the token (never the token itself)."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass

from emulator.encoding import b64url, digest
from emulator.record_indexes import REFRESH_BY_USER, REFRESH_HELD_BY
from emulator.state import Kind, Store


@dataclass
class RefreshRecord:
    pool_id: str
    client_id: str
    username: str
    sub: str
    auth_time: int
    origin_jti: str
    expires: float
    scope: str
    oauth: bool = False
    revoked: bool = False
    replaced_at: float | None = None  # rotated out (RefreshTokenRotation): works for the grace period after
    issued: float = 0.0  # when the token was minted (a user session's LastActiveDate and order)


def rotated_until(record: RefreshRecord, grace_seconds: int) -> float | None:
    """Until when a rotated-out token still works (None: not rotated out)."""
    return None if record.replaced_at is None else record.replaced_at + grace_seconds


def new_refresh_token(store: Store, record: RefreshRecord) -> str:
    """An opaque refresh token shaped like AWS's (a five-part JWE-style string)."""
    header = b64url(b'{"cty":"JWT","enc":"A256GCM","alg":"RSA-OAEP"}')
    token = ".".join([header, b64url(secrets.token_bytes(256)), b64url(secrets.token_bytes(12)),
                      b64url(secrets.token_bytes(48)), b64url(secrets.token_bytes(16))])
    # Indexed by user and sign-in (record_indexes.py), so a global sign-out reads that user's tokens only.
    store.put(Kind.REFRESH, record.pool_id, digest(token), asdict(record), expires=record.expires)
    return token


def user_refresh_records(store: Store, pool_id: str, username: str) -> list[tuple[str, RefreshRecord]]:
    """(key, record) of the user's refresh tokens, revoked or not (the caller says which count), by index."""
    return [(key, RefreshRecord(**found.data))
            for key, found in store.find(Kind.REFRESH, pool_id, REFRESH_BY_USER, username)]


def find_refresh_token(store: Store, pool_id: str, token: str) -> RefreshRecord | None:
    """The token's record, expired or not (the caller says which), or None when this pool never issued it."""
    found = store.lookup(Kind.REFRESH, pool_id, digest(token))
    return RefreshRecord(**found.data) if found else None


def mark_replaced(store: Store, token: str, record: RefreshRecord, now: float) -> None:
    """Record that `token` was rotated out now (the first rotation counts: a retry does not extend it)."""
    if record.replaced_at is None:
        store.put(Kind.REFRESH, record.pool_id, digest(token), {**asdict(record), "replaced_at": now},
                  expires=record.expires)


def revoke_refresh_token(store: Store, record: RefreshRecord, token: str | None = None) -> None:
    """Mark a refresh token revoked and revoke the access tokens of its sign-in (same origin_jti)."""
    record.revoked = True
    with store.transaction():
        if token is not None:
            store.put(Kind.REFRESH, record.pool_id, digest(token), asdict(record), expires=record.expires)
        store.put(Kind.REVOKED_ORIGIN, record.pool_id, record.origin_jti, {"at": record.auth_time})


def revoke_user_tokens(store: Store, pool_id: str, username: str) -> int:
    """GlobalSignOut: revoke every refresh token of the user and the access tokens minted with them."""
    count = 0
    with store.transaction():
        for key, found in store.find(Kind.REFRESH, pool_id, REFRESH_HELD_BY, username):  # not yet revoked
            data = {**found.data, "revoked": True}
            store.put(Kind.REFRESH, pool_id, key, data, expires=found.expires)
            store.put(Kind.REVOKED_ORIGIN, pool_id, data["origin_jti"], {"at": data["auth_time"]})
            count += 1
    return count


def revoke_origin(store: Store, pool_id: str, username: str, origin_jti: str) -> int:
    """Revoke one sign-in: its refresh tokens (rotated ones too) and the access tokens minted in it."""
    count, auth_time = 0, 0
    with store.transaction():
        for key, record in user_refresh_records(store, pool_id, username):
            if record.origin_jti == origin_jti and not record.revoked:
                store.put(Kind.REFRESH, pool_id, key, {**asdict(record), "revoked": True}, expires=record.expires)
                count, auth_time = count + 1, record.auth_time
        store.put(Kind.REVOKED_ORIGIN, pool_id, origin_jti, {"at": auth_time})
    return count


def origin_revoked(store: Store, pool_id: str, origin_jti: object) -> bool:
    """Whether the sign-in `origin_jti` names was revoked (anything but a string names none of ours)."""
    return isinstance(origin_jti, str) and bool(origin_jti) and \
        store.get(Kind.REVOKED_ORIGIN, pool_id, origin_jti) is not None
