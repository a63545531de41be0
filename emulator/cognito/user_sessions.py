"""User sessions: ListUserSessions, AdminListUserSessions, RevokeUserSession, AdminRevokeUserSession and the pool
and client session configuration (Get/SetUserPoolSessionConfiguration, Get/SetUserPoolClientSessionConfiguration).

A token session is one sign-in's refresh-token family (its origin_jti: rotated tokens stay in it); revoking it
revokes those refresh tokens and the access tokens minted in it. An SSO session is a hosted-UI browser session
signed in to the pool; revoking it signs that browser out of the pool. Session tracking is off until
SetUserPoolSessionConfiguration turns it on (Essentials or Plus tier), as the model's documentation says; then
TokenSession.MaxPerUser caps a user's active token sessions (the oldest is signed out: UNCONFIRMED, AWS does
not say which goes), and a client's SSOSession.MaxValidityMinutes caps how long the hosted UI reuses a browser
session silently. Token sessions are not linked to the SSO session they came from (no OriginSessionId), so
RevokeAssociatedSessions LINKED revokes what NONE does."""

from __future__ import annotations

from typing import Any

from emulator.cognito.access_tokens import authenticate
from emulator.cognito.errors import reject
from emulator.cognito.lookup import require_client, require_pool
from emulator.cognito.protocol import Call
from emulator.cognito.session_limits import (
    client_sso_minutes,
    pool_configuration,
    save_client_minutes,
    save_pool_configuration,
    session_id,
    sessions_of,
    tracking_on,
)
from emulator.cognito.users import require_user
from emulator.oauth2 import records
from emulator.refresh_tokens import revoke_origin
from emulator.runtime import Runtime

TRACKING_TIERS = ("ESSENTIALS", "PLUS")


def _require_tracking(rt: Runtime, pool_id: str) -> None:
    if not tracking_on(rt.store, pool_id):
        raise reject("session_tracking_off", f"pool {pool_id} does not track sessions "
                     "(SetUserPoolSessionConfiguration UserSessionTracking ENABLED turns it on)")


def _shown(session: dict[str, Any], current: str | None = None) -> dict[str, Any]:
    shown = {k: v for k, v in session.items() if not k.startswith("_")}
    if current is not None:
        shown["IsCurrentSession"] = session.get("_origin") == current
    return shown


def _all_sessions(rt: Runtime, pool_id: str, username: str) -> list[dict[str, Any]]:
    """Token sessions and the hosted UI's browser (SSO) sessions of the user, oldest first."""
    browser = [{"SessionId": session_id("sso", f"{key}\x00{pool_id}"), "SessionType": "SSO",
                **({"ClientId": entry["client_id"]} if entry.get("client_id") else {}),
                "CreateDate": entry.get("created", entry["auth_time"]),
                "LastActiveDate": entry.get("created", entry["auth_time"]), "_key": key}
               for key, entry in records.browser_sessions(rt.store, pool_id, username, rt.clock())]
    return sorted(sessions_of(rt.store, pool_id, username) + browser, key=lambda s: s["CreateDate"])


def list_user_sessions(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    found = authenticate(rt, params["AccessToken"])
    _require_tracking(rt, found.pool.id)
    current = found.claims.get("origin_jti") or ""
    sessions = _all_sessions(rt, found.pool.id, found.user.username)
    # "returns all of a user's sessions in a single page of up to 125 sessions" (the model's docs)
    return {"Sessions": [_shown(s, current) for s in sessions][-125:]}


def admin_list_user_sessions(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool = require_pool(rt.store, params["UserPoolId"])
    _require_tracking(rt, pool.id)
    user = require_user(rt, pool, params["Username"])
    return {"Sessions": [_shown(s) for s in _all_sessions(rt, pool.id, user.username)][-125:]}


def _revoke(rt: Runtime, pool_id: str, username: str, wanted: str, current: str | None = None) -> None:
    session = next((s for s in _all_sessions(rt, pool_id, username) if s["SessionId"] == wanted), None)
    if session is None:
        raise reject("session_not_found", f"user '{username}' has no active session {wanted}", session_id=wanted)
    if "_key" in session:
        records.end_browser_session(rt.store, session["_key"], pool_id)
        return
    if current is not None and session["_origin"] == current:
        raise reject("session_is_current", f"session {wanted} is the one this access token belongs to; "
                     "GlobalSignOut or RevokeToken ends it")
    revoke_origin(rt.store, pool_id, username, session["_origin"])


def revoke_user_session(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    """RevokeAssociatedSessions LINKED would also end the SSO session a token session came from; the emulator
    links none, so NONE and LINKED revoke the same."""
    found = authenticate(rt, params["AccessToken"])
    _require_tracking(rt, found.pool.id)
    _revoke(rt, found.pool.id, found.user.username, params["SessionId"], found.claims.get("origin_jti") or "")
    return {}


def admin_revoke_user_session(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool = require_pool(rt.store, params["UserPoolId"])
    _require_tracking(rt, pool.id)
    user = require_user(rt, pool, params["Username"])
    _revoke(rt, pool.id, user.username, params["SessionId"])
    return {}


def _require_tier(rt: Runtime, pool_id: str, operation: str) -> None:
    tier = rt.store.pool_settings(pool_id).get("UserPoolTier", "ESSENTIALS")
    if tier not in TRACKING_TIERS:
        why = f"{operation} needs UserPoolTier ESSENTIALS or PLUS; pool {pool_id} is {tier}"
        raise reject("feature_unavailable_in_tier", why, detail=why)


def get_user_pool_session_configuration(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool = require_pool(rt.store, params["UserPoolId"])
    return {"UserPoolId": pool.id, **pool_configuration(rt.store, pool.id)}


def set_user_pool_session_configuration(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    """A full replacement: both settings are required (the model's docs)."""
    pool = require_pool(rt.store, params["UserPoolId"])
    _require_tier(rt, pool.id, call.operation)
    missing = [name for name in ("UserSessionTracking", "TokenSession") if not params.get(name)]
    if missing:
        raise reject("missing_auth_parameter", f"{call.operation} replaces the whole configuration; send "
                     f"{' and '.join(missing)}", name=missing[0])
    configuration = {"UserSessionTracking": params["UserSessionTracking"],
                     "TokenSession": {"MaxPerUser": params["TokenSession"].get("MaxPerUser", 20)}}
    save_pool_configuration(rt.store, pool.id, configuration)
    return {"UserPoolId": pool.id, **configuration}


def get_user_pool_client_session_configuration(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool = require_pool(rt.store, params["UserPoolId"])
    require_client(rt.store, params["ClientId"], pool.id)
    minutes = client_sso_minutes(rt.store, pool.id, params["ClientId"])
    return {"UserPoolId": pool.id, "ClientId": params["ClientId"], "SSOSession": {"MaxValidityMinutes": minutes}}


def set_user_pool_client_session_configuration(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool = require_pool(rt.store, params["UserPoolId"])
    require_client(rt.store, params["ClientId"], pool.id)
    _require_tier(rt, pool.id, call.operation)
    _require_tracking(rt, pool.id)
    minutes = (params.get("SSOSession") or {}).get("MaxValidityMinutes")
    if minutes is None:
        raise reject("missing_auth_parameter", f"{call.operation} replaces the whole configuration; send "
                     "SSOSession.MaxValidityMinutes", name="SSOSession.MaxValidityMinutes")
    save_client_minutes(rt.store, pool.id, params["ClientId"], minutes)
    return {"UserPoolId": pool.id, "ClientId": params["ClientId"], "SSOSession": {"MaxValidityMinutes": minutes}}


OPERATIONS = {
    "ListUserSessions": list_user_sessions,
    "AdminListUserSessions": admin_list_user_sessions,
    "RevokeUserSession": revoke_user_session,
    "AdminRevokeUserSession": admin_revoke_user_session,
    "GetUserPoolSessionConfiguration": get_user_pool_session_configuration,
    "SetUserPoolSessionConfiguration": set_user_pool_session_configuration,
    "GetUserPoolClientSessionConfiguration": get_user_pool_client_session_configuration,
    "SetUserPoolClientSessionConfiguration": set_user_pool_client_session_configuration,
}
