"""Token issuance: every token the emulator mints passes through `mint`, whatever asked for it (a sign-in
through the API or the hosted login page, a challenge answer, a refresh, a code or implicit grant,
client_credentials). It decides whether the user or client may still get tokens (`refusal`, pure),
assembles Cognito's claims, fires the pool's Pre Token Generation trigger on them, signs them and records
the refresh token.

A refusal is raised as `TokenRefused`; each surface maps it to its own wire error once, at its edge
(`REFUSALS` holds both texts' keys), so the decision is made in one place for every path.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from emulator.cognito import auth_event_log, session_limits
from emulator.cognito.errors import CognitoError, reject
from emulator.cognito.trigger_config import pre_token_version
from emulator.cognito.triggers import client_metadata, configured, fire, user_attributes
from emulator.group_roles import GroupRole, group_roles
from emulator.model import AppClient, UserPool
from emulator.oauth2.errors import OAuthError, oauth_error
from emulator.refresh_tokens import (
    RefreshRecord,
    find_refresh_token,
    mark_replaced,
    new_refresh_token,
    origin_revoked,
    rotated_until,
)
from emulator.state import UserRecord
from emulator.token_customization import EVENT_VERSIONS, BadOverride, customize
from emulator.tokens import (
    USER_SCOPE,
    SignIn,
    access_token_claims,
    at_hash,
    client_credentials_claims,
    id_token_claims,
    new_sign_in,
)

if TYPE_CHECKING:
    from emulator.runtime import Runtime


log = logging.getLogger("cognito_emulator")

PRE_TOKEN_GENERATION = "PreTokenGeneration"


class Grant(StrEnum):
    """How tokens are asked for; the values are the trigger-source suffixes AWS names these by."""

    AUTHENTICATION = "Authentication"  # InitiateAuth / AdminInitiateAuth and their challenges
    NEW_PASSWORD = "NewPasswordChallenge"  # NEW_PASSWORD_REQUIRED answered, then tokens
    REFRESH = "RefreshTokens"  # REFRESH_TOKEN_AUTH and grant_type=refresh_token
    HOSTED = "HostedAuth"  # the hosted UI: authorization code exchanged, or implicit tokens
    CLIENT_CREDENTIALS = "ClientCredentials"  # grant_type=client_credentials (no user)


class Refusal(StrEnum):
    USER_GONE = "user_gone"
    USER_DISABLED = "user_disabled"
    REFRESH_UNKNOWN = "refresh_unknown"
    REFRESH_FOREIGN = "refresh_foreign"
    REFRESH_REVOKED = "refresh_revoked"
    REFRESH_EXPIRED = "refresh_expired"
    REFRESH_ROTATED = "refresh_rotated"


# Refusal -> (cognito-idp error key in cognito/errors.ERRORS, OAuth2 error key in oauth2/errors.ERRORS).
REFUSALS: dict[Refusal, tuple[str, str]] = {
    Refusal.USER_GONE: ("user_not_found", "invalid_grant"),
    Refusal.USER_DISABLED: ("user_disabled", "invalid_grant"),
    Refusal.REFRESH_UNKNOWN: ("refresh_token_invalid", "invalid_grant"),
    Refusal.REFRESH_FOREIGN: ("refresh_token_invalid", "invalid_grant"),
    Refusal.REFRESH_REVOKED: ("refresh_token_revoked", "invalid_grant"),
    Refusal.REFRESH_EXPIRED: ("refresh_token_expired", "invalid_grant"),
    Refusal.REFRESH_ROTATED: ("refresh_token_invalid", "invalid_grant"),  # UNCONFIRMED: AWS's text after rotation
}


class TokenRefused(Exception):
    """No tokens: why (`kind`) in plain words (`reason`); `cognito()` / `oauth()` give each surface's error."""

    def __init__(self, kind: Refusal, reason: str) -> None:
        super().__init__(reason)
        self.kind, self.reason = kind, reason

    def cognito(self) -> CognitoError:
        return reject(REFUSALS[self.kind][0], self.reason)

    def oauth(self) -> OAuthError:
        return oauth_error(REFUSALS[self.kind][1], self.reason)


# -- the decision (pure) ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Holder:
    """The user tokens are for, as the store has them now (None: deleted)."""

    username: str
    enabled: bool


@dataclass(frozen=True)
class Refresh:
    """A presented refresh token, as the store has it."""

    client_id: str
    revoked: bool  # itself, or its sign-in (every token rotated from the same one)
    expires: float
    rotated_until: float | None = None  # rotated out: works until then (RetryGracePeriodSeconds)


def refusal(grant: Grant, client: AppClient, username: str | None, holder: Holder | None,
            refresh: Refresh | None, now: float) -> tuple[Refusal, str] | None:
    """Why `client` may not get tokens for `username` now, or None. `refresh` is checked for REFRESH grants."""
    if grant is Grant.REFRESH:
        if refresh is None:
            return Refusal.REFRESH_UNKNOWN, "the refresh token is unknown to this pool"
        if refresh.client_id != client.client_id:
            return Refusal.REFRESH_FOREIGN, (f"the refresh token was issued to client {refresh.client_id}, "
                                             f"not {client.client_id}")
        if refresh.revoked:
            return Refusal.REFRESH_REVOKED, ("the refresh token was revoked (RevokeToken, /oauth2/revoke, "
                                             "GlobalSignOut or AdminUserGlobalSignOut)")
        if refresh.expires <= now:
            return Refusal.REFRESH_EXPIRED, (f"the refresh token expired at {int(refresh.expires)} "
                                             f"(RefreshTokenValidity of client '{client.client_name}')")
        if refresh.rotated_until is not None and refresh.rotated_until <= now:
            return Refusal.REFRESH_ROTATED, (f"the refresh token was rotated out and its grace period ended at "
                                             f"{int(refresh.rotated_until)} (RetryGracePeriodSeconds "
                                             f"{client.rotation_grace_seconds} of client '{client.client_name}'); "
                                             "use the refresh token the rotation returned")
    if grant is Grant.CLIENT_CREDENTIALS:
        return None
    if holder is None:
        return Refusal.USER_GONE, f"user '{username}' no longer exists"
    if not holder.enabled:
        return Refusal.USER_DISABLED, f"user '{holder.username}' is disabled"
    return None


# -- minting ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenRequest:
    """What a path asks to be minted. `scope` None is a user sign-in's default scope."""

    grant: Grant
    pool: UserPool
    client: AppClient
    username: str | None = None  # None only for CLIENT_CREDENTIALS
    scope: str | None = None
    nonce: str | None = None
    oauth: bool = False  # the hosted UI / OAuth2 endpoints (access tokens carry version 2, ID tokens at_hash)
    with_id_token: bool = True
    auth_time: int | None = None  # when the user authenticated, if earlier than now
    refresh_token: str | None = None  # REFRESH: the presented token
    factors: tuple[str, ...] = ("Password",)  # what the user answered, for the auth event (Password, Mfa)


def holder_of(user: UserRecord | None) -> Holder | None:
    return Holder(user.username, user.enabled) if user else None


def _check(rt: Runtime, request: TokenRequest) -> tuple[tuple[Refusal, str] | None, UserRecord | None,
                                                        RefreshRecord | None]:
    record = None
    if request.grant is Grant.REFRESH:
        record = find_refresh_token(rt.store, request.pool.id, request.refresh_token or "")
    username = record.username if record else request.username
    user = rt.store.user(request.pool, username) if username else None
    if record is not None and user is not None and user.sub != record.sub:
        user = None  # the user of this token was deleted; another now has the name
    facts = None
    if record is not None:
        revoked = record.revoked or origin_revoked(rt.store, record.pool_id, record.origin_jti)
        facts = Refresh(record.client_id, revoked, record.expires,
                        rotated_until(record, request.client.rotation_grace_seconds))
    return refusal(request.grant, request.client, username, holder_of(user), facts, rt.clock()), user, record


def mint(rt: Runtime, request: TokenRequest) -> dict[str, Any]:
    """An AuthenticationResult (AccessToken, ExpiresIn, TokenType, IdToken?, RefreshToken?) or TokenRefused."""
    problem, user, record = _check(rt, request)
    if problem is not None:
        raise TokenRefused(*problem)
    pool, client = request.pool, request.client
    now = rt.now()
    expires_in = client.validity_seconds("AccessToken")
    if request.grant is Grant.CLIENT_CREDENTIALS:
        claims, _ = _pre_token_generation(rt, request, None, client_credentials_claims(
            pool, client, request.scope or "", now), None)
        return {"AccessToken": rt.signer.sign(pool.id, "access", claims), "ExpiresIn": expires_in,
                "TokenType": "Bearer"}
    assert user is not None
    groups = tuple(rt.store.groups_of(pool.id, user.username))
    preferred, roles = group_roles([GroupRole(g.name, g.precedence, g.role_arn) for g in
                                    (rt.store.group(pool.id, name) for name in groups) if g is not None])
    if record is not None:  # a refresh keeps the sign-in's scope, auth_time and origin_jti
        fresh = new_sign_in(user.username, user.sub, user.attributes, groups, now, scope=record.scope,
                            oauth=record.oauth)
        sign_in = replace(fresh, auth_time=record.auth_time, origin_jti=record.origin_jti)
        with_id = not record.oauth or "openid" in record.scope.split()
    else:
        sign_in = new_sign_in(user.username, user.sub, user.attributes, groups, now,
                              scope=request.scope or USER_SCOPE, nonce=request.nonce, oauth=request.oauth)
        if request.auth_time is not None:
            sign_in = replace(sign_in, auth_time=request.auth_time)
        with_id = request.with_id_token
    sign_in = replace(sign_in, roles=tuple(roles), preferred_role=preferred)
    access_claims, id_claims = _pre_token_generation(
        rt, request, user, access_token_claims(pool, client, sign_in, now),
        id_token_claims(pool, client, sign_in, now) if with_id else None)
    access = rt.signer.sign(pool.id, "access", access_claims)
    id_token = None
    if id_claims is not None:
        if sign_in.oauth:
            access = rt.signer.finish(access)  # at_hash is over the signed token's bytes
            id_claims["at_hash"] = at_hash(access)
        id_token = rt.signer.sign(pool.id, "id", id_claims)
    result: dict[str, Any] = {"AccessToken": access, "ExpiresIn": expires_in, "TokenType": "Bearer"}
    if record is None or client.rotates_refresh_tokens:
        result["RefreshToken"] = _record_refresh_token(rt, request, user, sign_in, now,
                                                       oauth=record.oauth if record else request.oauth)
    if record is not None and client.rotates_refresh_tokens:
        mark_replaced(rt.store, request.refresh_token or "", record, now)
    if id_token:
        result["IdToken"] = id_token
    if record is None:  # a sign-in, not a refresh: AdminListUserAuthEvents lists it
        auth_event_log.record_sign_in(rt.store, pool.id, user.username, sign_in.event_id, rt.clock(),
                                      request.factors)
        session_limits.enforce_limit(rt.store, pool.id, user.username)
    return result


def _pre_token_generation(rt: Runtime, request: TokenRequest, user: UserRecord | None, access_claims: dict,
                          id_claims: dict | None) -> tuple[dict, dict | None]:
    """The claims after the pool's Pre Token Generation trigger, fired once for every token path with the
    grant's trigger source (TokenGeneration_<grant>); V1_0 and V2_0 are not fired for client_credentials."""
    pool, client = request.pool, request.client
    reference = configured(pool, PRE_TOKEN_GENERATION)
    version = pre_token_version(pool.lambda_config)
    if reference is None or (request.grant is Grant.CLIENT_CREDENTIALS and version != "V3_0"):
        return access_claims, id_claims
    groups = list(access_claims.get("cognito:groups") or [])
    # The event's groupConfiguration is what the tokens would carry: the groups, their roles, the preferred one.
    roles = list((id_claims or {}).get("cognito:roles") or [])
    trigger_request: dict[str, Any] = {
        "userAttributes": user_attributes(user),
        "groupConfiguration": {"groupsToOverride": groups, "iamRolesToOverride": roles,
                               "preferredRole": (id_claims or {}).get("cognito:preferred_role")},
    }
    if version != "V1_0":
        trigger_request["scopes"] = str(access_claims.get("scope") or "").split()
    trigger_request["clientMetadata"] = client_metadata()
    template = {"claimsOverrideDetails": None} if version == "V1_0" else {"claimsAndScopeOverrideDetails": None}
    # A client_credentials event has no user (UNCONFIRMED: userName null).
    response = fire(rt, pool, PRE_TOKEN_GENERATION, f"TokenGeneration_{request.grant.value}",
                    user.username if user else None, client.client_id, trigger_request, template,
                    version=EVENT_VERSIONS[version])
    try:
        customized = customize(version, response, id_claims, access_claims)
    except BadOverride as exc:
        raise reject("lambda_bad_output", f"{PRE_TOKEN_GENERATION} ({version}): {exc}") from None
    if customized.ignored:
        log.info("%s of pool %s: left as Cognito sets them (they cannot be modified): %s", PRE_TOKEN_GENERATION,
                 pool.id, ", ".join(customized.ignored))
    return customized.access_claims, customized.id_claims


def _record_refresh_token(rt: Runtime, request: TokenRequest, user: UserRecord, sign_in: SignIn, now: int,
                          oauth: bool) -> str:
    """A new refresh token for this sign-in. A rotated one keeps the sign-in's origin_jti (revoking any token
    of the family revokes them all) and gets a full validity from now (UNCONFIRMED: AWS's guide calls
    rotation a way to keep active users signed in)."""
    client = request.client
    return new_refresh_token(rt.store, RefreshRecord(
        pool_id=request.pool.id, client_id=client.client_id, username=user.username, sub=user.sub,
        auth_time=sign_in.auth_time, origin_jti=sign_in.origin_jti,
        expires=now + client.validity_seconds("RefreshToken"), scope=sign_in.scope, oauth=oauth,
        issued=rt.clock()))
