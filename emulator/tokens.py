"""Cognito-shaped ID and access tokens: the claim sets (pure) and RS256 signing/verification."""

from __future__ import annotations

import binascii
import functools
import hashlib
import json
import re
import uuid
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from emulator.cognito.federated_users import identities_claim
from emulator.encoding import b64url, b64url_decode
from emulator.keys import Keyring, SigningKey
from emulator.model import AppClient, UserPool
from emulator.signing_process import SigningProcess
from emulator.signing_thread import SigningThread

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


class Unsigned(str):
    """A token whose claims are final and whose RS256 signature is computed later (`TokenSigner.deferred`):
    its text is the signing input and a marker, never a valid JWS, so one that escaped would fail loudly."""

    key: SigningKey
    signing_input: bytes

    def __new__(cls, key: SigningKey, signing_input: bytes) -> Unsigned:
        token = super().__new__(cls, signing_input.decode("ascii") + ".(signature pending)")
        token.key, token.signing_input = key, signing_input
        return token


# While set, `TokenSigner.sign` returns Unsigned tokens: the JSON API signs them once its store transaction has
# committed, so the two RSA signatures of a sign-in (most of its CPU) never hold the store's write lock that
# other threads and worker processes wait on.
_DEFERRING: ContextVar[bool] = ContextVar("deferring_signatures", default=False)
# Set by a request on the event loop (the JSON API, /oauth2/token) that signs its result's tokens itself
# (`TokenSigner.signed`), where the signing process can take them over.
_CALLER_SIGNS: ContextVar[bool] = ContextVar("caller_signs", default=False)


def signing_input(kid: str, claims: Mapping[str, Any]) -> bytes:
    """The JWS signing input of an RS256 token, byte for byte as PyJWT writes it (sorted header, compact JSON)."""
    header = json.dumps({"alg": "RS256", "kid": kid, "typ": "JWT"}, separators=(",", ":"), sort_keys=True)
    payload = json.dumps(claims, separators=(",", ":"))
    return f"{b64url(header.encode())}.{b64url(payload.encode())}".encode("ascii")


def _signed(key: SigningKey, data: bytes) -> str:
    return _jws(data, key.private_key.sign(data, padding.PKCS1v15(), hashes.SHA256()))


def _jws(signing_input: bytes, signature: bytes) -> str:
    return f"{signing_input.decode('ascii')}.{b64url(signature)}"


class TokenSigner:
    """Signs claim sets with the pool's ID or access key and verifies the pool's own access tokens."""

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring
        self.process = SigningProcess()  # signs while requests overlap (`signed`)
        self.thread = SigningThread()  # signs half of a lone request's tokens (`signed`)

    def sign(self, pool_id: str, purpose: str, claims: dict) -> str:
        """The token, or an Unsigned one while `deferred()` is in force."""
        key = self.keyring.signing_key(pool_id, purpose)
        data = signing_input(key.kid, claims)
        return Unsigned(key, data) if _DEFERRING.get() else _signed(key, data)

    @staticmethod
    def finish(token: str) -> str:
        """The token signed now if it was deferred (a hash over its bytes needs them: at_hash)."""
        return _signed(token.key, token.signing_input) if isinstance(token, Unsigned) else token

    @staticmethod
    def deferred() -> AbstractContextManager[None]:
        """Tokens minted inside are Unsigned until `complete` or `signed` signs them."""
        return _set_inside(_DEFERRING)

    @staticmethod
    def signed_by_caller() -> AbstractContextManager[None]:
        """Inside, `complete` leaves tokens Unsigned: the request (on the event loop) awaits `signed` instead."""
        return _set_inside(_CALLER_SIGNS)

    @staticmethod
    def pending(value: Any) -> bool:
        """Whether `value` (an API result) holds Unsigned tokens."""
        return bool(_unsigned_in(value))

    def complete(self, value: Any) -> Any:
        """`value` (an API result: dicts and lists) with every Unsigned token in it signed; left as it is inside
        `signed_by_caller()`."""
        return value if _CALLER_SIGNS.get() else _signed_here(value, _unsigned_in(value))

    async def signed(self, value: Any, overlapping: bool) -> Any:
        """`value` with every Unsigned token in it signed: by the signing process while other requests are in
        progress (`overlapping`), the event loop serving them meanwhile; else here, half of them on the signing
        thread, which is quicker for a lone request than a round trip to that process."""
        tokens = _unsigned_in(value)
        if not tokens:
            return value
        if overlapping and self.process.ready():
            try:
                signatures = await self.process.sign([(t.key.kid, t.key.private_key, t.signing_input)
                                                       for t in tokens])
                return _replaced(value, (_jws(t.signing_input, s) for t, s in zip(tokens, signatures, strict=True)))
            except ConnectionError:
                pass  # it stopped (and said so in the log): sign here
        return _replaced(value, iter(self.thread.map(_signed_token, tokens)))

    def close(self) -> None:
        """Stop the signing process and thread (the server has stopped)."""
        self.process.close()
        self.thread.close()

    def decode_own(self, pool: UserPool, token: str | UnverifiedToken | None, purpose: str) -> dict:
        """Claims of a token this pool signed with its `purpose` key (as sent, or as `read_unverified` parsed it);
        raises jwt.PyJWTError otherwise.

        Times are not checked here: callers compare exp with the runtime's clock (tests move it)."""
        key = self.keyring.signing_key(pool.id, purpose)
        parsed = read_unverified(token) if isinstance(token, str) else token
        if parsed is None:
            raise jwt.DecodeError("the token is not a JWS (three base64url segments, the first two JSON objects)")
        header, claims = parsed.header, parsed.claims
        if header.get("alg") != "RS256":
            raise jwt.InvalidAlgorithmError(f"alg {header.get('alg')!r} is not RS256, which the pool signs with")
        if header.get("kid") != key.kid:
            raise jwt.InvalidSignatureError(f"kid {header.get('kid')!r} is not the pool's {purpose} key")
        if not own_signature_verifies(key, parsed.signing_input, parsed.signature):
            raise jwt.InvalidSignatureError("Signature verification failed")
        for name in ("exp", "iat", "token_use", "iss"):
            if name not in claims:
                raise jwt.MissingRequiredClaimError(name)
        if claims["iss"] != pool.issuer:
            raise jwt.InvalidIssuerError(f"iss {claims['iss']!r} is not the pool's issuer {pool.issuer}")
        return claims


@contextmanager
def _set_inside(flag: ContextVar[bool]) -> Iterator[None]:
    reset = flag.set(True)
    try:
        yield
    finally:
        flag.reset(reset)


def _unsigned_in(value: Any) -> list[Unsigned]:
    """The Unsigned tokens in `value`, in the order `_replaced` visits them."""
    if isinstance(value, Unsigned):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _unsigned_in(v)]
    if isinstance(value, list):
        return [t for v in value for t in _unsigned_in(v)]
    return []


def _signed_here(value: Any, tokens: list[Unsigned]) -> Any:
    return _replaced(value, map(_signed_token, tokens)) if tokens else value


def _signed_token(token: Unsigned) -> str:
    return _signed(token.key, token.signing_input)


def _replaced(value: Any, texts: Iterator[str]) -> Any:
    """`value` with its Unsigned tokens replaced by `texts`, in `_unsigned_in`'s order."""
    if isinstance(value, Unsigned):
        return next(texts)
    if isinstance(value, dict):
        return {k: _replaced(v, texts) for k, v in value.items()}
    if isinstance(value, list):
        return [_replaced(v, texts) for v in value]
    return value


# Verdicts of own-token signature checks, at most this many (a token's signing input is a kilobyte or two).
OWN_SIGNATURE_MEMO_SIZE = 1024


@functools.lru_cache(maxsize=OWN_SIGNATURE_MEMO_SIZE)
def own_signature_verifies(key: SigningKey, signing_input: bytes, signature: bytes) -> bool:
    """Whether `signature` is `key`'s RS256 signature over `signing_input`. Memoised, a pure fact about these
    bytes and this key (as the gateway's verdicts are): the same access token presented again (GetUser after
    GetUser) skips the RSA arithmetic; everything else about it is checked on every call."""
    try:
        key.public_key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


# What a JWS compact segment may hold. PyJWT checks this a character at a time in Python (a third of a
# millisecond per access token); one regular expression, linear in the token, does it in microseconds.
_SEGMENT = re.compile(r"[A-Za-z0-9_-]*")


@dataclass(frozen=True)
class UnverifiedToken:
    """A JWS split and decoded; nothing in it is believed before its signature is checked."""

    header: dict
    claims: dict
    signing_input: bytes
    signature: bytes


def read_unverified(token: str) -> UnverifiedToken | None:
    """The token's parts, or None when it is not a compact JWS whose header and payload are JSON objects."""
    parts = token.split(".", 3)
    if len(parts) != 3 or not all(_SEGMENT.fullmatch(part) for part in parts):
        return None
    try:
        header = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
        signature = b64url_decode(parts[2])
    except (ValueError, binascii.Error, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return None
    return UnverifiedToken(header, claims, f"{parts[0]}.{parts[1]}".encode("ascii"), signature)


def pool_id_of_unverified(token: str | UnverifiedToken | None) -> str | None:
    """The pool id at the end of a token's `iss`, read without verifying (to find which keys to use)."""
    parsed = read_unverified(token) if isinstance(token, str) else token
    issuer = parsed.claims.get("iss") if parsed else None
    if not isinstance(issuer, str):
        return None
    return issuer.rstrip("/").rsplit("/", 1)[-1]
