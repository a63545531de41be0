"""PKCE (RFC 7636) as Cognito supports it: S256 only (pure)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

# RFC 7636 §4.1/§4.2: 43-128 characters of the unreserved set.
PKCE_VALUE = re.compile(r"[A-Za-z0-9\-._~]{43,128}")


def s256(verifier: str) -> str:
    """BASE64URL(SHA256(ASCII(code_verifier))) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def challenge_problem(challenge: str | None, method: str | None) -> str | None:
    """Why an authorize request's PKCE parameters are refused, or None (also None without PKCE)."""
    if challenge is None and method is None:
        return None
    if challenge is None:
        return "code_challenge_method is given without code_challenge"
    if method is None:
        return "code_challenge is given without code_challenge_method (Cognito needs code_challenge_method=S256)"
    if method != "S256":
        return f"code_challenge_method {method[:20]!r} is not supported; Cognito supports only S256"
    if not PKCE_VALUE.fullmatch(challenge):
        return "code_challenge must be 43-128 characters of A-Z a-z 0-9 - . _ ~ (BASE64URL of a SHA-256 digest)"
    return None


def verifier_problem(challenge: str, verifier: str | None) -> str | None:
    """Why a code_verifier does not prove the code's challenge, or None when it does."""
    if not verifier:
        return "the code was issued with a code_challenge, so the token request needs code_verifier"
    if not PKCE_VALUE.fullmatch(verifier):
        return "code_verifier must be 43-128 characters of A-Z a-z 0-9 - . _ ~"
    if not hmac.compare_digest(s256(verifier), challenge):
        return "BASE64URL(SHA256(code_verifier)) does not equal the code_challenge of the authorize request"
    return None
