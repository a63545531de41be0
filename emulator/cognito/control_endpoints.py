"""The test-control API under /_emulator/: the clock, users (confirm, status, revoke tokens), the outbox and
state snapshots, for tests in any language (Playwright, Jest, Go) that cannot reach the runtime in process.

Every state change is a JSON POST (emulator_access.py refuses anything else and every other site)."""

from __future__ import annotations

import datetime
import json
import os
from typing import Any

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse

from emulator.cognito import codes
from emulator.cognito.temporary_passwords import forget_temporary_password
from emulator.cognito.users import lookup_user, sign_out
from emulator.decisions import REASON_HEADER, header_safe
from emulator.runtime import Runtime
from emulator.state import Kind, UserRecord

# The statuses a test may put a user in (EXTERNAL_PROVIDER users come only from a federated sign-in).
SETTABLE_STATUSES = ("CONFIRMED", "UNCONFIRMED", "FORCE_CHANGE_PASSWORD", "RESET_REQUIRED")
CLOCK_ACTIONS = ("set", "advance", "freeze", "resume", "reset")
OUTBOX_FIELDS = ("pool_id", "username", "purpose", "code", "medium", "attribute", "address", "destination",
                 "sent_at", "expires", "expired", "used", "subject", "message")


class ControlError(Exception):
    """A control request that cannot be done: its HTTP status and the reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def refused(error: ControlError) -> JSONResponse:
    return JSONResponse({"message": error.reason}, status_code=error.status,
                        headers={REASON_HEADER: header_safe(error.reason)})


def clock_state(rt: Runtime) -> dict[str, Any]:
    now = rt.clock()
    iso = datetime.datetime.fromtimestamp(now, datetime.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return {"now": now, "iso": iso, "frozen": rt.clock.frozen}


def apply_clock(rt: Runtime, body: dict[str, Any]) -> None:
    """Clock actions from a JSON body, done in the order reset, freeze, set, advance, resume:
    {"set": epoch}, {"advance": s}, {"freeze": true}, {"resume": true}, {"reset": true}."""
    unknown = sorted(set(body) - set(CLOCK_ACTIONS))
    if unknown or not body:
        raise ControlError(400, f"the clock takes {', '.join(CLOCK_ACTIONS)}; got {', '.join(unknown) or 'nothing'}")
    for action in ("set", "advance"):
        value = body.get(action)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise ControlError(400, f"clock {action} takes a number of seconds, got {value!r}")
    if body.get("reset"):
        rt.clock.reset()
    if body.get("freeze"):  # before `set`, so a frozen clock reads exactly the epoch asked for
        rt.clock.freeze()
    if body.get("set") is not None:
        rt.clock.set(body["set"])
    if body.get("advance") is not None:
        rt.clock.advance(body["advance"])
    if body.get("resume"):
        rt.clock.resume()


def _user(rt: Runtime, body: dict[str, Any]) -> tuple[Any, UserRecord]:
    pool_id, username = body.get("pool_id"), body.get("username")
    if not isinstance(pool_id, str) or not isinstance(username, str):
        raise ControlError(400, "name the user with \"pool_id\" and \"username\" (strings)")
    pool = rt.store.pool(pool_id)
    if pool is None:
        raise ControlError(404, f"no user pool '{pool_id}'")
    user = lookup_user(rt, pool, username)
    if user is None:
        raise ControlError(404, f"no user '{username}' in pool {pool_id}")
    return pool, user


def _shown_user(user: UserRecord) -> dict[str, Any]:
    return {"pool_id": user.pool_id, "username": user.username, "sub": user.sub, "status": user.status,
            "enabled": user.enabled}


class Outbox:
    """Codes and messages 'sent'; clearing hides what was sent so far (the codes stay usable). What was cleared
    is kept in the store, so every worker process (--workers) hides the same; a reset forgets it."""

    @staticmethod
    def _identity(item: dict[str, Any]) -> str:
        return json.dumps([item.get(k) for k in ("pool_id", "username", "purpose", "code", "sent_at")])

    def messages(self, rt: Runtime, pool_id: str | None = None, username: str | None = None) -> list[dict[str, Any]]:
        found = codes.codes_sent(rt, pool_id, username)
        cleared = {key for _, key, _ in rt.store.items(Kind.OUTBOX_CLEARED, "")}
        return [{k: c[k] for k in OUTBOX_FIELDS if k in c} for c in found if self._identity(c) not in cleared]

    def clear(self, rt: Runtime) -> int:
        shown = self.messages(rt)
        with rt.store.transaction():
            for item in shown:
                rt.store.put(Kind.OUTBOX_CLEARED, "", self._identity(item), {})
        return len(shown)

    def forget(self) -> None:
        """Nothing to do: the store's reset dropped what was cleared."""


def build_router(rt: Runtime, outbox: Outbox) -> APIRouter:
    """/_emulator/clock, /_emulator/users/*, /_emulator/outbox, /_emulator/snapshots."""
    router = APIRouter(prefix="/_emulator")

    def snapshots() -> list[str]:
        return [key for _, key, _ in rt.store.items(Kind.SNAPSHOT, "")]

    @router.get("/clock")
    def get_clock() -> dict[str, Any]:
        return clock_state(rt)

    @router.get("/worker")
    def get_worker() -> dict[str, Any]:
        """Which process answered, of how many (--workers): tests that prove a fact holds across workers."""
        return {"pid": os.getpid(), "workers": rt.workers}

    @router.post("/clock")
    def post_clock(body: dict[str, Any] = Body(...)) -> Any:  # noqa: B008 - FastAPI's way to take a JSON body
        try:
            apply_clock(rt, body)
        except ControlError as error:
            return refused(error)
        return clock_state(rt)

    @router.post("/users/confirm")
    def confirm(body: dict[str, Any] = Body(...)) -> Any:  # noqa: B008
        """CONFIRMED without a code or a trigger (a temporary password no longer needs changing)."""
        try:
            with rt.store.transaction():
                pool, user = _user(rt, body)
                user.status = "CONFIRMED"
                forget_temporary_password(rt, pool, user.username)
                user.modified = rt.clock()
                rt.store.put_user(pool, user)
        except ControlError as error:
            return refused(error)
        return _shown_user(user)

    @router.post("/users/status")
    def set_status(body: dict[str, Any] = Body(...)) -> Any:  # noqa: B008
        """{"status": ...} and/or {"enabled": bool}."""
        try:
            with rt.store.transaction():
                pool, user = _user(rt, body)
                status, enabled = body.get("status"), body.get("enabled")
                if status is None and enabled is None:
                    raise ControlError(400, "give \"status\" or \"enabled\"")
                if status is not None and status not in SETTABLE_STATUSES:
                    raise ControlError(400, f"status {status!r} is not one of {', '.join(SETTABLE_STATUSES)}")
                if enabled is not None and not isinstance(enabled, bool):
                    raise ControlError(400, f"enabled takes true or false, got {enabled!r}")
                user.status = status or user.status
                user.enabled = user.enabled if enabled is None else enabled
                user.modified = rt.clock()
                rt.store.put_user(pool, user)
        except ControlError as error:
            return refused(error)
        return _shown_user(user)

    @router.post("/users/revoke-tokens")
    def revoke_tokens(body: dict[str, Any] = Body(...)) -> Any:  # noqa: B008
        """What AdminUserGlobalSignOut does: refresh tokens revoked, access tokens refused by cognito-idp.
        The gateway's authorizers, like AWS's, check only signature and times: advance the clock to expire."""
        try:
            with rt.store.transaction():
                pool, user = _user(rt, body)
                sign_out(rt, pool, user)
        except ControlError as error:
            return refused(error)
        return {**_shown_user(user), "revoked_at": rt.clock()}

    @router.get("/outbox")
    def read_outbox(pool_id: str | None = None, username: str | None = None) -> Any:
        if pool_id is not None and rt.store.pool(pool_id) is None:
            return refused(ControlError(404, f"no user pool '{pool_id}'"))
        if pool_id is not None and username is not None:
            user = lookup_user(rt, rt.store.pool(pool_id), username)  # type: ignore[arg-type]
            username = user.username if user else username
        return {"messages": outbox.messages(rt, pool_id, username)}

    @router.post("/outbox/clear")
    def clear_outbox(body: dict[str, Any] = Body(default={})) -> dict[str, Any]:  # noqa: B008
        return {"cleared": outbox.clear(rt)}

    @router.get("/snapshots")
    def list_snapshots() -> dict[str, Any]:
        return {"snapshots": snapshots()}

    @router.post("/snapshots")
    def take_snapshot(body: dict[str, Any] = Body(...)) -> Any:  # noqa: B008
        """{"name": ...}: every record (users, tokens, codes, sessions, keys) kept under that name (in the store, so
        every worker process sees it; emptied when the emulator starts)."""
        name = body.get("name")
        if not isinstance(name, str) or not name:
            return refused(ControlError(400, "a snapshot needs a \"name\" (a string)"))
        rows = rt.store.dump()
        rt.store.put(Kind.SNAPSHOT, "", name, rows)
        return {"name": name, "records": len(rows)}

    @router.post("/snapshots/restore")
    def restore_snapshot(body: dict[str, Any] = Body(...)) -> Any:  # noqa: B008
        name = body.get("name")
        rows = rt.store.get(Kind.SNAPSHOT, "", name) if isinstance(name, str) else None
        if rows is None:
            known = ", ".join(snapshots()) or "none taken"
            return refused(ControlError(404, f"no snapshot named {name!r} (snapshots: {known})"))
        rt.store.restore(rows)
        return {"name": name, "records": len(rows)}

    return router
