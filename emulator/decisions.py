"""The decisions log: every rejection's plain-words reason, and every trigger call, logged and kept for
/_emulator/decisions."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass

REASON_HEADER = "x-emulator-reason"

log = logging.getLogger("cognito_emulator")


@dataclass(frozen=True)
class Decision:
    at: float
    component: str  # e.g. "cognito-idp InitiateAuth", "gateway mogemoge GET /mogemoge"
    error: str  # what the client saw, e.g. "InvalidParameterException: USER_PASSWORD_AUTH flow ..."
    reason: str  # why, in plain words
    details: dict | None = None  # a trigger call: the event sent and the response received (secrets masked)


class DecisionLog:
    """A bounded, thread-safe record of recent rejections; each is also logged as one line."""

    def __init__(self, size: int = 500) -> None:
        self._items: deque[Decision] = deque(maxlen=size)
        self._lock = threading.Lock()

    def reject(self, component: str, error: str, reason: str) -> None:
        decision = Decision(time.time(), component, error, reason)
        with self._lock:
            self._items.append(decision)
        log.warning("REJECT %s -> %s | why: %s", component, error, reason)

    def invocation(self, component: str, outcome: str, reason: str, details: dict) -> None:
        """A Lambda trigger call, kept and logged like a rejection (whatever its outcome)."""
        decision = Decision(time.time(), component, outcome, reason, details)
        with self._lock:
            self._items.append(decision)
        log.info("LAMBDA %s -> %s | %s | %s", component, outcome, reason, json.dumps(details, default=str))

    def recent(self, limit: int = 100) -> list[dict]:
        with self._lock:
            items = list(self._items)[-limit:]
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
    # Control characters a client sent (NUL, DEL...) are shown escaped: h11 refuses to send them.
    printable = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in flat)
    safe = printable.encode("latin-1", "replace").decode("latin-1")
    if len(safe) > limit or len(reason) > len(head):
        marker = f"... ({len(reason)} characters; the whole text is in the log and /_emulator/decisions)"
        return safe[:limit - len(marker)] + marker
    return safe
