"""Ids that must be unique, never secret (request ids, trace ids, a Lambda invocation's id), from a private
random generator: os.urandom, which uuid4 reads, is a system call on every request. Private, so a test seeding the
random module cannot make ids repeat; reseeded in a forked worker, so workers never share a sequence."""

from __future__ import annotations

import os
import random
import uuid

_GENERATOR = random.Random()
os.register_at_fork(after_in_child=_GENERATOR.seed)


def random_bits(bits: int) -> int:
    """A non-negative int of `bits` random bits."""
    return _GENERATOR.getrandbits(bits)


def random_uuid4() -> uuid.UUID:
    """A version-4 UUID."""
    return uuid.UUID(int=_GENERATOR.getrandbits(128), version=4)
