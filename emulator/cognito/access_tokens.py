"""Authenticating the access token that self-service operations (GetUser, GlobalSignOut, ...) carry."""

from __future__ import annotations

from dataclasses import dataclass

import jwt

from emulator.cognito.errors import reject
from emulator.model import UserPool
from emulator.refresh_tokens import origin_revoked
from emulator.runtime import Runtime
from emulator.state import UserRecord
from emulator.tokens import USER_SCOPE, pool_id_of_unverified, read_unverified


@dataclass(frozen=True)
class TokenUser:
    pool: UserPool
    user: UserRecord
    claims: dict


def authenticate(rt: Runtime, token: str, required_scope: str | None = USER_SCOPE) -> TokenUser:
    """The pool, user and claims of a valid access token; AWS's NotAuthorizedException otherwise."""
    parsed = read_unverified(token)  # once: the pool it names, then its signature and claims
    pool_id = pool_id_of_unverified(parsed)
    pool = rt.store.pool(pool_id) if pool_id else None
    if pool is None:
        raise reject("access_token_invalid", "the token is not a JWT issued by a pool of this emulator")
    try:
        claims = rt.signer.decode_own(pool, parsed, "access")
    except jwt.PyJWTError as exc:
        raise reject("access_token_invalid", f"the access token does not verify against pool {pool.id}'s access "
                                             f"key: {exc}") from None
    for name in ("exp", "iat"):
        # A signed token of ours always has numbers here; anything else is not one we issued as it is.
        if isinstance(claims.get(name), bool) or not isinstance(claims.get(name), int | float):
            raise reject("access_token_invalid", f"the access token's {name} is {claims.get(name)!r}, not a number")
    if not isinstance(claims.get("origin_jti", ""), str):
        raise reject("access_token_invalid", f"the access token's origin_jti is {claims.get('origin_jti')!r}, "
                                             "not a string")
    if claims.get("token_use") != "access":
        raise reject("access_token_invalid", f"token_use is {claims.get('token_use')!r}; an access token is needed")
    if claims["exp"] <= rt.clock():
        raise reject("access_token_expired", f"the access token expired at {claims['exp']}")
    if origin_revoked(rt.store, pool.id, claims.get("origin_jti")):
        raise reject("access_token_revoked", "the sign-in of this access token was signed out or its refresh "
                                             "token revoked")
    if required_scope and required_scope not in str(claims.get("scope", "")).split():
        raise reject("access_token_scopes", f"the access token's scope {claims.get('scope')!r} lacks "
                                            f"{required_scope} (a client_credentials token never has it)")
    username = claims.get("username")
    user = rt.store.user(pool, username) if isinstance(username, str) else None
    if user is None:
        raise reject("user_not_found", f"user {username!r} of this access token no longer exists")
    if not user.enabled:
        raise reject("user_disabled", f"user '{user.username}' is disabled")
    if claims["iat"] < int(user.tokens_valid_after):
        raise reject("access_token_revoked", "the user was signed out globally after this token was issued")
    return TokenUser(pool, user, claims)
