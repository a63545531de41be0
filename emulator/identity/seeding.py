"""Applying the config's identity pools to the store at start (and on reset). A pool changed in the YAML since
the last start wins; an unchanged one keeps what happened at run time (roles set by SetIdentityPoolRoles)."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

from emulator.identity import records
from emulator.state import Kind

if TYPE_CHECKING:
    from emulator.runtime import Runtime


def seed_identity_pools(rt: Runtime) -> None:
    for pool in rt.config.identity_pools:
        fingerprint = hashlib.sha256(json.dumps(pool, sort_keys=True).encode()).hexdigest()
        if rt.store.get(Kind.SEED, "identity_pool", pool["IdentityPoolId"]) == fingerprint \
                and records.pool(rt.store, pool["IdentityPoolId"]) is not None:
            continue
        rt.store.put(Kind.SEED, "identity_pool", pool["IdentityPoolId"], fingerprint)
        records.put_pool(rt.store, dict(pool))
