"""Emulator-only endpoints under /_emulator/: the codes the emulator 'sent', a reset to the config (also at moto's
`POST /moto-api/reset`), and the test-control API (control_endpoints.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from emulator.cognito import codes, control_endpoints
from emulator.cognito.emulator_access import MOTO_RESET
from emulator.cognito.users import lookup_user
from emulator.companion import dashboard
from emulator.decisions import REASON_HEADER, header_safe
from emulator.runtime import Runtime


def _shown(code: dict[str, Any]) -> dict[str, Any]:
    keys = ("pool_id", "username", "purpose", "code", "medium", "attribute", "address", "destination", "sent_at",
            "expires", "used", "expired", "message", "subject", "sender")
    return {k: code[k] for k in keys if k in code}


def _not_found(reason: str) -> JSONResponse:
    return JSONResponse({"message": reason}, status_code=404, headers={REASON_HEADER: header_safe(reason)})




def reset_to_config(rt: Runtime, outbox: control_endpoints.Outbox, clock: bool = True) -> dict[str, Any]:
    """Forget everything that happened at run time and re-seed from the config (signing keys are kept,
    so tokens a client still holds verify but name users that may be gone); the clock back to real time."""
    with rt.store.transaction():
        kept = {p.id: rt.store.get("keys", p.id, "rsa") for p in rt.store.pools()}
        rt.store.reset()
        for pool_id, keys in kept.items():
            if keys:
                rt.store.put("keys", pool_id, "rsa", keys)
    if clock:
        rt.clock.reset()
    rt.seed()
    rt.decisions.clear()
    outbox.forget()
    return {"status": "reset", "pools": [p.id for p in rt.store.pools()]}


def build_router(rt: Runtime) -> APIRouter:
    """GET /_emulator/codes, GET /_emulator/codes/latest, POST /_emulator/reset, POST /moto-api/reset and the
    test-control routes."""
    outer = APIRouter()
    router = APIRouter(prefix="/_emulator")
    outbox = control_endpoints.Outbox()

    def resolve(pool_id: str | None, username: str | None) -> tuple[str | None, str | None] | JSONResponse:
        """The stored username for a username, e-mail/phone sign-in name, alias or sub."""
        if pool_id is None:
            return None, username
        pool = rt.store.pool(pool_id)
        if pool is None:
            return _not_found(f"no user pool '{pool_id}'")
        if username is None:
            return pool_id, None
        user = lookup_user(rt, pool, username)
        return pool_id, user.username if user else username

    @router.get("/codes")
    def list_codes(pool_id: str | None = None, username: str | None = None,
                   purpose: str | None = None) -> Any:
        """Codes sent (newest first): confirmation, forgot-password, verification, MFA, invitations."""
        resolved = resolve(pool_id, username)
        if isinstance(resolved, JSONResponse):
            return resolved
        found = codes.codes_sent(rt, *resolved)
        if purpose:
            found = [c for c in found if c["purpose"] == purpose]
        return {"codes": [_shown(c) for c in found]}

    @router.get("/codes/latest")
    def latest(pool_id: str, username: str, purpose: str | None = None) -> Any:
        """The newest code sent to one user (optionally for one purpose)."""
        resolved = resolve(pool_id, username)
        if isinstance(resolved, JSONResponse):
            return resolved
        code = codes.latest_code(rt, pool_id, resolved[1] or username, purpose)
        if code is None:
            what = f"{purpose} code" if purpose else "code"
            return _not_found(f"no {what} was sent to '{username}' in pool {pool_id}")
        return _shown({**code, "expired": code["expires"] <= rt.clock()})

    @router.post("/reset")
    def reset(body: dict[str, Any] | None = None) -> Any:
        """{"clock": false} keeps the clock where a test put it."""
        keep_clock = isinstance(body, dict) and body.get("clock") is False
        return reset_to_config(rt, outbox, clock=not keep_clock)

    @outer.post(MOTO_RESET)
    def moto_reset() -> dict[str, Any]:
        return reset_to_config(rt, outbox)

    outer.include_router(router)
    outer.include_router(control_endpoints.build_router(rt, outbox))
    outer.include_router(dashboard.build_router(rt))
    return outer
