"""The hosted UI's state in the store: authorization codes, browser sessions, CSRF-bound login requests
and new-password steps. Each is keyed by a digest of its opaque token, never the token itself."""

from __future__ import annotations

import hmac
import secrets
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from emulator.encoding import digest as _digest
from emulator.oauth2.grants import CodeGrant
from emulator.state import Kind, Store

CODE_KIND = Kind.OAUTH2_CODE
BROWSER_KIND = Kind.OAUTH2_BROWSER_SESSION
LOGIN_KIND = Kind.OAUTH2_LOGIN_REQUEST
STEP_KIND = Kind.OAUTH2_LOGIN_STEP

SESSION_COOKIE = "cognito"  # the managed login's session cookie has this name on AWS's auth domain
CSRF_COOKIE = "XSRF-TOKEN"
SESSION_SECONDS = 3600  # UNCONFIRMED (see errors.py): the managed-login session lasts an hour
LOGIN_REQUEST_SECONDS = 3600


# -- authorization codes ---------------------------------------------------------------------


def issue_code(store: Store, grant: CodeGrant) -> str:
    """A new single-use code (a UUID, as AWS's codes look) for `grant`."""
    code = str(uuid.uuid4())
    store.put(CODE_KIND, "", _digest(code), grant.to_record(), expires=grant.expires)
    return code


def redeem_code(store: Store, code: str) -> CodeGrant | None:
    """The code's grant as it was before this call (expired or not), marking it used in the same step."""
    key = _digest(code)
    with store.transaction():
        found = store.lookup(CODE_KIND, "", key)
        if found is None:
            return None
        grant = CodeGrant.from_record(found.data, found.expires)
        if not grant.used:
            store.put(CODE_KIND, "", key, {**found.data, "used": True}, expires=found.expires)
    return grant


# -- the signed-in browser session -------------------------------------------------------------


def remember_sign_in(store: Store, cookie: str | None, pool_id: str, username: str, auth_time: int,
                     now: float, client_id: str | None = None) -> str:
    """Record a sign-in to `pool_id` (through `client_id`) in a new browser session, carrying over the sign-ins
    to other pools of the one `cookie` names; the old value stops working (a cookie planted before a sign-in
    gains nothing)."""
    data = {"pools": {}}
    if cookie:
        data = store.get(BROWSER_KIND, "", _digest(cookie)) or data
        store.delete(BROWSER_KIND, "", _digest(cookie))
    cookie = secrets.token_urlsafe(32)
    data["pools"][pool_id] = {"username": username, "auth_time": auth_time, "expires": now + SESSION_SECONDS,
                              "created": now, "client_id": client_id}
    expires = max(p["expires"] for p in data["pools"].values())
    store.put(BROWSER_KIND, "", _digest(cookie), data, expires=expires)
    return cookie


def signed_in_user(store: Store, cookie: str | None, pool_id: str, now: float) -> dict[str, Any] | None:
    """{username, auth_time} of the browser session's sign-in to `pool_id`, if live."""
    if not cookie:
        return None
    data = store.get(BROWSER_KIND, "", _digest(cookie))
    entry = (data or {}).get("pools", {}).get(pool_id)
    if entry is None or entry["expires"] <= now:
        return None
    return entry


def forget_sign_in(store: Store, cookie: str | None, pool_id: str) -> None:
    """Sign the browser out of `pool_id` (the session ends when no pool is left)."""
    if cookie:
        end_browser_session(store, _digest(cookie), pool_id)


def browser_sessions(store: Store, pool_id: str, username: str, now: float) -> list[tuple[str, dict[str, Any]]]:
    """(key, sign-in) of every live browser session signed in to `pool_id` as `username` (AdminListUserSessions'
    SSO sessions)."""
    return [(key, data["pools"][pool_id]) for _, key, data in store.items(BROWSER_KIND, "")
            if (data["pools"].get(pool_id) or {}).get("username") == username
            and data["pools"][pool_id]["expires"] > now]


def end_browser_session(store: Store, key: str, pool_id: str) -> None:
    """Sign the browser session stored under `key` out of `pool_id`."""
    with store.transaction():
        data = store.get(BROWSER_KIND, "", key)
        if data is None:
            return
        data["pools"].pop(pool_id, None)
        if data["pools"]:
            store.put(BROWSER_KIND, "", key, data, expires=max(p["expires"] for p in data["pools"].values()))
        else:
            store.delete(BROWSER_KIND, "", key)


# -- CSRF: a login form is bound to the login request that rendered it -------------------------


def fingerprint(params: Mapping[str, str]) -> str:
    """A digest of a login request's parameters, to bind a form to the request that rendered it."""
    return _digest(urlencode(sorted(params.items())))


def open_login_request(store: Store, params: Mapping[str, str], now: float, cookie_token: str | None = None) -> str:
    """A CSRF token for a login form of this request (sent as a hidden field and as a cookie).

    A browser that already holds a live token keeps it, and the token is bound to this request's
    parameters too, so two sign-in tabs do not invalidate each other's forms."""
    expires = now + LOGIN_REQUEST_SECONDS
    data = store.get(LOGIN_KIND, "", _digest(cookie_token)) if cookie_token else None
    token = cookie_token if data is not None else secrets.token_urlsafe(32)
    assert token is not None
    bound = (data or {}).get("fingerprints", [])[-19:]  # a bounded set: the latest 20 requests
    bound.append(fingerprint(params))
    store.put(LOGIN_KIND, "", _digest(token), {"fingerprints": bound}, expires=expires)
    return token


def login_request_problem(store: Store, form_token: str | None, cookie_token: str | None,
                          params: Mapping[str, str]) -> str | None:
    """Why a posted login form fails the CSRF check, or None when it passes."""
    if not form_token:
        return "the form has no _csrf field"
    if not cookie_token:
        return f"the browser sent no {CSRF_COOKIE} cookie (cookies blocked, or the form was posted from elsewhere)"
    if not hmac.compare_digest(form_token.encode(), cookie_token.encode()):
        return f"the form's _csrf does not match the {CSRF_COOKIE} cookie (a form posted from another page)"
    data = store.get(LOGIN_KIND, "", _digest(form_token))
    if data is None:
        return "the login form's CSRF token is unknown or expired; reload the sign-in page"
    if fingerprint(params) not in data["fingerprints"]:
        return "the login form was rendered for different authorize parameters than the ones it was posted with"
    return None


def close_login_request(store: Store, token: str | None) -> None:
    """Spend a CSRF token (after a completed sign-in)."""
    if token:
        store.delete(LOGIN_KIND, "", _digest(token))


# -- the new-password step of a FORCE_CHANGE_PASSWORD user -----------------------------------------


def open_step(store: Store, data: dict[str, Any], now: float, minutes: int) -> str:
    """A token for the new-password form, valid `minutes` (the client's AuthSessionValidity)."""
    token = secrets.token_urlsafe(32)
    store.put(STEP_KIND, "", _digest(token), data, expires=now + minutes * 60)
    return token


def get_step(store: Store, token: str | None) -> dict[str, Any] | None:
    """The new-password step's data while it is live (it survives a refused attempt)."""
    return store.get(STEP_KIND, "", _digest(token)) if token else None


def close_step(store: Store, token: str | None) -> None:
    """Spend the new-password step once the password is set."""
    if token:
        store.delete(STEP_KIND, "", _digest(token))
