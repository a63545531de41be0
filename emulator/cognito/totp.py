"""RFC 6238 TOTP as authenticator apps (and Cognito) use it: HMAC-SHA1, 30-second steps, 6 digits.

The codes come from cryptography's HOTP (RFC 4226); this module adds the step window and the base32
secret handling. Pure functions over plain values: callers pass the time. The shared secret travels as
base32 (AssociateSoftwareToken's SecretCode), without "=" padding, in any letter case.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets

from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.hotp import HOTP

STEP_SECONDS = 30
DIGITS = 6
# A code of the previous or next step is accepted too (clock skew between phone and server),
# the window authenticator apps and pyotp's `valid_window=1` use.
WINDOW = 1
# 32 random bytes give the 52-character SecretCode AWS hands out.
SECRET_BYTES = 32


def new_secret() -> str:
    """A fresh shared secret as unpadded upper-case base32."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii").rstrip("=")


def secret_bytes(secret: str) -> bytes | None:
    """The key a base32 secret encodes (padding optional, case and spaces ignored); None if not base32."""
    text = "".join(secret.split()).upper().rstrip("=")
    if not text:
        return None
    try:
        return base64.b32decode(text + "=" * (-len(text) % 8))
    except (binascii.Error, ValueError):
        return None


def time_step(now: float) -> int:
    """The RFC 6238 counter for a moment: whole 30-second steps since the Unix epoch."""
    return int(now // STEP_SECONDS)


def code_at_step(key: bytes, step: int) -> str:
    """The 6-digit code of one step (RFC 4226 HOTP with the step as counter)."""
    # Seeded secrets may be shorter than the 128 bits RFC 4226 recommends; authenticator apps accept them.
    return HOTP(key, DIGITS, SHA1(), enforce_key_length=False).generate(step).decode("ascii")


def generate(secret: str, now: float) -> str:
    """The code an authenticator app shows at `now` for a base32 secret."""
    key = secret_bytes(secret)
    if key is None:
        raise ValueError("the secret is not base32")
    return code_at_step(key, time_step(now))


def matching_step(secret: str, code: str, now: float, window: int = WINDOW) -> int | None:
    """The step whose code equals `code` within ±`window` steps of `now`, or None.

    The step is returned so the caller can refuse a code that was already used once.
    """
    key = secret_bytes(secret)
    if key is None or len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return None
    current = time_step(now)
    for step in range(current - window, current + window + 1):
        if hmac.compare_digest(code_at_step(key, step), code):
            return step
    return None


def verify(secret: str, code: str, now: float, window: int = WINDOW) -> bool:
    """Whether `code` is the secret's code within ±`window` steps of `now`."""
    return matching_step(secret, code, now, window) is not None
