"""Per-pool RSA signing keys (one for ID tokens, one for access tokens), persisted, and the JWKS.

New pools' keys are made in the background (key_supply.py) and stored at their first use, before any token or
JWKS made with them leaves the process."""

from __future__ import annotations

import base64
import hashlib
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from emulator.blocking import may_block
from emulator.key_supply import KeySupply
from emulator.state import Store

PURPOSES = ("id", "access")


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey

    @cached_property
    def public_key(self) -> rsa.RSAPublicKey:
        """Derived once: every verification of an own token uses it."""
        return self.private_key.public_key()

    def jwk(self) -> dict[str, str]:
        numbers = self.private_key.public_key().public_numbers()
        return {"alg": "RS256", "e": _b64url_uint(numbers.e), "kid": self.kid, "kty": "RSA",
                "n": _b64url_uint(numbers.n), "use": "sig"}


def _kid(key: rsa.RSAPrivateKey) -> str:
    der = key.public_key().public_bytes(serialization.Encoding.DER,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)
    # Cognito's kids are 44-character base64 strings; a digest of the key gives the same look
    # and makes kids differ between pools because keys do.
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


def new_signing_key() -> SigningKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return SigningKey(_kid(key), key)


def key_supply() -> KeySupply[SigningKey]:
    """A supply of fresh signing keys (new_signing_key looked up at each call: benches wrap it)."""
    return KeySupply(lambda: new_signing_key())


def stored_signing_key(kid: str, pem: str) -> SigningKey:
    """A key this emulator made and stored. OpenSSL's consistency check of an RSA key costs ~35 ms; a key whose
    kid is still the digest of its public key is the one stored, and one that is not gets the full check."""
    key = serialization.load_pem_private_key(pem.encode(), None, unsafe_skip_rsa_key_validation=True)
    if not isinstance(key, rsa.RSAPrivateKey) or _kid(key) != kid:
        key = serialization.load_pem_private_key(pem.encode(), None)
    return SigningKey(kid, key)  # type: ignore[arg-type]


class Keyring:
    """Loads each pool's keys from the store (creating them once), keeping parsed keys in memory."""

    def __init__(self, store: Store, supply: KeySupply[SigningKey] | None = None) -> None:
        self._store = store
        self._supply = supply or key_supply()  # cli.py starts one before the server's imports
        self._prepared: set[str] = set()
        self._cache: dict[str, dict[str, SigningKey]] = {}
        self._jwks: dict[str, dict[str, list[dict[str, str]]]] = {}
        self._lock = threading.Lock()

    def keys(self, pool_id: str) -> dict[str, SigningKey]:
        cached = self._cache.get(pool_id)
        if cached is not None:
            return cached
        may_block()  # reading (or making) a pool's keys takes milliseconds (a second): not on the event loop
        with self._lock:
            if pool_id not in self._cache:
                self._cache[pool_id] = self._load_or_create(pool_id)
            return self._cache[pool_id]

    def signing_key(self, pool_id: str, purpose: str) -> SigningKey:
        return self.keys(pool_id)[purpose]

    def jwks(self, pool_id: str) -> dict[str, list[dict[str, str]]]:
        # Keys never change once made, so the JWKS is built once per pool (the gateway reads it per request).
        cached = self._jwks.get(pool_id)
        if cached is None:
            cached = self._jwks[pool_id] = {"keys": [self.keys(pool_id)[p].jwk() for p in PURPOSES]}
        return cached

    def prepare(self, pool_ids: Iterable[str]) -> None:
        """Start making the keys of those pools the store has none for, in the background (taken at first use)."""
        missing = [pool_id for pool_id in pool_ids
                   if pool_id not in self._cache and pool_id not in self._prepared
                   and not self._store.get("keys", pool_id, "rsa")]
        self._prepared.update(missing)
        self._supply.order(len(PURPOSES) * len(missing))

    def drain(self) -> None:
        """Store the keys of every prepared pool now and stop the background work (before forking workers, which
        must find them in the store, and before closing)."""
        for pool_id in sorted(self._prepared):
            self.keys(pool_id)
        self._supply.drain()

    def close(self) -> None:
        """Stop making keys nobody took (the process or its runtime ends)."""
        self._supply.drain()

    def forget(self, pool_id: str) -> None:
        with self._lock:
            self._prepared.discard(pool_id)
            self._cache.pop(pool_id, None)
            self._jwks.pop(pool_id, None)

    def _load_or_create(self, pool_id: str) -> dict[str, SigningKey]:
        stored = self._store.get("keys", pool_id, "rsa")
        if not stored:
            # Made in the background when prepared; slow otherwise, and always outside the store's lock.
            keys = {purpose: self._supply.take() for purpose in PURPOSES}
            entries = {
                purpose: {
                    "kid": key.kid,
                    "pem": key.private_key.private_bytes(serialization.Encoding.PEM,
                                                         serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()).decode(),
                }
                for purpose, key in keys.items()
            }
            # Another worker process may have made this pool's keys meanwhile: the first stored wins, and every
            # process signs with what the store holds (the JWKS publishes that).
            with self._store.transaction():
                stored = self._store.get("keys", pool_id, "rsa")
                if not stored:
                    self._store.put("keys", pool_id, "rsa", entries)
                    return keys
        return {purpose: stored_signing_key(entry["kid"], entry["pem"]) for purpose, entry in stored.items()}
