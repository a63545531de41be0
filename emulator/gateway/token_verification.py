"""Parsing and verifying a JWT, shared by the JWT and Cognito authorizers. Pure: keys and time are given.

Parsing is our own so that a malformed token is refused with the texts API Gateway's Go JWT
library produces (segment count, base64 offset, JSON detail); keys and signatures are PyJWT's.
Nothing in the claims is believed before the signature has been checked.
"""

from __future__ import annotations

import base64
import functools
import json
import math
import re
import time
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt import PyJWK
from jwt.algorithms import RSAAlgorithm
from jwt.exceptions import InvalidKeyError, PyJWTError

from emulator.gateway.jwks import KeySet, kids_of
from emulator.gateway.verdicts import listed, shown

# Only RSA signatures pass (AWS: "Currently, only RSA-based algorithms are supported"). Anything
# else - "none", HS256 keyed with the public key (the classic key-confusion forgery), ES256 - is refused.
RSA_ALGORITHMS: dict[str, RSAAlgorithm] = {
    "RS256": RSAAlgorithm(RSAAlgorithm.SHA256),
    "RS384": RSAAlgorithm(RSAAlgorithm.SHA384),
    "RS512": RSAAlgorithm(RSAAlgorithm.SHA512),
}
REFUSED_ALGORITHMS = {
    "none": "an unsigned token (alg none) is never accepted",
    "hs256": "HMAC tokens are refused (an HS256 token keyed with the issuer's public key is the classic "
             "key-confusion forgery)",
}
# `exp` gets no leeway: accepting a token AWS already refuses is the dangerous direction. Future-dated
# `nbf` / `iat` get this much, because a remote issuer's clock may run slightly ahead of ours.
FUTURE_SKEW_SECONDS = 5

BEARER_PREFIX = re.compile(r"^bearer\s+", re.IGNORECASE)
B64URL = re.compile(r"[A-Za-z0-9_-]*={0,2}")


class TokenProblem(Exception):
    """A token check failed: `kind` keys JWT_DESCRIPTIONS, `reason` is the plain-words why."""

    def __init__(self, kind: str, reason: str, **details: Any) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason
        self.details = details


@dataclass(frozen=True)
class ParsedToken:
    """A JWT split and decoded, not yet verified."""

    header: dict
    claims: dict
    signing_input: bytes
    signature: bytes

    @property
    def alg(self) -> Any:
        return self.header.get("alg")

    @property
    def kid(self) -> Any:
        return self.header.get("kid")


def strip_bearer(value: str) -> str:
    """Both `<token>` and `Bearer <token>` are accepted (AWS docs); the scheme is case-insensitive."""
    return BEARER_PREFIX.sub("", value.strip(), count=1).strip()


def utc(epoch: float) -> str:
    """An epoch as a reason shows it; a date beyond what the platform can render is shown as the number."""
    try:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))
    except (OverflowError, OSError, ValueError):
        return f"{epoch:g}"


def b64url_decode(segment: str, offset: int) -> bytes:
    """Strict base64url (padding optional); a bad byte reports its offset in the token, as Go does."""
    if not B64URL.fullmatch(segment) or len(segment.rstrip("=")) % 4 == 1:
        bad = next((i for i, c in enumerate(segment) if not (c.isascii() and (c.isalnum() or c in "-_="))),
                   len(segment) - 1)
        raise TokenProblem("base64", f"token segment at character {offset} is not valid base64url",
                           offset=offset + max(bad, 0))
    return base64.urlsafe_b64decode(segment.rstrip("=") + "=" * (-len(segment.rstrip("=")) % 4))


def _no_constant(name: str) -> Any:
    # Python's json accepts NaN and Infinity; Go's (API Gateway's) does not, and a NaN exp would
    # compare false against every clock reading, i.e. never expire.
    raise json.JSONDecodeError("NaN and Infinity are not JSON", name, 0)


# Built once: json.loads with any option builds a new decoder per call.
GO_JSON = json.JSONDecoder(parse_constant=_no_constant)


def json_object(raw: bytes, what: str) -> dict:
    """A token segment's JSON object, or a TokenProblem worded as Go's encoding/json words it."""
    try:
        value = GO_JSON.decode(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise TokenProblem("json", f"token {what} is not UTF-8 text",
                           detail="invalid character looking for beginning of value") from exc
    except json.JSONDecodeError as exc:
        bad = exc.doc[exc.pos] if exc.pos < len(exc.doc) else ""
        detail = f"invalid character {bad!r} looking for beginning of value" if bad \
            else "unexpected end of JSON input"
        raise TokenProblem("json", f"token {what} is not JSON ({exc.msg})", detail=detail) from exc
    except (ValueError, RecursionError) as exc:  # an integer too long to convert, nesting too deep
        raise TokenProblem("json", f"token {what} is JSON this gateway cannot read ({type(exc).__name__})",
                           detail="invalid character looking for beginning of value") from exc
    if not isinstance(value, dict):
        raise TokenProblem("json", f"token {what} is JSON but not an object",
                           detail=f"json: cannot unmarshal {type(value).__name__} into a JWT {what}")
    return value


def parse_jwt(token: str) -> ParsedToken:
    """Split and decode `header.payload.signature`; raises TokenProblem on any malformation."""
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenProblem("segments", f"token has {len(parts)} dot-separated part(s); a JWT has 3 "
                                       "(header.payload.signature)")
    header_b64, payload_b64, signature_b64 = parts
    header = json_object(b64url_decode(header_b64, 0), "header")
    payload_offset = len(header_b64) + 1
    claims = json_object(b64url_decode(payload_b64, payload_offset), "payload")
    signature = b64url_decode(signature_b64, payload_offset + len(payload_b64) + 1)
    return ParsedToken(header, claims, f"{header_b64}.{payload_b64}".encode("ascii"), signature)


def read_token(raw: str | None) -> ParsedToken | TokenProblem | None:
    """The identity source's value parsed once per request: None when there is no token at all."""
    text = strip_bearer(raw) if raw else ""
    if not text:
        return None
    try:
        return parse_jwt(text)
    except TokenProblem as problem:
        return problem


def check_algorithm(token: ParsedToken, authorizer_name: str) -> RSAAlgorithm:
    """The token's RSA algorithm; any other alg (none, HS256, ES256 ...) is a TokenProblem."""
    alg = token.alg
    if alg is None:
        raise TokenProblem("no_alg", "token header has no alg")
    if not isinstance(alg, str) or alg not in RSA_ALGORITHMS:
        why = REFUSED_ALGORITHMS.get(str(alg).lower(), "")
        raise TokenProblem("alg", f"token alg {shown(alg)} is not RSA; authorizer '{authorizer_name}' "
                                  f"accepts only {', '.join(RSA_ALGORITHMS)}" + (f": {why}" if why else ""),
                           alg=str(alg)[:32])
    return RSA_ALGORITHMS[alg]


@functools.lru_cache(maxsize=256)
def rsa_key(n: str, e: str) -> RSAPublicKey:
    """The public key of an RSA JWK; memoised because building it costs more than verifying with it."""
    key = PyJWK({"kty": "RSA", "n": n, "e": e}).key
    if not isinstance(key, RSAPublicKey):
        raise InvalidKeyError("not an RSA public key")
    return key


def find_key(token: ParsedToken, key_set: KeySet) -> tuple[str, str]:
    """The (n, e) of the issuer's key the token's kid names; a missing, unknown or unusable key is a
    TokenProblem. Looked up on every request, so a key rotated out of the issuer's JWKS stops verifying."""
    if key_set.jwks is None:
        raise TokenProblem("keys_unavailable", f"no keys for issuer '{key_set.issuer}': {key_set.error}")
    kid = token.kid
    if kid is None:
        raise TokenProblem("kid", "token header has no kid, so no key of the issuer can be chosen")
    for jwk in key_set.jwks.get("keys", []):
        if isinstance(jwk, dict) and jwk.get("kid") == kid:
            where = f"key {shown(kid)} of issuer '{key_set.issuer}'"
            if jwk.get("kty") != "RSA" or not all(isinstance(jwk.get(p), str) for p in ("n", "e")):
                raise TokenProblem("kid", f"{where} is not an RSA key")
            try:
                rsa_key(jwk["n"], jwk["e"])
            except (PyJWTError, ValueError) as exc:
                raise TokenProblem("kid", f"{where} is unusable") from exc
            return jwk["n"], jwk["e"]
    raise TokenProblem("kid", f"token kid {shown(kid)} is not among the keys of issuer '{key_set.issuer}' "
                              f"({key_set.source}; kids {listed(kids_of(key_set.jwks))})")


# Verdicts of RSA signature checks, at most this many (a token's signing input is a kilobyte or two).
SIGNATURE_MEMO_SIZE = 1024


@functools.lru_cache(maxsize=SIGNATURE_MEMO_SIZE)
def signature_verifies(alg: str, n: str, e: str, signing_input: bytes, signature: bytes) -> bool:
    """Whether `signature` over `signing_input` verifies with RSA key (n, e) under `alg`. Memoised, as a pure
    fact about these bytes and this key: the same token presented again skips the RSA arithmetic, while its
    key (by kid, in the issuer's current JWKS) and its claims (exp, nbf, iat, iss, aud, scopes) are checked
    on every request."""
    return RSA_ALGORITHMS[alg].verify(signing_input, rsa_key(n, e), signature)


def verify(token: ParsedToken, key_set: KeySet, authorizer_name: str) -> None:
    """Check alg, pick the key by kid, check the signature; the claims are trustworthy afterwards."""
    check_algorithm(token, authorizer_name)
    n, e = find_key(token, key_set)
    if not signature_verifies(token.alg, n, e, token.signing_input, token.signature):
        raise TokenProblem("signature", f"token signature does not verify with key {shown(token.kid)} of "
                                        f"issuer '{key_set.issuer}': the header or payload was altered, or "
                                        "another key signed it")


def numeric(claims: dict, name: str) -> float | None:
    """A NumericDate claim, None when absent; any other type is a TokenProblem, never a crash."""
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise TokenProblem("json", f"token claim {name} is {shown(value)}, not a number",
                           detail=f"{name} is not a number")
    return float(value)


def check_times(claims: dict, now: float) -> None:
    """exp after now (required), nbf and iat not in the future (AWS docs: claim validation)."""
    exp = numeric(claims, "exp")
    if exp is None:
        raise TokenProblem("no_exp", "token has no exp claim")  # UNCONFIRMED: AWS lists exp as checked
    if exp <= now:
        raise TokenProblem("expired", f"token expired at {utc(exp)} ({int(now - exp)} s ago)")
    nbf = numeric(claims, "nbf")
    if nbf is not None and nbf > now + FUTURE_SKEW_SECONDS:
        raise TokenProblem("not_yet_valid", f"token nbf is {utc(nbf)}, {int(nbf - now)} s in the future")
    iat = numeric(claims, "iat")
    if iat is not None and iat > now + FUTURE_SKEW_SECONDS:
        raise TokenProblem("issued_in_future", f"token iat is {utc(iat)}, {int(iat - now)} s in the future")
