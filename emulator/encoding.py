"""Encodings used across the surfaces: base64url without padding, and the digests that key opaque tokens."""

from __future__ import annotations

import base64
import hashlib


def b64url(data: bytes) -> str:
    """Base64url without '=' padding (JWT segments, opaque tokens, at_hash)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(segment: str) -> bytes:
    """The bytes of a base64url string with or without padding; binascii.Error when it is not one."""
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def digest(token: str) -> str:
    """The store key of an opaque token: its SHA-256, so the store never holds the token itself."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()
