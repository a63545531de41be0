"""The end of a sign-in: tokens, refreshed tokens, and challenge sessions; shared by every flow."""

from __future__ import annotations

from typing import Any

from emulator.cognito.errors import reject
from emulator.cognito.sessions import RefreshRecord, new_refresh_token, open_session
from emulator.model import AppClient, UserPool
from emulator.runtime import Runtime
from emulator.state import UserRecord
from emulator.tokens import SignIn, new_sign_in


def issue_tokens(rt: Runtime, pool: UserPool, client: AppClient, user: UserRecord,
                 scope: str | None = None, nonce: str | None = None, oauth: bool = False,
                 with_id_token: bool = True, auth_time: int | None = None) -> dict[str, Any]:
    """A sign-in's AuthenticationResult: access, ID and refresh tokens. `auth_time` is when the user
    authenticated, if earlier than now (a hosted-UI code exchanged later, or a remembered browser session)."""
    current = rt.store.user(pool, user.username)
    # The last gate of every path to tokens: the user may have been disabled or deleted mid-sign-in.
    if current is None:
        raise reject("user_not_found", f"user '{user.username}' was deleted during the sign-in")
    if not current.enabled:
        raise reject("user_disabled", f"user '{user.username}' was disabled during the sign-in")
    now = rt.now()
    groups = tuple(rt.store.groups_of(pool.id, user.username))
    kwargs = {"scope": scope} if scope else {}
    sign_in = new_sign_in(user.username, user.sub, user.attributes, groups, now, nonce=nonce, oauth=oauth, **kwargs)
    if auth_time is not None:
        sign_in = SignIn(**{**sign_in.__dict__, "auth_time": auth_time})
    access, id_token = rt.signer.user_tokens(pool, client, sign_in, now, with_id_token=with_id_token)
    refresh = new_refresh_token(rt.store, RefreshRecord(
        pool_id=pool.id, client_id=client.client_id, username=user.username, sub=user.sub,
        auth_time=sign_in.auth_time,
        origin_jti=sign_in.origin_jti, expires=now + client.validity_seconds("RefreshToken"),
        scope=sign_in.scope, oauth=oauth,
    ))
    result: dict[str, Any] = {"AccessToken": access, "ExpiresIn": client.validity_seconds("AccessToken"),
                              "TokenType": "Bearer", "RefreshToken": refresh}
    if id_token:
        result["IdToken"] = id_token
    return result


def refreshed_tokens(rt: Runtime, pool: UserPool, client: AppClient, user: UserRecord,
                     record: RefreshRecord) -> dict[str, Any]:
    """New access and ID tokens from a refresh token: auth_time and origin_jti stay those of the sign-in."""
    now = rt.now()
    groups = tuple(rt.store.groups_of(pool.id, user.username))
    fresh = new_sign_in(user.username, user.sub, user.attributes, groups, now, scope=record.scope, oauth=record.oauth)
    sign_in = SignIn(**{**fresh.__dict__, "auth_time": record.auth_time, "origin_jti": record.origin_jti})
    with_id = not record.oauth or "openid" in record.scope.split()
    access, id_token = rt.signer.user_tokens(pool, client, sign_in, now, with_id_token=with_id)
    result: dict[str, Any] = {"AccessToken": access, "ExpiresIn": client.validity_seconds("AccessToken"),
                              "TokenType": "Bearer"}
    if id_token:
        result["IdToken"] = id_token
    return result


def challenge(rt: Runtime, pool: UserPool, client: AppClient, user: UserRecord, name: str,
              parameters: dict[str, str], state: dict[str, Any] | None = None) -> dict[str, Any]:
    """Answer with a challenge, keeping what the response will need in a new session."""
    session = open_session(rt.store, {"pool_id": pool.id, "client_id": client.client_id,
                                      "username": user.username, "challenge": name, **(state or {})},
                           client.auth_session_validity, rt.clock())
    return {"ChallengeName": name, "Session": session, "ChallengeParameters": parameters}


def check_user_can_sign_in(pool: UserPool, user: UserRecord) -> None:
    """The status checks AWS makes before it looks at the password."""
    if not user.enabled:
        raise reject("user_disabled", f"user '{user.username}' is disabled (AdminDisableUser or Enabled: false)")
    if user.status == "UNCONFIRMED":
        raise reject("user_not_confirmed", f"user '{user.username}' has not confirmed sign-up "
                                           "(ConfirmSignUp or AdminConfirmSignUp)")
    if user.status == "RESET_REQUIRED":
        raise reject("password_reset_required", f"user '{user.username}' is RESET_REQUIRED; "
                                                "ForgotPassword/ConfirmForgotPassword first")
