"""The cognito-idp JSON 1.1 API on `POST /`, as a plain ASGI app in front of the port's FastAPI routes.

Every API call comes here, so it skips what it does not use (routing, dependency injection, FastAPI's
middleware stack: about half the event loop's time per call). The calls a test suite makes most, small and
without SRP, run right on the event loop (loop_calls.py) unless they would wait; everything else (parsing,
SigV4, validation, the operation, rendering the answer) runs in the thread pool, and every check it makes is
linear in the input: one hostile request must not hold up the other ports, which share this event loop."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import json
import logging
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from emulator.blocking import on_loop_or_in_thread
from emulator.cognito import admin_guard, auth_event_log, not_emulated
from emulator.cognito.body_limit import BodyTooLarge
from emulator.cognito.errors import CognitoError, reject
from emulator.cognito.loop_calls import runs_on_loop
from emulator.cognito.pool_rules import region_from_authorization
from emulator.cognito.protocol import Call, Handler, error_body, error_headers, json_params, operation_of, validated
from emulator.cognito.sigv4 import SignedRequest
from emulator.cognito.triggers import CLIENT_METADATA
from emulator.decisions import REASON_HEADER, header_safe
from emulator.http_protocol import overlapping
from emulator.identity import dispatch as identity_api
from emulator.identity import sts_endpoint, sts_protocol
from emulator.identity.protocol import is_identity_target
from emulator.issuance import TokenRefused
from emulator.kms import api as kms_api
from emulator.runtime import Runtime

AMZ_JSON = "application/x-amz-json-1.1"
HEALTH = "/_emulator/health"
# As many threads as starlette's pool allows; a pool of the API's own: anyio's hop (run_in_threadpool) cost about
# 0.4 ms more per call than an executor's, a fifth of an InitiateAuth (bench/bench.py, through the ASGI app).
API_THREADS = 40
T = TypeVar("T")


def api_threads() -> ThreadPoolExecutor:
    """The JSON API's thread pool (its threads start on first use: none exist before a `--workers` fork)."""
    return ThreadPoolExecutor(API_THREADS, thread_name_prefix="cognito-api")
log = logging.getLogger("cognito_emulator")

# An answer as sent: status, headers (names and values as str), body.
Answer = tuple[int, list[tuple[str, str]], bytes]
# `respond`'s answer: its body may be a result whose tokens are still Unsigned (`TokenSigner.signed_by_caller`),
# for the caller to sign (`TokenSigner.signed`) and then render.
Responded = tuple[int, list[tuple[str, str]], bytes | dict]


def serialized(handler: Handler, rt: Runtime, params: dict, call: Call) -> dict:
    """Run one operation as one transaction: concurrent read-modify-writes of a user cannot interleave
    (a disable lost to a parallel attribute update), and single-use codes are used once. A rejection
    keeps what it recorded (a failed attempt); an unexpected error rolls everything back. The tokens of
    the result are signed after the commit."""
    # Every operation's ClientMetadata reaches the triggers it fires (triggers.CLIENT_METADATA).
    CLIENT_METADATA.set(params.get("ClientMetadata") if isinstance(params.get("ClientMetadata"), dict) else {})
    # Where the call came from, for the auth events a sign-in records (auth_event_log.EVENT_CONTEXT).
    client = rt.store.client(params["ClientId"]) if isinstance(params.get("ClientId"), str) else None
    auth_event_log.EVENT_CONTEXT.set(auth_event_log.event_context(
        call.source_ip, params, bool(client and client.propagate_user_context_data)))
    try:
        return rt.committed(handler, rt, params, call, commit_on=(CognitoError, TokenRefused))
    except TokenRefused as refused:  # the token path's refusal, in this surface's words
        raise refused.cognito() from None


def answer(rt: Runtime, operations: dict[str, Handler], request: SignedRequest, target: str | None,
           request_id: str, source_ip: str) -> dict:
    """One API call from bytes to result, in AWS's order: target, JSON, signature, input shape, operation."""
    if is_identity_target(target):  # identity pools (cognito-identity) share the port, as in DESIGN's outline
        return identity_api.answer(rt, request, target or "", request_id, source_ip)
    if kms_api.is_kms_target(target):  # the local KMS of custom sender triggers (kms/)
        return kms_api.answer(rt, request, target or "")
    operation = operation_of(target)
    params = json_params(request.body)
    refused = admin_guard.refusal(operation, request, rt.config.credentials)
    if refused is not None:
        raise refused
    params = validated(operation, params)
    handler = operations.get(operation)
    if handler is None:
        raise not_emulated.refusal(operation)
    authorization = next((v for k, v in request.headers if k.lower() == "authorization"), None)
    call = Call(operation, request_id, source_ip, region_from_authorization(authorization))
    return serialized(handler, rt, params, call)


def _json(value: object) -> bytes:
    # What starlette's JSONResponse renders, byte for byte.
    return json.dumps(value, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")).encode()


def respond(rt: Runtime, operations: dict[str, Handler], request: SignedRequest, target: str | None,
            request_id: str, source_ip: str) -> Responded:
    """`answer` as an HTTP answer: the result, or AWS's error shape (never a traceback)."""
    operation = operation_named(target)
    try:
        result = answer(rt, operations, request, target, request_id, source_ip)
        return 200, [("x-amzn-RequestId", request_id)], result if rt.signer.pending(result) else _json(result)
    except CognitoError as error:
        return error_answer(rt, error, operation, request_id, service_of(target))
    except Exception:
        return internal_error(rt, operation, request_id, "handling")


def internal_error(rt: Runtime, operation: str, request_id: str, doing: str) -> Answer:
    """AWS's InternalErrorException for a failure of the emulator's own while `doing` the operation, logged."""
    log.exception("internal error in %s while %s it", operation, doing)
    return error_answer(rt, reject("internal", f"the emulator failed while {doing} {operation}; see its log"),
                        operation, request_id)


def service_of(target: str | None) -> str:
    if kms_api.is_kms_target(target):
        return "kms"
    return "cognito-identity" if is_identity_target(target) else "cognito-idp"


def operation_named(target: str | None) -> str:
    return (target or "").rsplit(".", 1)[-1][:128] or "(no X-Amz-Target)"


def error_answer(rt: Runtime, error: CognitoError, operation: str, request_id: str,
                 service: str = "cognito-idp") -> Answer:
    """AWS's error shape for `error`, its reason in the header, and the decision recorded."""
    rt.decisions.reject(f"{service} {operation}", f"{error.type}: {error.message}", error.reason,
                        request_id=request_id)
    headers = error_headers(error, request_id)
    headers[REASON_HEADER] = header_safe(error.reason)
    headers["x-amzn-ErrorMessage"] = header_safe(error.message)
    return error.status, list(headers.items()), _json(error_body(error))


def error_response(rt: Runtime, error: CognitoError, operation: str, request_id: str,
                   service: str = "cognito-idp") -> Response:
    """`error_answer` as a starlette Response (for the port's FastAPI exception handlers)."""
    status, headers, body = error_answer(rt, error, operation, request_id, service)
    return Response(body, status_code=status, headers=dict(headers), media_type=AMZ_JSON)


def _header(scope: Scope, name: bytes) -> str | None:
    """The first value of a header (ASGI servers lower-case the names)."""
    return next((v.decode("latin-1") for k, v in scope["headers"] if k == name), None)


def signed_request(scope: Scope, body: bytes) -> SignedRequest:
    """The request as SigV4 sees it: the raw path and query as sent, every header, the body."""
    raw_path = scope.get("raw_path") or scope["path"].encode()
    query = scope.get("query_string") or b""
    url = f"http://{_header(scope, b'host') or ''}{raw_path.decode('latin-1')}"
    if query:
        url += "?" + query.decode("latin-1")
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
    return SignedRequest(scope["method"], url, headers, body)


def health(rt: Runtime) -> dict:
    """The emulator's health: up, and the pools it serves."""
    return {"status": "ok", "pools": [p.id for p in rt.store.pools()]}


class _Disconnected(Exception):
    pass


async def _read_body(receive: Receive) -> bytes:
    """The body, read as it arrives (BodyLimit's `receive` raises BodyTooLarge once it passes the limit)."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Disconnected
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _send(send: Send, answer_: Answer) -> None:
    status, headers, body = answer_
    raw = [*((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers),
           (b"content-length", str(len(body)).encode()), (b"content-type", AMZ_JSON.encode())]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class ApiRoot:
    """ASGI: `POST /` answered here; every other request goes on to `app` (the port's FastAPI routes)."""

    def __init__(self, app: ASGIApp, rt: Runtime, operations: dict[str, Handler],
                 seen: Callable[[], None] | None = None, threads: ThreadPoolExecutor | None = None) -> None:
        self.app = app
        self.rt = rt
        self.operations = operations
        self.seen = seen  # told of every API call (port.LazyApp waits for a quiet moment to build the routes)
        self.threads = threads or api_threads()  # the server passes its own, to shut it down when it stops

    async def _off_loop(self, work: Callable[..., T], *args: Any) -> T:
        """`work(*args)` in the API's threads, in this request's context (the request log's pending refusal)."""
        context = contextvars.copy_context()
        return await asyncio.get_running_loop().run_in_executor(self.threads,
                                                                functools.partial(context.run, work, *args))

    async def _health(self, send: Send) -> None:
        """GET /_emulator/health here, not among the port's FastAPI routes: what orchestrators and the CLI poll
        answers at once after start, without waiting for those routes to be built."""
        body = _json(await on_loop_or_in_thread(self.rt.store.held_if_free, self._off_loop, health, self.rt))
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-length", str(len(body)).encode()), (b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == HEALTH and scope["method"] == "GET":
            await self._health(send)
            return
        if scope["type"] != "http" or scope["path"] != "/":
            await self.app(scope, receive, send)
            return
        if scope["method"] != "POST":
            # Every other method on the API root (GET, OPTIONS without a preflight, TRACE...): AWS's shape.
            error = CognitoError("UnknownOperationException", "",
                                 f"the cognito-idp API takes POST / with X-Amz-Target, not {scope['method']} /")
            await _send(send, error_answer(self.rt, error, scope["method"], str(uuid.uuid4())))
            return
        if self.seen is not None:
            self.seen()
        request_id = str(uuid.uuid4())
        target = _header(scope, b"x-amz-target")
        try:
            body = await _read_body(receive)
        except BodyTooLarge as exc:
            error = reject("body_too_large", exc.detail)
            await _send(send, error_answer(self.rt, error, operation_named(target), request_id))
            return
        except _Disconnected:
            await send({"type": "http.response.start", "status": 400, "headers": [(b"content-length", b"0")]})
            await send({"type": "http.response.body", "body": b""})  # nobody is left to read it
            return
        if sts_protocol.is_query_request(_header(scope, b"content-type"), target, body):
            # identity pools' basic flow (STS AssumeRoleWithWebIdentity) shares the port
            response = await self._off_loop(sts_endpoint.respond, self.rt, body, request_id)
            await response(scope, receive, send)
            return
        client = scope.get("client")
        arguments = (self.rt, self.operations, signed_request(scope, body), target, request_id,
                     client[0] if client else "")
        with self.rt.signer.signed_by_caller():
            if runs_on_loop(target, body):
                responded = await on_loop_or_in_thread(self.rt.store.held_if_free, self._off_loop, respond,
                                                       *arguments)
            else:
                # Rendering the answer and logging the decision happen there too: a message echoing a megabyte
                # of input is a json.dumps and a log write that would otherwise run on the shared event loop.
                responded = await self._off_loop(respond, *arguments)
            answer_ = await self._signed(responded, scope, operation_named(target), request_id)
        await _send(send, answer_)

    async def _signed(self, responded: Responded, scope: Scope, operation: str, request_id: str) -> Answer:
        """The answer with its tokens signed (`TokenSigner.signed`) and rendered."""
        status, headers, body = responded
        if isinstance(body, bytes):
            return status, headers, body
        try:
            return status, headers, _json(await self.rt.signer.signed(body, overlapping(scope)))
        except Exception:  # as in `respond`: AWS's shape, never a traceback
            return internal_error(self.rt, operation, request_id, "signing the tokens of")
