"""The Cognito port's request body limit, enforced while the body arrives: a declared Content-Length over
the limit is refused before a byte of the body is read, and a body without one (chunked) is refused once
the bytes counted pass it. Nothing past the limit is kept: once the refusal is sent, uvicorn discards
the rest of the body as it drains the connection."""

from __future__ import annotations

from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator.cognito.protocol import MAX_BODY_BYTES


class BodyTooLarge(HTTPException):
    """Raised from `receive` when the body passes the limit: 413 unless the route turns it into AWS's error."""

    def __init__(self, received: int, limit: int) -> None:
        super().__init__(413, f"the request body passed {limit} bytes ({received} read so far); "
                              f"the Cognito port accepts at most {limit}")
        self.received = received
        self.limit = limit


def declared_length(scope: Scope) -> int | None:
    """The request's Content-Length, when it is one number."""
    values = [v for k, v in scope.get("headers", ()) if k.lower() == b"content-length"]
    if len(values) != 1 or not values[0].strip().isdigit():
        return None  # the HTTP parser refuses a malformed or conflicting one before the app sees the request
    return int(values[0])


class BodyLimit:
    """ASGI wrapper: `refusal(scope, size)` answers a declared length over the limit; a counted one raises
    BodyTooLarge inside the app, whose exception handler (or the route reading the body) answers."""

    def __init__(self, app: ASGIApp, refusal: Callable[[Scope, int], Response], limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.refusal = refusal
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = declared_length(scope)
        if length is not None and length > self.limit:
            await self.refusal(scope, length)(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge(received, self.limit)
            return message

        await self.app(scope, counted, send)
