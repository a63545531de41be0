"""One log line per request (method, path or operation, status, decision, reason, duration), and the log
formats the CLI offers (`--log-format text|json`)."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator.decisions import REASON_HEADER, REQUEST_REFUSAL

log = logging.getLogger("cognito_emulator.requests")

_TARGET = b"x-amz-target"
_REASON = REASON_HEADER.encode()
# Libraries whose INFO lines (one per outgoing HTTP call, per started server...) drown the emulator's own.
NOISY_LOGGERS = ("httpx", "httpcore", "botocore", "boto3", "urllib3", "uvicorn", "uvicorn.error", "asyncio")


def request_fields(listener: str, method: str, path: str, target: str | None, status: int, reason: str | None,
                   seconds: float, error: str | None = None) -> dict[str, Any]:
    """The structured fields of a request's log line (pure). `reason` and `error`: the refusal's, whole."""
    operation = target.rsplit(".", 1)[-1][:128] if target else None
    return {"listener": listener, "method": method, "path": path, "operation": operation, "status": status,
            "decision": "allowed" if status < 400 else "refused", "error": error, "reason": reason,
            "duration_ms": round(seconds * 1000, 1)}


def request_line(fields: dict[str, Any]) -> str:
    what = f"{fields['method']} {fields['path']}" + (f" {fields['operation']}" if fields.get("operation") else "")
    line = f"{fields['listener']}: {what} -> {fields['status']} {fields['decision']} ({fields['duration_ms']} ms)"
    if fields.get("error"):
        line += f" {fields['error']}"
    return line + (f" | why: {fields['reason']}" if fields.get("reason") else "")


class RequestLog:
    """ASGI wrapper logging every HTTP request once it has been answered."""

    def __init__(self, app: ASGIApp, listener: str) -> None:
        self.app = app
        self.listener = listener

    async def aclose(self) -> None:
        """Close what the wrapped app holds (the gateway's HTTP client)."""
        inner = getattr(self.app, "aclose", None)
        if inner is not None:
            await inner()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        seen: dict[str, Any] = {"status": 500, "reason": None}
        refusal: dict[str, str] = {}
        token = REQUEST_REFUSAL.set(refusal)

        async def watching(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
                for key, value in message.get("headers", ()):
                    if key.lower() == _REASON:
                        seen["reason"] = value.decode("latin-1")
            await send(message)

        try:
            await self.app(scope, receive, watching)
        finally:
            REQUEST_REFUSAL.reset(token)
            level = logging.WARNING if seen["status"] >= 400 else logging.INFO
            if log.isEnabledFor(level):  # at --log-level warning, an allowed request costs no line
                target = next((v.decode("latin-1") for k, v in scope.get("headers", ()) if k.lower() == _TARGET),
                              None)
                fields = request_fields(self.listener, scope["method"], scope["path"], target, seen["status"],
                                        refusal.get("reason") or seen["reason"], time.perf_counter() - started,
                                        refusal.get("error"))
                log.log(level, request_line(fields), extra={"request": fields})


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and a request's fields when it is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"), "level": record.levelname,
                                 "logger": record.name, "message": record.getMessage()}
        fields = getattr(record, "request", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: str, fmt: str) -> None:
    """The root handler in the chosen format; libraries quiet unless --log-level debug."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if fmt == "json" else
                         logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    if level.lower() != "debug":
        for name in NOISY_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)
