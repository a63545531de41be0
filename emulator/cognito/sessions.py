"""Challenge sessions and refresh tokens: opaque strings whose state lives in the store."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from emulator.cognito.errors import reject
from emulator.state import Store

# Expired sessions are kept this long after expiry so the error can say "expired", not "invalid".
SESSION_GRACE_SECONDS = 3600


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(store: Store, data: dict[str, Any], minutes: int, now: float) -> str:
    """Start a challenge session holding `data`; returns the opaque Session string."""
    session = _b64(secrets.token_bytes(192))  # AWS sessions are long opaque strings (20-2048 chars)
    store.put("session", "", _digest(session), {**data, "expires": now + minutes * 60},
              expires=now + minutes * 60 + SESSION_GRACE_SECONDS)
    return session


def take_session(store: Store, session: str | None, client_id: str, now: float) -> dict[str, Any]:
    """The session's data, consumed (single use); AWS's errors for unknown, foreign or expired ones."""
    if not session:
        raise reject("session_invalid", "the request has no Session")
    data = store.take("session", "", _digest(session), now)
    if data is None:
        raise reject("session_invalid", "the Session is unknown or was already used (sessions are single-use)")
    if data.get("client_id") != client_id:
        raise reject("session_invalid", f"the Session was issued to client {data.get('client_id')}, "
                                        f"not {client_id}")
    if data["expires"] <= now:
        raise reject("session_expired", f"the Session expired {int(now - data['expires'])} s ago "
                                        "(AuthSessionValidity of the client)")
    return data


def peek_session(store: Store, session: str, now: float) -> dict[str, Any] | None:
    """A session's data without consuming it (None when unknown or past its grace period)."""
    return store.get("session", "", _digest(session), now)


def restore_session(store: Store, session: str, data: dict[str, Any]) -> None:
    """Put a consumed session back, unchanged in expiry (a wrong MFA code may be retried)."""
    store.put("session", "", _digest(session), data, expires=data["expires"] + SESSION_GRACE_SECONDS)


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


def new_refresh_token(store: Store, record: RefreshRecord) -> str:
    """An opaque refresh token shaped like AWS's (a five-part JWE-style string)."""
    header = _b64(b'{"cty":"JWT","enc":"A256GCM","alg":"RSA-OAEP"}')
    token = ".".join([header, _b64(secrets.token_bytes(256)), _b64(secrets.token_bytes(12)),
                      _b64(secrets.token_bytes(48)), _b64(secrets.token_bytes(16))])
    store.put("refresh", record.pool_id, _digest(token), record.__dict__)
    return token


def find_refresh_token(store: Store, pool_id: str, token: str) -> RefreshRecord | None:
    data = store.get("refresh", pool_id, _digest(token))
    return RefreshRecord(**data) if data else None


def revoke_refresh_token(store: Store, record: RefreshRecord, token: str | None = None) -> None:
    """Mark a refresh token revoked and revoke the access tokens of its sign-in (same origin_jti)."""
    record.revoked = True
    with store.transaction():
        if token is not None:
            store.put("refresh", record.pool_id, _digest(token), record.__dict__)
        store.put("revoked_origin", record.pool_id, record.origin_jti, {"at": record.auth_time})


def revoke_user_tokens(store: Store, pool_id: str, username: str) -> int:
    """GlobalSignOut: revoke every refresh token of the user and the access tokens minted with them."""
    count = 0
    with store.transaction():
        for _, key, data in store.items("refresh", pool_id):
            if data["username"] == username and not data["revoked"]:
                data["revoked"] = True
                store.put("refresh", pool_id, key, data)
                store.put("revoked_origin", pool_id, data["origin_jti"], {"at": data["auth_time"]})
                count += 1
    return count


def origin_revoked(store: Store, pool_id: str, origin_jti: str | None) -> bool:
    return bool(origin_jti) and store.get("revoked_origin", pool_id, origin_jti) is not None
