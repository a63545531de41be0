"""Cognito-shaped ID and access tokens: the claim sets (pure) and RS256 signing/verification."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

import jwt

from emulator.cognito.federated_users import identities_claim
from emulator.encoding import b64url
from emulator.keys import Keyring
from emulator.model import AppClient, UserPool

USER_SCOPE = "aws.cognito.signin.user.admin"
# Attributes Cognito puts in ID tokens as JSON booleans; every other attribute is a string.
BOOLEAN_ATTRIBUTES = frozenset({"email_verified", "phone_number_verified"})


@dataclass(frozen=True)
class SignIn:
    """The facts one sign-in's tokens are minted from; a refresh keeps auth_time and origin_jti."""

    username: str
    sub: str
    attributes: Mapping[str, str]
    groups: tuple[str, ...]
    auth_time: int
    origin_jti: str
    event_id: str
    scope: str = USER_SCOPE
    nonce: str | None = None
    oauth: bool = False  # issued by the hosted UI / OAuth2 endpoints (adds version 2)
    roles: tuple[str, ...] = ()  # cognito:roles of the user's groups (group_roles.py), ID token only
    preferred_role: str | None = None  # cognito:preferred_role, ID token only


def new_sign_in(username: str, sub: str, attributes: Mapping[str, str], groups: tuple[str, ...], now: int,
                scope: str = USER_SCOPE, nonce: str | None = None, oauth: bool = False) -> SignIn:
    return SignIn(username, sub, dict(attributes), groups, now, str(uuid.uuid4()), str(uuid.uuid4()),
                  scope, nonce, oauth)


def id_token_claims(pool: UserPool, client: AppClient, sign_in: SignIn, now: int, at_hash: str | None = None) -> dict:
    claims: dict = {"sub": sign_in.sub}
    if sign_in.groups:
        claims["cognito:groups"] = list(sign_in.groups)
    if sign_in.roles:
        claims["cognito:roles"] = list(sign_in.roles)
    if sign_in.preferred_role:
        claims["cognito:preferred_role"] = sign_in.preferred_role
    for name, value in sign_in.attributes.items():
        if name == "sub":
            continue
        if name == "identities":  # a federated user's: the attribute's JSON text becomes the documented array
            claims[name] = identities_claim(value)
            continue
        claims[name] = (value == "true") if name in BOOLEAN_ATTRIBUTES else value
    if at_hash:
        claims["at_hash"] = at_hash
    claims.update({
        "iss": pool.issuer,
        "cognito:username": sign_in.username,
        "origin_jti": sign_in.origin_jti,
        "aud": client.client_id,
        "event_id": sign_in.event_id,
        "token_use": "id",
        "auth_time": sign_in.auth_time,
        "exp": now + client.validity_seconds("IdToken"),
        "iat": now,
        "jti": str(uuid.uuid4()),
    })
    if sign_in.nonce:
        claims["nonce"] = sign_in.nonce
    return claims


def access_token_claims(pool: UserPool, client: AppClient, sign_in: SignIn, now: int) -> dict:
    """A user's access token: no `aud`; `client_id` names the client (AWS_BEHAVIOR §5)."""
    claims: dict = {"sub": sign_in.sub}
    if sign_in.groups:
        claims["cognito:groups"] = list(sign_in.groups)
    claims["iss"] = pool.issuer
    if sign_in.oauth:
        claims["version"] = 2
    claims.update({
        "client_id": client.client_id,
        "origin_jti": sign_in.origin_jti,
        "event_id": sign_in.event_id,
        "token_use": "access",
        "scope": sign_in.scope,
        "auth_time": sign_in.auth_time,
        "exp": now + client.validity_seconds("AccessToken"),
        "iat": now,
        "jti": str(uuid.uuid4()),
        "username": sign_in.username,
    })
    return claims


def client_credentials_claims(pool: UserPool, client: AppClient, scope: str, now: int) -> dict:
    """The machine-to-machine access token of seed 001: sub and client_id are the client id."""
    return {
        "sub": client.client_id,
        "token_use": "access",
        "scope": scope,
        "auth_time": now,
        "iss": pool.issuer,
        "exp": now + client.validity_seconds("AccessToken"),
        "iat": now,
        "version": 2,
        "jti": str(uuid.uuid4()),
        "client_id": client.client_id,
    }


def at_hash(access_token: str) -> str:
    """OIDC at_hash: left half of SHA-256 of the access token, base64url."""
    return b64url(hashlib.sha256(access_token.encode("ascii")).digest()[:16])


class TokenSigner:
    """Signs claim sets with the pool's ID or access key and verifies the pool's own access tokens."""

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring

    def sign(self, pool_id: str, purpose: str, claims: dict) -> str:
        key = self.keyring.signing_key(pool_id, purpose)
        return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid, "alg": "RS256"})

    def user_tokens(self, pool: UserPool, client: AppClient, sign_in: SignIn, now: int,
                    with_id_token: bool = True) -> tuple[str, str | None]:
        access = self.sign(pool.id, "access", access_token_claims(pool, client, sign_in, now))
        if not with_id_token:
            return access, None
        hash_ = at_hash(access) if sign_in.oauth else None
        return access, self.sign(pool.id, "id", id_token_claims(pool, client, sign_in, now, hash_))

    def decode_own(self, pool: UserPool, token: str, purpose: str) -> dict:
        """Claims of a token this pool signed with its `purpose` key; raises jwt.PyJWTError otherwise.

        Times are not checked here: callers compare exp with the runtime's clock (tests move it)."""
        key = self.keyring.signing_key(pool.id, purpose)
        header = jwt.get_unverified_header(token)
        if header.get("kid") != key.kid:
            raise jwt.InvalidSignatureError(f"kid {header.get('kid')!r} is not the pool's {purpose} key")
        return jwt.decode(token, key.private_key.public_key(), algorithms=["RS256"], issuer=pool.issuer,
                          options={"verify_aud": False, "verify_exp": False, "verify_iat": False,
                                   "verify_nbf": False, "require": ["exp", "iat", "token_use"]})


def pool_id_of_unverified(token: str) -> str | None:
    """The pool id at the end of a token's `iss`, read without verifying (to find which keys to use)."""
    try:
        issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
    except jwt.PyJWTError:
        return None
    if not isinstance(issuer, str):
        return None
    return issuer.rstrip("/").rsplit("/", 1)[-1]
