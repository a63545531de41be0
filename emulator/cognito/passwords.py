"""Password storage (a salted hash for password flows, an SRP verifier for SRP) and the pool's policy."""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import re

from emulator.cognito import srp
from emulator.model import PasswordPolicy
from emulator.state import UserRecord

# A low PBKDF2 cost: this store lives on a laptop or in CI, and sign-in speed matters more
# here than resistance to offline cracking.
ITERATIONS = 1000
SYMBOLS = re.compile(r"[\^$*.\[\]{}()?\"!@#%&/\\,><':;|_~`=+\- ]")


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, ITERATIONS)
    return f"pbkdf2-sha256${ITERATIONS}${salt.hex()}${digest.hex()}"


def password_matches(stored: str | None, password: str) -> bool:
    """Whether `password` is the one `stored` was hashed from."""
    if not stored:
        return False
    try:
        _, iterations, salt, digest = stored.split("$")
        candidate = _derived(password, bytes.fromhex(salt), int(iterations))
    except ValueError:
        return False
    return hmac.compare_digest(candidate.hex(), digest)


@functools.lru_cache(maxsize=4096)
def _derived(password: str, salt: bytes, iterations: int) -> bytes:
    # A pure function, a sixth of a sign-in's CPU: a test suite signs the same users in again and again.
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)


def set_password(user: UserRecord, pool_id: str, password: str) -> None:
    """Store both forms of a new password on the user record."""
    user.password_hash = hash_password(password)
    user.srp_salt = srp.new_salt()
    user.srp_verifier = srp.to_hex(srp.password_verifier(pool_id, user.username, password, user.srp_salt))


def policy_violation(policy: PasswordPolicy, password: str) -> str | None:
    """AWS's InvalidPasswordException text for the first rule the password breaks, or None."""
    if len(password) < policy.minimum_length:
        return "Password did not conform with policy: Password not long enough"
    if policy.require_lowercase and not re.search(r"[a-z]", password):
        return "Password did not conform with policy: Password must have lowercase characters"
    if policy.require_uppercase and not re.search(r"[A-Z]", password):
        return "Password did not conform with policy: Password must have uppercase characters"
    if policy.require_numbers and not re.search(r"[0-9]", password):
        return "Password did not conform with policy: Password must have numeric characters"
    if policy.require_symbols and not SYMBOLS.search(password):
        return "Password did not conform with policy: Password must have symbol characters"
    return None
