"""The decisions log: every rejection's plain-words reason, and every trigger call, logged and kept for
/_emulator/decisions."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from contextvars import ContextVar
from dataclasses import asdict, dataclass, replace

REASON_HEADER = "x-emulator-reason"

log = logging.getLogger("cognito_emulator")

# Set by request_log.RequestLog for the request being served: its refusal is then written in that request's one
# log line (a mutable dict, so a handler running in the thread pool fills the same one).
REQUEST_REFUSAL: ContextVar[dict | None] = ContextVar("request_refusal", default=None)


@dataclass(frozen=True)
class Decision:
    at: float
    component: str  # e.g. "cognito-idp InitiateAuth", "gateway mogemoge GET /mogemoge"
    error: str  # what the client saw, e.g. "InvalidParameterException: USER_PASSWORD_AUTH flow ..."
    reason: str  # why, in plain words
    details: dict | None = None  # a trigger call: the event sent and the response received (secrets masked)
    id: int = 0  # increasing: the dashboard asks for what came after the last one it showed
    request_id: str | None = None
    # A token refused: its claims (decoded, unverified) and the claim that did not match, e.g.
    # {"claim": "aud", "value": "piyopiyo", "expected": ["managedlogin01"]}.
    claims: dict | None = None
    mismatch: dict | None = None


class DecisionLog:
    """A bounded, thread-safe record of recent rejections; each is also logged as one line."""

    def __init__(self, size: int = 500) -> None:
        self._items: deque[Decision] = deque(maxlen=size)
        self._lock = threading.Lock()
        self._next = 1

    def _keep(self, decision: Decision) -> None:
        with self._lock:
            self._items.append(replace(decision, id=self._next))
            self._next += 1

    def reject(self, component: str, error: str, reason: str, *, request_id: str | None = None,
               claims: dict | None = None, mismatch: dict | None = None) -> None:
        self._keep(Decision(time.time(), component, error, reason, request_id=request_id, claims=claims,
                            mismatch=mismatch))
        pending = REQUEST_REFUSAL.get()
        if pending is not None and not pending:
            pending.update(component=component, error=error, reason=reason)  # logged with the request's line
            return
        log.warning("REJECT %s -> %s | why: %s", component, error, reason)

    def invocation(self, component: str, outcome: str, reason: str, details: dict) -> None:
        """A Lambda trigger call, kept and logged like a rejection (whatever its outcome)."""
        self._keep(Decision(time.time(), component, outcome, reason, details))
        log.info("LAMBDA %s -> %s | %s | %s", component, outcome, reason, json.dumps(details, default=str))

    def recent(self, limit: int = 100, after: int = 0) -> list[dict]:
        """The newest first; `after`: only those with a larger id (what a poller has not seen)."""
        with self._lock:
            items = [d for d in self._items if d.id > after][-limit:]
        return [asdict(d) for d in reversed(items)]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


HEADER_LIMIT = 1024  # characters of a header value that echoes client input


def header_safe(reason: str, limit: int = HEADER_LIMIT) -> str:
    """HTTP header values are latin-1 on one line; keep the reason readable within that, and short: a value
    the client sent can be megabytes, and clients refuse long header lines (http.client stops at 64 KiB,
    so botocore would report a closed connection instead of the error). The log keeps the whole text."""
    # Only the part that can be shown is processed, so a huge reason costs no more than a short one.
    head = reason[:limit * 4]
    flat = " ".join(head.split())
    # Control characters a client sent (NUL, DEL...) are shown escaped: uvicorn refuses to send them.
    printable = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in flat)
    safe = printable.encode("latin-1", "replace").decode("latin-1")
    if len(safe) > limit or len(reason) > len(head):
        marker = f"... ({len(reason)} characters; the whole text is in the log and /_emulator/decisions)"
        return safe[:limit - len(marker)] + marker
    return safe
