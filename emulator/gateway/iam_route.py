"""The I/O around an AWS_IAM route's decision: the body read whole (SigV4 signs it), the request put as the
client signed it, the principal looked up, and the body replayed to the integration afterwards."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import Any

from emulator.cognito.sigv4 import SignedRequest
from emulator.gateway.iam_authorizer import IamAllow, IamRequest, Principal, decide_iam, refuse
from emulator.gateway.integrations import BodyTooLarge, limited
from emulator.gateway.request import MAX_BODY_BYTES, IncomingRequest
from emulator.gateway.verdicts import Deny

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]


async def _chunks(receive: Receive) -> AsyncIterator[bytes]:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        if message.get("body"):
            yield message["body"]
        if not message.get("more_body", False):
            return


def replay(body: bytes) -> Receive:
    """An ASGI receive that hands the already-read body to the integration once."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def signed_request(request: IncomingRequest, body: bytes) -> SignedRequest:
    """The request as SigV4 sees it: method, Host + raw path + raw query as sent, every header, the body."""
    url = f"http://{request.host}{request.raw_path}" + (f"?{request.raw_query}" if request.raw_query else "")
    return SignedRequest(request.method, url, list(request.headers.items()), body)


async def authorize_iam(request: IncomingRequest, protocol: str, method_arn: str, receive: Receive,
                        principals: Callable[[str], Principal | None] | None,
                        now: float) -> tuple[IamAllow | Deny | BodyTooLarge, Receive]:
    """The verdict, and the receive the integration reads the body from."""
    parts = []
    try:
        async for chunk in limited(_chunks(receive), MAX_BODY_BYTES):
            parts.append(chunk)
    except BodyTooLarge as exc:
        return exc, receive
    body = b"".join(parts)
    if principals is None:
        return refuse(protocol, "unrecognized", "this gateway has no credential store to check SigV4 keys "
                                                "against (it runs without the emulator's runtime)"), replay(body)
    # In a worker thread: the key lookup reads the store, which a Cognito operation (a slow trigger) may hold,
    # and this event loop serves every port.
    verdict = await asyncio.to_thread(decide_iam, IamRequest(protocol, signed_request(request, body), method_arn, now),
                                      principals)
    return verdict, replay(body)
