"""Where the CLI finds the local pools' issuers and keys: a running emulator, or its state directory."""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from emulator.keys import PURPOSES, SigningKey
from emulator.model import pool_issuer
from emulator.state import Kind


@dataclass
class LocalPools:
    """issuer -> pool id, pool id -> JWKS, the emulator's time, and where they came from."""

    issuers: dict[str, str] = field(default_factory=dict)
    jwks: dict[str, dict[str, Any]] = field(default_factory=dict)
    now: float = field(default_factory=time.time)
    source: str = "nothing"


def from_endpoint(endpoint: str) -> LocalPools:
    """Ask a running emulator (its clock too: a test may have moved it). Raises httpx.HTTPError."""
    base = endpoint.rstrip("/")
    with httpx.Client(base_url=base, timeout=5) as http:
        found = LocalPools(source=f"the emulator at {base}")
        for pool_id in http.get("/_emulator/health").raise_for_status().json().get("pools", []):
            issuer = http.get(f"/{pool_id}/.well-known/openid-configuration").json()["issuer"]
            found.issuers[issuer.rstrip("/")] = pool_id
            found.jwks[pool_id] = http.get(f"/{pool_id}/.well-known/jwks.json").json()
        clock = http.get("/_emulator/clock")
        if clock.status_code == 200:
            found.now = clock.json()["now"]
    return found


def from_state_dir(state_dir: Path) -> LocalPools:
    """Read a state directory (read-only: a running emulator may hold it). Raises sqlite3.Error, OSError."""
    path = Path(state_dir) / "state.sqlite3"
    if not path.is_file():
        raise OSError(f"{path} does not exist")
    found = LocalPools(source=f"the state directory {state_dir}")
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        pools = db.execute("SELECT key, data FROM records WHERE kind=?", (str(Kind.POOL),)).fetchall()
        for pool_id, data in pools:
            record = json.loads(data)
            region = record.get("Region") or pool_id.split("_", 1)[0]
            found.issuers[pool_issuer(pool_id, region, record.get("Issuer"))] = pool_id
            row = db.execute("SELECT data FROM records WHERE kind=? AND scope=? AND key='rsa'",
                             (str(Kind.KEYS), pool_id)).fetchone()
            if row:
                stored = json.loads(row[0])
                found.jwks[pool_id] = {"keys": [public_jwk(stored[p]) for p in PURPOSES if p in stored]}
    finally:
        db.close()
    return found


def public_jwk(entry: dict[str, str]) -> dict[str, str]:
    from cryptography.hazmat.primitives import serialization

    return SigningKey(entry["kid"], serialization.load_pem_private_key(entry["pem"].encode(), None)).jwk()
