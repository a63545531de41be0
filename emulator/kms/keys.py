"""The local KMS's symmetric keys: one 256-bit AES key per key ARN, made on first use and kept in the store
(so a code encrypted before a restart still decrypts after it), and the ciphertext blobs they make.

Keys are also held in memory: a custom sender trigger calls KMS Decrypt over HTTP while the Cognito operation
that invoked it still holds the store, so decryption must not wait for the store."""

from __future__ import annotations

import base64
import json
import os
import re
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from emulator.state import Kind, Store

KIND = Kind.KMS_KEY
SCOPE = ""
# arn:aws:kms:<region>:<account>:key/<key id> and …:alias/<name> (KMS's ARN forms).
KEY_ARN = re.compile(r"(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:)key/([A-Za-z0-9-]{1,128})")
ALIAS_ARN = re.compile(r"(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:)alias/([A-Za-z0-9/_-]{1,256})")
# The local blob: version, the key ARN's length and the key ARN, a 12-byte nonce, AES-GCM ciphertext and tag.
# Real KMS blobs are opaque too; only this KMS reads these.
BLOB_VERSION = 1
NONCE_BYTES = 12


class CiphertextError(ValueError):
    """A blob this KMS cannot decrypt (not one of its blobs, an unknown key, or a different encryption context)."""


@dataclass(frozen=True)
class LocalKey:
    arn: str
    material: bytes

    @property
    def key_id(self) -> str:
        return self.arn.rsplit("/", 1)[-1]


def key_arn_of(reference: str) -> str | None:
    """The key ARN a KMSKeyID names: a key ARN itself, or for an alias ARN a key ARN derived from it (the
    alias always names the same local key). None when `reference` is neither."""
    if KEY_ARN.fullmatch(reference):
        return reference
    alias = ALIAS_ARN.fullmatch(reference)
    if alias:
        return f"{alias.group(1)}key/{uuid.uuid5(uuid.NAMESPACE_URL, reference)}"
    return None


def context_bytes(context: Mapping[str, str] | None) -> bytes:
    """The encryption context as the blob's additional authenticated data (order-independent)."""
    return json.dumps(dict(context or {}), sort_keys=True, separators=(",", ":")).encode()


def seal(key: LocalKey, plaintext: bytes, context: Mapping[str, str] | None) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    arn = key.arn.encode()
    return (bytes([BLOB_VERSION]) + len(arn).to_bytes(2, "big") + arn + nonce
            + AESGCM(key.material).encrypt(nonce, plaintext, context_bytes(context)))


def blob_key_arn(blob: bytes) -> str:
    """The key ARN a blob names (CiphertextError when it is not one of this KMS's blobs)."""
    if len(blob) < 3 or blob[0] != BLOB_VERSION:
        raise CiphertextError("the ciphertext is not one this local KMS made")
    size = int.from_bytes(blob[1:3], "big")
    arn = blob[3:3 + size].decode("utf-8", "replace")
    if len(blob) < 3 + size + NONCE_BYTES + 16 or not KEY_ARN.fullmatch(arn):
        raise CiphertextError("the ciphertext is not one this local KMS made")
    return arn


def unseal(key: LocalKey, blob: bytes, context: Mapping[str, str] | None) -> bytes:
    start = 3 + len(key.arn.encode())
    nonce, sealed = blob[start:start + NONCE_BYTES], blob[start + NONCE_BYTES:]
    try:
        return AESGCM(key.material).decrypt(nonce, sealed, context_bytes(context))
    except InvalidTag:
        raise CiphertextError("the ciphertext does not decrypt under its key with this encryption context (the "
                              "EncryptionContext must be the one it was encrypted with)") from None


class LocalKms:
    """The keys: made for the KMSKeyIDs pools name, found by key ARN, key id or alias ARN."""

    def __init__(self, store: Store, declared: Callable[[], Iterable[str]] = tuple) -> None:
        self.store = store
        self.declared = declared  # the KMSKeyIDs the config's pools name (read without the store)
        self._keys: dict[str, LocalKey] = {}
        self._lock = threading.Lock()

    def ensure(self, reference: str) -> LocalKey:
        """The key a pool's KMSKeyID names, made (and stored) if it is new. Reads the store: call it from an
        operation (never from the KMS API, which must not wait for the store)."""
        arn = key_arn_of(reference)
        if arn is None:
            raise ValueError(f"{reference!r} is not a KMS key ARN or alias ARN")
        found = self._stored(arn)
        if found is not None:
            return found
        # Kept in memory but not in the store (the store was reset): stored again, so it outlives a restart.
        key = self._cached(arn) or LocalKey(arn, AESGCM.generate_key(bit_length=256))
        self.store.put(KIND, SCOPE, arn, {"arn": arn, "material": base64.b64encode(key.material).decode()})
        with self._lock:
            return self._keys.setdefault(arn, key)

    def find(self, reference: str) -> LocalKey | None:
        """The key a KeyId names (key ARN, alias ARN or bare key id), or None when this KMS has no such key."""
        arn = key_arn_of(reference)
        if arn is None:
            arn = next((a for a in self._known_arns() if a.rsplit("/", 1)[-1] == reference), None)
            if arn is None:
                return None
        found = self._cached(arn) or self._stored(arn)
        if found is None and arn in {key_arn_of(r) for r in self.declared()}:
            found = self.ensure(arn)
        return found

    def encrypt(self, key: LocalKey, plaintext: bytes, context: Mapping[str, str] | None = None) -> bytes:
        return seal(key, plaintext, context)

    def decrypt(self, blob: bytes, context: Mapping[str, str] | None = None) -> tuple[LocalKey, bytes]:
        """(the key, the plaintext) of a blob; CiphertextError when it cannot be decrypted."""
        arn = blob_key_arn(blob)
        key = self.find(arn)
        if key is None:
            raise CiphertextError(f"the ciphertext names key {arn}, which this local KMS does not have")
        return key, unseal(key, blob, context)

    def _cached(self, arn: str) -> LocalKey | None:
        with self._lock:
            return self._keys.get(arn)

    def _stored(self, arn: str) -> LocalKey | None:
        record = self.store.get(KIND, SCOPE, arn)
        if record is None:
            return None
        key = LocalKey(arn, base64.b64decode(record["material"]))
        with self._lock:
            return self._keys.setdefault(arn, key)

    def _known_arns(self) -> list[str]:
        with self._lock:
            cached = list(self._keys)
        declared = [a for a in (key_arn_of(r) for r in self.declared()) if a]
        return [*cached, *declared, *(key for key, _ in self.store.records(KIND, SCOPE))]
