"""What a token is (pure): header, claims, which local pool and key signed it, and whether it is valid now."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from emulator.gateway.jwks import KeySet
from emulator.gateway.token_verification import ParsedToken, TokenProblem, check_times, read_token, verify


def utc(epoch: Any) -> str | None:
    if isinstance(epoch, bool) or not isinstance(epoch, int | float):
        return None
    try:
        moment = datetime.datetime.fromtimestamp(epoch, datetime.UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def pool_of(claims: Mapping[str, Any], issuers: Mapping[str, str]) -> str | None:
    """The local pool whose issuer is the token's iss (`issuers`: issuer -> pool id)."""
    iss = claims.get("iss")
    return issuers.get(iss.rstrip("/")) if isinstance(iss, str) else None


def key_named(kid: Any, jwks: Mapping[str, Any] | None) -> tuple[int, dict] | None:
    """(index, JWK) of the key with this kid in a pool's JWKS (index 0 signs ID tokens, 1 access tokens)."""
    for index, key in enumerate((jwks or {}).get("keys", [])):
        if key.get("kid") == kid:
            return index, key
    return None


KEY_PURPOSES = ("ID-token key", "access-token key")


def report(raw: str, issuers: Mapping[str, str], jwks_by_pool: Mapping[str, Mapping[str, Any]],
           now: float) -> dict[str, Any]:
    """Everything `cognito-emulator decode` and the dashboard's token box show about one token."""
    token = read_token(raw.strip())
    if token is None or isinstance(token, TokenProblem):
        return {"ok": False, "problem": token.reason if token else "no token given"}
    assert isinstance(token, ParsedToken)
    claims = token.claims
    out: dict[str, Any] = {"ok": True, "header": token.header, "claims": claims,
                           "times": {k: utc(claims.get(k)) for k in ("iat", "auth_time", "exp") if k in claims}}
    pool_id = pool_of(claims, issuers)
    out["pool"] = pool_id
    if pool_id is None:
        out["signature"] = f"not checked: iss {claims.get('iss')!r} is no local pool's issuer"
    else:
        jwks = jwks_by_pool.get(pool_id)
        found = key_named(token.kid, jwks)
        out["key"] = None if found is None else f"{KEY_PURPOSES[found[0]] if found[0] < 2 else 'key'} {token.kid}"
        try:
            verify(token, KeySet(claims["iss"], dict(jwks) if jwks else None, "local pool",
                                 None if jwks else "the pool's keys could not be read"), "decode")
            out["signature"] = "valid"
        except TokenProblem as problem:
            out["signature"] = f"invalid: {problem.reason}"
    try:
        check_times(claims, now)
        out["valid_now"] = out.get("signature") == "valid"
        out["time"] = "within iat..exp"
    except TokenProblem as problem:
        out["valid_now"] = False
        out["time"] = problem.reason
    out["now"] = utc(now)
    return out
