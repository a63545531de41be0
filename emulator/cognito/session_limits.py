"""The session tracking configuration and what it decides outside the session operations (cognito/
user_sessions.py): which token sessions a user has, signing out the oldest past TokenSession.MaxPerUser after
a new sign-in (issuance.mint), and whether the hosted UI may reuse a browser session for a client
(SSOSession.MaxValidityMinutes). Store-only, so the token path depends on nothing else here."""

from __future__ import annotations

import hashlib
from typing import Any

from emulator.refresh_tokens import RefreshRecord, origin_revoked, revoke_origin, user_refresh_records
from emulator.state import Kind, Store

POOL_DEFAULT = {"UserSessionTracking": "DISABLED", "TokenSession": {"MaxPerUser": 20}}  # the model's docs
CLIENT_DEFAULT_MINUTES = 60  # "the default SSO session maximum validity of 60 minutes" (the model's docs)
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
POOL_KEY = "pool"


def session_id(prefix: str, seed: str) -> str:
    """A SessionId of the model's pattern ^(tkn|sso)[a-z0-9]{25}$, stable for its seed."""
    number = int.from_bytes(hashlib.sha256(seed.encode()).digest(), "big")
    chars = []
    for _ in range(25):
        number, digit = divmod(number, 36)
        chars.append(_BASE36[digit])
    return prefix + "".join(chars)


def token_sessions(records: list[RefreshRecord]) -> list[dict[str, Any]]:
    """A user's active token sessions, oldest first: one per sign-in (origin_jti) with an unrevoked refresh
    token; LastActiveDate is when its newest refresh token was minted."""
    families: dict[str, list[RefreshRecord]] = {}
    for record in records:
        if not record.revoked:
            families.setdefault(record.origin_jti, []).append(record)
    sessions = [{"SessionId": session_id("tkn", origin), "SessionType": "TOKEN", "ClientId": family[0].client_id,
                 "CreateDate": family[0].auth_time,
                 "LastActiveDate": max(r.issued for r in family) or family[0].auth_time,
                 "_origin": origin, "_first": min(r.issued for r in family)} for origin, family in families.items()]
    return sorted(sessions, key=lambda s: (s["CreateDate"], s["_first"], s["SessionId"]))


def pool_configuration(store: Store, pool_id: str) -> dict[str, Any]:
    return store.get(Kind.SESSION_CONFIGURATION, pool_id, POOL_KEY) or POOL_DEFAULT


def save_pool_configuration(store: Store, pool_id: str, configuration: dict[str, Any]) -> None:
    store.put(Kind.SESSION_CONFIGURATION, pool_id, POOL_KEY, configuration)


def save_client_minutes(store: Store, pool_id: str, client_id: str, minutes: int) -> None:
    store.put(Kind.SESSION_CONFIGURATION, pool_id, f"client:{client_id}", {"MaxValidityMinutes": minutes})


def tracking_on(store: Store, pool_id: str) -> bool:
    return pool_configuration(store, pool_id).get("UserSessionTracking") == "ENABLED"


def sessions_of(store: Store, pool_id: str, username: str) -> list[dict[str, Any]]:
    """The user's active token sessions, oldest first (`_origin` holds each one's origin_jti)."""
    return token_sessions([record for _, record in user_refresh_records(store, pool_id, username)
                           if not origin_revoked(store, pool_id, record.origin_jti)])


def enforce_limit(store: Store, pool_id: str, username: str) -> None:
    """After a new sign-in: with tracking on, the oldest token sessions past MaxPerUser are signed out."""
    if not tracking_on(store, pool_id):
        return
    limit = int(pool_configuration(store, pool_id)["TokenSession"]["MaxPerUser"])
    sessions = sessions_of(store, pool_id, username)
    for session in sessions[:max(0, len(sessions) - limit)]:
        revoke_origin(store, pool_id, username, session["_origin"])


def client_sso_minutes(store: Store, pool_id: str, client_id: str) -> int:
    """How long the hosted UI may reuse a browser session for this client without asking (minutes)."""
    stored = store.get(Kind.SESSION_CONFIGURATION, pool_id, f"client:{client_id}") or {}
    return int(stored.get("MaxValidityMinutes", CLIENT_DEFAULT_MINUTES))


def sso_reusable(store: Store, pool_id: str, client_id: str, session_created: float, now: float) -> bool:
    """Whether a browser session opened at `session_created` still signs this client in silently: always while
    tracking is off (the hosted UI's own hour), else within the client's SSOSession.MaxValidityMinutes."""
    if not tracking_on(store, pool_id):
        return True
    return now - session_created < client_sso_minutes(store, pool_id, client_id) * 60


